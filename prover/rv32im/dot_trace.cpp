// dot4 tables: witness generation (see dot.h).
#include <array>
#include <cstdio>
#include <stdexcept>
#include <string>

#include "prover/ntt/ntt.h"
#include "prover/rv32im/alu.h"
#include "prover/rv32im/dense.h"
#include "prover/rv32im/dot.h"
#include "zkvm/vm/accel.h"
#include "zkvm/vm/elf.h"

namespace zkvm::rv32im {

namespace {

uint32_t byte_of(uint32_t w, size_t i) { return (w >> (8 * i)) & 0xff; }
Fp u(uint64_t v) { return Fp::from_u64(v); }
std::string hex32(uint32_t v) {
  char buf[12];
  std::snprintf(buf, sizeof buf, "%08x", v);
  return buf;
}
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
// x byte i's value: biased (x_i - 128) or, signed_x, int8.
int64_t x_value(uint32_t x, size_t i, bool signed_x) {
  const int64_t b = byte_of(x, i);
  return signed_x ? b - (b >= 128 ? 256 : 0) : b - 128;
}
// acc_j += sum_i x_i (w_j,i - 128): one data row's 16 products.
void add_products(std::array<int64_t, 4>& acc, uint32_t x, const uint32_t w[4], bool signed_x) {
  for (size_t j = 0; j < 4; ++j)
    for (size_t i = 0; i < 4; ++i) acc[j] += x_value(x, i, signed_x) * (int64_t{byte_of(w[j], i)} - 128);
}

// Lookups that a forged row may push out of range stay unmatched.
void pair(ByteCounts& bytes, uint32_t a, uint32_t b) {
  if (a < 256 && b < 256) bytes.pair(a, b);
}
void u16(ByteCounts& bytes, uint64_t v) {
  if (v < (1u << 16)) bytes.u16(static_cast<uint32_t>(v));
}
// An access's time difference t - prev - 1, checked below 2^24, its low
// limb's U16 lookup counted.
uint32_t diff(ByteCounts& bytes, const std::string& where, uint32_t prev, uint32_t t) {
  const uint32_t d = t - prev - 1;
  if (d >= (1u << 24)) throw std::logic_error(where + "memory time difference exceeds 2^24");
  u16(bytes, d & 0xffff);
  return d;
}
// A call table: its rows (width values each), padded to a table height.
RowMajorMatrix<Fp> call_rows(const std::vector<Fp>& rows, size_t width, size_t min_rows) {
  RowMajorMatrix<Fp> m(width, padded_height(rows.size() / width, min_rows));
  std::copy(rows.begin(), rows.end(), m.values.begin());
  return m;
}

}  // namespace

std::array<int64_t, 4> DotBuilder::add_data_rows(uint32_t x, uint32_t w, uint32_t k, uint32_t clk, MemoryState& mem,
                                                 ByteCounts& bytes, bool strict, const RomReader* rom,
                                                 const std::string& where, bool signed_x) {
  const uint32_t t0 = 8 * clk;
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

  // Data rows (DotAir, or DotRomAir / DotRomSxAir): all x reads (8 clk + 7)
  // before all w reads (8 clk + 8), so a cell that is both sees its
  // accesses in time order. Here the accesses, their lookups and the sums;
  // the rows when the table is built (data_rows).
  std::array<int64_t, 4> acc{};
  const size_t kind = rom != nullptr ? (signed_x ? 2 : 1) : 0;
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
    uint32_t hi[dot::kAccesses] = {diff(bytes, where, gr.prev[0], t0 + dot::kTimeX) >> 16};
    for (uint32_t j = 0; j < 4; ++j) {
      gr.w[j] = wwords[4 * g + j];
      if (rom == nullptr) {
        const auto a = mem.access(wa + 4 * g + j, mem.peek(wa + 4 * g + j), t0 + dot::kTimeW);
        gr.prev[1 + j] = a.prev_time;
        hi[1 + j] = diff(bytes, where, a.prev_time, t0 + dot::kTimeW) >> 16;
      }
    }
    add_products(acc, gr.x, gr.w, kind == 2);
    if (rom == nullptr) {
      pair(bytes, hi[0], hi[1]);
      pair(bytes, hi[2], hi[3]);
      pair(bytes, hi[4], 0);
    } else if (kind == 2) {  // and twice the low 7 bits of each x byte
      pair(bytes, hi[0], 2 * (byte_of(gr.x, 0) & 127));
      pair(bytes, 2 * (byte_of(gr.x, 1) & 127), 2 * (byte_of(gr.x, 2) & 127));
      pair(bytes, 2 * (byte_of(gr.x, 3) & 127), 0);
    } else {
      pair(bytes, hi[0], 0);
    }
  }
  return acc;
}

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
  auto pair = [&](uint32_t a, uint32_t b) { rv32im::pair(bytes, a, b); };
  auto u16 = [&](uint64_t v) { rv32im::u16(bytes, v); };
  auto diff = [&](uint32_t prev, uint32_t t) { return rv32im::diff(bytes, where, prev, t); };
  const uint32_t t0 = 8 * clk;
  const std::array<int64_t, 4> acc = add_data_rows(x, w, k, clk, mem, bytes, strict, rom, where);

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
  return call_rows(calls_, DotCallAir::kWidth, min_rows);
}

