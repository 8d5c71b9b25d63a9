// Cycle profiler (zkvm/vm/profile.h). Three parts:
//
// - The function map: the ELF's function symbols as a partition of the
//   address space. Aliases (one address, several names) keep one name;
//   a symbol ends at its st_size, at the next symbol, or (st_size 0) at the
//   end of its section, whichever comes first. Code no symbol covers is a
//   placeholder "[unknown 0xADDR]" named by the address where execution
//   entered it.
// - The shadow call stack, driven by the trace rows. Each cycle goes to the
//   stack as it is before the row's own control transfer (a call's JAL
//   counts in the caller, a return's JALR in the callee). A call pushes a
//   frame with its return address; a return pops to the innermost frame
//   whose return address is the target (so returns that skip frames, as
//   longjmp does, unwind them), and is a plain jump when no frame matches.
//   Control reaching another function's code any other way (a tail call,
//   falling through into the next symbol) replaces the innermost frame.
// - A tree of distinct stacks (a trie keyed by parent node and function):
//   a cycle costs one range check and one add to the current node's count.
//
// Recursion: stacks keep every frame (main;fib;fib;fib), and a function's
// inclusive cycles are the cycles whose stack contains it at least once, so
// recursive calls are not counted twice (pprof's "cum" rule).
#include "zkvm/vm/profile.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cxxabi.h>
#include <unordered_map>

namespace zkvm::vm {
namespace {

constexpr std::uint32_t kNone = 0xffff'ffffu;
constexpr std::uint64_t kAddrEnd = std::uint64_t{1} << 32;
// Longest mangled name handed to the demangler (the names come from an
// untrusted file; real ones are far shorter).
constexpr std::size_t kMaxDemangle = 4096;

// Printable ASCII only (the folded format splits on ';' and newlines; pprof
// strings must be UTF-8).
std::string printable(std::string s) {
  for (char& c : s)
    if (c < 0x20 || c > 0x7e || c == ';') c = '?';
  return s;
}

std::string demangle(const std::string& mangled) {
  if (mangled.size() < 3 || mangled.size() > kMaxDemangle || mangled.compare(0, 2, "_Z") != 0) return mangled;
  int status = 0;
  char* out = abi::__cxa_demangle(mangled.c_str(), nullptr, nullptr, &status);
  std::string name = status == 0 && out ? out : mangled;
  std::free(out);
  return name;
}

std::string hex_name(const char* fmt, std::uint32_t addr) {
  char buf[48];
  std::snprintf(buf, sizeof buf, fmt, addr);
  return buf;
}

// Which alias names an address: global over weak over local, then the name
// with fewer leading underscores (vfprintf over __d_vfprintf), then the
// alphabetically first, so the choice does not depend on symbol order.
bool better_alias(const FunctionSymbol& a, const FunctionSymbol& b) {
  constexpr int kRank[] = {2, 0, 1};  // Local, Global, Weak
  if (kRank[a.binding] != kRank[b.binding]) return kRank[a.binding] < kRank[b.binding];
  const auto underscores = [](const std::string& s) { return s.find_first_not_of('_'); };
  if (underscores(a.name) != underscores(b.name)) return underscores(a.name) < underscores(b.name);
  return a.name < b.name;
}

}  // namespace

struct Profiler::State {
  struct Func {
    std::string name, system_name;
    std::uint32_t lo;   // [lo, hi): the addresses attributed to it
    std::uint64_t hi;
    std::uint32_t entry;  // = lo, except for placeholders
    bool placeholder;
  };
  struct Node {
    std::uint32_t parent, func;
  };
  struct Frame {
    std::uint32_t node, ret;  // ret: return address; odd (never a target) for the root
  };

  std::vector<Func> funcs;            // symbols first, by address; placeholders after
  std::vector<std::uint32_t> starts;  // lo of each symbol function
  std::unordered_map<std::uint32_t, std::uint32_t> placeholder_at;  // entry address -> func
  std::vector<Node> nodes;
  std::vector<std::uint64_t> self;  // cycles per node with it innermost
  std::unordered_map<std::uint64_t, std::uint32_t> child_of;  // (parent + 1) << 32 | func -> node
  std::vector<Frame> stack;
  std::uint64_t overflow = 0;  // calls not pushed because of kMaxProfileDepth, still open
  bool depth_limited = false;
  std::uint32_t lo = 0;    // the innermost frame's range: pc - lo < span
  std::uint64_t span = 0;
  std::uint64_t total = 0;

