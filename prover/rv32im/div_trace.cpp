// DIV chip: witness generation (see div.h).
#include <stdexcept>
#include <string>

#include "prover/rv32im/div.h"

namespace zkvm::rv32im {

namespace {

using C = DivChipAir;

Fp fp(uint32_t v) { return Fp::from_canonical(v); }
uint32_t byte_of(uint32_t w, size_t i) { return (w >> (8 * i)) & 0xff; }
bool is_signed(vm::Op op) { return op == vm::Op::DIV || op == vm::Op::REM; }

}  // namespace

std::string DivChipAir::column_name(size_t c) {
  static const char* kNamed[] = {"real", "signed", "is_rem"};
  static const char* kTail[] = {"a_neg", "b_neg", "m_neg", "q_neg", "b_zero"};
  if (c < kA) return kNamed[c];
  if (c < kB) return "a" + std::to_string(c - kA);
  if (c < kQ) return "b" + std::to_string(c - kB);
  if (c < kM) return "q" + std::to_string(c - kQ);
  if (c < kANeg) return "m" + std::to_string(c - kM);
  if (c < kCarry) return kTail[c - kANeg];
  if (c < kDLo) return "carry" + std::to_string(c - kCarry);
  if (c == kDLo) return "d_lo";
  if (c == kDHi) return "d_hi";
  if (c == kC1) return "c1";
  return "column " + std::to_string(c);
}

DivWitness div_witness(vm::Op op, uint32_t a, uint32_t b) {
  if (!C::handles(op)) throw std::logic_error("div chip: " + std::string(vm::mnemonic(op)) + " is not a DIV-chip op");
  DivWitness w{op, a, b, 0, 0};
  if (b == 0) {
    w.q = 0xffffffffu;  // spec: x / 0 = all ones, x % 0 = x
    w.m = a;
    w.b_zero = true;
  } else if (is_signed(op)) {
    if (a == 0x80000000u && b == 0xffffffffu) {
      w.q = a;  // Q = +2^31: q_neg = 0
    } else {
      const auto sa = static_cast<int64_t>(static_cast<int32_t>(a)), sb = static_cast<int64_t>(static_cast<int32_t>(b));
      w.q = static_cast<uint32_t>(sa / sb);
      w.m = static_cast<uint32_t>(sa % sb);
      w.q_neg = sa / sb < 0;
    }
  } else {
    w.q = a / b;
    w.m = a % b;
  }
  return w;
}

void div_fill_row(std::span<Fp> row, const DivWitness& w) {
  if (!C::handles(w.op))
    throw std::logic_error("div chip: " + std::string(vm::mnemonic(w.op)) + " is not a DIV-chip op");
  for (size_t c = 0; c < C::kWidth; ++c) row[c] = Fp::zero();
  const bool sgn = is_signed(w.op);
  const uint32_t a_neg = sgn ? w.a >> 31 : 0, b_neg = sgn ? w.b >> 31 : 0, m_neg = sgn ? w.m >> 31 : 0;
  row[C::kReal] = Fp::one();
  row[C::kSigned] = fp(sgn);
  row[C::kIsRem] = fp(w.op == vm::Op::REM || w.op == vm::Op::REMU);
  row[C::kANeg] = fp(a_neg);
  row[C::kBNeg] = fp(b_neg);
  row[C::kMNeg] = fp(m_neg);
  row[C::kQNeg] = fp(w.q_neg);
  row[C::kBZero] = fp(w.b_zero);
  std::array<Fp, 8> a, d, q, m;
  for (size_t i = 0; i < 4; ++i) {
    a[i] = row[C::kA + i] = fp(byte_of(w.a, i));
    d[i] = row[C::kB + i] = fp(byte_of(w.b, i));
    q[i] = row[C::kQ + i] = fp(byte_of(w.q, i));
    m[i] = row[C::kM + i] = fp(byte_of(w.m, i));
    a[i + 4] = fp(255 * a_neg);
    d[i + 4] = fp(255 * b_neg);
    q[i + 4] = fp(w.q_neg ? 255 : 0);
    m[i + 4] = fp(255 * m_neg);
  }
  // Identity carries over Fp (exact integers for the honest witness).
  static const Fp inv_2_16 = fp(65536).inverse();
  const Fp c256 = fp(256);
  Fp carry = Fp::zero();
  for (size_t k = 0; k < 4; ++k) {
    carry = (gadgets::product_lane(q, d, k, c256) + gadgets::lane16(m, k, c256) + carry - gadgets::lane16(a, k, c256)) *
            inv_2_16;
    row[C::kCarry + k] = carry;
  }
  // Bound lanes over the integers: d = |b| - |m| - 1 (negative for a wrong
  // witness, which then leaves d_hi or c1 out of range).
  const uint32_t bp = b_neg ? ~w.b : w.b, mp = m_neg ? ~w.m : w.m;
  const int64_t nz = w.b_zero ? 0 : 1;
  const int64_t x0 = nz * (int64_t{mp & 0xffff} + 1 + m_neg - int64_t{bp & 0xffff} - b_neg);
  const int64_t x1 = nz * (int64_t{mp >> 16} - int64_t{bp >> 16});
  const int64_t d_lo = ((-x0) % 65536 + 65536) % 65536;
  const int64_t c1 = (d_lo + x0) / 65536;
  row[C::kDLo] = Fp::from_i64(d_lo);
  row[C::kDHi] = Fp::from_i64(-x1 - c1);
  row[C::kC1] = Fp::from_i64(c1);
}

RowMajorMatrix<Fp> div_trace(std::span<const AluEvent> events, ByteCounts& bytes, size_t min_rows) {
  RowMajorMatrix<Fp> out(C::kWidth, padded_height(events.size(), min_rows));
  for (size_t i = 0; i < events.size(); ++i) {
    const AluEvent& e = events[i];
    const std::string where = "div_trace: event " + std::to_string(i) + " (" + std::string(vm::mnemonic(e.op)) + ")";
    if (!C::handles(e.op)) throw std::logic_error(where + ": not a DIV-chip op");
    const uint32_t want = alu_reference(e.op, e.a, e.b);
    if (e.r != want)
      throw std::logic_error(where + ": r = " + std::to_string(e.r) + " but the result of a = " + std::to_string(e.a) +
                             ", b = " + std::to_string(e.b) + " is " + std::to_string(want));
    const DivWitness w = div_witness(e.op, e.a, e.b);
    const bool rem = e.op == vm::Op::REM || e.op == vm::Op::REMU;
    if ((rem ? w.m : w.q) != want) throw std::logic_error(where + ": witness does not give the reference result (bug)");
    auto row = out.row(i);
    div_fill_row(row, w);
    auto val = [&](size_t c) { return row[c].canonical(); };
    bytes.pair(byte_of(w.q, 0), byte_of(w.q, 1));
    bytes.pair(byte_of(w.q, 2), byte_of(w.q, 3));
    bytes.pair(byte_of(w.m, 0), byte_of(w.m, 1));
    bytes.pair(byte_of(w.m, 2), byte_of(w.m, 3));
    const uint32_t s = is_signed(e.op);
    bytes.pair(s * (2 * byte_of(w.a, 3) - 256 * val(C::kANeg)), s * (2 * byte_of(w.b, 3) - 256 * val(C::kBNeg)));
    if (val(C::kC1) >= 256 || val(C::kDLo) >= 65536 || val(C::kDHi) >= 65536)
      throw std::logic_error(where + ": remainder bound out of range (bug)");
    bytes.pair(s * (2 * byte_of(w.m, 3) - 256 * val(C::kMNeg)), val(C::kC1));
    for (size_t k = 0; k < 4; ++k) {
      const uint32_t c = val(C::kCarry + k);
      if (c >= (1u << gadgets::kCarryBits)) throw std::logic_error(where + ": identity carry out of range (bug)");
      bytes.u16(c);
      bytes.u16(c * gadgets::kCarryScale);
    }
    bytes.u16(val(C::kDLo));
    bytes.u16(val(C::kDHi));
  }
  return out;
}

}  // namespace zkvm::rv32im
