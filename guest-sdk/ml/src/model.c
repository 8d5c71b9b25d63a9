/* zkml model parser and interpreter (model.h). Everything the interpreter
 * later trusts (indices, shapes, offsets, parameter ranges, arena layout) is
 * checked here once, with 64-bit size arithmetic. */
#include "zkvm/ml/model.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Every field the parser reads is a little-endian word at a 4-aligned
 * address (the buffer is checked 4-aligned before the first read; header,
 * record sizes and blob offsets of words are multiples of 4): one load. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "zkml model.c reads little-endian words directly"
#endif
_Static_assert(ZKML_HEADER_BYTES % 4 == 0 && ZKML_TENSOR_BYTES % 4 == 0 && ZKML_NODE_BYTES % 4 == 0,
               "records must keep words aligned");
static uint32_t rd32(const uint8_t* p) {
  uint32_t v;
  memcpy(&v, __builtin_assume_aligned(p, 4), 4);
  return v;
}
/* Two's complement reinterpretation without implementation-defined casts. */
static int32_t u2s(uint32_t u) {
  return u <= 0x7FFFFFFFu ? (int32_t)u : (int32_t)(u - 0x80000000u) - 0x7FFFFFFF - 1;
}
static int32_t rds32(const uint8_t* p) { return u2s(rd32(p)); }

static const char* const kOpNames[ZKML_OP_COUNT_] = {
    "?", "Dense", "Conv", "Clamp", "MaxPool", "AveragePool", "Add", "Mul", "Reshape", "Softmax", "ArgMax", "Lut8",
    "Concat", "Slice", "MatMul", "LayerNorm", "Transpose", "Requant"};

const char* zkml_op_name(uint32_t op) { return op > 0 && op < ZKML_OP_COUNT_ ? kOpNames[op] : "unknown"; }

const char* zkml_status_name(int s) {
  switch (s) {
    case ZKML_OK: return "ok";
    case ZKML_ERR_TRUNCATED: return "truncated file";
    case ZKML_ERR_MAGIC: return "bad magic";
    case ZKML_ERR_VERSION: return "unsupported version";
    case ZKML_ERR_LIMIT: return "size limit exceeded";
    case ZKML_ERR_TENSOR: return "bad tensor record";
    case ZKML_ERR_NODE: return "bad node record";
    case ZKML_ERR_BLOB: return "bad blob reference";
    case ZKML_ERR_PARAM: return "parameter out of range";
    case ZKML_ERR_ARENA: return "bad arena";
    case ZKML_ERR_INPUT: return "bad input";
    default: return "unknown error";
  }
}

static int fail(zkml_model* m, int code, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(m->error, sizeof m->error, fmt, ap);
  va_end(ap);
  return code;
}

void zkml_get_tensor(const zkml_model* m, uint32_t i, zkml_tensor* t) {
  const uint8_t* p = m->data + ZKML_HEADER_BYTES + (size_t)i * ZKML_TENSOR_BYTES;
  t->dtype = rd32(p);
  t->ndim = rd32(p + 4);
  for (int d = 0; d < 4; ++d) t->dims[d] = rd32(p + 8 + 4 * d);
  t->zero_point = rds32(p + 24);
  t->scale_bits = rd32(p + 28);
  t->data_off = rd32(p + 32);
  uint64_t e = 1;
  for (uint32_t d = 0; d < 4 && d < t->ndim; ++d) {
    e *= t->dims[d];
    if (e > ZKML_MAX_ELEMS) e = (uint64_t)ZKML_MAX_ELEMS + 1; /* saturate; rejected by parse */
  }
  t->elems = (uint32_t)e;
}

void zkml_get_node(const zkml_model* m, uint32_t i, zkml_node* n) {
  const uint8_t* p = m->data + ZKML_HEADER_BYTES + (size_t)m->n_tensors * ZKML_TENSOR_BYTES +
                     (size_t)i * ZKML_NODE_BYTES;
  n->op = rd32(p);
  n->n_inputs = rd32(p + 4);
  n->in[0] = rd32(p + 8);
  n->in[1] = rd32(p + 12);
  n->out = rd32(p + 16);
  int32_t* g[8] = {&n->kh, &n->kw, &n->sh, &n->sw, &n->pt, &n->pl, &n->pb, &n->pr};
  for (int k = 0; k < 8; ++k) *g[k] = rds32(p + 20 + 4 * k);
  n->flags = rd32(p + 52);
  n->act_min = rds32(p + 56);
  n->act_max = rds32(p + 60);
  for (int k = 0; k < 8; ++k) n->p[k] = rd32(p + 64 + 4 * k);
}

void zkml_get_axis_param(const zkml_model* m, const zkml_tensor* t, uint32_t k, uint32_t* axis, uint32_t* n,
                         int32_t* zero_point, uint32_t* scale_bits) {
  const uint8_t* p = m->data + m->blob_off + t->scale_bits;
  *axis = rd32(p);
  *n = rd32(p + 4);
  *zero_point = rds32(p + 8 + 4 * (size_t)k);
  *scale_bits = rd32(p + 8 + 4 * (size_t)*n + 4 * (size_t)k);
}

/* [off, off + len) inside the blob, optionally 4-byte aligned. */
static int blob_ok(const zkml_model* m, uint32_t off, uint64_t len, int align4) {
  if (align4 && (off & 3u)) return 0;
  return (uint64_t)off + len <= m->blob_bytes;
}

static const uint8_t* blob_at(const zkml_model* m, uint32_t off) { return m->data + m->blob_off + off; }

/* A node's int32 table, read in place: zkml_parse checked it inside the blob
 * and 4-byte aligned, and the words are little-endian like the guest. */
static const int32_t* words_at(const zkml_model* m, uint32_t off) {
  return (const int32_t*)__builtin_assume_aligned(blob_at(m, off), 4);
}

static uint64_t align4(uint64_t v) { return (v + 3u) & ~(uint64_t)3u; }

/* A node as zkml_run needs it, decoded once by zkml_prepare: the record,
 * its first input and output tensors and their buffers, and the kernel
 * arguments made from them, so an inference reads no model record again
 * (the MLP's interpreter: about 215 cycles an inference, from 857). */
struct zkml_step {
  zkml_node n;
  zkml_tensor x, y; /* in[0] and out */
  const int8_t* xd;
  int8_t* yd;
  zkml_requant_params rq; /* Dense, Conv */
  const int32_t* bias;    /* Dense, Conv */
  const uint8_t* w;       /* Dense, Conv: packed weights */
  int32_t rows, K, M;     /* Dense: rows of K inputs and M outputs */
  zkml_conv_shape conv;   /* Conv */
  zkml_pool_shape pool;   /* MaxPool, AveragePool, a Conv's fused MaxPool */
};
/* The same arena size on the host (64-bit pointers) and in the guest: the
 * size parse computes is built into guests by zkml-tool. */
#define ZKML_STEP_BYTES 416u
_Static_assert(sizeof(struct zkml_step) <= ZKML_STEP_BYTES && ZKML_STEP_BYTES % 8 == 0, "step record size");

/* Arena layout: tensor offsets, node flags, the steps (8-aligned inside a
 * region with 4 bytes of slack, as the arena is only 4-aligned), the
 * buffers, the kernels' scratch. */
