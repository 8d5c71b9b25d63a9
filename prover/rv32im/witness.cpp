// Witness generation: replays the tracing executor's rows (docs/TRACE.md)
// into the CPU table, the ALU chips' events, the io table and the memory
// model; every value comes from the emulator's trace, the columns between
// them are the AIR's own decompositions (cpu.h).
#include "prover/rv32im/witness.h"

#include <algorithm>
#include <deque>
#include <exception>
#include <functional>
#include <stdexcept>
#include <string>

#include "prover/ntt/ntt.h"
#include "prover/rv32im/bitwise.h"
#include "prover/rv32im/circuit_chips.h"
#include "prover/rv32im/bytes.h"
#include "prover/rv32im/cpu.h"
#include "prover/rv32im/div.h"
#include "prover/rv32im/dot.h"
#include "prover/rv32im/io.h"
#include "prover/rv32im/memory.h"
#include "prover/rv32im/memstate.h"
#include "prover/rv32im/mul.h"
#include "prover/rv32im/sha.h"
#include "prover/rv32im/shift.h"
#include "zkvm/vm/accel.h"

#if defined(_OPENMP)
#include <omp.h>
#endif

namespace zkvm::rv32im {



namespace {

using namespace cpu;

Fp u(uint32_t v) { return Fp::from_canonical(v); }
int max_threads() {
#if defined(_OPENMP)
  return omp_get_max_threads();
#else
  return 1;
#endif
}
// This thread's index and the team's size inside a parallel region.
std::pair<size_t, size_t> thread_in_team() {
#if defined(_OPENMP)
  return {static_cast<size_t>(omp_get_thread_num()), static_cast<size_t>(omp_get_num_threads())};
#else
  return {0, 1};
#endif
}
uint32_t byte(uint32_t w, size_t i) { return (w >> (8 * i)) & 0xff; }
// The instruction word of a program row (its last four elements).
uint32_t word_of(const ProgramRow& pr) {
  uint32_t w = 0;
  for (size_t i = 0; i < 4; ++i) w |= pr[11 + kNumFlags + 4 + i] << (8 * i);
  return w;
}

class Generator {
  // Rows between the two phases (access_row, fill_pending): at most one
  // trace chunk's.
  struct Pending {
    const vm::TraceRow* tr;
    const vm::SyscallRecord* rec;
    const ProgramRow* pr;       // image_.program's row, or forged_'s
    uint32_t clk;               // segment-local
    uint32_t prev[kNumSlots];   // previous access time per slot (0: unused or first)
    uint32_t m;                 // the memory word before (loads/stores: the trace's; cycle count: a1)
    uint32_t rd_old;            // rd before the write
  };
  // What one thread of phase 2 collects (merged in thread order).
  struct Local {
    ByteCounts bytes;
    std::vector<AluEvent> bitwise, shift, mul, div;
    std::exception_ptr error;  // the first row that failed, if any
    size_t error_row = 0;
  };
 public:
  using Sink = std::function<void(SegmentWitness&&)>;
  Generator(const Image& image, unsigned log_segment, size_t min_rows, TraceCheck check, Sink sink)
      : image_(image), plan_(log_segment), plan_log_(log_segment), accel_cap_(SegmentPlan::accel_cap(log_segment)), min_rows_(min_rows),
        strict_(check == TraceCheck::kStrict), sink_(std::move(sink)) {
    if (log_segment > kMaxLogCycles)
      throw std::invalid_argument("segments are at most 2^" + std::to_string(kMaxLogCycles) + " cycles");
    for (size_t i = 0; i < image.program.size(); ++i) program_index_.emplace(image.program[i][1], i);
    for (const auto& [a, w] : image.words) mem_.init_image(word_cell(a), w);
    gaps_ = image_gaps(image);
    info_.start_pc = image.entry;
    start_segment();
  }

  void chunk(const vm::TraceChunk& ch) {
    size_t sys = 0;
    for (size_t i = 0; i < ch.rows.size(); ++i) {
      const uint64_t clk = ch.first_cycle + i;
      if (clk >= (uint64_t{1} << kMaxLogTotalCycles))
        throw std::invalid_argument("execution longer than 2^" + std::to_string(kMaxLogTotalCycles) +
                                    " cycles: receipts do not cover it");
      const vm::SyscallRecord* rec = nullptr;
      std::span<const uint8_t> data;
      if (sys < ch.syscalls.size() && ch.syscalls[sys].cycle == clk) {
        rec = &ch.syscalls[sys++];
        data = ch.syscall_data.subspan(rec->data_offset, rec->data_len);
      }
      if (plan_.starts_segment(clk, rec)) {  // the segment is full and the run goes on
        fill_pending();
        emit(false);
        info_ = next_info();
        start_segment();
      }
      access_row(ch.rows[i], static_cast<uint32_t>(clk - info_.start_cycle), rec, data);
    }
    fill_pending();  // the chunk's spans end with this call
  }

  // The last segment (it holds the boundary table); claim: the run's exit
  // code and journal.
  void finish(const vm::RunResult& claim) {
    info_.exit_code = claim.exit_code;
    emit(true);
  }
  // Segments before `first` are handed over without their tables.
  void build_from(size_t first) { build_from_ = first; }

 private:
  SegmentInfo next_info() const {
    SegmentInfo n;
    n.index = info_.index + 1;
    n.start_pc = info_.end_pc;
    n.start_cycle = info_.start_cycle + info_.cycles;
    n.journal_start = n.journal_end = info_.journal_end;
    n.eof_in = info_.eof_out;
    return n;
  }

