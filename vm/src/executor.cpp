// Contexts for the executor (FastCtx, TraceCtx), fault reports, and the
// public run()/run_traced() entry points.
#include "executor.h"

#include <cstdio>

namespace zkvm::vm {
namespace detail {
namespace {

std::string hex(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

std::string where(std::uint32_t a) {
  if (a < kGuestBase) return hex(a) + " in the null guard below " + hex(kGuestBase);
  return hex(a) + " outside guest memory [" + hex(kGuestBase) + ", " + hex(kGuestEnd) + ")";
}

// The name of a call that can fault on its arguments (docs/GUEST_ABI.md).
const char* call_name(std::uint32_t num) {
  switch (num) {
    case kSysRead: return "read";
    case kSysWrite: return "write";
    case kSysDot4: return "dot4";
    case kSysSha256: return "sha256_compress";
    case kSysDot4Rom: return "dot4_rom";
    case kSysDense4Rom: return "dense4_rom";
    default: return "syscall";
  }
}

// dense4_rom's BadAccelArgs fault (registers as at the call): the call's
// checks again, in the order of executor.h syscall() (docs/GUEST_ABI.md),
// naming the first one that fails; sets f.addr for a word (Q, an image word
// missing, a shift out of range).
void dense4_fault(Machine& m, Fault& f) {
  const std::uint32_t* x = m.x;
  const std::uint32_t xa = x[10], w = x[11], k = x[12], bias = x[13], mult = x[14], shift = x[15];
  if (!dense4_args_ok(xa, w, k, bias, mult, shift)) {
    std::string why;
    const auto add = [&why](const std::string& s) { why += (why.empty() ? "" : ", ") + s; };
    if (xa & 3) add("x is not 4-byte aligned");
    if (w & 3) add("w is not 4-byte aligned");
    if (bias & 3) add("bias is not 4-byte aligned");
    if (mult & 3) add("mult is not 4-byte aligned");
    if (shift & 3) add("shift is not 4-byte aligned");
    if (k == 0 || (k & 3) != 0 || k >= kDot4MaxLen)
      add("K = " + std::to_string(k) + " is not a nonzero multiple of 4 below " + std::to_string(kDot4MaxLen));
    f.detail = "dense4_rom with x = " + hex(xa) + ", w = " + hex(w) + ", K = " + std::to_string(k) + ", bias = " +
               hex(bias) + ", mult = " + hex(mult) + ", shift = " + hex(shift) + ": " + why +
               " (x, w, bias, mult and shift must be 4-byte aligned, K a nonzero multiple of 4 below " +
               std::to_string(kDot4MaxLen) + ")";
    return;
  }
  // The buffer [x, x + K + 4) is inside guest memory (checked before).
  const std::uint32_t qa = xa + k;
  const std::uint32_t q = m.mem.load<std::uint32_t>(qa);
  const Dense4Out o = dense4_unpack(q);
  if (!dense4_q_ok(q)) {
    std::string why;
    if (o.flags > 3) why = "Q3 = " + std::to_string(o.flags) + " (must be pc + 2 sx <= 3)";
    if (o.lo > o.hi)
      why += (why.empty() ? "" : " and ") + ("lo = " + std::to_string(o.lo) + " > hi = " + std::to_string(o.hi) +
                                             " (must be lo <= hi)");
    f.addr = qa;
    f.detail = "dense4_rom output word Q = " + hex(q) + " at " + hex(qa) + " has " + why +
               " (Q = zp | lo << 8 | hi << 16 | (pc + 2 sx) << 24 follows x's K = " + std::to_string(k) + " bytes)";
    return;
  }
  const Program& p = *m.program;
  const std::uint32_t n = o.pc ? 4 : 1;
  const auto missing = [&](const char* what, std::uint32_t base, std::uint32_t words,
                           const std::string& range) -> bool {
    for (std::uint32_t i = 0; i < words; ++i) {
      const std::uint32_t a = base + 4 * i;
      if (image_word(p, a)) continue;
      f.addr = a;
      f.detail = std::string("dense4_rom ") + what + " word " + hex(a) + " is not in the ELF's loaded image (" + range +
                 " must be words the ELF loads)";
      return true;
    }
    return false;
  };
  const std::string per = o.pc ? ", +16) with pc = 1" : ", +4) with pc = 0";
  if (missing("weight", w, k, "weights [" + hex(w) + ", +4K) with K = " + std::to_string(k)) ||
      missing("bias", bias, 4, "bias [" + hex(bias) + ", +16)") ||
      missing("mult", mult, n, "mult [" + hex(mult) + per) || missing("shift", shift, n, "shift [" + hex(shift) + per))
    return;
  for (std::uint32_t j = 0; j < n; ++j) {
    const std::uint32_t a = shift + 4 * j, s = *image_word(p, a);
    if (dense4_shift_ok(s)) continue;
    f.addr = a;
    f.detail = "dense4_rom shift word " + hex(s) + " at " + hex(a) + " is " +
               std::to_string(static_cast<std::int32_t>(s)) + ", outside [35, 63] (s2 = shift - 32 must be in [3, 31])";
    return;
  }
  f.detail = "dense4_rom arguments";  // unreachable: syscall() faulted on one of the checks above
}

// Fast path: observes nothing, or only counts the instruction mix.
template <bool kCountMix>
struct FastCtx {
  // Superinstructions would count a pair once in the mix: only without it.
  static constexpr bool kFusion = !kCountMix;
  std::array<std::uint64_t, kNumOps> mix{};
  const std::function<void(const SyscallRecord&)>* on_syscall = nullptr;  // set when RunOptions has one
  void begin(std::uint32_t, const Decoded& d, const std::uint32_t*) {
    if constexpr (kCountMix) ++mix[static_cast<std::size_t>(d.op)];
  }
  void load(std::uint32_t) {}
  void before_store(std::uint32_t) {}
  void after_store(std::uint32_t) {}
  void retire(const Decoded&, const std::uint32_t*) {}
  void syscall(const SyscallRecord& rec, std::span<const std::uint8_t>) {
    if (on_syscall != nullptr) (*on_syscall)(rec);
  }
};

// Tracing path: one TraceRow per retired instruction into a fixed-size
// buffer that is handed to the sink whenever it is full.
struct TraceCtx {
  static constexpr bool kFusion = false;  // one row per instruction, as recorded
  Memory& mem;
  const TraceSink& sink;
  std::size_t chunk_rows;
  std::vector<TraceRow> rows;
  std::size_t n = 0;
  std::uint64_t first_cycle = 0;
  std::vector<SyscallRecord> sys;
  std::vector<std::uint8_t> data;

  TraceCtx(Memory& m, const TraceSink& s, std::size_t chunk) : mem(m), sink(s), chunk_rows(chunk), rows(chunk) {}

  void begin(std::uint32_t pc, const Decoded& d, const std::uint32_t* x) {
    TraceRow& r = rows[n];
    r.pc = pc;
    r.insn = d.word;
    r.rs1_val = x[d.rs1];
    r.rs2_val = x[d.rs2];
    r.rd_val = 0;
    r.mem_addr = 0;
    r.mem_old = 0;
    r.mem_new = 0;
  }
  void load(std::uint32_t a) {
    TraceRow& r = rows[n];
    r.mem_addr = a;
    r.mem_old = r.mem_new = mem.load<std::uint32_t>(a & ~3u);
  }
  void before_store(std::uint32_t a) {
    rows[n].mem_addr = a;
    rows[n].mem_old = mem.load<std::uint32_t>(a & ~3u);
  }
  void after_store(std::uint32_t a) { rows[n].mem_new = mem.load<std::uint32_t>(a & ~3u); }
  void retire(const Decoded& d, const std::uint32_t* x) {
    rows[n].rd_val = d.rd == kNoReg ? 0 : x[d.rd];
    if (++n == chunk_rows) flush();
  }
  void syscall(const SyscallRecord& rec, std::span<const std::uint8_t> bytes) {
    SyscallRecord r = rec;
    r.data_offset = data.size();
    data.insert(data.end(), bytes.begin(), bytes.end());
    sys.push_back(r);
  }
  void flush() {
    if (n == 0 && sys.empty()) return;
    sink(TraceChunk{first_cycle, std::span<const TraceRow>(rows.data(), n), sys, data});
    first_cycle += n;
    n = 0;
    sys.clear();
    data.clear();
  }
};

void load_program(Machine& m, const Program& p, const RunOptions& o) {
  for (const Segment& s : p.segments) m.mem.write_bytes(s.vaddr, s.bytes.data(), s.bytes.size());
  for (const auto& [addr, word] : code_words(p)) m.mem.set_code_word(addr, word);
  m.pc = p.entry;
  m.max_cycles = o.max_cycles;
  m.opts = &o;
  m.program = &p;
}

template <class Ctx>
void execute_all(Machine& m, Ctx& ctx) {
  if (!execute<Ctx, false>(m, ctx)) execute<Ctx, true>(m, ctx);
}

void finish(Machine& m) {
  m.result.pc = m.pc;
  m.result.cycles = m.cycles;
  m.result.pages_touched = m.mem.touched_pages();
  for (unsigned i = 0; i < 32; ++i) m.result.regs[i] = m.x[i];
}

}  // namespace

void raise_fault(Machine& m, FaultKind kind, std::uint32_t pc, const Decoded* d, std::uint32_t addr) {
  Fault f;
  f.kind = kind;
  f.pc = pc;
  if (d) f.insn = d->word;
  const std::string name(d ? mnemonic(d->op) : std::string_view{});
  const std::uint32_t* x = m.x;
  switch (kind) {
    case FaultKind::IllegalInstruction:
      f.detail = illegal_reason(d->word);
      break;
    case FaultKind::MisalignedLoad:
      f.addr = addr, f.detail = "misaligned " + name + " from " + hex(addr);
      break;
    case FaultKind::MisalignedStore:
      f.addr = addr, f.detail = "misaligned " + name + " to " + hex(addr);
      break;
    case FaultKind::MisalignedJump:
      f.addr = addr, f.detail = name + " target " + hex(addr) + " is not a multiple of 4";
      break;
    case FaultKind::LoadOutOfBounds:
      f.addr = addr, f.detail = name + " from " + where(addr);
      break;
    case FaultKind::StoreOutOfBounds:
      f.addr = addr, f.detail = name + " to " + where(addr);
      break;
    case FaultKind::FetchOutOfBounds:
      f.addr = addr, f.detail = "instruction fetch from " + where(addr);
      break;
    case FaultKind::FetchOutsideCode:
      f.addr = addr, f.detail = "instruction fetch from " + hex(addr) +
                                ", which is not code (only words of the ELF's executable segments, as loaded, execute)";
      break;
    case FaultKind::ModifiedCode:
      f.addr = addr, f.detail = "instruction fetch from " + hex(addr) + ": the code word was overwritten at run time (memory holds " +
                                hex(m.mem.load<std::uint32_t>(addr)) + "; a code word executes only while it holds its loaded value)";
      break;
    case FaultKind::BadSyscall:
      f.detail = "unknown syscall number " + std::to_string(addr) + " (" + hex(addr) + ") in a7";
      break;
    case FaultKind::BadReadFd:
      f.detail = "read from fd " + std::to_string(static_cast<std::int32_t>(addr)) +
                 " (only fd 0, the private input, can be read)";
      break;
    case FaultKind::BadWriteFd:
      f.detail = "write to fd " + std::to_string(static_cast<std::int32_t>(addr)) +
                 " (only fd 1 stdout, 2 stderr and 3 journal can be written)";
      break;
    case FaultKind::SyscallBuffer: {
      f.addr = addr;
      // dot4's weight buffer (a1) is 4K bytes long, dense4_rom's x buffer
      // K + 4 (Q follows x); every other buffer a2 bytes.
      std::uint64_t len = x[12];
      if (x[17] == kSysDot4 && addr == x[11] && addr != x[10]) len = 4 * std::uint64_t{x[12]};  // dot4's w: 4K bytes
      if (x[17] == kSysSha256) len = addr == x[10] ? 32 : 64;                                   // state, block
      if (x[17] == kSysDense4Rom) len += 4;  // x's K bytes, then the output word Q
      const std::uint64_t end = std::uint64_t{addr} + len;
      char buf[64];
      std::snprintf(buf, sizeof buf, "[0x%08x, 0x%08llx)", addr, static_cast<unsigned long long>(end));
      f.detail = std::string(call_name(x[17])) + " buffer " + buf + " is not inside guest memory [" +
                 hex(kGuestBase) + ", " + hex(kGuestEnd) + ")";
      if (x[17] == kSysDense4Rom) f.detail += " (x's K = " + std::to_string(x[12]) + " bytes, then the output word Q)";
      break;
    }
    case FaultKind::BadAccelArgs:
      if (x[17] == kSysDense4Rom) {
        dense4_fault(m, f);
        break;
      }
      if (x[17] == kSysDot4Rom && dot4_args_ok(x[10], x[11], x[12])) {
        f.addr = addr;
        f.detail = "dot4_rom weight word " + hex(addr) + " is not in the ELF's loaded image (weights [" + hex(x[11]) +
                   ", +4K) must be words the ELF loads)";
        break;
      }
      if (x[17] == kSysSha256) {
        f.detail = "sha256_compress with state = " + hex(x[10]) + ", block = " + hex(x[11]) +
                   " (both must be 4-byte aligned)";
        break;
      }
      f.detail = std::string(call_name(x[17])) + " with x = " + hex(x[10]) + ", w = " + hex(x[11]) +
                 ", K = " + std::to_string(x[12]) + " (x and w must be 4-byte aligned, K a multiple of 4 below " +
                 std::to_string(kDot4MaxLen) + ")";
      break;
  }
  m.result.status = RunStatus::Faulted;
  m.result.fault = std::move(f);
}

}  // namespace detail

std::string_view fault_kind_name(FaultKind k) {
  switch (k) {
    case FaultKind::IllegalInstruction: return "illegal instruction";
    case FaultKind::MisalignedLoad: return "misaligned load";
    case FaultKind::MisalignedStore: return "misaligned store";
    case FaultKind::MisalignedJump: return "misaligned jump target";
    case FaultKind::LoadOutOfBounds: return "load outside guest memory";
    case FaultKind::StoreOutOfBounds: return "store outside guest memory";
    case FaultKind::FetchOutOfBounds: return "fetch outside guest memory";
    case FaultKind::FetchOutsideCode: return "fetch outside code";
    case FaultKind::ModifiedCode: return "modified code";
    case FaultKind::BadSyscall: return "bad syscall number";
    case FaultKind::BadReadFd: return "read from a bad fd";
    case FaultKind::BadWriteFd: return "write to a bad fd";
    case FaultKind::SyscallBuffer: return "syscall buffer outside guest memory";
    case FaultKind::BadAccelArgs: return "bad accelerator call arguments";
  }
  return "fault";
}

std::string Fault::message() const {
  char buf[48];
  std::snprintf(buf, sizeof buf, "fault at pc 0x%08x: ", pc);
  std::string s = buf + detail;
  if (insn) {
    std::snprintf(buf, sizeof buf, " (instruction 0x%08x", *insn);
    s += buf;
    if (kind != FaultKind::IllegalInstruction) s += ": " + disassemble(*insn, pc);
    s += ")";
  }
  return s;
}

std::string RunResult::summary() const {
  switch (status) {
    case RunStatus::Exited:
      return "exited with code " + std::to_string(exit_code) + " after " + std::to_string(cycles) + " cycles";
    case RunStatus::Faulted:
      return fault ? fault->message() : "fault";
    case RunStatus::CycleLimit: {
      char buf[128];
      std::snprintf(buf, sizeof buf, "cycle limit reached: %llu cycles executed without exit (pc 0x%08x)",
                    static_cast<unsigned long long>(cycles), pc);
      return buf;
    }
  }
  return "unknown";
}

RunResult run(const Program& program, const RunOptions& options) {
  auto m = std::make_unique<detail::Machine>();
  detail::load_program(*m, program, options);
  if (options.count_mix) {
    detail::FastCtx<true> ctx;
    if (options.on_syscall) ctx.on_syscall = &options.on_syscall;
    detail::execute_all(*m, ctx);
    for (std::size_t i = 0; i < kNumInsns; ++i) m->result.mix[i] = ctx.mix[i];
  } else {
    detail::FastCtx<false> ctx;
    if (options.on_syscall) ctx.on_syscall = &options.on_syscall;
    detail::execute_all(*m, ctx);
  }
  detail::finish(*m);
  return std::move(m->result);
}

RunResult run_traced(const Program& program, const RunOptions& options, const TraceSink& sink,
                     std::size_t chunk_rows) {
  if (chunk_rows == 0) throw std::invalid_argument("run_traced: chunk_rows must be at least 1");
  auto m = std::make_unique<detail::Machine>();
  detail::load_program(*m, program, options);
  detail::TraceCtx ctx(m->mem, sink, chunk_rows);
  detail::execute_all(*m, ctx);
  ctx.flush();
  detail::finish(*m);
  return std::move(m->result);
}

}  // namespace zkvm::vm