static uint64_t steps_at(uint32_t n_tensors, uint32_t n_nodes) { return 4ull * n_tensors + align4(n_nodes); }
static uint64_t step_area(uint32_t n_nodes) { return 4u + (uint64_t)ZKML_STEP_BYTES * n_nodes; }
/* After each tensor buffer: 4 bytes the Dense kernel may borrow for
 * dense4_rom's output word (ZKML_DENSE4_INPLACE), so it reads x in place. */
enum { kSlack = 4 };

/* Whether k taps, d apart, with stride s and pads p0, p1 map `in` to `out`
 * along one axis: out = floor((in + p0 + p1 - dk) / s) + 1 with dk =
 * d (k - 1) + 1, the pads below dk. A pool may also have ONNX's ceil_mode
 * size, one more, if its last window starts inside the input or the p0
 * pad. Then every pool window holds an input position: each window's first
 * tap is below `in` and its last at or above 0, and a window reaching past
 * both ends has a tap inside when d <= in, which pools must satisfy. */
static int window_ok(uint32_t in, int32_t k, int32_t s, int32_t d, int32_t p0, int32_t p1, uint32_t out, int pool) {
  if (k < 1 || k > 255 || s < 1 || s > 255 || d < 1 || d > 255 || p0 < 0 || p1 < 0) return 0;
  const int64_t dk = (int64_t)d * (k - 1) + 1;
  if (p0 >= dk || p1 >= dk) return 0;
  const int64_t span = (int64_t)in + p0 + p1;
  if (span < dk) return 0;
  const int64_t fl = (span - dk) / s + 1;
  if (pool && d > 1 && (uint64_t)d > in) return 0;
  if ((uint64_t)fl == out) return 1;
  return pool && (uint64_t)fl + 1 == out && (span - dk) % s != 0 && fl * s < (int64_t)in + p0;
}

/* Dilation field of a Conv or pool (p6, p7): 0 in files from before it. */
static int32_t dil_of(uint32_t v) { return v > 1 ? (v > 255 ? 256 : (int32_t)v) : 1; }

/* Conv geometry of a checked node (the parser's scratch size and the run). */
static void make_conv(const zkml_node* n, const zkml_tensor* x, const zkml_tensor* y, zkml_conv_shape* s) {
  s->C = (int32_t)x->dims[1];
  s->H = (int32_t)x->dims[2];
  s->W = (int32_t)x->dims[3];
  s->M = (int32_t)y->dims[1];
  s->OH = (int32_t)y->dims[2];
  s->OW = (int32_t)y->dims[3];
  s->kh = n->kh; s->kw = n->kw; s->sh = n->sh; s->sw = n->sw; s->pt = n->pt; s->pl = n->pl;
  s->zp_in = x->zero_point;
  s->group = n->p[5] > 1 ? (int32_t)n->p[5] : 1;
  s->dh = dil_of(n->p[6]);
  s->dw = dil_of(n->p[7]);
}

enum { T_NONE = 0, T_AVAILABLE = 1 };

/* The header: magic, version, sizes, counts and the graph's input and
 * output indices; fills every field of m but arena_bytes. */
static int parse_header(zkml_model* m, const uint8_t* data, uint32_t size) {
  memset(m, 0, sizeof *m);
  m->data = data;
  m->size = size;
  if (size < ZKML_HEADER_BYTES)
    return fail(m, ZKML_ERR_TRUNCATED, "model: %u bytes, shorter than the %u-byte header", size, ZKML_HEADER_BYTES);
  if ((uintptr_t)data & 3u)
    return fail(m, ZKML_ERR_BLOB, "model: buffer at %p is not 4-byte aligned (packed weights are read as words)",
                (const void*)data);
  if (rd32(data) != ZKML_MAGIC) return fail(m, ZKML_ERR_MAGIC, "model: bad magic 0x%08x (want \"ZKML\")", rd32(data));
  m->version = rd32(data + 4);
  if (m->version < ZKML_VERSION_MIN || m->version > ZKML_VERSION)
    return fail(m, ZKML_ERR_VERSION, "model: format version %u, this runtime reads versions %u to %u", m->version,
                ZKML_VERSION_MIN, ZKML_VERSION);
  if (rd32(data + 8) != ZKML_HEADER_BYTES)
    return fail(m, ZKML_ERR_VERSION, "model: header size %u, want %u", rd32(data + 8), ZKML_HEADER_BYTES);
  m->n_tensors = rd32(data + 12);
  m->n_nodes = rd32(data + 16);
  m->input = rd32(data + 20);
  m->output = rd32(data + 24);
  m->blob_bytes = rd32(data + 28);
  if (m->n_tensors == 0 || m->n_tensors > ZKML_MAX_TENSORS)
    return fail(m, ZKML_ERR_LIMIT, "model: %u tensors (allowed 1..%u)", m->n_tensors, ZKML_MAX_TENSORS);
  if (m->n_nodes > ZKML_MAX_NODES)
    return fail(m, ZKML_ERR_LIMIT, "model: %u nodes (at most %u)", m->n_nodes, ZKML_MAX_NODES);
  uint64_t blob_off = ZKML_HEADER_BYTES + (uint64_t)m->n_tensors * ZKML_TENSOR_BYTES +
                      (uint64_t)m->n_nodes * ZKML_NODE_BYTES;
  uint64_t total = blob_off + m->blob_bytes;
  if (total > size)
    return fail(m, ZKML_ERR_TRUNCATED, "model: header declares %llu bytes, file has %u",
                (unsigned long long)total, size);
  if (total < size)
    return fail(m, ZKML_ERR_LIMIT, "model: %llu trailing bytes after the blob", (unsigned long long)(size - total));
  m->blob_off = (uint32_t)blob_off;
  if (m->input >= m->n_tensors || m->output >= m->n_tensors)
    return fail(m, ZKML_ERR_TENSOR, "model: input %u / output %u not below tensor count %u", m->input, m->output,
                m->n_tensors);
  return ZKML_OK;
}

/* tables = 0 (zkml_parse_prechecked) skips the loops over the entries of
 * parameter tables; everything else is checked either way. */
