// `zkvm run`: exit statuses, pass-through output, journal and input files,
// the profiler's flags.
#include "profile_guests.h"
#include "vm_test_util.h"
#include "zkvm/vm/profile.h"

#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

using namespace zkvm::vm;
using namespace zkvm::vm::test;
using Catch::Contains;

namespace {

struct Cli {
  int status;
  std::string out;  // stdout and stderr together
};

// stderr joins stdout unless `redirect` sends it elsewhere.
Cli zkvm_run(const std::string& args, const std::string& redirect = "2>&1") {
  const std::string cmd = std::string("'") + ZKVM_CLI + "' run " + args + " " + redirect;
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int st = pclose(p);
  REQUIRE(WIFEXITED(st));
  return {WEXITSTATUS(st), out};
}

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    path = std::filesystem::temp_directory_path() / ("zkvm_vm_cli." + std::to_string(getpid()));
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string write(const std::string& name, const std::vector<std::uint8_t>& bytes) const {
    const auto f = path / name;
    std::ofstream(f, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                             static_cast<std::streamsize>(bytes.size()));
    return f.string();
  }
};

// ELF with `code` at kCodeBase and a 4 KiB RW data page at kDataBase.
std::vector<std::uint8_t> elf_of(const std::vector<std::uint32_t>& code, const std::string& data = "") {
  ElfSpec s;
  Phdr text;
  text.vaddr = kCodeBase;
  text.payload.resize(code.size() * 4);
  std::memcpy(text.payload.data(), code.data(), text.payload.size());
  text.filesz = text.memsz = static_cast<std::uint32_t>(text.payload.size());
  s.phdrs.push_back(text);
  Phdr d;
  d.vaddr = kDataBase;
  d.flags = 6;
  d.payload.assign(data.begin(), data.end());
  d.filesz = static_cast<std::uint32_t>(data.size());
  d.memsz = 0x1000;
  s.phdrs.push_back(d);
  return build_elf(s);
}

void call(std::vector<std::uint32_t>& code, std::uint32_t num, std::uint32_t fd, std::uint32_t buf, std::uint32_t len) {
  li(code, a0, fd);
  li(code, a1, buf);
  li(code, a2, len);
  li(code, a7, num);
  code.push_back(ECALL);
}

}  // namespace

TEST_CASE("zkvm run exits with the guest's exit code and passes stdout through", "[vm][cli]") {
  TempDir dir;
  std::vector<std::uint32_t> code;
  call(code, kSysWrite, 1, kDataBase, 6);
  sys_exit(code, 42);
  const Cli r = zkvm_run(dir.write("g.elf", elf_of(code, "hello\n")));
  CHECK(r.status == 42);
  CHECK(r.out == "hello\n");
}

TEST_CASE("zkvm run feeds --input to read(0) and writes the journal to --journal", "[vm][cli]") {
  TempDir dir;
  std::vector<std::uint32_t> code;
  call(code, kSysRead, 0, kDataBase, 16);
  code.push_back(ADD(s1, a0, zero));
  li(code, a0, 3);
  li(code, a1, kDataBase);
  code.push_back(ADD(a2, s1, zero));
  li(code, a7, kSysWrite);
  code.push_back(ECALL);
  sys_exit(code, 0);
  const std::string elf = dir.write("g.elf", elf_of(code));
  const std::string in = dir.write("in.bin", {'s', 'e', 'c', 'r', 'e', 't'});
  const std::string journal = (dir.path / "journal.bin").string();
  const Cli r = zkvm_run(elf + " --input " + in + " --journal " + journal);
  CHECK(r.status == 0);
  std::ifstream j(journal, std::ios::binary);
  const std::string got{std::istreambuf_iterator<char>(j), std::istreambuf_iterator<char>()};
  CHECK(got == "secret");
}

TEST_CASE("zkvm run reports a fault on stderr and exits with 134", "[vm][cli]") {
  TempDir dir;
  std::vector<std::uint32_t> code;
  li(code, t0, 0x42000);
  code.push_back(LW(t1, t0, 2));
  const std::string elf = dir.write("g.elf", elf_of(code));
  const Cli r = zkvm_run(elf);
  CHECK(r.status == 134);
  CHECK_THAT(r.out, Contains("fault at pc 0x00010008: misaligned LW from 0x00042002 (instruction 0x0022a303: lw t1, 2(t0))"));
}

TEST_CASE("zkvm run stops at --max-cycles with exit status 135", "[vm][cli]") {
  TempDir dir;
  const Cli r = zkvm_run(dir.write("g.elf", elf_of({JAL(zero, 0)})) + " --max-cycles 100");
  CHECK(r.status == 135);
  CHECK_THAT(r.out, Contains("cycle limit reached: 100 cycles executed without exit"));
}

