// The HAL on kernels: zkvm::hal::Hal implemented as sequences of launches
// of the bodies in cuda/kernels/, generic over an executor Exec that owns
// memory and launches:
//   Exec::Buf<T>                      buffer of n T's (RAII), .data()
//   exec.alloc<T>(n)                  -> Buf<T>
//   exec.upload(buf, host_ptr, n)     host -> buffer
//   exec.download(host_ptr, buf, n)   buffer -> host (waits for the kernels)
//   exec.launch<K>(total, args...)    total threads running K::run(i, args...)
//   exec.launch_blocks<K>(grid, block_dim, phases, shared, args...)
//                                     grid blocks of block_dim threads running
//                                     K::run(block, thread, phase, sh, args...)
//                                     for phase = 0..phases-1 with a barrier
//                                     after each; sh: `shared` K::Shared per block
// CudaExec (cuda/cuda_hal.cu) runs them on a GPU; HostExec (cuda/emulate.h)
// loops over the same grid on the CPU, which is how CI tests this file and
// the kernels without a GPU.
//
// commit_ldes keeps a round's LDEs on the device for as long as its tree
// lives, and the kernels that read one of the tree's matrices use that copy
// (docs/CUDA.md "Residency"); the other calls copy their inputs up and
// results back. The digests go into a host MerkleTree, which keeps host
// copies of the matrices to answer openings.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "cuda/kernels/hal_kernels.h"
#include "cuda/kernels/launch.h"
#include "cuda/kernels/merkle_kernels.h"
#include "cuda/kernels/ntt_kernels.h"
#include "cuda/kernels/quotient_kernels.h"
#include "cuda/kernels/tables.h"
#include "prover/hal/hal.h"

namespace zkvm::gpu {

// Rows per first-level chunk of column_sums, and partial rows added per
// thread in the later levels.
inline constexpr uint64_t kColumnChunkRows = 256;
inline constexpr uint64_t kSumGroup = 64;

template <class Exec>
class KernelHal final : public hal::Hal {
 public:
  // host_ldes: commit_ldes also downloads each LDE into the host tree.
  // Without it (the default) a round's LDEs live on the device only: the
  // host tree holds no rows and resident_rows supplies the opened ones.
  KernelHal(Exec exec, std::string name, bool host_ldes = false)
      : exec_(std::move(exec)), name_(std::move(name)), host_ldes_(host_ldes) {}

  std::string_view name() const override { return name_; }
  Exec& exec() { return exec_; }
  const Exec& exec() const { return exec_; }

  RowMajorMatrix<Fp> coset_lde(const RowMajorMatrix<Fp>& evals, unsigned log_blowup,
                               Fp shift) override {
    RowMajorMatrix<Fp> out;
    std::vector<merkle::MatrixShape> shapes;
    const auto lde = lde_on_device(evals, log_blowup, shift, &out, shapes);
    exec_.download(out.values.data(), lde, out.values.size());
    return out;
  }

  // commit_ldes with the LDEs hashed where they were computed and kept
  // there, owned by the tree (MerkleTree::attach): quotient_rows,
  // column_sums and reduce_rows given one of its matrices read the device
  // copy, and resident_rows gathers the rows an opening reads. The host
  // tree holds no rows unless host_ldes (then each LDE also comes down).
  std::unique_ptr<merkle::MerkleTree> commit_ldes(std::vector<RowMajorMatrix<Fp>> traces, unsigned log_blowup,
                                                  Fp shift, std::vector<uint8_t> salts, size_t salt_len) override {
    if (traces.empty()) throw std::invalid_argument(err("commit_ldes of no matrices"));
    auto state = std::make_shared<Resident>();
    std::vector<RowMajorMatrix<Fp>> ldes;
    std::vector<merkle::MatrixShape> shapes;
    std::vector<const Fp*> dev;
    for (auto& t : traces) {
      RowMajorMatrix<Fp> out;
      state->bufs.push_back(lde_on_device(t, log_blowup, shift, host_ldes_ ? &out : nullptr, shapes));
      t = {};  // free the trace-domain copy early
      if (host_ldes_) {
        exec_.download(out.values.data(), state->bufs.back(), out.values.size());
        ldes.push_back(std::move(out));
      }
      state->widths.push_back(shapes.back().width);
      state->heights.push_back(shapes.back().height);
      dev.push_back(state->bufs.back().data());
    }
    if (shapes[0].height == 0) throw std::invalid_argument(err("merkle_commit of no rows"));
    const unsigned log_h = static_cast<unsigned>(__builtin_ctzll(shapes[0].height));
    auto levels = merkle_levels_on(shapes, dev, salts, salt_len, merkle::MerkleTree::stored_from(log_h));
    auto tree = host_ldes_ ? std::make_unique<merkle::MerkleTree>(std::move(ldes), std::move(salts), salt_len,
                                                                  std::move(levels))
                           : std::make_unique<merkle::MerkleTree>(std::span<const merkle::MatrixShape>(shapes),
                                                                  std::move(salts), salt_len, std::move(levels));
    tree->attach(state);
    std::lock_guard<std::mutex> lock(resident_mu_);
    std::erase_if(resident_, [](const auto& kv) { return kv.second.owner.expired(); });
    for (size_t j = 0; j < tree->matrices().size(); ++j)
      resident_[&tree->matrices()[j]] = {state, j};
    return tree;
  }

