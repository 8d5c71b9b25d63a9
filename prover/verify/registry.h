// Programs the verifier knows by id (prover/verify/include/zkvm/verifier.h
// lists the ids). Each program is a fixed, ordered list of tables.
#pragma once

#include <cstdint>
#include <vector>

#include "prover/air/air.h"

namespace zkvm::verify {

// nullptr for an unknown id. The AIR objects live for the whole program.
const std::vector<const air::Air*>* find_program(uint32_t program_id);

}  // namespace zkvm::verify
