#include "prover/rv32im/program.h"

#include <map>
#include <stdexcept>

#include "prover/rv32im/alu.h"
#include "prover/rv32im/bytes.h"
#include "zkvm/vm/elf.h"

namespace zkvm::rv32im {

namespace {

uint32_t fp(int64_t v) { return Fp::from_i64(v).canonical(); }

// Class flag and qualifiers of each instruction (cpu.h Flag).
void set_flags(vm::Op op, std::vector<uint32_t>& fl, uint32_t& alu_op) {
  using vm::Op;
  auto set = [&](Flag f) { fl[f] = 1; };
  switch (op) {
    case Op::ADD: case Op::ADDI: set(kFAdd); break;
    case Op::SUB: set(kFSub); break;
    case Op::SLT: case Op::SLTI: set(kFSlt); break;
    case Op::SLTU: case Op::SLTIU: set(kFSltu); break;
    case Op::LUI: case Op::AUIPC: set(kFConst); break;
    case Op::JAL: set(kFJal); break;
    case Op::JALR: set(kFJalr); break;
    case Op::BEQ: set(kFBeq); break;
    case Op::BNE: set(kFBne); break;
    case Op::BLT: set(kFBlt); break;
    case Op::BGE: set(kFBge); break;
    case Op::BLTU: set(kFBltu); break;
    case Op::BGEU: set(kFBgeu); break;
    case Op::LW: set(kFLdw); break;
    case Op::LH: set(kFLdh), set(kFLdsx); break;
    case Op::LHU: set(kFLdh); break;
    case Op::LB: set(kFLdb), set(kFLdsx); break;
    case Op::LBU: set(kFLdb); break;
    case Op::SW: set(kFStw); break;
    case Op::SH: set(kFSth); break;
    case Op::SB: set(kFStb); break;
    case Op::ECALL: set(kFEcall); break;
    case Op::FENCE: set(kFFence); break;
    default: {
      // Everything else goes to an ALU chip in its register form.
      Op r = op;
      if (op == Op::ANDI) r = Op::AND;
      if (op == Op::ORI) r = Op::OR;
      if (op == Op::XORI) r = Op::XOR;
      if (op == Op::SLLI) r = Op::SLL;
      if (op == Op::SRLI) r = Op::SRL;
      if (op == Op::SRAI) r = Op::SRA;
      alu_reference(r, 0, 1);  // throws for an op no chip handles
      set(kFAlu);
      alu_op = op_id(r);
    }
  }
}

}  // namespace

ProgramRow decode_program_row(uint32_t pc, uint32_t word) {
  using vm::Op;
  const vm::Decoded d = vm::decode(word);
  if (static_cast<size_t>(d.op) >= vm::kNumInsns) return {};
  std::vector<uint32_t> fl(kNumFlags, 0);
  uint32_t alu_op = 0;
  set_flags(d.op, fl, alu_op);
  const vm::Format fmt = vm::format_of(d.op);
  uint32_t rd = d.rd == vm::kNoReg ? 0 : d.rd, rs1 = d.rs1, rs2 = d.rs2;
  uint32_t imm = static_cast<uint32_t>(d.imm), off = 0, cres = 0;
  const bool has_rs2 = fmt == vm::Format::R || fmt == vm::Format::S || fmt == vm::Format::B;
  if (d.op == Op::ECALL) rs1 = 17, rs2 = 10, rd = 10;
  fl[kFUseImm] = has_rs2 || d.op == Op::ECALL ? 0 : 1;
  fl[kFWriteRd] = rd != 0 ? 1 : 0;
  switch (d.op) {
    case Op::LUI: cres = imm, imm = 0; break;
    case Op::AUIPC: cres = pc + imm, imm = 0; break;
    case Op::JAL: cres = pc + 4, off = fp(d.imm), imm = 0; break;
    case Op::JALR: cres = pc + 4; break;
    case Op::BEQ: case Op::BNE: case Op::BLT: case Op::BGE: case Op::BLTU: case Op::BGEU:
      off = fp(d.imm), imm = 0;
      break;
    case Op::ECALL: case Op::FENCE: imm = 0; break;
    default: break;
  }
  ProgramRow row;
  row.reserve(cpu::kProgramTupleLen);
  row.push_back(1);
  row.push_back(pc);
  row.push_back(rd);
  row.push_back(rs1);
  row.push_back(rs2);
  for (int i = 0; i < 4; ++i) row.push_back((imm >> (8 * i)) & 0xff);
  row.push_back(off);
  row.push_back(alu_op);
  row.insert(row.end(), fl.begin(), fl.end());
  for (int i = 0; i < 4; ++i) row.push_back((cres >> (8 * i)) & 0xff);
  for (int i = 0; i < 4; ++i) row.push_back((word >> (8 * i)) & 0xff);
  return row;
}

Image build_image(const vm::Program& program) {
  Image img;
  img.entry = program.entry;
  std::map<uint32_t, uint32_t> words;  // word address -> value
  for (const vm::Segment& s : program.segments) {
    // Bytes past p_filesz are zero, as is all memory outside the image
    // (memory.h: such cells start at 0), so the image holds the file bytes.
    const uint64_t end = uint64_t{s.vaddr} + s.bytes.size();
    for (uint64_t a = s.vaddr & ~uint64_t{3}; a < end; a += 4) {
      uint32_t& w = words[static_cast<uint32_t>(a)];
      for (uint64_t k = 0; k < 4; ++k) {
        const uint64_t byte = a + k;
        if (byte < s.vaddr || byte >= end) continue;
        const uint64_t i = byte - s.vaddr;
        const uint32_t v = i < s.bytes.size() ? s.bytes[i] : 0;
        w = (w & ~(0xffu << (8 * k))) | (v << (8 * k));
      }
    }
  }
  for (const auto& [a, w] : words) img.words.emplace_back(a, w);
  // Exactly the words the emulator fetches (elf.h code_words), as loaded.
  for (const auto& [a, w] : vm::code_words(program)) {
    ProgramRow r = decode_program_row(a, w);
    if (!r.empty()) img.program.push_back(std::move(r));
  }
  return img;
}

}  // namespace zkvm::rv32im
