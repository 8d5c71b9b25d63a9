// C++ runtime support for guests built without exceptions and RTTI:
// operator new/delete over malloc (a failed allocation panics, since there
// is no std::bad_alloc to throw) and the few ABI hooks the compiler emits.
#include <stdlib.h>

#include <cstddef>
#include <new>

#include "zkvm/guest.h"

namespace {
[[noreturn]] void out_of_memory(std::size_t n) {
  zkvm_panic("out of memory: operator new(%zu bytes) failed (heap: %zu of %zu bytes used)", n,
             zkvm_heap_used(), zkvm_heap_capacity());
}

void* checked_alloc(std::size_t n) {
  void* p = malloc(n ? n : 1);
  if (!p) out_of_memory(n);
  return p;
}

void* checked_aligned_alloc(std::size_t n, std::align_val_t al) {
  std::size_t a = static_cast<std::size_t>(al);
  if (a < sizeof(void*)) a = sizeof(void*);
  // aligned_alloc wants a size that is a multiple of the alignment.
  std::size_t rounded = ((n ? n : 1) + a - 1) / a * a;
  void* p = aligned_alloc(a, rounded);
  if (!p) out_of_memory(n);
  return p;
}
}  // namespace

void* operator new(std::size_t n) { return checked_alloc(n); }
void* operator new[](std::size_t n) { return checked_alloc(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return malloc(n ? n : 1); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return malloc(n ? n : 1); }
void* operator new(std::size_t n, std::align_val_t al) { return checked_aligned_alloc(n, al); }
void* operator new[](std::size_t n, std::align_val_t al) { return checked_aligned_alloc(n, al); }

void operator delete(void* p) noexcept { free(p); }
void operator delete[](void* p) noexcept { free(p); }
void operator delete(void* p, std::size_t) noexcept { free(p); }
void operator delete[](void* p, std::size_t) noexcept { free(p); }
void operator delete(void* p, std::align_val_t) noexcept { free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { free(p); }

extern "C" {
// A pure virtual call means a broken object; say so instead of jumping to 0.
[[noreturn]] void __cxa_pure_virtual() { zkvm_panic("pure virtual function called"); }
[[noreturn]] void __cxa_deleted_virtual() { zkvm_panic("deleted virtual function called"); }
// Static executables have one "DSO"; its handle only needs to be unique.
void* __dso_handle = &__dso_handle;
}
