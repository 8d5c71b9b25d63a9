/* zkml model file (format version 2, docs/ML_RUNTIME.md "Model file"):
 * bounds-checked parser and interpreter, shared by guests and the host.
 *
 * Layout (all integers little-endian, 4-byte fields):
 *   header  (ZKML_HEADER_BYTES): magic "ZKML", version, header_bytes,
 *           n_tensors, n_nodes, input tensor, output tensor, blob_bytes
 *   tensors (n_tensors x ZKML_TENSOR_BYTES): dtype, ndim, dims[4],
 *           zero_point, scale (float32 bits, information only), data_off
 *           (blob offset of a constant int8 tensor, ZKML_NO_DATA otherwise);
 *           a per-axis tensor (ZKML_DT_INT8_AXIS) has zero_point 0 and, in
 *           place of the scale, the blob offset of its axis table
 *   nodes   (n_nodes x ZKML_NODE_BYTES): op, n_inputs, in[2], out,
 *           kh, kw, sh, sw, pad_t, pad_l, pad_b, pad_r, flags,
 *           act_min, act_max, p[8] (op-specific, see zkml_node)
 *   blob    (blob_bytes): weights, biases, requantisation tables, LUTs
 * The file is exactly that long. zkml_parse checks every field, index,
 * shape, offset and parameter range before anything is used, so that
 * zkml_run cannot read or write out of bounds nor overflow.
 */
#ifndef ZKVM_ML_MODEL_H
#define ZKVM_ML_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "zkvm/ml/kernels.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ZKML_MAGIC 0x4C4D4B5Au /* "ZKML" */
/* 2: 1-byte biased weights in the dot4 layout (1: 16-bit lanes). New op
 * codes (LUT8 = 11, CONCAT = 12, SLICE = 13, MATMUL = 14, LAYERNORM = 15,
 * TRANSPOSE = 16, REQUANT = 17) and the dtype INT8_AXIS keep the version:
 * older files still parse, and an older runtime refuses a newer op or dtype
 * by name ("unknown op 11", "unknown dtype 2"). 3: Conv groups (p5) and
 * Conv/pool dilations (p6, p7), which a version-2 runtime would misread. The quantiser writes 3 only for files
 * that use them, so other files still load in older runtimes; this runtime
 * reads both. */
#define ZKML_VERSION 3u
#define ZKML_VERSION_MIN 2u
#define ZKML_HEADER_BYTES 32u
#define ZKML_TENSOR_BYTES 36u
#define ZKML_NODE_BYTES 96u
#define ZKML_NO_DATA 0xFFFFFFFFu

/* Limits that keep all size arithmetic far from overflow. */
#define ZKML_MAX_TENSORS 1024u
#define ZKML_MAX_NODES 1024u
#define ZKML_MAX_ELEMS (1u << 24)      /* per tensor */
#define ZKML_MAX_K 65536u              /* dot-product length */
#define ZKML_MAX_BIAS (1 << 30)        /* |bias| < 2^30: bias + K*2^14 fits int32 */
#define ZKML_MAX_ARENA (256u << 20)

enum zkml_op {
  ZKML_OP_DENSE = 1,   /* p: weight_off, bias_off, mult_off, shift_off, n_requant */
  ZKML_OP_CONV = 2,    /* p: as Dense, p5 groups, p6/p7 dilations h/w (0 or 1: none; > 1 needs version 3) */
  ZKML_OP_CLAMP = 3,   /* y = clamp(x, act_min, act_max); standalone ReLU/Clip */
  ZKML_OP_MAXPOOL = 4, /* p6/p7 dilations as Conv; the output may have ceil_mode's size */
  ZKML_OP_AVGPOOL = 5, /* flags bit 0: count_include_pad; otherwise as MaxPool */
  ZKML_OP_ADD = 6,     /* p: mult_a, mult_b, shift (int32 values) */
  ZKML_OP_MUL = 7,     /* p: mult, shift */
  ZKML_OP_RESHAPE = 8, /* no-op on contiguous data; output aliases input */
  ZKML_OP_SOFTMAX = 9, /* p: lut_off (256 x uint32) */
  ZKML_OP_ARGMAX = 10, /* output: int32 tensor of one element */
  ZKML_OP_LUT8 = 11,   /* y[i] = table[x[i] + 128]; p: table_off (256 int8) */
  ZKML_OP_CONCAT = 12, /* y = in[0] ++ in[1] along axis p4; p: mult_a, shift_a, mult_b, shift_b, axis */
  ZKML_OP_SLICE = 13,  /* y = x[p1 : p1 + y.dims[p0]] along axis p0 (one output of a Split); x's scale and zp */
  ZKML_OP_MATMUL = 14, /* y = in[0] x in[1] over the last two axes, batched over the rest; p: mult, shift */
  ZKML_OP_LAYERNORM = 15, /* over the last axis; p: table_off (int32 g[D], b[D]), eps_q low, eps_q high */
  ZKML_OP_TRANSPOSE = 16, /* p0..p3: x's dims (as up to 4, leading 1s), p4..p7: perm (y axis j = x axis p[4+j]) */
  ZKML_OP_REQUANT = 17,   /* y = x requantised per index c of axis p2 (zkml_requant_axis_s8): p0 table_off
                           * (p1 x {zp_in, mult, shift, zp_out} int32), p1 = dims[p2]; x or y (or both) is
                           * INT8_AXIS along p2, the only op that reads or writes such a tensor */
  ZKML_OP_COUNT_
};

