#include "process.h"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fcntl.h>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace zkvm::sdktest {

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "zkvm-sdk-test-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed for " + tmpl);
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return {};
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const std::filesystem::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error(p.string() + ": cannot write");
}

RunOutput run_process(const std::vector<std::string>& argv, const std::filesystem::path& stdin_file,
                      const std::filesystem::path& fd3_file, const std::filesystem::path& dir,
                      int timeout_s) {
  const auto out_path = dir / "stdout.bin", err_path = dir / "stderr.bin";
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, stdin_file.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (!fd3_file.empty())
    posix_spawn_file_actions_addopen(&fa, 3, fd3_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw std::runtime_error("cannot start " + argv[0]);

  int status = 0;
  bool killed = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  for (;;) {
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (std::chrono::steady_clock::now() > deadline && !killed) {
      kill(pid, SIGKILL);
      killed = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  RunOutput out;
  out.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  out.stdout_bytes = read_file(out_path);
  out.stderr_bytes = read_file(err_path);
  if (killed) out.stderr_bytes += "\n[killed after " + std::to_string(timeout_s) + " s]\n";
  if (!fd3_file.empty()) out.journal = read_file(fd3_file);
  return out;
}

RunOutput run_qemu(const std::string& elf, const std::string& input, const std::filesystem::path& dir) {
  const auto in = dir / "input.bin", journal = dir / "journal.qemu";
  write_file(in, input);
  return run_process({ZKVM_SDK_QEMU, elf}, in, journal, dir);
}

RunOutput run_zkvm(const std::string& elf, const std::string& input, const std::filesystem::path& dir) {
  const auto in = dir / "input.bin", journal = dir / "journal.zkvm";
  write_file(in, input);
  std::filesystem::remove(journal);
  RunOutput r = run_process({ZKVM_SDK_ZKVM, "run", elf, "--input", in.string(), "--journal", journal.string()},
                            "/dev/null", {}, dir);
  r.journal = read_file(journal);
  return r;
}

}  // namespace zkvm::sdktest
