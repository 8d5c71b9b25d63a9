// Layer-by-layer comparison of the int8 model with the float reference
// (calibration_check.h).
#include "zkvm_model/calibration_check.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "quantize.h"
#include "zkvm_model/reference.h"

namespace zkvm::model {

CalibrationCheck check_calibration(const ml::Graph& g, const std::vector<uint8_t>& zkml,
                                   const std::vector<int32_t>& tensor_map, std::span<const float> inputs,
                                   size_t count, double warn_loss) {
  if (tensor_map.size() != g.tensors.size()) throw std::runtime_error("calibration check: tensor map size mismatch");
  size_t n_in = 1;
  for (int64_t d : g.tensors[g.input].shape) n_in *= static_cast<size_t>(d);
  if (inputs.size() < count * n_in) throw std::runtime_error("calibration check: fewer samples than announced");
  // Sums over all samples, per graph tensor.
  struct Acc {
    double sq = 0, err_sq = 0, loss_sq = 0, max_steps = 0, n = 0;
  };
  std::vector<Acc> acc(g.tensors.size());
  std::vector<bool> used(g.tensors.size(), false);
  CalibrationCheck c;
  c.samples = count;
  size_t agree = 0;
  const bool argmax_out = !g.nodes.empty() && g.nodes.back().op == ml::OpKind::ArgMax;
  for (size_t s = 0; s < count; ++s) {
    std::span<const float> x(inputs.data() + s * n_in, n_in);
    const auto ref = run_reference_all(g, x);
    const auto tr = ml::run_int8_host_trace(zkml, x);
    for (size_t t = 0; t < g.tensors.size(); ++t) {
      const int32_t id = tensor_map[t];
      if (id < 0 || g.tensors[t].is_constant() || static_cast<size_t>(id) >= tr.values.size()) continue;
      const auto& q = tr.values[static_cast<size_t>(id)];
      const auto& f = ref[t];
      if (q.size() != f.size() || q.empty()) continue;
      if (argmax_out && static_cast<int>(t) == g.output) continue;  // an index, not a value
      used[t] = true;
      const ml::TensorQuant& tq = tr.quant[static_cast<size_t>(id)];  // one scale, or one per axis index
      Acc& a = acc[t];
      a.n += static_cast<double>(f.size());
      for (size_t i = 0; i < f.size(); ++i) {
        const double sc = tq.scale[tq.index(i)];
        const int32_t zp = tq.zero_point[tq.index(i)];
        const double fv = f[i];
        const double dq = (q[i] - zp) * sc;
        // This tensor's own grid alone: round and clamp the float value.
        const double own = (std::clamp(std::round(fv / sc) + zp, -128.0, 127.0) - zp) * sc;
        a.sq += fv * fv;
        a.err_sq += (dq - fv) * (dq - fv);
        a.loss_sq += (own - fv) * (own - fv);
        a.max_steps = std::max(a.max_steps, std::fabs(dq - fv) / sc);
      }
    }
    // Output agreement: the float and int8 predictions.
    const int pf = argmax_of(g, ref[static_cast<size_t>(g.output)]);
    const int32_t oid = tensor_map[static_cast<size_t>(g.output)];
    int pq = -1;
    if (oid >= 0) {
      const auto& qo = tr.values[static_cast<size_t>(oid)];
      if (argmax_out && !qo.empty()) pq = qo[0];
      else if (!qo.empty()) pq = static_cast<int>(std::max_element(qo.begin(), qo.end()) - qo.begin());
    }
    agree += pf == pq;
  }
  c.output_agreement = count ? static_cast<double>(agree) / static_cast<double>(count) : 1.0;
  for (size_t t = 0; t < g.tensors.size(); ++t) {
    if (!used[t]) continue;
    const Acc& a = acc[t];
    TensorCheck tc;
    tc.tensor = static_cast<int>(t);
    tc.name = g.tensors[t].name;
    tc.rms = std::sqrt(a.sq / std::max(1.0, a.n));
    const double denom = a.sq > 0 ? a.sq : 1.0;
    tc.error = std::sqrt(a.err_sq / denom);
    tc.range_loss = std::sqrt(a.loss_sq / denom);
    tc.max_error_steps = a.max_steps;
    c.tensors.push_back(tc);
  }
  // Scale/zero point per reported tensor, from one run's trace.
  if (count > 0) {
    const auto tr = ml::run_int8_host_trace(zkml, std::span<const float>(inputs.data(), n_in));
    for (auto& tc : c.tensors) {
      const auto id = static_cast<size_t>(tensor_map[static_cast<size_t>(tc.tensor)]);
      // A per-axis tensor reports its coarsest index's step.
      const ml::TensorQuant& tq = tr.quant[id];
      const auto k = static_cast<size_t>(std::max_element(tq.scale.begin(), tq.scale.end()) - tq.scale.begin());
      tc.scale = tq.scale[k];
      tc.zero_point = tq.zero_point[k];
    }
  }
  for (size_t i = 0; i < c.tensors.size(); ++i)
    if (c.worst < 0 || c.tensors[i].error > c.tensors[static_cast<size_t>(c.worst)].error) c.worst = static_cast<int>(i);
  for (const auto& tc : c.tensors) {
    if (!(tc.range_loss > warn_loss)) continue;
    char buf[512];
    const double lo = (-128 - tc.zero_point) * static_cast<double>(tc.scale);
    const double hi = (127 - tc.zero_point) * static_cast<double>(tc.scale);
    std::snprintf(buf, sizeof buf,
                  "tensor '%s': its int8 range [%.4g, %.4g] (step %.3g) loses %.1f%% of the values' RMS %.4g "
                  "to rounding and clipping alone (more than %.1f%%): a few outliers may stretch the range; try "
                  "--percentile 99.99 or more calibration data",
                  tc.name.c_str(), lo, hi, static_cast<double>(tc.scale), 100.0 * tc.range_loss, tc.rms,
                  100.0 * warn_loss);
    c.warnings.push_back(buf);
  }
  return c;
}

std::string calibration_report(const CalibrationCheck& c, double warn_loss) {
  std::string out;
  char buf[512];
  std::snprintf(buf, sizeof buf, "calibration check: int8 against the float reference on %zu calibration sample(s)\n",
                c.samples);
  out += buf;
  if (c.worst >= 0) {
    const auto& w = c.tensors[static_cast<size_t>(c.worst)];
    std::snprintf(buf, sizeof buf,
                  "  worst layer: '%s': RMS error %.2f%% of its RMS value %.4g, at most %.1f int8 steps (step %.3g)\n",
                  w.name.c_str(), 100.0 * w.error, w.rms, w.max_error_steps, static_cast<double>(w.scale));
    out += buf;
  }
  std::snprintf(buf, sizeof buf, "  output: float and int8 agree on the argmax of %.1f%% of the samples\n",
                100.0 * c.output_agreement);
  out += buf;
  if (c.warnings.empty()) {
    std::snprintf(buf, sizeof buf, "  every tensor's int8 range loses at most %.1f%% of its RMS to rounding and clipping\n",
                  100.0 * warn_loss);
    out += buf;
  }
  for (const auto& w : c.warnings) out += "warning: " + w + "\n";
  return out;
}

}  // namespace zkvm::model