static int parse(zkml_model* m, const uint8_t* data, uint32_t size, int tables) {
  const int hs = parse_header(m, data, size);
  if (hs != ZKML_OK) return hs;

  /* Tensors. state[] is bounded by ZKML_MAX_TENSORS, not by file data. */
  uint8_t state[ZKML_MAX_TENSORS];
  uint8_t alias[ZKML_MAX_TENSORS]; /* 1 = buffer shared with its Reshape input */
  memset(state, 0, m->n_tensors); /* only the first n_tensors entries are read */
  memset(alias, 0, m->n_tensors);
  for (uint32_t i = 0; i < m->n_tensors; ++i) {
    zkml_tensor t;
    zkml_get_tensor(m, i, &t);
    if (t.dtype > ZKML_DT_INT8_AXIS) return fail(m, ZKML_ERR_TENSOR, "tensor %u: unknown dtype %u", i, t.dtype);
    if (t.ndim < 1 || t.ndim > 4) return fail(m, ZKML_ERR_TENSOR, "tensor %u: rank %u (allowed 1..4)", i, t.ndim);
    for (uint32_t d = 0; d < 4; ++d) {
      if (d < t.ndim && t.dims[d] == 0) return fail(m, ZKML_ERR_TENSOR, "tensor %u: dimension %u is 0", i, d);
      if (d >= t.ndim && t.dims[d] != 1)
        return fail(m, ZKML_ERR_TENSOR, "tensor %u: unused dimension %u must be 1, is %u", i, d, t.dims[d]);
    }
    if (t.elems > ZKML_MAX_ELEMS)
      return fail(m, ZKML_ERR_LIMIT, "tensor %u: more than %u elements", i, ZKML_MAX_ELEMS);
    if (t.zero_point < -128 || t.zero_point > 127)
      return fail(m, ZKML_ERR_TENSOR, "tensor %u: zero point %d outside int8", i, t.zero_point);
    if (t.dtype == ZKML_DT_INT8_AXIS) {
      /* The axis table: the host reads the zero points and scales; REQUANT
       * checks its own table's zero points against them. */
      if (t.data_off != ZKML_NO_DATA) return fail(m, ZKML_ERR_TENSOR, "tensor %u: a per-axis tensor cannot be constant", i);
      if (t.zero_point != 0)
        return fail(m, ZKML_ERR_TENSOR, "tensor %u: per-axis tensor with zero point field %d (must be 0)", i,
                    t.zero_point);
      if (!blob_ok(m, t.scale_bits, 8, 1))
        return fail(m, ZKML_ERR_BLOB, "tensor %u: axis table at %u outside the %u-byte blob or misaligned", i,
                    t.scale_bits, m->blob_bytes);
      const uint32_t ax = rd32(blob_at(m, t.scale_bits)), na = rd32(blob_at(m, t.scale_bits) + 4);
      if (ax >= t.ndim || na != t.dims[ax])
        return fail(m, ZKML_ERR_TENSOR, "tensor %u: axis table for axis %u of %u indices, tensor of rank %u", i, ax,
                    na, t.ndim);
      if (!blob_ok(m, t.scale_bits, ZKML_AXIS_TABLE_BYTES(na), 1))
        return fail(m, ZKML_ERR_BLOB, "tensor %u: axis table of %u indices outside the %u-byte blob", i, na,
                    m->blob_bytes);
      for (uint32_t c = 0; tables && c < na; ++c) {
        const int32_t z = rds32(blob_at(m, t.scale_bits) + 8 + 4 * (size_t)c);
        if (z < -128 || z > 127)
          return fail(m, ZKML_ERR_TENSOR, "tensor %u: zero point %d of axis index %u outside int8", i, z, c);
      }
    }
    if (t.data_off != ZKML_NO_DATA) {
      if (t.dtype != ZKML_DT_INT8) return fail(m, ZKML_ERR_TENSOR, "tensor %u: constant tensors must be int8", i);
      if (!blob_ok(m, t.data_off, t.elems, 0))
        return fail(m, ZKML_ERR_BLOB, "tensor %u: data [%u, +%u) outside the %u-byte blob", i, t.data_off, t.elems,
                    m->blob_bytes);
      if (i == m->input) return fail(m, ZKML_ERR_TENSOR, "tensor %u: the graph input cannot be constant", i);
      state[i] = T_AVAILABLE;
    }
  }
  {
    zkml_tensor in;
    zkml_get_tensor(m, m->input, &in);
    if (in.dtype != ZKML_DT_INT8 && in.dtype != ZKML_DT_INT8_AXIS)
      return fail(m, ZKML_ERR_TENSOR, "input tensor %u must be int8", m->input);
    state[m->input] = T_AVAILABLE;
  }

  uint64_t patch = 0;
  for (uint32_t i = 0; i < m->n_nodes; ++i) {
    zkml_node n;
    zkml_get_node(m, i, &n);
    const char* on = zkml_op_name(n.op);
    if (n.op == 0 || n.op >= ZKML_OP_COUNT_) return fail(m, ZKML_ERR_NODE, "node %u: unknown op %u", i, n.op);
    uint32_t want_in =
        (n.op == ZKML_OP_ADD || n.op == ZKML_OP_MUL || n.op == ZKML_OP_CONCAT || n.op == ZKML_OP_MATMUL) ? 2u : 1u;
    if (n.n_inputs != want_in)
      return fail(m, ZKML_ERR_NODE, "node %u (%s): %u inputs, want %u", i, on, n.n_inputs, want_in);
    zkml_tensor x, x2, y;
    for (uint32_t k = 0; k < want_in; ++k) {
      if (n.in[k] >= m->n_tensors)
        return fail(m, ZKML_ERR_NODE, "node %u (%s): input %u is tensor %u, only %u tensors", i, on, k, n.in[k],
                    m->n_tensors);
      if (state[n.in[k]] != T_AVAILABLE)
        return fail(m, ZKML_ERR_NODE, "node %u (%s): input tensor %u is not computed before it", i, on, n.in[k]);
    }
    if (n.out >= m->n_tensors)
      return fail(m, ZKML_ERR_NODE, "node %u (%s): output tensor %u, only %u tensors", i, on, n.out, m->n_tensors);
    if (state[n.out] != T_NONE)
      return fail(m, ZKML_ERR_NODE, "node %u (%s): output tensor %u is already defined", i, on, n.out);
    zkml_get_tensor(m, n.in[0], &x);
    if (want_in == 2) zkml_get_tensor(m, n.in[1], &x2);
    zkml_get_tensor(m, n.out, &y);
    if ((x.dtype != ZKML_DT_INT8 && !(n.op == ZKML_OP_REQUANT && x.dtype == ZKML_DT_INT8_AXIS)) ||
        (want_in == 2 && x2.dtype != ZKML_DT_INT8))
      return fail(m, ZKML_ERR_NODE, "node %u (%s): inputs must be int8%s", i, on,
                  x.dtype == ZKML_DT_INT8_AXIS || (want_in == 2 && x2.dtype == ZKML_DT_INT8_AXIS)
                      ? " with one scale (only Requant reads a per-axis tensor)" : "");
    if ((n.op == ZKML_OP_ARGMAX) != (y.dtype == ZKML_DT_INT32) ||
        (y.dtype == ZKML_DT_INT8_AXIS && n.op != ZKML_OP_REQUANT))
      return fail(m, ZKML_ERR_NODE, "node %u (%s): output dtype %u not allowed", i, on, y.dtype);
    if (n.act_min < -128 || n.act_max > 127 || n.act_min > n.act_max)
      return fail(m, ZKML_ERR_PARAM, "node %u (%s): activation range [%d, %d] not inside int8", i, on, n.act_min,
                  n.act_max);
    if ((n.op == ZKML_OP_CONV || n.op == ZKML_OP_MAXPOOL || n.op == ZKML_OP_AVGPOOL) && (n.p[6] > 1 || n.p[7] > 1) &&
        m->version < 3)
      return fail(m, ZKML_ERR_VERSION, "node %u (%s): dilations need format version 3, the file is version %u", i, on,
                  m->version);
    switch (n.op) {
      case ZKML_OP_DENSE:
      case ZKML_OP_CONV: {
        uint64_t K, M;
        if (n.op == ZKML_OP_DENSE) {
          /* p5: rows R (0 or 1: one), each of K inputs -> M outputs */
          const uint32_t R = n.p[5] > 1 ? n.p[5] : 1;
          if (x.elems % R != 0 || y.elems % R != 0)
            return fail(m, ZKML_ERR_NODE, "node %u (Dense): %u rows do not divide %u inputs and %u outputs", i, R,
                        x.elems, y.elems);
          K = x.elems / R;
          M = y.elems / R;
        } else {
          if (x.ndim != 4 || y.ndim != 4 || x.dims[0] != 1 || y.dims[0] != 1)
            return fail(m, ZKML_ERR_NODE, "node %u (Conv): input and output must be [1,C,H,W]", i);
          if (!window_ok(x.dims[2], n.kh, n.sh, dil_of(n.p[6]), n.pt, n.pb, y.dims[2], 0) ||
              !window_ok(x.dims[3], n.kw, n.sw, dil_of(n.p[7]), n.pl, n.pr, y.dims[3], 0))
            return fail(m, ZKML_ERR_NODE, "node %u (Conv): kernel/stride/dilation/pads do not map %ux%u to %ux%u", i,
                        x.dims[2], x.dims[3], y.dims[2], y.dims[3]);
          const uint32_t G = n.p[5] > 1 ? n.p[5] : 1;
          if (G > 1 && m->version < 3)
            return fail(m, ZKML_ERR_VERSION, "node %u (Conv): %u groups need format version 3, the file is version %u",
                        i, G, m->version);
          if (x.dims[1] % G != 0 || y.dims[1] % G != 0)
            return fail(m, ZKML_ERR_NODE, "node %u (Conv): %u groups do not divide %u input and %u output channels", i,
                        G, x.dims[1], y.dims[1]);
          K = (uint64_t)(x.dims[1] / G) * (uint32_t)n.kh * (uint32_t)n.kw;
          M = y.dims[1];
        }
        if (K > ZKML_MAX_K) return fail(m, ZKML_ERR_LIMIT, "node %u (%s): dot length %llu over %u", i, on,
                                        (unsigned long long)K, ZKML_MAX_K);
        const int dense = n.op == ZKML_OP_DENSE;
        uint64_t wbytes = zkml_weight_bytes((int32_t)M, (int32_t)K);
        uint32_t nrq = n.p[4];
        if (nrq != 1 && nrq != M)
          return fail(m, ZKML_ERR_PARAM, "node %u (%s): %u requantisation entries for %llu channels", i, on, nrq,
                      (unsigned long long)M);
        if (!blob_ok(m, n.p[0], wbytes, 1) || !blob_ok(m, n.p[1], 4 * M, 1) || !blob_ok(m, n.p[2], 4ull * nrq, 1) ||
            !blob_ok(m, n.p[3], 4ull * nrq, 1))
          return fail(m, ZKML_ERR_BLOB, "node %u (%s): weights/bias/requant tables outside the blob or misaligned", i,
                      on);
        for (uint64_t c = 0; tables && c < M; ++c) {
          int32_t b = rds32(blob_at(m, n.p[1]) + 4 * c);
          if (b <= -ZKML_MAX_BIAS || b >= ZKML_MAX_BIAS)
            return fail(m, ZKML_ERR_PARAM, "node %u (%s): bias[%llu] = %d, |bias| must be < 2^30", i, on,
                        (unsigned long long)c, b);
        }
        for (uint32_t c = 0; tables && c < nrq; ++c) {
          int32_t mu = rds32(blob_at(m, n.p[2]) + 4 * c), sh = rds32(blob_at(m, n.p[3]) + 4 * c);
          if (mu < 0 || sh < ZKML_SHIFT_MIN || sh > ZKML_SHIFT_MAX)
            return fail(m, ZKML_ERR_PARAM, "node %u (%s): requant[%u] multiplier %d shift %d out of range", i, on, c,
                        mu, sh);
        }
        /* Kernel scratch: Conv's im2col, Dense's padded copy of x (dot4). */
        uint64_t pb;
        if (dense) {
          pb = zkml_dense_scratch_bytes((int32_t)K);
        } else {
          zkml_conv_shape cs;
          make_conv(&n, &x, &y, &cs);
          pb = zkml_conv_scratch_bytes(&cs);
        }
        if (pb > patch) patch = pb;
        break;
      }
      case ZKML_OP_MAXPOOL:
      case ZKML_OP_AVGPOOL:
        if (x.ndim != 4 || y.ndim != 4 || x.dims[0] != 1 || y.dims[0] != 1 || x.dims[1] != y.dims[1])
          return fail(m, ZKML_ERR_NODE, "node %u (%s): input and output must be [1,C,H,W] with equal C", i, on);
        if (!window_ok(x.dims[2], n.kh, n.sh, dil_of(n.p[6]), n.pt, n.pb, y.dims[2], 1) ||
            !window_ok(x.dims[3], n.kw, n.sw, dil_of(n.p[7]), n.pl, n.pr, y.dims[3], 1))
          return fail(m, ZKML_ERR_NODE, "node %u (%s): kernel/stride/dilation/pads do not map %ux%u to %ux%u", i, on,
                      x.dims[2], x.dims[3], y.dims[2], y.dims[3]);
        if (x.zero_point != y.zero_point)
          return fail(m, ZKML_ERR_NODE, "node %u (%s): output zero point %d differs from input's %d", i, on,
                      y.zero_point, x.zero_point);
        break;
      case ZKML_OP_CLAMP:
      case ZKML_OP_RESHAPE:
        if (x.elems != y.elems)
          return fail(m, ZKML_ERR_NODE, "node %u (%s): %u input elements, %u output elements", i, on, x.elems, y.elems);
        if (x.zero_point != y.zero_point)
          return fail(m, ZKML_ERR_NODE, "node %u (%s): output zero point %d differs from input's %d", i, on,
                      y.zero_point, x.zero_point);
        if (n.op == ZKML_OP_RESHAPE && x.data_off == ZKML_NO_DATA) alias[n.out] = 1;
        break;
      case ZKML_OP_ADD:
      case ZKML_OP_MUL: {
        if (x.elems != y.elems)
          return fail(m, ZKML_ERR_NODE, "node %u (%s): %u input elements, %u output elements", i, on, x.elems, y.elems);
        int ok = x2.elems == x.elems || x2.elems == 1 || (x.ndim == 4 && x2.elems == x.dims[1]);
        if (!ok)
          return fail(m, ZKML_ERR_NODE, "node %u (%s): second input (%u elements) does not broadcast to the first", i,
                      on, x2.elems);
        uint32_t sh = n.op == ZKML_OP_ADD ? n.p[2] : n.p[1];
        if (sh < ZKML_SHIFT_MIN || sh > ZKML_SHIFT_MAX)
          return fail(m, ZKML_ERR_PARAM, "node %u (%s): shift %u out of range", i, on, sh);
        break;
      }
      case ZKML_OP_SOFTMAX: {
        uint32_t N = x.dims[x.ndim - 1];
        if (x.elems != y.elems || N > 65535u)
          return fail(m, ZKML_ERR_NODE, "node %u (Softmax): shapes differ or last axis %u over 65535", i, N);
        if (!blob_ok(m, n.p[0], 1024, 1)) return fail(m, ZKML_ERR_BLOB, "node %u (Softmax): LUT outside the blob", i);
        for (uint32_t d = 0; tables && d < 256; ++d) {
          uint32_t v = rd32(blob_at(m, n.p[0]) + 4 * d);
          if (v > 65536u || (d == 0 && v != 65536u))
            return fail(m, ZKML_ERR_PARAM, "node %u (Softmax): LUT[%u] = %u (want LUT[0] = 65536, all <= 65536)", i,
                        d, v);
        }
        break;
      }
      case ZKML_OP_LUT8:
        if (x.elems != y.elems)
          return fail(m, ZKML_ERR_NODE, "node %u (Lut8): %u input elements, %u output elements", i, x.elems, y.elems);
        if (!blob_ok(m, n.p[0], 256, 0))
          return fail(m, ZKML_ERR_BLOB, "node %u (Lut8): table [%u, +256) outside the %u-byte blob", i, n.p[0],
                      m->blob_bytes);
        break;
      case ZKML_OP_CONCAT: {
        const uint32_t ax = n.p[4];
        if (ax >= y.ndim || x.ndim != y.ndim || x2.ndim != y.ndim)
          return fail(m, ZKML_ERR_NODE, "node %u (Concat): axis %u, ranks %u + %u -> %u", i, ax, x.ndim, x2.ndim,
                      y.ndim);
        for (uint32_t d = 0; d < y.ndim; ++d) {
          /* 64-bit sum: two dims near 2^32 must not wrap onto y's. */
          uint64_t want = d == ax ? (uint64_t)x.dims[d] + x2.dims[d] : x.dims[d];
          if ((d != ax && x2.dims[d] != x.dims[d]) || y.dims[d] != want)
            return fail(m, ZKML_ERR_NODE, "node %u (Concat): shapes do not concatenate along axis %u at dimension %u",
                        i, ax, d);
        }
        for (int k = 0; k < 2; ++k) {
          int32_t mu = u2s(n.p[2 * k]), sh = u2s(n.p[2 * k + 1]);
          if (mu < 0 || sh < ZKML_SHIFT_MIN || sh > ZKML_SHIFT_MAX)
            return fail(m, ZKML_ERR_PARAM, "node %u (Concat): input %d multiplier %d shift %d out of range", i, k, mu,
                        sh);
        }
        break;
      }
      case ZKML_OP_SLICE: {
        const uint32_t ax = n.p[0];
        if (ax >= x.ndim || x.ndim != y.ndim)
          return fail(m, ZKML_ERR_NODE, "node %u (Slice): axis %u, ranks %u -> %u", i, ax, x.ndim, y.ndim);
        for (uint32_t d = 0; d < y.ndim; ++d)
          if (d != ax && y.dims[d] != x.dims[d])
            return fail(m, ZKML_ERR_NODE, "node %u (Slice): dimension %u differs (%u -> %u) outside axis %u", i, d,
                        x.dims[d], y.dims[d], ax);
        /* 64-bit: start + length must not wrap. */
        if ((uint64_t)n.p[1] + y.dims[ax] > x.dims[ax])
          return fail(m, ZKML_ERR_NODE, "node %u (Slice): range [%u, +%u) outside the %u values of axis %u", i, n.p[1],
                      y.dims[ax], x.dims[ax], ax);
        if (x.zero_point != y.zero_point)
          return fail(m, ZKML_ERR_NODE, "node %u (Slice): output zero point %d differs from input's %d", i,
                      y.zero_point, x.zero_point);
        break;
      }
      case ZKML_OP_MATMUL: {
        if (x.ndim < 2 || x2.ndim < 2 || y.ndim < 2)
          return fail(m, ZKML_ERR_NODE, "node %u (MatMul): inputs and output need two dimensions", i);
        const uint64_t T = x.dims[x.ndim - 2], K = x.dims[x.ndim - 1], N = x2.dims[x2.ndim - 1];
        if (x2.dims[x2.ndim - 2] != K || y.dims[y.ndim - 2] != T || y.dims[y.ndim - 1] != N)
          return fail(m, ZKML_ERR_NODE, "node %u (MatMul): [%llu,%llu] x [%u,%llu] -> [%u,%u] do not multiply", i,
                      (unsigned long long)T, (unsigned long long)K, x2.dims[x2.ndim - 2], (unsigned long long)N,
                      y.dims[y.ndim - 2], y.dims[y.ndim - 1]);
        const uint64_t batch = x.elems / (T * K);
        if (x2.elems != batch * K * N || y.elems != batch * T * N)
          return fail(m, ZKML_ERR_NODE, "node %u (MatMul): batches of the inputs and output differ", i);
        if (K > ZKML_MAX_MATMUL_K)
          return fail(m, ZKML_ERR_LIMIT, "node %u (MatMul): dot length %llu over %u", i, (unsigned long long)K,
                      ZKML_MAX_MATMUL_K);
        if (u2s(n.p[0]) < 0 || u2s(n.p[1]) < ZKML_SHIFT_MIN || u2s(n.p[1]) > ZKML_SHIFT_MAX)
          return fail(m, ZKML_ERR_PARAM, "node %u (MatMul): multiplier %d shift %d out of range", i, u2s(n.p[0]),
                      u2s(n.p[1]));
        const uint64_t pb = zkml_matmul_scratch_bytes((int32_t)K, (int32_t)N);
        if (pb > patch) patch = pb;
        break;
      }
      case ZKML_OP_LAYERNORM: {
        const uint32_t D = x.dims[x.ndim - 1];
        if (x.elems != y.elems || D > ZKML_MAX_LAYERNORM_D)
          return fail(m, ZKML_ERR_NODE, "node %u (LayerNorm): shapes differ or last axis %u over %u", i, D,
                      ZKML_MAX_LAYERNORM_D);
        if (!blob_ok(m, n.p[0], 8ull * D, 1))
          return fail(m, ZKML_ERR_BLOB, "node %u (LayerNorm): tables outside the blob or misaligned", i);
        for (uint32_t c = 0; tables && c < 2 * D; ++c) {
          const int32_t v = rds32(blob_at(m, n.p[0]) + 4 * c);
          if (v <= -(1 << 24) || v >= (1 << 24))
            return fail(m, ZKML_ERR_PARAM, "node %u (LayerNorm): %s[%u] = %d, must be inside (-2^24, 2^24)", i,
                        c < D ? "gamma" : "beta", c % D, v);
        }
        if (n.p[2] >= 256u)
          return fail(m, ZKML_ERR_PARAM, "node %u (LayerNorm): epsilon term 2^32 * %u + %u not below 2^40", i, n.p[2],
                      n.p[1]);
        break;
      }
      case ZKML_OP_TRANSPOSE: {
        uint64_t e = 1;
        uint32_t seen = 0;
        for (int d = 0; d < 4; ++d) {
          if (n.p[d] == 0) return fail(m, ZKML_ERR_NODE, "node %u (Transpose): dimension %d is 0", i, d);
          e *= n.p[d];
          if (e > ZKML_MAX_ELEMS) e = (uint64_t)ZKML_MAX_ELEMS + 1;
          if (n.p[4 + d] > 3 || (seen & (1u << n.p[4 + d])))
            return fail(m, ZKML_ERR_NODE, "node %u (Transpose): perm is not a permutation of 0..3", i);
          seen |= 1u << n.p[4 + d];
        }
        if (e != x.elems || x.elems != y.elems)
          return fail(m, ZKML_ERR_NODE, "node %u (Transpose): dims hold %llu elements, input %u, output %u", i,
                      (unsigned long long)e, x.elems, y.elems);
        if (x.zero_point != y.zero_point)
          return fail(m, ZKML_ERR_NODE, "node %u (Transpose): output zero point %d differs from input's %d", i,
                      y.zero_point, x.zero_point);
        break;
      }
      case ZKML_OP_REQUANT: {
        const uint32_t ax = n.p[2], nc = n.p[1];
        if (x.dtype != ZKML_DT_INT8_AXIS && y.dtype != ZKML_DT_INT8_AXIS)
          return fail(m, ZKML_ERR_NODE, "node %u (Requant): neither input nor output is per-axis", i);
        if (x.ndim != y.ndim || x.elems != y.elems)
          return fail(m, ZKML_ERR_NODE, "node %u (Requant): input and output shapes differ", i);
        for (uint32_t d = 0; d < x.ndim; ++d)
          if (x.dims[d] != y.dims[d]) return fail(m, ZKML_ERR_NODE, "node %u (Requant): input and output shapes differ", i);
        if (ax >= x.ndim || nc != x.dims[ax])
          return fail(m, ZKML_ERR_NODE, "node %u (Requant): %u indices along axis %u of a rank-%u tensor", i, nc, ax,
                      x.ndim);
        if (!blob_ok(m, n.p[0], 16ull * nc, 1))
          return fail(m, ZKML_ERR_BLOB, "node %u (Requant): table outside the blob or misaligned", i);
        for (uint32_t c = 0; tables && c < nc; ++c) {
          const uint8_t* e = blob_at(m, n.p[0]) + 16 * (size_t)c;
          const int32_t zi = rds32(e), mu = rds32(e + 4), sh = rds32(e + 8), zo = rds32(e + 12);
          if (mu < 0 || sh < ZKML_SHIFT_MIN || sh > ZKML_SHIFT_MAX)
            return fail(m, ZKML_ERR_PARAM, "node %u (Requant): index %u: multiplier %d shift %d out of range", i, c, mu,
                        sh);
          /* The zero points are the tensors' own (the host quantises and
           * dequantises with the tensor's table). */
          const zkml_tensor* side[2] = {&x, &y};
          const int32_t zs[2] = {zi, zo};
          for (int k = 0; k < 2; ++k) {
            int32_t want = side[k]->zero_point;
            if (side[k]->dtype == ZKML_DT_INT8_AXIS) {
              uint32_t tax, tn, sb;
              zkml_get_axis_param(m, side[k], c, &tax, &tn, &want, &sb);
              if (tax != ax)
                return fail(m, ZKML_ERR_NODE, "node %u (Requant): %s is per-axis along axis %u, the node along %u", i,
                            k == 0 ? "input" : "output", tax, ax);
            }
            if (zs[k] != want)
              return fail(m, ZKML_ERR_PARAM, "node %u (Requant): index %u: %s zero point %d, the tensor's is %d", i, c,
                          k == 0 ? "input" : "output", zs[k], want);
          }
        }
        break;
      }
      case ZKML_OP_ARGMAX:
        for (uint32_t d = 0; d + 1 < x.ndim; ++d)
          if (x.dims[d] != 1) return fail(m, ZKML_ERR_NODE, "node %u (ArgMax): only a single row is supported", i);
        if (y.elems != 1) return fail(m, ZKML_ERR_NODE, "node %u (ArgMax): output must have one element", i);
        break;
      default: break;
    }
    state[n.out] = T_AVAILABLE;
  }
  if (state[m->output] != T_AVAILABLE) return fail(m, ZKML_ERR_NODE, "output tensor %u is never computed", m->output);

  uint64_t bufs = 0;
  for (uint32_t i = 0; i < m->n_tensors; ++i) {
    zkml_tensor t;
    zkml_get_tensor(m, i, &t);
    if (t.data_off != ZKML_NO_DATA || alias[i] || state[i] != T_AVAILABLE) continue;
    bufs += align4(t.dtype == ZKML_DT_INT32 ? 4u * t.elems : t.elems) + kSlack;
  }
  uint64_t arena = steps_at(m->n_tensors, m->n_nodes) + step_area(m->n_nodes) + bufs + align4(patch);
  if (arena > ZKML_MAX_ARENA)
    return fail(m, ZKML_ERR_LIMIT, "model: arena of %llu bytes over the %u limit", (unsigned long long)arena,
                ZKML_MAX_ARENA);
  m->arena_bytes = (uint32_t)arena;
  return ZKML_OK;
}

