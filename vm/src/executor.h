// The RV32IM executor, generic over a context (STYLE.md: Executor<FastCtx>,
// Executor<TraceCtx>). Both contexts share the decoder, the decode cache and
// every instruction's semantics below; the context only observes (begin,
// load, store, retire, syscall hooks), and FastCtx's hooks are empty inline
// functions, so the fast path compiles to plain threaded code.
//
// Dispatch is threaded (GCC/Clang computed goto; the label table is built
// from isa/rv32im.inc and each decode-cache slot caches its handler's
// address): each handler retires (one cycle per instruction) and jumps
// straight to the next slot's handler. Sequential flow just advances the
// slot pointer (slots carry their pc); jumps and taken branches within the
// page step to the target slot; other jumps and the sentinel slot at each
// page end go through `next_full`, which looks the page up. A fault or exit saves pc/cycles and
// returns; the faulting instruction does not retire.
//
// Cycle limit without a per-instruction check: execute<Ctx, false> checks
// the limit only at jumps, taken branches and next_full, against
// limit - kSoftMargin. Between two checks at most one page of straight-line
// code runs (1024 instructions), so it can never overshoot; once past the soft limit it
// returns and execute<Ctx, true> finishes with an exact check on every
// instruction.
#pragma once

#include "memory.h"
#include "zkvm/vm/accel.h"
#include "zkvm/vm/machine.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace zkvm::vm::detail {

struct Machine {
  std::uint32_t x[33] = {};  // x[32] is the sink for writes to x0 (kNoReg)
  std::uint32_t pc = 0;
  std::uint64_t cycles = 0;
  std::uint64_t max_cycles = kDefaultMaxCycles;
  Memory mem;
  const RunOptions* opts = nullptr;
  const Program* program = nullptr;  // the loaded ELF (dot4_rom and dense4_rom read its image words)
  std::size_t input_pos = 0;
  RunResult result;
  std::vector<std::uint8_t> scratch;
};

enum class SysStatus { Continue, Exit, Fault };

// Records the fault in m.result (cold path; builds the message).
[[gnu::cold]] void raise_fault(Machine& m, FaultKind kind, std::uint32_t pc, const Decoded* d, std::uint32_t addr);

inline bool in_guest(std::uint32_t a) { return a - kGuestBase < kGuestEnd - kGuestBase; }
// [a, a + len) wholly inside guest memory; an empty buffer always is.
inline bool buffer_in_guest(std::uint32_t a, std::uint32_t len) {
  return len == 0 || (a >= kGuestBase && std::uint64_t{a} + len <= kGuestEnd);
}

// Visits the n image words (elf.h image_word) at addr, addr + 4, ...:
// put(i, word) for each; the first address that is no image word, if any.
template <class Put>
std::optional<std::uint32_t> image_words(const Program& p, std::uint32_t addr, std::uint32_t n, Put put) {
  for (std::uint32_t i = 0; i < n; ++i) {
    const auto w = image_word(p, addr + 4 * i);
    if (!w) return addr + 4 * i;
    put(i, *w);
  }
  return std::nullopt;
}
// As bytes: the 4n little-endian bytes of the words into dst.
inline std::optional<std::uint32_t> copy_image_words(const Program& p, std::uint32_t addr, std::uint32_t n,
                                                     std::uint8_t* dst) {
  return image_words(p, addr, n, [dst](std::uint32_t i, std::uint32_t w) {
    for (std::uint32_t k = 0; k < 4; ++k) dst[4 * std::size_t{i} + k] = static_cast<std::uint8_t>(w >> (8 * k));
  });
}