  // The function `addr` belongs to. In uncovered code, `keep` (the current
  // innermost function) stays if it is a placeholder for the same gap.
  std::uint32_t func_at(std::uint32_t addr, std::uint32_t keep) {
    const auto it = std::upper_bound(starts.begin(), starts.end(), addr);
    std::uint64_t gap_lo = 0;
    if (it != starts.begin()) {
      const auto i = static_cast<std::uint32_t>(it - starts.begin() - 1);
      if (addr < funcs[i].hi) return i;
      gap_lo = funcs[i].hi;
    }
    const std::uint64_t gap_hi = it == starts.end() ? kAddrEnd : *it;
    if (keep != kNone && funcs[keep].placeholder && funcs[keep].lo == gap_lo) return keep;
    const auto [pos, added] = placeholder_at.try_emplace(addr, static_cast<std::uint32_t>(funcs.size()));
    if (added) {
      const std::string name = hex_name("[unknown 0x%08x]", addr);
      funcs.push_back({name, name, static_cast<std::uint32_t>(gap_lo), gap_hi, addr, true});
    }
    return pos->second;
  }

  std::uint32_t child(std::uint32_t parent, std::uint32_t func) {
    const std::uint64_t key = (std::uint64_t{parent + 1} << 32) | func;  // kNone + 1 = 0
    const auto [pos, added] = child_of.try_emplace(key, static_cast<std::uint32_t>(nodes.size()));
    if (added) {
      nodes.push_back({parent, func});
      self.push_back(0);
    }
    return pos->second;
  }

  std::uint32_t leaf_func() const { return nodes[stack.back().node].func; }
  void set_range(std::uint32_t f) {
    lo = funcs[f].lo;
    span = funcs[f].hi - funcs[f].lo;
  }
  void flush(std::uint64_t& cycles) {
    self[stack.back().node] += cycles;
    cycles = 0;
  }
  void replace_leaf(std::uint32_t f) {
    if (f != leaf_func()) stack.back().node = child(nodes[stack.back().node].parent, f);
    set_range(f);
  }

  void call(std::uint32_t target, std::uint32_t ret) {
    const std::uint32_t f = func_at(target, kNone);
    if (stack.size() >= kMaxProfileDepth) {
      ++overflow;
      depth_limited = true;
      replace_leaf(f);
      return;
    }
    stack.push_back({child(stack.back().node, f), ret});
    set_range(f);
  }

  void ret(std::uint32_t target) {
    if (overflow > 0) {
      --overflow;
      replace_leaf(func_at(target, leaf_func()));
      return;
    }
    for (std::size_t i = stack.size(); i-- > 1;) {
      if (stack[i].ret == target) {
        stack.resize(i);
        set_range(leaf_func());
        return;
      }
    }
    // No frame returns there: a plain jump, which the next row's range
    // check attributes.
  }

