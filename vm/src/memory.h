// Sparse paged guest memory: a flat table of 4 KiB pages over the 256 MiB
// guest address space, each allocated (zeroed) on first touch, so a run costs
// only the pages the guest uses plus the 512 KiB table.
//
// Each page that has been executed from also owns a decode cache (one
// Decoded per word). Every write path below resets the cached slot of the
// word it writes to Op::DECODE, so fetches always see current memory:
// self-modifying code behaves the same in the fast and tracing executors.
#pragma once

#include "zkvm/vm/elf.h"
#include "zkvm/vm/isa.h"
#include "zkvm/vm/machine.h"

#include <bit>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

namespace zkvm::vm::detail {

static_assert(std::endian::native == std::endian::little, "guest memory is accessed with host loads");

inline constexpr unsigned kPageShift = 12;
inline constexpr std::uint32_t kNumPages = kGuestEnd >> kPageShift;
inline constexpr std::uint32_t kWordsPerPage = kPageSize / 4;

// A decode-cache slot knows its own pc, so sequential execution only steps
// the slot pointer, and holds the address of its handler in the running
// executor instance (threaded code: dispatch is one indirect jump through
// the slot). The sentinel slot after the last word (Op::PAGE_END) sends
// execution to the next page's lookup.
struct Slot {
  const void* h = nullptr;
  Decoded d;
  std::uint32_t pc = 0;
};
static_assert(sizeof(Slot) == 24);

struct Page {
  std::uint8_t data[kPageSize] = {};
  std::unique_ptr<Slot[]> decoded;  // kWordsPerPage + 1 slots; null until code is fetched here
};

// Callers guarantee addresses are inside [kGuestBase, kGuestEnd) and
// accesses naturally aligned; the executors check that first.
class Memory {
 public:
  Memory() : table_(kNumPages, nullptr) {}

  Page** table() { return table_.data(); }

  // Handlers of the executor instance currently running (set by it before
  // it runs): fresh and invalidated slots point at decode_handler.
  const void* decode_handler = nullptr;
  const void* page_end_handler = nullptr;

  void invalidate(Slot& s) {
    s.d.op = Op::DECODE;
    s.h = decode_handler;
  }
  // A write to word w of page p: its slot, and the two slots before it,
  // which may hold a fused pair or triple covering w (executor.h,
  // "Superinstructions"; groups never cross a page), decode again.
  void invalidate_word(Page* p, std::uint32_t w) {
    invalidate(p->decoded[w]);
    if (w > 0) invalidate(p->decoded[w - 1]);
    if (w > 1) invalidate(p->decoded[w - 2]);
  }

  Page* page(std::uint32_t addr) {
    Page*& p = table_[addr >> kPageShift];
    if (!p) [[unlikely]]
      p = allocate(addr);
    return p;
  }

  [[gnu::noinline]] Page* allocate(std::uint32_t addr) {
    Page*& slot = table_[addr >> kPageShift];
    if (!slot) {
      owned_.push_back(std::make_unique<Page>());
      slot = owned_.back().get();
    }
    return slot;
  }

  template <class T>
  T load(std::uint32_t addr) {
    T v;
    std::memcpy(&v, page(addr)->data + (addr & (kPageSize - 1)), sizeof v);
    return v;
  }

  template <class T>
  void store(std::uint32_t addr, T v) {
    Page* p = page(addr);
    std::memcpy(p->data + (addr & (kPageSize - 1)), &v, sizeof v);
    if (p->decoded) [[unlikely]]
      invalidate_word(p, (addr & (kPageSize - 1)) >> 2);
  }

  // Byte copies that may cross pages (loader, read syscall).
  void write_bytes(std::uint32_t addr, const std::uint8_t* src, std::size_t n) {
    while (n > 0) {
      Page* p = page(addr);
      const std::uint32_t off = addr & (kPageSize - 1);
      const std::size_t k = std::min<std::size_t>(n, kPageSize - off);
      std::memcpy(p->data + off, src, k);
      if (p->decoded)
        for (std::uint32_t w = off >> 2; w <= (off + k - 1) >> 2; ++w) invalidate_word(p, w);
      addr += static_cast<std::uint32_t>(k), src += k, n -= k;
    }
  }
  void read_bytes(std::uint32_t addr, std::uint8_t* dst, std::size_t n) {
    while (n > 0) {
      const Page* p = page(addr);
      const std::uint32_t off = addr & (kPageSize - 1);
      const std::size_t k = std::min<std::size_t>(n, kPageSize - off);
      std::memcpy(dst, p->data + off, k);
      addr += static_cast<std::uint32_t>(k), dst += k, n -= k;
    }
  }

  // The decode cache of the page holding pc (created on first fetch).
  Slot* code(std::uint32_t pc) {
    Page* p = page(pc);
    if (!p->decoded) [[unlikely]] {
      p->decoded = std::make_unique<Slot[]>(kWordsPerPage + 1);
      const std::uint32_t base = pc & ~(kPageSize - 1);
      for (std::uint32_t i = 0; i <= kWordsPerPage; ++i) {
        p->decoded[i].pc = base + 4 * i;
        p->decoded[i].h = decode_handler;
      }
      p->decoded[kWordsPerPage].d.op = Op::PAGE_END;
      p->decoded[kWordsPerPage].h = page_end_handler;
    }
    return p->decoded.get();
  }

  std::vector<std::uint32_t> touched_pages() const {
    std::vector<std::uint32_t> out;
    for (std::uint32_t i = 0; i < kNumPages; ++i)
      if (table_[i]) out.push_back(i << kPageShift);
    return out;
  }

 private:
  std::vector<Page*> table_;
  std::vector<std::unique_ptr<Page>> owned_;
};

}  // namespace zkvm::vm::detail