/* INT8_AXIS: int8 values with one scale and zero point per index of an axis
 * (ONNX's per-axis QuantizeLinear of an activation). The tensor record's
 * zero_point is 0 and its scale field holds the blob offset of the axis
 * table: u32 axis, u32 n (= dims[axis]), n int32 zero points in int8, n
 * float32 scales (information for the host, like a tensor's scale). Only
 * REQUANT reads or writes such a tensor; it may be the graph input (the host
 * quantises each index with its own parameters) or output. */
enum zkml_dtype { ZKML_DT_INT8 = 0, ZKML_DT_INT32 = 1, ZKML_DT_INT8_AXIS = 2 };
#define ZKML_AXIS_TABLE_BYTES(n) (8u + 8u * (uint64_t)(n))

enum zkml_status {
  ZKML_OK = 0,
  ZKML_ERR_TRUNCATED,   /* file shorter than its header says */
  ZKML_ERR_MAGIC,
  ZKML_ERR_VERSION,
  ZKML_ERR_LIMIT,       /* a count or size over the limits above */
  ZKML_ERR_TENSOR,      /* bad tensor record */
  ZKML_ERR_NODE,        /* bad node record */
  ZKML_ERR_BLOB,        /* an offset/length outside the blob or misaligned */
  ZKML_ERR_PARAM,       /* a parameter out of its range */
  ZKML_ERR_ARENA,       /* arena too small or misaligned */
  ZKML_ERR_INPUT,       /* wrong input size */
};

const char* zkml_op_name(uint32_t op);
const char* zkml_status_name(int status);

typedef struct {
  uint32_t dtype, ndim, dims[4];
  int32_t zero_point;
  uint32_t scale_bits;
  uint32_t data_off;
  uint32_t elems; /* product of dims (computed) */
} zkml_tensor;

typedef struct {
  uint32_t op, n_inputs, in[2], out;
  int32_t kh, kw, sh, sw, pt, pl, pb, pr;
  uint32_t flags;
  int32_t act_min, act_max;
  uint32_t p[8];
} zkml_node;

typedef struct {
  const uint8_t* data;
  uint32_t size;
  uint32_t n_tensors, n_nodes, input, output;
  uint32_t version;
  uint32_t blob_off, blob_bytes;
  uint32_t arena_bytes; /* what zkml_prepare needs (computed by zkml_parse) */
  char error[160];      /* human-readable reason when zkml_parse fails */
} zkml_model;

/* Validates `data` (which must outlive the model) and fills `m`. */
int zkml_parse(zkml_model* m, const uint8_t* data, uint32_t size);

/* zkml_parse for bytes that zkml_parse already accepted when the guest was
 * built: a public model compiled into the ELF (generate_guest_source checks
 * the file before it writes the guest). It checks everything zkml_parse
 * does (header, counts, indices, shapes, blob bounds and alignment, the
 * arena) except the value of each entry of the parameter tables (biases,
 * requantisation multipliers and shifts, Softmax and LayerNorm tables,
 * per-axis zero points), the loops that cost most of the parse; the
 * interpreter does not index memory with those values. Same `m` for a
 * file zkml_parse accepts. Untrusted bytes (a model read as input) take
 * zkml_parse. */
int zkml_parse_prechecked(zkml_model* m, const uint8_t* data, uint32_t size);

