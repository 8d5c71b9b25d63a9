// Dual backend: runs every kernel on two backends and compares the outputs
// exactly (the kernels are deterministic, hal.h), throwing on the first
// difference with the kernel, row and column named. This is how a GPU
// backend earns trust: run the test suite with dual(cpu, cuda).
#include <sstream>
#include <stdexcept>
#include <string>

#include "prover/hal/hal.h"

namespace zkvm::hal {
namespace {

class DualHal final : public Hal {
 public:
  DualHal(std::unique_ptr<Hal> a, std::unique_ptr<Hal> b)
      : a_(std::move(a)), b_(std::move(b)), name_("dual(" + std::string(a_->name()) + ", " +
                                                  std::string(b_->name()) + ")") {}

  std::string_view name() const override { return name_; }

  RowMajorMatrix<Fp> coset_lde(const RowMajorMatrix<Fp>& evals, unsigned log_blowup,
                               Fp shift) override {
    auto x = a_->coset_lde(evals, log_blowup, shift);
    const auto y = b_->coset_lde(evals, log_blowup, shift);
    compare_matrix("coset_lde", x, y);
    return x;
  }

  std::unique_ptr<merkle::MerkleTree> merkle_commit(std::vector<RowMajorMatrix<Fp>> mats,
                                                    std::vector<uint8_t> salts,
                                                    size_t salt_len) override {
    auto y = b_->merkle_commit(mats, salts, salt_len);
    auto x = a_->merkle_commit(std::move(mats), std::move(salts), salt_len);
    compare_roots("merkle_commit", *x, *y);
    return x;
  }

  // b's tree (and whatever b keeps with it) is dropped: later kernels get
  // a's matrices, which b reads as any host matrix.
  std::unique_ptr<merkle::MerkleTree> commit_ldes(std::vector<RowMajorMatrix<Fp>> traces, unsigned log_blowup,
                                                  Fp shift, std::vector<uint8_t> salts, size_t salt_len) override {
    auto y = b_->commit_ldes(traces, log_blowup, shift, salts, salt_len);
    auto x = a_->commit_ldes(std::move(traces), log_blowup, shift, std::move(salts), salt_len);
    if (x->matrices().size() != y->matrices().size())
      fail("commit_ldes", std::to_string(x->matrices().size()) + " vs " +
                              std::to_string(y->matrices().size()) + " matrices");
    // b may keep its LDEs on the device only: then the roots tell.
    for (size_t m = 0; m < x->matrices().size(); ++m)
      if (y->matrices()[m].height == y->matrix_height(m))
        compare_matrix("commit_ldes", x->matrices()[m], y->matrices()[m]);
    compare_roots("commit_ldes", *x, *y);
    return x;
  }

  std::vector<Fp4> fri_fold(std::span<const Fp4> codeword, std::span<const Fp4> betas) override {
    auto x = a_->fri_fold(codeword, betas);
    compare_vec("fri_fold", x, b_->fri_fold(codeword, betas));
    return x;
  }

  void reduce_rows(const RowMajorMatrix<Fp>& m, std::span<const Fp4> coeffs,
                   std::span<Fp4> out) override {
    std::vector<Fp4> y(out.size());
    a_->reduce_rows(m, coeffs, out);
    b_->reduce_rows(m, coeffs, y);
    compare_vec("reduce_rows", std::vector<Fp4>(out.begin(), out.end()), y);
  }

  void column_sums(const RowMajorMatrix<Fp>& m, size_t rows, std::span<const Fp4> weights,
                   std::span<Fp4> out) override {
    std::vector<Fp4> y(out.size());
    a_->column_sums(m, rows, weights, out);
    b_->column_sums(m, rows, weights, y);
    compare_vec("column_sums", std::vector<Fp4>(out.begin(), out.end()), y);
  }

  void inverse_differences(std::span<const Fp> xs, const Fp4& z, const Fp4& scale,
                           std::span<Fp4> out) override {
    std::vector<Fp4> y(out.size());
    a_->inverse_differences(xs, z, scale, out);
    b_->inverse_differences(xs, z, scale, y);
    compare_vec("inverse_differences", std::vector<Fp4>(out.begin(), out.end()), y);
  }

