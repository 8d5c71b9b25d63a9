// zkvm guest SDK, C++ layer over zkvm/guest.h (header-only). Values travel as
// their in-memory bytes, which on RV32 are little-endian like the C helpers.
//
//   auto n = zkvm::read<uint32_t>();        // private input
//   auto blob = zkvm::read_vec();           // u32 length + bytes
//   zkvm::commit(result);                   // journal
//   zkvm::commit_span(std::span{digest});   // raw bytes of a contiguous range
//   ZKVM_ASSERT(n < 100);                   // panics with file:line
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>
#include <vector>

#include "zkvm/guest.h"

namespace zkvm {

// Reads sizeof(T) bytes of the private input as a T; panics if it ends early.
template <class T>
T read() {
  static_assert(std::is_trivially_copyable_v<T>, "zkvm::read<T> needs a trivially copyable T");
  T v;
  zkvm_read_exact(&v, sizeof v);
  return v;
}

// Fills every element of out from the private input; panics if it ends early.
template <class T, std::size_t N>
void read_into(std::span<T, N> out) {
  static_assert(std::is_trivially_copyable_v<T>);
  zkvm_read_exact(out.data(), out.size_bytes());
}

// Reads up to out.size() bytes; returns the count (less only at end of input).
inline std::size_t read_some(std::span<std::byte> out) { return zkvm_read(out.data(), out.size()); }

// A u32 length n, then n bytes (the format of zkvm_commit_vec / commit_vec).
inline std::vector<std::uint8_t> read_vec() {
  std::uint32_t n = read<std::uint32_t>();
  std::vector<std::uint8_t> v(n);
  zkvm_read_exact(v.data(), n);
  return v;
}

// Appends the bytes of v to the journal.
template <class T>
void commit(const T& v) {
  static_assert(std::is_trivially_copyable_v<T>, "zkvm::commit<T> needs a trivially copyable T");
  zkvm_commit(&v, sizeof v);
}

// Appends the bytes of a contiguous range to the journal (no length prefix).
template <class T, std::size_t N>
void commit_span(std::span<T, N> s) {
  static_assert(std::is_trivially_copyable_v<std::remove_cv_t<T>>);
  zkvm_commit(s.data(), s.size_bytes());
}

// Appends a u32 byte count, then the bytes (the format read_vec reads).
inline void commit_vec(std::span<const std::uint8_t> bytes) {
  zkvm_commit_vec(bytes.data(), bytes.size());
}

[[noreturn]] inline void exit(int code) { zkvm_exit(code); }

inline std::uint64_t cycle_count() { return zkvm_cycle_count(); }

}  // namespace zkvm