template <class Ctx>
[[gnu::noinline]] SysStatus syscall(Machine& m, Ctx& ctx, const Decoded& d) {
  std::uint32_t* x = m.x;
  const std::uint32_t num = x[17], a0 = x[10], a1 = x[11], a2 = x[12];
  SyscallRecord rec{m.cycles, num, {a0, a1, a2}, {0, 0, 0, 0}, 0, 0};
  std::span<const std::uint8_t> data;
  switch (num) {
    case kSysExit:
      m.result.exit_code = a0 & 0xff;
      rec.ret[0] = a0, rec.ret[1] = a1, rec.ret[2] = a2, rec.ret[3] = x[13];
      ctx.syscall(rec, data);
      return SysStatus::Exit;
    case kSysRead: {
      if (a0 != 0) return raise_fault(m, FaultKind::BadReadFd, m.pc, &d, a0), SysStatus::Fault;
      if (!buffer_in_guest(a1, a2)) return raise_fault(m, FaultKind::SyscallBuffer, m.pc, &d, a1), SysStatus::Fault;
      const std::vector<std::uint8_t>& in = m.opts->input;
      const std::size_t n = std::min<std::size_t>(a2, in.size() - m.input_pos);
      m.mem.write_bytes(a1, in.data() + m.input_pos, n);
      data = std::span<const std::uint8_t>(in.data() + m.input_pos, n);
      m.input_pos += n;
      x[10] = static_cast<std::uint32_t>(n);
      break;
    }
    case kSysWrite: {
      if (a0 < 1 || a0 > 3) return raise_fault(m, FaultKind::BadWriteFd, m.pc, &d, a0), SysStatus::Fault;
      if (!buffer_in_guest(a1, a2)) return raise_fault(m, FaultKind::SyscallBuffer, m.pc, &d, a1), SysStatus::Fault;
      m.scratch.resize(a2);
      m.mem.read_bytes(a1, m.scratch.data(), a2);
      data = m.scratch;
      if (a0 == 3) {
        m.result.journal.insert(m.result.journal.end(), data.begin(), data.end());
      } else if (m.opts->on_output) {
        if (a2 > 0) m.opts->on_output(static_cast<int>(a0), data);
      } else {
        auto& out = a0 == 1 ? m.result.stdout_bytes : m.result.stderr_bytes;
        out.insert(out.end(), data.begin(), data.end());
      }
      x[10] = a2;
      break;
    }
    case kSysCycleCount:
      x[10] = static_cast<std::uint32_t>(m.cycles);
      x[11] = static_cast<std::uint32_t>(m.cycles >> 32);
      break;
    case kSysSha256: {
      if (((a0 | a1) & 3) != 0) return raise_fault(m, FaultKind::BadAccelArgs, m.pc, &d, 0), SysStatus::Fault;
      if (!buffer_in_guest(a0, 32)) return raise_fault(m, FaultKind::SyscallBuffer, m.pc, &d, a0), SysStatus::Fault;
      if (!buffer_in_guest(a1, 64)) return raise_fault(m, FaultKind::SyscallBuffer, m.pc, &d, a1), SysStatus::Fault;
      std::uint32_t h[8];
      std::uint8_t block[64];
      for (std::uint32_t i = 0; i < 8; ++i) h[i] = m.mem.load<std::uint32_t>(a0 + 4 * i);
      m.mem.read_bytes(a1, block, 64);
      sha256_compress(h, block);
      for (std::uint32_t i = 0; i < 8; ++i) m.mem.store<std::uint32_t>(a0 + 4 * i, h[i]);
      break;
    }
    case kSysDot4:
    case kSysDot4Rom: {  // dot4_rom: the weights are the ELF's image words, not memory
      const bool rom = num == kSysDot4Rom;
      if (!dot4_args_ok(a0, a1, a2)) return raise_fault(m, FaultKind::BadAccelArgs, m.pc, &d, 0), SysStatus::Fault;
      if (!buffer_in_guest(a0, a2)) return raise_fault(m, FaultKind::SyscallBuffer, m.pc, &d, a0), SysStatus::Fault;
      if (!rom && !buffer_in_guest(a1, 4 * a2))
        return raise_fault(m, FaultKind::SyscallBuffer, m.pc, &d, a1), SysStatus::Fault;
      m.scratch.resize(5 * std::size_t{a2});
      m.mem.read_bytes(a0, m.scratch.data(), a2);
      if (!rom) m.mem.read_bytes(a1, m.scratch.data() + a2, 4 * std::size_t{a2});
      if (rom) {
        if (const auto bad = copy_image_words(*m.program, a1, a2, m.scratch.data() + a2))
          return raise_fault(m, FaultKind::BadAccelArgs, m.pc, &d, *bad), SysStatus::Fault;
      }
      const std::uint8_t* bytes = m.scratch.data();
      const auto out = dot4_reference(0, a2, a2, [bytes](std::uint32_t i) { return bytes[i]; });
      for (std::size_t j = 0; j < 4; ++j) x[10 + j] = static_cast<std::uint32_t>(out[j]);
      break;
    }
    case kSysDense4Rom: {  // dot4_rom's sums, then bias, requantisation and clamp; only a0 is written
      const std::uint32_t bias = x[13], mult = x[14], shift = x[15];
      if (!dense4_args_ok(a0, a1, a2, bias, mult, shift))
        return raise_fault(m, FaultKind::BadAccelArgs, m.pc, &d, 0), SysStatus::Fault;
      // x's K bytes, then the output word Q at x + K: memory, not image.
      if (!buffer_in_guest(a0, a2 + 4)) return raise_fault(m, FaultKind::SyscallBuffer, m.pc, &d, a0), SysStatus::Fault;
      const std::uint32_t q = m.mem.load<std::uint32_t>(a0 + a2);  // 4-aligned: x and K are
      if (!dense4_q_ok(q)) return raise_fault(m, FaultKind::BadAccelArgs, m.pc, &d, a0 + a2), SysStatus::Fault;
      const Dense4Out o = dense4_unpack(q);
      m.scratch.resize(5 * std::size_t{a2});
      m.mem.read_bytes(a0, m.scratch.data(), a2);
      if (const auto bad = copy_image_words(*m.program, a1, a2, m.scratch.data() + a2))
        return raise_fault(m, FaultKind::BadAccelArgs, m.pc, &d, *bad), SysStatus::Fault;
      // bias: 4 words; mult and shift: 4 words per channel (pc = 1), else
      // the one word at +0 for all four outputs.
      const std::uint32_t n = o.pc ? 4 : 1;
      std::uint32_t bias_words[4], mult_words[4], shift_words[4];
      auto into = [](std::uint32_t* dst) { return [dst](std::uint32_t i, std::uint32_t w) { dst[i] = w; }; };
      if (const auto bad = image_words(*m.program, bias, 4, into(bias_words)))
        return raise_fault(m, FaultKind::BadAccelArgs, m.pc, &d, *bad), SysStatus::Fault;
      if (const auto bad = image_words(*m.program, mult, n, into(mult_words)))
        return raise_fault(m, FaultKind::BadAccelArgs, m.pc, &d, *bad), SysStatus::Fault;
      if (const auto bad = image_words(*m.program, shift, n, into(shift_words)))
        return raise_fault(m, FaultKind::BadAccelArgs, m.pc, &d, *bad), SysStatus::Fault;
      for (std::uint32_t j = 0; j < n; ++j)
        if (!dense4_shift_ok(shift_words[j]))
          return raise_fault(m, FaultKind::BadAccelArgs, m.pc, &d, shift + 4 * j), SysStatus::Fault;
      for (std::uint32_t j = n; j < 4; ++j) mult_words[j] = mult_words[0], shift_words[j] = shift_words[0];
      const std::uint8_t* bytes = m.scratch.data();
      const auto sums = dot4_reference(0, a2, a2, [bytes](std::uint32_t i) { return bytes[i]; }, o.sx != 0);
      x[10] = dense4_output(sums, bias_words, mult_words, shift_words, o);
      break;
    }
    default:
      return raise_fault(m, FaultKind::BadSyscall, m.pc, &d, num), SysStatus::Fault;
  }
  rec.ret[0] = x[10], rec.ret[1] = x[11], rec.ret[2] = x[12], rec.ret[3] = x[13];
  rec.data_len = static_cast<std::uint32_t>(data.size());
  ctx.syscall(rec, data);
  return SysStatus::Continue;
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"  // computed goto (labels as values) is a GNU extension

inline constexpr std::uint64_t kSoftMargin = 2 * kWordsPerPage;

// Instructions that cannot fault and do not jump:
// rd = ZKVM_SEM_<NAME>(rs1 value, rs2 value, imm as u32, pc). The plain
// handlers and the fused handlers below all expand these, so each
// instruction's semantics is written once.
// "LUI places the U-immediate value in the top 20 bits of rd, filling the
// lowest 12 bits with zeros."
#define ZKVM_SEM_LUI(a, b, i, pc) (i)
// "AUIPC adds the 20-bit U-immediate (top bits) to the pc of the AUIPC instruction."
#define ZKVM_SEM_AUIPC(a, b, i, pc) (pc) + (i)
#define ZKVM_SEM_ADDI(a, b, i, pc) (a) + (i)
#define ZKVM_SEM_SLTI(a, b, i, pc) static_cast<i32>(a) < static_cast<i32>(i) ? 1u : 0u
// "SLTIU: the immediate is first sign-extended, then compared as unsigned."
#define ZKVM_SEM_SLTIU(a, b, i, pc) (a) < (i) ? 1u : 0u
#define ZKVM_SEM_XORI(a, b, i, pc) (a) ^ (i)
#define ZKVM_SEM_ORI(a, b, i, pc) (a) | (i)
#define ZKVM_SEM_ANDI(a, b, i, pc) (a) & (i)
// Shift amounts: imm[4:0] (decoder masks), rs2[4:0] for register shifts.
#define ZKVM_SEM_SLLI(a, b, i, pc) (a) << (i)
#define ZKVM_SEM_SRLI(a, b, i, pc) (a) >> (i)
#define ZKVM_SEM_SRAI(a, b, i, pc) static_cast<u32>(static_cast<i32>(a) >> (i))
#define ZKVM_SEM_ADD(a, b, i, pc) (a) + (b)
#define ZKVM_SEM_SUB(a, b, i, pc) (a) - (b)
#define ZKVM_SEM_SLL(a, b, i, pc) (a) << ((b) & 31)
#define ZKVM_SEM_SLT(a, b, i, pc) static_cast<i32>(a) < static_cast<i32>(b) ? 1u : 0u
#define ZKVM_SEM_SLTU(a, b, i, pc) (a) < (b) ? 1u : 0u
#define ZKVM_SEM_XOR(a, b, i, pc) (a) ^ (b)
#define ZKVM_SEM_SRL(a, b, i, pc) (a) >> ((b) & 31)
#define ZKVM_SEM_SRA(a, b, i, pc) static_cast<u32>(static_cast<i32>(a) >> ((b) & 31))
#define ZKVM_SEM_OR(a, b, i, pc) (a) | (b)
#define ZKVM_SEM_AND(a, b, i, pc) (a) & (b)
// RV32M. MUL gives the low 32 bits; MULH/MULHSU/MULHU the high 32 bits of
// the signed x signed, signed x unsigned and unsigned x unsigned products.
#define ZKVM_SEM_MUL(a, b, i, pc) (a) * (b)
#define ZKVM_SEM_MULH(a, b, i, pc) \
  static_cast<u32>(static_cast<u64>(i64{static_cast<i32>(a)} * i64{static_cast<i32>(b)}) >> 32)
#define ZKVM_SEM_MULHSU(a, b, i, pc) \
  static_cast<u32>(static_cast<u64>(i64{static_cast<i32>(a)} * static_cast<i64>(b)) >> 32)
#define ZKVM_SEM_MULHU(a, b, i, pc) static_cast<u32>((u64{a} * u64{b}) >> 32)
#define ZKVM_ALU_OPS(X, b)                                                              \
  X(LUI, b) X(AUIPC, b) X(ADDI, b) X(SLTI, b) X(SLTIU, b) X(XORI, b) X(ORI, b) X(ANDI, b) \
  X(SLLI, b) X(SRLI, b) X(SRAI, b) X(ADD, b) X(SUB, b) X(SLL, b) X(SLT, b) X(SLTU, b)    \
  X(XOR, b) X(SRL, b) X(SRA, b) X(OR, b) X(AND, b) X(MUL, b) X(MULH, b) X(MULHSU, b)     \
  X(MULHU, b)
// Loads: ZKVM_LOAD_DO(memory type, extension type): sign- (LB, LH) or zero-
// extend (LBU, LHU) to 32 bits. They can fault, but only before anything is
// written, so they may start a fused group too.
#define ZKVM_LTYPES_LB std::int8_t, i32
#define ZKVM_LTYPES_LH std::int16_t, i32
#define ZKVM_LTYPES_LW u32, u32
#define ZKVM_LTYPES_LBU std::uint8_t, u32
#define ZKVM_LTYPES_LHU std::uint16_t, u32
#define ZKVM_LOAD_OPS(X, b) X(LB, b) X(LH, b) X(LW, b) X(LBU, b) X(LHU, b)

// Triples "A, B, then any C" for the most frequent A, B of compiled code
// (rotates, the SHA-256 round, the int8 dot product, xorshift, loop tails;
// docs/benchmarks/vm.md): (A, kind of A, B, kind of B, _), kind ALU or LOAD.
#define ZKVM_TRIPLE_PREFIXES(X, c)                                         \
  X(SRLI, ALU, SLLI, ALU, c) X(SLLI, ALU, SRLI, ALU, c)                    \
  X(SLLI, ALU, OR, ALU, c) X(SLLI, ALU, XOR, ALU, c)                       \
  X(XOR, ALU, SLLI, ALU, c) X(XOR, ALU, SRLI, ALU, c)                      \
  X(XOR, ALU, ADD, ALU, c) X(XOR, ALU, AND, ALU, c) X(AND, ALU, XOR, ALU, c) \
  X(XOR, ALU, ADDI, ALU, c) X(ADD, ALU, ADD, ALU, c)                       \
  X(ADD, ALU, LB, LOAD, c) X(ADD, ALU, LW, LOAD, c) X(LB, LOAD, MUL, ALU, c) \
  X(MUL, ALU, ADD, ALU, c) X(ADDI, ALU, ADDI, ALU, c) X(LUI, ALU, ADDI, ALU, c)

// Superinstructions (fast path only). A slot whose instruction A is in one
// of the lists above and whose successor B (same page) is any table row gets
// the handler "A then B": A's semantics, retire, step to B's slot, and a
// *direct* jump to B's plain handler, which does B's checks, faults, jumps
// and its own dispatch exactly as unfused. So a pair saves one indirect jump
// and every result (registers, memory, cycles, faults, limit) is the plain
// one by construction. Fusion is per starting slot: B's slot keeps its own
// handler for jumps into it. Stores never start a pair (a store may rewrite
// B), and a write into a code page resets the slots of the written words and
// of the two before each, so a group is decoded again after it.
enum FusedFirst : std::uint8_t {
#define ZKVM_FIRST_ENUM(name, b) kFirst_##name,
  ZKVM_ALU_OPS(ZKVM_FIRST_ENUM, _) ZKVM_LOAD_OPS(ZKVM_FIRST_ENUM, _) kNumFusedFirst
#undef ZKVM_FIRST_ENUM
};
// Op -> FusedFirst index, or -1 when the op cannot start a pair.
inline constexpr auto kFusedFirstIndex = [] {
  std::array<std::int8_t, kNumOps> a{};
  a.fill(-1);
#define ZKVM_FIRST_MAP(name, b) a[static_cast<std::size_t>(Op::name)] = kFirst_##name;
  ZKVM_ALU_OPS(ZKVM_FIRST_MAP, _) ZKVM_LOAD_OPS(ZKVM_FIRST_MAP, _)
#undef ZKVM_FIRST_MAP
  return a;
}();
enum TriplePrefix : std::uint8_t {
#define ZKVM_PREFIX_ENUM(a, ka, b, kb, c) kPrefix_##a##_##b,
  ZKVM_TRIPLE_PREFIXES(ZKVM_PREFIX_ENUM, _) kNumTriplePrefixes
#undef ZKVM_PREFIX_ENUM
};
// (Op A, Op B) -> TriplePrefix index, or -1.
inline constexpr auto kTriplePrefixIndex = [] {
  std::array<std::array<std::int8_t, kNumOps>, kNumOps> t{};
  for (auto& row : t) row.fill(-1);
#define ZKVM_PREFIX_MAP(a, ka, b, kb, c) \
  t[static_cast<std::size_t>(Op::a)][static_cast<std::size_t>(Op::b)] = kPrefix_##a##_##b;
  ZKVM_TRIPLE_PREFIXES(ZKVM_PREFIX_MAP, _)
#undef ZKVM_PREFIX_MAP
  return t;
}();

// Returns true when the run ended (exit, fault or limit), false when the
// inexact instance reached the soft limit and the exact one must continue.
template <class Ctx, bool kExact>
bool execute(Machine& m, Ctx& ctx) {
  static const void* const kLabels[kNumOps] = {
#define ZKVM_RV_INSN(name, opcode, funct3, funct7, format) &&L_##name,
#include "isa/rv32im.inc"
#undef ZKVM_RV_INSN
      &&L_ILLEGAL, &&L_NOT_CODE, &&L_MODIFIED_CODE, &&L_DECODE, &&L_PAGE_END};
  // kPairLabels[B][first index of A]: the handler "A then B".
  static const void* const kPairLabels[kNumInsns][kNumFusedFirst] = {
#define ZKVM_PAIR_ADDR(a, b) &&L_##a##__##b,
#define ZKVM_RV_INSN(name, opcode, funct3, funct7, format) \
  {ZKVM_ALU_OPS(ZKVM_PAIR_ADDR, name) ZKVM_LOAD_OPS(ZKVM_PAIR_ADDR, name)},
#include "isa/rv32im.inc"
#undef ZKVM_RV_INSN
#undef ZKVM_PAIR_ADDR
  };
  // kTripleLabels[C][prefix (A, B)]: the handler "A, B then C".
  static const void* const kTripleLabels[kNumInsns][kNumTriplePrefixes] = {
#define ZKVM_TRIPLE_ADDR(a, ka, b, kb, c) &&L_##a##_##b##__##c,
#define ZKVM_RV_INSN(name, opcode, funct3, funct7, format) {ZKVM_TRIPLE_PREFIXES(ZKVM_TRIPLE_ADDR, name)},
#include "isa/rv32im.inc"
#undef ZKVM_RV_INSN
#undef ZKVM_TRIPLE_ADDR
  };
  // Only the fast, inexact instance fuses: the exact instance (the last
  // <= 2048 cycles before the limit), the mix counter and the tracer run
  // one handler per instruction.
  const bool fuse = !kExact && Ctx::kFusion && m.opts && m.opts->fusion;

  std::uint32_t* const x = m.x;
  Memory& mem = m.mem;
  Page** const table = mem.table();
  std::uint32_t pc = m.pc;
  std::uint64_t cycles = m.cycles;
  const std::uint64_t limit = m.max_cycles;
  const std::uint64_t soft_limit = limit > kSoftMargin ? limit - kSoftMargin : 0;
  if (!kExact && cycles >= soft_limit) return false;
  Slot* s = nullptr;

  // Point every existing slot at this instance's handlers (slots may have
  // been filled by the other instance of this function).
  if (mem.decode_handler != &&L_DECODE) {
    mem.decode_handler = &&L_DECODE;
    mem.page_end_handler = &&L_PAGE_END;
    for (std::uint32_t i = 0; i < kNumPages; ++i)
      if (table[i] && table[i]->decoded)
        for (std::uint32_t w = 0; w <= kWordsPerPage; ++w) {
          Slot& sl = table[i]->decoded[w];
          sl.h = kLabels[static_cast<std::uint8_t>(sl.d.op)];
        }
  }

  // Decode-time helpers for fusion. peek: a slot's instruction, fetched if
  // the slot is not decoded (its handler stays the decode handler).
  const auto peek = [&](Slot* p) -> const Decoded& {
    if (p->d.op == Op::DECODE) p->d = mem.fetch(p->pc);
    return p->d;
  };
  // Whether p (a slot or the sentinel) starts the rotate idiom of RV32IM
  // without Zbb: srli t, x, a; slli u, x, b; or d, t, u (either shift first,
  // either or operand order), with t != x (the second shift still reads x)
  // and t != u (the or reads both results). 1: srli first, 2: slli first.
  const auto rotate_at = [&](Slot* p) -> int {
    const Decoded& d0 = p->d.op == Op::PAGE_END ? p->d : peek(p);
    if (d0.op != Op::SRLI && d0.op != Op::SLLI) return 0;
    const Decoded& d1 = peek(p + 1);  // p is not the sentinel
    if (d1.op != (d0.op == Op::SRLI ? Op::SLLI : Op::SRLI)) return 0;
    const Decoded& d2 = peek(p + 2);  // nor is p + 1
    if (d2.op != Op::OR || d1.rs1 != d0.rs1 || d0.rd == d0.rs1 || d0.rd == d1.rd) return 0;
    if (!((d2.rs1 == d0.rd && d2.rs2 == d1.rd) || (d2.rs1 == d1.rd && d2.rs2 == d0.rd))) return 0;
    return d0.op == Op::SRLI ? 1 : 2;
  };

  // Memory access after the executor's alignment and range checks.
  const auto page_of = [&](std::uint32_t a) -> Page* {
    Page* p = table[a >> kPageShift];
    if (!p) [[unlikely]]
      p = mem.allocate(a);
    return p;
  };
  const auto load = [&]<class T>(T*, std::uint32_t a) -> T {
    T v;
    std::memcpy(&v, page_of(a)->data + (a & (kPageSize - 1)), sizeof v);
    return v;
  };
  const auto store = [&]<class T>(std::uint32_t a, T v) {
    Page* p = page_of(a);
    std::memcpy(p->data + (a & (kPageSize - 1)), &v, sizeof v);
    if (p->code) [[unlikely]]
      mem.code_written(p, a & (kPageSize - 1), sizeof v);
  };

#define ZKVM_SAVE() (m.pc = pc, m.cycles = cycles)
#define ZKVM_FAULT(kind, addr)                            \
  do {                                                    \
    pc = s->pc;                                           \
    ZKVM_SAVE();                                          \
    raise_fault(m, FaultKind::kind, pc, &s->d, addr);     \
    return true;                                          \
  } while (0)
  // Dispatch of the next sequential instruction (threaded: one indirect
  // jump per handler). A page crossing takes the full lookup.
#define ZKVM_DISPATCH_SEQ()                                   \
  do {                                                        \
    ++s;                                                      \
    if constexpr (kExact) {                                   \
      if (cycles >= limit) [[unlikely]] {                     \
        pc = s->pc;                                           \
        goto stop_limit;                                      \
      }                                                       \
    }                                                         \
    ctx.begin(s->pc, s->d, x);                                \
    goto* s->h;                                               \
  } while (0)
#define ZKVM_RETIRE()      \
  do {                     \
    ctx.retire(s->d, x);   \
    ++cycles;              \
    ZKVM_DISPATCH_SEQ();   \
  } while (0)
  // Jump or taken branch: a target that is not a multiple of 4 faults.
#define ZKVM_JUMP(target_expr)                      \
  do {                                              \
    const std::uint32_t t_ = (target_expr);         \
    if (t_ & 3) [[unlikely]]                        \
      ZKVM_FAULT(MisalignedJump, t_);               \
    x[s->d.rd] = s->pc + 4;                         \
    ctx.retire(s->d, x);                            \
    ++cycles;                                       \
    /* same page: step to the target slot directly */ \
    if (((t_ ^ s->pc) >> kPageShift) == 0 &&        \
        cycles < (kExact ? limit : soft_limit)) [[likely]] { \
      s += static_cast<std::int32_t>(t_ - s->pc) / 4; \
      ctx.begin(s->pc, s->d, x);                    \
      goto* s->h;                                   \
    }                                               \
    pc = t_;                                        \
    goto next_full;                                 \
  } while (0)
#define ZKVM_BRANCH(cond)                                               \
  do {                                                                  \
    if (cond) ZKVM_JUMP(s->pc + static_cast<std::uint32_t>(s->d.imm));       \
    ZKVM_RETIRE();                                                      \
  } while (0)
#define ZKVM_LOAD_DO(T, ext) ZKVM_LOAD_AT(x[s->d.rs1], T, ext)
  // A load from base + imm, base being the value of rs1.
#define ZKVM_LOAD_AT(base, T, ext)                                      \
  do {                                                                  \
    const std::uint32_t a_ = (base) + static_cast<std::uint32_t>(s->d.imm); \
    if (a_ & (sizeof(T) - 1)) [[unlikely]]                              \
      ZKVM_FAULT(MisalignedLoad, a_);                                   \
    if (!in_guest(a_)) [[unlikely]]                                     \
      ZKVM_FAULT(LoadOutOfBounds, a_);                                  \
    const T v_ = load(static_cast<T*>(nullptr), a_);                    \
    ctx.load(a_);                                                       \
    x[s->d.rd] = static_cast<std::uint32_t>(static_cast<ext>(v_));        \
  } while (0)
#define ZKVM_LOAD(T, ext)  \
  do {                     \
    ZKVM_LOAD_DO(T, ext);  \
    ZKVM_RETIRE();         \
  } while (0)
  // Expand a ZKVM_LTYPES_<NAME> pair into the two arguments.
#define ZKVM_LOAD_DO2(...) ZKVM_LOAD_DO(__VA_ARGS__)
#define ZKVM_LOAD_AT2(...) ZKVM_LOAD_AT(__VA_ARGS__)
#define ZKVM_LOAD2(...) ZKVM_LOAD(__VA_ARGS__)
#define ZKVM_STORE(T)                                                   \
  do {                                                                  \
    const std::uint32_t a_ = x[s->d.rs1] + static_cast<std::uint32_t>(s->d.imm); \
    if (a_ & (sizeof(T) - 1)) [[unlikely]]                              \
      ZKVM_FAULT(MisalignedStore, a_);                                  \
    if (!in_guest(a_)) [[unlikely]]                                     \
      ZKVM_FAULT(StoreOutOfBounds, a_);                                 \
    ctx.before_store(a_);                                               \
    store(a_, static_cast<T>(x[s->d.rs2]));                               \
    ctx.after_store(a_);                                                \
    ZKVM_RETIRE();                                                      \
  } while (0)
#define ZKVM_ALU(expr)  \
  do {                  \
    x[s->d.rd] = (expr);  \
    ZKVM_RETIRE();      \
  } while (0)

  using u32 = std::uint32_t;
  using i32 = std::int32_t;
  using u64 = std::uint64_t;
  using i64 = std::int64_t;
#define RS1 x[s->d.rs1]
#define RS2 x[s->d.rs2]
#define SRS1 static_cast<i32>(x[s->d.rs1])
#define SRS2 static_cast<i32>(x[s->d.rs2])
#define IMM static_cast<u32>(s->d.imm)

next_full:
  if (cycles >= (kExact ? limit : soft_limit)) [[unlikely]] {
    if (!kExact) {
      ZKVM_SAVE();
      return false;
    }
    goto stop_limit;
  }
  if (!in_guest(pc)) [[unlikely]] {
    ZKVM_SAVE();
    raise_fault(m, FaultKind::FetchOutOfBounds, pc, nullptr, pc);
    return true;
  }
  if (!mem.has_code_page(pc)) [[unlikely]] {
    ZKVM_SAVE();
    raise_fault(m, FaultKind::FetchOutsideCode, pc, nullptr, pc);
    return true;
  }
  s = mem.code(pc) + ((pc >> 2) & (kWordsPerPage - 1));
  ctx.begin(pc, s->d, x);
  goto* s->h;

stop_limit:
  ZKVM_SAVE();
  m.result.status = RunStatus::CycleLimit;
  return true;

  // A slot not decoded yet, or reset by a write into its page: decode it
  // from the code image and dispatch again. ctx.begin already ran but saw an undecoded slot, so it runs
  // again with the decoded instruction.
L_DECODE:
  s->d = mem.fetch(s->pc);
  s->h = kLabels[static_cast<std::uint8_t>(s->d.op)];
  if (fuse && kFusedFirstIndex[static_cast<std::uint8_t>(s->d.op)] >= 0) {
    // Choose the group this slot starts: a rotate, else a triple, else a
    // pair, but never one that swallows the start of a rotate (so the
    // rotate's own slot runs it whatever the entry point). Neighbours are
    // decoded as needed (their words are what they would fetch) but keep
    // the decode handler, so they choose their own group when they are
    // reached.
    const int rot = rotate_at(s);
    if (rot) {
      s->h = rot == 1 ? &&L_ROT_SRLI_SLLI_OR : &&L_ROT_SLLI_SRLI_OR;
    } else {
      const Op b = peek(s + 1).op;
      if (static_cast<std::size_t>(b) < kNumInsns && !rotate_at(s + 1)) {
        s->h = kPairLabels[static_cast<std::uint8_t>(b)][kFusedFirstIndex[static_cast<std::uint8_t>(s->d.op)]];
        const std::int8_t tp = kTriplePrefixIndex[static_cast<std::uint8_t>(s->d.op)][static_cast<std::uint8_t>(b)];
        if (tp >= 0) {
          const Op c = peek(s + 2).op;  // s + 1 is not the sentinel, so s + 2 exists
          if (static_cast<std::size_t>(c) < kNumInsns && !rotate_at(s + 2))
            s->h = kTripleLabels[static_cast<std::uint8_t>(c)][tp];
        }
      }
    }
  }
  ctx.begin(s->pc, s->d, x);
  goto* s->h;

  // Sentinel after a page's last slot: continue at the next page.
L_PAGE_END:
  pc = s->pc;
  goto next_full;

  // Plain handlers of the non-faulting ALU instructions (semantics in ZKVM_ALU_OPS).
#define ZKVM_PLAIN_ALU(name, b) \
  L_##name:                      \
  ZKVM_ALU(ZKVM_SEM_##name(RS1, RS2, IMM, s->pc));
  ZKVM_ALU_OPS(ZKVM_PLAIN_ALU, _)
#undef ZKVM_PLAIN_ALU
  // "JAL stores pc+4 into rd; target = pc + sign-extended J-immediate."
L_JAL:
  ZKVM_JUMP(s->pc + IMM);
  // "JALR: target = (rs1 + sign-extended imm) with the least-significant bit cleared."
L_JALR:
  ZKVM_JUMP((RS1 + IMM) & ~u32{1});
L_BEQ:
  ZKVM_BRANCH(RS1 == RS2);
L_BNE:
  ZKVM_BRANCH(RS1 != RS2);
L_BLT:
  ZKVM_BRANCH(SRS1 < SRS2);
L_BGE:
  ZKVM_BRANCH(SRS1 >= SRS2);
L_BLTU:
  ZKVM_BRANCH(RS1 < RS2);
L_BGEU:
  ZKVM_BRANCH(RS1 >= RS2);
#define ZKVM_PLAIN_LOAD(name, b) \
  L_##name:                       \
  ZKVM_LOAD2(ZKVM_LTYPES_##name);
  ZKVM_LOAD_OPS(ZKVM_PLAIN_LOAD, _)
#undef ZKVM_PLAIN_LOAD
  // Stores write the low 8, 16 or 32 bits of rs2.
L_SB:
  ZKVM_STORE(std::uint8_t);
L_SH:
  ZKVM_STORE(std::uint16_t);
L_SW:
  ZKVM_STORE(u32);
  // FENCE: one hart and no caches, so ordering is already total; no-op (guest-abi.md).
L_FENCE:
  ZKVM_RETIRE();
L_ECALL: {
  pc = s->pc;
  ZKVM_SAVE();
  const SysStatus st = syscall(m, ctx, s->d);
  if (st == SysStatus::Fault) return true;
  ctx.retire(s->d, x);
  ++cycles;
  if (st == SysStatus::Exit) {
    ZKVM_SAVE();
    m.result.status = RunStatus::Exited;
    return true;
  }
  pc += 4;
  // Continue through the full lookup (the call ran outside the slot loop).
  goto next_full;
}
  // Division (spec table 7.1): x/0 = -1 (all ones), x%0 = x;
  // INT_MIN / -1 = INT_MIN, INT_MIN % -1 = 0. No traps.
L_DIV:
  ZKVM_ALU(RS2 == 0 ? ~u32{0}
           : (RS1 == 0x80000000u && RS2 == ~u32{0}) ? 0x80000000u
                                                    : static_cast<u32>(SRS1 / SRS2));
L_DIVU:
  ZKVM_ALU(RS2 == 0 ? ~u32{0} : RS1 / RS2);
L_REM:
  ZKVM_ALU(RS2 == 0 ? RS1 : (RS1 == 0x80000000u && RS2 == ~u32{0}) ? 0u : static_cast<u32>(SRS1 % SRS2));
L_REMU:
  ZKVM_ALU(RS2 == 0 ? RS1 : RS1 % RS2);
L_ILLEGAL:
  ZKVM_FAULT(IllegalInstruction, 0);
  // A word of a code page that is not in the code image (data beside code,
  // a partial word at a segment edge): no instruction was fetched.
#define ZKVM_FETCH_FAULT(kind)                         \
  do {                                                 \
    pc = s->pc;                                        \
    ZKVM_SAVE();                                       \
    raise_fault(m, FaultKind::kind, pc, nullptr, pc);  \
    return true;                                       \
  } while (0)
L_NOT_CODE:
  ZKVM_FETCH_FAULT(FetchOutsideCode);
  // A code word that a store or read() has overwritten (and not restored).
L_MODIFIED_CODE:
  ZKVM_FETCH_FAULT(ModifiedCode);
#undef ZKVM_FETCH_FAULT

  // Fused pairs "A then B" (see FusedFirst): A's semantics, retire, then a
  // direct jump to B's plain handler.
#define ZKVM_STEP()                         \
  do {                                      \
    ctx.retire(s->d, x);                    \
    ++cycles;                               \
    ++s;                                    \
    ctx.begin(s->pc, s->d, x);              \
  } while (0)
#define ZKVM_DO_ALU(a) x[s->d.rd] = (ZKVM_SEM_##a(RS1, RS2, IMM, s->pc))
#define ZKVM_DO_LOAD(a) ZKVM_LOAD_DO2(ZKVM_LTYPES_##a)
#define ZKVM_PAIR_ALU(a, b) \
  L_##a##__##b:             \
  ZKVM_DO_ALU(a);           \
  ZKVM_STEP();              \
  goto L_##b;
#define ZKVM_PAIR_LOAD(a, b) \
  L_##a##__##b:              \
  ZKVM_DO_LOAD(a);           \
  ZKVM_STEP();               \
  goto L_##b;
#define ZKVM_TRIPLE(a, ka, b, kb, c) ZKVM_TRIPLE_##ka##_##kb(a, b, c)
  // ALU then load: the load's base register forwarded as for ALU_ALU below.
#define ZKVM_TRIPLE_ALU_LOAD(a, b, c)                                  \
  L_##a##_##b##__##c : {                                               \
    const u32 va_ = (ZKVM_SEM_##a(RS1, RS2, IMM, s->pc));              \
    const u32 b1_ = x[s[1].d.rs1];                                     \
    const u32 m1_ = 0u - static_cast<u32>(s[1].d.rs1 == s->d.rd);      \
    x[s->d.rd] = va_;                                                  \
    ZKVM_STEP();                                                       \
    ZKVM_LOAD_AT2((va_ & m1_) | (b1_ & ~m1_), ZKVM_LTYPES_##b);        \
    ZKVM_STEP();                                                       \
    goto L_##c;                                                        \
  }
#define ZKVM_TRIPLE_LOAD_ALU(a, b, c) \
  L_##a##_##b##__##c:                 \
  ZKVM_DO_LOAD(a);                    \
  ZKVM_STEP();                        \
  ZKVM_DO_ALU(b);                     \
  ZKVM_STEP();                        \
  goto L_##c;
  // ALU then ALU: B's operands are read before A's result is stored and A's
  // result is forwarded by selection, so a dependent B does not wait for a
  // store-to-load round trip through the register file in memory.
#define ZKVM_TRIPLE_ALU_ALU(a, b, c)                                               \
  L_##a##_##b##__##c : {                                                           \
    const Decoded& d1_ = s[1].d;                                                   \
    const u32 va_ = (ZKVM_SEM_##a(RS1, RS2, IMM, s->pc));                          \
    const u32 b1_ = x[d1_.rs1], b2_ = x[d1_.rs2];                                  \
    const u32 m1_ = 0u - static_cast<u32>(d1_.rs1 == s->d.rd);                     \
    const u32 m2_ = 0u - static_cast<u32>(d1_.rs2 == s->d.rd);                     \
    x[s->d.rd] = va_;                                                              \
    const u32 o1_ = (va_ & m1_) | (b1_ & ~m1_), o2_ = (va_ & m2_) | (b2_ & ~m2_);   \
    (void)o1_, (void)o2_; /* unused by immediate forms */                        \
    x[d1_.rd] = (ZKVM_SEM_##b(o1_, o2_, static_cast<u32>(d1_.imm), s[1].pc));      \
    ZKVM_STEP();                                                                   \
    ZKVM_STEP();                                                                   \
    goto L_##c;                                                                    \
  }
  // Rotates (conditions at L_DECODE): t = x >> a, u = x << b, d = t | u.
L_ROT_SRLI_SLLI_OR: {
  const u32 v = RS1, t = v >> IMM, u = v << static_cast<u32>(s[1].d.imm);
  x[s->d.rd] = t, x[s[1].d.rd] = u, x[s[2].d.rd] = t | u;
  ZKVM_STEP();
  ZKVM_STEP();
  ZKVM_RETIRE();
}
L_ROT_SLLI_SRLI_OR: {
  const u32 v = RS1, u = v << IMM, t = v >> static_cast<u32>(s[1].d.imm);
  x[s->d.rd] = u, x[s[1].d.rd] = t, x[s[2].d.rd] = t | u;
  ZKVM_STEP();
  ZKVM_STEP();
  ZKVM_RETIRE();
}
#define ZKVM_RV_INSN(name, opcode, funct3, funct7, format) \
  ZKVM_ALU_OPS(ZKVM_PAIR_ALU, name) ZKVM_LOAD_OPS(ZKVM_PAIR_LOAD, name) ZKVM_TRIPLE_PREFIXES(ZKVM_TRIPLE, name)
#include "isa/rv32im.inc"
#undef ZKVM_RV_INSN
#undef ZKVM_PAIR_ALU
#undef ZKVM_PAIR_LOAD
#undef ZKVM_TRIPLE
#undef ZKVM_TRIPLE_ALU_ALU
#undef ZKVM_TRIPLE_ALU_LOAD
#undef ZKVM_TRIPLE_LOAD_ALU
#undef ZKVM_DO_ALU
#undef ZKVM_DO_LOAD
#undef ZKVM_STEP

#undef RS1
#undef RS2
#undef SRS1
#undef SRS2
#undef IMM
#undef ZKVM_SAVE
#undef ZKVM_FAULT
#undef ZKVM_RETIRE
#undef ZKVM_DISPATCH_SEQ
#undef ZKVM_JUMP
#undef ZKVM_BRANCH
#undef ZKVM_LOAD
#undef ZKVM_LOAD_DO
#undef ZKVM_LOAD_DO2
#undef ZKVM_LOAD_AT2
#undef ZKVM_LOAD_AT
#undef ZKVM_LOAD2
#undef ZKVM_STORE
#undef ZKVM_ALU
}

#pragma GCC diagnostic pop

}  // namespace zkvm::vm::detail