int zkml_parse(zkml_model* m, const uint8_t* data, uint32_t size) { return parse(m, data, size, 1); }

int zkml_parse_prechecked(zkml_model* m, const uint8_t* data, uint32_t size) { return parse(m, data, size, 0); }

int zkml_parse_built(zkml_model* m, const uint8_t* data, uint32_t size, uint32_t arena_bytes) {
  const int hs = parse_header(m, data, size);
  if (hs != ZKML_OK) return hs;
  if (arena_bytes > ZKML_MAX_ARENA)
    return fail(m, ZKML_ERR_LIMIT, "model: arena of %u bytes over the %u limit", arena_bytes, ZKML_MAX_ARENA);
  m->arena_bytes = arena_bytes;
  return ZKML_OK;
}

/* Whether a Dense node's last, partial block (outputs m0 = M & ~3 .. M-1)
 * can be a dense4_rom call (ZKML_DENSE4_TAIL): the four bias words from m0
 * and, per channel, the four mult and shift words from m0 lie in the blob
 * (with the model, read-only data when the kernel calls at all), and those
 * shifts are in [35, 63] (zkml-tool pads a per-channel shift table to whole
 * blocks with its last shift). */
static int dense4_shift_ok(int32_t shift) { return shift >= 35 && shift <= 63; } /* dense4_rom's range */