TEST_CASE("zkvm run rejects a malformed ELF with exit status 2 and the loader's message", "[vm][cli]") {
  TempDir dir;
  std::vector<std::uint8_t> bad = elf_of({NOP});
  bad[36] = 1;  // EF_RISCV_RVC
  const std::string path = dir.write("bad.elf", bad);
  const Cli r = zkvm_run(path);
  CHECK(r.status == 2);
  CHECK_THAT(r.out, Contains(path + ": ELF flags 0x00000001 mark compressed instructions"));
}

TEST_CASE("zkvm run --stats prints cycles, mix, pages and speed to stderr", "[vm][cli]") {
  TempDir dir;
  std::vector<std::uint32_t> code;
  sys_exit(code, 0);
  const Cli r = zkvm_run(dir.write("g.elf", elf_of(code)) + " --stats");
  CHECK(r.status == 0);
  CHECK_THAT(r.out, Contains("cycles         5"));
  CHECK_THAT(r.out, Contains("pages touched  1 (4 KiB)"));
  CHECK_THAT(r.out, Contains("MIPS"));
  CHECK_THAT(r.out, Contains("ECALL"));
}

namespace {
std::string slurp_text(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}
}  // namespace

TEST_CASE("zkvm run --json tells an exit code 134 from a fault, and a cycle limit from both", "[vm][cli][json]") {
  TempDir dir;
  const std::string json = (dir.path / "r.json").string();
  // A guest that exits with 134 (as abort() does) and writes a journal.
  std::vector<std::uint32_t> code;
  call(code, kSysWrite, 3, kDataBase, 3);
  sys_exit(code, 134);
  const std::string in = dir.write("in.bin", {1, 2, 3, 4, 5});
  Cli r = zkvm_run(dir.write("abort.elf", elf_of(code, "ok\n")) + " --input " + in + " --json " + json);
  CHECK(r.status == 134);
  std::string j = slurp_text(json);
  CHECK(j.rfind("{\"schema\": \"zkvm-result/1\", \"command\": \"run\", \"guest\": \"", 0) == 0);
  CHECK_THAT(j, Contains("\"status\": \"exited\", \"exit_code\": 134, \"fault\": null, \"cycles\": 14, "
                         "\"input_bytes\": 5, \"journal_bytes\": 3, \"journal_hex\": \"6f6b0a\""));
  CHECK_THAT(j, Contains("\"timings\": {\"run_seconds\": "));

  // A fault: same process status, different result.
  code = {};
  li(code, t0, 0x42000);
  code.push_back(LW(t1, t0, 2));
  r = zkvm_run(dir.write("fault.elf", elf_of(code)) + " --json " + json);
  CHECK(r.status == 134);
  j = slurp_text(json);
  CHECK_THAT(j, Contains("\"status\": \"faulted\", \"exit_code\": null, \"fault\": {\"kind\": \"misaligned_load\", "
                         "\"description\": \"misaligned load\", \"pc\": \"0x00010008\", \"instruction\": "
                         "\"0x0022a303\", \"address\": \"0x00042002\", \"message\": \"fault at pc 0x00010008: "
                         "misaligned LW from 0x00042002 (instruction 0x0022a303: lw t1, 2(t0))\"}, \"cycles\": 2"));

  r = zkvm_run(dir.write("loop.elf", elf_of({JAL(zero, 0)})) + " --max-cycles 100 --json " + json);
  CHECK(r.status == 135);
  CHECK_THAT(slurp_text(json), Contains("\"status\": \"cycle_limit\", \"exit_code\": null, \"fault\": null, \"cycles\": 100"));
}

TEST_CASE("zkvm run --json - writes only the result to stdout, and guest stdout moves to stderr", "[vm][cli][json]") {
  TempDir dir;
  std::vector<std::uint32_t> code;
  call(code, kSysWrite, 1, kDataBase, 6);
  sys_exit(code, 0);
  const std::string elf = dir.write("g.elf", elf_of(code, "hello\n"));
  const std::string err = (dir.path / "err.txt").string();
  const Cli r = zkvm_run("'" + elf + "' --json -", "2>'" + err + "'");
  CHECK(r.status == 0);
  const std::string& out = r.out;
  CHECK(out.rfind("{\"schema\": ", 0) == 0);
  CHECK(out.back() == '\n');
  CHECK(out.find("hello") == std::string::npos);
  CHECK(slurp_text(err) == "hello\n");
}