  bool ldes_on_device_only() const override { return !host_ldes_; }

  // Rows of a live commit_ldes tree's matrix, gathered on the device
  // (GatherRows) and copied back in one transfer.
  std::optional<std::vector<std::pair<uint64_t, std::vector<Fp>>>> resident_rows(
      const RowMajorMatrix<Fp>& m, std::span<const uint64_t> rows) override {
    const View v = view(m);
    if (v.resident == nullptr) return std::nullopt;
    for (const uint64_t r : rows)
      if (r >= v.height)
        throw std::invalid_argument(err("resident_rows: row " + std::to_string(r) + " outside the matrix's " +
                                        std::to_string(v.height) + " rows"));
    const size_t w = m.width, k = rows.size();
    std::vector<Fp> flat(k * w);
    if (k != 0 && w != 0) {
      auto didx = exec_.template alloc<uint64_t>(k);
      exec_.upload(didx, rows.data(), k);
      auto dout = exec_.template alloc<Fp>(k * w);
      launch<GatherRows>(uint64_t{k} * w, v.resident, uint64_t{w}, static_cast<const uint64_t*>(didx.data()),
                         dout.data());
      exec_.download(flat.data(), dout, k * w);
    }
    std::vector<std::pair<uint64_t, std::vector<Fp>>> out(k);
    for (size_t i = 0; i < k; ++i)
      out[i] = {rows[i], std::vector<Fp>(flat.begin() + static_cast<ptrdiff_t>(i * w),
                                         flat.begin() + static_cast<ptrdiff_t>((i + 1) * w))};
    return out;
  }

  // The bytes the device keeps for live trees (commit_ldes).
  uint64_t resident_bytes() {
    std::lock_guard<std::mutex> lock(resident_mu_);
    std::vector<const Resident*> seen;
    uint64_t total = 0;
    for (const auto& [m, ref] : resident_) {
      const auto r = ref.owner.lock();
      if (!r || std::find(seen.begin(), seen.end(), r.get()) != seen.end()) continue;
      seen.push_back(r.get());
      for (size_t j = 0; j < r->bufs.size(); ++j) total += r->widths[j] * r->heights[j] * sizeof(Fp);
    }
    return total;
  }

 private:
  // Device copies of one commit_ldes tree's LDEs, owned by the tree.
  struct Resident {
    std::vector<typename Exec::template Buf<Fp>> bufs;
    std::vector<size_t> widths, heights;
  };
  struct ResidentRef {
    std::weak_ptr<const Resident> owner;
    size_t index = 0;
  };

  // m as the kernels read it: when m is a matrix of a live commit_ldes tree
  // (keyed by its address in the tree, which cannot be another matrix's
  // while the tree lives), the device copy at its full height, whatever
  // rows the host copy holds (drop_rows only cuts rows, so the host rows
  // are the copy's first ones); otherwise the host matrix, whose
  // width x height values device_rows uploads. hold keeps the copy alive
  // for the call.
  struct View {
    const Fp* resident = nullptr;
    size_t height = 0;
    std::shared_ptr<const Resident> hold;
  };
  View view(const RowMajorMatrix<Fp>& m) {
    View v;
    {
      std::lock_guard<std::mutex> lock(resident_mu_);
      if (const auto it = resident_.find(&m); it != resident_.end()) {
        v.hold = it->second.owner.lock();
        const size_t j = it->second.index;
        if (v.hold && v.hold->widths[j] == m.width && v.hold->heights[j] >= m.height) {
          v.resident = v.hold->bufs[j].data();
          v.height = v.hold->heights[j];
          return v;
        }
        v.hold.reset();
      }
    }
    if (m.values.size() != m.width * m.height)
      throw std::invalid_argument(err("matrix holds " + std::to_string(m.values.size()) + " values, expected " +
                                      std::to_string(m.width) + " x " + std::to_string(m.height)));
    v.height = m.height;
    return v;
  }

  // The first `rows` rows of m on the device: its resident copy, or an
  // upload kept in `keep`.
  const Fp* device_rows(const RowMajorMatrix<Fp>& m, const View& v, size_t rows,
                        typename Exec::template Buf<Fp>& keep) {
    if (v.resident != nullptr) {
      ++resident_hits_;
      return v.resident;
    }
    keep = exec_.template alloc<Fp>(rows * m.width);
    exec_.upload(keep, m.values.data(), rows * m.width);
    return keep.data();
  }

