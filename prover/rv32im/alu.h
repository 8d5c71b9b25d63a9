// ALU events: what the CPU table sends on kBusAlu (bus.h), as witness
// generation sees them. Each ALU chip turns the events of its ops into its
// trace (one row per event, padded to a power of two with inert rows).
#pragma once

#include <cstddef>
#include <cstdint>

#include "zkvm/vm/isa.h"

namespace zkvm::rv32im {

struct AluEvent {
  vm::Op op;    // register form (AND, SLL, MUL, DIV, ...)
  uint32_t a;   // rs1 value
  uint32_t b;   // rs2 value or the immediate
  uint32_t r;   // result as the emulator computed it (rd value before x0 discard)
};

// Reference result of a kBusAlu op (RISC-V unprivileged spec semantics,
// same as the emulator): for tests and witness-generation asserts.
uint32_t alu_reference(vm::Op op, uint32_t a, uint32_t b);

// Padding rows every table's trace ends with (padded_height), declared to
// the STARK as Air::zk_free_rows: with zero knowledge the last
// 2 * num_queries + 9 of them (93 at the standard 42 queries: one more
// than the openings need, for the LogUp sum mask, stark::LogupMask; at
// most 128, so up to 59 queries) become random rows, and a table is committed at its
// own height instead of twice it (docs/STARK.md "Zero knowledge: random
// rows"). A segment therefore holds 2^k - kZkFreeRows cycles.
inline constexpr size_t kZkFreeRows = 128;

// Trace height for `rows` used rows and kZkFreeRows rows of padding after
// them: the next power of two, at least min_rows.
inline size_t padded_height(size_t rows, size_t min_rows) {
  size_t n = 4;
  while (n < rows + kZkFreeRows || n < min_rows) n <<= 1;
  return n;
}

// A chip whose rows are held by two tables of the same AIR, a main table
// and an overflow table (circuit version 10: the sha256 round table), so
// that rows just past a power of two do not double the table: the number
// of `rows` (whole groups of `group` rows, which must stay in one table)
// the main table takes. All of them (no overflow) unless splitting them
// into a main table of half the single table's height, filled with whole
// groups, and an overflow table for the rest commits fewer rows in all;
// then the two heights add up to at most 3/4 of the single one.
inline size_t main_table_rows(size_t rows, size_t group, size_t min_rows) {
  const size_t single = padded_height(rows, min_rows), half = single / 2;
  if (half < min_rows || half <= kZkFreeRows + group) return rows;
  const size_t main = (half - kZkFreeRows) / group * group;
  if (main >= rows || half + padded_height(rows - main, min_rows) >= single) return rows;
  return main;
}

}  // namespace zkvm::rv32im
