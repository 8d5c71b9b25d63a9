/* Integer kernels of the zkml int8 runtime, shared by guests (RV32IM) and the
 * host (zkvm_ml_host) so a host run is bit-identical to a guest run.
 *
 * Arithmetic contract (docs/ML_RUNTIME.md, "Arithmetic"):
 *  - activations are int8 with a per-tensor zero point; weights are int8,
 *    symmetric (zero point 0), per output channel; accumulation is int32;
 *  - the input zero point of Dense/Conv is folded into the bias at
 *    quantisation time (bias' = bias - zp_in * sum(w)), so inner loops are
 *    plain int8 x int8 -> int32 multiply-adds;
 *  - requantisation multiplies by M = mult * 2^-shift (mult in [0, 2^31),
 *    shift in [1, 62]) with a 64-bit product and rounds half up (towards
 *    +infinity): y = floor((acc * mult + 2^(shift-1)) / 2^shift);
 *  - no floating point, no undefined behaviour; >> of a negative integer is
 *    arithmetic and int32 <- uint32 conversion is modular (both
 *    implementation-defined in C11, defined so by GCC and Clang; the shifts
 *    are checked by static assertions in kernels.c).
 */
#ifndef ZKVM_ML_KERNELS_H
#define ZKVM_ML_KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Dense and Conv weights: one byte per weight, in the operand layout of the
 * dot4 accelerator call (zkvm_dot4, ecall 0x1001; docs/GUEST_ABI.md), so the
 * accelerated kernels pass the file's bytes straight to it:
 *  - bytes are biased: weight w in [-128, 127] is stored as w + 128 (w ^ 0x80);
 *  - rows come in blocks of ZKML_ROWS = 4, K is padded up to
 *    K4 = zkml_k4(K) (a multiple of 4); block b is 4 * K4 bytes and holds,
 *    for each group g of 4 columns, 16 bytes: rows 4b..4b+3 as four words,
 *      byte[4 K4 b + 16 (k / 4) + 4 j + k % 4] = W[4b + j][k] + 128;
 *  - padding rows and columns hold 0x80 (weight 0).
 * Conv's K is C*kh*kw in (c, ky, kx) order. Weight arrays must be 4-byte
 * aligned. Every byte value is a valid weight (-128 included). */
#define ZKML_ROWS 4

/* K rounded up to a multiple of 4. */
static inline int64_t zkml_k4(int64_t K) { return (K + 3) & ~(int64_t)3; }

/* Bytes of the packed weights of an M x K layer: ceil(M/4) * 4 * zkml_k4(K). */
uint64_t zkml_weight_bytes(int32_t M, int32_t K);

/* Packs W (M x K, row-major int8) into the layout above: out holds
 * zkml_weight_bytes(M, K) bytes. The quantiser's and the tests' packer. */
void zkml_pack_weights(const int8_t* W, int32_t M, int32_t K, uint8_t* out);

#define ZKML_SHIFT_MIN 1
#define ZKML_SHIFT_MAX 62

/* Fixed-point multiply: floor((acc * mult + 2^(shift-1)) / 2^shift). */
int32_t zkml_requant(int32_t acc, int32_t mult, int32_t shift);

/* Requantisation of one output channel (or all, when per_channel is 0). */
typedef struct {
  const int32_t* mult;  /* 1 or M entries */
  const int32_t* shift; /* 1 or M entries */
  int32_t per_channel;
  int32_t zp_out;
  int32_t act_min, act_max; /* fused ReLU/Clip, in the output's int8 domain */
  int32_t dense4; /* ZKML_DENSE4_* bits (0 is always safe) */
} zkml_requant_params;

/* zkml_requant_params.dense4: what the caller promises the accelerated
 * Dense kernel. CALL: every shift is in [35, 63], so it may use the
 * dense4_rom call. INPLACE (with CALL): each row's x (4-byte aligned, K a
 * multiple of 4) is followed by 4 bytes that nothing else reads or writes
 * during the call, which the kernel overwrites with dense4_rom's output word
 * and restores, so the call reads x in place rather than a copy (the
 * interpreter's buffers have that slack, zkml_prepare). */