 public:
  // Kernel inputs read from a resident copy instead of an upload.
  uint64_t resident_hits() const { return resident_hits_; }

 private:
  // The LDE of evals on the device (rows bit-reversed, as coset_lde); its
  // shape is appended to shapes, and *out (when given) sized for it
  // (zeroed, not filled).
  typename Exec::template Buf<Fp> lde_on_device(const RowMajorMatrix<Fp>& evals, unsigned log_blowup, Fp shift,
                                                RowMajorMatrix<Fp>* out,
                                                std::vector<merkle::MatrixShape>& shapes) {
    const size_t n = evals.height, w = evals.width;
    if (w != 0 && n > SIZE_MAX / w)
      throw std::invalid_argument(err("coset_lde: width x height overflows size_t"));
    if (evals.values.size() != w * n)
      throw std::invalid_argument(err("coset_lde: matrix holds " +
                                      std::to_string(evals.values.size()) +
                                      " values, expected width " + std::to_string(w) +
                                      " x height " + std::to_string(n)));
    if (n == 0 || (n & (n - 1)) != 0)
      throw std::invalid_argument(err("coset_lde: height " + std::to_string(n) +
                                      " is not a power of two"));
    const unsigned log_n = static_cast<unsigned>(__builtin_ctzll(n));
    if (log_n + log_blowup > Fp::kTwoAdicity)
      throw std::invalid_argument(err("coset_lde: extended height 2^" +
                                      std::to_string(log_n + log_blowup) +
                                      " exceeds the field's two-adicity 2^27"));
    const size_t big = n << log_blowup;
    if (w != 0 && big > SIZE_MAX / w)
      throw std::invalid_argument(err("coset_lde: output overflows size_t"));
    if (out != nullptr) *out = RowMajorMatrix<Fp>(w, big);
    shapes.push_back({big, w});
    if (w == 0) return exec_.template alloc<Fp>(0);

    const Fp g = field::two_adic_generator(log_n);
    const auto tw_fwd = power_table(g, n / 2);
    const auto tw_inv = power_table(g.inverse(), n / 2);

    auto coeffs = exec_.template alloc<Fp>(w * n);
    exec_.upload(coeffs, evals.values.data(), w * n);
    dif(coeffs.data(), 1, w, log_n, tw_inv->data());

    auto scale = exec_.template alloc<Fp>(big);
    {
      const auto shift_pow = power_table(shift, n);
      const auto g_big_pow = power_table(field::two_adic_generator(log_n + log_blowup), n);
      const auto g_blowup_pow = power_table(field::two_adic_generator(log_blowup), size_t{1} << log_blowup);
      launch<LdeScaleTable>(big, scale.data(), log_n, log_blowup, shift_pow->data(),
                            g_big_pow->data(), g_blowup_pow->data(), Fp::from_u64(n).inverse());
    }
    auto lde = exec_.template alloc<Fp>(w * big);
    launch<LdeScatter>(uint64_t{w} * big, static_cast<const Fp*>(coeffs.data()), lde.data(),
                       uint64_t{w}, log_n, static_cast<const Fp*>(scale.data()));
    dif(lde.data(), uint64_t{1} << log_blowup, w, log_n, tw_fwd->data());
    return lde;
  }

 public:

  // The tree's digests on the device (merkle_levels), from its lowest
  // stored level up; the host tree keeps the matrices for openings.
  std::unique_ptr<merkle::MerkleTree> merkle_commit(std::vector<RowMajorMatrix<Fp>> mats,
                                                    std::vector<uint8_t> salts,
                                                    size_t salt_len) override {
    if (mats.empty() || mats[0].height == 0)
      throw std::invalid_argument(err("merkle_commit of no rows"));
    const unsigned log_h = static_cast<unsigned>(__builtin_ctzll(mats[0].height));
    auto levels = merkle_levels(mats, salts, salt_len, merkle::MerkleTree::stored_from(log_h));
    return std::make_unique<merkle::MerkleTree>(std::move(mats), std::move(salts), salt_len,
                                                std::move(levels));
  }

  std::vector<Fp4> fri_fold(std::span<const Fp4> codeword, std::span<const Fp4> betas) override {
    const size_t n0 = codeword.size();
    const unsigned log_arity = static_cast<unsigned>(betas.size());
    if (n0 == 0 || (n0 & (n0 - 1)) != 0 || log_arity >= 64 || (n0 >> log_arity) == 0)
      throw std::invalid_argument(err("fri_fold of size " + std::to_string(n0) +
                                      " by arity 2^" + std::to_string(log_arity)));
    if (log_arity == 0) return {codeword.begin(), codeword.end()};
    const unsigned m0 = static_cast<unsigned>(__builtin_ctzll(n0));
    // tab (hal_kernels.h): t[0] = 1/2, then step j multiplies by
    // w^(2^(m0-2-j)), w = g_m0^-1.
    const auto tab = cached(TableKind::FriHalfInverse, m0, n0 / 2, [&] { return half_inverse_table(m0); });
    auto a = exec_.template alloc<Fp4>(n0);
    auto b = exec_.template alloc<Fp4>(n0 / 2);
    exec_.upload(a, codeword.data(), n0);
    size_t len = n0;
    for (unsigned s = 0; s < log_arity; ++s) {
      len /= 2;
      launch<FriFoldStep>(len, static_cast<const Fp4*>(a.data()), b.data(), betas[s], tab->data());
      std::swap(a, b);
    }
    std::vector<Fp4> out(len);
    exec_.download(out.data(), a, len);
    return out;
  }

