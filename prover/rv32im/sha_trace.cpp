// sha256_compress tables: witness generation (see sha.h).
#include <algorithm>
#include <stdexcept>
#include <string>

#include "prover/ntt/ntt.h"
#include "prover/rv32im/alu.h"
#include "prover/rv32im/sha.h"
#include "zkvm/vm/accel.h"
#include "zkvm/vm/elf.h"

namespace zkvm::rv32im {

namespace {

uint32_t byte_of(uint32_t w, size_t i) { return (w >> (8 * i)) & 0xff; }
Fp u(uint64_t v) { return Fp::from_u64(v); }
uint32_t bit(uint32_t w, size_t i) { return (w >> i) & 1; }
uint32_t lo(uint32_t w) { return w & 0xffff; }
uint32_t hi(uint32_t w) { return w >> 16; }

// One round row (r < 64) or the final row (r = 64) from the reference's
// state and an 80-word schedule.
void round_row(Fp* row, uint32_t clk, uint32_t r, const uint32_t s[8], const uint32_t* w) {
  using R = ShaRoundAir;
  const bool round = r < 64;
  row[round ? R::kRound : R::kFinal] = Fp::one();
  row[R::kClk] = u(clk);
  row[R::kR] = u(r);
  const uint32_t k = round ? vm::kSha256K[r] : 0;
  if (round) {
    row[R::kFirst] = u(r == 0), row[R::kLast] = u(r == 63);
    row[R::kK] = u(lo(k)), row[R::kK + 1] = u(hi(k));
  }
  const size_t bit_cols[6] = {R::kA, R::kB, R::kC, R::kE, R::kF, R::kG};
  const uint32_t vars[6] = {s[0], s[1], s[2], s[4], s[5], s[6]};
  for (size_t v = 0; v < 6; ++v)
    for (size_t i = 0; i < 32; ++i) row[bit_cols[v] + i] = u(bit(vars[v], i));
  row[R::kD] = u(lo(s[3])), row[R::kD + 1] = u(hi(s[3]));
  row[R::kH] = u(lo(s[7])), row[R::kH + 1] = u(hi(s[7]));
  for (size_t j = 0; j < 16; ++j) row[R::kWn + 2 * j] = u(lo(w[r + j])), row[R::kWn + 2 * j + 1] = u(hi(w[r + j]));
  for (size_t i = 0; i < 32; ++i) row[R::kX1 + i] = u(bit(w[r + 1], i)), row[R::kX14 + i] = u(bit(w[r + 14], i));
  // The sums of the constraints, by halves; the carries are 0 off round rows.
  const uint32_t a = s[0], b = s[1], c = s[2], e = s[4], f = s[5], g = s[6];
  const uint32_t s0 = vm::rotr32(a, 2) ^ vm::rotr32(a, 13) ^ vm::rotr32(a, 22);
  const uint32_t s1 = vm::rotr32(e, 6) ^ vm::rotr32(e, 11) ^ vm::rotr32(e, 25);
  const uint32_t ch = (e & f) ^ (~e & g), maj = (a & b) ^ (a & c) ^ (b & c);
  const uint32_t x1 = w[r + 1], x14 = w[r + 14];
  const uint32_t ss0 = vm::rotr32(x1, 7) ^ vm::rotr32(x1, 18) ^ (x1 >> 3);
  const uint32_t ss1 = vm::rotr32(x14, 17) ^ vm::rotr32(x14, 19) ^ (x14 >> 10);
  auto halves = [&](size_t col, size_t carry_col, size_t carry_bits, uint32_t sum_lo, uint32_t sum_hi) {
    const uint32_t c_lo = round ? sum_lo >> 16 : 0;
    const uint32_t n_lo = sum_lo - (c_lo << 16);
    const uint32_t h = sum_hi + c_lo, c_hi = round ? h >> 16 : 0;
    row[col] = u(n_lo);
    row[col + 1] = u(h - (c_hi << 16));
    for (size_t i = 0; i < carry_bits; ++i) {
      row[carry_col + i] = u(bit(c_lo, i));
      row[carry_col + carry_bits + i] = u(bit(c_hi, i));
    }
  };
  auto sum = [&](std::initializer_list<uint32_t> ws, bool high) {
    uint32_t t = 0;
    for (uint32_t v : ws) t += high ? hi(v) : lo(v);
    return t;
  };
  halves(R::kNa, R::kCa, 3, sum({s[7], s1, ch, k, w[r], s0, maj}, false), sum({s[7], s1, ch, k, w[r], s0, maj}, true));
  halves(R::kNe, R::kCe, 3, sum({s[3], s[7], s1, ch, k, w[r]}, false), sum({s[3], s[7], s1, ch, k, w[r]}, true));
  halves(R::kNw, R::kCw, 2, sum({ss1, w[r + 9], ss0, w[r]}, false), sum({ss1, w[r + 9], ss0, w[r]}, true));
}

}  // namespace

void ShaBuilder::add_call(const vm::SyscallRecord& rec, uint32_t clk, MemoryState& mem, ByteCounts& bytes,
                          bool strict) {
  using C = ShaCallAir;
  const uint32_t p = rec.args[0], q = rec.args[1];
  const std::string where = "sha256_compress: ecall at cycle " + std::to_string(rec.cycle) + ": ";
  const bool ok = ((p | q) & 3) == 0 && p >= vm::kGuestBase && uint64_t{p} + 32 <= vm::kGuestEnd &&
                  q >= vm::kGuestBase && uint64_t{q} + 64 <= vm::kGuestEnd;
  if (!ok) {
    if (strict) throw std::logic_error(where + "arguments the emulator faults on");
    if (((p | q) & 3) != 0) return;
  }
  auto pair = [&](uint32_t a, uint32_t b) {
    if (a < 256 && b < 256) bytes.pair(a, b);
  };
  const uint32_t t0 = 8 * clk;
  const size_t base = calls_.size();
  calls_.resize(base + C::kWidth);
  Fp* row = calls_.data() + base;
  auto put_word = [&](size_t col, uint32_t w) {
    for (size_t i = 0; i < 4; ++i) row[col + i] = u(byte_of(w, i));
  };
  auto access = [&](size_t k, uint32_t cell, uint32_t value_after, uint32_t t) {
    const auto a = mem.access(cell, value_after, t);
    const uint32_t d = t - a.prev_time - 1;
    if (d >= (1u << 24)) throw std::logic_error(where + "memory time difference exceeds 2^24");
    row[C::kTp + k] = u(a.prev_time);
    row[C::kLo + k] = u(d & 0xffff);
    row[C::kHi + k] = u(d >> 16);
    bytes.u16(d & 0xffff);
    return a.old_value;
  };
  row[C::kIsReal] = Fp::one();
  row[C::kClk] = u(clk);
  put_word(C::kP, p);
  // a1: the block pointer, read and left.
  const uint32_t a1 = access(0, sha::kCellA1, mem.peek(sha::kCellA1), t0 + sha::kTimeA1);
  if (strict && a1 != q) throw std::logic_error(where + "register a1 differs from the record");
  put_word(C::kQ, a1);
  // The block (read at +7), then the state (read and written at +8).
  uint8_t block[64];
  for (uint32_t j = 0; j < 16; ++j) {
    const uint32_t v = access(9 + j, (q >> 2) + j, mem.peek((q >> 2) + j), t0 + sha::kTimeBlock);
    put_word(C::kBlk + 4 * j, v);
    for (size_t i = 0; i < 4; ++i) block[4 * j + i] = static_cast<uint8_t>(byte_of(v, i));
  }
  uint32_t h_old[8];
  for (uint32_t i = 0; i < 8; ++i) h_old[i] = mem.peek((p >> 2) + i);
  const vm::Sha256Rounds rounds = vm::sha256_rounds(h_old, block);
  for (uint32_t i = 0; i < 8; ++i) {
    const uint32_t s = rounds.state[64][i], h_new = h_old[i] + s;
    access(1 + i, (p >> 2) + i, h_new, t0 + sha::kTimeState);
    put_word(C::kHo + 4 * i, h_old[i]);
    put_word(C::kHn + 4 * i, h_new);
    const uint32_t c_lo = (lo(h_old[i]) + lo(s)) >> 16;
    row[C::kHc + 2 * i] = u(c_lo);
    row[C::kHc + 2 * i + 1] = u((hi(h_old[i]) + hi(s) + c_lo) >> 16);
    row[C::kS + 2 * i] = u(lo(s));
    row[C::kS + 2 * i + 1] = u(hi(s));
    pair(byte_of(h_new, 0), byte_of(h_new, 1));
    pair(byte_of(h_new, 2), byte_of(h_new, 3));
  }
  // Pointer checks.
  const uint32_t qp = byte_of(p, 0) / 4, qq = byte_of(q, 0) / 4, ep = p + 31, eq = q + 63;
  row[C::kQp] = u(qp), row[C::kQq] = u(qq);
  put_word(C::kEp, ep);
  put_word(C::kEq, eq);
  pair(qp, qq);
  for (uint32_t ptr : {p, q}) {
    const uint64_t v = 16 * (uint64_t{byte_of(ptr, 2)} + 256 * byte_of(ptr, 3)) - 16;
    if (v < (1u << 16)) bytes.u16(static_cast<uint32_t>(v));
  }
  pair(byte_of(ep, 0), byte_of(ep, 1)), pair(byte_of(ep, 2), byte_of(ep, 3));
  pair(byte_of(eq, 0), byte_of(eq, 1)), pair(byte_of(eq, 2), byte_of(eq, 3));
  pair(16 * byte_of(ep, 3), 16 * byte_of(eq, 3));
  for (size_t k = 0; k < 25; k += 2)
    pair(row[C::kHi + k].canonical(), k + 1 < 25 ? row[C::kHi + k + 1].canonical() : 0);

  RoundCall rc{};
  rc.clk = clk;
  std::copy_n(h_old, 8, rc.h);
  std::copy_n(block, 64, rc.block);
  round_calls_.push_back(rc);
  for (uint32_t r = 0; r < 64; ++r) ++const_mult_[r];
}

// The round rows of calls [first_call, first_call + calls): the 65 rows of
// each from the reference's states, the schedule run on to W_79 (the
// window of the final row); padded to a table height.
RowMajorMatrix<Fp> ShaBuilder::rounds_of(size_t first_call, size_t calls, size_t min_rows) const {
  constexpr size_t kW = ShaRoundAir::kWidth;
  RowMajorMatrix<Fp> m = ntt::zeroed_matrix(kW, padded_height(calls * sha::kRowsPerCall, min_rows));
  const int64_t n = static_cast<int64_t>(calls);
#pragma omp parallel for schedule(static) if (n >= 16)
  for (int64_t i = 0; i < n; ++i) {
    const RoundCall& c = round_calls_[first_call + static_cast<size_t>(i)];
    const vm::Sha256Rounds rounds = vm::sha256_rounds(c.h, c.block);
    uint32_t w[80];
    for (size_t t = 0; t < 64; ++t) w[t] = rounds.w[t];
    for (size_t t = 64; t < 80; ++t) {
      const uint32_t w2 = w[t - 2], w15 = w[t - 15];
      w[t] = (vm::rotr32(w2, 17) ^ vm::rotr32(w2, 19) ^ (w2 >> 10)) + w[t - 7] +
             (vm::rotr32(w15, 7) ^ vm::rotr32(w15, 18) ^ (w15 >> 3)) + w[t - 16];
    }
    Fp* rows = m.values.data() + static_cast<size_t>(i) * sha::kRowsPerCall * kW;
    for (uint32_t r = 0; r <= 64; ++r) round_row(rows + r * kW, c.clk, r, rounds.state[r], w);
  }
  return m;
}

RowMajorMatrix<Fp> ShaBuilder::call_trace(size_t min_rows) const {
  RowMajorMatrix<Fp> m(ShaCallAir::kWidth, padded_height(calls_.size() / ShaCallAir::kWidth, min_rows));
  std::copy(calls_.begin(), calls_.end(), m.values.begin());
  return m;
}

size_t ShaBuilder::main_round_rows(size_t min_rows) const {
  return main_table_rows(round_rows(), sha::kRowsPerCall, min_rows);
}

RowMajorMatrix<Fp> ShaBuilder::round_trace(size_t min_rows) const {
  return rounds_of(0, main_round_rows(min_rows) / sha::kRowsPerCall, min_rows);
}

RowMajorMatrix<Fp> ShaBuilder::overflow_round_trace(size_t min_rows) const {
  const size_t first = main_round_rows(min_rows) / sha::kRowsPerCall, calls = round_calls_.size() - first;
  if (calls == 0) return RowMajorMatrix<Fp>(ShaRoundAir::kWidth, 0);
  return rounds_of(first, calls, min_rows);
}

RowMajorMatrix<Fp> ShaBuilder::const_trace() const {
  RowMajorMatrix<Fp> m(1, sha_const_height());
  for (size_t r = 0; r < 64; ++r) m.at(r, 0) = Fp::from_u64(const_mult_[r]);
  return m;
}

}  // namespace zkvm::rv32im
