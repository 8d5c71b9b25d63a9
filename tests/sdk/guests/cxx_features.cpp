// Header-only libc++ in a guest: containers, algorithms, span, string,
// smart pointers, virtual calls, static constructors and destructors.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <numeric>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <variant>
#include <vector>

#include <zkvm/guest.hpp>

namespace {

struct Shape {
  virtual ~Shape() = default;
  virtual std::int64_t area() const = 0;
};
struct Rect final : Shape {
  std::int64_t w, h;
  Rect(std::int64_t a, std::int64_t b) : w(a), h(b) {}
  std::int64_t area() const override { return w * h; }
};
struct Square final : Shape {
  std::int64_t s;
  explicit Square(std::int64_t a) : s(a) {}
  std::int64_t area() const override { return s * s; }
};

int g_ctor_runs = 0;
struct Global {
  int value;
  Global() : value(1234) { ++g_ctor_runs; }
  ~Global() { std::printf("static destructor ran\n"); }
};
Global g_global;  // constructed by the start-up code before main

std::uint32_t sum_span(std::span<const std::uint32_t> s) {
  return std::accumulate(s.begin(), s.end(), std::uint32_t{0});
}

}  // namespace

int main() {
  ZKVM_ASSERT(g_ctor_runs == 1 && g_global.value == 1234);

  std::array<std::uint32_t, 16> arr{};
  std::uint32_t x = 0x9e3779b9u;
  for (auto& v : arr) v = (x = x * 1664525u + 1013904223u) >> 8;
  std::sort(arr.begin(), arr.end());
  std::printf("array sorted: %d, sum %lu\n", std::is_sorted(arr.begin(), arr.end()),
              (unsigned long)sum_span(arr));
  zkvm::commit(arr);

  std::vector<int> v;
  for (int i = 0; i < 1000; ++i) v.push_back((i * 7919) % 1009 - 500);
  std::stable_sort(v.begin(), v.end(), [](int a, int b) { return std::abs(a) < std::abs(b); });
  std::nth_element(v.begin(), v.begin() + 500, v.end());
  auto [mn, mx] = std::minmax_element(v.begin(), v.end());
  std::printf("vector: size %zu, nth %d, min %d, max %d\n", v.size(), v[500], *mn, *mx);
  zkvm::commit(v[500]);

  std::string s = "zkvm";
  for (int i = 0; i < 5; ++i) s += "-" + std::to_string(i * i);
  std::string_view sv = s;
  std::printf("string [%s] length %zu, find(\"-9\") = %zu\n", s.c_str(), s.size(), sv.find("-9"));
  zkvm_commit(s.data(), s.size());

  std::map<std::string, int> counts;
  for (const char* w : {"b", "a", "c", "a", "b", "a"}) counts[w]++;
  for (const auto& [word, count] : counts) std::printf("map %s=%d\n", word.c_str(), count);

  std::vector<std::unique_ptr<Shape>> shapes;
  shapes.push_back(std::make_unique<Rect>(3, 4));
  shapes.push_back(std::make_unique<Square>(5));
  shapes.push_back(std::make_unique<Rect>(1000000, 1000000));
  std::int64_t total = 0;
  for (const auto& sh : shapes) total += sh->area();
  std::printf("total area %lld\n", (long long)total);
  zkvm::commit(total);

  std::optional<int> found;
  if (auto it = std::find(v.begin(), v.end(), 42); it != v.end()) found = *it;
  std::printf("optional has value: %d\n", found.has_value());

  // Library pieces the SDK runtime supplies (guest-sdk/runtime/cxx_lib.cpp).
  std::unordered_map<int, int> squares;
  for (int i = 0; i < 200; ++i) squares[i] = i * i;
  auto shared = std::make_shared<int>(5);
  std::weak_ptr<int> weak = shared;
  {
    std::shared_ptr<int> copy = shared;
    std::printf("shared use_count %ld\n", (long)shared.use_count());
  }
  std::function<int(int)> add = [&](int v) { return v + *shared; };
  const int added = add(1);
  shared.reset();  // the last owner: the weak_ptr expires
  std::printf("unordered_map[150] %d, weak expired %d, function %d, to_string %s\n", squares[150],
              weak.expired(), added, (std::to_string(-7) + "/" + std::to_string(2.5)).c_str());

  // Over-aligned new goes through the aligned operator new.
  struct alignas(64) Line {
    std::uint8_t bytes[64];
  };
  auto line = std::make_unique<Line>();
  auto lines = std::make_unique<Line[]>(3);
  std::set<int> uniq(v.begin(), v.end());
  std::variant<int, std::string> var = std::string("text");
  std::printf("aligned new %d %d, set size %zu, variant index %zu\n",
              reinterpret_cast<std::uintptr_t>(line.get()) % 64 == 0,
              reinterpret_cast<std::uintptr_t>(lines.get()) % 64 == 0, uniq.size(), var.index());

  static_assert(std::is_trivially_copyable_v<std::array<std::uint32_t, 16>>);
  return 0;
}
