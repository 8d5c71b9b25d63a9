// The CUDA backend's kernels without a GPU: each kernel body in
// cuda/kernels/ runs under the host emulation of its launch (cuda/emulate.h,
// grid and block loops calling the same thread_entry as the __global__
// wrapper) through the same KernelHal the GPU uses, and is compared with the
// CPU HAL bit for bit on random inputs.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "cuda/emulate.h"
#include "cuda/kernels/hal_kernels.h"
#include "cuda/kernels/launch.h"
#include "cuda/kernels/ntt_kernels.h"
#include "cuda/kernels/sha256.h"
#include "prover/fri/fold.h"
#include "prover/hal/hal.h"
#include "prover/hash/hash.h"
#include "prover/merkle/merkle.h"
#include "tests/cuda/random.h"

using namespace zkvm;
using field::Fp;
using field::Fp4;

namespace {

using cuda_test::Rng;

RowMajorMatrix<Fp> random_matrix(size_t w, size_t h, Rng& rng) {
  RowMajorMatrix<Fp> m(w, h);
  for (auto& v : m.values) v = rng.fp();
  return m;
}

// Sizes around the block size (256) and the per-thread inversion count (8).
const std::vector<size_t> kOddSizes = {1, 2, 3, 7, 8, 9, 255, 256, 257, 1000, 2047, 2049, 4097};

// Records the flat index the launch machinery hands to a body.
struct RecordIndex {
  static void run(uint64_t i, uint64_t* out) { *out = i; }
};

}  // namespace

TEST_CASE("launch index arithmetic is 64-bit past 2^32 threads and elements") {
  // Block 2^24 + 3 of 256 threads: the u32 product blockIdx.x * blockDim.x
  // would wrap; the helper must not.
  const uint64_t block = (uint64_t{1} << 24) + 3;
  REQUIRE(gpu::global_index(block, 256, 5) == block * 256 + 5);
  REQUIRE(gpu::global_index(block, 256, 5) > (uint64_t{1} << 32));
  REQUIRE(static_cast<uint32_t>(block) * 256u + 5u != gpu::global_index(block, 256, 5));
  uint64_t seen = 0;
  gpu::thread_entry<RecordIndex>(block, 256, 5, UINT64_MAX, &seen);
  REQUIRE(seen == block * 256 + 5);
  // Bounds: a thread at or past `total` does not run.
  seen = 7;
  gpu::thread_entry<RecordIndex>(block, 256, 5, block * 256 + 5, &seen);
  REQUIRE(seen == 7);
  REQUIRE(gpu::grid_for((uint64_t{1} << 33) + 1) == (uint64_t{1} << 25) + 1);

  // Row-major offsets of a 2^27-row, 64-column matrix (2^33 elements).
  REQUIRE(gpu::elem_index((uint64_t{1} << 27) - 1, 64, 63) == (uint64_t{1} << 33) - 1);

}

TEST_CASE("DIF tiles pair the rows and twiddles of the radix-2 DIF, 64-bit past 2^32 elements") {
  // Every tile geometry of small transforms against the stage-by-stage
  // definition: stage s pairs rows r and r + h, h = n >> (s+1), within groups
  // of 2h rows, twiddle (r mod h) << s; every row in exactly one tile.
  for (unsigned log_n = 1; log_n <= 8; ++log_n)
    for (unsigned stage0 = 0; stage0 < log_n; ++stage0)
      for (unsigned k = 1; stage0 + k <= log_n; ++k) {
        INFO("log_n " << log_n << ", stages " << stage0 << ".." << stage0 + k - 1);
        const gpu::DifTileGeom geo{log_n, stage0, k};
        const uint64_t n = uint64_t{1} << log_n, t = uint64_t{1} << k;
        std::vector<int> hits(n);
        for (uint64_t sub = 0; sub < n / t; ++sub) {
          for (uint64_t m = 0; m < t; ++m) ++hits[geo.row(sub, m)];
          for (unsigned p = 0; p < k; ++p) {
            const uint64_t hl = t >> (p + 1), h = n >> (stage0 + p + 1);
            for (uint64_t l0 = 0; l0 < t; ++l0) {
              if (l0 & hl) continue;  // second of its pair
              const uint64_t r = geo.row(sub, l0);
              REQUIRE((r & h) == 0);
              REQUIRE(geo.row(sub, l0 + hl) == r + h);
              REQUIRE(geo.twiddle(sub, l0, p) == (r & (h - 1)) << (stage0 + p));
            }
          }
        }
        for (int c : hits) REQUIRE(c == 1);
      }
  // 2^27 rows x 64 columns: element offsets up to 2^33 from sub-transform
  // and element indices, and the twiddle index stays below n/2.
  for (unsigned stage0 : {0u, 9u, 18u}) {
    const gpu::DifTileGeom geo{27, stage0, 9};
    const uint64_t subs = uint64_t{1} << 18;
    for (uint64_t sub : {uint64_t{0}, subs / 2 + 12345, subs - 1}) {
      INFO("stage0 " << stage0 << ", sub " << sub);
      const uint64_t r = geo.row(sub, 511);
      REQUIRE(r < (uint64_t{1} << 27));
      const unsigned ls = geo.log_stride();
      REQUIRE(((r >> ls) & 511) == 511);
      REQUIRE((((r >> (ls + 9)) << ls) | (r & ((uint64_t{1} << ls) - 1))) == sub);
      REQUIRE(geo.twiddle(sub, 255, 0) < (uint64_t{1} << 26));
    }
    REQUIRE(gpu::elem_index(geo.row(subs - 1, 511), 64, 63) == (uint64_t{1} << 33) - 1);
  }
}

