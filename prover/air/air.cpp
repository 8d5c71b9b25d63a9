#include "prover/air/air.h"

namespace zkvm::air {

AirShape analyse(const Air& air) {
  DegreeBuilder b(air.width(), air.preprocessed_width(), air.num_public_values());
  air.eval(b);
  AirShape s;
  s.num_constraints = b.constraints;
  s.num_interactions = b.interactions;
  s.logup_groups = b.groups;
  s.max_tuple_len = b.max_tuple_len;
  s.bus_arity = b.bus_arity;
  s.max_degree = b.max_degree;
  // Quotient degree is max_degree - 1 (in units of n), at least 1 chunk.
  const unsigned q = b.max_degree > 1 ? b.max_degree - 1 : 1;
  unsigned lg = 0;
  while ((1u << lg) < q) ++lg;
  s.log_quotient_chunks = lg;
  return s;
}

}  // namespace zkvm::air
