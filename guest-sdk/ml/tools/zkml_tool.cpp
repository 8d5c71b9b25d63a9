// zkml-tool: host helper of the int8 runtime.
//   zkml-tool gen-guest MODEL.zkml OUT.c [--batch N] [--logits] [--no-cycles]
//       guest C source with the model compiled in (generate_guest_source)
//   zkml-tool input MODEL.zkml OUT.bin --images FILE [--index I] [--count N]
//                   [--layout image|batch|private]
//       the private input a guest reads for images I..I+N-1: `image` = the
//       int8 bytes of one image, `batch` = u32 N then N images (mnist-batch),
//       `private` = u32 length + model bytes, then the image (mnist-private)
//   zkml-tool predict MODEL.zkml --images FILE [--index I] [--count N]
//       the class run_int8_host predicts for each image, one per line
//   zkml-tool info MODEL.zkml
//   zkml-tool quantize MODEL.onnx OUT.zkml --calib FILE [--calib-count N] [--per-tensor]
//       ONNX import (tools/model) + calibration on the first N images + quantize_model
// FILE is an IDX image file (gzip or plain; pixel / 255) or raw float32.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <stdexcept>

#include "quantize.h"
#if ZKML_HAVE_IMPORT
#include "zkvm_model/calibrate.h"
#include "zkvm_model/dataset.h"
#include "zkvm_model/onnx_import.h"
#endif

namespace {

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open");
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const std::string& path, const void* data, size_t n) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(static_cast<const char*>(data), static_cast<std::streamsize>(n));
  if (!out) throw std::runtime_error(path + ": cannot write");
}

