// Accelerator calls in the emulator (docs/GUEST_ABI.md "Accelerator calls"):
// results against a plain signed-int8 loop written here, edge inputs, and
// the faults the ABI names.
#include "vm_test_util.h"

#include <catch2/catch.hpp>

#include <cstring>
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
