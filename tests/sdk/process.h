// Runs a guest under a host runner (qemu-riscv32 or `zkvm run`) with its
// stdin, stdout, stderr and fd 3 redirected to files, and collects the
// results the differential tests compare.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace zkvm::sdktest {

struct RunOutput {
  int exit_code = -1;   // the process's exit status, or 128 + signal
  std::string stdout_bytes;
  std::string stderr_bytes;
  std::string journal;  // fd 3 (qemu) or --journal (zkvm run)
};

// A fresh directory under the system temp dir, removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

std::string read_file(const std::filesystem::path& p);
void write_file(const std::filesystem::path& p, const std::string& bytes);

// Runs argv with stdin from `stdin_file` and stdout/stderr (and fd 3 when
// fd3_file is non-empty) to files in `dir`; kills it after timeout_s seconds
// (exit_code is then 128 + SIGKILL and stderr says so).
RunOutput run_process(const std::vector<std::string>& argv, const std::filesystem::path& stdin_file,
                      const std::filesystem::path& fd3_file, const std::filesystem::path& dir,
                      int timeout_s = 60);

// The guest under qemu-riscv32: input on stdin, journal on fd 3.
RunOutput run_qemu(const std::string& elf, const std::string& input, const std::filesystem::path& dir);
// The guest under `zkvm run --input F --journal J`.
RunOutput run_zkvm(const std::string& elf, const std::string& input, const std::filesystem::path& dir);

}  // namespace zkvm::sdktest