// Images idx..idx+count-1 as floats, sample_size floats each.
std::vector<std::vector<float>> load(const std::string& path, size_t sample_size, size_t idx, size_t count) {
  std::vector<float> all;
  size_t have_size = sample_size;
#if ZKML_HAVE_IMPORT
  auto im = zkvm::model::load_images(path, sample_size, idx + count);
  all = std::move(im.data);
  have_size = im.sample_size;
#else
  auto bytes = read_file(path);
  if (bytes.size() % (4 * sample_size)) throw std::runtime_error(path + ": not raw float32 samples of the model input");
  all.resize(bytes.size() / 4);
  std::memcpy(all.data(), bytes.data(), bytes.size());
#endif
  if (have_size != sample_size)
    throw std::runtime_error(path + ": samples of " + std::to_string(have_size) + " values, model input has " +
                             std::to_string(sample_size));
  if ((idx + count) * sample_size > all.size())
    throw std::runtime_error(path + ": fewer than " + std::to_string(idx + count) + " samples");
  std::vector<std::vector<float>> out;
  for (size_t i = idx; i < idx + count; ++i)
    out.emplace_back(all.begin() + long(i * sample_size), all.begin() + long((i + 1) * sample_size));
  return out;
}


}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"zkml-tool: guest sources, guest inputs and host predictions for zkml int8 models"};
  app.require_subcommand(1);
  std::string model_path, out_path, images, layout = "image";
  int batch = 1;
  size_t index = 0, count = 1;
  bool logits = false, no_cycles = false;

  auto* gen = app.add_subcommand("gen-guest", "Write a guest C source with the model compiled in");
  gen->add_option("model", model_path, "zkml model file")->required();
  gen->add_option("out", out_path, "output .c file")->required();
  gen->add_option("--batch", batch, "images per run (0: read a u32 count first)");
  gen->add_flag("--logits", logits, "also commit the output tensor");
  gen->add_flag("--no-cycles", no_cycles, "do not log inference cycles");

  auto* inp = app.add_subcommand("input", "Write a guest's private input for dataset images");
  inp->add_option("model", model_path, "zkml model file")->required();
  inp->add_option("out", out_path, "output file")->required();
  inp->add_option("--images", images, "IDX images (.gz ok) or raw float32")->required();
  inp->add_option("--index", index, "first image");
  inp->add_option("--count", count, "number of images");
  inp->add_option("--layout", layout, "image | batch | private")->check(CLI::IsMember({"image", "batch", "private"}));

  auto* pred = app.add_subcommand("predict", "Print the host int8 prediction per image");
  pred->add_option("model", model_path, "zkml model file")->required();
  pred->add_option("--images", images, "IDX images (.gz ok) or raw float32")->required();
  pred->add_option("--index", index, "first image");
  pred->add_option("--count", count, "number of images");

  auto* info = app.add_subcommand("info", "Summarise a model file");
  info->add_option("model", model_path, "zkml model file")->required();

  std::string onnx_path, calib;
  size_t calib_count = 1000;
  bool per_tensor = false;
  auto* quant = app.add_subcommand("quantize", "ONNX -> calibrated zkml int8 model");
  quant->add_option("onnx", onnx_path, "ONNX model")->required();
  quant->add_option("out", out_path, "output .zkml file")->required();
  quant->add_option("--calib", calib, "calibration images: IDX (.gz ok) or raw float32")->required();
  quant->add_option("--calib-count", calib_count, "number of calibration images");
  quant->add_flag("--per-tensor", per_tensor, "one weight scale per tensor instead of per output channel");

  CLI11_PARSE(app, argc, argv);
  try {
    if (*quant) {
#if ZKML_HAVE_IMPORT
      zkvm::ml::Graph g = zkvm::model::import_onnx_file(onnx_path);
      size_t in_elems = 1;
      for (int64_t d : g.tensors.at(static_cast<size_t>(g.input)).shape) in_elems *= static_cast<size_t>(d);
      auto im = zkvm::model::load_images(calib, in_elems, calib_count);
      if (im.sample_size != in_elems)
        throw std::runtime_error(calib + ": samples of " + std::to_string(im.sample_size) + " values, model input has " +
                                 std::to_string(in_elems));
      auto ranges = zkvm::model::calibrate(g, im.data, im.count);
      zkvm::ml::QuantOptions qo;
      qo.per_channel = !per_tensor;
      auto bytes = zkvm::ml::quantize_model(g, ranges, qo);
      write_file(out_path, bytes.data(), bytes.size());
      return 0;
#else
      throw std::runtime_error("quantize: built without the ONNX importer (tools/model)");
#endif
    }
    const auto model = read_file(model_path);
    const auto mi = zkvm::ml::model_info(model);
    if (*gen) {
      zkvm::ml::GuestSourceOptions o;
      o.batch = batch;
      o.commit_logits = logits;
      o.log_cycles = !no_cycles;
      std::string src = zkvm::ml::generate_guest_source(model, o);
      write_file(out_path, src.data(), src.size());
    } else if (*inp) {
      const auto lay = layout == "batch"     ? zkvm::ml::InputLayout::kBatch
                       : layout == "private" ? zkvm::ml::InputLayout::kPrivate
                                             : zkvm::ml::InputLayout::kImage;
      const std::vector<uint8_t> out = zkvm::ml::guest_input(model, load(images, mi.input_elems, index, count), lay);
      write_file(out_path, out.data(), out.size());
    } else if (*pred) {
      for (const auto& x : load(images, mi.input_elems, index, count))
        std::printf("%d\n", zkvm::ml::run_int8_host(model, x).argmax);
    } else if (*info) {
      std::printf("tensors %u, nodes %u, input %u values (scale %g, zero point %d), output %u values, %llu MACs\n",
                  mi.n_tensors, mi.n_nodes, mi.input_elems, static_cast<double>(mi.input_scale), mi.input_zero_point,
                  mi.output_elems, static_cast<unsigned long long>(mi.macs));
      for (size_t i = 0; i < mi.ops.size(); ++i) std::printf("  node %zu: %s\n", i, mi.ops[i].c_str());
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "zkml-tool: error: %s\n", e.what());
    return 2;
  }
  return 0;
}
