// Accelerator calls in the emulator (docs/GUEST_ABI.md "Accelerator calls"):
// results against a plain signed-int8 loop written here, edge inputs, and
// the faults the ABI names.
#include "vm_test_util.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <climits>
#include <cstring>
#include <iterator>
#include <optional>
#include <random>
#include <string>

#include "zkvm/vm/accel.h"

using namespace zkvm::vm;
using namespace zkvm::vm::test;

namespace {

// x at kDataBase, w right after it (both 4-aligned when K is).
std::vector<std::uint32_t> dot4_program(std::uint32_t x, std::uint32_t w, std::uint32_t k,
                                        std::uint32_t number = kSysDot4, bool store_first = false) {
  std::vector<std::uint32_t> code;
  if (store_first) {  // overwrite the first weight word before the call
    li(code, t0, w);
    li(code, t1, 0x7f7f7f7f);
    code.push_back(SW(t1, t0, 0));
  }
  li(code, a3, 0x5a5a5a5a);  // clobbered by the call
  li(code, a0, x);
  li(code, a1, w);
  li(code, a2, k);
  li(code, a7, number);
  code.push_back(ECALL);
  for (std::uint32_t r = 0; r < 4; ++r) code.push_back(ADDI(18 + r, a0 + r, 0));  // s2..s5
  sys_exit(code, 0);
  return code;
}

// Signed int8 values v, stored biased (v + 128); out[j] = sum_k xv[k] * wv[j][k].
std::array<std::int32_t, 4> plain_dot(const std::vector<std::int8_t>& xv, const std::vector<std::int8_t> (&wv)[4]) {
  std::array<std::int32_t, 4> out{};
  for (std::size_t j = 0; j < 4; ++j)
    for (std::size_t k = 0; k < xv.size(); ++k) out[j] += std::int32_t{xv[k]} * std::int32_t{wv[j][k]};
  return out;
}

std::vector<std::uint8_t> pack(const std::vector<std::int8_t>& xv, const std::vector<std::int8_t> (&wv)[4]) {
  const std::size_t k = xv.size();
  std::vector<std::uint8_t> data(5 * k);
  for (std::size_t i = 0; i < k; ++i) {
    data[i] = static_cast<std::uint8_t>(xv[i] + 128);
    for (std::size_t j = 0; j < 4; ++j) data[k + 16 * (i / 4) + 4 * j + i % 4] = static_cast<std::uint8_t>(wv[j][i] + 128);
  }
  return data;
}

RunResult run_dot(const std::vector<std::int8_t>& xv, const std::vector<std::int8_t> (&wv)[4]) {
  const auto k = static_cast<std::uint32_t>(xv.size());
  return run(make_program(dot4_program(kDataBase, kDataBase + k, k), pack(xv, wv), 5 * k + 4), {});
}

}  // namespace

TEST_CASE("dot4 (0x1001) computes four int8 dot products into a0..a3", "[vm][syscall][accel]") {
  std::mt19937 rng(7);
  for (std::uint32_t k : {4u, 8u, 12u, 100u, 784u, 4096u}) {
    std::vector<std::int8_t> xv(k), wv[4];
    for (auto& v : xv) v = static_cast<std::int8_t>(rng());
    for (auto& row : wv) {
      row.resize(k);
      for (auto& v : row) v = static_cast<std::int8_t>(rng());
    }
    const RunResult r = run_dot(xv, wv);
    REQUIRE(r.status == RunStatus::Exited);
    const auto want = plain_dot(xv, wv);
    for (std::size_t j = 0; j < 4; ++j) CHECK(static_cast<std::int32_t>(r.regs[18 + j]) == want[j]);
    // Straight-line code: every instruction, the call included, is one cycle.
    CHECK(r.cycles == dot4_program(kDataBase, kDataBase + k, k).size());
  }
}

TEST_CASE("dot4 extremes: -128 * -128 over the longest K, mixed signs, zero length", "[vm][syscall][accel]") {
  const std::uint32_t k = kDot4MaxLen - 4;
  std::vector<std::int8_t> xv(k, -128), wv[4];
  wv[0].assign(k, -128);  // +16384 per term: 2^14 (2^15 - 4) < 2^29
  wv[1].assign(k, 127);   // -16256 per term
  wv[2].assign(k, 0);
  wv[3].assign(k, -1);
  const RunResult r = run_dot(xv, wv);
  REQUIRE(r.status == RunStatus::Exited);
  CHECK(static_cast<std::int32_t>(r.regs[18]) == 16384 * static_cast<std::int32_t>(k));
  CHECK(static_cast<std::int32_t>(r.regs[18 + 1]) == -16256 * static_cast<std::int32_t>(k));
  CHECK(r.regs[18 + 2] == 0);
  CHECK(static_cast<std::int32_t>(r.regs[18 + 3]) == 128 * static_cast<std::int32_t>(k));

  // K = 0: four zeros, the buffers are not looked at (null pointers are fine).
  const RunResult z = run(make_program(dot4_program(0, 0, 0)), {});
  REQUIRE(z.status == RunStatus::Exited);
  for (std::size_t j = 0; j < 4; ++j) CHECK(z.regs[18 + j] == 0);
}

TEST_CASE("dot4 faults on misaligned buffers, a bad length and buffers outside guest memory", "[vm][syscall][accel]") {
  struct Case {
    std::uint32_t x, w, k;
    FaultKind kind;
    const char* detail;
  };
  const Case cases[] = {
      {kDataBase + 1, kDataBase + 64, 8, FaultKind::BadAccelArgs, "x and w must be 4-byte aligned"},
      {kDataBase, kDataBase + 66, 8, FaultKind::BadAccelArgs, "4-byte aligned"},
      {kDataBase, kDataBase + 64, 6, FaultKind::BadAccelArgs, "K a multiple of 4 below 32768"},
      {kDataBase, kDataBase + 64, kDot4MaxLen, FaultKind::BadAccelArgs, "K = 32768"},
      {kDataBase + 2, kDataBase + 64, 0, FaultKind::BadAccelArgs, "aligned"},  // alignment holds even for K = 0
      {0x8000, kDataBase, 8, FaultKind::SyscallBuffer, "dot4 buffer [0x00008000, 0x00008008)"},
      {kDataBase, 0x0ffffff0, 8, FaultKind::SyscallBuffer, "dot4 buffer [0x0ffffff0, 0x10000010)"},
      {0x0ffffffc, kDataBase, 8, FaultKind::SyscallBuffer, "is not inside guest memory"},
  };
  for (const Case& c : cases) {
    INFO("x " << c.x << " w " << c.w << " K " << c.k);
    const RunResult r = run(make_program(dot4_program(c.x, c.w, c.k), std::vector<std::uint8_t>(64)), {});
    REQUIRE(r.status == RunStatus::Faulted);
    CHECK(r.fault->kind == c.kind);
    CHECK_THAT(r.fault->message(), Catch::Matchers::Contains(c.detail));
  }
}