  // Called for JAL and JALR only; `cycles` is flushed before the stack changes.
  void transfer(const TraceRow& row, std::uint64_t& cycles) {
    const std::uint32_t insn = row.insn;
    const unsigned rd = (insn >> 7) & 31, rs1 = (insn >> 15) & 31;
    const bool jal = (insn & 0x7f) == 0x6f;
    const auto is_link = [](unsigned r) { return r == 1 || r == 5; };
    const auto imm_i = static_cast<std::uint32_t>(static_cast<std::int32_t>(insn) >> 20);
    if (is_link(rd)) {
      // J-type immediate: imm[20|10:1|11|19:12] in bits 31..12.
      const std::uint32_t imm_j = (static_cast<std::uint32_t>(static_cast<std::int32_t>(insn) >> 11) & 0xfff0'0000u) |
                                  (insn & 0x000f'f000u) | ((insn >> 9) & 0x800u) | ((insn >> 20) & 0x7feu);
      const std::uint32_t target = jal ? row.pc + imm_j : (row.rs1_val + imm_i) & ~1u;
      flush(cycles);
      call(target, row.pc + 4);
    } else if (rd == 0 && !jal && is_link(rs1)) {
      flush(cycles);
      ret((row.rs1_val + imm_i) & ~1u);
    }
  }

  void enter(std::uint32_t pc) { replace_leaf(func_at(pc, leaf_func())); }
};

Profiler::Profiler(const std::vector<FunctionSymbol>& symbols, std::uint32_t entry) : s_(std::make_unique<State>()) {
  std::vector<const FunctionSymbol*> sorted;
  for (const FunctionSymbol& f : symbols) sorted.push_back(&f);
  std::sort(sorted.begin(), sorted.end(), [](const FunctionSymbol* a, const FunctionSymbol* b) {
    return a->addr != b->addr ? a->addr < b->addr : better_alias(*a, *b);
  });
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    const FunctionSymbol& f = *sorted[i];
    if (i > 0 && sorted[i - 1]->addr == f.addr) continue;  // an alias of the one kept
    std::size_t next = i + 1;
    while (next < sorted.size() && sorted[next]->addr == f.addr) ++next;
    const std::uint64_t next_lo = next < sorted.size() ? sorted[next]->addr : kAddrEnd;
    std::uint64_t hi = f.size                       ? std::uint64_t{f.addr} + f.size
                       : f.section_end > f.addr     ? f.section_end
                       : next_lo < kAddrEnd         ? next_lo
                                                    : std::uint64_t{f.addr} + 4;
    hi = std::min({hi, next_lo, kAddrEnd});
    std::string name = printable(demangle(f.name)), system_name = printable(f.name);
    if (f.name.empty()) name = system_name = hex_name("[function 0x%08x]", f.addr);
    s_->funcs.push_back({name, system_name, f.addr, hi, f.addr, false});
    s_->starts.push_back(f.addr);
  }
  const std::uint32_t root = s_->func_at(entry, kNone);
  s_->stack.push_back({s_->child(kNone, root), 1});
  s_->set_range(root);
}

Profiler::~Profiler() = default;

void Profiler::consume(const TraceChunk& chunk) {
  State& s = *s_;
  std::uint32_t lo = s.lo;
  std::uint64_t span = s.span;
  std::uint64_t cycles = 0;  // cycles of the innermost frame not yet added to its node
  for (const TraceRow& row : chunk.rows) {
    if (std::uint64_t{static_cast<std::uint32_t>(row.pc - lo)} >= span) [[unlikely]] {
      s.flush(cycles);
      s.enter(row.pc);
      lo = s.lo, span = s.span;
    }
    ++cycles;
    if ((row.insn & 0x77) == 0x67) [[unlikely]] {  // opcode 0x67 (JALR) or 0x6f (JAL)
      s.transfer(row, cycles);
      lo = s.lo, span = s.span;
    }
  }
  s.flush(cycles);
  s.total += chunk.rows.size();
}

Profile Profiler::profile() const {
  const State& s = *s_;
  const std::size_t n = s.nodes.size();
  // Nodes are created after their parents, so a descending pass sums subtrees.
  std::vector<std::uint64_t> subtree(s.self);
  for (std::size_t i = n; i-- > 0;)
    if (s.nodes[i].parent != kNone) subtree[s.nodes[i].parent] += subtree[i];
  // Inclusive: a node's subtree counts for its function unless the function
  // is already on the path above it (depth-first walk with counts per function).
  std::vector<std::uint32_t> first_child(n + 1, 0), children(n);
  for (std::size_t i = 0; i < n; ++i)
    if (s.nodes[i].parent != kNone) ++first_child[s.nodes[i].parent + 1];
  for (std::size_t i = 0; i < n; ++i) first_child[i + 1] += first_child[i];
  std::vector<std::uint32_t> fill(first_child.begin(), first_child.end() - 1);
  for (std::size_t i = 0; i < n; ++i)
    if (s.nodes[i].parent != kNone) children[fill[s.nodes[i].parent]++] = static_cast<std::uint32_t>(i);
  std::vector<std::uint64_t> inclusive(s.funcs.size(), 0), exclusive(s.funcs.size(), 0);
  std::vector<std::uint32_t> on_path(s.funcs.size(), 0);
  std::vector<bool> ran(s.funcs.size(), false);
  std::vector<std::pair<std::uint32_t, std::uint32_t>> walk;  // (node, next child slot)
  const auto visit = [&](std::uint32_t node) {
    const std::uint32_t f = s.nodes[node].func;
    if (on_path[f]++ == 0) inclusive[f] += subtree[node];
    exclusive[f] += s.self[node];
    ran[f] = ran[f] || subtree[node] > 0;
    walk.emplace_back(node, first_child[node]);
  };
  for (std::uint32_t root = 0; root < n; ++root) {
    if (s.nodes[root].parent != kNone) continue;
    visit(root);
    while (!walk.empty()) {
      auto& [node, next] = walk.back();
      if (next < first_child[node + 1]) {
        visit(children[next++]);
      } else {
        --on_path[s.nodes[node].func];
        walk.pop_back();
      }
    }
  }

  Profile p;
  p.total_cycles = s.total;
  p.symbols = s.starts.size();
  p.depth_limited = s.depth_limited;
  std::vector<std::uint32_t> order;
  for (std::uint32_t f = 0; f < s.funcs.size(); ++f)
    if (ran[f]) order.push_back(f);
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    return s.funcs[a].entry != s.funcs[b].entry ? s.funcs[a].entry < s.funcs[b].entry : a < b;
  });
  std::vector<std::uint32_t> index(s.funcs.size(), kNone);
  for (const std::uint32_t f : order) {
    index[f] = static_cast<std::uint32_t>(p.functions.size());
    const State::Func& fn = s.funcs[f];
    p.functions.push_back({fn.name, fn.system_name, fn.entry, static_cast<std::uint32_t>(fn.hi), fn.placeholder,
                           exclusive[f], inclusive[f]});
  }
  for (std::uint32_t node = 0; node < n; ++node) {
    if (s.self[node] == 0) continue;
    ProfileStack st;
    st.cycles = s.self[node];
    for (std::uint32_t i = node; i != kNone; i = s.nodes[i].parent) st.frames.push_back(index[s.nodes[i].func]);
    std::reverse(st.frames.begin(), st.frames.end());
    p.stacks.push_back(std::move(st));
  }
  const auto& fns = p.functions;
  std::sort(p.stacks.begin(), p.stacks.end(), [&](const ProfileStack& a, const ProfileStack& b) {
    return std::lexicographical_compare(a.frames.begin(), a.frames.end(), b.frames.begin(), b.frames.end(),
                                        [&](std::uint32_t x, std::uint32_t y) { return fns[x].name < fns[y].name; });
  });
  return p;
}