  void start_segment() {
    if (info_.index >= kMaxSegments)
      throw std::invalid_argument("execution needs more than " + std::to_string(kMaxSegments) + " segments");
    // Room for a full segment, reserved (address space only: pages are
    // touched as rows are written), so the rows are never copied by growth;
    // emit() hands the buffer to the CPU table.
    cpu_rows_.clear();
    cpu_rows_.reserve(kWidth * (SegmentPlan::segment_cycles(plan_log_) + 1));
    program_mult_.assign(image_.program.size(), 0);
    bytes_ = ByteCounts{};
    bitwise_.clear(), shift_.clear(), mul_.clear(), div_.clear();
    io_.start_segment(info_.start_cycle);
    dot_.start_segment();
    rom_mult_.assign(image_.words.size(), 0);
    sha_.start_segment();
    mem_.begin_segment(info_.tag());
  }

  void emit(bool last) {
    SegmentWitness sw;
    info_.last = last;
    info_.cycles = static_cast<uint32_t>(cpu_rows_.size() / kWidth);
    info_.end_pc = last_npc_;
    info_.journal_end = static_cast<uint32_t>(io_.journal_len());
    info_.eof_out = io_.eof();
    // The rows past cpu_main_rows(cycles), if any, are the overflow table's
    // (segment.h); it starts at the main table's npc.
    const size_t c1 = cpu_main_rows(info_.cycles);
    info_.split_pc = c1 < info_.cycles ? cpu_rows_[kWidth * c1 + kPc].canonical() : 0;
    if (info_.index < build_from_) {
      sw.info = info_;
      sink_(std::move(sw));
      return;
    }
    const size_t cycles = info_.cycles;
    // Tables the plan does not bound: an ALU chip's (one event per cycle at
    // most from the CPU, and dense4_rom's events up to the plan's cap, so
    // only a 2^21-cycle segment of nearly nothing but one chip's operations
    // overflows) and the memory table (one row per word the
    // segment touches: its code, loads and stores, and the words io and
    // accelerator calls read, up to 5 per dot4 row). Past the AIR's 2^21
    // rows they are refused here, by name, before any is built.
    const std::pair<const char*, size_t> tall[] = {{"bitwise", bitwise_.size()}, {"shift", shift_.size()},
                                                   {"mul", mul_.size()},         {"div", div_.size()},
                                                   {"memory", mem_.touched_cells()}};
    for (const auto& [name, rows] : tall)
      if (padded_height(rows, min_rows_) > (size_t{1} << kMaxLogCycles))
        throw std::invalid_argument("segment " + std::to_string(info_.index) + ": its " + name + " table needs " +
                                    std::to_string(rows) + " rows in " + std::to_string(cycles) +
                                    " cycles, more than a table of 2^" + std::to_string(kMaxLogCycles) +
                                    " rows holds; prove it in smaller segments (a smaller zkvm prove --segment-po2)");
    // Padding rows: all zero except what the row constraints fix for an
    // all-zero instruction (npc = pc + 4, e0 = 1, lt = 1 as 0 - 0 borrows
    // nothing); clk counts on from the table's first row.
    auto cpu_table = [&](std::vector<Fp> rows, size_t first_clk) {
      const size_t real = rows.size() / kWidth;
      rows.resize(kWidth * padded_height(real, min_rows_));  // zero padding rows
      RowMajorMatrix<Fp> t(std::move(rows), kWidth);
      for (size_t r = real; r < t.height; ++r) {
        t.at(r, kClk) = u(static_cast<uint32_t>(first_clk + r));
        t.at(r, kNpc) = u(4);
        t.at(r, kE) = Fp::one();
        t.at(r, kLt) = Fp::one();
      }
      return t;
    };
    sw.traces.resize(kNumTables);
    if (c1 < cycles) {
      std::vector<Fp> tail(cpu_rows_.begin() + static_cast<std::ptrdiff_t>(kWidth * c1), cpu_rows_.end());
      cpu_rows_.resize(kWidth * c1);
      sw.traces[kTableCpuX] = cpu_table(std::move(tail), c1);
    } else {
      sw.traces[kTableCpuX] = RowMajorMatrix<Fp>(kWidth, 0);
    }
    sw.traces[kTableCpu] = cpu_table(std::move(cpu_rows_), 0);
    cpu_rows_ = {};
    RowMajorMatrix<Fp> prog(1, program_height(image_));
    for (size_t i = 0; i < program_mult_.size(); ++i) prog.at(i, 0) = Fp::from_u64(program_mult_[i]);
    sw.traces[kTableProgram] = std::move(prog);
    RowMajorMatrix<Fp> img(ImageAir::kWidth, image_height(image_));
    for (size_t i = 0; i < rom_mult_.size(); ++i) {
      img.at(i, ImageAir::kRomReads) = Fp::from_u64(rom_mult_[i]);
      // The word's chain starts here (memory.h) if any segment touched it.
      if (last) img.at(i, ImageAir::kTouched) = u(mem_.ever_touched(word_cell(image_.words[i].first)));
    }
    sw.traces[kTableImage] = std::move(img);
    sw.traces[kTableMemory] = memory_trace();
    gap_mult_.assign(gaps_.size(), 0);
    sw.traces[kTableBoundary] = boundary_trace(last);
    RowMajorMatrix<Fp> gaps(1, gap_height(gaps_.size()));
    for (size_t i = 0; i < gap_mult_.size(); ++i) gaps.at(i, 0) = Fp::from_u64(gap_mult_[i]);
    sw.traces[kTableGaps] = std::move(gaps);
    sw.traces[kTableBitwise] = bitwise_trace(bitwise_, bytes_, min_rows_);
    sw.traces[kTableShift] = shift_trace(shift_, bytes_, min_rows_);
    sw.traces[kTableMul] = mul_trace(mul_, bytes_, min_rows_);
    sw.traces[kTableDiv] = div_trace(div_, bytes_, min_rows_);
    sw.traces[kTableIo] = io_.trace(min_rows_, bytes_);
    sw.traces[kTableDotCall] = dot_.call_trace(min_rows_);
    sw.traces[kTableDot] = dot_.data_trace(min_rows_);
    sw.traces[kTableDotRom] = dot_.rom_trace(min_rows_);
    sw.traces[kTableDense] = dot_.dense_trace(min_rows_);
    sw.traces[kTableDotRomSx] = dot_.rom_sx_trace(min_rows_);
    sw.traces[kTableShaCall] = sha_.call_trace(min_rows_);
    sw.traces[kTableShaRound] = sha_.round_trace(min_rows_);
    sw.traces[kTableShaRoundX] = sha_.overflow_round_trace(min_rows_);  // height 0 when unused
    sw.traces[kTableShaConst] = sha_.const_trace();
    // Chips this segment does not use are left out of its proof
    // (ChipAir, bus.h): no rows, nothing committed.
    auto absent_if_unused = [&](Table t, bool unused) {
      if (unused) sw.traces[t] = RowMajorMatrix<Fp>(sw.traces[t].width, 0);
    };
    absent_if_unused(kTableBitwise, bitwise_.empty());
    absent_if_unused(kTableShift, shift_.empty());
    absent_if_unused(kTableMul, mul_.empty());
    absent_if_unused(kTableDiv, div_.empty());
    absent_if_unused(kTableDotCall, dot_.calls() == 0);
    absent_if_unused(kTableDot, dot_.rows() == 0);
    absent_if_unused(kTableDotRom, dot_.rom_rows() == 0);
    absent_if_unused(kTableDense, dot_.dense_calls() == 0);
    absent_if_unused(kTableDotRomSx, dot_.rom_sx_rows() == 0);
    absent_if_unused(kTableShaCall, sha_.calls() == 0);
    absent_if_unused(kTableShaRound, sha_.round_rows() == 0);
    // Last: every table has counted its lookups.
    sw.traces[kTableBytes] = bytes_.trace(circuit_bytes());
    sw.traces[kTableBytesTail] = bytes_.trace(circuit_bytes_tail());
    sw.info = info_;
    sw.publics = segment_publics(info_);
    sink_(std::move(sw));
  }