  // The commit phase with the codeword on the device: each layer's leaves
  // are hashed where the codeword lies (an Fp4 array is its leaf matrix's
  // row-major values), the tree owns that buffer (the openings gather their
  // rows with resident_rows) and holds no host rows, the fold runs on the
  // device, and a joining input goes up once. Only the digests and the last
  // codeword come back.
  FriCommitted fri_commit(std::vector<std::vector<Fp4>> inputs, std::span<const std::pair<unsigned, unsigned>> plan,
                          const std::function<std::vector<Fp4>(size_t, const hash::Digest&)>& betas,
                          const std::function<Fp4(size_t)>& join) override {
    static_assert(sizeof(Fp4) == 4 * sizeof(Fp), "an Fp4 is its 4 base coefficients");
    if (inputs.empty()) throw std::invalid_argument(err("fri_commit of no input"));
    FriCommitted out;
    uint64_t len = inputs[0].size();
    auto cur = exec_.template alloc<Fp>(4 * len);
    exec_.upload(cur, reinterpret_cast<const Fp*>(inputs[0].data()), 4 * len);
    inputs[0] = {};
    size_t next = 1;
    for (size_t l = 0; l < plan.size(); ++l) {
      const auto [n, k] = plan[l];
      if (n >= 64 || len != (uint64_t{1} << n) || k == 0 || k > n)
        throw std::invalid_argument(err("fri_commit: layer " + std::to_string(l) + " has " + std::to_string(len) +
                                        " values, its plan 2^" + std::to_string(n) + " by arity 2^" +
                                        std::to_string(k)));
      const std::vector<merkle::MatrixShape> shape = {{len >> k, size_t{4} << k}};
      auto levels = merkle_levels_on(shape, {cur.data()}, {}, 0, merkle::MerkleTree::stored_from(n - k));
      auto tree = std::make_unique<merkle::MerkleTree>(std::span<const merkle::MatrixShape>(shape),
                                                       std::vector<uint8_t>{}, 0, std::move(levels));
      const auto bs = betas(l, tree->root());
      if (bs.size() != k)
        throw std::invalid_argument(err("fri_commit: " + std::to_string(bs.size()) + " challenges for arity 2^" +
                                        std::to_string(k)));
      // Fold by 2^k (fri_fold's steps) into a new buffer; the layer's
      // codeword goes to its tree.
      const auto tab = cached(TableKind::FriHalfInverse, n, len / 2, [&] { return half_inverse_table(n); });
      auto a = exec_.template alloc<Fp>(4 * (len / 2));
      auto b = exec_.template alloc<Fp>(k > 1 ? 4 * (len / 4) : 0);
      const Fp4* src = reinterpret_cast<const Fp4*>(cur.data());
      for (unsigned st = 0; st < k; ++st) {
        len /= 2;
        Fp4* dst = reinterpret_cast<Fp4*>((st % 2 == 0 ? a : b).data());
        launch<FriFoldStep>(len, src, dst, bs[st], tab->data());
        src = dst;
      }
      auto folded = (k % 2 == 1) ? std::move(a) : std::move(b);
      own(*tree, std::move(cur));
      out.trees.push_back(std::move(tree));
      cur = std::move(folded);
      if (next < inputs.size() && inputs[next].size() == len) {
        const Fp4 f = join(l);
        auto din = exec_.template alloc<Fp>(4 * len);
        exec_.upload(din, reinterpret_cast<const Fp*>(inputs[next].data()), 4 * len);
        launch<AddScaled>(len, reinterpret_cast<Fp4*>(cur.data()), f, reinterpret_cast<const Fp4*>(din.data()));
        inputs[next] = {};
        ++next;
      }
    }
    out.last.resize(len);
    exec_.download(reinterpret_cast<Fp*>(out.last.data()), cur, 4 * len);
    return out;
  }