/* For the guest's own compiled-in model only: bytes that zkml_parse accepted
 * when generate_guest_source wrote the guest, which then passes the arena
 * size that parse computed. Checks the header as zkml_parse does (magic,
 * version, header size, counts against their limits and the file size, the
 * input and output indices) and takes the arena size from the build instead
 * of walking the tensors and nodes again: about 2k cycles less for the
 * Fashion-MNIST MLP. The bytes are the ELF's, so the image ID fixes them to
 * the ones the build checked. Same fields of `m` as zkml_parse for those
 * bytes and that size. Anything else (a model read as input, bytes the
 * build did not check) takes zkml_parse. */
int zkml_parse_built(zkml_model* m, const uint8_t* data, uint32_t size, uint32_t arena_bytes);

/* Decoders of single records (valid after a successful zkml_parse). */
void zkml_get_tensor(const zkml_model* m, uint32_t i, zkml_tensor* t);
void zkml_get_node(const zkml_model* m, uint32_t i, zkml_node* n);

/* Entry k (below n) of the axis table of a parsed INT8_AXIS tensor: its axis,
 * n, and index k's zero point and scale (float32 bits). */
void zkml_get_axis_param(const zkml_model* m, const zkml_tensor* t, uint32_t k, uint32_t* axis, uint32_t* n,
                         int32_t* zero_point, uint32_t* scale_bits);

/* Node flags (zkml_runner.node_flags), set by zkml_prepare from the graph. */
#define ZKML_NODE_CONV_POOL 1u /* a Conv whose output only the next node, a MaxPool, reads (not the graph output) */
#define ZKML_NODE_DENSE4 2u    /* a Dense whose shifts are all in [35, 63] (zkml_requant_params.dense4) */

struct zkml_step; /* a node decoded by zkml_prepare (model.c) */

typedef struct {
  const zkml_model* model;
  uint8_t* arena;
  uint32_t* tensor_off;  /* per tensor: arena offset of its buffer (or ZKML_NO_DATA) */
  uint8_t* node_flags;   /* per node: ZKML_NODE_* */
  struct zkml_step* steps; /* per node, in the arena: what zkml_run reads */
  int8_t* patch;         /* kernel scratch: Conv im2col, Dense input copy */
  uint32_t input_elems;  /* the input tensor's */
} zkml_runner;

/* Lays out `arena` (4-byte aligned, at least m->arena_bytes): the tensor
 * buffers, the kernels' scratch and each node decoded once (its record,
 * tensors, buffers and kernel arguments), so that zkml_run reads no model
 * record. The nodes' int32 tables are read in place from the model's
 * bytes. The runner can then run any number of inputs. */
int zkml_prepare(zkml_runner* r, const zkml_model* m, void* arena, uint32_t arena_bytes);

/* The input tensor's buffer in the arena (its elems bytes): a guest may read
 * its input straight into it and pass it to zkml_run, which then copies
 * nothing. */
int8_t* zkml_input_buffer(const zkml_runner* r);

/* Runs the nodes in order on `input` (the input tensor's int8 values; may be
 * zkml_input_buffer(r)). */
int zkml_run(zkml_runner* r, const int8_t* input, uint32_t input_len);

/* Whether zkml_run runs node k, a Conv, together with the MaxPool after it
 * (zkml_kernels.conv_maxpool, when the table has one; ZKML_NODE_CONV_POOL).
 * Such a Conv's output buffer may then not be written. */
int zkml_node_fused(const zkml_runner* r, uint32_t k);

/* For a parsed model's node k: 1 if it is a Conv, with its geometry in *s
 * and *w_packed pointing at its packed weights inside the model bytes, and
 * *pool the MaxPool node after it that reads only its output (as
 * zkml_prepare fuses them; pool->kh = 0 when there is none); else 0.
 * zkml-tool's guest source uses it to compile in phase weights
 * (kernels.h zkml_conv_phase_pack). */
int zkml_conv_node(const zkml_model* m, uint32_t k, zkml_conv_shape* s, const uint8_t** w_packed,
                   zkml_pool_shape* pool);

/* Buffers after zkml_run: int8 tensors (or the constant data) and, for an
 * int32 tensor (ArgMax output), its value. The output of a fused Conv
 * (zkml_node_fused) holds no defined value. */
const int8_t* zkml_tensor_data(const zkml_runner* r, uint32_t t);
int32_t zkml_tensor_i32(const zkml_runner* r, uint32_t t);

#ifdef __cplusplus
}
#endif
#endif