std::string to_folded(const Profile& p) {
  std::string out;
  for (const ProfileStack& st : p.stacks) {
    for (std::size_t i = 0; i < st.frames.size(); ++i) {
      if (i) out += ';';
      out += p.functions[st.frames[i]].name;
    }
    out += ' ';
    out += std::to_string(st.cycles);
    out += '\n';
  }
  return out;
}

std::string top_functions_table(const Profile& p, std::size_t n) {
  std::vector<const ProfileFunction*> top;
  for (const ProfileFunction& f : p.functions) top.push_back(&f);
  std::stable_sort(top.begin(), top.end(), [](const ProfileFunction* a, const ProfileFunction* b) {
    return a->exclusive > b->exclusive;
  });
  if (top.size() > n) top.resize(n);
  const auto pct = [&](std::uint64_t c) {
    return p.total_cycles ? 100.0 * static_cast<double>(c) / static_cast<double>(p.total_cycles) : 0.0;
  };
  std::string out = "     exclusive       %      inclusive       %  function\n";
  char line[96];
  for (const ProfileFunction* f : top) {
    std::snprintf(line, sizeof line, "%14llu  %5.1f%%  %13llu  %5.1f%%  ", static_cast<unsigned long long>(f->exclusive),
                  pct(f->exclusive), static_cast<unsigned long long>(f->inclusive), pct(f->inclusive));
    out += line;
    out += f->name;
    out += '\n';
  }
  return out;
}

}  // namespace zkvm::vm