  // Every level of the Merkle tree of mats (prover/merkle/merkle.h: one
  // height, or a mixed tree, tallest first, each shorter group's leaf
  // hashes absorbed at the level of its height), levels[0] = leaf digests,
  // back() = {root}, hashed on the device with the format of
  // prover/hash/hash.h. Levels below from_level are computed but not
  // copied back (left empty). salts: salt_len bytes per row of every
  // group, group by group, as MerkleTree takes them.
  std::vector<std::vector<hash::Digest>> merkle_levels(const std::vector<RowMajorMatrix<Fp>>& mats,
                                                       std::span<const uint8_t> salts, size_t salt_len,
                                                       unsigned from_level = 0) {
    merkle::MerkleLayout layout;
    if (const std::string e = merkle::merkle_layout(mats, salts.size(), salt_len, layout); !e.empty())
      throw std::invalid_argument(err("merkle_levels: " + e));
    std::vector<typename Exec::template Buf<Fp>> dmats;
    std::vector<const Fp*> dev;
    for (const auto& m : mats) {
      dmats.push_back(exec_.template alloc<Fp>(m.values.size()));
      exec_.upload(dmats.back(), m.values.data(), m.values.size());
      dev.push_back(dmats.back().data());
    }
    std::vector<merkle::MatrixShape> shapes;
    for (const auto& m : mats) shapes.push_back({m.height, m.width});
    return merkle_levels_on(shapes, dev, salts, salt_len, from_level);
  }

  // merkle_levels of matrices already on the device (dev[m]: the values
  // of a shapes[m] matrix).
  std::vector<std::vector<hash::Digest>> merkle_levels_on(std::span<const merkle::MatrixShape> shapes,
                                                          const std::vector<const Fp*>& dev,
                                                          std::span<const uint8_t> salts, size_t salt_len,
                                                          unsigned from_level) {
    merkle::MerkleLayout layout;
    if (const std::string e = merkle::merkle_layout(shapes, salts.size(), salt_len, layout); !e.empty())
      throw std::invalid_argument(err("merkle_levels: " + e));
    const auto& groups = layout.groups;
    const auto& salt_at = layout.salt_offsets;  // per group, in salts
    std::vector<MatView> views;
    for (size_t m = 0; m < shapes.size(); ++m) views.push_back({dev[m], shapes[m].width});
    auto dviews = exec_.template alloc<MatView>(views.size());
    exec_.upload(dviews, views.data(), views.size());
    auto dsalts = exec_.template alloc<uint8_t>(salts.size());
    exec_.upload(dsalts, salts.data(), salts.size());
    const auto iv = [](const hash::MerkleIv& v) {
      Sha256State s;
      for (int k = 0; k < 8; ++k) s.h[k] = v[k];
      return s;
    };
    // Leaf hashes of group g's rows into out (height of the group threads).
    const auto hash_rows = [&](size_t g, Sha256State* out) {
      const auto& grp = groups[g];
      launch<MerkleLeaves>(grp.height, static_cast<const MatView*>(dviews.data()) + grp.begin,
                           static_cast<uint32_t>(grp.end - grp.begin),
                           static_cast<const uint8_t*>(dsalts.data()) + salt_at[g], uint64_t{salt_len},
                           iv(hash::merkle_leaf_iv()), out);
    };
    const uint64_t h = groups[0].height;
    const unsigned log_h = static_cast<unsigned>(__builtin_ctzll(h));
    std::vector<std::vector<hash::Digest>> levels(log_h + 1);
    auto cur = exec_.template alloc<Sha256State>(h);
    hash_rows(0, cur.data());
    if (from_level == 0) levels[0] = digests(cur, h);
    for (unsigned l = 1; l <= log_h; ++l) {
      const uint64_t n = h >> l;
      auto next = exec_.template alloc<Sha256State>(n);
      launch<MerkleNodes>(n, static_cast<const Sha256State*>(cur.data()), next.data(),
                          iv(hash::merkle_node_iv()));
      for (size_t g = 1; g < groups.size(); ++g) {
        if (groups[g].level != l) continue;
        auto rows = exec_.template alloc<Sha256State>(n);
        hash_rows(g, rows.data());
        launch<MerkleAbsorb>(n, next.data(), static_cast<const Sha256State*>(rows.data()),
                             iv(hash::merkle_node_iv()));
      }
      cur = std::move(next);
      if (l >= from_level) levels[l] = digests(cur, n);
    }
    return levels;
  }