#define ZKML_DENSE4_CALL 1
#define ZKML_DENSE4_INPLACE 2
/* TAIL (with CALL): the last, partial block (outputs m0 = M & ~3 .. M-1)
 * is a dense4_rom call too, which reads four bias words from bias + m0
 * and, per channel, four mult and four shift words from m0: those words
 * are read-only data and those shifts in [35, 63] (zkml-tool pads a
 * per-channel shift table to whole blocks; zkml_prepare checks). The
 * missing outputs are computed and dropped. */
#define ZKML_DENSE4_TAIL 4

/* y[m] = clamp(zp_out + requant(bias[m] + sum_k x[k] * W[m][k])).
 * w_packed: zkml_weight_bytes(M, K) bytes, 4-byte aligned. `scratch`:
 * zkml_dense_scratch_bytes(K) bytes, 4-byte aligned (the accelerated kernel
 * keeps a biased, padded copy of x there, followed by dense4_rom's output
 * word, unless dense4_rom reads x in place; the plain one does not use it). */
uint32_t zkml_dense_scratch_bytes(int32_t K);
void zkml_dense_s8(const int8_t* x, int32_t K, const uint8_t* w_packed, const int32_t* bias,
                   int32_t M, const zkml_requant_params* rq, int8_t* scratch, int8_t* y);

typedef struct {
  int32_t C, H, W;   /* input [1,C,H,W] */
  int32_t M, OH, OW; /* output [1,M,OH,OW] */
  int32_t kh, kw, sh, sw, pt, pl;
  int32_t zp_in; /* value of padded positions (real 0) */
  int32_t group; /* G groups (0 or 1: an ordinary conv); G divides C and M */
  int32_t dh, dw; /* dilations (0 or 1: none): a window's taps are dh rows, dw columns apart */
} zkml_conv_shape;

/* Conv2D, NCHW, with dilations. With G groups, output channel m sees only input
 * channels [g C/G, (g+1) C/G) of its group g = m / (M/G) (depthwise: G = C =
 * M); the weights are then an M x K matrix with K = (C/G)*kh*kw, packed as
 * above. `patch` is scratch of zkml_conv_scratch_bytes(s) bytes, 4-byte
 * aligned: the im2col of all output pixels (of one group at a time) and a
 * zero-point padded copy of the input region the windows cover.
 * The plain kernel's im2col is in blocks of ZKML_PIX_BLOCK pixels
 * (patch[blk][k][j]) so each weight load serves several pixels; the
 * accelerated one's is one biased, K4-padded vector per pixel, the x operand
 * of dot4 (grouped: four pixels per block in dot4's weight-operand layout,
 * with one channel's weight row as x). Depthwise convs (C/G = 1) need no
 * im2col: both kernel sets read each window in place. The size covers all
 * and saturates at 0xFFFFFFFF (the parser's arena limit rejects such
 * sizes). */
#define ZKML_PIX_BLOCK 4
uint32_t zkml_conv_scratch_bytes(const zkml_conv_shape* s);
/* zkml_conv_scratch_bytes of an ungrouped conv with that geometry. */
uint32_t zkml_conv_patch_bytes(int32_t C, int32_t kh, int32_t kw, int32_t sh, int32_t sw, int32_t OH, int32_t OW);
void zkml_conv_s8(const int8_t* x, const zkml_conv_shape* s, const uint8_t* w_packed,
                  const int32_t* bias, const zkml_requant_params* rq, int8_t* patch, int8_t* y);

typedef struct {
  int32_t C, H, W, OH, OW;
  int32_t kh, kw, sh, sw, pt, pl;
  int32_t count_include_pad; /* AveragePool only */
  int32_t zp;                /* AveragePool: value of padded positions */
  int32_t pb, pr;            /* bottom and right pads (AveragePool's count) */
  int32_t dh, dw;            /* dilations (0 or 1: none) */
} zkml_pool_shape;

/* Pools. A window may reach past the pads by less than a stride (ONNX
 * ceil_mode: the last window starts inside the input or the top/left pad).
 * MaxPool: positions outside the input are ignored (act as -infinity). */
