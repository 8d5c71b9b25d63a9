// IO table: witness generation (see io.h).
#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <string>

#include "prover/rv32im/alu.h"
#include "prover/rv32im/io.h"

namespace zkvm::rv32im {

namespace {

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%08llx", static_cast<unsigned long long>(v));
  return buf;
}

uint32_t byte_of(uint32_t w, size_t i) { return (w >> (8 * i)) & 0xff; }
Fp u(uint64_t v) { return Fp::from_u64(v); }

}  // namespace

void IoBuilder::add_call(const vm::SyscallRecord& rec, std::span<const uint8_t> data, MemoryState& mem,
                         ByteCounts& bytes) {
  using namespace io;
  if (rec.cycle < start_cycle_) throw std::logic_error("io: ecall at cycle " + std::to_string(rec.cycle) + " before its segment");
  const uint64_t clk = rec.cycle - start_cycle_;  // within the segment
  const uint32_t fd = rec.args[0], buf = rec.args[1], len = rec.args[2], n = rec.ret[0];
  const std::string where = "io: ecall at cycle " + std::to_string(clk) + ": ";
  const bool is_read = rec.number == 63;
  if (!is_read && rec.number != 64) throw std::logic_error(where + "call " + std::to_string(rec.number) + " is not read or write");
  if (is_read && fd != 0) throw std::logic_error(where + "read from fd " + std::to_string(fd) + " (only fd 0)");
  if (!is_read && (fd < 1 || fd > 3)) throw std::logic_error(where + "write to fd " + std::to_string(fd) + " (only 1, 2, 3)");
  if (len > 0 && (buf < kGuestBase || uint64_t{buf} + len > kGuestEnd))
    throw std::logic_error(where + "buffer [" + hex(buf) + ", +" + hex(len) + ") is not inside guest memory");
  if (is_read ? n > len : n != len)
    throw std::logic_error(where + "returns " + std::to_string(n) + " for len " + std::to_string(len));
  if (data.size() != n) throw std::logic_error(where + std::to_string(data.size()) + " data bytes for a count of " + std::to_string(n));
  if (8 * clk + kTimeWords >= Fp::kModulus) throw std::logic_error(where + "cycle too large for the memory times");
  if (any_call_ && clk <= last_clk_) throw std::logic_error(where + "calls out of cycle order");
  const uint64_t dclk = any_call_ ? clk - last_clk_ - 1 : 0;
  if (dclk >= (1u << 24)) throw std::logic_error(where + "more than 2^24 cycles since the previous call");
  if (is_read && eof_ && n != 0)
    throw std::logic_error(where + "read returns " + std::to_string(n) + " bytes after a short read ended the input");
  const bool eof_before = eof_;
  if (is_read && n < len) eof_ = true;

  const bool journal = !is_read && fd == 3, log = !is_read && fd != 3;
  const uint32_t cnt = is_read ? n : journal ? len : 0;
  const uint32_t t_base = static_cast<uint32_t>(8 * clk);

  // Time-difference limbs of one access (t - prev - 1 = lo + 2^16 hi).
  auto access = [&](uint32_t cell, uint32_t value_after, uint32_t t, Fp* row, size_t tp, size_t lo, size_t hi) {
    const auto acc = mem.access(cell, value_after, t);
    const uint32_t d = t - acc.prev_time - 1;
    if (d >= (1u << 24))
      throw std::logic_error(where + "memory cell " + std::to_string(cell) + ": time difference exceeds 2^24");
    row[tp] = u(acc.prev_time);
    row[lo] = u(d & 0xffff);
    row[hi] = u(d >> 16);
    return acc.old_value;
  };

  // --- header --- (eof: the value before this call; its word rows carry the value after)
  const size_t h0 = cells_.size();
  cells_.resize(h0 + kWidth);
  {
    Fp* r = cells_.data() + h0;
    r[kHdr] = Fp::one();
    r[kClk] = u(clk);
    r[kRd] = u(is_read);
    r[kJr] = u(journal);
    r[kLg] = u(log);
    r[kFd] = u(fd);
    r[kEnd] = u(buf) + u(cnt) - Fp::one();
    uint32_t lsum = 0;
    for (size_t i = 0; i < 4; ++i) {
      r[kN + i] = u(byte_of(n, i));
      r[kLen + i] = u(byte_of(len, i));
      r[kV + i] = r[kNew + i] = u(byte_of(buf, i));
      lsum += byte_of(len, i);
    }
    const bool nz = len != 0;
    r[kNz] = u(nz);
    r[kInv] = nz ? u(lsum).inverse() : Fp::zero();
    r[kHw] = u(cnt != 0);
    const uint32_t q0 = (buf & 0xff) >> 2;
    r[kQ0] = u(q0);
    r[kS + (buf & 3)] = Fp::one();
    r[kAddr] = u(buf >> 2) - Fp::one();
    const uint32_t e = nz ? buf + len - 1 : 0, g = is_read ? len - n : 0;
    for (size_t i = 0; i < 4; ++i) {
      r[kE + i] = u(byte_of(e, i));
      r[kG + i] = u(byte_of(g, i));
    }
    r[kDlo] = u(dclk & 0xffff);
    r[kDhi] = u(dclk >> 16);
    r[kJpos] = u(journal_.size());
    r[kEof] = u(eof_before);
    const uint32_t gsum = byte_of(g, 0) + byte_of(g, 1) + byte_of(g, 2) + byte_of(g, 3);
    r[kGinv] = gsum != 0 ? u(gsum).inverse() : Fp::zero();
    if (access(reg_cell(kCellA1), buf, t_base + kTimeA1, r, kTp1, kLo1, kHi1) != buf)
      throw std::logic_error(where + "a1 in the memory model differs from the record's buf");
    if (access(reg_cell(kCellA2), len, t_base + kTimeA2, r, kTp2, kLo2, kHi2) != len)
      throw std::logic_error(where + "a2 in the memory model differs from the record's len");

    // Lookups, in the AIR's order.
    bytes.pair(16 * byte_of(n, 3), 16 * byte_of(len, 3));
    bytes.u16(nz ? 16 * ((buf >> 16) - 1) : 0);
    bytes.pair(byte_of(e, 0), byte_of(e, 1));
    bytes.pair(byte_of(e, 2), byte_of(e, 3));
    bytes.pair(byte_of(g, 0), byte_of(g, 1));
    bytes.pair(byte_of(g, 2), byte_of(g, 3));
    bytes.pair(16 * byte_of(e, 3), 16 * byte_of(g, 3));
    bytes.pair(q0, static_cast<uint32_t>(dclk >> 16));
    bytes.u16(r[kLo1].canonical());
    bytes.u16(r[kLo2].canonical());
    bytes.pair(r[kHi1].canonical(), r[kHi2].canonical());
    bytes.u16(static_cast<uint32_t>(dclk & 0xffff));
  }

  // --- word rows: [buf, buf + cnt) ---
  if (cnt > 0) {
    const uint32_t first = buf >> 2, last = (buf + cnt - 1) >> 2;
    for (uint32_t w = first; w <= last; ++w) {
      const uint32_t s = w == first ? (buf & 3) : 0, l = w == last ? ((buf + cnt - 1) & 3) : 3;
      const size_t off = cells_.size();
      cells_.resize(off + kWidth);
      Fp* r = cells_.data() + off;
      r[kWord] = Fp::one();
      r[kLast] = u(w == last);
      r[kClk] = u(clk);
      r[kRd] = u(is_read);
      r[kJr] = u(journal);
      r[kEnd] = u(buf + cnt - 1);
      r[kAddr] = u(w);
      r[kS + s] = Fp::one();
      r[kL + l] = Fp::one();
      r[kJw] = u(journal);
      r[kRw] = u(is_read);
      r[kJpos] = u(journal_.size());
      r[kEof] = u(eof_);
      const uint32_t old = mem.peek(word_cell(4 * w));
      uint32_t neu = old;
      for (uint32_t i = s; i <= l; ++i) {
        const uint8_t d = data[4 * w + i - buf];
        if (is_read) {
          neu = (neu & ~(0xffu << (8 * i))) | (uint32_t{d} << (8 * i));
        } else if (byte_of(old, i) != d) {
          throw std::logic_error(where + "written byte at " + hex(4 * w + i) + " differs from the memory model");
        }
        if (journal) journal_.push_back(d);
      }
      if (access(word_cell(4 * w), neu, t_base + kTimeWords, r, kTp1, kLo1, kHi1) != old)
        throw std::logic_error(where + "memory model changed during the call");
      for (size_t i = 0; i < 4; ++i) {
        r[kV + i] = u(byte_of(old, i));
        r[kNew + i] = u(byte_of(neu, i));
      }
      bytes.pair(byte_of(neu, 0), byte_of(neu, 1));
      bytes.pair(byte_of(neu, 2), byte_of(neu, 3));
      bytes.u16(r[kLo1].canonical());
      bytes.pair(r[kHi1].canonical(), 0);
    }
  }
  any_call_ = true;
  last_clk_ = clk;
}

RowMajorMatrix<Fp> IoBuilder::trace(size_t min_rows, ByteCounts& bytes) {
  (void)bytes;  // padding rows look nothing up (every multiplicity is 0 there)
  const size_t rows = cells_.size() / io::kWidth;
  // At least one padding row: it carries the eof flag out of the segment (io.h).
  RowMajorMatrix<Fp> m(io::kWidth, padded_height(rows + 1, min_rows));
  std::copy(cells_.begin(), cells_.end(), m.values.begin());
  for (size_t r = rows; r < m.height; ++r) {
    m.at(r, io::kJpos) = Fp::from_u64(journal_.size());
    m.at(r, io::kEof) = Fp::from_u64(eof_);
  }
  return m;
}

}  // namespace zkvm::rv32im
