// Float reference inference over a zkvm::ml::Graph (host only, Eigen for the
// Dense and Conv products). It defines what the imported model computes: the
// accuracy of the int8 path is measured against it and calibration records
// its activation ranges.
#pragma once

#include <span>
#include <vector>

#include "graph.h"

namespace zkvm::model {

// Runs the graph on one input (row-major, the input tensor's shape) and
// returns the value of every tensor, indexed like Graph::tensors (constants
// are returned as their data). ArgMax outputs hold the index as a float.
// Throws std::runtime_error on a wrong input size or a malformed graph.
std::vector<std::vector<float>> run_reference_all(const ml::Graph& g, std::span<const float> input);

// Only the graph output.
std::vector<float> run_reference(const ml::Graph& g, std::span<const float> input);

// Index of the first maximum (or the ArgMax value when the output is ArgMax).
int argmax_of(const ml::Graph& g, const std::vector<float>& output);

}  // namespace zkvm::model