TEST_CASE("zkvm run on a directory, a special file or a missing file says which, with exit 2", "[vm][cli]") {
  TempDir dir;
  const std::string json = (dir.path / "r.json").string();
  Cli r = zkvm_run(dir.path.string() + " --json " + json);
  CHECK(r.status == 2);
  CHECK_THAT(r.out, Contains(dir.path.string() + ": is a directory, not an ELF file"));
  CHECK(r.out.find("9223372036854775807") == std::string::npos);
  CHECK_THAT(slurp_text(json), Contains("\"status\": \"error\", \"error\": \"" + dir.path.string() + ": is a directory"));
  r = zkvm_run("/dev/null");
  CHECK(r.status == 2);
  CHECK_THAT(r.out, Contains("/dev/null: is not a regular file"));
  r = zkvm_run((dir.path / "none.elf").string());
  CHECK(r.status == 2);
  CHECK_THAT(r.out, Contains("none.elf: cannot open file (no such file)"));
  // A directory as the input.
  std::vector<std::uint32_t> code;
  sys_exit(code, 0);
  r = zkvm_run(dir.write("g.elf", elf_of(code)) + " --input " + dir.path.string());
  CHECK(r.status == 2);
  CHECK_THAT(r.out, Contains(dir.path.string() + ": input file is a directory"));
}

TEST_CASE("zkvm run --profile writes folded stacks, and with --stats the top functions", "[vm][cli][profile]") {
  TempDir dir;
  const std::string elf = dir.write("g.elf", profile_guest_elf(call_structure_guest()));
  const std::string out = (dir.path / "g.folded").string();
  const Cli r = zkvm_run(elf + " --profile " + out + " --stats");
  CHECK(r.status == 0);
  CHECK(slurp_text(out) == kCallStructureFolded);
  CHECK_THAT(r.out, Contains("cycles         32"));
  CHECK_THAT(r.out, Contains("profile        32 cycles in 7 functions, 7 stacks -> " + out + " (folded)"));
  CHECK_THAT(r.out, Contains("top 10 functions by exclusive cycles"));
  CHECK_THAT(r.out, Contains("  26   81.2%  main\n") || Contains("  26   81.3%  main\n"));
  CHECK_THAT(r.out, !Contains("instruction mix"));  // not counted on the tracing path
}

TEST_CASE("zkvm run --profile-format pprof writes the library's profile.proto", "[vm][cli][profile]") {
  TempDir dir;
  const std::vector<std::uint8_t> bytes = profile_guest_elf(call_structure_guest());
  const std::string elf = dir.write("g.elf", bytes);
  const std::string out = (dir.path / "g.pb").string();
  const Cli r = zkvm_run(elf + " --profile " + out + " --profile-format pprof");
  CHECK(r.status == 0);
  CHECK(r.out.empty());
  const Program program = load_elf(bytes, elf);
  Profiler prof(load_elf_functions(bytes, elf), program.entry);
  run_traced(program, {}, [&](const TraceChunk& c) { prof.consume(c); });
  const std::vector<std::uint8_t> want = to_pprof(prof.profile(), elf);
  CHECK(slurp_text(out) == std::string(want.begin(), want.end()));
}

TEST_CASE("zkvm run --profile still writes the profile when the guest faults", "[vm][cli][profile]") {
  TempDir dir;
  ProfileGuest g;
  li(g.code, t0, 0x42000);
  g.code.push_back(LW(t1, t0, 2));  // misaligned: faults, no row
  g.symbols = {{"_start", kCodeBase, 12}};
  const std::string out = (dir.path / "g.folded").string();
  const Cli r = zkvm_run(dir.write("g.elf", profile_guest_elf(g)) + " --profile " + out);
  CHECK(r.status == 134);
  CHECK(slurp_text(out) == "_start 2\n");
}

TEST_CASE("zkvm run --profile refuses a malformed symbol table, an unknown format and an unwritable file",
          "[vm][cli][profile]") {
  TempDir dir;
  SymtabLayout l{};
  std::vector<std::uint8_t> bad = profile_guest_elf(call_structure_guest(), &l);
  put32(bad, l.shoff + 2 * 40 + 36, 24);  // symbol table entry size
  const std::string bad_elf = dir.write("bad.elf", bad);
  const std::string out = (dir.path / "p").string();
  Cli r = zkvm_run(bad_elf + " --profile " + out);
  CHECK(r.status == 2);
  CHECK_THAT(r.out, Contains(bad_elf + ": symbol table (section 2) entry size 24, need 16"));
  CHECK_FALSE(std::filesystem::exists(out));
  CHECK(zkvm_run(bad_elf).status == 0);  // without --profile the symbols are not read

  const std::string elf = dir.write("g.elf", profile_guest_elf(call_structure_guest()));
  r = zkvm_run(elf + " --profile " + out + " --profile-format svg");
  CHECK(r.status == 2);
  CHECK_THAT(r.out, Contains("--profile-format"));
  r = zkvm_run(elf + " --profile " + (dir.path / "no-such-dir" / "p").string());
  CHECK(r.status == 2);
  CHECK_THAT(r.out, Contains("cannot write profile"));
}
