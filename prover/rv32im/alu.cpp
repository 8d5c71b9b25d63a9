#include "prover/rv32im/alu.h"

#include <stdexcept>
#include <string>

namespace zkvm::rv32im {

uint32_t alu_reference(vm::Op op, uint32_t a, uint32_t b) {
  using vm::Op;
  const auto sa = static_cast<int32_t>(a), sb = static_cast<int32_t>(b);
  const unsigned sh = b & 31;
  switch (op) {
    case Op::AND: return a & b;
    case Op::OR: return a | b;
    case Op::XOR: return a ^ b;
    case Op::SLL: return a << sh;
    case Op::SRL: return a >> sh;
    case Op::SRA: return static_cast<uint32_t>(sa >> sh);
    case Op::MUL: return a * b;
    case Op::MULH: return static_cast<uint32_t>((int64_t{sa} * int64_t{sb}) >> 32);
    case Op::MULHSU: return static_cast<uint32_t>((int64_t{sa} * static_cast<int64_t>(b)) >> 32);
    case Op::MULHU: return static_cast<uint32_t>((uint64_t{a} * uint64_t{b}) >> 32);
    case Op::DIV:
      if (b == 0) return 0xffffffffu;
      if (a == 0x80000000u && b == 0xffffffffu) return a;
      return static_cast<uint32_t>(sa / sb);
    case Op::DIVU: return b == 0 ? 0xffffffffu : a / b;
    case Op::REM:
      if (b == 0) return a;
      if (a == 0x80000000u && b == 0xffffffffu) return 0;
      return static_cast<uint32_t>(sa % sb);
    case Op::REMU: return b == 0 ? a : a % b;
    default: throw std::invalid_argument("alu_reference: " + std::string(vm::mnemonic(op)) + " is not a kBusAlu op");
  }
}

}  // namespace zkvm::rv32im
