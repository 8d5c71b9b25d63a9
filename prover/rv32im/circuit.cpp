#include "prover/rv32im/circuit_chips.h"

namespace zkvm::rv32im {

Circuit::Circuit(const Image* image) : chips_(std::make_unique<Chips>(image)) {
  Chips& c = *chips_;
  airs_ = {&c.cpu, &c.program, &c.image, &c.memory, &c.bytes, &c.bitwise, &c.shift, &c.mul, &c.div, &c.io, &c.boundary, &c.dot_call, &c.dot,
           &c.sha_call, &c.sha_round, &c.sha_const, &c.bytes_tail, &c.gaps, &c.dot_rom,
           &c.sha_round_x, &c.cpu_x, &c.dense, &c.dot_rom_sx};
}
Circuit::~Circuit() = default;

}  // namespace zkvm::rv32im