 private:
  // Phase 1, in time order: the program row, the memory model's accesses of
  // the row's five slots and its accelerator or io call (which read and
  // write memory after the CPU row's slots). What phase 2 needs of the
  // memory model goes into a Pending record.
  void access_row(const vm::TraceRow& tr, uint32_t clk, const vm::SyscallRecord* rec, std::span<const uint8_t> data) {
    const auto it = program_index_.find(tr.pc);
    const bool in_program = it != program_index_.end() && tr.insn == image_word(tr.pc);
    if (strict_ && it == program_index_.end())
      throw std::invalid_argument("pc 0x" + hex(tr.pc) + ": not an instruction of the program image");
    if (strict_ && !in_program)
      throw std::invalid_argument("pc 0x" + hex(tr.pc) + ": executes a word that differs from the program image");
    Pending& p = pending_.emplace_back();
    p.tr = &tr;
    p.rec = rec;
    p.clk = clk;
    if (in_program) {
      p.pr = &image_.program[it->second];
      ++program_mult_[it->second];
    } else {  // a forged row outside the program decodes its own word (no program row matches it)
      p.pr = &forged_.emplace_back(decode_program_row(tr.pc, tr.insn));
    }
    const ProgramRow& pr = *p.pr;
    auto fl = [&](size_t f) { return pr[11 + f] != 0; };
    const bool ld = fl(kFLdw) || fl(kFLdh) || fl(kFLdb), st = fl(kFStw) || fl(kFSth) || fl(kFStb);
    if (fl(kFEcall) && rec == nullptr) throw std::logic_error("trace: ECALL without a syscall record");
    const bool sys_cycle = fl(kFEcall) && rec->number == vm::kSysCycleCount;
    const uint32_t t0 = kTimeStride * clk;

    // Fetch: the word at pc as memory holds it now (first: a store by this
    // instruction over its own word comes later in time).
    {
      const auto acc = mem_.access(word_cell(tr.pc), mem_.peek(word_cell(tr.pc)), t0 + 1 + kSlotFetch);
      if (strict_ && acc.old_value != word_of(pr))
        throw std::invalid_argument("pc 0x" + hex(tr.pc) + ": executes a code word that was overwritten (memory holds 0x" +
                                    hex(acc.old_value) + "); the emulator faults there");
      p.prev[kSlotFetch] = acc.prev_time;
    }
    // Memory word (loads/stores at rs1 + imm, the adder's sum; a1 for the
    // cycle-count call).
    if (ld || st) {
      uint32_t imm = 0;
      for (size_t i = 0; i < 4; ++i) imm |= pr[5 + i] << (8 * i);
      const uint32_t s = tr.rs1_val + imm;
      if (strict_ && (tr.mem_addr >> 2) != (s >> 2))
        throw std::logic_error("trace: load/store address differs from rs1 + imm");
      p.m = tr.mem_old;
      // A forged load that is a later segment's first access of the word:
      // the segment claims to start from the trace's word (only the handoff
      // from the previous segments can object).
      if (!strict_ && ld && info_.index > 0 && !mem_.touched_in_segment(word_cell(s)) &&
          mem_.peek(word_cell(s)) != p.m)
        mem_.forge_value(word_cell(s), p.m);
      const auto acc = mem_.access(word_cell(s), st ? tr.mem_new : p.m, t0 + 1 + kSlotMem);  // a load leaves the word
      if (strict_ && acc.old_value != p.m) throw std::logic_error("trace: memory word differs from the memory model");
      p.prev[kSlotMem] = acc.prev_time;
    } else if (sys_cycle) {
      const auto acc = mem_.access(reg_cell(11), 0, t0 + 1 + kSlotMem);
      p.m = acc.old_value;
      p.prev[kSlotMem] = acc.prev_time;
    }
    // Register accesses; rd is written with the trace's value (phase 2
    // checks that it is the AIR's result).
    auto reg = [&](size_t k, uint32_t cell, uint32_t value_after, uint32_t expect_old) {
      const auto acc = mem_.access(cell, value_after, t0 + 1 + static_cast<uint32_t>(k));
      if (strict_ && acc.old_value != expect_old)
        throw std::logic_error("trace: register value differs from the memory model");
      p.prev[k] = acc.prev_time;
      return acc.old_value;
    };
    reg(kSlotRs1, reg_cell(pr[3]), tr.rs1_val, tr.rs1_val);
    if (!fl(kFUseImm)) reg(kSlotRs2, reg_cell(pr[4]), tr.rs2_val, tr.rs2_val);
    if (fl(kFWriteRd)) p.rd_old = reg(kSlotRd, reg_cell(pr[2]), tr.rd_val, mem_.peek(reg_cell(pr[2])));

    if (!fl(kFEcall)) return;
    if (rec->number == vm::kSysRead || rec->number == vm::kSysWrite) io_.add_call(*rec, data, mem_, bytes_);
    if (rec->number == vm::kSysSha256) sha_.add_call(*rec, clk, mem_, bytes_, strict_);
    if (rec->number == vm::kSysDot4) dot_.add_call(*rec, clk, mem_, bytes_, strict_);
    if (rec->number == vm::kSysDot4Rom || rec->number == vm::kSysDense4Rom) {
      // A call reads consecutive cells: each is found next to the last one
      // where it can be, by binary search otherwise.
      size_t at = image_.words.size();
      const DotBuilder::RomReader rom = [&](uint32_t cell) -> std::optional<uint32_t> {
        const uint32_t a = cell << 2;
        if (at + 1 < image_.words.size() && image_.words[at + 1].first == a) {
          ++at;
        } else {
          const auto word = std::lower_bound(image_.words.begin(), image_.words.end(), std::make_pair(a, uint32_t{0}));
          if (word == image_.words.end() || word->first != a) return std::nullopt;
          at = static_cast<size_t>(word - image_.words.begin());
        }
        ++rom_mult_[at];
        return image_.words[at].second;
      };
      if (rec->number == vm::kSysDot4Rom) dot_.add_call(*rec, clk, mem_, bytes_, strict_, &rom);
      else dot_.add_dense_call(*rec, clk, mem_, bytes_, strict_, rom, mul_, shift_);
    }
    // SegmentPlan cuts before any call that would pass the cap.
    if (sha_.round_rows() > accel_cap_ || dot_.rows() > accel_cap_)
      throw std::logic_error("segment " + std::to_string(info_.index) + ": accelerator rows past " +
                             std::to_string(accel_cap_));
  }

