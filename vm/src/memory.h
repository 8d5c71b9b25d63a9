// Sparse paged guest memory: a flat table of 4 KiB pages over the 256 MiB
// guest address space, each allocated (zeroed) on first touch, so a run costs
// only the pages the guest uses plus the 512 KiB table.
//
// Instruction fetch (docs/GUEST_ABI.md "Code"): a page holding words of the
// code image (elf.h code_words) keeps them, as loaded, beside its data bytes.
// A fetch decodes the loaded word while memory still holds it, and faults
// (ModifiedCode) while a store or read() has left another value there; a
// fetch of any other word faults (FetchOutsideCode). Each page executed from
// owns a decode cache (one Decoded per word), filled on first fetch; a write
// into a code page resets the written words' slots (and the two before each,
// which may start a fused group covering them) so the next fetch compares
// again.
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

// The code-image words of one page, immutable after loading.
struct CodeWords {
  std::uint32_t word[kWordsPerPage] = {};
  std::uint64_t present[kWordsPerPage / 64] = {};  // bit w: word w is a code word
  bool has(std::uint32_t w) const { return (present[w >> 6] >> (w & 63)) & 1; }
};

struct Page {
  std::uint8_t data[kPageSize] = {};
  std::unique_ptr<Slot[]> decoded;  // kWordsPerPage + 1 slots; null until code is fetched here
  std::unique_ptr<CodeWords> code;  // null on a page without code words
};

// Callers guarantee addresses are inside [kGuestBase, kGuestEnd) and
// accesses naturally aligned; the executors check that first.
class Memory {
 public:
  Memory() : table_(kNumPages, nullptr) {}

  Page** table() { return table_.data(); }

  // Handlers of the executor instance currently running (set by it before
  // it runs): fresh slots point at decode_handler.
  const void* decode_handler = nullptr;
  const void* page_end_handler = nullptr;

  // Loader: word w at addr (4-aligned) belongs to the code image.
  void set_code_word(std::uint32_t addr, std::uint32_t w) {
    Page* p = page(addr);
    if (!p->code) p->code = std::make_unique<CodeWords>();
    const std::uint32_t i = (addr & (kPageSize - 1)) >> 2;
    p->code->word[i] = w;
    p->code->present[i >> 6] |= std::uint64_t{1} << (i & 63);
  }
  // A write of len bytes at offset off of page p, which holds code words.
  void code_written(Page* p, std::uint32_t off, std::uint32_t len) {
    if (!p->decoded || len == 0) return;
    const std::uint32_t first = off >> 2, last = (off + len - 1) >> 2;
    for (std::uint32_t w = first >= 2 ? first - 2 : 0; w <= last; ++w) {
      p->decoded[w].d.op = Op::DECODE;
      p->decoded[w].h = decode_handler;
    }
  }

  // Whether the page holding pc has any code word (else a fetch there faults
  // before a decode cache is made for it).
  bool has_code_page(std::uint32_t pc) const {
    const Page* p = table_[pc >> kPageShift];
    return p && p->code;
  }
  // The instruction a fetch at pc (on a code page) executes: the decoded
  // code-image word, NOT_CODE, or MODIFIED_CODE while memory holds another
  // value there.
  Decoded fetch(std::uint32_t pc) const {
    const Page& p = *table_[pc >> kPageShift];
    const CodeWords& c = *p.code;
    const std::uint32_t i = (pc & (kPageSize - 1)) >> 2;
    Decoded d;
    if (!c.has(i)) {
      d.op = Op::NOT_CODE;
      return d;
    }
    std::uint32_t now;
    std::memcpy(&now, p.data + 4 * i, 4);
    if (now != c.word[i]) {
      d.op = Op::MODIFIED_CODE;
      return d;
    }
    return decode(c.word[i]);
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
    if (p->code) [[unlikely]]
      code_written(p, addr & (kPageSize - 1), sizeof v);
  }

  // Byte copies that may cross pages (loader, read syscall).
  void write_bytes(std::uint32_t addr, const std::uint8_t* src, std::size_t n) {
    while (n > 0) {
      Page* p = page(addr);
      const std::uint32_t off = addr & (kPageSize - 1);
      const std::size_t k = std::min<std::size_t>(n, kPageSize - off);
      std::memcpy(p->data + off, src, k);
      if (p->code) code_written(p, off, static_cast<std::uint32_t>(k));
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

  // The decode cache of the page holding pc (created on first fetch; the
  // page has code, has_code_page).
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
