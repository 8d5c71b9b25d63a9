// Execution trace records (format documented in docs/TRACE.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>

namespace zkvm::vm {

// One row per executed instruction (cycle), 32 bytes, little-endian fields.
// Register indices are not stored: they are fields of `insn`.
struct TraceRow {
  std::uint32_t pc;
  std::uint32_t insn;     // instruction word
  std::uint32_t rs1_val;  // value of x[rs1] before execution (0 if no rs1)
  std::uint32_t rs2_val;  // value of x[rs2] before execution (0 if no rs2)
  std::uint32_t rd_val;   // value written to x[rd] (0 if no rd or rd = x0)
  std::uint32_t mem_addr; // byte address of the load/store; 0 if none
  std::uint32_t mem_old;  // aligned word at mem_addr & ~3 before the access
  std::uint32_t mem_new;  // same word after the access (= mem_old for loads)
};
static_assert(sizeof(TraceRow) == 32);

// Side record of one ECALL. Its row in the trace is row `cycle`.
struct SyscallRecord {
  std::uint64_t cycle;      // index of the ECALL's row
  std::uint32_t number;     // a7
  std::uint32_t args[3];    // a0, a1, a2 before the call
  std::uint32_t ret[4];     // a0..a3 after the call
  std::uint64_t data_offset;// offset of this call's bytes in TraceChunk::syscall_data
  std::uint32_t data_len;   // read: bytes copied into guest memory at args[1];
                            // write: bytes taken from guest memory at args[1]
};

struct TraceChunk {
  std::uint64_t first_cycle;               // cycle index of rows[0]
  std::span<const TraceRow> rows;          // chunk_rows rows, fewer only in the last chunk
  std::span<const SyscallRecord> syscalls; // ECALLs whose rows are in this chunk
  std::span<const std::uint8_t> syscall_data;
};

// Receives each chunk once; the spans are valid only during the call.
using TraceSink = std::function<void(const TraceChunk&)>;

inline constexpr std::size_t kDefaultChunkRows = std::size_t{1} << 16;  // 2 MiB of rows

}  // namespace zkvm::vm