static int dense4_tail_ok(const zkml_model* m, const zkml_node* n, uint32_t M) {
  const uint32_t m0 = M & ~3u;
  if (m0 == M || !blob_ok(m, n->p[1] + 4 * m0, 16, 1)) return 0;
  if (n->p[4] <= 1) return 1;
  if (!blob_ok(m, n->p[2] + 4 * m0, 16, 1) || !blob_ok(m, n->p[3] + 4 * m0, 16, 1)) return 0;
  const int32_t* sh = words_at(m, n->p[3]) + m0;
  for (int j = 0; j < 4; ++j)
    if (!dense4_shift_ok(sh[j])) return 0;
  return 1;
}

static void make_pool(const zkml_node* n, const zkml_tensor* x, const zkml_tensor* y, zkml_pool_shape* s) {
  s->C = (int32_t)x->dims[1];
  s->H = (int32_t)x->dims[2];
  s->W = (int32_t)x->dims[3];
  s->OH = (int32_t)y->dims[2];
  s->OW = (int32_t)y->dims[3];
  s->kh = n->kh; s->kw = n->kw; s->sh = n->sh; s->sw = n->sw; s->pt = n->pt; s->pl = n->pl;
  s->count_include_pad = (int32_t)(n->flags & 1u);
  s->zp = x->zero_point;
  s->pb = n->pb;
  s->pr = n->pr;
  s->dh = dil_of(n->p[6]);
  s->dw = dil_of(n->p[7]);
}

