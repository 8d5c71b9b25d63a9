// dot4 tables: witness generation (see dot.h).
#include <array>
#include <stdexcept>
#include <string>

#include "prover/ntt/ntt.h"
#include "prover/rv32im/alu.h"
#include "prover/rv32im/dot.h"
#include "zkvm/vm/accel.h"
#include "zkvm/vm/elf.h"

namespace zkvm::rv32im {

namespace {

uint32_t byte_of(uint32_t w, size_t i) { return (w >> (8 * i)) & 0xff; }
Fp u(uint64_t v) { return Fp::from_u64(v); }
void put_word(Fp* row, size_t col, uint32_t w) {
  for (size_t i = 0; i < 4; ++i) row[col + i] = u(byte_of(w, i));
}
// Access k's previous time and the limbs of t - prev - 1 (< 2^24).
void put_time(Fp* row, size_t tp, size_t lo, size_t hi, size_t k, uint32_t prev, uint32_t t) {
  const uint32_t d = t - prev - 1;
  row[tp + k] = u(prev);
  row[lo + k] = u(d & 0xffff);
  row[hi + k] = u(d >> 16);
}
// acc_j += sum_i (x_i - 128)(w_j,i - 128): one data row's 16 products.
void add_products(std::array<int64_t, 4>& acc, uint32_t x, const uint32_t w[4]) {
  for (size_t j = 0; j < 4; ++j)
    for (size_t i = 0; i < 4; ++i) acc[j] += (int64_t{byte_of(x, i)} - 128) * (int64_t{byte_of(w[j], i)} - 128);
}

}  // namespace

void DotBuilder::add_call(const vm::SyscallRecord& rec, uint32_t clk, MemoryState& mem, ByteCounts& bytes,
                          bool strict, const RomReader* rom) {
  using Call = DotCallAir;
  const uint32_t x = rec.args[0], w = rec.args[1], k = rec.args[2];
  const std::string where = "dot4: ecall at cycle " + std::to_string(rec.cycle) + ": ";
  const bool args_ok = vm::dot4_args_ok(x, w, k);
  const bool in_guest = k == 0 || (x >= vm::kGuestBase && uint64_t{x} + k <= vm::kGuestEnd && w >= vm::kGuestBase &&
                                   uint64_t{w} + 4 * uint64_t{k} <= vm::kGuestEnd);
  // The emulator faults on these, so no honest trace has them; a forged one
  // is built as far as it goes (its lookups stay unmatched).
  if (!args_ok || !in_guest) {
    if (strict) throw std::logic_error(where + "arguments the emulator faults on");
    if (!args_ok) return;
  }
  // Lookups that a forged row may push out of range stay unmatched.
  auto pair = [&](uint32_t a, uint32_t b) {
    if (a < 256 && b < 256) bytes.pair(a, b);
  };
  auto u16 = [&](uint64_t v) {
    if (v < (1u << 16)) bytes.u16(static_cast<uint32_t>(v));
  };
  const uint32_t t0 = 8 * clk;
  // An access's time difference t - prev - 1, checked below 2^24, its low
  // limb's U16 lookup counted.
  auto diff = [&](uint32_t prev, uint32_t t) {
    const uint32_t d = t - prev - 1;
    if (d >= (1u << 24)) throw std::logic_error(where + "memory time difference exceeds 2^24");
    u16(d & 0xffff);
    return d;
  };

  // Weight words: from memory, or for dot4_rom the image (a word outside it
  // is an emulator fault; forged, it reads as 0 and its lookup stays
  // unmatched).
  std::vector<uint32_t> wwords(k);
  for (uint32_t i = 0; i < k; ++i) {
    const uint32_t cell = (w >> 2) + i;
    if (rom == nullptr) {
      wwords[i] = mem.peek(cell);
      continue;
    }
    const auto v = (*rom)(cell);
    if (!v && strict) throw std::logic_error(where + "weight word " + std::to_string(cell) + " is not in the image");
    wwords[i] = v.value_or(0);
  }

  // Data rows (DotAir, or DotRomAir for dot4_rom): all x reads (8 clk + 7)
  // before all w reads (8 clk + 8), so a cell that is both sees its
  // accesses in time order. Here the accesses, their lookups and the sums;
  // the rows when the table is built (data_rows).
  std::array<int64_t, 4> acc{};
  {
    const size_t kind = rom != nullptr ? 1 : 0;
    const uint32_t groups = k / 4, xa = x >> 2, wa = w >> 2;
    std::vector<Group>& gs = groups_[kind];
    const size_t first = gs.size();
    gs.resize(first + groups);
    chains_[kind].push_back({clk, xa, wa, first, groups});
    for (uint32_t g = 0; g < groups; ++g) {
      const auto a = mem.access(xa + g, mem.peek(xa + g), t0 + dot::kTimeX);
      gs[first + g].x = a.old_value;
      gs[first + g].prev[0] = a.prev_time;
    }
    for (uint32_t g = 0; g < groups; ++g) {
      Group& gr = gs[first + g];
      uint32_t hi[dot::kAccesses] = {diff(gr.prev[0], t0 + dot::kTimeX) >> 16};
      for (uint32_t j = 0; j < 4; ++j) {
        gr.w[j] = wwords[4 * g + j];
        if (rom == nullptr) {
          const auto a = mem.access(wa + 4 * g + j, mem.peek(wa + 4 * g + j), t0 + dot::kTimeW);
          gr.prev[1 + j] = a.prev_time;
          hi[1 + j] = diff(a.prev_time, t0 + dot::kTimeW) >> 16;
        }
      }
      add_products(acc, gr.x, gr.w);
      if (rom == nullptr) {
        pair(hi[0], hi[1]);
        pair(hi[2], hi[3]);
        pair(hi[4], 0);
      } else {
        pair(hi[0], 0);
      }
    }
  }

  // The results are the chain's sums; a record that differs is kept when
  // forging (the call row's result constraint objects).
  std::array<int32_t, 4> out{};
  for (size_t j = 0; j < 4; ++j) {
    out[j] = static_cast<int32_t>(rec.ret[j]);
    if (strict && out[j] != acc[j])
      throw std::logic_error(where + "result " + std::to_string(j) + " is " + std::to_string(out[j]) + ", not " +
                             std::to_string(acc[j]));
  }

  // The call row.
  const size_t base = calls_.size();
  calls_.resize(base + Call::kWidth);
  Fp* c = calls_.data() + base;
  c[Call::kIsReal] = Fp::one();
  c[Call::kClk] = u(clk);
  c[Call::kRom] = u(rom != nullptr);
  put_word(c, Call::kX, x);
  put_word(c, Call::kK, k);
  put_word(c, Call::kWp, w);
  for (size_t j = 0; j < 4; ++j) {
    const uint32_t r = static_cast<uint32_t>(out[j]);
    put_word(c, Call::kR + 4 * j, r);
    c[Call::kAcc + j] = Fp::from_i64(acc[j]);  // the chain's sum (a forged out stays unproven)
    c[Call::kNeg + j] = u(r >> 31);
    if (j > 0) pair(byte_of(r, 0), byte_of(r, 1)), pair(byte_of(r, 2), byte_of(r, 3));
  }
  auto top = [&](size_t j) { return 4 * (byte_of(static_cast<uint32_t>(out[j]), 3) - 224 * (out[j] < 0 ? 1u : 0u)); };
  pair(top(0), top(1));
  pair(top(2), top(3));
  const uint32_t qk = byte_of(k, 0) / 4, qx = byte_of(x, 0) / 4, qw = byte_of(w, 0) / 4;
  c[Call::kQk] = u(qk), c[Call::kQx] = u(qx), c[Call::kQw] = u(qw);
  pair(qk, 2 * byte_of(k, 1));
  pair(qx, qw);
  const uint32_t ksum = byte_of(k, 0) + byte_of(k, 1);
  const bool nz = ksum != 0;
  c[Call::kNz] = u(nz);
  if (nz) c[Call::kInv] = u(ksum).inverse();
  const uint32_t ex = nz ? x + k - 1 : 0, ew = nz ? w + 4 * k - 1 : 0;
  put_word(c, Call::kEx, ex);
  put_word(c, Call::kEw, ew);
  u16(nz ? 16 * (uint64_t{byte_of(x, 2)} + 256 * byte_of(x, 3) - 1) : 0);
  u16(nz ? 16 * (uint64_t{byte_of(w, 2)} + 256 * byte_of(w, 3) - 1) : 0);
  pair(byte_of(ex, 0), byte_of(ex, 1)), pair(byte_of(ex, 2), byte_of(ex, 3));
  pair(byte_of(ew, 0), byte_of(ew, 1)), pair(byte_of(ew, 2), byte_of(ew, 3));
  pair(16 * byte_of(ex, 3), 16 * byte_of(ew, 3));
  // Registers a1, a2, a3 := out1..out3 (a0 := out0 is the CPU row's rd write).
  const uint32_t cells[3] = {dot::kCellA1, dot::kCellA2, dot::kCellA3};
  const uint32_t times[3] = {dot::kTimeA1, dot::kTimeA2, dot::kTimeA3};
  for (size_t r = 0; r < 3; ++r) {
    const auto a = mem.access(cells[r], static_cast<uint32_t>(out[r + 1]), t0 + times[r]);
    if (r == 2) put_word(c, Call::kA3, a.old_value);
    else if (strict && a.old_value != (r == 0 ? w : k))
      throw std::logic_error(where + "register a" + std::to_string(r + 1) + " differs from the record");
    diff(a.prev_time, t0 + times[r]);
    put_time(c, Call::kTp, Call::kLo, Call::kHi, r, a.prev_time, t0 + times[r]);
  }
  pair(c[Call::kHi].canonical(), c[Call::kHi + 1].canonical());
  pair(c[Call::kHi + 2].canonical(), 0);
}

RowMajorMatrix<Fp> DotBuilder::call_trace(size_t min_rows) const {
  const size_t n = calls_.size() / DotCallAir::kWidth;
  RowMajorMatrix<Fp> m(DotCallAir::kWidth, padded_height(n, min_rows));
  std::copy(calls_.begin(), calls_.end(), m.values.begin());
  return m;
}

// The data rows of every call, in the order they were added, each call's
// running sums from 0; padded to a table height.
template <class Row>
RowMajorMatrix<Fp> DotBuilder::data_rows(size_t min_rows) const {
  constexpr size_t kind = Row::kAccesses > 1 ? 0 : 1;
  const std::vector<Group>& gs = groups_[kind];
  const std::vector<Chain>& chains = chains_[kind];
  RowMajorMatrix<Fp> m = ntt::zeroed_matrix(Row::kWidth, padded_height(gs.size(), min_rows));
  const int64_t n = static_cast<int64_t>(chains.size());
#pragma omp parallel for schedule(dynamic, 8) if (gs.size() >= 4096)
  for (int64_t ci = 0; ci < n; ++ci) {
    const Chain& ch = chains[static_cast<size_t>(ci)];
    const uint32_t t0 = 8 * ch.clk;
    std::array<int64_t, 4> acc{};
    for (size_t g = 0; g < ch.groups; ++g) {
      const Group& gr = gs[ch.first + g];
      Fp* row = m.values.data() + (ch.first + g) * Row::kWidth;
      row[Row::kIsReal] = Fp::one();
      row[Row::kClk] = u(ch.clk);
      row[Row::kXa] = u(ch.xa + g);
      row[Row::kWa] = u(ch.wa + 4 * g);
      put_word(row, Row::kX, gr.x);
      for (size_t j = 0; j < 4; ++j) put_word(row, Row::kW + 4 * j, gr.w[j]);
      for (size_t k = 0; k < Row::kAccesses; ++k)
        put_time(row, Row::kTp, Row::kLo, Row::kHi, k, gr.prev[k], t0 + (k == 0 ? dot::kTimeX : dot::kTimeW));
      for (size_t j = 0; j < 4; ++j) row[Row::kAcc + j] = Fp::from_i64(acc[j]);
      add_products(acc, gr.x, gr.w);
      for (size_t j = 0; j < 4; ++j) row[Row::kAccN + j] = Fp::from_i64(acc[j]);
    }
  }
  return m;
}

RowMajorMatrix<Fp> DotBuilder::data_trace(size_t min_rows) const { return data_rows<DotAir>(min_rows); }

RowMajorMatrix<Fp> DotBuilder::rom_trace(size_t min_rows) const { return data_rows<DotRomAir>(min_rows); }

}  // namespace zkvm::rv32im
