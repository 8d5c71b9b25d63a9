// Tracing executor: rows hold what a prover needs (docs/TRACE.md), chunking
// does not change them, and the fast and traced runs agree.
#include "vm_test_util.h"
#include "zkvm/vm/isa.h"

#include <catch2/catch.hpp>

#include <map>
#include <string>

using namespace zkvm::vm;
using namespace zkvm::vm::test;

namespace {

struct Collected {
  std::vector<TraceRow> rows;
  std::vector<SyscallRecord> sys;             // data_offset rebased onto `data`
  std::vector<std::uint8_t> data;
  std::vector<std::size_t> chunk_sizes;
};

Collected collect(const Program& p, const RunOptions& opts, std::size_t chunk_rows, RunResult* out = nullptr) {
  Collected c;
  const RunResult r = run_traced(
      p, opts,
      [&](const TraceChunk& ch) {
        REQUIRE(ch.first_cycle == c.rows.size());  // chunks arrive in order, none lost
        for (const SyscallRecord& s : ch.syscalls) {
          REQUIRE(s.cycle >= ch.first_cycle);
          REQUIRE(s.cycle < ch.first_cycle + ch.rows.size());
          SyscallRecord t = s;
          t.data_offset = c.data.size();
          c.data.insert(c.data.end(), ch.syscall_data.begin() + static_cast<std::ptrdiff_t>(s.data_offset),
                        ch.syscall_data.begin() + static_cast<std::ptrdiff_t>(s.data_offset + s.data_len));
          c.sys.push_back(t);
        }
        c.rows.insert(c.rows.end(), ch.rows.begin(), ch.rows.end());
        c.chunk_sizes.push_back(ch.rows.size());
      },
      chunk_rows);
  REQUIRE(c.rows.size() == r.cycles);
  if (out) *out = r;
  return c;
}

bool same(const TraceRow& a, const TraceRow& b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// Replays a trace against a register file and a word-memory model built
// from the program image, checking every recorded read against the model:
// a row's rs1/rs2 values must be what earlier rows wrote, mem_old what the
// memory held, and each next pc must follow from the instruction.
void replay_check(const Program& p, const RunOptions& opts, const Collected& c) {
  std::uint32_t regs[32] = {};
  std::map<std::uint32_t, std::uint32_t> mem;  // word address -> value; absent = 0
  const auto put_byte = [&](std::uint32_t a, std::uint8_t v) {
    std::uint32_t& w = mem[a & ~3u];
    const unsigned sh = (a & 3) * 8;
    w = (w & ~(0xffu << sh)) | (std::uint32_t{v} << sh);
  };
  for (const Segment& s : p.segments)
    for (std::size_t i = 0; i < s.bytes.size(); ++i) put_byte(s.vaddr + static_cast<std::uint32_t>(i), s.bytes[i]);
  std::size_t next_sys = 0;
  std::uint32_t expect_pc = p.entry;
  for (std::size_t i = 0; i < c.rows.size(); ++i) {
    const TraceRow& r = c.rows[i];
    INFO("row " << i << " pc " << r.pc << ": " << disassemble(r.insn, r.pc));
    REQUIRE(r.pc == expect_pc);
    REQUIRE(mem[r.pc] == r.insn);  // fetched from the same memory the program writes
    const Decoded d = decode(r.insn);
    REQUIRE(d.op != Op::ILLEGAL);
    REQUIRE(r.rs1_val == regs[d.rs1]);
    REQUIRE(r.rs2_val == regs[d.rs2]);
    if (r.mem_addr != 0) {
      REQUIRE(r.mem_old == mem[r.mem_addr & ~3u]);
      mem[r.mem_addr & ~3u] = r.mem_new;
    }
    if (d.rd != kNoReg) regs[d.rd] = r.rd_val;
    else REQUIRE(r.rd_val == 0);
    expect_pc = r.pc + 4;
    const Format f = format_of(d.op);
    if (d.op == Op::JAL || d.op == Op::JALR) {
      expect_pc = d.op == Op::JAL ? r.pc + static_cast<std::uint32_t>(d.imm)
                                  : (r.rs1_val + static_cast<std::uint32_t>(d.imm)) & ~1u;
      if (d.rd != kNoReg) REQUIRE(r.rd_val == r.pc + 4);
    } else if (f == Format::B) {
      // Taken iff the next row (if any) is at the target.
      if (i + 1 < c.rows.size() && c.rows[i + 1].pc != r.pc + 4)
        expect_pc = r.pc + static_cast<std::uint32_t>(d.imm);
    } else if (d.op == Op::ECALL) {
      REQUIRE(next_sys < c.sys.size());
      const SyscallRecord& s = c.sys[next_sys++];
      REQUIRE(s.cycle == i);
      REQUIRE(s.number == r.rs1_val);
      REQUIRE(s.args[0] == r.rs2_val);
      REQUIRE(s.ret[0] == r.rd_val);
      regs[11] = s.ret[1];
      if (s.number == kSysRead)
        for (std::uint32_t k = 0; k < s.data_len; ++k) put_byte(s.args[1] + k, c.data[s.data_offset + k]);
      if (s.number == kSysWrite)
        for (std::uint32_t k = 0; k < s.data_len; ++k) {
          const std::uint32_t a = s.args[1] + k;
          REQUIRE(c.data[s.data_offset + k] == static_cast<std::uint8_t>(mem[a & ~3u] >> ((a & 3) * 8)));
        }
    }
  }
  REQUIRE(next_sys == c.sys.size());
  (void)opts;
}

// A program with loops, loads/stores of every width, and read/write calls.
Program busy_program() {
  std::vector<std::uint32_t> code;
  li(code, a0, 0);
  li(code, a1, kDataBase + 64);
  li(code, a2, 6);
  li(code, a7, kSysRead);
  code.push_back(ECALL);                     // read 6 input bytes to data+64
  li(code, t0, kDataBase);
  li(code, t2, 40);                          // loop counter
  const std::size_t loop = code.size();
  code.push_back(LW(t1, t0, 0));
  code.push_back(ADD(t1, t1, t2));
  code.push_back(SW(t1, t0, 0));
  code.push_back(SB(t2, t0, 5));
  code.push_back(SH(t2, t0, 10));
  code.push_back(LB(s1, t0, 5));
  code.push_back(LHU(s1, t0, 10));
  code.push_back(ADDI(t2, t2, -1));
  code.push_back(BNE(t2, zero, (static_cast<std::int32_t>(loop) - static_cast<std::int32_t>(code.size())) * 4));
  li(code, a0, 3);
  li(code, a1, kDataBase);
  li(code, a2, 16);
  li(code, a7, kSysWrite);
  code.push_back(ECALL);                     // journal 16 bytes
  li(code, a7, kSysCycleCount);
  code.push_back(ECALL);
  sys_exit(code, 0);
  return make_program(code, {1, 2, 3, 4, 5, 6, 7, 8}, 0x100);
}

}  // namespace

TEST_CASE("trace rows record pc, instruction, register reads and writes, and memory old/new words", "[vm][trace]") {
  std::vector<std::uint32_t> code = {
      ADDI(t0, zero, 5),   // 0
      LUI(t1, 0x20),       // 1: t1 = 0x20000
      SW(t0, t1, 4),       // 2
      SB(t0, t1, 1),       // 3
      LW(t2, t1, 4),       // 4
      ADD(t2, t2, t0),     // 5
      BEQ(t0, t0, 8),      // 6: skips 7
      0xffffffff,          // 7
      ADDI(a0, zero, 3),   // 8
      ADDI(a7, zero, 93),  // 9
      ECALL,               // 10
  };
  const Program p = make_program(code, {0x11, 0x22, 0x33, 0x44, 0xaa, 0xbb, 0xcc, 0xdd});
  RunResult r;
  const Collected c = collect(p, {}, 64, &r);
  REQUIRE(r.status == RunStatus::Exited);
  REQUIRE(c.rows.size() == 10);
  const auto pc = [](unsigned i) { return kCodeBase + 4 * i; };
  // pc, insn, rs1_val, rs2_val, rd_val, mem_addr, mem_old, mem_new
  const TraceRow want[] = {
      {pc(0), code[0], 0, 0, 5, 0, 0, 0},
      {pc(1), code[1], 0, 0, 0x20000, 0, 0, 0},
      {pc(2), code[2], 0x20000, 5, 0, 0x20004, 0xddccbbaa, 5},
      {pc(3), code[3], 0x20000, 5, 0, 0x20001, 0x44332211, 0x44330511},
      {pc(4), code[4], 0x20000, 0, 5, 0x20004, 5, 5},
      {pc(5), code[5], 5, 5, 10, 0, 0, 0},
      {pc(6), code[6], 5, 5, 0, 0, 0, 0},
      {pc(8), code[8], 0, 0, 3, 0, 0, 0},
      {pc(9), code[9], 0, 0, 93, 0, 0, 0},
      {pc(10), code[10], 93, 3, 3, 0, 0, 0},  // ECALL: rs1 = a7, rs2 = a0, rd = a0
  };
  for (std::size_t i = 0; i < std::size(want); ++i) {
    INFO("row " << i);
    CHECK(c.rows[i].pc == want[i].pc);
    CHECK(c.rows[i].insn == want[i].insn);
    CHECK(c.rows[i].rs1_val == want[i].rs1_val);
    CHECK(c.rows[i].rs2_val == want[i].rs2_val);
    CHECK(c.rows[i].rd_val == want[i].rd_val);
    CHECK(c.rows[i].mem_addr == want[i].mem_addr);
    CHECK(c.rows[i].mem_old == want[i].mem_old);
    CHECK(c.rows[i].mem_new == want[i].mem_new);
  }
  REQUIRE(c.sys.size() == 1);
  CHECK(c.sys[0].cycle == 9);
  CHECK(c.sys[0].number == kSysExit);
  CHECK(c.sys[0].args[0] == 3);
}

TEST_CASE("syscall side records carry the bytes read into and written from guest memory", "[vm][trace]") {
  RunOptions opts;
  opts.input = {'i', 'n', 'p', 'u', 't', '!', 'x'};
  RunResult r;
  const Collected c = collect(busy_program(), opts, 100, &r);
  REQUIRE(r.status == RunStatus::Exited);
  REQUIRE(c.sys.size() == 4);
  CHECK(c.sys[0].number == kSysRead);
  CHECK(c.sys[0].ret[0] == 6);
  CHECK(std::string(c.data.begin() + static_cast<std::ptrdiff_t>(c.sys[0].data_offset),
                    c.data.begin() + static_cast<std::ptrdiff_t>(c.sys[0].data_offset + c.sys[0].data_len)) == "input!");
  CHECK(c.sys[1].number == kSysWrite);
  CHECK(c.sys[1].data_len == 16);
  CHECK(std::vector<std::uint8_t>(c.data.begin() + static_cast<std::ptrdiff_t>(c.sys[1].data_offset),
                                  c.data.begin() + static_cast<std::ptrdiff_t>(c.sys[1].data_offset + 16)) == r.journal);
  CHECK(c.sys[2].number == kSysCycleCount);
  CHECK(c.sys[2].ret[0] == c.sys[2].cycle);
  CHECK(c.sys[3].number == kSysExit);
}

TEST_CASE("a replay of the trace reproduces every recorded register and memory read", "[vm][trace]") {
  RunOptions opts;
  opts.input = {9, 8, 7, 6, 5, 4, 3};
  const Program p = busy_program();
  replay_check(p, opts, collect(p, opts, 50));
}

TEST_CASE("chunk size does not change the trace", "[vm][trace]") {
  RunOptions opts;
  opts.input = {1, 2, 3};
  const Program p = busy_program();
  const Collected ref = collect(p, opts, kDefaultChunkRows);
  REQUIRE(ref.chunk_sizes.size() == 1);
  for (std::size_t chunk : {std::size_t{1}, std::size_t{3}, std::size_t{64}, std::size_t{255}}) {
    INFO("chunk_rows " << chunk);
    const Collected c = collect(p, opts, chunk);
    REQUIRE(c.rows.size() == ref.rows.size());
    for (std::size_t i = 0; i < c.rows.size(); ++i) REQUIRE(same(c.rows[i], ref.rows[i]));
    REQUIRE(c.sys.size() == ref.sys.size());
    for (std::size_t i = 0; i < c.sys.size(); ++i) {
      CHECK(c.sys[i].cycle == ref.sys[i].cycle);
      CHECK(c.sys[i].number == ref.sys[i].number);
      CHECK(c.sys[i].ret[0] == ref.sys[i].ret[0]);
      CHECK(c.sys[i].data_len == ref.sys[i].data_len);
    }
    CHECK(c.data == ref.data);
    // Every chunk but the last is exactly chunk_rows long.
    for (std::size_t k = 0; k + 1 < c.chunk_sizes.size(); ++k) CHECK(c.chunk_sizes[k] == chunk);
    CHECK(c.chunk_sizes.back() <= chunk);
    CHECK(c.chunk_sizes.back() > 0);
  }
}

TEST_CASE("fast and traced runs agree on results, outputs, pages and cycle counts", "[vm][trace]") {
  RunOptions opts;
  opts.input = {4, 5, 6, 7, 8, 9};
  const Program p = busy_program();
  const RunResult fast = run(p, opts);
  RunResult traced;
  collect(p, opts, 7, &traced);
  CHECK(fast.status == RunStatus::Exited);
  CHECK(traced.status == fast.status);
  CHECK(traced.exit_code == fast.exit_code);
  CHECK(traced.cycles == fast.cycles);
  CHECK(traced.journal == fast.journal);
  CHECK(traced.regs == fast.regs);
  CHECK(traced.pages_touched == fast.pages_touched);
  CHECK(fast.journal.size() == 16);
}

TEST_CASE("a faulting instruction does not produce a trace row", "[vm][trace]") {
  RunResult r;
  const Collected c = collect(make_program({NOP, NOP, LW(t0, zero, 0)}), {}, 16, &r);
  CHECK(r.status == RunStatus::Faulted);
  CHECK(r.cycles == 2);
  CHECK(c.rows.size() == 2);
}

TEST_CASE("run_traced rejects a zero chunk size", "[vm][trace]") {
  CHECK_THROWS_WITH(run_traced(make_program({NOP}), {}, [](const TraceChunk&) {}, 0),
                    Catch::Contains("chunk_rows must be at least 1"));
}