  // The quotient from its recorded program (hal/quotient_program.h): one
  // QuotientRow thread per coset row; the first 2^(log_n + log_chunks) rows
  // of each LDE and the selectors are copied in.
  bool runs_quotient() const override { return true; }
  void quotient_rows(const hal::QuotientProgram& p, const hal::QuotientRowInputs& in,
                     std::span<Fp4> out) override {
    const unsigned log_big = in.log_n + in.log_chunks;
    const uint64_t big = uint64_t{1} << log_big;
    const uint64_t count = in.rows.empty() ? big : in.rows.size();
    if (in.main == nullptr || in.selectors == nullptr || out.size() != count)
      throw std::invalid_argument(err("quotient_rows: no main LDE or selectors, or " +
                                      std::to_string(out.size()) + " outputs for " +
                                      std::to_string(count) + " rows"));
    if (p.slots > hal::QuotientProgram::kMaxSlots)
      throw std::invalid_argument(err("quotient_rows: program needs " + std::to_string(p.slots) + " slots"));
    const auto& sel = *in.selectors;
    if (sel.first.size() != big || sel.last.size() != big || sel.transition.size() != big ||
        sel.factor.size() != big)
      throw std::invalid_argument(err("quotient_rows: selectors are not of the coset's size"));
    for (const size_t r : in.rows)
      if (r >= big) throw std::invalid_argument(err("quotient_rows: row " + std::to_string(r) + " outside the coset"));
    View views[3];
    typename Exec::template Buf<Fp> uploads[3];
    auto lde_rows = [&](const RowMajorMatrix<Fp>* m, const char* what, int k) -> const Fp* {
      if (m == nullptr) return nullptr;
      views[k] = view(*m);
      if (views[k].height < big)
        throw std::invalid_argument(err(std::string("quotient_rows: ") + what + " LDE has " +
                                        std::to_string(views[k].height) + " rows, need " + std::to_string(big)));
      return device_rows(*m, views[k], big, uploads[k]);
    };
    const Fp *dmain = lde_rows(in.main, "main", 0), *dpre = lde_rows(in.pre, "preprocessed", 1),
             *daux = lde_rows(in.aux, "aux", 2);
    auto upload_fp = [&](const std::vector<Fp>& v) {
      auto buf = exec_.template alloc<Fp>(v.size());
      exec_.upload(buf, v.data(), v.size());
      return buf;
    };
    auto dsf = upload_fp(sel.first), dsl = upload_fp(sel.last), dst = upload_fp(sel.transition),
         dfac = upload_fp(sel.factor);
    auto dcode = exec_.template alloc<hal::QInstr>(p.code.size());
    exec_.upload(dcode, p.code.data(), p.code.size());
    std::vector<uint64_t> rows(in.rows.begin(), in.rows.end());
    auto drows = exec_.template alloc<uint64_t>(rows.size());
    exec_.upload(drows, rows.data(), rows.size());
    auto dout = exec_.template alloc<Fp4>(count);
    QuotientArgs a{};
    a.code = dcode.data();
    a.code_len = p.code.size();
    for (int k = 0; k < 4; ++k) a.out[k] = p.out[k];
    a.log_big = log_big;
    a.nz = uint64_t{1} << in.log_chunks;
    a.rows = rows.empty() ? nullptr : static_cast<const uint64_t*>(drows.data());
    a.main = dmain;
    a.main_width = in.main->width;
    a.pre = dpre;
    a.pre_width = in.pre != nullptr ? in.pre->width : 0;
    a.aux = daux;
    a.aux_width = in.aux != nullptr ? in.aux->width : 0;
    a.sel_first = dsf.data();
    a.sel_last = dsl.data();
    a.sel_trans = dst.data();
    a.factor = dfac.data();
    a.out_values = dout.data();
    launch<QuotientRow>(count, a);
    exec_.download(out.data(), dout, count);
  }

  void reduce_rows(const RowMajorMatrix<Fp>& m, std::span<const Fp4> coeffs,
                   std::span<Fp4> out) override {
    const View v = view(m);
    if (coeffs.size() != m.width || out.size() > v.height)
      throw std::invalid_argument(err("reduce_rows shape mismatch (" + std::to_string(m.width) +
                                      " x " + std::to_string(v.height) + " matrix, " +
                                      std::to_string(coeffs.size()) + " coeffs, " +
                                      std::to_string(out.size()) + " outputs)"));
    // Only the first out.size() rows are read, so only they are copied.
    const size_t w = m.width, h = out.size();
    if (h == 0) return;
    typename Exec::template Buf<Fp> keep;
    const Fp* dm = device_rows(m, v, h, keep);
    auto dc = exec_.template alloc<Fp4>(w);
    auto dout = exec_.template alloc<Fp4>(h);
    exec_.upload(dc, coeffs.data(), w);
    launch<ReduceRows>(h, dm, uint64_t{w},
                       static_cast<const Fp4*>(dc.data()), dout.data());
    exec_.download(out.data(), dout, h);
  }

