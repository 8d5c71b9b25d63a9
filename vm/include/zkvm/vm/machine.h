// Running a guest: the fast executor (run) and the tracing executor
// (run_traced) share one decoder and one instruction semantics
// (src/executor.h, Executor<FastCtx> / Executor<TraceCtx>).
#pragma once

#include "zkvm/vm/elf.h"
#include "zkvm/vm/isa.h"
#include "zkvm/vm/trace.h"

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace zkvm::vm {

// Generous default: about 10 s of fast-path execution.
inline constexpr std::uint64_t kDefaultMaxCycles = std::uint64_t{1} << 32;

// Project syscall numbers (guest-abi.md, "System calls"; docs/EMULATOR.md).
inline constexpr std::uint32_t kSysExit = 93, kSysRead = 63, kSysWrite = 64;
inline constexpr std::uint32_t kSysCycleCount = 0x1000;  // a0/a1 = cycles before this ECALL

struct RunOptions {
  std::uint64_t max_cycles = kDefaultMaxCycles;
  std::vector<std::uint8_t> input;  // private input, read through read(0, ...)
  // Guest writes to fd 1 and 2 go here as they happen; if unset they are
  // collected in RunResult::stdout_bytes / stderr_bytes.
  std::function<void(int fd, std::span<const std::uint8_t>)> on_output;
  bool count_mix = false;  // fill RunResult::mix (slower fast path)
  // Fast path (run): called with the record of every call that returns or
  // exits (no data bytes), in order. The prover plans its segments from the
  // accelerator calls' sizes before tracing.
  std::function<void(const SyscallRecord&)> on_syscall;
  // Fast path: fuse instruction pairs into superinstructions (results are
  // identical either way; false is the plain one-handler-per-instruction
  // dispatch, for tests and measurements).
  bool fusion = true;
};

enum class FaultKind {
  IllegalInstruction,   // not RV32IM, EBREAK, CSR, compressed
  MisalignedLoad,
  MisalignedStore,
  MisalignedJump,       // jump or taken-branch target not a multiple of 4
  LoadOutOfBounds,      // outside [kGuestBase, kGuestEnd), incl. the null guard
  StoreOutOfBounds,
  FetchOutOfBounds,
  FetchOutsideCode,     // pc in guest memory but not a word of the code image (elf.h code_words)
  ModifiedCode,         // the code word at pc no longer holds its loaded value (a store or read overwrote it)
  BadSyscall,           // unknown call number
  BadReadFd,            // read from fd != 0
  BadWriteFd,           // write to fd not in {1, 2, 3}
  SyscallBuffer,        // buffer not wholly inside guest memory
  BadAccelArgs,         // an accelerator call's arguments break its rules (accel.h: alignment, length)
};
std::string_view fault_kind_name(FaultKind k);

struct Fault {
  FaultKind kind;
  std::uint32_t pc = 0;
  std::optional<std::uint32_t> insn;  // absent when the fetch itself faulted
  std::optional<std::uint32_t> addr;  // memory/target address, if any
  std::string detail;                 // "misaligned LW from 0x00042002"
  // "fault at pc 0x00010a4c: misaligned LW from 0x00042002 (instruction
  // 0x0022a283: lw t0, 2(t0))"
  std::string message() const;
};

enum class RunStatus { Exited, Faulted, CycleLimit };

struct RunResult {
  RunStatus status = RunStatus::Exited;
  std::uint32_t exit_code = 0;  // low 8 bits of a0 at exit (Exited only)
  std::optional<Fault> fault;   // Faulted only
  std::uint32_t pc = 0;         // pc of the last instruction attempted
  std::uint64_t cycles = 0;     // instructions retired (exit's ECALL included)
  std::vector<std::uint8_t> journal, stdout_bytes, stderr_bytes;
  std::vector<std::uint32_t> pages_touched;  // base addresses, ascending (loaded, read, written or fetched)
  std::array<std::uint64_t, kNumInsns> mix{};  // per Op; filled only with RunOptions::count_mix
  std::array<std::uint32_t, 32> regs{};        // final registers
  // One line: "exited with code 3", the fault message, or the cycle limit.
  std::string summary() const;
};

inline constexpr std::uint32_t kPageSize = 4096;

RunResult run(const Program& program, const RunOptions& options);
// Same execution, and every retired instruction is recorded in chunks of
// chunk_rows rows handed to `sink` (the last chunk may be shorter).
RunResult run_traced(const Program& program, const RunOptions& options, const TraceSink& sink,
                     std::size_t chunk_rows = kDefaultChunkRows);

}  // namespace zkvm::vm
