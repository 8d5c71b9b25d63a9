// SHIFT chip: witness generation (see shift.h).
#include <cstdio>
#include <stdexcept>
#include <string>

#include "prover/rv32im/shift.h"

namespace zkvm::rv32im {

namespace {

std::string hex(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

}  // namespace

RowMajorMatrix<Fp> shift_trace(std::span<const AluEvent> events, ByteCounts& bytes, size_t min_rows) {
  using C = ShiftChipAir;
  RowMajorMatrix<Fp> m(C::kWidth, padded_height(events.size(), min_rows));
  for (size_t r = events.size(); r < m.height; ++r) m.at(r, C::kP) = Fp::one();
  for (size_t e = 0; e < events.size(); ++e) {
    const AluEvent& ev = events[e];
    const std::string what = "shift_trace: event " + std::to_string(e) + ": " + std::string(vm::mnemonic(ev.op));
    if (!C::handles(ev.op)) throw std::logic_error(what + " is not a shift op");
    const uint32_t want = alu_reference(ev.op, ev.a, ev.b);
    if (ev.r != want)
      throw std::logic_error(what + " " + hex(ev.a) + ", " + hex(ev.b) + " gives " + hex(want) + ", event says " +
                             hex(ev.r));

    const bool left = ev.op == vm::Op::SLL, sra = ev.op == vm::Op::SRA;
    const uint32_t s = ev.b & 31, u = left ? s : 31 - s;  // u = 8k + j
    const uint32_t k = u / 8, j = u % 8, mul = left ? 1u << j : 2u << j;
    const uint32_t neg = sra ? ev.a >> 31 : 0;
    uint32_t a[4], lo[4], hi[4];
    for (size_t i = 0; i < 4; ++i) {
      a[i] = (ev.a >> (8 * i)) & 0xff;
      lo[i] = (a[i] * mul) & 0xff;
      hi[i] = (a[i] * mul) >> 8;
    }
    const uint32_t t4 = hi[3] + neg * (256 - mul);
    const uint32_t b0 = ev.b & 0xff, d = left ? b0 : 255 - b0;
    const uint32_t shamt_hi = (d - u) / 32, sign_rest = sra ? 2 * a[3] - 256 * neg : 0;

    auto row = m.row(e);
    auto put = [&](size_t c, uint32_t v) { row[c] = Fp::from_canonical(v); };
    for (size_t i = 0; i < 4; ++i) {
      put(C::kA + i, a[i]);
      put(C::kB + i, (ev.b >> (8 * i)) & 0xff);
      put(C::kLo + i, lo[i]);
      if (i < 3) put(C::kHi + i, hi[i]);
    }
    put((left ? C::kSll : C::kSr) + k, 1);
    put(C::kIsSra, sra);
    put(C::kNeg, neg);
    for (size_t i = 0; i < 3; ++i) put(C::kJ + i, (j >> i) & 1);
    put(C::kP, 1u << j);
    put(C::kT4, t4);
    bytes.pair(lo[0], lo[1]);
    bytes.pair(lo[2], lo[3]);
    bytes.pair(hi[0], hi[1]);
    bytes.pair(hi[2], t4);
    bytes.pair(shamt_hi, sign_rest);

    // The AIR's result (limb T_q, window) must be the reference: a cheap
    // self-check of the method in shift.h.
    auto limb = [&](int q) -> uint32_t {
      if (q < 0) return 0;
      if (q == 0) return lo[0];
      if (q < 4) return lo[q] + hi[q - 1];
      if (q == 4) return t4;
      return 255 * neg;
    };
    uint32_t got = 0;
    for (int i = 0; i < 4; ++i) got |= limb(left ? i - static_cast<int>(k) : i + 4 - static_cast<int>(k)) << (8 * i);
    if (got != want) throw std::logic_error(what + ": trace gives " + hex(got) + ", expected " + hex(want));
  }
  return m;
}

}  // namespace zkvm::rv32im
