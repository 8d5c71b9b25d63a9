// Host runs of the guest interpreter (same C sources as the guest), input
// quantisation, model summaries and guest source generation.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <sstream>
#include <stdexcept>

#include "quantize.h"
#include "zkvm/ml/model.h"

namespace zkvm::ml {

namespace {

zkml_model parse_or_throw(const std::vector<uint8_t>& file) {
  if (file.size() > 0xFFFFFFFFu) throw std::runtime_error("model: file larger than 4 GiB");
  zkml_model m;
  int st = zkml_parse(&m, file.data(), static_cast<uint32_t>(file.size()));
  if (st != ZKML_OK) throw std::runtime_error(std::string("model: ") + zkml_status_name(st) + ": " + m.error);
  return m;
}

float scale_of(const zkml_tensor& t) {
  if (t.dtype == ZKML_DT_INT8_AXIS) return 0.0f;  // the field holds the axis table's offset
  float f;
  std::memcpy(&f, &t.scale_bits, 4);
  return f;
}

TensorQuant quant_of(const zkml_model& m, uint32_t i) {
  zkml_tensor t;
  zkml_get_tensor(&m, i, &t);
  TensorQuant q;
  if (t.dtype != ZKML_DT_INT8_AXIS) {
    q.scale = {scale_of(t)};
    q.zero_point = {t.zero_point};
    return q;
  }
  uint32_t axis = 0, n = 0, bits = 0;
  int32_t zp = 0;
  zkml_get_axis_param(&m, &t, 0, &axis, &n, &zp, &bits);
  for (uint32_t c = 0; c < n; ++c) {
    zkml_get_axis_param(&m, &t, c, &axis, &n, &zp, &bits);
    float f;
    std::memcpy(&f, &bits, 4);
    q.scale.push_back(f);
    q.zero_point.push_back(zp);
  }
  q.axis = axis;
  for (uint32_t d = axis + 1; d < t.ndim; ++d) q.inner *= t.dims[d];
  return q;
}

}  // namespace

TensorQuant tensor_quant(const std::vector<uint8_t>& file, uint32_t tensor) {
  zkml_model m = parse_or_throw(file);
  if (tensor >= m.n_tensors)
    throw std::runtime_error("model: tensor " + std::to_string(tensor) + " of " + std::to_string(m.n_tensors));
  return quant_of(m, tensor);
}

ModelInfo model_info(const std::vector<uint8_t>& file) {
  zkml_model m = parse_or_throw(file);
  ModelInfo info;
  info.n_tensors = m.n_tensors;
  info.n_nodes = m.n_nodes;
  info.arena_bytes = m.arena_bytes;
  zkml_tensor in, out;
  zkml_get_tensor(&m, m.input, &in);
  zkml_get_tensor(&m, m.output, &out);
  info.input_elems = in.elems;
  info.output_elems = out.elems;
  info.input_scale = scale_of(in);
  info.input_zero_point = in.zero_point;
  info.input_per_axis = in.dtype == ZKML_DT_INT8_AXIS;
  for (uint32_t i = 0; i < m.n_nodes; ++i) {
    zkml_node n;
    zkml_get_node(&m, i, &n);
    info.ops.emplace_back(zkml_op_name(n.op));
    zkml_tensor x, y;
    zkml_get_tensor(&m, n.in[0], &x);
    zkml_get_tensor(&m, n.out, &y);
    if (n.op == ZKML_OP_DENSE) info.macs += uint64_t{x.elems} * y.elems / (n.p[5] > 1 ? n.p[5] : 1);  // R rows
    if (n.op == ZKML_OP_MATMUL) info.macs += uint64_t{y.elems} * x.dims[x.ndim - 1];                 // T K N per pair
    if (n.op == ZKML_OP_CONV)  // each output sees C / groups input channels
      info.macs += uint64_t{y.elems} * (x.dims[1] / (n.p[5] > 1 ? n.p[5] : 1)) * uint32_t(n.kh) * uint32_t(n.kw);
  }
  return info;
}

std::vector<int8_t> quantize_input(const std::vector<uint8_t>& file, std::span<const float> input) {
  zkml_model m = parse_or_throw(file);
  zkml_tensor in;
  zkml_get_tensor(&m, m.input, &in);
  if (input.size() != in.elems)
    throw std::runtime_error("model input has " + std::to_string(in.elems) + " elements, got " +
                             std::to_string(input.size()));
  const TensorQuant tq = quant_of(m, m.input);
  for (float s : tq.scale)
    if (!(s > 0) || !std::isfinite(s)) throw std::runtime_error("model: input scale is not a positive number");
  std::vector<int8_t> q(input.size());
  for (size_t i = 0; i < input.size(); ++i) {
    if (!std::isfinite(input[i])) throw std::runtime_error("input value " + std::to_string(i) + " is not finite");
    const size_t c = tq.index(i);
    double v = std::round(static_cast<double>(input[i]) / tq.scale[c]) + tq.zero_point[c];  // half away from zero
    q[i] = static_cast<int8_t>(v < -128 ? -128 : (v > 127 ? 127 : v));
  }
  return q;
}

std::vector<uint8_t> guest_input(const std::vector<uint8_t>& model_file, const std::vector<std::vector<float>>& xs,
                                 InputLayout layout) {
  auto put_u32 = [](std::vector<uint8_t>& out, uint32_t v) {
    for (int b = 0; b < 4; ++b) out.push_back(static_cast<uint8_t>(v >> (8 * b)));
  };
  if (layout != InputLayout::kBatch && xs.size() != 1)
    throw std::runtime_error("this input layout takes one sample, not " + std::to_string(xs.size()));
  std::vector<uint8_t> out;
  if (layout == InputLayout::kBatch) put_u32(out, static_cast<uint32_t>(xs.size()));
  if (layout == InputLayout::kPrivate) {
    put_u32(out, static_cast<uint32_t>(model_file.size()));
    out.insert(out.end(), model_file.begin(), model_file.end());
  }
  for (const auto& x : xs)
    for (int8_t q : quantize_input(model_file, x)) out.push_back(static_cast<uint8_t>(q));
  return out;
}

Int8Result run_int8_host_q(const std::vector<uint8_t>& file, std::span<const int8_t> input) {
  zkml_model m = parse_or_throw(file);
  std::vector<uint32_t> arena((m.arena_bytes + 3) / 4 + 1);  // uint32 storage: 4-byte aligned
  zkml_runner r;
  if (zkml_prepare(&r, &m, arena.data(), static_cast<uint32_t>(arena.size() * 4)) != ZKML_OK)
    throw std::runtime_error("model: arena preparation failed");
  int st = zkml_run(&r, input.data(), static_cast<uint32_t>(input.size()));
  if (st != ZKML_OK) {
    zkml_tensor in;
    zkml_get_tensor(&m, m.input, &in);
    throw std::runtime_error("model run: " + std::string(zkml_status_name(st)) + " (input has " +
                             std::to_string(input.size()) + " bytes, model wants " + std::to_string(in.elems) + ")");
  }
  zkml_tensor out;
  zkml_get_tensor(&m, m.output, &out);
  Int8Result res;
  if (out.dtype == ZKML_DT_INT32) {
    res.argmax = zkml_tensor_i32(&r, m.output);
    res.logits_or_output = {res.argmax};
  } else {
    const int8_t* y = zkml_tensor_data(&r, m.output);
    res.logits_or_output.assign(y, y + out.elems);
    res.argmax = zkml_argmax_s8(y, static_cast<int32_t>(out.elems));
  }
  return res;
}

Int8Trace run_int8_host_trace(const std::vector<uint8_t>& file, std::span<const float> input) {
  std::vector<int8_t> q = quantize_input(file, input);
  zkml_model m = parse_or_throw(file);
  std::vector<uint32_t> arena((m.arena_bytes + 3) / 4 + 1);
  zkml_runner r;
  if (zkml_prepare(&r, &m, arena.data(), static_cast<uint32_t>(arena.size() * 4)) != ZKML_OK)
    throw std::runtime_error("model: arena preparation failed");
  int st = zkml_run(&r, q.data(), static_cast<uint32_t>(q.size()));
  if (st != ZKML_OK) throw std::runtime_error("model run: " + std::string(zkml_status_name(st)));
  // Every computed tensor has its own buffer (or aliases its Reshape input)
  // that stays valid after the run.
  Int8Trace tr;
  tr.values.resize(m.n_tensors);
  tr.scale.resize(m.n_tensors);
  tr.zero_point.resize(m.n_tensors);
  for (uint32_t i = 0; i < m.n_tensors; ++i) {
    zkml_tensor t;
    zkml_get_tensor(&m, i, &t);
    tr.scale[i] = scale_of(t);
    tr.zero_point[i] = t.zero_point;
    tr.quant.push_back(quant_of(m, i));
    if (t.data_off != ZKML_NO_DATA || r.tensor_off[i] == ZKML_NO_DATA) continue;
    if (t.dtype == ZKML_DT_INT32) {
      tr.values[i] = {zkml_tensor_i32(&r, i)};
    } else {
      const int8_t* y = zkml_tensor_data(&r, i);
      tr.values[i].assign(y, y + t.elems);
    }
  }
  return tr;
}

Int8Result run_int8_host(const std::vector<uint8_t>& file, std::span<const float> input) {
  std::vector<int8_t> q = quantize_input(file, input);
  return run_int8_host_q(file, q);
}

std::string generate_guest_source(const std::vector<uint8_t>& file, const GuestSourceOptions& opts) {
  ModelInfo info = model_info(file);  // validates the file
  if (opts.batch < 0) throw std::runtime_error("guest source: batch must be >= 0");
  const std::string& sym = opts.model_symbol;
  if (sym.empty() || !(std::isalpha(static_cast<unsigned char>(sym[0])) || sym[0] == '_') ||
      sym.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != std::string::npos ||
      sym == "zkml_model")
    throw std::runtime_error("guest source: model_symbol '" + sym + "' is not a usable C identifier");
  std::ostringstream o;
  o << "/* Generated by zkvm::ml::generate_guest_source: do not edit.\n";
  if (opts.private_model)
    o << " * Model: private input (u32 length, then the zkml bytes); written for one of\n"
         " * " << file.size() << " bytes, " << info.n_nodes << " nodes, " << info.macs << " MACs per inference.\n"
         " * Journal: SHA-256 of the model bytes (32 bytes), then ";
  else
    o << " * Model: " << file.size() << " bytes, " << info.n_nodes << " nodes, " << info.macs
      << " MACs per inference.\n"
         " * Journal: ";
  o << (opts.batch == 0 ? "u32 N, then " : "") << "per image the predicted class (u32 LE)"
    << (opts.commit_logits ? " and the output's int8 values" : "") << ". */\n"
    << "#include <stdint.h>\n#include <stdio.h>\n#include <stdlib.h>\n\n"
       "#include <zkvm/guest.h>\n#include <zkvm/ml/model.h>\n#include <zkvm/syscall.h>\n";
  if (opts.private_model) {
    // As examples/mnist-private: the model is untrusted data, so it goes
    // through the bounds-checked parser; its digest is committed first, so a
    // verifier learns which model ran without seeing the weights.
    o << "#include <zkvm/sha256.h>\n\n"
         "int main(void) {\n"
         "  size_t len = 0;\n"
         "  uint8_t* bytes = zkvm_read_vec(&len);\n"
         "  uint8_t digest[ZKVM_SHA256_DIGEST_LEN];\n"
         "  zkvm_sha256(bytes, len, digest);\n"
         "  zkvm_commit(digest, sizeof digest);\n"
         "  static zkml_model m;\n"
         "  int st = zkml_parse(&m, bytes, (uint32_t)len);\n"
         "  if (st != ZKML_OK) zkvm_panic(\"model: %s: %s\", zkml_status_name(st), m.error);\n"
         "  void* arena = malloc(m.arena_bytes);\n";
  } else {
    o << "\n/* The model is part of the ELF, so the image ID commits to the weights. */\n"
         "static const uint8_t "
      << sym << "[" << file.size() << "] __attribute__((aligned(4))) = {";
    for (size_t i = 0; i < file.size(); ++i) {
      if (i % 16 == 0) o << "\n ";
      o << ' ' << static_cast<unsigned>(file[i]) << ',';
    }
    o << "\n};\n";
    // Phase weights (kernels.h zkml_conv_phase_pack) of every Conv that the
    // dot4 kernels fuse with a 2x2 MaxPool of stride 2: compiled in, so
    // they are read-only data that the kernels read through dot4_rom, and
    // registered before the first run. Plain-kernel builds leave them out.
    zkml_model pm = parse_or_throw(file);
    std::ostringstream reg;
    int n_phase = 0;  // at most ZKML_MAX_PHASE_WEIGHTS; further Convs take the other kernels
    for (uint32_t k = 0; k < pm.n_nodes && n_phase < ZKML_MAX_PHASE_WEIGHTS; ++k) {
      zkml_conv_shape cs;
      zkml_pool_shape ps;
      const uint8_t* wp = nullptr;
      if (!zkml_conv_node(&pm, k, &cs, &wp, &ps) || zkml_conv_phase_k(&cs) == 0) continue;
      if (ps.kh != 2 || ps.kw != 2 || ps.sh != 2 || ps.sw != 2 || ps.pt != 0 || ps.pl != 0 || ps.dh > 1 ||
          ps.dw > 1 || ps.OH < 1 || ps.OW < 1 || 2 * ps.OH > cs.OH || 2 * ps.OW > cs.OW)
        continue;
      ++n_phase;
      std::vector<uint8_t> phase(zkml_conv_phase_bytes(&cs));
      zkml_conv_phase_pack(&cs, wp, phase.data());
      const std::string name = sym + "_phase" + std::to_string(k);
      o << "\n#if !(defined(ZKML_PLAIN_KERNELS) && ZKML_PLAIN_KERNELS)\n"
           "/* Node " << k << " (Conv " << cs.C << " -> " << cs.M << ", " << cs.kh << "x" << cs.kw
        << ", then a 2x2 MaxPool): its phase weights (kernels.h). */\n"
           "static const uint8_t " << name << "[" << phase.size() << "] __attribute__((aligned(4))) = {";
      for (size_t i = 0; i < phase.size(); ++i) {
        if (i % 16 == 0) o << "\n ";
        o << ' ' << static_cast<unsigned>(phase[i]) << ',';
      }
      o << "\n};\n#endif\n";
      reg << "  if (!zkml_register_phase_weights(" << sym << " + " << (wp - file.data()) << ", " << name
          << ", sizeof " << name << ")) zkvm_panic(\"model: phase weights\");\n";
    }
    if (opts.log_cycles)
      o << "\n/* The cycle log line, formatted here: printf's formatting costs about 3k cycles. */\n"
           "static char* put_u32(char* p, uint32_t v) {\n"
           "  char d[10];\n"
           "  int n = 0;\n"
           "  do d[n++] = (char)('0' + v % 10u), v /= 10u; while (v != 0);\n"
           "  while (n > 0) *p++ = d[--n];\n"
           "  return p;\n"
           "}\n"
           "static void log_cycles(uint32_t b, uint32_t c) {\n"
           "  char buf[64], *p = buf;\n"
           "  for (const char* s = \"zkml: image \"; *s; ++s) *p++ = *s;\n"
           "  p = put_u32(p, b);\n"
           "  *p++ = ':', *p++ = ' ';\n"
           "  p = put_u32(p, c);\n"
           "  for (const char* s = \" inference cycles\\n\"; *s; ++s) *p++ = *s;\n"
           "  fflush(stderr);\n"
           "  zkvm_sys_write(2, buf, (size_t)(p - buf));\n"
           "}\n";
    // model_info above ran zkml_parse on these bytes, so the guest reads
    // only their header and takes the arena size parse computed
    // (model.h zkml_parse_built).
    o << "\nint main(void) {\n"
         "  static zkml_model m;\n"
         "  /* zkml-tool checked these bytes with zkml_parse when it wrote this file\n"
         "   * (arena: the size that parse computed). */\n"
         "  int st = zkml_parse_built(&m, "
      << sym << ", (uint32_t)sizeof " << sym << ", " << info.arena_bytes
      << "u);\n"
         "  if (st != ZKML_OK) zkvm_panic(\"model: %s\", m.error);\n";
    if (!reg.str().empty())
      o << "#if !(defined(ZKML_PLAIN_KERNELS) && ZKML_PLAIN_KERNELS)\n" << reg.str() << "#endif\n";
    o <<
         "  /* The arena in .bss: zero pages the loader maps, no cycles spent clearing\n"
         "   * a heap block (malloc if the parser asks for more than the importer saw). */\n"
         "  static uint8_t arena_buf["
      << std::max<uint32_t>(info.arena_bytes, 4)
      << "] __attribute__((aligned(4)));\n"
         "  void* arena = m.arena_bytes <= sizeof arena_buf ? (void*)arena_buf : malloc(m.arena_bytes);\n";
  }
  o << "  if (arena == NULL) zkvm_panic(\"model: no heap for a %u-byte arena\", (unsigned)m.arena_bytes);\n"
       "  zkml_runner r;\n"
       "  if (zkml_prepare(&r, &m, arena, m.arena_bytes) != ZKML_OK) zkvm_panic(\"model: arena\");\n"
       "  zkml_tensor in, out;\n"
       "  zkml_get_tensor(&m, m.input, &in);\n"
       "  zkml_get_tensor(&m, m.output, &out);\n"
       "  int8_t* x = zkml_input_buffer(&r); /* read in place: zkml_run copies nothing */\n";
  if (opts.batch == 0)
    o << "  uint32_t n = zkvm_read_u32();\n  zkvm_commit_u32(n);\n";
  else
    o << "  uint32_t n = " << opts.batch << "u;\n";
  o << "  for (uint32_t b = 0; b < n; ++b) {\n"
       "    zkvm_read_exact(x, in.elems);\n";
  if (opts.log_cycles) o << "    uint64_t c0 = zkvm_cycle_count();\n";
  o << "    if (zkml_run(&r, x, in.elems) != ZKML_OK) zkvm_panic(\"model: run failed\");\n";
  if (opts.log_cycles)
    o << "    uint64_t c1 = zkvm_cycle_count();\n"
      << (opts.private_model
              ? "    fprintf(stderr, \"zkml: image %u: %lu inference cycles\\n\", (unsigned)b, (unsigned long)(c1 - c0));\n"
              : "    log_cycles(b, (uint32_t)(c1 - c0));\n");
  o << "    uint32_t cls;\n"
       "    if (out.dtype == ZKML_DT_INT32) cls = (uint32_t)zkml_tensor_i32(&r, m.output);\n"
       "    else cls = (uint32_t)zkml_argmax_s8(zkml_tensor_data(&r, m.output), (int32_t)out.elems);\n"
       "    zkvm_commit_u32(cls);\n";
  if (opts.commit_logits)
    o << "    if (out.dtype != ZKML_DT_INT32) zkvm_commit(zkml_tensor_data(&r, m.output), out.elems);\n";
  o << "  }\n  return 0;\n}\n";
  return o.str();
}

}  // namespace zkvm::ml
