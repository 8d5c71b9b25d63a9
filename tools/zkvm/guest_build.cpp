// Guest ELF builds without CMake (guest_build.h).
#include "guest_build.h"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <stdexcept>

extern char** environ;

// Paths CMake found when this zkvm was configured (tools/CMakeLists.txt).
#ifndef ZKVM_SDK_SOURCE_DIR
#define ZKVM_SDK_SOURCE_DIR ""
#endif
#ifndef ZKVM_DEFAULT_CLANG
#define ZKVM_DEFAULT_CLANG ""
#endif
#ifndef ZKVM_DEFAULT_LLD
#define ZKVM_DEFAULT_LLD ""
#endif
#ifndef ZKVM_DEFAULT_PICOLIBC
#define ZKVM_DEFAULT_PICOLIBC "/usr/lib/picolibc/riscv64-unknown-elf"
#endif
#ifndef ZKVM_DEFAULT_LIBGCC
#define ZKVM_DEFAULT_LIBGCC ""
#endif

namespace fs = std::filesystem;

namespace zkvm::cli {

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

bool is_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

bool is_sdk(const fs::path& d) {
  return is_file(d / "runtime" / "guest.ld") && is_file(d / "runtime" / "crt0.S") &&
         is_file(d / "include" / "zkvm" / "guest.h") && is_file(d / "ml" / "src" / "model.c") &&
         is_file(d / "ml" / "include" / "zkvm" / "ml" / "model.h");
}

std::string exe_dir() {
  std::error_code ec;
  fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : p.parent_path().string();
}

// First executable among `candidates` (absolute paths, or names looked up in PATH).
std::string find_program(const std::vector<std::string>& candidates) {
  for (const auto& c : candidates) {
    if (c.empty()) continue;
    if (c.find('/') != std::string::npos) {
      if (::access(c.c_str(), X_OK) == 0) return c;
      continue;
    }
    const std::string path = env("PATH");
    size_t b = 0;
    while (b <= path.size()) {
      size_t e = path.find(':', b);
      if (e == std::string::npos) e = path.size();
      const fs::path p = fs::path(path.substr(b, e - b).empty() ? "." : path.substr(b, e - b)) / c;
      if (::access(p.c_str(), X_OK) == 0 && is_file(p)) return p.string();
      b = e + 1;
    }
  }
  return "";
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) {
    if (x.empty()) continue;
    if (!s.empty()) s += ", ";
    s += x;
  }
  return s;
}

std::string command_line(const std::vector<std::string>& argv) {
  std::string s;
  for (const auto& a : argv) {
    if (!s.empty()) s += ' ';
    s += a;
  }
  return s;
}

pid_t spawn(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int rc = ::posix_spawn(&pid, args[0], nullptr, nullptr, args.data(), environ);
  if (rc != 0) throw std::runtime_error("guest build: cannot run " + argv[0] + ": " + std::strerror(rc));
  return pid;
}

// Runs the commands, at most `jobs` at a time; the first failure stops new
// starts, waits for the running ones and throws naming the failed command.
void run_all(const std::vector<std::vector<std::string>>& cmds, unsigned jobs, const char* what) {
  std::map<pid_t, size_t> running;
  size_t next = 0;
  std::string failure;
  while (next < cmds.size() || !running.empty()) {
    while (failure.empty() && next < cmds.size() && running.size() < std::max(1u, jobs)) {
      running[spawn(cmds[next])] = next;
      ++next;
    }
    if (running.empty()) break;
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("guest build: waitpid: ") + std::strerror(errno));
    }
    auto it = running.find(pid);
    if (it == running.end()) continue;
    const size_t k = it->second;
    running.erase(it);
    if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0) && failure.empty()) {
      const std::string how = WIFEXITED(status) ? "exited with status " + std::to_string(WEXITSTATUS(status))
                                                : "was killed by signal " + std::to_string(WTERMSIG(status));
      failure = "guest build: " + std::string(what) + " " + how + " (its messages are above): " + command_line(cmds[k]);
    }
  }
  if (!failure.empty()) throw std::runtime_error(failure);
}

}  // namespace