  // Phase 2, rows in parallel (OpenMP, contiguous blocks): each pending
  // row's CPU columns, its lookups and ALU events into its thread's Local,
  // merged in block order, so the result is the sequential one whatever the
  // thread count. Then, in order, the pc chain (strict) and the last npc.
  void fill_pending() {
    const size_t n = pending_.size();
    if (n == 0) return;
    const size_t base = cpu_rows_.size();
    const int threads = n >= kParallelRows ? std::max(1, max_threads()) : 1;
    if (locals_.size() < static_cast<size_t>(threads)) locals_.resize(static_cast<size_t>(threads));
    // The new rows' pages, first touched by all threads: the resize's zero
    // fill then runs on mapped memory instead of taking every page fault on
    // this thread.
    if (cpu_rows_.capacity() >= base + kWidth * n) ntt::first_touch(cpu_rows_.data() + base, kWidth * n * sizeof(Fp));
    cpu_rows_.resize(base + kWidth * n);
    Fp* rows = cpu_rows_.data() + base;
#pragma omp parallel num_threads(threads)
    {
      const auto [t, nt] = thread_in_team();
      Local& l = locals_[t];
      for (size_t i = n * t / nt, end = n * (t + 1) / nt; i < end; ++i) {
        try {
          fill_row(pending_[i], rows + kWidth * i, l);
        } catch (...) {  // exceptions must not leave the parallel region
          l.error = std::current_exception();
          l.error_row = i;
          break;
        }
      }
    }
    const Local* first_error = nullptr;
    for (const Local& l : locals_)
      if (l.error && (first_error == nullptr || l.error_row < first_error->error_row)) first_error = &l;
    if (first_error != nullptr) std::rethrow_exception(first_error->error);
    for (Local& l : locals_) {
      bytes_.add(l.bytes);
      l.bytes.clear();
      auto append = [](std::vector<AluEvent>& to, std::vector<AluEvent>& from) {
        to.insert(to.end(), from.begin(), from.end());
        from.clear();
      };
      append(bitwise_, l.bitwise), append(shift_, l.shift), append(mul_, l.mul), append(div_, l.div);
    }
    for (size_t i = 0; i < n; ++i) {
      const Pending& p = pending_[i];
      if (strict_ && p.clk != 0 && p.tr->pc != last_npc_)
        throw std::logic_error("trace: pc 0x" + hex(p.tr->pc) + " does not follow the previous row");
      last_npc_ = rows[kWidth * i + kNpc].canonical();
    }
    pending_.clear();
    forged_.clear();
  }

