// MUL chip: witness generation (see mul.h).
#include <stdexcept>
#include <string>

#include "prover/rv32im/mul.h"

namespace zkvm::rv32im {

namespace {

using C = MulChipAir;

Fp fp(uint32_t v) { return Fp::from_canonical(v); }

}  // namespace

std::string MulChipAir::column_name(size_t c) {
  static const char* kFlags[4] = {"is_mul", "is_mulh", "is_mulhsu", "is_mulhu"};
  if (c < kA) return kFlags[c];
  if (c < kB) return "a" + std::to_string(c - kA);
  if (c < kP) return "b" + std::to_string(c - kB);
  if (c < kSignA) return "p" + std::to_string(c - kP);
  if (c == kSignA) return "sign_a";
  if (c == kSignB) return "sign_b";
  if (c < kWidth) return "carry" + std::to_string(c - kCarry);
  return "column " + std::to_string(c);
}

uint64_t mul_product(vm::Op op, uint32_t a, uint32_t b) {
  const auto sa = static_cast<int64_t>(static_cast<int32_t>(a));
  const auto sb = static_cast<int64_t>(static_cast<int32_t>(b));
  switch (op) {
    case vm::Op::MUL:
    case vm::Op::MULHU: return uint64_t{a} * uint64_t{b};
    case vm::Op::MULH: return static_cast<uint64_t>(sa * sb);
    case vm::Op::MULHSU: return static_cast<uint64_t>(sa * static_cast<int64_t>(b));
    default: throw std::logic_error("mul chip: " + std::string(vm::mnemonic(op)) + " is not a MUL-chip op");
  }
}

void mul_fill_row(std::span<Fp> row, vm::Op op, uint32_t a, uint32_t b, uint64_t product) {
  if (!C::handles(op)) throw std::logic_error("mul chip: " + std::string(vm::mnemonic(op)) + " is not a MUL-chip op");
  for (size_t c = 0; c < C::kWidth; ++c) row[c] = Fp::zero();
  row[op == vm::Op::MUL ? C::kIsMul : op == vm::Op::MULH ? C::kIsMulh : op == vm::Op::MULHSU ? C::kIsMulhsu : C::kIsMulhu] =
      Fp::one();
  const bool a_signed = op == vm::Op::MULH || op == vm::Op::MULHSU, b_signed = op == vm::Op::MULH;
  const uint32_t sa = a >> 31, sb = b >> 31;
  row[C::kSignA] = fp(sa);
  row[C::kSignB] = fp(sb);
  std::array<Fp, 8> x, y, p;
  for (size_t i = 0; i < 4; ++i) {
    x[i] = row[C::kA + i] = fp((a >> (8 * i)) & 0xff);
    y[i] = row[C::kB + i] = fp((b >> (8 * i)) & 0xff);
    x[i + 4] = fp(a_signed && sa ? 255 : 0);
    y[i + 4] = fp(b_signed && sb ? 255 : 0);
  }
  for (size_t i = 0; i < 8; ++i) p[i] = row[C::kP + i] = fp(static_cast<uint32_t>((product >> (8 * i)) & 0xff));
  // Carries solved over Fp from the lane equations (exact for the true product).
  static const Fp inv_2_16 = fp(65536).inverse();
  const Fp c256 = fp(256);
  Fp carry = Fp::zero();
  for (size_t k = 0; k < 4; ++k) {
    carry = (gadgets::product_lane(x, y, k, c256) + carry - gadgets::lane16(p, k, c256)) * inv_2_16;
    row[C::kCarry + k] = carry;
  }
}

RowMajorMatrix<Fp> mul_trace(std::span<const AluEvent> events, ByteCounts& bytes, size_t min_rows) {
  RowMajorMatrix<Fp> m(C::kWidth, padded_height(events.size(), min_rows));
  for (size_t i = 0; i < events.size(); ++i) {
    const AluEvent& e = events[i];
    const std::string where = "mul_trace: event " + std::to_string(i) + " (" + std::string(vm::mnemonic(e.op)) + ")";
    if (!C::handles(e.op)) throw std::logic_error(where + ": not a MUL-chip op");
    const uint32_t want = alu_reference(e.op, e.a, e.b);
    if (e.r != want)
      throw std::logic_error(where + ": r = " + std::to_string(e.r) + " but the result of a = " + std::to_string(e.a) +
                             ", b = " + std::to_string(e.b) + " is " + std::to_string(want));
    const uint64_t prod = mul_product(e.op, e.a, e.b);
    if (static_cast<uint32_t>(e.op == vm::Op::MUL ? prod : prod >> 32) != want)
      throw std::logic_error(where + ": product does not give the reference result (bug)");
    auto row = m.row(i);
    mul_fill_row(row, e.op, e.a, e.b, prod);
    for (size_t j = 0; j < 8; j += 2) bytes.pair((prod >> (8 * j)) & 0xff, (prod >> (8 * j + 8)) & 0xff);
    bytes.pair(2 * (e.a >> 24) - 256 * (e.a >> 31), 2 * (e.b >> 24) - 256 * (e.b >> 31));
    for (size_t k = 0; k < 4; ++k) {
      const uint32_t c = row[C::kCarry + k].canonical();
      if (c >= (1u << gadgets::kCarryBits)) throw std::logic_error(where + ": lane carry out of range (bug)");
      bytes.u16(c);
      bytes.u16(c * gadgets::kCarryScale);
    }
  }
  return m;
}

}  // namespace zkvm::rv32im