  void batch_inverse(std::span<const Fp4> in, std::span<Fp4> out) override {
    const std::vector<Fp4> input(in.begin(), in.end());  // out may alias in
    std::vector<Fp4> y(input.size());
    a_->batch_inverse(input, out);
    b_->batch_inverse(input, y);
    compare_vec("batch_inverse", std::vector<Fp4>(out.begin(), out.end()), y);
  }

  // Only when both run it (the CPU HAL does not: its quotient kernel is the
  // STARK layer's, and the prover then uses that one).
  bool runs_quotient() const override { return a_->runs_quotient() && b_->runs_quotient(); }
  void quotient_rows(const QuotientProgram& p, const QuotientRowInputs& in, std::span<Fp4> out) override {
    std::vector<Fp4> y(out.size());
    a_->quotient_rows(p, in, out);
    b_->quotient_rows(p, in, y);
    compare_vec("quotient_rows", std::vector<Fp4>(out.begin(), out.end()), y);
  }

 private:
  [[noreturn]] void fail(const char* kernel, const std::string& what) const {
    throw std::runtime_error(name_ + ": " + kernel + ": backends differ at " + what);
  }
  void compare_roots(const char* kernel, const merkle::MerkleTree& x, const merkle::MerkleTree& y) const {
    if (x.root() == y.root()) return;
    bool rows = true;  // leaf digests are recomputed from the rows
    for (size_t m = 0; m < y.matrices().size(); ++m) rows = rows && y.matrices()[m].height == y.matrix_height(m);
    if (!rows) fail(kernel, "roots " + x.root().hex() + " vs " + y.root().hex());
    // Name the first leaf whose digest differs.
    for (uint64_t i = 0; i < x.height(); ++i)
      if (x.leaf_digest(i) != y.leaf_digest(i))
        fail(kernel, "leaf " + std::to_string(i) + " digest " + x.leaf_digest(i).hex() + " vs " +
                         y.leaf_digest(i).hex());
    fail(kernel, "roots differ (" + x.root().hex() + " vs " + y.root().hex() + ") with equal leaves");
  }
  void compare_matrix(const char* kernel, const RowMajorMatrix<Fp>& x,
                      const RowMajorMatrix<Fp>& y) const {
    if (x.width != y.width || x.height != y.height)
      fail(kernel, "shape " + std::to_string(x.width) + "x" + std::to_string(x.height) + " vs " +
                       std::to_string(y.width) + "x" + std::to_string(y.height));
    for (size_t r = 0; r < x.height; ++r)
      for (size_t c = 0; c < x.width; ++c)
        if (x.at(r, c) != y.at(r, c))
          fail(kernel, "row " + std::to_string(r) + " column " + std::to_string(c) + ": " +
                           std::to_string(x.at(r, c).canonical()) + " vs " +
                           std::to_string(y.at(r, c).canonical()));
  }
  void compare_vec(const char* kernel, const std::vector<Fp4>& x, const std::vector<Fp4>& y) const {
    if (x.size() != y.size())
      fail(kernel, "length " + std::to_string(x.size()) + " vs " + std::to_string(y.size()));
    for (size_t i = 0; i < x.size(); ++i)
      if (x[i] != y[i]) {
        std::ostringstream os;
        os << "row " << i << ": " << x[i] << " vs " << y[i];
        fail(kernel, os.str());
      }
  }

  std::unique_ptr<Hal> a_, b_;
  std::string name_;
};

}  // namespace

std::unique_ptr<Hal> make_dual_hal(std::unique_ptr<Hal> a, std::unique_ptr<Hal> b) {
  if (!a || !b) throw std::invalid_argument("make_dual_hal: both backends are required");
  if (a->ldes_on_device_only())
    throw std::invalid_argument("make_dual_hal: the first backend ('" + std::string(a->name()) +
                                "') keeps its LDEs on the device only; the second reads them from its trees");
  return std::make_unique<DualHal>(std::move(a), std::move(b));
}

}  // namespace zkvm::hal
