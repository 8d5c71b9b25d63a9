// Batched number-theoretic transforms over BabyBear, column by column on a
// row-major matrix: every butterfly combines two whole rows, so SIMD lanes
// run across columns (and across rows for width 1). Multithreaded with
// OpenMP. Heights must be powers of two <= 2^27 (the two-adicity of p).
//
// Conventions: H = <g> with g = two_adic_generator(log height); row i of an
// evaluation matrix is the value at g^i ("natural order"); row i of a
// coefficient matrix is the coefficient of x^i.
#pragma once

#include <cstddef>
#include <vector>

#include "prover/field/babybear.h"
#include "prover/matrix/matrix.h"

namespace zkvm::ntt {

using field::Fp;

// Which SIMD kernels to use. Best picks the widest compiled in; the others
// let tests and benchmarks compare paths on one machine.
enum class Isa { Best, Scalar, Avx2, Avx512 };
const char* isa_name(Isa isa);
bool isa_available(Isa isa);
std::vector<Isa> available_isas();  // Scalar first, then the compiled SIMD paths

// Coefficients -> evaluations on H (natural order), in place.
void ntt_forward(RowMajorMatrix<Fp>& m, Isa isa = Isa::Best);
// Evaluations on H -> coefficients, in place.
void ntt_inverse(RowMajorMatrix<Fp>& m, Isa isa = Isa::Best);
// Coefficients -> evaluations on shift*H (natural order), in place.
void coset_ntt(RowMajorMatrix<Fp>& m, Fp shift, Isa isa = Isa::Best);
// Evaluations on shift*H -> coefficients, in place. shift must be non-zero.
void coset_intt(RowMajorMatrix<Fp>& m, Fp shift, Isa isa = Isa::Best);

// Low-degree extension: evaluations on H (height n) -> evaluations of the
// same polynomials on shift*H' with |H'| = n << log_blowup, row i being the
// point shift * g'^i, or, if bit_reversed_output, shift * g'^rev(i).
RowMajorMatrix<Fp> coset_lde(const RowMajorMatrix<Fp>& evals_on_h, unsigned log_blowup,
                             Fp shift, bool bit_reversed_output, Isa isa = Isa::Best);

// A zero width x height matrix whose pages every thread touched first: the
// kernel clears a fresh page on first touch, which for the prover's large
// buffers costs more than filling them when one thread does it.
RowMajorMatrix<Fp> zeroed_matrix(size_t w, size_t h);
// One store per 4 KiB page of [p, p + bytes), pages split among the threads
// (from 1024 pages up): raw storage about to be filled, e.g. a vector's
// reserved capacity before the resize that zero-fills it.
void first_touch(void* p, size_t bytes);

// Row i <-> row rev(i) (log2(height)-bit reversal). Height: a power of two.
void bit_reverse_rows(RowMajorMatrix<Fp>& m);
size_t reverse_bits(size_t x, unsigned bits);

}  // namespace zkvm::ntt
