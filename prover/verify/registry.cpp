#include "prover/verify/registry.h"

#include "prover/air/examples.h"
#include "zkvm/verifier.h"

namespace zkvm::verify {

const std::vector<const air::Air*>* find_program(uint32_t program_id) {
  using namespace air::examples;
  static const FibonacciAir fib;
  static const ByteValuesAir byte_values;
  static const ByteTableAir byte_table;
  static const SyntheticAir syn8(8), syn64(64);
  static const OutputAir outputs;
  static const std::vector<const air::Air*> p_fib{&fib}, p_range{&byte_values, &byte_table}, p_syn8{&syn8},
      p_syn64{&syn64}, p_out{&outputs};
  switch (program_id) {
    case ZKVM_PROGRAM_FIBONACCI: return &p_fib;
    case ZKVM_PROGRAM_BYTE_RANGE: return &p_range;
    case ZKVM_PROGRAM_SYNTHETIC_8: return &p_syn8;
    case ZKVM_PROGRAM_SYNTHETIC_64: return &p_syn64;
    case ZKVM_PROGRAM_PUBLIC_OUTPUT: return &p_out;
    default: return nullptr;
  }
}

}  // namespace zkvm::verify
