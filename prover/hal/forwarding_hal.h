// A Hal that hands every call to another one, with a hook around each:
// the base for wrappers that change one entry point (a test's backend
// without residency) or watch all of them (the benches' transfer counts
// per entry point under emulation).
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "prover/hal/hal.h"

namespace zkvm::hal {

class ForwardingHal : public Hal {
 public:
  explicit ForwardingHal(Hal& inner) : inner_(inner) {}
  std::string_view name() const override { return inner_.name(); }

  RowMajorMatrix<Fp> coset_lde(const RowMajorMatrix<Fp>& e, unsigned lb, Fp shift) override {
    Scope s(*this, "coset_lde");
    return inner_.coset_lde(e, lb, shift);
  }
  std::unique_ptr<merkle::MerkleTree> commit_ldes(std::vector<RowMajorMatrix<Fp>> traces, unsigned lb, Fp shift,
                                                  std::vector<uint8_t> salts, size_t salt_len) override {
    Scope s(*this, "commit_ldes");
    return inner_.commit_ldes(std::move(traces), lb, shift, std::move(salts), salt_len);
  }
  bool ldes_on_device_only() const override { return inner_.ldes_on_device_only(); }
  std::optional<std::vector<std::pair<uint64_t, std::vector<Fp>>>> resident_rows(
      const RowMajorMatrix<Fp>& m, std::span<const uint64_t> rows) override {
    Scope s(*this, "resident_rows");
    return inner_.resident_rows(m, rows);
  }
  std::unique_ptr<merkle::MerkleTree> merkle_commit(std::vector<RowMajorMatrix<Fp>> mats, std::vector<uint8_t> salts,
                                                    size_t salt_len) override {
    Scope s(*this, "merkle_commit");
    return inner_.merkle_commit(std::move(mats), std::move(salts), salt_len);
  }
  FriCommitted fri_commit(std::vector<std::vector<Fp4>> inputs, std::span<const std::pair<unsigned, unsigned>> plan,
                          const std::function<std::vector<Fp4>(size_t, const hash::Digest&)>& betas,
                          const std::function<Fp4(size_t)>& join) override {
    Scope s(*this, "fri_commit");
    return inner_.fri_commit(std::move(inputs), plan, betas, join);
  }
  std::vector<Fp4> fri_fold(std::span<const Fp4> c, std::span<const Fp4> b) override {
    Scope s(*this, "fri_fold");
    return inner_.fri_fold(c, b);
  }
  void reduce_rows(const RowMajorMatrix<Fp>& m, std::span<const Fp4> c, std::span<Fp4> o) override {
    Scope s(*this, "reduce_rows");
    inner_.reduce_rows(m, c, o);
  }
  void column_sums(const RowMajorMatrix<Fp>& m, size_t r, std::span<const Fp4> w, std::span<Fp4> o) override {
    Scope s(*this, "column_sums");
    inner_.column_sums(m, r, w, o);
  }
  void inverse_differences(std::span<const Fp> x, const Fp4& z, const Fp4& sc, std::span<Fp4> o) override {
    Scope s(*this, "inverse_differences");
    inner_.inverse_differences(x, z, sc, o);
  }
  void batch_inverse(std::span<const Fp4> in, std::span<Fp4> out) override {
    Scope s(*this, "batch_inverse");
    inner_.batch_inverse(in, out);
  }
  bool runs_quotient() const override { return inner_.runs_quotient(); }
  void quotient_rows(const QuotientProgram& p, const QuotientRowInputs& in, std::span<Fp4> out) override {
    Scope s(*this, "quotient_rows");
    inner_.quotient_rows(p, in, out);
  }

 protected:
  // Around every forwarded call (nested ones too: a default commit_ldes
  // calls coset_lde and merkle_commit through this object).
  virtual void before(const char* entry) { (void)entry; }
  virtual void after(const char* entry) { (void)entry; }
  Hal& inner() { return inner_; }

 private:
  struct Scope {
    Scope(ForwardingHal& h, const char* e) : h_(h), e_(e) { h_.before(e_); }
    ~Scope() { h_.after(e_); }
    ForwardingHal& h_;
    const char* e_;
  };
  Hal& inner_;
};

}  // namespace zkvm::hal
