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

// Trace height for `rows` used rows: the next power of two, at least
// min_rows (and at least 4).
inline size_t padded_height(size_t rows, size_t min_rows) {
  size_t n = 4;
  while (n < rows || n < min_rows) n <<= 1;
  return n;
}

}  // namespace zkvm::rv32im
