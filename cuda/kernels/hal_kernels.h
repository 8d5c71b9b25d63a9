// Per-thread bodies of the HAL's array kernels (FRI fold, row reduction,
// column sums, batch inversion, DEEP denominators). Each kernel is a struct
// with `static ZKVM_HD void run(uint64_t i, ...)`, i being the flat thread
// index from thread_entry (launch.h); the CUDA launch (cuda/cuda_hal.cu)
// and the host emulation (cuda/emulate.h) call the same body, so CI checks
// this code against the CPU HAL without a GPU.
//
// The field is exact, so a body only has to compute the same values as
// prover/hal/cpu_hal.cpp, not in the same order: equal results are equal
// bit for bit (Fp values are stored fully reduced).
#pragma once

#include <cstdint>

#include "cuda/kernels/launch.h"
#include "prover/field/babybear.h"

namespace zkvm::gpu {

using field::Fp;
using field::Fp4;

// (p + 1) / 2 in Montgomery form, a scalar so device code can use it.
inline constexpr uint32_t kInvTwoMonty = Fp::from_canonical((Fp::kModulus + 1) / 2).monty();

// ---------------------------------------------------------------- FRI fold
// tab[i] = g_m^-rev_{m-1}(i) / 2, i < 2^(m-1), is 1/(2x) for pair i of a
// bit-reversed codeword of log size m (prover/fri/fold.h); built with
// ExtendTable (tables.h) as the CPU builds it, and the table for m serves
// every later (smaller) step as a prefix.
// One arity-2 step: next[i] = (y0 + y1)/2 + beta (y0 - y1) tab[i] with
// y0, y1 = src[2i], src[2i+1] (fri::fold_pair).
struct FriFoldStep {
  ZKVM_HD static void run(uint64_t i, const Fp4* src, Fp4* next, Fp4 beta, const Fp* tab) {
    const Fp4 y0 = src[2 * i], y1 = src[2 * i + 1];
    next[i] = (y0 + y1) * Fp::from_monty(kInvTwoMonty) + beta * ((y0 - y1) * tab[i]);
  }
};

// ------------------------------------------------------------- reduce_rows
// out[r] = sum_c coeffs[c] * m(r, c); one thread per row.
struct ReduceRows {
  ZKVM_HD static void run(uint64_t r, const Fp* m, uint64_t width, const Fp4* coeffs, Fp4* out) {
    const Fp* row = m + elem_index(r, width, 0);
    Fp4 acc;
    for (uint64_t c = 0; c < width; ++c) acc += coeffs[c] * row[c];
    out[r] = acc;
  }
};

// --------------------------------------------------------------- fri_commit
// acc[i] += f * in[i]: an input joining FRI after a fold.
struct AddScaled {
  ZKVM_HD static void run(uint64_t i, Fp4* acc, Fp4 f, const Fp4* in) { acc[i] += f * in[i]; }
};

// ------------------------------------------------------------ resident_rows
// out[k * width + c] = m(rows[k], c); one thread per output element.
struct GatherRows {
  ZKVM_HD static void run(uint64_t i, const Fp* m, uint64_t width, const uint64_t* rows, Fp* out) {
    out[i] = m[elem_index(rows[i / width], width, i % width)];
  }
};

// ------------------------------------------------------------- column_sums
// Two steps. First, thread i = k * width + c sums the weighted column c over
// the row chunk [k * chunk_rows, (k+1) * chunk_rows) into partial[i]; then
// SumChunks adds groups of `group` partial rows until one row is left.
struct ColumnSumsPartial {
  ZKVM_HD static void run(uint64_t i, const Fp* m, uint64_t width, uint64_t rows,
                          uint64_t chunk_rows, const Fp4* weights, Fp4* partial) {
    const uint64_t c = i % width, k = i / width;
    const uint64_t lo = k * chunk_rows;
    const uint64_t hi = lo + chunk_rows < rows ? lo + chunk_rows : rows;
    Fp4 acc;
    for (uint64_t r = lo; r < hi; ++r) acc += weights[r] * m[elem_index(r, width, c)];
    partial[i] = acc;
  }
};

// out(k, c) = sum_{j in [k*group, min(chunks, (k+1)*group))} in(j, c), both
// width-column row-major arrays.
struct SumChunks {
  ZKVM_HD static void run(uint64_t i, const Fp4* in, uint64_t width, uint64_t chunks,
                          uint64_t group, Fp4* out) {
    const uint64_t c = i % width, k = i / width;
    const uint64_t lo = k * group;
    const uint64_t hi = lo + group < chunks ? lo + group : chunks;
    Fp4 acc;
    for (uint64_t j = lo; j < hi; ++j) acc += in[elem_index(j, width, c)];
    out[i] = acc;
  }
};

// ------------------------------------------------ batch inversion (Fp4)
// Montgomery's trick within a thread: thread t inverts the elements
// t, t + T, ..., t + (kInvPerThread-1) T (T = threads launched, so a warp
// reads consecutive elements) with one Fp4 inversion. A zero input is
// reported through record_min_index and leaves that thread's outputs
// unspecified (the HAL throws). in and out may alias: every input is read
// before any output is written.
inline constexpr unsigned kInvPerThread = 8;

ZKVM_HD inline uint64_t inverse_threads(uint64_t n) {
  return (n + kInvPerThread - 1) / kInvPerThread;
}

// vals[0..cnt) -> their inverses scaled by `scale`, in place; false (and
// *zero_at set to the first zero's position) if one is zero.
ZKVM_HD inline bool invert_local(Fp4* vals, unsigned cnt, const Fp4& scale, unsigned* zero_at) {
  Fp4 prefix[kInvPerThread];
  Fp4 acc = Fp4::one();
  for (unsigned k = 0; k < cnt; ++k) {
    if (vals[k].is_zero()) {
      *zero_at = k;
      return false;
    }
    prefix[k] = acc;  // product of vals[0..k)
    acc *= vals[k];
  }
  Fp4 inv = acc.inverse() * scale;  // scale / prod(vals)
  for (unsigned k = cnt; k-- > 0;) {
    const Fp4 v = vals[k];
    vals[k] = inv * prefix[k];
    inv *= v;
  }
  return true;
}

struct BatchInverse {
  ZKVM_HD static void run(uint64_t t, const Fp4* in, Fp4* out, uint64_t n, uint64_t threads,
                          uint64_t* zero_index) {
    Fp4 vals[kInvPerThread];
    unsigned cnt = 0;
    for (uint64_t idx = t; cnt < kInvPerThread && idx < n; idx += threads) vals[cnt++] = in[idx];
    unsigned z = 0;
    if (!invert_local(vals, cnt, Fp4::one(), &z)) {
      record_min_index(zero_index, t + z * threads);
      return;
    }
    for (unsigned k = 0; k < cnt; ++k) out[t + k * threads] = vals[k];
  }
};

// out[i] = scale / (xs[i] - z), strided as BatchInverse.
struct InverseDifferences {
  ZKVM_HD static void run(uint64_t t, const Fp* xs, Fp4 z, Fp4 scale, Fp4* out, uint64_t n,
                          uint64_t threads, uint64_t* zero_index) {
    Fp4 vals[kInvPerThread];
    unsigned cnt = 0;
    for (uint64_t idx = t; cnt < kInvPerThread && idx < n; idx += threads)
      vals[cnt++] = Fp4(xs[idx]) - z;
    unsigned zk = 0;
    if (!invert_local(vals, cnt, scale, &zk)) {
      record_min_index(zero_index, t + zk * threads);
      return;
    }
    for (unsigned k = 0; k < cnt; ++k) out[t + k * threads] = vals[k];
  }
};

}  // namespace zkvm::gpu