TEST_CASE("device bit reversal equals the CPU's") {
  std::mt19937_64 g(9);
  for (unsigned bits = 0; bits <= 40; ++bits)
    for (int k = 0; k < 50; ++k) {
      const uint64_t x = bits == 0 ? 0 : g() & ((uint64_t{1} << bits) - 1);
      REQUIRE(gpu::reverse_bits(x, bits) == fri::reverse_bits(x, bits));
    }
}

TEST_CASE("emulated fri_fold equals the CPU HAL at every arity, odd sizes and 2^20") {
  auto cpu = hal::make_cpu_hal();
  auto emu = gpu::make_emulated_hal();
  Rng rng(1);
  for (unsigned m = 1; m <= 20; m += (m < 13 ? 1 : 7)) {
    std::vector<Fp4> cw(size_t{1} << m);
    for (auto& v : cw) v = rng.fp4();
    for (unsigned k = 1; k <= std::min(m, 4u); ++k) {
      INFO("log size " << m << ", log arity " << k);
      std::vector<Fp4> betas(k);
      for (auto& b : betas) b = rng.fp4();
      REQUIRE(emu->fri_fold(cw, betas) == cpu->fri_fold(cw, betas));
    }
  }
  std::vector<Fp4> cw(12);
  REQUIRE_THROWS_WITH(emu->fri_fold(cw, std::vector<Fp4>{Fp4::one()}),
                      Catch::Contains("fri_fold of size 12 by arity 2^1"));
}

TEST_CASE("emulated reduce_rows equals the CPU HAL, heights off the block size and 2^20 elements") {
  auto cpu = hal::make_cpu_hal();
  auto emu = gpu::make_emulated_hal();
  Rng rng(2);
  struct Shape {
    size_t w, h;
  };
  std::vector<Shape> shapes;
  for (size_t h : kOddSizes)
    for (size_t w : {1, 5, 16, 33}) shapes.push_back({w, h});
  shapes.push_back({16, size_t{1} << 16});  // 2^20 elements
  for (const auto& [w, h] : shapes) {
    INFO(w << " x " << h);
    const auto m = random_matrix(w, h, rng);
    std::vector<Fp4> coeffs(w);
    for (auto& c : coeffs) c = rng.fp4();
    std::vector<Fp4> a(h), b(h);
    cpu->reduce_rows(m, coeffs, a);
    emu->reduce_rows(m, coeffs, b);
    REQUIRE(a == b);
    // The first rows only (the PCS reduces a matrix's first n LDE rows).
    std::vector<Fp4> ha(h / 3), hb(h / 3);
    cpu->reduce_rows(m, coeffs, ha);
    emu->reduce_rows(m, coeffs, hb);
    REQUIRE(ha == hb);
    REQUIRE(std::equal(ha.begin(), ha.end(), a.begin()));
  }
  const auto m = random_matrix(3, 4, rng);
  std::vector<Fp4> coeffs(2), out(4);
  REQUIRE_THROWS_WITH(emu->reduce_rows(m, coeffs, out),
                      Catch::Contains("reduce_rows shape mismatch (3 x 4 matrix, 2 coeffs"));
  std::vector<Fp4> coeffs3(3), out5(5);
  REQUIRE_THROWS_WITH(emu->reduce_rows(m, coeffs3, out5), Catch::Contains("3 coeffs, 5 outputs"));
  REQUIRE_THROWS_WITH(cpu->reduce_rows(m, coeffs3, out5), Catch::Contains("3 coeffs, 5 outputs"));
}

TEST_CASE("emulated column_sums equals the CPU HAL, multi-level sums and 2^20 elements") {
  auto cpu = hal::make_cpu_hal();
  auto emu = gpu::make_emulated_hal();
  Rng rng(3);
  struct Shape {
    size_t w, h, rows;
  };
  std::vector<Shape> shapes;
  for (size_t h : kOddSizes)
    for (size_t w : {1, 4, 17}) {
      shapes.push_back({w, h, h});
      shapes.push_back({w, h, h / 2});  // a prefix of the rows (rows may be 0)
    }
  // 2^14 rows x 64 columns = 2^20 elements; 64 * 256 + 1 rows needs three
  // summation levels (65 chunks -> 2 -> 1).
  shapes.push_back({64, size_t{1} << 14, size_t{1} << 14});
  shapes.push_back({3, 64 * 256 + 1, 64 * 256 + 1});
  for (const auto& [w, h, rows] : shapes) {
    INFO(w << " x " << h << ", rows " << rows);
    const auto m = random_matrix(w, h, rng);
    std::vector<Fp4> wts(rows);
    for (auto& x : wts) x = rng.fp4();
    std::vector<Fp4> a(w), b(w, Fp4::one());
    cpu->column_sums(m, rows, wts, a);
    emu->column_sums(m, rows, wts, b);
    REQUIRE(a == b);
  }
}