void zkml_maxpool_s8(const int8_t* x, const zkml_pool_shape* s, int8_t* y);
/* AveragePool on the quantised values (output shares the input's scale and
 * zero point): sum / n rounded half away from zero; n counts the window's
 * inputs and, with count_include_pad, its positions in the pads
 * ([-pt, H + pb) x [-pl, W + pr), each worth zp), never those a ceil_mode
 * window has past the pads. */
void zkml_avgpool_s8(const int8_t* x, const zkml_pool_shape* s, int8_t* y);

/* Broadcast of the second operand of Add/Mul: b has n elements (inner = 0),
 * one per channel (b[(i / inner) % channels]), or one element (channels = 1). */
typedef struct {
  int32_t n;        /* elements of a and y */
  int32_t inner;    /* H*W for per-channel b; 0 when b has n elements */
  int32_t channels; /* number of elements of b when inner > 0 */
} zkml_bcast;

/* y = clamp(zp_out + floor(((a - zp_a) * mult_a + (b - zp_b) * mult_b + 2^(shift-1)) / 2^shift)) */
void zkml_add_s8(const int8_t* a, const int8_t* b, const zkml_bcast* bc, int32_t zp_a, int32_t zp_b,
                 int32_t mult_a, int32_t mult_b, int32_t shift, int32_t zp_out, int32_t act_min,
                 int32_t act_max, int8_t* y);

/* y = clamp(zp_out + requant((a - zp_a) * (b - zp_b), mult, shift)) */
void zkml_mul_s8(const int8_t* a, const int8_t* b, const zkml_bcast* bc, int32_t zp_a, int32_t zp_b,
                 int32_t mult, int32_t shift, int32_t zp_out, int32_t act_min, int32_t act_max,
                 int8_t* y);

/* y = clamp(x, lo, hi): standalone ReLU/Clip on quantised values. */
void zkml_clamp_s8(const int8_t* x, int32_t n, int32_t lo, int32_t hi, int8_t* y);

/* Softmax over rows of length N. lut[d] = round(2^16 * exp(-d * s_in)) for
 * d = max - x in 0..255 (computed by the quantiser; lut[0] = 65536, all
 * entries <= 65536). Output probability p in 0..255 (scale 1/256) is
 * floor((lut[d] * 256 + sum/2) / sum) capped at 255, stored as p - 128. */
void zkml_softmax_s8(const int8_t* x, int32_t rows, int32_t N, const uint32_t* lut, int8_t* y);

/* Element-wise function by table: y[i] = table[x[i] + 128]. The quantiser
 * builds the 256 entries from the float function and the input and output
 * scales and zero points, so any int8 -> int8 map costs one load. */
void zkml_lut_s8(const int8_t* x, int32_t n, const int8_t* table, int8_t* y);

/* Requantisation per index c of an axis (ONNX's QuantizeLinear of a
 * dequantised value, one scale per index): x is `outer` blocks of n x inner
 * values, index c's `inner` values use tab[4c .. 4c+3] = {zp_in, mult,
 * shift, zp_out} (mult in [0, 2^31), shift in [1, 62]):
 *   y = clamp(zp_out + round_half_even((x - zp_in) * mult / 2^shift)).
 * Half to even, as QuantizeLinear rounds: when the scale ratio is exact in
 * mult / 2^shift (powers of two, equal scales) the result is ONNX's. */
void zkml_requant_axis_s8(const int8_t* x, int32_t outer, int32_t n, int32_t inner, const int32_t* tab, int8_t* y);

/* Concat of two int8 tensors along one axis: for each of `outer` blocks,
 * na values from a then nb values from b. Each input is brought to the
 * output's scale: y = zp_out + requant(x - zp_in, mult, shift) (saturated);
 * an input that already has the output's parameters (mult = 2^30,
 * shift = 30, zp_in = zp_out: the requantisation is the identity) is
 * copied. */
typedef struct {
  int32_t zp_in, mult, shift;
} zkml_rescale;
void zkml_concat_s8(const int8_t* a, int32_t na, const zkml_rescale* ra, const int8_t* b, int32_t nb,
                    const zkml_rescale* rb, int32_t outer, int32_t zp_out, int8_t* y);