  void column_sums(const RowMajorMatrix<Fp>& m, size_t rows, std::span<const Fp4> weights,
                   std::span<Fp4> out) override {
    const View v = view(m);
    if (rows > v.height || weights.size() != rows || out.size() != m.width)
      throw std::invalid_argument(err("column_sums shape mismatch (" + std::to_string(m.width) +
                                      " x " + std::to_string(v.height) + " matrix, " +
                                      std::to_string(rows) + " rows, " +
                                      std::to_string(weights.size()) + " weights, " +
                                      std::to_string(out.size()) + " outputs)"));
    const size_t w = m.width;
    if (w == 0) return;
    if (rows == 0) {
      for (auto& o : out) o = Fp4();
      return;
    }
    // Only the first `rows` rows are read, so only they are copied (when
    // the matrix is not resident).
    typename Exec::template Buf<Fp> keep;
    const Fp* dm = device_rows(m, v, rows, keep);
    auto dw = exec_.template alloc<Fp4>(rows);
    exec_.upload(dw, weights.data(), rows);
    uint64_t chunks = (rows + kColumnChunkRows - 1) / kColumnChunkRows;
    auto cur = exec_.template alloc<Fp4>(chunks * w);
    launch<ColumnSumsPartial>(chunks * w, dm, uint64_t{w},
                              uint64_t{rows}, kColumnChunkRows,
                              static_cast<const Fp4*>(dw.data()), cur.data());
    while (chunks > 1) {
      const uint64_t next_chunks = (chunks + kSumGroup - 1) / kSumGroup;
      auto next = exec_.template alloc<Fp4>(next_chunks * w);
      launch<SumChunks>(next_chunks * w, static_cast<const Fp4*>(cur.data()), uint64_t{w},
                        chunks, kSumGroup, next.data());
      cur = std::move(next);
      chunks = next_chunks;
    }
    exec_.download(out.data(), cur, w);
  }

  void inverse_differences(std::span<const Fp> xs, const Fp4& z, const Fp4& scale,
                           std::span<Fp4> out) override {
    if (xs.size() != out.size()) throw std::invalid_argument(err("inverse_differences size mismatch"));
    const size_t n = xs.size();
    if (n == 0) return;
    auto dx = exec_.template alloc<Fp>(n);
    auto dout = exec_.template alloc<Fp4>(n);
    auto zero = zero_slot();
    exec_.upload(dx, xs.data(), n);
    const uint64_t threads = inverse_threads(n);
    launch<InverseDifferences>(threads, static_cast<const Fp*>(dx.data()), z, scale, dout.data(),
                               uint64_t{n}, threads, zero.data());
    const uint64_t at = read_slot(zero);
    if (at != kNone)
      throw std::invalid_argument(err("inverse_differences: point " + std::to_string(at) +
                                      " equals z"));
    exec_.download(out.data(), dout, n);
  }

  void batch_inverse(std::span<const Fp4> in, std::span<Fp4> out) override {
    if (in.size() != out.size()) throw std::invalid_argument(err("batch_inverse size mismatch"));
    const size_t n = in.size();
    if (n == 0) return;
    auto d = exec_.template alloc<Fp4>(n);  // in place: the kernel allows aliasing
    auto zero = zero_slot();
    exec_.upload(d, in.data(), n);
    const uint64_t threads = inverse_threads(n);
    launch<BatchInverse>(threads, static_cast<const Fp4*>(d.data()), d.data(), uint64_t{n},
                         threads, zero.data());
    const uint64_t at = read_slot(zero);
    if (at != kNone)
      throw std::invalid_argument(err("batch_inverse of a zero element (index " +
                                      std::to_string(at) + ")"));
    exec_.download(out.data(), d, n);
  }

 private:
  static constexpr uint64_t kNone = std::numeric_limits<uint64_t>::max();

  template <class K, class... A>
  void launch(uint64_t total, A... args) {
    if (total == 0) return;  // a zero-block grid is a launch error on a GPU
    if (grid_for(total) > kMaxGridDim)
      throw std::length_error(err("kernel launch of " + std::to_string(total) +
                                  " threads exceeds the grid limit"));
    exec_.template launch<K>(total, args...);
  }

  // Constant tables (twiddles, powers of a shift, FRI's 1/(2x)) are built
  // once per (kind, value, length) and kept on the device: at most
  // kTableCacheElems elements, the whole cache dropped when a new table
  // would pass that (a table in use stays alive through its shared_ptr).
  static constexpr uint64_t kTableCacheElems = uint64_t{1} << 26;
  enum class TableKind : uint32_t { Powers, FriHalfInverse };
  using Table = std::shared_ptr<const typename Exec::template Buf<Fp>>;
  template <class Make>
  Table cached(TableKind kind, uint32_t value, uint64_t len, Make make) {
    const std::tuple<uint32_t, uint32_t, uint64_t> key{static_cast<uint32_t>(kind), value, len};
    {
      std::lock_guard<std::mutex> lock(tables_mu_);
      if (const auto it = tables_.find(key); it != tables_.end()) return it->second;
    }
    Table t = std::make_shared<const typename Exec::template Buf<Fp>>(make());
    std::lock_guard<std::mutex> lock(tables_mu_);
    if (table_elems_ + len > kTableCacheElems) {
      tables_.clear();
      table_elems_ = 0;
    }
    if (tables_.emplace(key, t).second) table_elems_ += len;
    return t;
  }
  // FRI's pair table for codewords of 2^m0 values (hal_kernels.h): t[0] =
  // 1/2, then step j multiplies by w^(2^(m0-2-j)), w = g_m0^-1.
  typename Exec::template Buf<Fp> half_inverse_table(unsigned m0) {
    auto t = exec_.template alloc<Fp>((uint64_t{1} << m0) / 2);
    const Fp half_one = Fp::from_monty(kInvTwoMonty);
    exec_.upload(t, &half_one, 1);
    const unsigned b = m0 - 1;
    std::vector<Fp> pw(b + 1);  // pw[k] = w^(2^k)
    pw[0] = field::two_adic_generator(m0).inverse();
    for (unsigned k = 1; k <= b; ++k) pw[k] = pw[k - 1].square();
    for (unsigned j = 0; j < b; ++j)
      launch<ExtendTable>(uint64_t{1} << j, t.data(), uint64_t{1} << j, pw[b - 1 - j]);
    return t;
  }