  // One CPU row from its trace row and phase 1's memory results; touches no
  // state but `l` (runs in parallel).
  void fill_row(const Pending& p, Fp* c, Local& l) const {
    const vm::TraceRow& tr = *p.tr;
    const vm::SyscallRecord* rec = p.rec;
    const ProgramRow& pr = *p.pr;
    const uint32_t clk = p.clk;
    ByteCounts& bytes = l.bytes;
    auto fl = [&](size_t f) { return pr[11 + f] != 0; };
    c[kIsReal] = Fp::one();
    c[kPc] = u(tr.pc);
    c[kClk] = u(clk);
    c[kRd] = u(pr[2]), c[kRs1] = u(pr[3]), c[kRs2] = u(pr[4]);
    uint32_t imm = 0;
    for (size_t i = 0; i < 4; ++i) c[kImm + i] = u(pr[5 + i]), imm |= pr[5 + i] << (8 * i);
    c[kOff] = u(pr[9]);
    c[kAluOp] = u(pr[10]);
    for (size_t f = 0; f < kNumFlags; ++f) c[kFlags + f] = u(pr[11 + f]);
    uint32_t cres = 0;
    for (size_t i = 0; i < 4; ++i) cres |= pr[11 + kNumFlags + i] << (8 * i);

    const bool ld = fl(kFLdw) || fl(kFLdh) || fl(kFLdb), st = fl(kFStw) || fl(kFSth) || fl(kFStb);
    const bool br = fl(kFBeq) || fl(kFBne) || fl(kFBlt) || fl(kFBge) || fl(kFBltu) || fl(kFBgeu);
    const bool ecall = fl(kFEcall);
    const uint32_t a = tr.rs1_val;
    const uint32_t bv = fl(kFUseImm) ? imm : tr.rs2_val;

    // Syscall: flags and result.
    bool sys_exit = false, sys_read = false, sys_write = false, sys_cycle = false, sys_dot = false, sys_sha = false;
    bool sys_dot_rom = false;
    uint32_t r = 0;
    if (ecall) {
      sys_exit = rec->number == vm::kSysExit, sys_read = rec->number == vm::kSysRead;
      sys_write = rec->number == vm::kSysWrite, sys_cycle = rec->number == vm::kSysCycleCount;
      sys_dot = rec->number == vm::kSysDot4, sys_sha = rec->number == vm::kSysSha256;
      sys_dot_rom = rec->number == vm::kSysDot4Rom || rec->number == vm::kSysDense4Rom;  // one flag (cpu.h)
      r = rec->ret[0];
    }
    c[kSysExit] = u(sys_exit), c[kSysRead] = u(sys_read), c[kSysWrite] = u(sys_write), c[kSysCycle] = u(sys_cycle);
    c[kSysDot] = u(sys_dot);
    c[kSysSha] = u(sys_sha);
    c[kSysDotRom] = u(sys_dot_rom);

    // Adder.
    const bool neg = fl(kFSub) || fl(kFSlt) || fl(kFSltu) || br;
    const bool imm_y = ld || st || fl(kFJalr);
    uint32_t x = a, y = 0;
    if (neg) y = ~bv;
    else if (imm_y) y = imm;
    else if (fl(kFAdd)) y = bv;
    // X = r on ecall rows (r is known before the adder there).
    if (ecall) x = r;
    uint32_t carry = neg ? 1 : 0, s = 0;
    for (size_t i = 0; i < 4; ++i) {
      const uint32_t t = byte(x, i) + byte(y, i) + carry;
      s |= (t & 0xff) << (8 * i);
      carry = t >> 8;
      c[kS + i] = u(t & 0xff);
      c[kC + i] = u(carry);
    }
    const bool c3 = carry != 0;
    bytes.pair(byte(s, 0), byte(s, 1));

    // Comparisons.
    const uint32_t sa = byte(a, 3) >> 7, sb = byte(bv, 3) >> 7, ds = sa ^ sb;
    c[kSa] = u(sa), c[kSb] = u(sb), c[kDs] = u(ds);
    bytes.pair(2 * (byte(a, 3) - 128 * sa), 2 * (byte(bv, 3) - 128 * sb));
    const bool ltu = !c3;
    const bool signed_cmp = fl(kFSlt) || fl(kFBlt) || fl(kFBge);
    const bool lt = signed_cmp ? (ds ? sa != 0 : ltu) : ltu;
    c[kLt] = u(lt);
    const uint32_t z = byte(s, 0) + byte(s, 1) + byte(s, 2) + byte(s, 3);
    if (z != 0) c[kInv] = u(z).inverse();
    const bool eq = z == 0;
    const bool taken = (fl(kFBeq) && eq) || (fl(kFBne) && !eq) || ((fl(kFBlt) || fl(kFBltu)) && lt) ||
                       ((fl(kFBge) || fl(kFBgeu)) && !lt);
    c[kTaken] = u(taken);

    // Address decomposition (every row: the q lookup is always on).
    const uint32_t o0 = s & 1, o1 = (s >> 1) & 1, off = s & 3;
    c[kO0] = u(o0), c[kO1] = u(o1);
    for (uint32_t k = 0; k < 4; ++k) c[kE + k] = u(off == k);
    // Loads/stores: 1 <= s >> 16 (U16 lookup) and, with JALR, s3 < 16 (pair lookup below).
    const uint32_t addr_chk = (ld || st) ? 16 * (byte(s, 2) + 256 * byte(s, 3) - 1) : 0;
    const uint32_t s3_chk = (ld || st || fl(kFJalr)) ? 16 * byte(s, 3) : sys_cycle ? 4 * byte(s, 3) : byte(s, 3);
    if (strict_ && (addr_chk >= (1u << 16) || s3_chk >= 256))
      throw std::logic_error(sys_cycle ? "trace: cycle count 0x" + hex(s) + " is 2^30 or more"
                                       : "trace: memory/jump address 0x" + hex(s) + " outside guest memory");
    if ((ld || st) && addr_chk < (1u << 16)) bytes.u16(addr_chk);  // a forged address's lookups stay unmatched
    if (s3_chk < 256) bytes.pair(byte(s, 2), s3_chk);

    // Next pc.
    const Fp off_f = u(pr[9]);
    Fp npc = u(tr.pc) + u(4);
    if (taken || fl(kFJal)) npc = u(tr.pc) + off_f;
    if (fl(kFJalr)) npc = Fp::from_u64(s - o0);  // below p unless forged (s3 >= 16)
    c[kNpc] = npc;

    // Fetch (phase 1 read the word).
    const uint32_t t0 = kTimeStride * clk;
    const uint32_t word = word_of(pr);
    for (size_t i = 0; i < 4; ++i) c[kW + i] = u(byte(word, i));
    slot(c, kSlotFetch, t0, p.prev[kSlotFetch]);
    // Memory word (loads/stores; a1 for the cycle-count call).
    // A load leaves the word as it is; the cycle-count call sets a1 := 0.
    const uint32_t m = p.m, n = st ? tr.mem_new : ld ? m : 0;
    if (ld || st || sys_cycle) {
      c[kMaddr] = u(sys_cycle ? reg_cell(11) : word_cell(s));
      slot(c, kSlotMem, t0, p.prev[kSlotMem]);
    }
    for (size_t i = 0; i < 4; ++i) c[kM + i] = u(byte(m, i)), c[kN + i] = u(byte(n, i));
    const uint32_t lb = byte(m, off), hl = byte(m, o1 ? 2 : 0), hh = byte(m, o1 ? 3 : 1);
    c[kLb] = u(lb), c[kHl] = u(hl), c[kHh] = u(hh);
    const uint32_t v = fl(kFLdb) ? lb : fl(kFLdh) ? hh : 0;
    const uint32_t sg = v >> 7;
    c[kSg] = u(sg);
    c[kV] = u(v);
    bytes.pair((s & 0xff) >> 2, 2 * (v - 128 * sg));

    // Result.
    if (fl(kFAdd) || fl(kFSub)) r = s;
    if (fl(kFSlt) || fl(kFSltu)) r = lt;
    if (fl(kFConst) || fl(kFJal) || fl(kFJalr)) r = cres;
    const uint32_t fill = sg && fl(kFLdsx) ? 0xffffff00u : 0;
    if (fl(kFLdw)) r = m;
    if (fl(kFLdh)) r = hl | (hh << 8) | (fill << 8);
    if (fl(kFLdb)) r = lb | fill;
    if (fl(kFAlu)) {
      const auto op = static_cast<vm::Op>(pr[10]);
      r = alu_reference(op, a, bv);
      const AluEvent e{op, a, bv, r};
      if (BitwiseChipAir::handles(op)) l.bitwise.push_back(e);
      else if (ShiftChipAir::handles(op)) l.shift.push_back(e);
      else if (MulChipAir::handles(op)) l.mul.push_back(e);
      else l.div.push_back(e);
    }
    if (fl(kFWriteRd) && r != tr.rd_val) {
      if (strict_) throw std::logic_error("trace: pc 0x" + hex(tr.pc) + ": rd value differs from the AIR's result");
      r = tr.rd_val;
    }
    for (size_t i = 0; i < 4; ++i) c[kA + i] = u(byte(a, i)), c[kB + i] = u(byte(bv, i)), c[kR + i] = u(byte(r, i));

    // Register accesses (phase 1).
    slot(c, kSlotRs1, t0, p.prev[kSlotRs1]);
    if (!fl(kFUseImm)) slot(c, kSlotRs2, t0, p.prev[kSlotRs2]);
    if (fl(kFWriteRd)) {
      slot(c, kSlotRd, t0, p.prev[kSlotRd]);
      for (size_t i = 0; i < 4; ++i) c[kD + i] = u(byte(p.rd_old, i));
    }
    for (size_t k = 0; k < kNumSlots; ++k) bytes.u16(c[kTlo + k].canonical());
    bytes.pair(c[kThi].canonical(), c[kThi + 1].canonical());
    bytes.pair(c[kThi + 2].canonical(), c[kThi + 3].canonical());
    bytes.pair(c[kThi + 4].canonical(), 0);
  }

