// Debug constraint checker: evaluates every constraint of every table on the
// trace itself (no proof, exact arithmetic over Fp) and checks every LogUp
// bus for balance as an exact multiset. Reports the first failing table, row
// and constraint by name, or the first unbalanced bus tuple. This is the tool
// to develop an AIR with: a trace that passes here and fails to prove points
// at the prover, not the AIR.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "prover/air/air.h"

namespace zkvm::air {

// One table of a multi-table statement: the AIR, its main trace and its
// public values. (Preprocessed columns come from air.preprocessed_trace().)
struct TableWitness {
  const Air* air = nullptr;
  const RowMajorMatrix<Fp>* trace = nullptr;
  std::vector<Fp> publics;
};

struct CheckResult {
  bool ok = true;
  std::string message;     // empty when ok
  std::string table;       // failing table name (constraint failures)
  size_t row = 0;          // failing row
  std::string constraint;  // failing constraint name; "bus" for bus failures
};

// Shape problems (wrong width, height not a power of two, wrong number of
// public values, preprocessed height mismatch) are reported as failures too.
// check_buses = false checks the constraints only (one segment of a
// continuation: its buses balance only with the other segments').
// extra_terms: the statement's own public boundary terms (beyond the
// tables' public_interactions).
CheckResult check_constraints(std::span<const TableWitness> tables, bool check_buses = true,
                              std::span<const PublicInteraction> extra_terms = {});
// Several segments of one statement (docs/STARK.md "Segmented statements"):
// each segment's constraints on its own, the buses over all of them and
// extra_terms together. Failures name the segment.
CheckResult check_statement(std::span<const std::vector<TableWitness>> segments, bool check_buses = true,
                            std::span<const PublicInteraction> extra_terms = {});

// Validates the shape of one table's inputs; returns "" when fine, else a
// message naming the table and the problem. Shared with the prover.
std::string shape_error(const TableWitness& t);

}  // namespace zkvm::air
