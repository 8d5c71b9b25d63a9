// BITWISE chip: witness generation (see bitwise.h).
#include <cstdio>
#include <stdexcept>
#include <string>

#include "prover/rv32im/bitwise.h"

namespace zkvm::rv32im {

namespace {

std::string hex(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

}  // namespace

RowMajorMatrix<Fp> bitwise_trace(std::span<const AluEvent> events, ByteCounts& bytes, size_t min_rows) {
  using C = BitwiseChipAir;
  RowMajorMatrix<Fp> m(C::kWidth, padded_height(events.size(), min_rows));
  for (size_t e = 0; e < events.size(); ++e) {
    const AluEvent& ev = events[e];
    if (!C::handles(ev.op))
      throw std::logic_error("bitwise_trace: event " + std::to_string(e) + ": " + std::string(vm::mnemonic(ev.op)) +
                             " is not a bitwise op");
    const uint32_t want = alu_reference(ev.op, ev.a, ev.b);
    if (ev.r != want)
      throw std::logic_error("bitwise_trace: event " + std::to_string(e) + ": " + std::string(vm::mnemonic(ev.op)) +
                             " " + hex(ev.a) + ", " + hex(ev.b) + " gives " + hex(want) + ", event says " + hex(ev.r));
    auto row = m.row(e);
    for (size_t i = 0; i < 4; ++i) {
      const uint32_t a = (ev.a >> (8 * i)) & 0xff, b = (ev.b >> (8 * i)) & 0xff;
      row[C::kA + i] = Fp::from_canonical(a);
      row[C::kB + i] = Fp::from_canonical(b);
      row[C::kX + i] = Fp::from_canonical(a ^ b);
      bytes.xor_lookup(a, b);
    }
    const size_t flag = ev.op == vm::Op::AND ? C::kIsAnd : ev.op == vm::Op::OR ? C::kIsOr : C::kIsXor;
    row[flag] = Fp::one();
  }
  return m;
}

}  // namespace zkvm::rv32im