  // Previous time and time-difference limbs of memory slot k.
  static void slot(Fp* c, size_t k, uint32_t t0, uint32_t prev) {
    const uint32_t t = t0 + 1 + static_cast<uint32_t>(k);
    const uint32_t diff = t - prev - 1;
    if (diff >= (1u << 24)) throw std::logic_error("trace: memory time difference exceeds 2^24");
    c[kTp + k] = u(prev);
    c[kTlo + k] = u(diff & 0xffff);
    c[kThi + k] = u(diff >> 16);
  }

  // addr = alo + 2^10 ak with both limbs U16, and the gap to the next cell
  // dlo + 2^14 dk (memory.h ascending_addresses); guest cells (< 2^26) take
  // alo < 2^10, and the limbs reach a little further.
  template <size_t kALo>
  void address_limbs(std::span<Fp> row, uint32_t addr, const uint32_t* next) {
    const auto [alo, ak] = limbs10(addr);
    const uint32_t d = next != nullptr ? *next - addr - 1 : 0;
    row[kALo] = u(alo);
    row[kALo + 1] = u(ak);
    row[kALo + 2] = u(d & 0x3fff);
    row[kALo + 3] = u(d >> 14);
    for (uint32_t v : {alo, ak, d & 0x3fff, d >> 14}) {
      if (v < (1u << 16)) bytes_.u16(v);  // a forged cell's lookup stays unmatched
      else if (strict_) throw std::logic_error("trace: memory cell 0x" + hex(addr) + " outside guest memory");
    }
  }

