// Calibration over the float reference. Min/max is exact over the samples;
// the percentile mode keeps, per tensor, a bounded reservoir-free histogram
// of all values (two passes: first min/max, then a 2048-bin histogram
// over that range) so memory stays O(tensors * bins).
#include "zkvm_model/calibrate.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "zkvm_model/onnx_import.h"
#include "zkvm_model/reference.h"

namespace zkvm::model {

namespace {
constexpr int kBins = 2048;

// Value at fraction q (0..1) of the histogram's mass.
float hist_quantile(const std::vector<uint64_t>& h, uint64_t total, float lo, float hi, double q) {
  const double target = q * static_cast<double>(total);
  double acc = 0;
  for (int b = 0; b < kBins; ++b) {
    acc += static_cast<double>(h[b]);
    if (acc >= target) return lo + (hi - lo) * static_cast<float>(b + 1) / kBins;
  }
  return hi;
}
}  // namespace

std::vector<ml::Range> calibrate(const ml::Graph& g, std::span<const float> inputs, size_t count,
                                 const CalibrationOptions& opts) {
  const size_t n_in = elem_count(g.tensors.at(g.input).shape);
  if (count == 0) throw std::runtime_error("calibration: no samples");
  if (inputs.size() != count * n_in)
    throw std::runtime_error("calibration: " + std::to_string(inputs.size()) + " values for " +
                             std::to_string(count) + " samples of " + std::to_string(n_in));
  if (!(opts.percentile > 50.0 && opts.percentile <= 100.0))
    throw std::runtime_error("calibration: percentile must be in (50, 100]");
  const size_t nt = g.tensors.size();
  std::vector<ml::Range> r(nt, ml::Range{std::numeric_limits<float>::infinity(),
                                         -std::numeric_limits<float>::infinity()});
  auto sample = [&](size_t i) { return inputs.subspan(i * n_in, n_in); };
  for (size_t i = 0; i < count; ++i) {
    auto vals = run_reference_all(g, sample(i));
    for (size_t t = 0; t < nt; ++t)
      for (float x : vals[t]) {
        r[t].min = std::min(r[t].min, x);
        r[t].max = std::max(r[t].max, x);
      }
  }
  if (opts.percentile < 100.0) {
    std::vector<std::vector<uint64_t>> hist(nt, std::vector<uint64_t>(kBins, 0));
    std::vector<uint64_t> total(nt, 0);
    for (size_t i = 0; i < count; ++i) {
      auto vals = run_reference_all(g, sample(i));
      for (size_t t = 0; t < nt; ++t) {
        if (g.tensors[t].is_constant() || static_cast<int>(t) == g.input) continue;
        const float lo = r[t].min, span = r[t].max - r[t].min;
        if (!(span > 0)) continue;
        for (float x : vals[t]) {
          int b = static_cast<int>((x - lo) / span * kBins);
          hist[t][std::clamp(b, 0, kBins - 1)]++;
        }
        total[t] += vals[t].size();
      }
    }
    const double q = opts.percentile / 100.0;
    for (size_t t = 0; t < nt; ++t) {
      if (!total[t]) continue;
      // Bin edges are computed in float and may round past the observed
      // extremes; a clipped range never reaches beyond the full one.
      const float lo = std::max(r[t].min, hist_quantile(hist[t], total[t], r[t].min, r[t].max, 1.0 - q));
      const float hi = std::min(r[t].max, hist_quantile(hist[t], total[t], r[t].min, r[t].max, q));
      // Never cut off the exact end that holds 0 (ReLU outputs stay >= 0).
      r[t].min = r[t].min >= 0.0f ? r[t].min : std::min(lo, 0.0f);
      r[t].max = std::max(hi, 0.0f);
    }
  }
  for (auto& x : r) {
    x.min = std::min(x.min, 0.0f);
    x.max = std::max(x.max, 0.0f);
    if (x.max - x.min < opts.min_width) x.max = x.min + opts.min_width;
  }
  return r;
}

std::vector<int> tensors_needing_calibration(const ml::Graph& g) {
  std::vector<int> out;
  auto need = [&](int t) {
    const auto& x = g.tensors[t];
    if (!x.is_constant() && !x.quant.given() && !x.axis_quant.given()) out.push_back(t);
  };
  need(g.input);
  for (const auto& n : g.nodes)
    if (n.op != ml::OpKind::Softmax && n.op != ml::OpKind::ArgMax) need(n.outputs[0]);
  return out;
}

}  // namespace zkvm::model