namespace {

// sha256_compress of the state at kDataBase with the block at kDataBase + 32,
// then the state to the journal.
std::vector<std::uint32_t> sha_program(std::uint32_t state, std::uint32_t block) {
  std::vector<std::uint32_t> code;
  li(code, a0, state);
  li(code, a1, block);
  li(code, a7, kSysSha256);
  code.push_back(ECALL);
  code.push_back(ADDI(18, a0, 0));  // a0 is left as it was
  li(code, a1, kDataBase);
  li(code, a0, 3);
  li(code, a2, 32);
  li(code, a7, 64);
  code.push_back(ECALL);
  sys_exit(code, 0);
  return code;
}

std::vector<std::uint8_t> sha_data(const std::string& msg) {
  static const std::uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                      0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  std::vector<std::uint8_t> d(96);
  std::memcpy(d.data(), iv, 32);  // native little-endian words
  std::memcpy(d.data() + 32, msg.data(), msg.size());
  d[32 + msg.size()] = 0x80;
  d[95] = static_cast<std::uint8_t>(8 * msg.size());  // one-block message: length in bits, big-endian
  return d;
}

}  // namespace

TEST_CASE("sha256_compress (0x1002) turns the IV and the padded block of \"abc\" into its digest", "[vm][syscall][accel]") {
  const RunResult r = run(make_program(sha_program(kDataBase, kDataBase + 32), sha_data("abc")), {});
  REQUIRE(r.status == RunStatus::Exited);
  REQUIRE(r.journal.size() == 32);
  const std::uint32_t want[8] = {0xba7816bf, 0x8f01cfea, 0x414140de, 0x5dae2223,
                                 0xb00361a3, 0x96177a9c, 0xb410ff61, 0xf20015ad};
  for (int i = 0; i < 8; ++i) {
    std::uint32_t got;
    std::memcpy(&got, r.journal.data() + 4 * i, 4);
    CHECK(got == want[i]);
  }
  CHECK(r.regs[18] == kDataBase);
  CHECK(r.cycles == sha_program(kDataBase, kDataBase + 32).size());
}

TEST_CASE("sha256_compress faults on misaligned pointers and buffers outside guest memory", "[vm][syscall][accel]") {
  struct Case {
    std::uint32_t state, block;
    FaultKind kind;
    const char* detail;
  };
  const Case cases[] = {
      {kDataBase + 2, kDataBase + 32, FaultKind::BadAccelArgs, "sha256_compress with state = 0x00020002"},
      {kDataBase, kDataBase + 33, FaultKind::BadAccelArgs, "both must be 4-byte aligned"},
      {0xfffc, kDataBase, FaultKind::SyscallBuffer, "sha256_compress buffer [0x0000fffc, 0x0001001c)"},
      {kDataBase, 0x0fffffc4, FaultKind::SyscallBuffer, "sha256_compress buffer [0x0fffffc4, 0x10000004)"},
  };
  for (const Case& c : cases) {
    INFO("state " << c.state << " block " << c.block);
    const RunResult r = run(make_program(sha_program(c.state, c.block), sha_data("")), {});
    REQUIRE(r.status == RunStatus::Faulted);
    CHECK(r.fault->kind == c.kind);
    CHECK_THAT(r.fault->message(), Catch::Matchers::Contains(c.detail));
  }
}

TEST_CASE("dot4_rom (0x1003) reads the weights the ELF loaded, whatever memory holds since", "[vm][syscall][accel]") {
  std::mt19937 rng(5);
  const std::uint32_t k = 64;
  std::vector<std::int8_t> xv(k), wv[4];
  for (auto& v : xv) v = static_cast<std::int8_t>(rng());
  for (auto& row : wv) {
    row.resize(k);
    for (auto& v : row) v = static_cast<std::int8_t>(rng());
  }
  const auto want = plain_dot(xv, wv);
  for (bool store_first : {false, true}) {
    INFO("store first " << store_first);
    const auto code = dot4_program(kDataBase, kDataBase + k, k, kSysDot4Rom, store_first);
    const RunResult r = run(make_program(code, pack(xv, wv)), {});
    REQUIRE(r.status == RunStatus::Exited);
    for (std::size_t j = 0; j < 4; ++j) CHECK(static_cast<std::int32_t>(r.regs[18 + j]) == want[j]);
  }
  // dot4 (memory) sees the store: row 0..3 of k = 0..3 are 0x7f bytes then.
  const RunResult m = run(make_program(dot4_program(kDataBase, kDataBase + k, k, kSysDot4, true), pack(xv, wv)), {});
  REQUIRE(m.status == RunStatus::Exited);
  CHECK(static_cast<std::int32_t>(m.regs[18]) != want[0]);
}

TEST_CASE("dot4_rom faults on weights outside the ELF image", "[vm][syscall][accel]") {
  // The data segment's file bytes end at kDataBase + 5 * 8; its zero-filled
  // tail (p_memsz) is not image.
  std::vector<std::uint8_t> data(5 * 8, 0x80);
  const RunResult r = run(make_program(dot4_program(kDataBase, kDataBase + 16, 8, kSysDot4Rom), data, 0x1000), {});
  REQUIRE(r.status == RunStatus::Faulted);
  CHECK(r.fault->kind == FaultKind::BadAccelArgs);
  CHECK_THAT(r.fault->message(), Catch::Matchers::Contains("dot4_rom weight word 0x00020028 is not in the ELF's loaded image"));
}