  // v = lo + 2^10 k with k = min(v >> 10, 2^16 - 1) (both U16 up to 2^26 + 64511).
  static std::pair<uint32_t, uint32_t> limbs10(uint32_t v) {
    const uint32_t k = std::min(v >> 10, 0xffffu);
    return {v - (k << 10), k};
  }

  // Rows of the memory or boundary table, ascending cells: is_real, addr,
  // the address limbs and what `fill` writes (the table's own columns);
  // then padding.
  template <class M, class Cell, class Fill>
  RowMajorMatrix<Fp> cell_rows(const std::vector<Cell>& cells, Fill fill) {
    static_assert(M::kIsReal == 0 && M::kAddr == 1);
    RowMajorMatrix<Fp> m(M::kWidth, padded_height(cells.size(), min_rows_));
    for (size_t i = 0; i < cells.size(); ++i) {
      auto row = m.row(i);
      row[M::kIsReal] = Fp::one();
      row[M::kAddr] = u(cells[i].cell);
      fill(row, cells[i]);
      address_limbs<M::kALo>(row, cells[i].cell, i + 1 < cells.size() ? &cells[i + 1].cell : nullptr);
    }
    return m;
  }
  static void word_bytes(std::span<Fp> row, size_t col, uint32_t w) {
    for (size_t k = 0; k < 4; ++k) row[col + k] = u(byte(w, k));
  }

  RowMajorMatrix<Fp> memory_trace() {
    using M = MemoryAir;
    return cell_rows<M>(mem_.segment_cells(), [&](std::span<Fp> row, const auto& c) {
      word_bytes(row, M::kInit, c.init);
      word_bytes(row, M::kFin, c.fin);
      row[M::kFinT] = u(c.fin_time);
      row[M::kSPrev] = u(c.prev_tag);
      bytes_.u16(info_.tag() - c.prev_tag - 1);
    });
  }

  // Every cell the execution touched (last segment); all padding elsewhere.
  // A cell outside the image names the gap that holds it (memory.h).
  RowMajorMatrix<Fp> boundary_trace(bool last) {
    using M = BoundaryAir;
    if (!last) return RowMajorMatrix<Fp>(M::kWidth, padded_height(0, min_rows_));
    return cell_rows<M>(mem_.boundary_cells(), [&](std::span<Fp> row, const auto& c) {
      word_bytes(row, M::kVf, c.fin);
      row[M::kSf] = u(c.last_tag);
      row[M::kInImage] = u(c.in_image);
      uint32_t d1 = 0, d2 = 0;
      if (!c.in_image) {
        // The gap holding the cell: the last one starting at or below it.
        const auto g = std::upper_bound(gaps_.begin(), gaps_.end(), std::make_pair(c.cell, ~uint32_t{0}));
        const size_t gi = g == gaps_.begin() ? 0 : static_cast<size_t>(std::prev(g) - gaps_.begin());
        const auto [lo, hi] = gaps_[gi];
        if (strict_ && (c.cell < lo || c.cell >= hi))
          throw std::logic_error("trace: cell 0x" + hex(c.cell) + " is outside guest memory");
        ++gap_mult_[gi];
        row[M::kGLo] = u(lo), row[M::kGHi] = u(hi);
        // A forged cell outside every gap: the differences as field
        // elements, so only their range lookups stay unmatched.
        d1 = (Fp::from_canonical(c.cell) - u(lo)).canonical();
        d2 = (u(hi) - Fp::one() - Fp::from_canonical(c.cell)).canonical();
      }
      const auto [d1lo, d1k] = limbs10(d1);
      const auto [d2lo, d2k] = limbs10(d2);
      const uint32_t limbs[4] = {d1lo, d1k, d2lo, d2k};
      for (size_t k = 0; k < 4; ++k) {
        row[M::kG1Lo + k] = u(limbs[k]);
        if (limbs[k] < (1u << 16)) bytes_.u16(limbs[k]);
      }
    });
  }

  uint32_t image_word(uint32_t a) const {
    const auto it = std::lower_bound(image_.words.begin(), image_.words.end(), std::make_pair(a, uint32_t{0}));
    return it != image_.words.end() && it->first == a ? it->second : 0;
  }
  static std::string hex(uint32_t v) {
    char buf[12];
    std::snprintf(buf, sizeof buf, "%08x", v);
    return buf;
  }

  const Image& image_;
  SegmentPlan plan_;
  unsigned plan_log_;
  size_t accel_cap_;
  size_t min_rows_;
  bool strict_;
  Sink sink_;
  SegmentInfo info_;
  size_t build_from_ = 0;
  std::unordered_map<uint32_t, size_t> program_index_;
  std::vector<uint64_t> program_mult_;
  std::vector<uint64_t> rom_mult_;  // per image word: dot4_rom reads (the image table's main column)
  std::vector<std::pair<uint32_t, uint32_t>> gaps_;  // image_gaps(image_)
  std::vector<uint64_t> gap_mult_;                   // per gap: boundary rows in it
  MemoryState mem_;
  ByteCounts bytes_;
  std::vector<Fp> cpu_rows_;
  std::vector<AluEvent> bitwise_, shift_, mul_, div_;
  IoBuilder io_;
  DotBuilder dot_;
  ShaBuilder sha_;
  uint32_t last_npc_ = 0;