int zkml_prepare(zkml_runner* r, const zkml_model* m, void* arena, uint32_t arena_bytes) {
  if (arena == NULL || ((uintptr_t)arena & 3u) || arena_bytes < m->arena_bytes) return ZKML_ERR_ARENA;
  uint8_t* a = (uint8_t*)arena;
  r->model = m;
  r->arena = a;
  r->tensor_off = (uint32_t*)a;
  r->node_flags = a + 4u * m->n_tensors;
  uint32_t off = (uint32_t)steps_at(m->n_tensors, m->n_nodes);
  r->steps = (struct zkml_step*)(((uintptr_t)(a + off) + 7u) & ~(uintptr_t)7u);
  off += (uint32_t)step_area(m->n_nodes);
  /* Uses of each tensor, counted in tensor_off (filled with offsets below),
   * then the Convs whose only reader is the next node, a MaxPool. The
   * nodes' int32 tables are read in place from the model (aligned words,
   * zkml_parse), not copied. */
  for (uint32_t i = 0; i < m->n_tensors; ++i) r->tensor_off[i] = 0;
  for (uint32_t i = 0; i < m->n_nodes; ++i) {
    zkml_node n;
    zkml_get_node(m, i, &n);
    for (uint32_t k = 0; k < n.n_inputs; ++k) r->tensor_off[n.in[k]] += 1;
  }
  for (uint32_t i = 0; i < m->n_nodes; ++i) {
    zkml_node n, nx;
    zkml_get_node(m, i, &n);
    r->node_flags[i] = 0;
    if (n.op == ZKML_OP_DENSE) {
      /* The dense4_rom call takes shifts 35..63 only (docs/GUEST_ABI.md). */
      const int32_t* sh = words_at(m, n.p[3]);
      uint32_t ok = 1;
      for (uint32_t c = 0; c < n.p[4]; ++c) ok &= (uint32_t)dense4_shift_ok(sh[c]);
      if (ok) r->node_flags[i] = ZKML_NODE_DENSE4;
      continue;
    }
    if (n.op != ZKML_OP_CONV || i + 1 >= m->n_nodes || n.out == m->output || r->tensor_off[n.out] != 1) continue;
    zkml_get_node(m, i + 1, &nx);
    if (nx.op == ZKML_OP_MAXPOOL && nx.in[0] == n.out) r->node_flags[i] = ZKML_NODE_CONV_POOL;
  }
  for (uint32_t i = 0; i < m->n_tensors; ++i) r->tensor_off[i] = ZKML_NO_DATA;
  /* Buffers in definition order: the input, then node outputs. */
  {
    zkml_tensor t;
    zkml_get_tensor(m, m->input, &t);
    r->input_elems = t.elems;
    r->tensor_off[m->input] = off;
    off += (uint32_t)align4(t.elems) + kSlack;
  }
  for (uint32_t i = 0; i < m->n_nodes; ++i) {
    zkml_node n;
    zkml_tensor t;
    zkml_get_node(m, i, &n);
    zkml_get_tensor(m, n.out, &t);
    zkml_tensor x;
    zkml_get_tensor(m, n.in[0], &x);
    if (n.op == ZKML_OP_RESHAPE && x.data_off == ZKML_NO_DATA) {
      r->tensor_off[n.out] = r->tensor_off[n.in[0]];
      continue;
    }
    r->tensor_off[n.out] = off;
    off += (uint32_t)align4(t.dtype == ZKML_DT_INT32 ? 4u * t.elems : t.elems) + kSlack;
  }
  r->patch = (int8_t*)(a + off);
  for (uint32_t i = 0; i < m->n_nodes; ++i) {
    /* Only what zkml_run reads for the node's op is set (no memset: the
     * steps are a third of the MLP guest's zkml_prepare otherwise). */
    struct zkml_step* s = &r->steps[i];
    zkml_get_node(m, i, &s->n);
    zkml_get_tensor(m, s->n.in[0], &s->x);
    zkml_get_tensor(m, s->n.out, &s->y);
    s->xd = zkml_tensor_data(r, s->n.in[0]);
    s->yd = (int8_t*)(a + r->tensor_off[s->n.out]);
    const zkml_node* n = &s->n;
    switch (n->op) {
      case ZKML_OP_DENSE:
      case ZKML_OP_CONV: {
        /* dense4_rom for Dense nodes whose shifts it takes, reading x in
         * place when x is a buffer here (with its slack), not model data. */
        if (n->op == ZKML_OP_DENSE) {
          s->rows = n->p[5] > 1 ? (int32_t)n->p[5] : 1;
          s->M = (int32_t)(s->y.elems / (uint32_t)s->rows);
          s->K = (int32_t)(s->x.elems / (uint32_t)s->rows);
        }
        int32_t d4 = !(r->node_flags[i] & ZKML_NODE_DENSE4) ? 0
                     : s->x.data_off == ZKML_NO_DATA    ? ZKML_DENSE4_CALL | ZKML_DENSE4_INPLACE
                                                        : ZKML_DENSE4_CALL;
        if (d4 && dense4_tail_ok(m, n, (uint32_t)s->M)) d4 |= ZKML_DENSE4_TAIL;
        const zkml_requant_params rq = {words_at(m, n->p[2]), words_at(m, n->p[3]), n->p[4] > 1, s->y.zero_point,
                                        n->act_min, n->act_max, d4};
        s->rq = rq;
        s->bias = words_at(m, n->p[1]);
        s->w = blob_at(m, n->p[0]);
        if (n->op == ZKML_OP_CONV) make_conv(n, &s->x, &s->y, &s->conv);
        if (r->node_flags[i] & ZKML_NODE_CONV_POOL) { /* whatever kernel table runs it */
          zkml_node np;
          zkml_tensor yp;
          zkml_get_node(m, i + 1, &np);
          zkml_get_tensor(m, np.out, &yp);
          make_pool(&np, &s->y, &yp, &s->pool);
        }
        break;
      }
      case ZKML_OP_MAXPOOL:
      case ZKML_OP_AVGPOOL: make_pool(n, &s->x, &s->y, &s->pool); break;
      default: break;
    }
  }
  return ZKML_OK;
}

