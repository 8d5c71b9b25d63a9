// After import: how far the int8 model is from the float reference, layer by
// layer, on the calibration samples, and which tensors' ranges cost int8 the
// most. `zkvm model import` and `zkvm model build` print it.
//
// Two measures per activation tensor (relative to the float tensor's RMS
// value over the samples, so that they compare across layers):
//  - error: the int8 model's value (dequantized) against the float
//    reference's: what rounding in every layer up to this one adds up to;
//  - range loss: rounding and clipping the float values to this tensor's
//    own int8 grid alone. A range stretched by rare outliers makes the step
//    coarse for the bulk of the values; this names such tensors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "graph.h"

namespace zkvm::model {

struct TensorCheck {
  int tensor = -1;              // index into Graph::tensors
  std::string name;
  float scale = 0.0f;           // the int8 model's scale and zero point for it
  int32_t zero_point = 0;
  double rms = 0.0;             // RMS of the float reference's values
  double error = 0.0;           // RMS(int8 - float) / rms
  double max_error_steps = 0.0; // largest |int8 - float| in steps of `scale`
  double range_loss = 0.0;      // RMS(fake-quantized - float) / rms
};

struct CalibrationCheck {
  size_t samples = 0;
  std::vector<TensorCheck> tensors;  // activations the int8 model computes, in graph order
  int worst = -1;                    // index into `tensors` of the largest error
  double output_agreement = 1.0;     // fraction of samples whose argmax agrees (float vs int8)
  std::vector<std::string> warnings; // tensors whose range loss exceeds the threshold
};

// Runs the float reference and the int8 model (`zkml`, written by
// quantize_model with `tensor_map`) over `count` samples of `inputs` and
// compares every tensor both compute. A tensor whose range loss exceeds
// `warn_loss` (a fraction, e.g. 0.05) gets a warning naming it.
CalibrationCheck check_calibration(const ml::Graph& g, const std::vector<uint8_t>& zkml,
                                   const std::vector<int32_t>& tensor_map, std::span<const float> inputs,
                                   size_t count, double warn_loss);

// The report's text: the worst layer, the output agreement, the warnings.
std::string calibration_report(const CalibrationCheck& c, double warn_loss);

}  // namespace zkvm::model
