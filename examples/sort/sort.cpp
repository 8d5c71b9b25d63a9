// sort: reads a list of i32 from the private input, sorts it, and commits
// the count, the median and a checksum; the public claim is "this many
// values, with this median", without revealing the values.
//
//   input:   u32 n, then n little-endian i32 (n <= 4096)
//   journal: u32 n, i32 median (lower median, 0 when n = 0), u32 checksum
//            (FNV-1a over the sorted values' bytes)
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <numeric>
#include <span>
#include <vector>

#include <zkvm/guest.hpp>

namespace {

constexpr std::uint32_t kMaxValues = 4096;

std::uint32_t fnv1a(std::span<const std::int32_t> values) {
  std::uint32_t h = 2166136261u;
  for (std::int32_t v : values) {
    auto u = static_cast<std::uint32_t>(v);
    for (int i = 0; i < 4; ++i) {
      h ^= (u >> (8 * i)) & 0xff;
      h *= 16777619u;
    }
  }
  return h;
}

}  // namespace

int main() {
  const auto n = zkvm::read<std::uint32_t>();
  if (n > kMaxValues) zkvm_panic("sort: %lu values given, at most %lu allowed", (unsigned long)n,
                                 (unsigned long)kMaxValues);
  std::vector<std::int32_t> values(n);
  zkvm::read_into(std::span{values});

  std::sort(values.begin(), values.end());
  ZKVM_ASSERT(std::is_sorted(values.begin(), values.end()));

  const std::int32_t median = n ? values[(n - 1) / 2] : 0;
  // A fixed-size summary; std::array is trivially copyable, so one commit.
  const std::array<std::uint32_t, 3> claim{n, static_cast<std::uint32_t>(median), fnv1a(values)};
  zkvm::commit(claim);

  const std::int64_t sum = std::accumulate(values.begin(), values.end(), std::int64_t{0});
  std::printf("sorted %lu values: min %ld, median %ld, max %ld, sum %lld\n", (unsigned long)n,
              n ? (long)values.front() : 0L, (long)median, n ? (long)values.back() : 0L,
              (long long)sum);
  return 0;
}