/* One range along an axis: for each of `outer` blocks of nx values of x,
 * the ny values from offset `off` (a Split's output). */
void zkml_slice_s8(const int8_t* x, int32_t outer, int32_t nx, int32_t off, int32_t ny, int8_t* y);

/* Sequence (transformer) kernels, src/kernels_seq.c. */

/* MatMul of two int8 activations, batched over leading dimensions:
 * for each of `batch` pairs, y[t][n] = clamp(zp_out + requant(
 * sum_k (a[t][k] - zp_a) (b[k][n] - zp_b), mult, shift)) with a [T][K],
 * b [K][N], y [T][N] (row-major, pairs one after the other). K is at most
 * ZKML_MAX_MATMUL_K, so the int32 sum is exact. It runs through
 * zkml_kernels.dense (the dot4 call in guests) with b^T packed as weights.
 * `scratch`: zkml_matmul_scratch_bytes(K, N) bytes, 4-byte aligned. */
#define ZKML_MAX_MATMUL_K 16384
typedef struct {
  int32_t batch, T, K, N;
  int32_t zp_a, zp_b, zp_out;
  int32_t mult, shift;
  int32_t act_min, act_max;
} zkml_matmul_shape;
uint32_t zkml_matmul_scratch_bytes(int32_t K, int32_t N);
void zkml_matmul_s8(const int8_t* a, const int8_t* b, const zkml_matmul_shape* s, int8_t* scratch, int8_t* y);

/* LayerNorm over rows of D values (D <= ZKML_MAX_LAYERNORM_D), integer only
 * (docs/ML_RUNTIME.md "LayerNorm"): with x_i = q_i - zp_in, S = sum x_i,
 * d_i = D x_i - S and Q = floor(sum d_i^2 / D) + eps_q (eps_q = D^2 eps /
 * s_in^2, rounded; Q = 1 if 0), t_i = d_i / sqrt(Q) in Q16 fixed point
 * (through a 31-bit reciprocal of an exact integer square root), and
 * y_i = clamp(zp_out + floor((t_i g_i + b_i 2^16 + 2^31) / 2^32)), where
 * g_i = gamma_i / s_out and b_i = beta_i / s_out in Q16 (|g_i|, |b_i| <
 * 2^24) and eps_q < 2^40. */
#define ZKML_MAX_LAYERNORM_D 4096
void zkml_layernorm_s8(const int8_t* x, int32_t rows, int32_t D, int32_t zp_in, uint64_t eps_q, const int32_t* g,
                       const int32_t* b, int32_t zp_out, int8_t* y);

/* Transpose of a tensor of (at most) four dimensions dims[0..3] (leading
 * ones 1): y's axis j is x's axis perm[j]. */
void zkml_transpose_s8(const int8_t* x, const uint32_t dims[4], const uint32_t perm[4], int8_t* y);

/* Index of the first maximum of x[0..n). */
int32_t zkml_argmax_s8(const int8_t* x, int32_t n);

/* Phase weights of a Conv (docs/ML_RUNTIME.md "Kernels", dot4 Conv +
 * MaxPool): a second copy of a Conv's weights, laid out so that one dot4
 * call gives one output channel at four neighbouring output pixels and its
 * x operand is a run of whole input words (no im2col). Column
 * k = (ky C + c) 8 + t, t = 0..7, of row o (the phase, 0..3) of channel m's
 * block is W[m][c][ky][t - o] when 0 <= t - o < kw, else weight 0 (0x80):
 * the taps of output pixel a + o against the 8 input bytes a .. a+7 of
 * each (ky, c) row. Block m is 4 Kp bytes in dot4's weight layout
 * (byte 4 Kp m + 16 (k/4) + 4 o + k%4), Kp = zkml_conv_phase_k(s).
 * A public model's guest has them compiled in (zkml-tool's guest source
 * registers them), so the kernels read them through dot4_rom like the
 * model's own weights.
 * zkml_conv_phase_k: Kp = kh C 8, or 0 when the Conv cannot use phase
 * weights (groups, strides or dilations other than 1, kw > 5, Kp over one
 * dot4 call). */
