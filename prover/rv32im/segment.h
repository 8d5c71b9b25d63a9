// Segments of an execution (continuations, docs/RECEIPT.md "Segments").
//
// An execution is cut into segments of at most 2^k cycles; segment i
// (0-based) is one STARK proof under the program's vk, all of them one
// statement (stark::prove_segments / verify_segments: shared LogUp
// challenges drawn after every segment's main trace is committed).
//
// What links them, and who checks it:
// - Control state (pc, cycle offset, journal position, end-of-input flag):
//   public values. Segment i starts where segment i-1 ended; the verifier
//   builds every segment's public values from the receipt's chain
//   (segment_publics below) with start values fixed for segment 0 (the
//   entry pc, cycle 0, journal position 0, input not exhausted) and only
//   the last segment halting.
// - Memory and registers: kBusHandoff (bus.h, memory.h). Every segment's
//   memory table receives each cell it touches from an earlier segment (or
//   from the initial memory) and sends what it leaves; the boundary table,
//   in the last segment only, sends each cell's initial word and receives
//   its final one.
// - Each segment's own buses (memory tokens, io calls) carry its tag
//   seg = i + 1, so one segment's accesses cannot consume another's tokens.
//
// This header is the one definition of the public values, shared by the
// witness generator (prover) and the receipt verifier.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "prover/air/air.h"
#include "prover/field/babybear.h"

namespace zkvm::rv32im {

// Segments of one statement: tags 1..kMaxSegments fit the U16 lookups of
// memory.h (seg - sprev - 1 < 2^16).
inline constexpr uint32_t kMaxSegments = 65535;
// Global cycle count bound: the cycle-count call's result is below 2^30
// (cpu.h), and so is every execution a receipt claims.
inline constexpr unsigned kMaxLogTotalCycles = 30;

// What one segment starts from and ends in; the receipt carries the end
// values (cycles, end_pc, journal_end, eof_out), the start values are the
// previous segment's end.
struct SegmentInfo {
  uint32_t index = 0;        // 0-based; tag = index + 1
  bool last = true;          // the last segment: it halts (exit) and holds the boundary table
  uint32_t start_pc = 0;
  uint64_t start_cycle = 0;  // cycles before this segment
  uint32_t cycles = 0;       // cycles of this segment (>= 1)
  uint32_t end_pc = 0;       // npc of its last instruction
  uint32_t exit_code = 0;    // last segment only (0 otherwise)
  uint32_t journal_start = 0, journal_end = 0;
  bool eof_in = false, eof_out = false;
  // The pc of the first row of the CPU overflow table: the npc of the
  // main table's last row (0 when cpu_main_rows(cycles) == cycles).
  uint32_t split_pc = 0;
  uint32_t tag() const { return index + 1; }
};

// Rows of a segment's main CPU table, the rest (if any) being its overflow
// table's (circuit version 11): all `cycles`, unless a main table of half
// the height, full, and an overflow table for the rest commit fewer rows
// (main_table_rows, alu.h, at the standard minimum height). A function of
// the cycle count alone, so the verifier derives the split from the
// receipt as the prover does.
uint32_t cpu_main_rows(uint32_t cycles);

// Per-table public values of a segment (witness.h Table order).
std::vector<std::vector<field::Fp>> segment_publics(const SegmentInfo& s);

// The statement's own boundary terms: the claimed journal, received on
// kBusJournal as (pos, byte).
std::vector<air::PublicInteraction> journal_terms(std::span<const uint8_t> journal);

}  // namespace zkvm::rv32im