GuestToolchain find_guest_toolchain(const std::string& sdk_override) {
  GuestToolchain tc;
  // The SDK.
  std::vector<std::pair<std::string, std::string>> sdks;
  if (!sdk_override.empty()) sdks.emplace_back(sdk_override, "--sdk");
  else {
    if (!env("ZKVM_GUEST_SDK").empty()) sdks.emplace_back(env("ZKVM_GUEST_SDK"), "$ZKVM_GUEST_SDK");
    if (const std::string d = exe_dir(); !d.empty())
      sdks.emplace_back((fs::path(d) / ".." / "share" / "zkvm" / "guest-sdk").lexically_normal().string(),
                        "the installed SDK next to this zkvm");
    if (std::strlen(ZKVM_SDK_SOURCE_DIR) > 0) sdks.emplace_back(ZKVM_SDK_SOURCE_DIR, "the source tree zkvm was built from");
  }
  for (const auto& [dir, from] : sdks)
    if (is_sdk(dir)) {
      tc.sdk = fs::absolute(dir).lexically_normal().string();
      tc.sdk_from = from;
      break;
    }
  if (tc.sdk.empty()) {
    if (!sdk_override.empty())
      throw std::runtime_error(sdk_override + ": not a guest SDK (no runtime/guest.ld, include/zkvm/guest.h or "
                               "ml/src/model.c); give the guest-sdk directory of a zkvm source tree or "
                               "PREFIX/share/zkvm/guest-sdk of an install");
    std::vector<std::string> looked;
    for (const auto& s : sdks) looked.push_back(s.first);
    throw std::runtime_error("guest SDK not found (looked in: " + join(looked) +
                             "); give --sdk DIR or set ZKVM_GUEST_SDK");
  }
  // The cross toolchain. A variable that is set must name what it says.
  for (const char* v : {"ZKVM_GUEST_CLANG", "ZKVM_GUEST_LLD"})
    if (!env(v).empty() && ::access(env(v).c_str(), X_OK) != 0)
      throw std::runtime_error(std::string("guest toolchain: ") + v + "=" + env(v) + " is not an executable");
  if (!env("ZKVM_GUEST_LIBGCC").empty() && !is_file(env("ZKVM_GUEST_LIBGCC")))
    throw std::runtime_error("guest toolchain: ZKVM_GUEST_LIBGCC=" + env("ZKVM_GUEST_LIBGCC") + " is not a file");
  const std::vector<std::string> clangs = {env("ZKVM_GUEST_CLANG"), ZKVM_DEFAULT_CLANG, "clang", "clang-14"};
  const std::vector<std::string> llds = {env("ZKVM_GUEST_LLD"), ZKVM_DEFAULT_LLD, "ld.lld", "ld.lld-14"};
  tc.clang = find_program(clangs);
  if (tc.clang.empty())
    throw std::runtime_error("guest toolchain: no clang found (looked for " + join(clangs) +
                             "); install clang and lld (tools/install-deps.sh) or set ZKVM_GUEST_CLANG");
  tc.lld = find_program(llds);
  if (tc.lld.empty())
    throw std::runtime_error("guest toolchain: no ld.lld found (looked for " + join(llds) +
                             "); install lld (tools/install-deps.sh) or set ZKVM_GUEST_LLD");
  tc.picolibc = !env("ZKVM_PICOLIBC_DIR").empty() ? env("ZKVM_PICOLIBC_DIR") : ZKVM_DEFAULT_PICOLIBC;
  if (!is_file(fs::path(tc.picolibc) / "lib" / "rv32im" / "ilp32" / "libc.a"))
    throw std::runtime_error("guest toolchain: picolibc for rv32im not found (" + tc.picolibc +
                             "/lib/rv32im/ilp32/libc.a is missing); install picolibc-riscv64-unknown-elf "
                             "(tools/install-deps.sh) or set ZKVM_PICOLIBC_DIR");
  tc.libgcc = env("ZKVM_GUEST_LIBGCC");
  if (tc.libgcc.empty()) tc.libgcc = ZKVM_DEFAULT_LIBGCC;
  if (tc.libgcc.empty() || !is_file(tc.libgcc)) {
    // The newest gcc-riscv64-unknown-elf multilib, as ZkvmGuest.cmake picks it.
    std::vector<std::string> found;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator("/usr/lib/gcc/riscv64-unknown-elf", ec)) {
      const fs::path p = e.path() / "rv32im" / "ilp32" / "libgcc.a";
      if (is_file(p)) found.push_back(p.string());
    }
    std::sort(found.begin(), found.end());
    if (found.empty())
      throw std::runtime_error("guest toolchain: libgcc.a for rv32im/ilp32 not found (/usr/lib/gcc/riscv64-unknown-elf/"
                               "*/rv32im/ilp32/libgcc.a); install gcc-riscv64-unknown-elf (tools/install-deps.sh) or "
                               "set ZKVM_GUEST_LIBGCC");
    tc.libgcc = found.back();
  }
  return tc;
}