int32_t zkml_conv_phase_k(const zkml_conv_shape* s);
/* M 4 Kp bytes (0 when zkml_conv_phase_k is 0). */
uint64_t zkml_conv_phase_bytes(const zkml_conv_shape* s);
/* Writes zkml_conv_phase_bytes(s) bytes of phase weights from the packed
 * weights (zkml_pack_weights' layout). */
void zkml_conv_phase_pack(const zkml_conv_shape* s, const uint8_t* w_packed, uint8_t* out);
/* Tells the dot4 kernels that `phase` (bytes long) holds the phase weights
 * of the Conv whose packed weights are at w_packed. At most
 * ZKML_MAX_PHASE_WEIGHTS registrations; returns 0 when the table is full.
 * The kernels use them only when the length matches the Conv's shape. */
#define ZKML_MAX_PHASE_WEIGHTS 8
int zkml_register_phase_weights(const uint8_t* w_packed, const uint8_t* phase, uint64_t bytes);
/* Forgets every registration (tests that free and reuse weight buffers). */
void zkml_clear_phase_weights(void);
/* The registered phase weights of w_packed with that length, or NULL. */
const uint8_t* zkml_find_phase_weights(const uint8_t* w_packed, uint64_t bytes);

/* Kernel dispatch: the interpreter calls Dense and Conv through this table.
 * zkml_kernels_plain holds the portable C kernels above (the reference, and
 * the only ones on the host). On a RISC-V guest, zkml_kernels_dot4 holds
 * kernels that compute the dot products with the dot4 accelerator call
 * (zkvm_dot4) and give bit-identical results; zkml_kernels starts as that
 * table unless the guest is compiled with -DZKML_PLAIN_KERNELS=1. A guest can
 * also switch at run time: zkml_kernels = zkml_kernels_plain. */
typedef struct {
  void (*dense)(const int8_t* x, int32_t K, const uint8_t* w_packed, const int32_t* bias,
                int32_t M, const zkml_requant_params* rq, int8_t* scratch, int8_t* y);
  void (*conv)(const int8_t* x, const zkml_conv_shape* s, const uint8_t* w_packed,
               const int32_t* bias, const zkml_requant_params* rq, int8_t* patch, int8_t* y);
  /* Conv, then MaxPool `p` over its output, in one pass (NULL: the table
   * has none, and the interpreter runs the two nodes one after the other).
   * y gets exactly the bytes of zkml_maxpool_s8 over conv's output: the
   * requantisation and its clamp are monotone in the sum (mult >= 0), so the
   * largest requantised output of a window is the requantisation of its
   * largest sum, and a fused kernel requantises once per pooled output.
   * yc is the Conv's output buffer ([M][OH][OW]): a kernel may leave it
   * unwritten (it is written where the kernel does not fuse the shape).
   * patch: zkml_conv_scratch_bytes(s) bytes. */
  void (*conv_maxpool)(const int8_t* x, const zkml_conv_shape* s, const uint8_t* w_packed, const int32_t* bias,
                       const zkml_requant_params* rq, const zkml_pool_shape* p, int8_t* patch, int8_t* yc, int8_t* y);
} zkml_kernel_table;

extern zkml_kernel_table zkml_kernels;
extern const zkml_kernel_table zkml_kernels_plain;

#if defined(__riscv)
#define ZKML_HAVE_DOT4 1
void zkml_dense_s8_dot4(const int8_t* x, int32_t K, const uint8_t* w_packed, const int32_t* bias,
                        int32_t M, const zkml_requant_params* rq, int8_t* scratch, int8_t* y);
void zkml_conv_s8_dot4(const int8_t* x, const zkml_conv_shape* s, const uint8_t* w_packed,
                       const int32_t* bias, const zkml_requant_params* rq, int8_t* patch, int8_t* y);
void zkml_conv_maxpool_s8_dot4(const int8_t* x, const zkml_conv_shape* s, const uint8_t* w_packed,
                               const int32_t* bias, const zkml_requant_params* rq, const zkml_pool_shape* p,
                               int8_t* patch, int8_t* yc, int8_t* y);
extern const zkml_kernel_table zkml_kernels_dot4;
#endif

#ifdef __cplusplus
}
#endif
#endif