TEST_CASE("emulated batch_inverse equals the CPU HAL, in place too, and names a zero") {
  auto cpu = hal::make_cpu_hal();
  auto emu = gpu::make_emulated_hal();
  Rng rng(4);
  std::vector<size_t> sizes = kOddSizes;
  sizes.push_back(size_t{1} << 20);
  for (size_t n : sizes) {
    INFO("n " << n);
    std::vector<Fp4> in(n);
    for (auto& v : in) v = rng.fp4_nonzero();
    std::vector<Fp4> a(n), b(n);
    cpu->batch_inverse(in, a);
    emu->batch_inverse(in, b);
    REQUIRE(a == b);
    emu->batch_inverse(in, in);  // out aliases in
    REQUIRE(in == a);
  }
  std::vector<Fp4> in(3000), out(3000);
  for (auto& v : in) v = rng.fp4_nonzero();
  in[2900] = Fp4();
  in[1717] = Fp4();
  REQUIRE_THROWS_WITH(emu->batch_inverse(in, out), Catch::Contains("zero element (index 1717)"));
}

TEST_CASE("emulated inverse_differences equals the CPU HAL and names a point equal to z") {
  auto cpu = hal::make_cpu_hal();
  auto emu = gpu::make_emulated_hal();
  Rng rng(5);
  std::vector<size_t> sizes = kOddSizes;
  sizes.push_back(size_t{1} << 20);
  for (size_t n : sizes) {
    INFO("n " << n);
    std::vector<Fp> xs(n);
    for (auto& x : xs) x = rng.fp();
    const Fp4 z = rng.fp4(), scale = rng.fp4();
    std::vector<Fp4> a(n), b(n);
    cpu->inverse_differences(xs, z, scale, a);
    emu->inverse_differences(xs, z, scale, b);
    REQUIRE(a == b);
  }
  std::vector<Fp> xs(500);
  for (auto& x : xs) x = rng.fp();
  std::vector<Fp4> out(500);
  REQUIRE_THROWS_WITH(emu->inverse_differences(xs, Fp4(xs[321]), Fp4::one(), out),
                      Catch::Contains("point 321 equals z"));
}

TEST_CASE("emulated coset_lde equals the CPU HAL (bit-reversed) at every blowup") {
  auto cpu = hal::make_cpu_hal();
  auto emu = gpu::make_emulated_hal();
  Rng rng(6);
  for (unsigned log_n : {0u, 1u, 2u, 3u, 5u, 8u, 10u})
    for (size_t w : {1, 3, 17})
      for (unsigned log_blowup : {0u, 1u, 2u, 3u}) {
        INFO("2^" << log_n << " x " << w << ", blowup 2^" << log_blowup);
        const auto m = random_matrix(w, size_t{1} << log_n, rng);
        const Fp shift = log_blowup == 2 ? rng.fp() : field::kMultiplicativeGenerator;
        REQUIRE(emu->coset_lde(m, log_blowup, shift) == cpu->coset_lde(m, log_blowup, shift));
      }
  // Heights past one tile (2^9): two and more DifTile passes; 12 columns:
  // a full block of 8 and a partial one.
  for (unsigned log_n : {9u, 11u, 12u, 13u, 15u})
    for (unsigned log_blowup : {1u, 2u}) {
      const size_t w = log_n == 11 || log_n == 13 ? 12 : 3;
      INFO("2^" << log_n << " x " << w << ", blowup 2^" << log_blowup);
      const auto m = random_matrix(w, size_t{1} << log_n, rng);
      const Fp shift = rng.fp();
      REQUIRE(emu->coset_lde(m, log_blowup, shift) == cpu->coset_lde(m, log_blowup, shift));
    }
  RowMajorMatrix<Fp> bad(2, 12);
  REQUIRE_THROWS_WITH(emu->coset_lde(bad, 1, Fp::one()),
                      Catch::Contains("height 12 is not a power of two"));
  RowMajorMatrix<Fp> tall(1, 1024);
  REQUIRE_THROWS_WITH(emu->coset_lde(tall, 18, Fp::one()),
                      Catch::Contains("2^28 exceeds the field's two-adicity"));
}

TEST_CASE("emulated coset_lde equals the CPU HAL on 2^16 rows x 8 columns and 2^20 x 1") {
  auto cpu = hal::make_cpu_hal();
  auto emu = gpu::make_emulated_hal();
  Rng rng(7);
  for (auto [log_n, w] : {std::pair<unsigned, size_t>{16, 8}, {20, 1}}) {
    INFO("2^" << log_n << " x " << w);
    const auto m = random_matrix(w, size_t{1} << log_n, rng);
    REQUIRE(emu->coset_lde(m, 1, field::kMultiplicativeGenerator) ==
            cpu->coset_lde(m, 1, field::kMultiplicativeGenerator));
  }
}