  // The tree owns buf (its one matrix's values) and the registry maps the
  // matrix to it, as commit_ldes does.
  void own(merkle::MerkleTree& tree, typename Exec::template Buf<Fp> buf) {
    auto state = std::make_shared<Resident>();
    state->widths.push_back(tree.matrices()[0].width);
    state->heights.push_back(tree.matrix_height(0));
    state->bufs.push_back(std::move(buf));
    tree.attach(state);
    std::lock_guard<std::mutex> lock(resident_mu_);
    std::erase_if(resident_, [](const auto& kv) { return kv.second.owner.expired(); });
    resident_[&tree.matrices()[0]] = {state, 0};
  }

  // t[j] = root^j, j < len, from the cache.
  Table power_table(Fp root, uint64_t len) {
    return cached(TableKind::Powers, root.canonical(), len, [&] { return powers(root, len); });
  }

  // t[j] = root^j, j < len (len a power of two, or 0).
  typename Exec::template Buf<Fp> powers(Fp root, uint64_t len) {
    auto t = exec_.template alloc<Fp>(len);
    if (len == 0) return t;
    const Fp one = Fp::one();
    exec_.upload(t, &one, 1);
    Fp f = root;  // root^cur
    for (uint64_t cur = 1; cur < len; cur *= 2, f = f.square())
      launch<ExtendTable>(cur, t.data(), cur, f);
    return t;
  }

  // Decimation-in-frequency transform of `blocks` consecutive blocks of
  // n = 2^log_n rows (natural in, bit-reversed out), tw[j] = omega^j: the
  // log_n stages in ceil(log_n / 9) DifTile launches of near-equal numbers
  // of stages (ntt_kernels.h), each one pass over the matrix.
  void dif(Fp* data, uint64_t blocks, uint64_t w, unsigned log_n, const Fp* tw) {
    if (log_n == 0 || w == 0) return;
    const unsigned passes = (log_n + DifTile::kMaxLogTile - 1) / DifTile::kMaxLogTile;
    unsigned stage = 0;
    for (unsigned p = 0; p < passes; ++p) {
      const unsigned k = (log_n - stage) / (passes - p) + ((log_n - stage) % (passes - p) != 0);
      const DifTileGeom geo{log_n, stage, k};
      const uint32_t cols = DifTile::cols_for(w);
      const uint64_t grid = (blocks << (log_n - k)) * ((w + cols - 1) / cols);
      if (grid > kMaxGridDim)
        throw std::length_error(err("DIF launch of " + std::to_string(grid) +
                                    " blocks exceeds the grid limit"));
      exec_.template launch_blocks<DifTile>(grid, uint32_t{1} << (k - 1), k, size_t{cols} << k, data,
                                            w, geo, tw, cols);
      stage += k;
    }
  }

  // Device states -> digests (each state word big-endian).
  std::vector<hash::Digest> digests(const typename Exec::template Buf<Sha256State>& b, uint64_t n) {
    std::vector<Sha256State> st(n);
    exec_.download(st.data(), b, n);
    std::vector<hash::Digest> out(n);
    for (uint64_t i = 0; i < n; ++i)
      for (int k = 0; k < 8; ++k)
        for (int j = 0; j < 4; ++j)
          out[i].bytes[4 * k + j] = static_cast<uint8_t>(st[i].h[k] >> (24 - 8 * j));
    return out;
  }

  typename Exec::template Buf<uint64_t> zero_slot() {
    auto s = exec_.template alloc<uint64_t>(1);
    exec_.upload(s, &kNone, 1);
    return s;
  }
  uint64_t read_slot(const typename Exec::template Buf<uint64_t>& s) {
    uint64_t v = 0;
    exec_.download(&v, s, 1);
    return v;
  }
  std::string err(const std::string& what) const { return name_ + " hal: " + what; }

  Exec exec_;
  std::string name_;
  bool host_ldes_;
  std::mutex resident_mu_;
  std::unordered_map<const RowMajorMatrix<Fp>*, ResidentRef> resident_;
  std::atomic<uint64_t> resident_hits_{0};
  std::mutex tables_mu_;
  std::map<std::tuple<uint32_t, uint32_t, uint64_t>, Table> tables_;
  uint64_t table_elems_ = 0;
};

}  // namespace zkvm::gpu