// The data rows of every call, in the order they were added, each call's
// running sums from 0; padded to a table height.
template <class Row>
RowMajorMatrix<Fp> DotBuilder::data_rows(size_t min_rows) const {
  constexpr size_t kind = Row::kKind;
  constexpr bool signed_x = kind == 2;
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
      if constexpr (signed_x)
        for (size_t i = 0; i < 4; ++i) row[Row::kSign + i] = u(byte_of(gr.x, i) >> 7);
      for (size_t j = 0; j < 4; ++j) row[Row::kAcc + j] = Fp::from_i64(acc[j]);
      add_products(acc, gr.x, gr.w, signed_x);
      for (size_t j = 0; j < 4; ++j) row[Row::kAccN + j] = Fp::from_i64(acc[j]);
    }
  }
  return m;
}

RowMajorMatrix<Fp> DotBuilder::data_trace(size_t min_rows) const { return data_rows<DotAir>(min_rows); }

RowMajorMatrix<Fp> DotBuilder::rom_trace(size_t min_rows) const { return data_rows<DotRomAir>(min_rows); }

RowMajorMatrix<Fp> DotBuilder::rom_sx_trace(size_t min_rows) const { return data_rows<DotRomSxAir>(min_rows); }

void DotBuilder::add_dense_call(const vm::SyscallRecord& rec, uint32_t clk, MemoryState& mem, ByteCounts& bytes,
                                bool strict, const RomReader& rom, std::vector<AluEvent>& mul,
                                std::vector<AluEvent>& shift) {
  using Call = DenseCallAir;
  const std::string where = "dense4_rom: ecall at cycle " + std::to_string(rec.cycle) + ": ";
  const uint32_t t0 = 8 * clk, t = t0 + dense::kTimeRegs;
  // Registers a1..a5 (the record keeps a0..a2) and the output word Q, read
  // from the memory model at the call's time, as the row reads them.
  uint32_t regs[dense::kAccesses], prev[dense::kAccesses];
  for (uint32_t r = 0; r < dense::kRegs; ++r) {
    const uint32_t cell = dense::kCellA1 + r;
    const auto a = mem.access(cell, mem.peek(cell), t);
    regs[r] = a.old_value, prev[r] = a.prev_time;
  }
  const uint32_t x = rec.args[0], w = regs[0], k = regs[1], bias = regs[2], mult = regs[3], shp = regs[4];
  if (strict && (w != rec.args[1] || k != rec.args[2]))
    throw std::logic_error(where + "registers a1, a2 differ from the record");
  const bool args_ok = vm::dense4_args_ok(x, w, k, bias, mult, shp);
  const bool in_guest = x >= vm::kGuestBase && uint64_t{x} + k + 4 <= vm::kGuestEnd;
  if (!args_ok || !in_guest) {
    // The emulator faults on these, so no honest trace has them; a forged
    // one gets no call row (the CPU's call tuple stays unmatched).
    if (strict) throw std::logic_error(where + "arguments the emulator faults on");
    return;
  }
  {
    const uint32_t qcell = (x + k) >> 2;
    const auto a = mem.access(qcell, mem.peek(qcell), t);
    regs[dense::kRegs] = a.old_value, prev[dense::kRegs] = a.prev_time;
  }
  const uint32_t q = regs[dense::kRegs];
  const vm::Dense4Out qo = vm::dense4_unpack(q);
  if (strict && !vm::dense4_q_ok(q)) throw std::logic_error(where + "an output word the emulator faults on");
  const std::array<int64_t, 4> acc = add_data_rows(x, w, k, clk, mem, bytes, strict, &rom, where, qo.sx != 0);
  // Parameter words (forged ones outside the image read as 0, unmatched).
  auto image = [&](uint32_t addr, const char* what) {
    const auto v = rom(addr >> 2);
    if (!v && strict) throw std::logic_error(where + what + " word at 0x" + hex32(addr) + " is not in the image");
    return v.value_or(0);
  };
  uint32_t bw[4], mw[4], sw[4];
  for (uint32_t j = 0; j < 4; ++j) bw[j] = image(bias + 4 * j, "bias");
  for (uint32_t j = 0; j < 4; ++j) mw[j] = image(mult + 4 * j * (qo.pc & 1), "mult");
  for (uint32_t j = 0; j < 4; ++j) sw[j] = image(shp + 4 * j * (qo.pc & 1), "shift");
  for (uint32_t j = 0; j < 4; ++j)
    if (strict && !vm::dense4_shift_ok(sw[j])) throw std::logic_error(where + "a shift the emulator faults on");
  const std::array<int32_t, 4> sums = {static_cast<int32_t>(acc[0]), static_cast<int32_t>(acc[1]),
                                       static_cast<int32_t>(acc[2]), static_cast<int32_t>(acc[3])};
  // The output is the record's (a forged one is kept: the clamp objects).
  const uint32_t out = rec.ret[0];
  if (const uint32_t want = vm::dense4_output(sums, bw, mw, sw, qo); strict && out != want)
    throw std::logic_error(where + "result 0x" + hex32(out) + " is not the call's 0x" + hex32(want));

  const size_t base = dense_.size();
  dense_.resize(base + Call::kWidth);
  Fp* c = dense_.data() + base;
  auto put = [&](size_t col, uint32_t v) { put_word(c, col, v); };
  auto pr = [&](uint32_t a, uint32_t b) { pair(bytes, a, b); };
  c[Call::kIsReal] = Fp::one();
  c[Call::kClk] = u(clk);
  put(Call::kX, x);
  put(Call::kO, out);
  for (uint32_t r = 0; r < dense::kAccesses; ++r) {
    put(r < dense::kRegs ? Call::kWp + 4 * r : Call::kQ, regs[r]);
    put_time(c, Call::kTp, Call::kLo, Call::kHi, r, prev[r], t);
    diff(bytes, where, prev[r], t);
  }
  for (uint32_t r = 0; r < dense::kAccesses; r += 2) pr(c[Call::kHi + r].canonical(), c[Call::kHi + r + 1].canonical());
  // Arguments.
  const uint32_t qk = byte_of(k, 0) / 4, qx = byte_of(x, 0) / 4, qw = byte_of(w, 0) / 4, qb = byte_of(bias, 0) / 4,
                 qm = byte_of(mult, 0) / 4, qs = byte_of(shp, 0) / 4;
  c[Call::kQk] = u(qk), c[Call::kQx] = u(qx), c[Call::kQw] = u(qw), c[Call::kQb] = u(qb);
  c[Call::kQm] = u(qm), c[Call::kQs] = u(qs);
  pr(qk, 2 * byte_of(k, 1));
  c[Call::kInv] = u(byte_of(k, 0) + byte_of(k, 1)).inverse();
  pr(qx, qw);
  pr(qb, qm);
  pr(qs, 0);
  u16(bytes, 16 * (uint64_t{byte_of(x, 2)} + 256 * byte_of(x, 3) - 1));
  const uint32_t ex = x + k + 3;
  put(Call::kEx, ex);
  pr(byte_of(ex, 0), byte_of(ex, 1));
  pr(byte_of(ex, 2), byte_of(ex, 3));
  pr(16 * byte_of(ex, 3), 0);
  for (size_t j = 0; j < 4; ++j) {
    c[Call::kAcc + j] = Fp::from_i64(acc[j]);
    put(Call::kBias + 4 * j, bw[j]);
  }
  // The output word.
  const uint32_t pz = byte_of(q, 0), pl = byte_of(q, 1), ph = byte_of(q, 2);
  c[Call::kSz] = u(pz >> 7), c[Call::kSl] = u(pl >> 7), c[Call::kSh] = u(ph >> 7);
  c[Call::kSx] = u(qo.sx);
  pr(2 * (pz & 127), 2 * (pl & 127));
  pr(2 * (ph & 127), static_cast<uint32_t>(qo.hi - qo.lo));
  // Each output.
  for (size_t j = 0; j < 4; ++j) {
    const size_t o = Call::kOut + Call::kPer * j;
    put(o + Call::kPMult, mw[j]);
    put(o + Call::kPShift, sw[j]);
    const uint32_t s2 = sw[j] - 32;
    pr(8 * (s2 - 3), 8 * s2);
    const uint32_t rnd = alu_reference(vm::Op::SLL, 1, s2 - 1);
    put(o + Call::kPRnd, rnd);
    shift.push_back({vm::Op::SLL, 1, s2 - 1, rnd});
    const uint32_t r = static_cast<uint32_t>(sums[j]);
    put(o + Call::kPR, r);
    c[o + Call::kPNeg] = u(r >> 31);
    pr(byte_of(r, 0), byte_of(r, 1));
    pr(byte_of(r, 2), byte_of(r, 3));
    pr(4 * (byte_of(r, 3) - 224 * (r >> 31)), 0);
    // x + y mod 2^32 by 16-bit lanes: the sum's bytes and the two carries.
    auto add = [&](size_t s, size_t carry, uint32_t a, uint32_t b2) {
      const uint32_t lo = (a & 0xffff) + (b2 & 0xffff), hi = (a >> 16) + (b2 >> 16) + (lo >> 16);
      const uint32_t sum = a + b2;
      put(o + s, sum);
      c[o + carry] = u(lo >> 16), c[o + carry + 1] = u(hi >> 16);
      pr(byte_of(sum, 0), byte_of(sum, 1));
      pr(byte_of(sum, 2), byte_of(sum, 3));
      return sum;
    };
    const uint32_t a = add(Call::kPA, Call::kPCa, r, bw[j]);
    const uint32_t top = alu_reference(vm::Op::MULH, a, mw[j]);
    put(o + Call::kPT, top);
    mul.push_back({vm::Op::MULH, a, mw[j], top});
    const uint32_t uu = add(Call::kPU, Call::kPCu, top, rnd);
    const uint32_t v = alu_reference(vm::Op::SRA, uu, s2);
    put(o + Call::kPV, v);
    shift.push_back({vm::Op::SRA, uu, s2, v});
    c[o + Call::kPSv] = u(v >> 31);
    const uint32_t ob = byte_of(out, j);
    c[o + Call::kPM] = u(ob >> 7);
    pr(2 * (byte_of(v, 3) & 127), 2 * (ob & 127));
    // The clamp's case from z (honest), whatever the output byte says.
    const int64_t z = int64_t{static_cast<int32_t>(v)} + qo.zp;
    const bool below = z < qo.lo, above = !below && z > qo.hi;
    c[o + Call::kPBelow] = u(below), c[o + Call::kPAbove] = u(above);
    const int64_t d = below ? qo.lo - 1 - z : above ? z - qo.hi - 1 : 0;
    c[o + Call::kPD] = u(static_cast<uint64_t>(d) & 0xffff);
    c[o + Call::kPD + 1] = u(static_cast<uint64_t>(d) >> 16);
    u16(bytes, static_cast<uint64_t>(d) & 0xffff);
    u16(bytes, 8 * (static_cast<uint64_t>(d) >> 16));
    if (!below && !above) pr(static_cast<uint32_t>(z - qo.lo), static_cast<uint32_t>(qo.hi - z));
    else pr(0, 0);
  }
}

size_t DotBuilder::dense_calls() const { return dense_.size() / DenseCallAir::kWidth; }

RowMajorMatrix<Fp> DotBuilder::dense_trace(size_t min_rows) const {
  return call_rows(dense_, DenseCallAir::kWidth, min_rows);
}

}  // namespace zkvm::rv32im
