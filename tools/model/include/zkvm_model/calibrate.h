// Calibration: activation ranges (zkvm::ml::Range per tensor) observed by the
// float reference over calibration inputs; handed to the quantizer.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "graph.h"

namespace zkvm::model {

struct CalibrationOptions {
  // 100 = plain min/max over all samples. Below 100, each activation's range
  // is the [100-p, p] percentile interval of its values (outliers clipped),
  // which often gives finer int8 steps; the graph input always uses min/max.
  double percentile = 100.0;
  // Every range is widened to include 0 (zero must be exactly representable
  // for ReLU and padding) and to be at least this wide.
  float min_width = 1e-6f;
};

// `inputs` holds `count` samples of the graph input's size back to back.
std::vector<ml::Range> calibrate(const ml::Graph& g, std::span<const float> inputs, size_t count,
                                 const CalibrationOptions& opts = {});

// Activations whose int8 parameters neither the model gives (pre-quantized
// models: Tensor::quant) nor the quantizer fixes by itself (Softmax, ArgMax):
// they need calibration data. Empty: the model imports without any.
std::vector<int> tensors_needing_calibration(const ml::Graph& g);

}  // namespace zkvm::model