void build_ml_guest(const GuestToolchain& tc, const std::vector<std::string>& sources, const std::string& objdir,
                    const std::string& elf, unsigned jobs) {
  const fs::path sdk(tc.sdk);
  std::error_code ec;
  fs::create_directories(objdir, ec);
  if (ec) throw std::runtime_error(objdir + ": cannot create directory: " + ec.message());
  // ZKVM_GUEST_COMMON_FLAGS, -O2, then the language's flags (ZkvmGuest.cmake).
  const std::vector<std::string> common = {
      tc.clang, "--target=riscv32-unknown-elf", "-march=rv32im", "-mabi=ilp32", "-mno-relax", "-ffunction-sections",
      "-fdata-sections", "-fno-common", "-fno-stack-protector", "-g", "-Wall", "-Wextra", "-Wshadow",
      "-D_DEFAULT_SOURCE", "-I", (sdk / "include").string(), "-O2"};
  const std::string pico_inc = (fs::path(tc.picolibc) / "include").string();
  std::vector<std::vector<std::string>> cmds;
  auto compile = [&](const fs::path& src, const std::string& obj, bool asm_src, bool ml) {
    std::vector<std::string> c = common;
    if (!asm_src) {
      c.push_back("-std=c11");
    }
    c.insert(c.end(), {"-isystem", pico_inc});
    if (ml) c.insert(c.end(), {"-I", (sdk / "ml" / "include").string()});
    c.insert(c.end(), {"-c", src.string(), "-o", obj});
    cmds.push_back(std::move(c));
    return obj;
  };
  const fs::path od(objdir);
  const std::string crt0 = compile(sdk / "runtime" / "crt0.S", (od / "crt0.o").string(), true, false);
  // The guest's objects: its sources, then the ML runtime (as zkml_model_guest lists them).
  std::vector<std::string> objs;
  int i = 0;
  std::vector<fs::path> guest_srcs(sources.begin(), sources.end());
  for (const char* s : {"kernels.c", "kernels_dot4.c", "kernels_seq.c", "model.c"}) guest_srcs.push_back(sdk / "ml" / "src" / s);
  for (const auto& s : guest_srcs) {
    if (!is_file(s)) throw std::runtime_error(s.string() + ": guest source not found");
    objs.push_back(compile(s, (od / (std::to_string(i++) + "_" + s.filename().string() + ".o")).string(), false, true));
  }
  // The SDK runtime's C sources: linked between --start-lib/--end-lib, so
  // that like libzkvm_guest_rt.a only what the guest uses is pulled in.
  std::vector<fs::path> rt;
  for (const auto& e : fs::directory_iterator(sdk / "runtime", ec))
    if (e.path().extension() == ".c") rt.push_back(e.path());
  if (ec || rt.empty()) throw std::runtime_error((sdk / "runtime").string() + ": no runtime sources");
  std::sort(rt.begin(), rt.end());
  std::vector<std::string> rt_objs;
  for (const auto& s : rt) rt_objs.push_back(compile(s, (od / ("rt_" + s.filename().string() + ".o")).string(), false, false));
  run_all(cmds, jobs, "clang");

  const std::string libdir = (fs::path(tc.picolibc) / "lib" / "rv32im" / "ilp32").string();
  std::vector<std::string> link = {tc.lld, "-T", (sdk / "runtime" / "guest.ld").string(), "--gc-sections", "-static",
                                   crt0};
  link.insert(link.end(), objs.begin(), objs.end());
  link.push_back("--start-lib");
  link.insert(link.end(), rt_objs.begin(), rt_objs.end());
  link.push_back("--end-lib");
  link.insert(link.end(), {libdir + "/libc.a", libdir + "/libm.a", tc.libgcc, "-o", elf});
  run_all({link}, 1, "ld.lld");
}

}  // namespace zkvm::cli