TEST_CASE("emulated kernels give the same results with a 64-thread block") {
  auto cpu = hal::make_cpu_hal();
  auto emu = gpu::make_emulated_hal(64);
  Rng rng(8);
  const auto m = random_matrix(5, 1024, rng);
  REQUIRE(emu->coset_lde(m, 2, Fp(field::kMultiplicativeGenerator)) ==
          cpu->coset_lde(m, 2, Fp(field::kMultiplicativeGenerator)));
  std::vector<Fp4> in(999), a(999), b(999);
  for (auto& v : in) v = rng.fp4_nonzero();
  cpu->batch_inverse(in, a);
  emu->batch_inverse(in, b);
  REQUIRE(a == b);
}

TEST_CASE("the dual backend (cpu, cuda-emulated) runs every kernel without a difference") {
  auto dual = hal::make_dual_hal(hal::make_cpu_hal(), gpu::make_emulated_hal());
  REQUIRE(dual->name() == "dual(cpu, cuda-emulated)");
  Rng rng(10);
  const auto m = random_matrix(6, 512, rng);
  const auto lde = dual->coset_lde(m, 2, field::kMultiplicativeGenerator);
  std::vector<Fp4> coeffs(6), rr(lde.height), ws(300), cs(6);
  for (auto& c : coeffs) c = rng.fp4();
  for (auto& x : ws) x = rng.fp4();
  dual->reduce_rows(lde, coeffs, rr);
  dual->column_sums(lde, ws.size(), ws, cs);
  std::vector<Fp> xs(lde.height);
  for (auto& x : xs) x = rng.fp();
  std::vector<Fp4> den(xs.size());
  dual->inverse_differences(xs, rng.fp4(), rng.fp4(), den);
  dual->batch_inverse(den, den);
  const auto folded = dual->fri_fold(rr, std::vector<Fp4>{rng.fp4(), rng.fp4(), rng.fp4()});
  REQUIRE(folded.size() == rr.size() / 8);
  // merkle_commit: the dual HAL compares roots and every leaf digest.
  const auto tree = dual->merkle_commit({lde, random_matrix(3, 256, rng)}, {}, 0);
  REQUIRE(tree->height() == lde.height);
  // commit_ldes: the device path (LDEs hashed where they lie) against the
  // CPU's coset_lde + merkle_commit, salted, two heights.
  const auto round = dual->commit_ldes({m, random_matrix(2, 64, rng)}, 2, field::kMultiplicativeGenerator,
                                       std::vector<uint8_t>(16 * (2048 + 256), 7), 16);
  REQUIRE(round->height() == 2048);
}

namespace {
// SHA-256 of a whole message with the shared compression function: FIPS
// 180-4 padding (0x80, zeros, 64-bit big-endian bit length) done here.
std::string device_sha256_hex(const std::vector<uint8_t>& msg) {
  std::vector<uint8_t> m = msg;
  const uint64_t bits = uint64_t{msg.size()} * 8;
  m.push_back(0x80);
  while (m.size() % 64 != 56) m.push_back(0);
  for (int k = 7; k >= 0; --k) m.push_back(static_cast<uint8_t>(bits >> (8 * k)));
  auto st = gpu::sha256_initial_state();
  for (size_t b = 0; b < m.size(); b += 64) {
    uint32_t w[16];
    for (int t = 0; t < 16; ++t)
      w[t] = uint32_t{m[b + 4 * t]} << 24 | uint32_t{m[b + 4 * t + 1]} << 16 |
             uint32_t{m[b + 4 * t + 2]} << 8 | uint32_t{m[b + 4 * t + 3]};
    gpu::sha256_compress(st, w);
  }
  hash::Digest d;
  for (int k = 0; k < 8; ++k)
    for (int j = 0; j < 4; ++j) d.bytes[4 * k + j] = static_cast<uint8_t>(st.h[k] >> (24 - 8 * j));
  return d.hex();
}
std::vector<uint8_t> bytes_of(const std::string& s) { return {s.begin(), s.end()}; }
}  // namespace

