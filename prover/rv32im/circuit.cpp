#include "prover/rv32im/circuit_chips.h"

namespace zkvm::rv32im {

Circuit::Circuit(const Image* image, size_t journal_len) : chips_(std::make_unique<Chips>(image, journal_len)) {
  Chips& c = *chips_;
  airs_ = {&c.cpu, &c.program, &c.image, &c.memory, &c.bytes, &c.bitwise, &c.shift, &c.mul, &c.div, &c.io};
}
Circuit::~Circuit() = default;

}  // namespace zkvm::rv32im