  static constexpr size_t kParallelRows = 4096;  // fewer rows: one thread
  std::vector<Pending> pending_;
  std::deque<ProgramRow> forged_;  // stable addresses
  std::vector<Local> locals_;
};

}  // namespace

namespace {

// Rows a call adds to the chips' tables: dot4 rows, sha256 round rows, and
// ALU events (dense4_rom: 4 SLL and 4 SRA to the shift chip, 4 MULH to the
// mul chip; the larger count).
struct AccelRows {
  size_t dot = 0, sha = 0, alu = 0;
};
AccelRows accel_rows(const vm::SyscallRecord& rec) {
  if (rec.number == vm::kSysDot4 || rec.number == vm::kSysDot4Rom || rec.number == vm::kSysDense4Rom)
    return {vm::dot4_args_ok(rec.args[0], rec.args[1], rec.args[2]) ? rec.args[2] / 4 : 0, 0,
            rec.number == vm::kSysDense4Rom ? size_t{8} : 0};
  if (rec.number == vm::kSysSha256) return {0, sha::kRowsPerCall, 0};
  return {};
}

}  // namespace

SegmentPlan::SegmentPlan(unsigned log_segment)
    : seg_cycles_(segment_cycles(log_segment)), cap_(accel_cap(log_segment)) {}

uint64_t SegmentPlan::segment_cycles(unsigned log_segment) {
  const uint64_t rows = uint64_t{1} << log_segment;
  // The largest size: 2^21 cycles, its last kZkFreeRows in the CPU overflow
  // table (segment.h), as many as the memory clocks allow (t = 8 clk +
  // slot + 1 <= 2^24, so every time difference is below 2^24).
  return log_segment >= kMaxLogCycles ? rows : rows - kZkFreeRows;
}

size_t SegmentPlan::accel_cap(unsigned log_segment) {
  return std::max(static_cast<size_t>((size_t{1} << log_segment) - kZkFreeRows), size_t{1} << 13);
}

bool SegmentPlan::starts_segment(uint64_t clk, const vm::SyscallRecord* rec) {
  bool cut = false;
  while (clk - start_ >= seg_cycles_) start_ += seg_cycles_, ++n_, dot_ = sha_ = alu_ = 0, cut = true;
  if (rec != nullptr) {
    const AccelRows a = accel_rows(*rec);
    if (clk > start_ && (dot_ + a.dot > cap_ || sha_ + a.sha > cap_ || alu_ + a.alu > cap_))
      start_ = clk, ++n_, dot_ = sha_ = alu_ = 0, cut = true;
    dot_ += a.dot, sha_ += a.sha, alu_ += a.alu;
  }
  return cut;
}

size_t SegmentPlan::segments(uint64_t cycles) const {
  size_t n = n_;
  for (uint64_t s = start_; cycles > s && cycles - s > seg_cycles_; s += seg_cycles_) ++n;
  return n;
}

namespace {

// The run's status as a proving error, or nothing when it exited.
void require_exit(const vm::RunResult& run, const vm::RunOptions& options) {
  if (run.status == vm::RunStatus::Faulted)
    throw std::invalid_argument("the guest faulted, so the execution cannot be proven: " + run.fault->message());
  if (run.status == vm::RunStatus::CycleLimit)
    throw std::invalid_argument("the guest hit the cycle limit (" + std::to_string(options.max_cycles) +
                                " cycles) before exiting");
}

Execution one_segment(std::vector<SegmentWitness> segs, vm::RunResult run) {
  if (segs.size() != 1) throw std::logic_error("one segment expected");
  Execution ex;
  ex.run = std::move(run);
  ex.traces = std::move(segs[0].traces);
  ex.publics = std::move(segs[0].publics);
  ex.info = segs[0].info;
  return ex;
}

}  // namespace

vm::RunResult execute_segments(const vm::Program& program, const Image& image, const vm::RunOptions& options,
                               unsigned log_segment, size_t first,
                               const std::function<void(SegmentWitness&&)>& on_segment, size_t min_rows) {
  Generator gen(image, log_segment, min_rows, TraceCheck::kStrict, on_segment);
  gen.build_from(first);
  vm::RunResult run = vm::run_traced(program, options, [&](const vm::TraceChunk& ch) { gen.chunk(ch); });
  require_exit(run, options);
  gen.finish(run);
  return run;
}

Execution execute(const vm::Program& program, const Image& image, const vm::RunOptions& options, size_t min_rows) {
  std::vector<SegmentWitness> segs;
  auto keep_one = [&](SegmentWitness&& s) {
    if (!s.info.last)  // handed over only when the run goes past it: stop there
      throw std::invalid_argument("execution exceeds one segment (2^" + std::to_string(kMaxLogCycles) + " cycles)");
    segs.push_back(std::move(s));
  };
  vm::RunResult run = execute_segments(program, image, options, kMaxLogCycles, 0, keep_one, min_rows);
  return one_segment(std::move(segs), std::move(run));
}

std::vector<SegmentWitness> execute_trace_segments(const Image& image, std::span<const vm::TraceChunk> chunks,
                                                   vm::RunResult claim, unsigned log_segment, size_t min_rows,
                                                   TraceCheck check) {
  std::vector<SegmentWitness> segs;
  Generator gen(image, log_segment, min_rows, check, [&](SegmentWitness&& s) { segs.push_back(std::move(s)); });
  for (const auto& ch : chunks) gen.chunk(ch);
  gen.finish(claim);
  // The claim's journal is the statement's: the last segment ends at its length.
  segs.back().info.journal_end = static_cast<uint32_t>(claim.journal.size());
  segs.back().publics = segment_publics(segs.back().info);
  return segs;
}

Execution execute_trace(const Image& image, std::span<const vm::TraceChunk> chunks, vm::RunResult claim,
                        size_t min_rows, TraceCheck check) {
  auto segs = execute_trace_segments(image, chunks, claim, kMaxLogCycles, min_rows, check);
  if (segs.size() != 1)
    throw std::invalid_argument("execution exceeds one segment (2^" + std::to_string(kMaxLogCycles) + " cycles)");
  return one_segment(std::move(segs), std::move(claim));
}

}  // namespace zkvm::rv32im