int8_t* zkml_input_buffer(const zkml_runner* r) { return (int8_t*)(r->arena + r->tensor_off[r->model->input]); }

const int8_t* zkml_tensor_data(const zkml_runner* r, uint32_t t) {
  zkml_tensor d;
  zkml_get_tensor(r->model, t, &d);
  if (d.data_off != ZKML_NO_DATA) return (const int8_t*)blob_at(r->model, d.data_off);
  return (const int8_t*)(r->arena + r->tensor_off[t]);
}

int zkml_node_fused(const zkml_runner* r, uint32_t k) {
  return k < r->model->n_nodes && (r->node_flags[k] & ZKML_NODE_CONV_POOL) && zkml_kernels.conv_maxpool != 0;
}

int32_t zkml_tensor_i32(const zkml_runner* r, uint32_t t) {
  return *(const int32_t*)(r->arena + r->tensor_off[t]);
}


int zkml_conv_node(const zkml_model* m, uint32_t k, zkml_conv_shape* s, const uint8_t** w_packed,
                   zkml_pool_shape* pool) {
  if (k >= m->n_nodes) return 0;
  zkml_node n;
  zkml_get_node(m, k, &n);
  if (n.op != ZKML_OP_CONV) return 0;
  zkml_tensor x, y;
  zkml_get_tensor(m, n.in[0], &x);
  zkml_get_tensor(m, n.out, &y);
  make_conv(&n, &x, &y, s);
  *w_packed = blob_at(m, n.p[0]);
  memset(pool, 0, sizeof *pool);
  if (k + 1 < m->n_nodes && n.out != m->output) {
    zkml_node np;
    zkml_get_node(m, k + 1, &np);
    if (np.op == ZKML_OP_MAXPOOL && np.in[0] == n.out) {
      zkml_tensor yp;
      zkml_get_tensor(m, np.out, &yp);
      make_pool(&np, &y, &yp, pool);
    }
  }
  return 1;
}