namespace {

constexpr unsigned kA5 = 15;  // a5 (vm_test_util.h's Reg stops at a4)

// Q = zp | lo << 8 | hi << 16 | flags << 24 (flags = pc + 2 sx), written here
// rather than taken from accel.h.
std::uint32_t dense4_qword(std::int32_t zp, std::int32_t lo, std::int32_t hi, std::uint32_t flags) {
  return std::uint32_t{static_cast<std::uint8_t>(zp)} | std::uint32_t{static_cast<std::uint8_t>(lo)} << 8 |
         std::uint32_t{static_cast<std::uint8_t>(hi)} << 16 | flags << 24;
}

struct Store {
  std::uint32_t addr, value;
};

// The `stores` (SW, in order), then dense4_rom with a0..a5 = (x, w, K, bias,
// mult, shift); a0..a5 after the call are copied to s2..s7 (x18..x23).
std::vector<std::uint32_t> dense4_program(std::uint32_t x, std::uint32_t w, std::uint32_t k, std::uint32_t bias,
                                          std::uint32_t mult, std::uint32_t shift, const std::vector<Store>& stores = {}) {
  std::vector<std::uint32_t> code;
  for (const Store& s : stores) {
    li(code, t1, s.value);
    li(code, t0, s.addr);
    code.push_back(SW(t1, t0, 0));
  }
  li(code, a0, x);
  li(code, a1, w);
  li(code, a2, k);
  li(code, a3, bias);
  li(code, a4, mult);
  li(code, kA5, shift);
  li(code, a7, kSysDense4Rom);
  code.push_back(ECALL);
  for (unsigned r = 0; r < 6; ++r) code.push_back(ADDI(18 + r, a0 + r, 0));
  sys_exit(code, 0);
  return code;
}

void put_word(std::vector<std::uint8_t>& d, std::uint32_t v) {
  for (unsigned i = 0; i < 4; ++i) d.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

// One call's operands: x (K bytes: biased, or int8 with sx = 1) and w (4K
// bytes, dot4's layout, biased) as stored; the output word's fields and the
// parameter words as plain integers. With pc = 0 only mult[0] and shift[0]
// count: the other words are decoys the call must not read.
struct Dense4Case {
  std::vector<std::uint8_t> x, w;
  std::int32_t bias[4] = {};
  std::int32_t mult[4] = {1 << 30, 1 << 30, 1 << 30, 1 << 30};
  std::uint32_t shift[4] = {35, 35, 35, 35};
  std::int32_t zp = 0, lo = -128, hi = 127;
  std::uint32_t pc = 1, sx = 0;
  std::uint32_t k() const { return static_cast<std::uint32_t>(x.size()); }
  std::uint32_t q() const { return dense4_qword(zp, lo, hi, pc + 2 * sx); }
  std::int64_t x_value(std::uint32_t i) const { return sx ? std::int64_t{x[i]} - (x[i] >= 128 ? 256 : 0) : std::int64_t{x[i]} - 128; }
  // The data segment from kDataBase: x, Q, w, bias, mult (4 words), shift (4 words).
  std::uint32_t x_at() const { return kDataBase; }
  std::uint32_t w_at() const { return kDataBase + k() + 4; }
  std::uint32_t bias_at() const { return w_at() + 4 * k(); }
  std::uint32_t mult_at() const { return bias_at() + 16; }
  std::uint32_t shift_at() const { return mult_at() + 16; }
  std::uint32_t mult_of(std::uint32_t j) const { return static_cast<std::uint32_t>(mult[pc ? j : 0]); }
  std::uint32_t shift_of(std::uint32_t j) const { return shift[pc ? j : 0]; }
};

// The data segment of c; `q` replaces the output word the ELF holds after x.
std::vector<std::uint8_t> dense4_image(const Dense4Case& c, std::optional<std::uint32_t> q = {}) {
  std::vector<std::uint8_t> d(c.x);
  put_word(d, q ? *q : c.q());
  d.insert(d.end(), c.w.begin(), c.w.end());
  for (std::int32_t b : c.bias) put_word(d, static_cast<std::uint32_t>(b));
  for (std::int32_t m : c.mult) put_word(d, static_cast<std::uint32_t>(m));
  for (std::uint32_t s : c.shift) put_word(d, s);
  return d;
}

// Floor division and reduction to int32 in int64 arithmetic: no casts or
// shifts of negative values, so this does not lean on what accel.h leans on.
std::int64_t floor_div(std::int64_t n, std::int64_t d) { return n / d - ((n % d != 0) && ((n < 0) != (d < 0)) ? 1 : 0); }
std::int64_t wrap32(std::int64_t v) {
  const std::int64_t m = std::int64_t{1} << 32;
  std::int64_t r = v % m;
  if (r < 0) r += m;
  return r >= (m >> 1) ? r - m : r;
}
// The formula of docs/GUEST_ABI.md "dense4_rom", one output (s2 = shift - 32).
std::int32_t want_requant(std::int64_t sum, std::int64_t bias, std::int64_t mult, std::uint32_t shift, std::int64_t zp,
                          std::int64_t lo, std::int64_t hi) {
  const std::uint32_t s2 = shift - 32;
  const std::int64_t a = wrap32(sum + bias);
  const std::int64_t top = floor_div(a * mult, std::int64_t{1} << 32);
  const std::int64_t v = floor_div(wrap32(top + (std::int64_t{1} << (s2 - 1))), std::int64_t{1} << s2);
  return static_cast<std::int32_t>(std::clamp(v + zp, lo, hi));
}
std::int64_t plain_sum(const Dense4Case& c, std::uint32_t j) {
  std::int64_t sum = 0;
  for (std::uint32_t i = 0; i < c.k(); ++i)
    sum += c.x_value(i) * (std::int64_t{c.w[16 * (i / 4) + 4 * j + i % 4]} - 128);
  return sum;
}
// The output word by the formula, over sums from a plain loop.
std::uint32_t want_dense4(const Dense4Case& c) {
  std::uint32_t out = 0;
  for (std::uint32_t j = 0; j < 4; ++j) {
    const std::int32_t o = want_requant(plain_sum(c, j), c.bias[j], static_cast<std::int32_t>(c.mult_of(j)),
                                        c.shift_of(j), c.zp, c.lo, c.hi);
    out |= std::uint32_t{static_cast<std::uint8_t>(o)} << (8 * j);
  }
  return out;
}
// The host reference of accel.h over the same bytes.
std::uint32_t host_dense4(const Dense4Case& c) {
  const auto sums = dot4_reference(
      0, c.k(), c.k(), [&c](std::uint32_t i) { return i < c.k() ? c.x[i] : c.w[i - c.k()]; }, c.sx != 0);
  std::uint32_t bias[4], mult[4], shift[4];
  for (std::uint32_t j = 0; j < 4; ++j)
    bias[j] = static_cast<std::uint32_t>(c.bias[j]), mult[j] = c.mult_of(j), shift[j] = c.shift_of(j);
  return dense4_output(sums, bias, mult, shift, dense4_unpack(c.q()));
}

std::vector<std::uint32_t> dense4_code(const Dense4Case& c, const std::vector<Store>& stores = {}) {
  return dense4_program(c.x_at(), c.w_at(), c.k(), c.bias_at(), c.mult_at(), c.shift_at(), stores);
}
RunResult run_dense4(const Dense4Case& c, const std::vector<Store>& stores = {}, std::optional<std::uint32_t> q = {}) {
  return run(make_program(dense4_code(c, stores), dense4_image(c, q)), {});
}

// Runs c and checks a0 against the host reference and the formula, a1..a5
// unchanged, and one cycle for the call.
void check_dense4(const Dense4Case& c) {
  const RunResult r = run_dense4(c);
  REQUIRE(r.status == RunStatus::Exited);
  const std::uint32_t want = want_dense4(c);
  CHECK(host_dense4(c) == want);
  CHECK(r.regs[18] == want);
  CHECK(r.regs[19] == c.w_at());
  CHECK(r.regs[20] == c.k());
  CHECK(r.regs[21] == c.bias_at());
  CHECK(r.regs[22] == c.mult_at());
  CHECK(r.regs[23] == c.shift_at());
  CHECK(r.cycles == dense4_code(c).size());
}

Dense4Case dense4_filled(std::uint32_t k, std::uint8_t xb, std::uint8_t wb) {
  Dense4Case c;
  c.x.assign(k, xb);
  c.w.assign(4 * std::size_t{k}, wb);
  return c;
}

}  // namespace

TEST_CASE("dense4_rom (0x1004) matches the host reference and the formula on random layers, per tensor and per channel",
          "[vm][syscall][accel][dense4]") {
  std::mt19937 rng(1004);
  const auto uni = [&rng](std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
  };
  int at_lo = 0, at_hi = 0, inside = 0, bias_wraps = 0, shifts_differ = 0, decoy_out_of_range = 0;
  for (int iter = 0; iter < 400; ++iter) {
    const auto k = static_cast<std::uint32_t>(4 * uni(1, 100));
    Dense4Case c;
    c.pc = static_cast<std::uint32_t>(iter % 2);
    c.sx = static_cast<std::uint32_t>(iter / 2 % 2);  // int8 x bytes in every other pair
    c.x.resize(k);
    c.w.resize(4 * std::size_t{k});
    for (auto& b : c.x) b = static_cast<std::uint8_t>(rng());
    for (auto& b : c.w) b = static_cast<std::uint8_t>(rng());
    for (auto& b : c.bias) {  // anything, near the ends of int32 (the add wraps), or small
      if (iter % 3 == 0)
        b = static_cast<std::int32_t>(static_cast<std::uint32_t>(rng()));
      else if (iter % 3 == 1)
        b = static_cast<std::int32_t>(rng() % 2 ? INT32_MAX - uni(0, 1 << 17) : INT32_MIN + uni(0, 1 << 17));
      else
        b = static_cast<std::int32_t>(uni(-(1 << 20), 1 << 20));
    }
    for (std::uint32_t j = 0; j < 4; ++j) {
      switch ((iter / 2 + j) % 5) {
        case 0: c.mult[j] = static_cast<std::int32_t>(rng()); break;  // any sign
        case 1: c.mult[j] = INT32_MIN; break;
        case 2: c.mult[j] = static_cast<std::int32_t>(uni(-(std::int64_t{1} << 31) + 1, -1)); break;
        default: c.mult[j] = static_cast<std::int32_t>(uni(std::int64_t{1} << 30, INT32_MAX)); break;  // as models have
      }
      c.shift[j] = static_cast<std::uint32_t>(uni(35, 63));
    }
    if (c.pc == 0) {  // decoys after the one word read: other values, shifts the call would refuse
      for (std::uint32_t j = 1; j < 4; ++j) {
        c.mult[j] = static_cast<std::int32_t>(rng());
        c.shift[j] = static_cast<std::uint32_t>(j == 1 ? 34 : j == 2 ? 64 : rng());
      }
      decoy_out_of_range += 1;
    } else {
      shifts_differ += c.shift[0] != c.shift[1] || c.shift[1] != c.shift[2] || c.shift[2] != c.shift[3];
    }
    c.zp = static_cast<std::int32_t>(uni(-128, 127));
    c.lo = static_cast<std::int32_t>(uni(-128, 127));
    c.hi = static_cast<std::int32_t>(uni(c.lo, 127));
    INFO("iteration " << iter << " K " << k << " pc " << c.pc << " sx " << c.sx << " mult " << c.mult[0] << " " << c.mult[1] << " "
                      << c.mult[2] << " " << c.mult[3] << " shift " << c.shift[0] << " " << c.shift[1] << " "
                      << c.shift[2] << " " << c.shift[3] << " zp " << c.zp << " lo " << c.lo << " hi " << c.hi);
    check_dense4(c);
    const std::uint32_t out = want_dense4(c);
    for (std::uint32_t j = 0; j < 4; ++j) {
      const auto o = static_cast<std::int8_t>(out >> (8 * j));
      at_lo += o == c.lo;
      at_hi += o == c.hi;
      inside += o > c.lo && o < c.hi;
      const std::int64_t sum = plain_sum(c, j);
      bias_wraps += sum + c.bias[j] > INT32_MAX || sum + c.bias[j] < INT32_MIN;
    }
  }
  // The inputs reach both clamps, the inside, and the wrapping bias add;
  // per-channel shifts differ and per-tensor decoys would fault if read.
  CHECK(at_lo > 20);
  CHECK(at_hi > 20);
  CHECK(inside > 20);
  CHECK(bias_wraps > 20);
  CHECK(shifts_differ > 150);
  CHECK(decoy_out_of_range == 200);
}

TEST_CASE("dense4_rom edges: -128 * -128 over the longest K, shifts 35 and 63, lo = hi, a = mult = INT32_MIN",
          "[vm][syscall][accel][dense4]") {
  {  // every byte 0 (-128): each sum 2^14 * 32764; bias INT32_MAX wraps the add
    Dense4Case c = dense4_filled(kDot4MaxLen - 4, 0, 0);
    c.bias[0] = 0, c.bias[1] = INT32_MAX, c.bias[2] = INT32_MIN, c.bias[3] = -(1 << 14) * 32764;
    c.pc = 1;
    c.mult[0] = INT32_MAX, c.mult[1] = 1 << 30, c.mult[2] = -(1 << 20), c.mult[3] = INT32_MIN;
    c.shift[0] = 35, c.shift[1] = 63, c.shift[2] = 49, c.shift[3] = 40;
    check_dense4(c);
    c.pc = 0;  // mult[0] = INT32_MAX, shift 35 for all four
    check_dense4(c);
    c.mult[0] = 1 << 30, c.shift[0] = 63, c.zp = -7, c.lo = -100, c.hi = 100;
    check_dense4(c);
    c.mult[0] = -(1 << 20), c.shift[0] = 49, c.zp = 127, c.lo = 127, c.hi = 127;
    check_dense4(c);
  }
  {  // int8 x bytes (sx = 1): x = -128 (0x80) and w = -128 (biased 0) over the longest K,
     // the same sums as the biased case above; and x = 127 (0x7f) against w = -128
    Dense4Case c = dense4_filled(kDot4MaxLen - 4, 0x80, 0);
    c.sx = 1;
    c.bias[3] = -(1 << 14) * 32764;
    check_dense4(c);
    Dense4Case biased = c;
    biased.sx = 0;
    biased.x.assign(c.x.size(), 0);  // -128 biased
    CHECK(run_dense4(c).regs[18] == run_dense4(biased).regs[18]);
    c.x.assign(c.x.size(), 0x7f);
    c.pc = 0, c.zp = 5;
    check_dense4(c);
  }
  {  // lo = hi: every output is that value
    Dense4Case c = dense4_filled(16, 0x81, 0xfe);
    c.mult[0] = 123456789, c.shift[0] = 37, c.zp = 3, c.lo = -17, c.hi = -17, c.pc = 0;
    check_dense4(c);
    CHECK(run_dense4(c).regs[18] == 0xefefefefu);
  }
  {  // a signed lo < hi whose bytes compare the other way (lo = -1 = 0xff, hi = 1)
    Dense4Case c = dense4_filled(8, 0x90, 0x70);
    for (auto& m : c.mult) m = INT32_MAX;
    c.shift[0] = 36, c.shift[1] = 35, c.shift[2] = 63, c.shift[3] = 50, c.lo = -1, c.hi = 1;
    check_dense4(c);
  }
  {  // a = mult = INT32_MIN: top = 2^30; with shift 63 (s2 = 31) the rounding
     // add wraps (2^30 + 2^30 = -2^31 as int32), so v = -1, as ADD then SRA give.
    Dense4Case c = dense4_filled(4, 0x80, 0x80);  // zero sums
    for (auto& b : c.bias) b = INT32_MIN;
    for (auto& m : c.mult) m = INT32_MIN;
    for (auto& s : c.shift) s = 63;
    check_dense4(c);
    CHECK(run_dense4(c).regs[18] == 0xffffffffu);
    c.shift[0] = c.shift[2] = 62;  // no wrap: (2^30 + 2^29) >> 30 = 1
    check_dense4(c);
    CHECK(run_dense4(c).regs[18] == 0xff01ff01u);
    c.pc = 0;  // shift[0] = 62 for all four
    check_dense4(c);
    CHECK(run_dense4(c).regs[18] == 0x01010101u);
  }
}

TEST_CASE("dense4_rom reads x and Q from memory, the weights and parameters from the ELF image", "[vm][syscall][accel][dense4]") {
  std::mt19937 rng(44);
  Dense4Case c = dense4_filled(32, 0, 0);
  for (auto& b : c.x) b = static_cast<std::uint8_t>(rng());
  for (auto& b : c.w) b = static_cast<std::uint8_t>(rng());
  for (auto& b : c.bias) b = static_cast<std::int32_t>(rng() % 200001) - 100000;
  c.mult[0] = 1518500250, c.mult[1] = 1 << 30, c.mult[2] = 2000000000, c.mult[3] = 1234567890;
  c.shift[0] = 39, c.shift[1] = 40, c.shift[2] = 41, c.shift[3] = 38;
  c.zp = -5, c.lo = -128, c.hi = 127, c.pc = 1;
  const std::uint32_t qa = c.x_at() + c.k();
  {  // Stores over x[0..4) are seen; stores over bias[0], mult[0] and shift[0]
     // (an out-of-range shift) are not.
    const RunResult r = run_dense4(c, {{c.x_at(), 0x7f7f7f7f}, {c.bias_at(), 0x7f7f7f7f}, {c.mult_at(), 0}, {c.shift_at(), 0}});
    REQUIRE(r.status == RunStatus::Exited);
    Dense4Case seen = c;
    for (std::size_t i = 0; i < 4; ++i) seen.x[i] = 0x7f;
    CHECK(r.regs[18] == want_dense4(seen));
    CHECK(r.regs[18] != want_dense4(c));
  }
  {  // The ELF holds a Q the call refuses (Q3 = 4); a store of c's Q before the call makes it run.
    const RunResult r = run_dense4(c, {{qa, c.q()}}, dense4_qword(0, -128, 127, 4));
    REQUIRE(r.status == RunStatus::Exited);
    CHECK(r.regs[18] == want_dense4(c));
    const RunResult bad = run_dense4(c, {}, dense4_qword(0, -128, 127, 4));  // without the store: a fault
    REQUIRE(bad.status == RunStatus::Faulted);
    CHECK(bad.fault->kind == FaultKind::BadAccelArgs);
  }
  {  // A store of another Q (per tensor, other zp and bounds) is what the call uses.
    Dense4Case t = c;
    t.pc = 0, t.zp = 9, t.lo = -20, t.hi = 30;
    const RunResult r = run_dense4(c, {{qa, t.q()}});
    REQUIRE(r.status == RunStatus::Exited);
    CHECK(r.regs[18] == want_dense4(t));
    CHECK(want_dense4(t) != want_dense4(c));
    // and a stored Q with lo > hi faults, though the ELF's Q is good
    const RunResult bad = run_dense4(c, {{qa, dense4_qword(0, 3, 2, 1)}});
    REQUIRE(bad.status == RunStatus::Faulted);
    CHECK(bad.fault->kind == FaultKind::BadAccelArgs);
    CHECK(bad.fault->addr == qa);
  }
  {  // x and Q need not be image: in the zero-filled tail of the segment (p_memsz), Q stored there.
    Dense4Case z = c;
    z.x.assign(c.k(), 0);  // what the tail holds
    const std::uint32_t xt = kDataBase + 0x800;
    const auto code = dense4_program(xt, c.w_at(), c.k(), c.bias_at(), c.mult_at(), c.shift_at(), {{xt + c.k(), c.q()}});
    const RunResult t = run(make_program(code, dense4_image(c), 0x1000), {});
    REQUIRE(t.status == RunStatus::Exited);
    CHECK(t.regs[18] == want_dense4(z));
  }
}

TEST_CASE("dense4_requant matches the int64 formula on random and extreme values, and the argument checks", "[vm][accel][dense4]") {
  std::mt19937_64 rng(0xd4);
  const std::int32_t extremes[] = {INT32_MIN, INT32_MIN + 1, -(1 << 29), -65536, -1, 0, 1, 65536, 1 << 29, INT32_MAX};
  const auto pick = [&](int mode) {
    switch (mode) {
      case 0: return extremes[rng() % std::size(extremes)];
      case 1: return static_cast<std::int32_t>(static_cast<std::int64_t>(rng() % (1u << 21)) - (1 << 20));
      default: return static_cast<std::int32_t>(static_cast<std::uint32_t>(rng()));
    }
  };
  for (int iter = 0; iter < 300000; ++iter) {
    const std::int32_t sum = pick(iter % 3), bias = pick((iter / 3) % 3), mult = pick((iter / 9) % 3);
    const auto shift = static_cast<std::uint32_t>(35 + rng() % 29);
    const auto zp = static_cast<std::int32_t>(static_cast<std::int8_t>(rng()));
    auto lo = static_cast<std::int32_t>(static_cast<std::int8_t>(rng()));
    auto hi = static_cast<std::int32_t>(static_cast<std::int8_t>(rng()));
    if (lo > hi) std::swap(lo, hi);
    const auto pc = static_cast<std::uint32_t>(iter & 1);
    const Dense4Out o{zp, lo, hi, pc, 0, pc};
    const std::int32_t want = want_requant(sum, bias, mult, shift, zp, lo, hi);
    if (dense4_requant(sum, bias, mult, shift, o) != want) {
      INFO("sum " << sum << " bias " << bias << " mult " << mult << " shift " << shift << " zp " << zp << " lo " << lo
                  << " hi " << hi);
      REQUIRE(int{dense4_requant(sum, bias, mult, shift, o)} == want);
    }
  }
  // dense4_unpack reads Q as the ABI lays it out.
  const Dense4Out u = dense4_unpack(dense4_qword(-128, -3, 127, 1));
  CHECK(u.zp == -128);
  CHECK(u.lo == -3);
  CHECK(u.hi == 127);
  CHECK(u.pc == 1);
  const Dense4Out f = dense4_unpack(0x02000000u);  // Q3 = 2: sx = 1, pc = 0
  CHECK(f.pc == 0);
  CHECK(f.sx == 1);
  CHECK(f.flags == 2);
  CHECK(dense4_unpack(0x03000000u).pc == 1);
  CHECK(dense4_unpack(0x03000000u).sx == 1);
  CHECK(dense4_unpack(0x04000000u).flags == 4);
  // The checks.
  CHECK(dense4_q_ok(dense4_qword(0, -128, 127, 0)));
  CHECK(dense4_q_ok(dense4_qword(5, -1, -1, 1)));
  CHECK(dense4_q_ok(dense4_qword(0, -1, 1, 1)));
  CHECK(dense4_q_ok(dense4_qword(0, -128, 127, 2)));  // int8 x, per tensor
  CHECK(dense4_q_ok(dense4_qword(0, -128, 127, 3)));  // int8 x, per channel
  CHECK_FALSE(dense4_q_ok(dense4_qword(0, -128, 127, 4)));
  CHECK_FALSE(dense4_q_ok(dense4_qword(0, -128, 127, 0x80)));
  CHECK_FALSE(dense4_q_ok(dense4_qword(0, 1, -1, 0)));  // signed: 0x01 > 0xff
  CHECK_FALSE(dense4_q_ok(dense4_qword(0, 5, 3, 1)));
  CHECK(dense4_shift_ok(35));
  CHECK(dense4_shift_ok(63));
  CHECK_FALSE(dense4_shift_ok(34));
  CHECK_FALSE(dense4_shift_ok(64));
  CHECK_FALSE(dense4_shift_ok(0xffffffffu));
  CHECK(dense4_args_ok(0x100, 0x200, 4, 0x300, 0x400, 0x500));
  CHECK(dense4_args_ok(0x100, 0x200, kDot4MaxLen - 4, 0x300, 0x400, 0x500));
  CHECK_FALSE(dense4_args_ok(0x100, 0x200, 0, 0x300, 0x400, 0x500));
  CHECK_FALSE(dense4_args_ok(0x100, 0x200, kDot4MaxLen, 0x300, 0x400, 0x500));
  CHECK_FALSE(dense4_args_ok(0x100, 0x200, 6, 0x300, 0x400, 0x500));
  CHECK_FALSE(dense4_args_ok(0x101, 0x200, 4, 0x300, 0x400, 0x500));
  CHECK_FALSE(dense4_args_ok(0x100, 0x202, 4, 0x300, 0x400, 0x500));
  CHECK_FALSE(dense4_args_ok(0x100, 0x200, 4, 0x303, 0x400, 0x500));
  CHECK_FALSE(dense4_args_ok(0x100, 0x200, 4, 0x300, 0x401, 0x500));
  CHECK_FALSE(dense4_args_ok(0x100, 0x200, 4, 0x300, 0x400, 0x502));
}

TEST_CASE("dense4_rom faults, in order: arguments, the x buffer, Q, image words (w, bias, mult, shift), shift values",
          "[vm][syscall][accel][dense4]") {
  // K = 8. The data segment from X = kDataBase: x (8 bytes) at X, Q at X + 8,
  // w (32 bytes) at X + 12, bias at X + 44, mult (4 words) at X + 60, shift
  // (4 words) at X + 76, then shift-like words 35, 34, 63, 64, -1, 35, 40 at
  // X + 92 .. X + 116. The file bytes end at E = X + 120 (0x00020078); the
  // zero-filled tail (p_memsz) is memory but no image.
  const std::uint32_t X = kDataBase, Qa = X + 8, W = X + 12, B = X + 44, M = X + 60, S = X + 76, E = X + 120;
  const std::uint32_t q1 = dense4_qword(0, -128, 127, 1), q0 = dense4_qword(0, -128, 127, 0);
  std::vector<std::uint8_t> data(8, 0x80);
  put_word(data, q1);
  data.insert(data.end(), 32, 0x80);
  for (int i = 0; i < 4; ++i) put_word(data, 0);
  for (int i = 0; i < 4; ++i) put_word(data, 1u << 30);
  for (int i = 0; i < 4; ++i) put_word(data, 40);
  for (std::uint32_t v : {35u, 34u, 63u, 64u, 0xffffffffu, 35u, 40u}) put_word(data, v);
  REQUIRE(data.size() == E - X);

  struct Case {
    std::uint32_t x, w, k, bias, mult, shift;
    std::optional<std::uint32_t> q;  // stored at x + K before the call (else the ELF's q1)
    FaultKind kind;
    std::optional<std::uint32_t> addr;
    const char* detail;
  };
  const FaultKind kArgs = FaultKind::BadAccelArgs, kBuf = FaultKind::SyscallBuffer;
  const Case cases[] = {
      // Arguments: alignment of each pointer, K.
      {X + 1, W, 8, B, M, S, {}, kArgs, {},
       "dense4_rom with x = 0x00020001, w = 0x0002000c, K = 8, bias = 0x0002002c, mult = 0x0002003c, "
       "shift = 0x0002004c: x is not 4-byte aligned (x, w, bias, mult and shift must be 4-byte aligned, K a nonzero "
       "multiple of 4 below 32768)"},
      {X, W + 2, 8, B, M, S, {}, kArgs, {}, ": w is not 4-byte aligned ("},
      {X, W, 8, B + 1, M, S, {}, kArgs, {}, ": bias is not 4-byte aligned ("},
      {X, W, 8, B, M + 2, S, {}, kArgs, {}, ": mult is not 4-byte aligned ("},
      {X, W, 8, B, M, S + 3, {}, kArgs, {}, ": shift is not 4-byte aligned ("},
      {X, W, 0, B, M, S, {}, kArgs, {}, ": K = 0 is not a nonzero multiple of 4 below 32768 ("},
      {X, W, 6, B, M, S, {}, kArgs, {}, ": K = 6 is not a nonzero multiple of 4 below 32768 ("},
      {X, W, kDot4MaxLen, B, M, S, {}, kArgs, {}, ": K = 32768 is not a nonzero multiple of 4 below 32768 ("},
      {X + 2, W, 6, B, M + 1, S, {}, kArgs, {},
       ": x is not 4-byte aligned, mult is not 4-byte aligned, K = 6 is not a nonzero multiple of 4 below 32768 ("},
      // Arguments before the buffer: x outside memory and a misaligned shift.
      {0x8000, W, 8, B, M, S + 1, {}, kArgs, {}, "shift is not 4-byte aligned"},
      // The buffer [x, x + K + 4): outside memory, and crossing its end by Q alone.
      {0x8000, W, 8, B, M, S, {}, kBuf, 0x8000,
       "dense4_rom buffer [0x00008000, 0x0000800c) is not inside guest memory [0x00010000, 0x10000000) (x's K = 8 "
       "bytes, then the output word Q)"},
      {kGuestEnd - 8, W, 8, B, M, S, {}, kBuf, kGuestEnd - 8, "dense4_rom buffer [0x0ffffff8, 0x10000004) is not inside"},
      // The buffer before Q and the image: x outside memory and w outside the image.
      {0x8000, E, 8, B, M, S, {}, kBuf, 0x8000, "dense4_rom buffer [0x00008000, 0x0000800c)"},
      // Q.
      {X, W, 8, B, M, S, dense4_qword(0, -128, 127, 4), kArgs, Qa,
       "dense4_rom output word Q = 0x047f8000 at 0x00020008 has Q3 = 4 (must be pc + 2 sx <= 3) (Q = zp | lo << 8 | "
       "hi << 16 | (pc + 2 sx) << 24 follows x's K = 8 bytes)"},
      {X, W, 8, B, M, S, dense4_qword(0, -128, 127, 0x80), kArgs, Qa, "has Q3 = 128 (must be pc + 2 sx <= 3)"},
      {X, W, 8, B, M, S, dense4_qword(0, 5, 3, 1), kArgs, Qa,
       "dense4_rom output word Q = 0x01030500 at 0x00020008 has lo = 5 > hi = 3 (must be lo <= hi)"},
      {X, W, 8, B, M, S, dense4_qword(7, 1, -1, 0), kArgs, Qa, "has lo = 1 > hi = -1"},  // signed bytes
      {X, W, 8, B, M, S, dense4_qword(0, 5, 3, 3), kArgs, Qa, "has lo = 5 > hi = 3"},  // sx = pc = 1 is valid
      {X, W, 8, B, M, S, dense4_qword(0, 5, 3, 6), kArgs, Qa, "has Q3 = 6 (must be pc + 2 sx <= 3) and lo = 5 > hi = 3"},
      // Q before the image: a bad Q with w outside the image.
      {X, E, 8, B, M, S, dense4_qword(0, -128, 127, 4), kArgs, Qa, "dense4_rom output word Q"},
      // An image word missing: w, bias, mult, shift, each at E.
      {X, E - 28, 8, B, M, S, {}, kArgs, E,
       "dense4_rom weight word 0x00020078 is not in the ELF's loaded image (weights [0x0002005c, +4K) with K = 8 must "
       "be words the ELF loads)"},
      {X, 0x8000, 8, B, M, S, {}, kArgs, 0x8000, "dense4_rom weight word 0x00008000 is not in"},  // below every segment
      {X, W, 8, E - 12, M, S, {}, kArgs, E,
       "dense4_rom bias word 0x00020078 is not in the ELF's loaded image (bias [0x0002006c, +16) must be words"},
      {X, W, 8, B, E - 12, S, {}, kArgs, E,
       "dense4_rom mult word 0x00020078 is not in the ELF's loaded image (mult [0x0002006c, +16) with pc = 1 must be"},
      {X, W, 8, B, E, S, q0, kArgs, E,
       "dense4_rom mult word 0x00020078 is not in the ELF's loaded image (mult [0x00020078, +4) with pc = 0"},
      // (the shift words at E - 12 are -1, 35, 40: the image comes first)
      {X, W, 8, B, M, E - 12, {}, kArgs, E,
       "dense4_rom shift word 0x00020078 is not in the ELF's loaded image (shift [0x0002006c, +16) with pc = 1 must be"},
      {X, W, 8, B, M, E, q0, kArgs, E,
       "dense4_rom shift word 0x00020078 is not in the ELF's loaded image (shift [0x00020078, +4) with pc = 0"},
      // Image words in order: w before bias before mult before shift.
      {X, E + 0x100, 8, E + 0x200, E + 0x300, E + 0x400, {}, kArgs, E + 0x100, "dense4_rom weight word 0x00020178"},
      {X, W, 8, E + 0x200, E + 0x300, E + 0x400, {}, kArgs, E + 0x200, "dense4_rom bias word 0x00020278"},
      {X, W, 8, B, E + 0x300, E + 0x400, {}, kArgs, E + 0x300, "dense4_rom mult word 0x00020378"},
      // Shift values, after every image word: 34 and 64, -1.
      {X, W, 8, B, M, X + 92, {}, kArgs, X + 96,
       "dense4_rom shift word 0x00000022 at 0x00020060 is 34, outside [35, 63] (s2 = shift - 32 must be in [3, 31])"},
      {X, W, 8, B, M, X + 100, {}, kArgs, X + 104, "dense4_rom shift word 0x00000040 at 0x00020068 is 64, outside [35, 63]"},
      {X, W, 8, B, M, X + 96, q0, kArgs, X + 96, "dense4_rom shift word 0x00000022 at 0x00020060 is 34, outside [35, 63]"},
      {X, W, 8, B, M, X + 104, q0, kArgs, X + 104, "dense4_rom shift word 0x00000040 at 0x00020068 is 64, outside"},
      {X, W, 8, B, M, X + 108, q0, kArgs, X + 108, "dense4_rom shift word 0xffffffff at 0x0002006c is -1, outside"},
      // A mult word missing before a bad shift value.
      {X, W, 8, B, E - 12, X + 92, {}, kArgs, E, "dense4_rom mult word 0x00020078"},
  };
  for (const Case& c : cases) {
    INFO("x " << c.x << " w " << c.w << " K " << c.k << " bias " << c.bias << " mult " << c.mult << " shift " << c.shift
              << " Q " << (c.q ? *c.q : q1));
    std::vector<Store> stores;
    if (c.q) stores.push_back({c.x + c.k, *c.q});
    const RunResult r = run(make_program(dense4_program(c.x, c.w, c.k, c.bias, c.mult, c.shift, stores), data, 0x1000), {});
    REQUIRE(r.status == RunStatus::Faulted);
    CHECK(r.fault->kind == c.kind);
    CHECK(r.fault->addr == c.addr);
    CHECK_THAT(r.fault->message(), Catch::Matchers::Contains(c.detail));
  }

  // Runs on the same image: the base arguments per channel and per tensor; per
  // tensor, the word after mult[0] or shift[0] is neither read nor checked (it
  // is outside the image, or a shift of 34); [x, x + K + 4) ending at the end
  // of guest memory (Q there is 0: zp = lo = hi = 0, pc = 0).
  struct Good {
    std::uint32_t x, mult, shift;
    std::optional<std::uint32_t> q;
  };
  const Good goods[] = {
      {X, M, S, {}}, {X, M, S, q0}, {X, E - 4, S, q0}, {X, M, E - 4, q0}, {X, M, X + 92, q0}, {kGuestEnd - 12, M, S, {}},
  };
  for (const Good& g : goods) {
    INFO("x " << g.x << " mult " << g.mult << " shift " << g.shift << " Q " << (g.q ? *g.q : q1));
    std::vector<Store> stores;
    if (g.q) stores.push_back({g.x + 8, *g.q});
    const RunResult r = run(make_program(dense4_program(g.x, W, 8, B, g.mult, g.shift, stores), data, 0x1000), {});
    REQUIRE(r.status == RunStatus::Exited);
    CHECK(r.regs[18] == 0);  // zero sums and biases: out = zp = 0
  }
}
