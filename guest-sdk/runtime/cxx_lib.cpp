// The few out-of-line pieces of libc++ 14 that header-only guest code still
// references (they live in libc++.so on a host, which guests do not link):
// std::nothrow, std::to_string, __next_prime (unordered containers) and the
// non-inline members of shared_ptr's control block. Guests are single-threaded,
// so the reference counts need no atomics.
#include <cstdio>
#include <memory>
#include <new>
#include <string>

#include "zkvm/guest.h"

namespace std {
const nothrow_t nothrow{};
}

_LIBCPP_BEGIN_NAMESPACE_STD

// ---- to_string ----
namespace {
template <class T>
string format_number(const char* fmt, T v) {
  char buf[64];
  int n = snprintf(buf, sizeof buf, fmt, v);
  return string(buf, n > 0 ? static_cast<size_t>(n) : 0);
}
}  // namespace

string to_string(int v) { return format_number("%d", v); }
string to_string(unsigned v) { return format_number("%u", v); }
string to_string(long v) { return format_number("%ld", v); }
string to_string(unsigned long v) { return format_number("%lu", v); }
string to_string(long long v) { return format_number("%lld", v); }
string to_string(unsigned long long v) { return format_number("%llu", v); }
// The standard specifies "%f" for the floating-point overloads.
string to_string(float v) { return format_number("%f", static_cast<double>(v)); }
string to_string(double v) { return format_number("%f", v); }
string to_string(long double v) { return format_number("%Lf", v); }

// ---- unordered containers: the smallest prime >= n ----
size_t __next_prime(size_t n) {
  if (n <= 2) return 2;
  if (n > 4294967291u) zkvm_panic("__next_prime(%zu): no 32-bit prime that large", n);
  for (size_t c = n | 1;; c += 2) {  // odd candidates from n up
    bool prime = true;
    for (size_t d = 3; d <= c / d; d += 2) {
      if (c % d == 0) {
        prime = false;
        break;
      }
    }
    if (prime) return c;
  }
}

// ---- shared_ptr control block ----
// Counts are stored minus one: -1 means "no owners left".
__shared_count::~__shared_count() {}
__shared_weak_count::~__shared_weak_count() {}

void __shared_weak_count::__release_weak() noexcept {
  if (--__shared_weak_owners_ == -1) __on_zero_shared_weak();
}

__shared_weak_count* __shared_weak_count::lock() noexcept {
  if (__shared_owners_ == -1) return nullptr;  // expired
  ++__shared_owners_;
  return this;
}

// get_deleter needs RTTI, which guests do not have.
const void* __shared_weak_count::__get_deleter(const type_info&) const noexcept { return nullptr; }

_LIBCPP_END_NAMESPACE_STD