TEST_CASE("device SHA-256 compression gives the FIPS 180-4 example digests and OpenSSL's") {
  // Known answers: the SHA-256 examples of FIPS 180-4 (NIST's "SHA256.pdf"
  // example computations: one block "abc", two blocks of 448 bits) and the
  // well-known digest of the empty message.
  REQUIRE(device_sha256_hex(bytes_of("abc")) ==
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  REQUIRE(device_sha256_hex(bytes_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  REQUIRE(device_sha256_hex({}) ==
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  std::mt19937_64 g(11);
  for (size_t len = 0; len < 200; len += 1 + len / 8) {
    std::vector<uint8_t> msg(len);
    for (auto& b : msg) b = static_cast<uint8_t>(g());
    INFO("length " << len);
    REQUIRE(device_sha256_hex(msg) == hash::sha256(msg).hex());
  }
}

TEST_CASE("emulated Merkle leaves and layers equal MerkleTree's digests, salted and batched") {
  auto emu = gpu::make_emulated_hal();
  Rng rng(12);
  struct Case {
    std::vector<size_t> widths;
    size_t height, salt_len;
  };
  // Widths 15/16/17 put the leaf bytes just under, at and over one block;
  // salts of 3, 16 and 61 bytes end mid-word, on a word and across blocks.
  const std::vector<Case> cases = {
      {{1}, 1, 0},       {{0}, 4, 0},        {{0}, 4, 3},       {{15}, 8, 0},
      {{16}, 8, 0},      {{17}, 8, 0},       {{16}, 8, 16},     {{15}, 16, 3},
      {{3, 5, 8}, 256, 0}, {{3, 5, 8}, 256, 61}, {{64}, 1024, 16}, {{7}, 4096, 0}};
  for (const auto& c : cases) {
    INFO("widths " << c.widths.size() << " first " << c.widths[0] << ", height " << c.height
                   << ", salt " << c.salt_len);
    std::vector<RowMajorMatrix<Fp>> mats;
    for (size_t w : c.widths) mats.push_back(random_matrix(w, c.height, rng));
    std::vector<uint8_t> salts(c.height * c.salt_len);
    for (auto& b : salts) b = static_cast<uint8_t>(rng.g());
    const auto levels = emu->merkle_levels(mats, salts, c.salt_len);
    const merkle::MerkleTree tree(mats, salts, c.salt_len);
    REQUIRE(levels.size() == tree.log_height() + 1);
    REQUIRE(levels.back().size() == 1);
    REQUIRE(levels.back()[0] == tree.root());
    for (uint64_t i = 0; i < c.height; ++i) REQUIRE(levels[0][i] == tree.leaf_digest(i));
  }
  std::vector<RowMajorMatrix<Fp>> bad;
  bad.push_back(random_matrix(2, 4, rng));
  bad.push_back(random_matrix(2, 8, rng));
  REQUIRE_THROWS_WITH(emu->merkle_levels(bad, {}, 0),
                      Catch::Contains("matrix 1: height 8 after a shorter matrix (tallest first)"));
  bad[1] = random_matrix(2, 2, rng);
  bad[1].values.pop_back();
  REQUIRE_THROWS_WITH(emu->merkle_levels(bad, {}, 0), Catch::Contains("matrix 1 holds 3 values, expected 2 x 2"));
  REQUIRE_THROWS_WITH(emu->merkle_levels({random_matrix(2, 8, rng)}, std::vector<uint8_t>(7), 1),
                      Catch::Contains("7 salt bytes for 8 rows of 1"));
}

namespace {
// Matrices of these (width, height) pairs, tallest first, and salts for
// every row of every height group.
struct MixedCase {
  std::vector<std::pair<size_t, size_t>> shapes;
  size_t salt_len;
};
std::pair<std::vector<RowMajorMatrix<Fp>>, std::vector<uint8_t>> mixed_inputs(const MixedCase& c, Rng& rng) {
  std::vector<RowMajorMatrix<Fp>> mats;
  size_t salt_rows = 0;
  for (size_t k = 0; k < c.shapes.size(); ++k) {
    mats.push_back(random_matrix(c.shapes[k].first, c.shapes[k].second, rng));
    if (k == 0 || c.shapes[k].second != c.shapes[k - 1].second) salt_rows += c.shapes[k].second;
  }
  std::vector<uint8_t> salts(salt_rows * c.salt_len);
  for (auto& b : salts) b = static_cast<uint8_t>(rng.g());
  return {std::move(mats), std::move(salts)};
}
}  // namespace

TEST_CASE("emulated Merkle levels of mixed-height trees equal MerkleTree's, and merkle_commit opens as the CPU tree") {
  auto emu = gpu::make_emulated_hal();
  Rng rng(14);
  // Groups joining at level 1, at several levels, at the root (height 1),
  // two matrices per group, widths of zero and across SHA blocks, salted.
  const std::vector<MixedCase> cases = {
      {{{4, 8}, {3, 4}}, 0},
      {{{4, 8}, {3, 4}}, 16},
      {{{17, 64}, {0, 32}, {5, 32}, {16, 8}, {1, 1}}, 0},
      {{{17, 64}, {2, 16}, {16, 8}, {9, 2}, {1, 1}}, 61},
      {{{1, 1024}, {64, 512}, {7, 4}}, 3},
  };
  for (const auto& c : cases) {
    INFO("first shape " << c.shapes[0].first << " x " << c.shapes[0].second << ", " << c.shapes.size()
                        << " matrices, salt " << c.salt_len);
    const auto [mats, salts] = mixed_inputs(c, rng);
    const merkle::MerkleTree tree(mats, salts, c.salt_len);
    const auto levels = emu->merkle_levels(mats, salts, c.salt_len);
    REQUIRE(levels.size() == tree.log_height() + 1);
    REQUIRE(levels.back()[0] == tree.root());
    for (uint64_t i = 0; i < tree.height(); ++i) REQUIRE(levels[0][i] == tree.leaf_digest(i));
    // merkle_commit: device digests in a host tree; openings identical to
    // the CPU tree's, lowest levels recomputed from the rows.
    const auto dev = emu->merkle_commit(mats, salts, c.salt_len);
    REQUIRE(dev->root() == tree.root());
    std::vector<uint64_t> idx;
    for (uint64_t i = 0; i < tree.height(); i += 1 + tree.height() / 5) idx.push_back(i);
    idx.push_back(tree.height() - 1);
    const auto a = tree.open_batch(idx), b = dev->open_batch(idx);
    REQUIRE(a.rows == b.rows);
    REQUIRE(a.salts == b.salts);
    REQUIRE(a.proof.siblings == b.proof.siblings);
    std::vector<merkle::MatrixShape> shapes;
    for (const auto& m : mats) shapes.push_back({m.height, m.width});
    REQUIRE(merkle::merkle_verify_mixed(dev->root(), shapes, c.salt_len, b.indices, b.rows, b.salts, b.proof).ok());
  }
}

TEST_CASE("emulated kernels give the CPU HAL's results with threads run in reverse and shuffled order") {
  // A kernel whose threads depend on each other's writes within a launch (a
  // race on a GPU) would change its result here.
  auto cpu = hal::make_cpu_hal();
  Rng rng(13);
  const auto m = random_matrix(3, size_t{1} << 11, rng);  // LDE: two DifTile passes
  std::vector<Fp4> cw(size_t{1} << 12), coeffs(3), ws(1500), in(3001);
  for (auto& v : cw) v = rng.fp4();
  for (auto& v : coeffs) v = rng.fp4();
  for (auto& v : ws) v = rng.fp4();
  for (auto& v : in) v = rng.fp4_nonzero();
  std::vector<Fp> xs(3001);
  for (auto& x : xs) x = rng.fp();
  const Fp4 z = rng.fp4(), scale = rng.fp4();
  const Fp shift = rng.fp();
  const std::vector<Fp4> betas{rng.fp4(), rng.fp4(), rng.fp4()};
  std::vector<RowMajorMatrix<Fp>> mats = {random_matrix(5, 512, rng)};
  std::vector<uint8_t> salts(512 * 7);
  for (auto& b : salts) b = static_cast<uint8_t>(rng.g());
  for (auto order : {gpu::HostExec::Order::Reverse, gpu::HostExec::Order::Shuffled}) {
    INFO("order " << static_cast<int>(order));
    auto emu = gpu::make_emulated_hal(gpu::kBlockDim, order);
    REQUIRE(emu->coset_lde(m, 2, shift) == cpu->coset_lde(m, 2, shift));
    REQUIRE(emu->fri_fold(cw, betas) == cpu->fri_fold(cw, betas));
    std::vector<Fp4> a(m.height), b(m.height);
    cpu->reduce_rows(m, coeffs, a);
    emu->reduce_rows(m, coeffs, b);
    REQUIRE(a == b);
    std::vector<Fp4> ca(3), cb(3);
    cpu->column_sums(m, ws.size(), ws, ca);
    emu->column_sums(m, ws.size(), ws, cb);
    REQUIRE(ca == cb);
    std::vector<Fp4> ia(in.size()), ib(in.size());
    cpu->batch_inverse(in, ia);
    emu->batch_inverse(in, ib);
    REQUIRE(ia == ib);
    cpu->inverse_differences(xs, z, scale, ia);
    emu->inverse_differences(xs, z, scale, ib);
    REQUIRE(ia == ib);
    REQUIRE(emu->merkle_levels(mats, salts, 7).back()[0] ==
            merkle::MerkleTree(mats, salts, 7).root());
  }
}

TEST_CASE("emulated commit_ldes equals the CPU HAL's and keeps the tree's LDEs on the device while it lives") {
  auto cpu = hal::make_cpu_hal();
  const bool host_ldes = GENERATE(true, false);
  INFO((host_ldes ? "host copies too" : "device only"));
  auto emu = gpu::make_emulated_hal(gpu::kBlockDim, gpu::HostExec::Order::Natural, host_ldes);
  REQUIRE(emu->ldes_on_device_only() == !host_ldes);
  Rng rng(21);
  // Two heights (a mixed tree), one column past a SHA block, salted.
  std::vector<RowMajorMatrix<Fp>> traces = {random_matrix(19, 256, rng), random_matrix(3, 64, rng)};
  std::vector<uint8_t> salts(16 * (1024 + 256));
  for (auto& b : salts) b = static_cast<uint8_t>(rng.g());
  const Fp shift = Fp::from_u64(31);
  const auto want = cpu->commit_ldes(traces, 2, shift, salts, 16);
  const uint64_t down = emu->exec().downloaded();
  auto tree = emu->commit_ldes(traces, 2, shift, salts, 16);
  REQUIRE(tree->root() == want->root());
  const uint64_t lde_bytes = (19 * 1024 + 3 * 256) * sizeof(Fp);
  REQUIRE(emu->resident_bytes() == lde_bytes);
  // What comes back: the stored levels' digests (levels 2..10 of 1024
  // leaves: 511 of 32 bytes), and the LDEs only with host copies.
  REQUIRE(emu->exec().downloaded() - down == 511 * 32 + (host_ldes ? lde_bytes : 0));
  for (size_t m = 0; m < 2; ++m) {
    REQUIRE(tree->matrix_height(m) == want->matrix_height(m));
    REQUIRE(tree->matrices()[m].width == want->matrices()[m].width);
    if (host_ldes)
      REQUIRE(tree->matrices()[m] == want->matrices()[m]);
    else
      REQUIRE(tree->matrices()[m].height == 0);  // no host rows
  }

  const auto& m0 = tree->matrices()[0];
  std::vector<Fp4> coeffs(m0.width);
  for (auto& c : coeffs) c = rng.fp4();
  std::vector<Fp4> weights(300);
  for (auto& w : weights) w = rng.fp4();
  // Runs both kernels on emu with m and on the CPU with the CPU tree's
  // matrix; returns the bytes emu uploaded.
  auto run = [&](const RowMajorMatrix<Fp>& m, size_t rows) {
    const auto& w0 = want->matrices()[0];
    std::vector<Fp4> a(rows), b(rows), s(m.width), t(m.width);
    const uint64_t up = emu->exec().uploaded();
    emu->reduce_rows(m, coeffs, a);
    emu->column_sums(m, rows, std::span<const Fp4>(weights).first(rows), s);
    cpu->reduce_rows(w0, coeffs, b);
    cpu->column_sums(w0, rows, std::span<const Fp4>(weights).first(rows), t);
    REQUIRE(a == b);
    REQUIRE(s == t);
    return emu->exec().uploaded() - up;
  };
  // The tree's matrix: read on the device, only the coefficients and
  // weights go up.
  const uint64_t hits = emu->resident_hits();
  const uint64_t small = (m0.width + 300) * sizeof(Fp4);
  REQUIRE(run(m0, 300) == small);
  REQUIRE(emu->resident_hits() == hits + 2);

  // The rows an opening reads, gathered on the device.
  const std::vector<uint64_t> idx = {0, 5, 777, 1023};
  const auto rows0 = tree->rows_for_opening(0, idx), rows1 = tree->rows_for_opening(1, idx);
  auto got0 = emu->resident_rows(tree->matrices()[0], rows0);
  auto got1 = emu->resident_rows(tree->matrices()[1], rows1);
  REQUIRE(got0.has_value());
  REQUIRE(got1.has_value());
  for (const auto& [r, v] : *got0) REQUIRE(std::vector<Fp>(want->matrices()[0].row(r).begin(), want->matrices()[0].row(r).end()) == v);
  REQUIRE_THROWS_WITH(emu->resident_rows(m0, std::vector<uint64_t>{1024}),
                      Catch::Contains("resident_rows: row 1024 outside the matrix's 1024 rows"));
  REQUIRE_FALSE(cpu->resident_rows(want->matrices()[0], rows0).has_value());

  if (host_ldes) {
    // An equal matrix that is not the tree's is uploaded.
    const RowMajorMatrix<Fp> copy = m0;
    REQUIRE(run(copy, 300) == small + 2 * 300 * m0.width * sizeof(Fp));
    REQUIRE(emu->resident_hits() == hits + 2);
    // drop_rows cuts the host rows; the device copy's first rows are the same.
    tree->drop_rows(0, 512);
    REQUIRE(run(tree->matrices()[0], 300) == small);
    REQUIRE(emu->resident_hits() == hits + 4);
  } else {
    // A copy of a row-less matrix has no rows to read.
    const RowMajorMatrix<Fp> copy = m0;
    std::vector<Fp4> out(300);
    REQUIRE_THROWS_WITH(emu->reduce_rows(copy, coeffs, out), Catch::Contains("reduce_rows shape mismatch"));
    REQUIRE_FALSE(emu->resident_rows(copy, rows0).has_value());
    // The tree opens once the rows an opening reads are restored from the
    // device, as the CPU tree does.
    REQUIRE_THROWS_AS(tree->open_batch(idx), std::logic_error);
    tree->restore_rows(0, std::move(*got0));
    tree->restore_rows(1, std::move(*got1));
    const auto a = tree->open_batch(idx), b = want->open_batch(idx);
    REQUIRE(a.rows == b.rows);
    REQUIRE(a.salts == b.salts);
    REQUIRE(a.proof.siblings == b.proof.siblings);
  }
  // The device copies go with the tree.
  tree.reset();
  REQUIRE(emu->resident_bytes() == 0);
}

TEST_CASE("make_dual_hal refuses a first backend whose trees hold no rows") {
  REQUIRE_THROWS_WITH(hal::make_dual_hal(gpu::make_emulated_hal(), hal::make_cpu_hal()),
                      Catch::Contains("keeps its LDEs on the device only"));
  REQUIRE_NOTHROW(hal::make_dual_hal(
      gpu::make_emulated_hal(gpu::kBlockDim, gpu::HostExec::Order::Natural, /*host_ldes=*/true), hal::make_cpu_hal()));
}

TEST_CASE("emulated coset_lde and fri_fold build their constant tables once per size") {
  auto cpu = hal::make_cpu_hal();
  auto emu = gpu::make_emulated_hal();
  Rng rng(22);
  const auto m = random_matrix(5, 1024, rng);
  const Fp shift = field::kMultiplicativeGenerator;
  auto launches = [&](auto&& f) {
    const uint64_t before = emu->exec().launches();
    f();
    return emu->exec().launches() - before;
  };
  RowMajorMatrix<Fp> a, b;
  const uint64_t first = launches([&] { a = emu->coset_lde(m, 2, shift); });
  const uint64_t again = launches([&] { b = emu->coset_lde(m, 2, shift); });
  const auto want = cpu->coset_lde(m, 2, shift);
  REQUIRE(a == want);
  REQUIRE(b == want);
  // The twiddles (2 x 9 doublings), the shift's and the two generators'
  // powers (10 + 10 + 2): 40 ExtendTable launches saved.
  REQUIRE(first == again + 40);
  // Another shift: its power table only.
  const uint64_t other = launches([&] { b = emu->coset_lde(m, 2, Fp::one()); });
  REQUIRE(b == cpu->coset_lde(m, 2, Fp::one()));
  REQUIRE(other == again + 10);

  std::vector<Fp4> cw(4096);
  for (auto& v : cw) v = rng.fp4();
  const std::vector<Fp4> betas = {rng.fp4(), rng.fp4(), rng.fp4()};
  std::vector<Fp4> x, y;
  const uint64_t fold_first = launches([&] { x = emu->fri_fold(cw, betas); });
  const uint64_t fold_again = launches([&] { y = emu->fri_fold(cw, betas); });
  REQUIRE(x == cpu->fri_fold(cw, betas));
  REQUIRE(y == x);
  REQUIRE(fold_first == fold_again + 11);  // the 1/(2x) table: 11 doublings
}

TEST_CASE("emulated fri_commit equals the CPU HAL's layer by layer with the codewords on the device") {
  auto cpu = hal::make_cpu_hal();
  auto emu = gpu::make_emulated_hal();
  Rng rng(23);
  auto random_cw = [&](size_t n) {
    std::vector<Fp4> v(n);
    for (auto& x : v) x = rng.fp4();
    return v;
  };
  // Inputs joining after the first fold and after the third; arities 8, 8,
  // 2 and 4.
  const std::vector<std::vector<Fp4>> inputs = {random_cw(4096), random_cw(512), random_cw(32)};
  const std::vector<std::pair<unsigned, unsigned>> plan = {{12, 3}, {9, 3}, {6, 1}, {5, 2}};
  // Challenges from the root, as a transcript would draw them: a wrong
  // root gives other challenges.
  auto betas = [](size_t l, const hash::Digest& root) {
    std::vector<Fp4> b;
    for (unsigned k = 0; k < 4; ++k)
      b.push_back(Fp4::from_base(Fp::from_u64(root.bytes[k] + 7 * l + 1), Fp::from_u64(root.bytes[k + 4]),
                                 Fp::from_u64(k), Fp::one()));
    return b;
  };
  std::vector<size_t> arity;
  for (const auto& p : plan) arity.push_back(p.second);
  auto betas_k = [&](size_t l, const hash::Digest& root) {
    auto b = betas(l, root);
    b.resize(arity[l]);
    return b;
  };
  auto join = [](size_t l) { return Fp4(Fp::from_u64(100 + l)); };
  const auto want = cpu->fri_commit(inputs, plan, betas_k, join);
  const uint64_t up = emu->exec().uploaded(), down = emu->exec().downloaded();
  auto got = emu->fri_commit(inputs, plan, betas_k, join);
  REQUIRE(got.trees.size() == plan.size());
  for (size_t l = 0; l < plan.size(); ++l) REQUIRE(got.trees[l]->root() == want.trees[l]->root());
  REQUIRE(got.last == want.last);
  REQUIRE(got.last.size() == 8);
  // Up: each input once, and per layer the first entry of its pair table
  // and its tree's one matrix view.
  REQUIRE(emu->exec().uploaded() - up == (4096 + 512 + 32) * sizeof(Fp4) + 4 * (sizeof(Fp) + sizeof(gpu::MatView)));
  // Down: the stored Merkle levels (from level 2) and the last codeword.
  uint64_t digests = 0;
  for (const auto& [n, k] : plan)
    for (unsigned lv = std::min(2u, n - k); lv <= n - k; ++lv) digests += uint64_t{1} << (n - k - lv);
  REQUIRE(emu->exec().downloaded() - down == digests * 32 + 8 * sizeof(Fp4));
  // Each layer opens as the CPU's once its rows come from the device.
  const std::vector<uint64_t> leaves = {0, 3};
  for (size_t l = 0; l < plan.size(); ++l) {
    REQUIRE(got.trees[l]->matrices()[0].height == 0);
    REQUIRE(hal::restore_from_backend(*emu, *got.trees[l], 0, leaves));
    REQUIRE_FALSE(hal::restore_from_backend(*cpu, *want.trees[l], 0, leaves));
    const auto a = got.trees[l]->open_batch(leaves), b = want.trees[l]->open_batch(leaves);
    REQUIRE(a.rows == b.rows);
    REQUIRE(a.proof.siblings == b.proof.siblings);
  }
  REQUIRE_THROWS_WITH(emu->fri_commit(inputs, std::vector<std::pair<unsigned, unsigned>>{{11, 3}}, betas_k, join),
                      Catch::Contains("fri_commit: layer 0 has 4096 values, its plan 2^11"));
}
