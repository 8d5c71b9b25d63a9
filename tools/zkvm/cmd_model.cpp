// `zkvm model import` and `zkvm model eval`: the host driver of the ML
// pipeline (docs/ML_IMPORT.md). import: .onnx -> float Graph -> calibration
// -> zkml model file (+ guest C source). eval: accuracy of the float
// reference, the host int8 run and (on a slice) the guest in the emulator.
#include "command.h"

#if defined(ZKVM_HAVE_MODEL_IMPORT)

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "guest_build.h"
#include "zkvm_model/calibrate.h"
#include "zkvm_model/calibration_check.h"
#include "zkvm_model/dataset.h"
#include "zkvm_model/onnx_import.h"
#include "zkvm_model/reference.h"
#if defined(ZKVM_HAVE_ML_HOST)
#include "quantize.h"
#endif
#if defined(ZKVM_HAVE_VM)
#include "zkvm/vm/elf.h"
#include "zkvm/vm/machine.h"
#endif

namespace {

using namespace zkvm;

struct ImportArgs {
  std::string onnx, calibration, out, guest_source;
  bool per_tensor = false;
  size_t calib_limit = 1000;
  double percentile = 100.0;
  int batch = 1;
  bool commit_logits = false;
  size_t check_limit = 100;  // calibration samples the check runs (0: no check)
  double warn_loss = 5.0;    // percent of a tensor's RMS its int8 range may lose before a warning
};

struct BuildArgs {
  ImportArgs imp;
  std::string dir, sdk;
  bool private_model = false;
  unsigned jobs = 0;
};

struct InputArgs {
  std::string zkml, images, out, layout = "image";
  size_t index = 0, count = 1;
};

struct EvalArgs {
  std::string onnx, zkml, images, labels, calibration, guest;
  size_t limit = 0, guest_limit = 20, calib_limit = 1000;
  bool per_tensor = false;
  double percentile = 100.0;
};

void write_file(const std::string& path, const void* data, size_t n) {
  std::ofstream f(path, std::ios::binary);
  if (!f || !f.write(static_cast<const char*>(data), static_cast<std::streamsize>(n)))
    throw std::runtime_error(path + ": cannot write");
}

std::vector<uint8_t> read_file(const std::string& path) {
  return zkvm::cli::read_file_bounded(path, std::size_t{512} << 20, "model file");
}

size_t input_elems(const ml::Graph& g) { return model::elem_count(g.tensors[g.input].shape); }

std::vector<ml::Range> calibrate_from(const ml::Graph& g, const std::string& data, size_t limit, double pct,
                                      bool verbose) {
  auto cal = model::load_images(data, input_elems(g), limit);
  model::CalibrationOptions co;
  co.percentile = pct;
  auto t0 = std::chrono::steady_clock::now();
  auto ranges = model::calibrate(g, cal.data, cal.count, co);
  if (verbose) {
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    char how[48] = "min/max";
    if (pct < 100.0) std::snprintf(how, sizeof how, "percentile %g", pct);
    std::printf("calibration: %zu samples from %s (%s), %.2f s\n", cal.count, data.c_str(), how, s);
  }
  return ranges;
}

#if defined(ZKVM_HAVE_ML_HOST)
// ONNX -> calibrated int8 model file bytes, with the import's report on
// stdout: the graph, the importer's warnings, the activation ranges (or the
// model's own parameters), and the calibration check.
std::vector<uint8_t> import_to_zkml(const ImportArgs& a) {
  auto g = model::import_onnx_file(a.onnx);
  std::printf("%s\n%s", a.onnx.c_str(), model::graph_summary(g).c_str());
  for (const auto& w : g.warnings) std::printf("warning: %s\n", w.c_str());
  const auto missing = model::tensors_needing_calibration(g);
  const bool pre_quantized = std::any_of(g.tensors.begin(), g.tensors.end(),
                                         [](const ml::Tensor& t) { return t.quant.given() || t.axis_quant.given(); });
  if (pre_quantized)
    std::printf("pre-quantized model: the given scales and zero points are used (%zu activation(s) without them%s)\n",
                missing.size(), missing.empty() ? "" : ", calibrated");
  std::vector<ml::Range> ranges(g.tensors.size());
  model::Images cal;
  if (a.calibration.empty()) {
    if (!missing.empty())
      throw std::runtime_error(a.onnx + ": tensor '" + g.tensors[missing[0]].name + "'" +
                               (missing.size() > 1 ? " and " + std::to_string(missing.size() - 1) + " more" : "") +
                               " get no quantization parameters from the model; give --calibration DATA");
  } else {
    cal = model::load_images(a.calibration, input_elems(g), a.calib_limit);
    model::CalibrationOptions co;
    co.percentile = a.percentile;
    auto t0 = std::chrono::steady_clock::now();
    ranges = model::calibrate(g, cal.data, cal.count, co);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    char how[48] = "min/max";
    if (a.percentile < 100.0) std::snprintf(how, sizeof how, "percentile %g", a.percentile);
    std::printf("calibration: %zu samples from %s (%s), %.2f s\n", cal.count, a.calibration.c_str(), how, s);
  }
  std::printf("activation ranges:\n");
  auto print_range = [&](int t) {
    const auto& q = g.tensors[t].quant;
    const auto& aq = g.tensors[t].axis_quant;
    if (aq.given()) {
      std::printf("  %-40s given per axis %lld:", g.tensors[t].name.c_str(), static_cast<long long>(aq.axis));
      for (size_t c = 0; c < aq.scale.size(); ++c)
        std::printf("%s scale %g zero point %d", c ? "," : "", static_cast<double>(aq.scale[c]), aq.zero_point[c]);
      std::printf("\n");
    } else if (q.given())
      std::printf("  %-40s [%10.4f, %10.4f] given: scale %g, zero point %d\n", g.tensors[t].name.c_str(),
                  (-128 - q.zero_point) * static_cast<double>(q.scale), (127 - q.zero_point) * static_cast<double>(q.scale),
                  static_cast<double>(q.scale), q.zero_point);
    else
      std::printf("  %-40s [%10.4f, %10.4f]\n", g.tensors[t].name.c_str(), ranges[t].min, ranges[t].max);
  };
  print_range(g.input);
  for (const auto& n : g.nodes) print_range(n.outputs[0]);
  ml::QuantOptions qo;
  qo.per_channel = !a.per_tensor;
  std::vector<int32_t> tmap;
  auto file = ml::quantize_model(g, ranges, qo, &tmap);
  if (cal.count > 0 && a.check_limit > 0) {
    const size_t n = std::min(cal.count, a.check_limit);
    auto chk = model::check_calibration(g, file, tmap, cal.data, n, a.warn_loss / 100.0);
    std::printf("%s", model::calibration_report(chk, a.warn_loss / 100.0).c_str());
  }
  return file;
}

std::string write_guest_source(const std::vector<uint8_t>& file, const ImportArgs& a, bool private_model,
                               const std::string& path) {
  ml::GuestSourceOptions go;
  go.batch = a.batch;
  go.commit_logits = a.commit_logits;
  go.private_model = private_model;
  auto src = ml::generate_guest_source(file, go);
  write_file(path, src.data(), src.size());
  return src;
}

void do_import(const ImportArgs& a) {
  auto file = import_to_zkml(a);
  write_file(a.out, file.data(), file.size());
  std::printf("wrote %s (%zu bytes, %s weight scales)\n", a.out.c_str(), file.size(),
              a.per_tensor ? "per-tensor" : "per-channel");
  if (!a.guest_source.empty()) {
    write_guest_source(file, a, false, a.guest_source);
    std::printf("wrote %s (guest source, batch %d%s)\n", a.guest_source.c_str(), a.batch,
                a.commit_logits ? ", logits committed" : "");
  }
}

// `model build`: import, guest source and a linked guest ELF in one
// directory, compiled with the SDK and the cross toolchain directly (no
// CMake project): DIR/model.zkml, DIR/guest.c, DIR/guest.elf.
void do_build(BuildArgs b) {
  namespace fs = std::filesystem;
  if (b.private_model && b.imp.batch != 1)
    throw std::runtime_error("model build: --private guests take one image (--batch 1)");
  // Find the toolchain before the (slower) import, so a missing one fails fast.
  const cli::GuestToolchain tc = cli::find_guest_toolchain(b.sdk);
  auto file = import_to_zkml(b.imp);
  std::error_code ec;
  fs::create_directories(b.dir, ec);
  if (ec || !fs::is_directory(b.dir))
    throw std::runtime_error(b.dir + ": cannot create the output directory" + (ec ? ": " + ec.message() : ""));
  const fs::path dir(b.dir);
  b.imp.out = (dir / "model.zkml").string();
  write_file(b.imp.out, file.data(), file.size());
  const std::string src = (dir / "guest.c").string(), elf = (dir / "guest.elf").string();
  write_guest_source(file, b.imp, b.private_model, src);
  std::printf("guest SDK: %s (%s); clang %s, ld.lld %s\n", tc.sdk.c_str(), tc.sdk_from.c_str(), tc.clang.c_str(),
              tc.lld.c_str());
  std::fflush(stdout);
  const unsigned jobs = b.jobs ? b.jobs : std::max(1u, std::thread::hardware_concurrency());
  cli::build_ml_guest(tc, {src}, (dir / "obj").string(), elf, jobs);
  std::printf("wrote %s (%zu bytes, %s weight scales)\n", b.imp.out.c_str(), file.size(),
              b.imp.per_tensor ? "per-tensor" : "per-channel");
  std::printf("wrote %s (guest source: %s)\n", src.c_str(),
              b.private_model ? "the model is private input, its SHA-256 goes to the journal"
                              : "the model is compiled in, the image ID commits to it");
  std::printf("wrote %s\n", elf.c_str());
  const char* layout = b.private_model ? " --layout private" : (b.imp.batch == 0 ? " --layout batch" : "");
  std::printf("next:\n  zkvm model input %s --images IMAGE%s -o input.bin\n"
              "  zkvm run %s --input input.bin --journal journal.bin\n"
              "  zkvm prove %s --input input.bin -o receipt.bin\n",
              b.imp.out.c_str(), layout, elf.c_str(), elf.c_str());
}

void do_eval(const EvalArgs& a) {
  auto g = model::import_onnx_file(a.onnx);
  std::vector<uint8_t> zkml;
  std::string zkml_desc;
  if (!a.zkml.empty()) {
    zkml = read_file(a.zkml);
    zkml_desc = a.zkml;
  } else {
    const bool pre_quantized = model::tensors_needing_calibration(g).empty();
    if (a.calibration.empty() && !pre_quantized)
      throw std::runtime_error("model eval: give --model OUT.zkml or --calibration DATA to quantize in memory");
    auto ranges = a.calibration.empty() ? std::vector<ml::Range>(g.tensors.size())
                                        : calibrate_from(g, a.calibration, a.calib_limit, a.percentile, true);
    ml::QuantOptions qo;
    qo.per_channel = !a.per_tensor;
    zkml = ml::quantize_model(g, ranges, qo);
    zkml_desc = std::string("in memory, ") + (a.per_tensor ? "per-tensor" : "per-channel");
  }
  auto images = model::load_images(a.images, input_elems(g), a.limit);
  auto labels = model::load_labels(a.labels, a.limit);
  if (labels.size() != images.count)
    throw std::runtime_error("model eval: " + std::to_string(images.count) + " images but " +
                             std::to_string(labels.size()) + " labels");
  size_t ok_f = 0, ok_q = 0, agree = 0;
  std::vector<int> host_pred(images.count);
  std::vector<std::vector<int32_t>> host_out;
  const size_t guest_n = a.guest.empty() ? 0 : std::min(a.guest_limit, images.count);
  auto t0 = std::chrono::steady_clock::now();
  double t_float = 0, t_int8 = 0;
  for (size_t i = 0; i < images.count; ++i) {
    std::span<const float> x(images.data.data() + i * images.sample_size, images.sample_size);
    auto ta = std::chrono::steady_clock::now();
    const int pf = model::argmax_of(g, model::run_reference(g, x));
    auto tb = std::chrono::steady_clock::now();
    auto q = ml::run_int8_host(zkml, x);
    auto tc = std::chrono::steady_clock::now();
    t_float += std::chrono::duration<double>(tb - ta).count();
    t_int8 += std::chrono::duration<double>(tc - tb).count();
    host_pred[i] = q.argmax;
    if (i < guest_n) host_out.push_back(q.logits_or_output);
    ok_f += pf == labels[i];
    ok_q += q.argmax == labels[i];
    agree += pf == q.argmax;
  }
  const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double n = static_cast<double>(images.count);
  std::printf("model %s, int8 model %s, %zu images of %s\n", a.onnx.c_str(), zkml_desc.c_str(), images.count,
              a.images.c_str());
  std::printf("  float reference accuracy: %.2f%% (%zu/%zu)\n", 100.0 * ok_f / n, ok_f, images.count);
  std::printf("  host int8 accuracy:       %.2f%% (%zu/%zu)\n", 100.0 * ok_q / n, ok_q, images.count);
  std::printf("  int8 - float:             %+.2f pp; predictions agree on %.2f%%\n", 100.0 * (double(ok_q) - double(ok_f)) / n,
              100.0 * agree / n);
  std::printf("  host time per image: float %.1f us, int8 %.1f us (total %.1f s)\n", 1e6 * t_float / n,
              1e6 * t_int8 / n, total);
  if (guest_n == 0) return;
#if defined(ZKVM_HAVE_VM)
  auto prog = vm::load_elf_file(a.guest);
  size_t ok_g = 0, same = 0;
  uint64_t cycles = 0, min_c = UINT64_MAX, max_c = 0;
  for (size_t i = 0; i < guest_n; ++i) {
    std::span<const float> x(images.data.data() + i * images.sample_size, images.sample_size);
    auto in = ml::quantize_input(zkml, x);
    vm::RunOptions ro;
    ro.input.assign(reinterpret_cast<const uint8_t*>(in.data()), reinterpret_cast<const uint8_t*>(in.data()) + in.size());
    auto r = vm::run(prog, ro);
    if (r.status != vm::RunStatus::Exited || r.exit_code != 0)
      throw std::runtime_error(a.guest + ": image " + std::to_string(i) + ": " + r.summary());
    if (r.journal.size() < 4)
      throw std::runtime_error(a.guest + ": image " + std::to_string(i) + ": journal has " +
                               std::to_string(r.journal.size()) + " bytes, expected the class as u32 (a batch-1 guest from --guest-source)");
    uint32_t cls;
    std::memcpy(&cls, r.journal.data(), 4);
    bool identical = static_cast<int>(cls) == host_pred[i];
    // With committed logits the journal carries the output's int8 values too.
    if (r.journal.size() == 4 + host_out[i].size())
      for (size_t k = 0; k < host_out[i].size(); ++k)
        identical = identical && static_cast<int8_t>(r.journal[4 + k]) == host_out[i][k];
    same += identical;
    ok_g += static_cast<int>(cls) == labels[i];
    cycles += r.cycles;
    min_c = std::min(min_c, r.cycles);
    max_c = std::max(max_c, r.cycles);
  }
  std::printf("  in-guest (%s, first %zu images): accuracy %.2f%%, identical to host int8 on %zu/%zu\n",
              a.guest.c_str(), guest_n, 100.0 * ok_g / double(guest_n), same, guest_n);
  std::printf("  cycles per inference (whole guest run incl. start-up): mean %.0f, min %llu, max %llu\n",
              double(cycles) / double(guest_n), static_cast<unsigned long long>(min_c),
              static_cast<unsigned long long>(max_c));
  if (same != guest_n) cli::exit_code() = 1;
#else
  throw std::runtime_error("model eval: --guest needs the emulator library (zkvm_vm), which this build lacks");
#endif
}
#endif

#if defined(ZKVM_HAVE_ML_HOST)
// `model input`: samples index..index+count-1 of an image file, quantized
// with the model's input scale, in the layout a guest reads.
void do_input(const InputArgs& a) {
  const std::vector<uint8_t> model = read_file(a.zkml);
  const auto mi = ml::model_info(model);
  const auto im = model::load_images(a.images, mi.input_elems, a.index + a.count);
  if (im.count < a.index + a.count)
    throw std::runtime_error("model input: " + a.images + " has " + std::to_string(im.count) + " samples, fewer than " +
                             std::to_string(a.index + a.count));
  std::vector<std::vector<float>> xs;
  for (size_t i = a.index; i < a.index + a.count; ++i)
    xs.emplace_back(im.data.begin() + static_cast<long>(i * im.sample_size),
                    im.data.begin() + static_cast<long>((i + 1) * im.sample_size));
  const auto layout = a.layout == "batch"     ? ml::InputLayout::kBatch
                      : a.layout == "private" ? ml::InputLayout::kPrivate
                                              : ml::InputLayout::kImage;
  const std::vector<uint8_t> out = ml::guest_input(model, xs, layout);
  write_file(a.out, out.data(), out.size());
  char params[64];
  if (mi.input_per_axis)
    std::snprintf(params, sizeof params, "per-axis scales and zero points");
  else
    std::snprintf(params, sizeof params, "scale %g, zero point %d", static_cast<double>(mi.input_scale),
                  mi.input_zero_point);
  std::fprintf(stderr, "model input: %zu sample(s) of %u values (%s), layout %s -> %s (%zu bytes)\n", xs.size(),
               mi.input_elems, params, a.layout.c_str(), a.out.c_str(), out.size());
}
#endif

void add_check_options(CLI::App* c, ImportArgs& a) {
  c->add_option("--check-limit", a.check_limit,
                "calibration samples the int8-vs-float check runs after quantizing (0 = no check)")
      ->capture_default_str();
  c->add_option("--warn-loss", a.warn_loss,
                "warn about a tensor whose int8 range loses more than this percentage of its RMS value")
      ->check(CLI::Range(0.0, 100.0))->capture_default_str();
}

void setup(CLI::App& root) {
  auto* model = root.add_subcommand("model", "Import ONNX models to int8 zkml files and evaluate their accuracy");
  model->require_subcommand(1);

  auto ia = std::make_shared<ImportArgs>();
  auto* imp = model->add_subcommand("import", "ONNX -> calibrated int8 zkml model file (and guest source)");
  imp->add_option("model", ia->onnx, "ONNX model (float32, batch 1; docs/ML_IMPORT.md)")->required();
  imp->add_option("--calibration", ia->calibration,
                  "calibration inputs: IDX images (.gz ok; pixel/255), PGM/PNG, .npy or raw float32 samples "
                  "(optional for a pre-quantized model that gives every activation's scale)");
  add_check_options(imp, *ia);
  imp->add_option("-o,--output", ia->out, "zkml model file to write")->required();
  imp->add_option("--guest-source", ia->guest_source, "also write a guest C source with the model compiled in");
  imp->add_flag("--per-tensor", ia->per_tensor, "one weight scale per tensor (default: per output channel)");
  imp->add_option("--calib-limit", ia->calib_limit, "use at most this many calibration samples (0 = all)")
      ->capture_default_str();
  imp->add_option("--percentile", ia->percentile, "activation range percentile (100 = min/max)")
      ->check(CLI::Range(50.0, 100.0))->capture_default_str();
  imp->add_option("--batch", ia->batch, "guest source: images per run (0 = read the count first)")
      ->capture_default_str();
  imp->add_flag("--commit-logits", ia->commit_logits, "guest source: also commit the output's int8 values");
  imp->callback([ia] {
#if defined(ZKVM_HAVE_ML_HOST)
    do_import(*ia);
#else
    throw std::runtime_error("model import: this build lacks the int8 runtime (zkvm_ml_host)");
#endif
  });

  auto ba = std::make_shared<BuildArgs>();
  auto* bld = model->add_subcommand(
      "build", "ONNX -> DIR/model.zkml, DIR/guest.c and a ready guest ELF DIR/guest.elf (no CMake project needed)");
  bld->add_option("model", ba->imp.onnx, "ONNX model (float32, batch 1; docs/ML_IMPORT.md)")->required();
  bld->add_option("--calibration", ba->imp.calibration,
                  "calibration inputs: IDX images (.gz ok; pixel/255), PGM/PNG, .npy or raw float32 samples "
                  "(optional for a pre-quantized model that gives every activation's scale)");
  add_check_options(bld, ba->imp);
  bld->add_option("-o,--output", ba->dir, "output directory (created if missing)")->required();
  bld->add_flag("--private", ba->private_model,
                "the model is private input (u32 length + bytes before the image) and its SHA-256 is committed; "
                "default: the model is compiled into the ELF");
  bld->add_option("--sdk", ba->sdk,
                  "guest SDK directory (default: $ZKVM_GUEST_SDK, PREFIX/share/zkvm/guest-sdk next to this zkvm, "
                  "or the source tree it was built from)");
  bld->add_option("-j,--jobs", ba->jobs, "compilers run in parallel (default: the CPU count)");
  bld->add_flag("--per-tensor", ba->imp.per_tensor, "one weight scale per tensor (default: per output channel)");
  bld->add_option("--calib-limit", ba->imp.calib_limit, "use at most this many calibration samples (0 = all)")
      ->capture_default_str();
  bld->add_option("--percentile", ba->imp.percentile, "activation range percentile (100 = min/max)")
      ->check(CLI::Range(50.0, 100.0))->capture_default_str();
  bld->add_option("--batch", ba->imp.batch, "images per run (0 = read the count first)")->capture_default_str();
  bld->add_flag("--commit-logits", ba->imp.commit_logits, "also commit the output's int8 values");
  bld->callback([ba] {
#if defined(ZKVM_HAVE_ML_HOST)
    do_build(*ba);
#else
    throw std::runtime_error("model build: this build lacks the int8 runtime (zkvm_ml_host)");
#endif
  });

  auto na = std::make_shared<InputArgs>();
  auto* inp = model->add_subcommand("input", "an image or tensor file -> the guest's private input bytes (int8, the model's input scale)");
  inp->add_option("model", na->zkml, "zkml file from `model import`")->required();
  inp->add_option("--images", na->images,
                  "IDX images (.gz ok), a binary PGM (P5, 8-bit), a .npy float32 array, or raw float32 samples "
                  "(pixels are scaled by 1/255)")
      ->required();
  inp->add_option("-o,--output", na->out, "input file to write (pass it to zkvm run/prove --input)")->required();
  inp->add_option("--index", na->index, "first sample")->capture_default_str();
  inp->add_option("--count", na->count, "number of samples (image and private layouts: 1)")
      ->check(CLI::PositiveNumber)->capture_default_str();
  inp->add_option("--layout", na->layout,
                  "image: the int8 bytes of one sample (public-model guests); batch: u32 count, then the samples; "
                  "private: u32 model length, the model, then one sample (private-model guests)")
      ->check(CLI::IsMember({"image", "batch", "private"}))->capture_default_str();
  inp->callback([na] {
#if defined(ZKVM_HAVE_ML_HOST)
    do_input(*na);
#else
    throw std::runtime_error("model input: this build lacks the int8 runtime (zkvm_ml_host)");
#endif
  });

  auto ea = std::make_shared<EvalArgs>();
  auto* ev = model->add_subcommand("eval", "accuracy of the float reference, host int8 and in-guest runs");
  ev->add_option("model", ea->onnx, "ONNX model")->required();
  ev->add_option("--model", ea->zkml, "zkml file from `model import` (else quantized in memory from --calibration)");
  ev->add_option("--calibration", ea->calibration,
                 "calibration inputs when --model is not given (not needed for a fully pre-quantized model)");
  ev->add_option("--images", ea->images, "IDX images (.gz ok)")->required();
  ev->add_option("--labels", ea->labels, "IDX labels (.gz ok)")->required();
  ev->add_option("--limit", ea->limit, "evaluate only the first N images (0 = all)");
  ev->add_option("--guest", ea->guest, "guest ELF built from `model import --guest-source` (batch 1): run in the emulator");
  ev->add_option("--guest-limit", ea->guest_limit, "images to run in the guest")->capture_default_str();
  ev->add_option("--calib-limit", ea->calib_limit, "calibration samples when quantizing in memory")->capture_default_str();
  ev->add_option("--percentile", ea->percentile, "activation range percentile when quantizing in memory")
      ->check(CLI::Range(50.0, 100.0))->capture_default_str();
  ev->add_flag("--per-tensor", ea->per_tensor, "per-tensor weight scales when quantizing in memory");
  ev->callback([ea] {
#if defined(ZKVM_HAVE_ML_HOST)
    do_eval(*ea);
#else
    throw std::runtime_error("model eval: this build lacks the int8 runtime (zkvm_ml_host)");
#endif
  });
}

}  // namespace

ZKVM_REGISTER_COMMAND(setup);

#endif  // ZKVM_HAVE_MODEL_IMPORT