static void make_bcast(const zkml_tensor* a, const zkml_tensor* b, zkml_bcast* bc) {
  bc->n = (int32_t)a->elems;
  if (b->elems == a->elems) {
    bc->inner = 0;
    bc->channels = 1;
  } else if (b->elems == 1) {
    bc->inner = (int32_t)a->elems;
    bc->channels = 1;
  } else { /* per channel of [1,C,H,W] */
    bc->inner = (int32_t)(a->dims[2] * a->dims[3]);
    bc->channels = (int32_t)b->elems;
  }
}

int zkml_run(zkml_runner* r, const int8_t* input, uint32_t input_len) {
  const zkml_model* m = r->model;
  if (input_len != r->input_elems) return ZKML_ERR_INPUT;
  int8_t* in = zkml_input_buffer(r);
  if (input != in) memcpy(in, input, input_len);
  for (uint32_t i = 0; i < m->n_nodes; ++i) {
    const struct zkml_step* st = &r->steps[i];
    const zkml_node* const n = &st->n;
    const zkml_tensor *const x = &st->x, *const y = &st->y;
    zkml_tensor x2;
    const int8_t* xd = st->xd;
    int8_t* yd = st->yd;
    switch (n->op) {
      case ZKML_OP_DENSE:
        for (int32_t row = 0; row < st->rows; ++row, xd += st->K, yd += st->M)
          zkml_kernels.dense(xd, st->K, st->w, st->bias, st->M, &st->rq, r->patch, yd);
        break;
      case ZKML_OP_CONV:
        if (zkml_node_fused(r, i)) { /* with the MaxPool after it, which it skips */
          const struct zkml_step* sp = &r->steps[++i];
          zkml_kernels.conv_maxpool(xd, &st->conv, st->w, st->bias, &st->rq, &st->pool, r->patch, yd, sp->yd);
        } else {
          zkml_kernels.conv(xd, &st->conv, st->w, st->bias, &st->rq, r->patch, yd);
        }
        break;
      case ZKML_OP_CLAMP: zkml_clamp_s8(xd, (int32_t)x->elems, n->act_min, n->act_max, yd); break;
      case ZKML_OP_MAXPOOL: zkml_maxpool_s8(xd, &st->pool, yd); break;
      case ZKML_OP_AVGPOOL: zkml_avgpool_s8(xd, &st->pool, yd); break;
      case ZKML_OP_ADD:
      case ZKML_OP_MUL: {
        zkml_get_tensor(m, n->in[1], &x2);
        zkml_bcast bc;
        make_bcast(x, &x2, &bc);
        const int8_t* bd = zkml_tensor_data(r, n->in[1]);
        if (n->op == ZKML_OP_ADD)
          zkml_add_s8(xd, bd, &bc, x->zero_point, x2.zero_point, u2s(n->p[0]), u2s(n->p[1]), (int32_t)n->p[2],
                      y->zero_point, n->act_min, n->act_max, yd);
        else
          zkml_mul_s8(xd, bd, &bc, x->zero_point, x2.zero_point, u2s(n->p[0]), (int32_t)n->p[1], y->zero_point,
                      n->act_min, n->act_max, yd);
        break;
      }
      case ZKML_OP_RESHAPE:
        if (x->data_off != ZKML_NO_DATA) memcpy(yd, xd, x->elems); /* constant input: copy once per run */
        break;
      case ZKML_OP_SOFTMAX: {
        int32_t N = (int32_t)x->dims[x->ndim - 1];
        zkml_softmax_s8(xd, (int32_t)x->elems / N, N, (const uint32_t*)words_at(m, n->p[0]), yd);
        break;
      }
      case ZKML_OP_ARGMAX: *(int32_t*)yd = zkml_argmax_s8(xd, (int32_t)x->elems); break;
      case ZKML_OP_CONCAT: {
        zkml_get_tensor(m, n->in[1], &x2);
        const uint32_t ax = n->p[4];
        uint32_t outer = 1, inner = 1;
        for (uint32_t d = 0; d < ax; ++d) outer *= y->dims[d];
        for (uint32_t d = ax + 1; d < y->ndim; ++d) inner *= y->dims[d];
        zkml_rescale ra = {x->zero_point, u2s(n->p[0]), u2s(n->p[1])}, rb = {x2.zero_point, u2s(n->p[2]), u2s(n->p[3])};
        zkml_concat_s8(xd, (int32_t)(x->dims[ax] * inner), &ra, zkml_tensor_data(r, n->in[1]),
                       (int32_t)(x2.dims[ax] * inner), &rb, (int32_t)outer, y->zero_point, yd);
        break;
      }
      case ZKML_OP_MATMUL: {
        zkml_get_tensor(m, n->in[1], &x2);
        zkml_matmul_shape s;
        s.T = (int32_t)x->dims[x->ndim - 2];
        s.K = (int32_t)x->dims[x->ndim - 1];
        s.N = (int32_t)x2.dims[x2.ndim - 1];
        s.batch = (int32_t)(x->elems / (uint32_t)(s.T * s.K));
        s.zp_a = x->zero_point;
        s.zp_b = x2.zero_point;
        s.zp_out = y->zero_point;
        s.mult = u2s(n->p[0]);
        s.shift = u2s(n->p[1]);
        s.act_min = n->act_min;
        s.act_max = n->act_max;
        zkml_matmul_s8(xd, zkml_tensor_data(r, n->in[1]), &s, r->patch, yd);
        break;
      }
      case ZKML_OP_LAYERNORM: {
        const int32_t D = (int32_t)x->dims[x->ndim - 1];
        const int32_t* prm = words_at(m, n->p[0]); /* gamma, then beta */
        zkml_layernorm_s8(xd, (int32_t)x->elems / D, D, x->zero_point, ((uint64_t)n->p[2] << 32) | n->p[1], prm,
                          prm + D, y->zero_point, yd);
        break;
      }
      case ZKML_OP_TRANSPOSE: zkml_transpose_s8(xd, n->p, n->p + 4, yd); break;
      case ZKML_OP_LUT8: zkml_lut_s8(xd, (int32_t)x->elems, (const int8_t*)blob_at(m, n->p[0]), yd); break;
      case ZKML_OP_REQUANT: {
        const uint32_t ax = n->p[2];
        uint32_t outer = 1, inner = 1;
        for (uint32_t d = 0; d < ax; ++d) outer *= x->dims[d];
        for (uint32_t d = ax + 1; d < x->ndim; ++d) inner *= x->dims[d];
        zkml_requant_axis_s8(xd, (int32_t)outer, (int32_t)n->p[1], (int32_t)inner, words_at(m, n->p[0]), yd);
        break;
      }
      case ZKML_OP_SLICE: {
        const uint32_t ax = n->p[0];
        uint32_t outer = 1, inner = 1;
        for (uint32_t d = 0; d < ax; ++d) outer *= x->dims[d];
        for (uint32_t d = ax + 1; d < x->ndim; ++d) inner *= x->dims[d];
        zkml_slice_s8(xd, (int32_t)outer, (int32_t)(x->dims[ax] * inner), (int32_t)(n->p[1] * inner),
                      (int32_t)(y->dims[ax] * inner), yd);
        break;
      }
      default: return ZKML_ERR_NODE; /* unreachable after zkml_parse */
    }
  }
  return ZKML_OK;
}
