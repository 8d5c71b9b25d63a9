#include "prover/verify/registry.h"

#include <algorithm>
#include <array>
#include <functional>

#include "prover/air/examples.h"
#include "zkvm/verifier.h"

namespace zkvm::verify {

namespace {

struct Program {
  uint32_t id;
  std::vector<const air::Air*> airs;
  std::vector<unsigned> pre_log_heights;  // per table
  // Hex of the preprocessed root (one mixed-height tree) at
  // log_blowup 1..6; all empty when no table has preprocessed columns.
  std::array<const char*, 6> pre_roots;
};

const std::vector<Program>& programs() {
  using namespace air::examples;
  static const FibonacciAir fib;
  static const ByteValuesAir byte_values;
  static const ByteTableAir byte_table;
  static const SyntheticAir syn8(8), syn64(64);
  static const OutputAir outputs;
  static const std::vector<Program> p{
      {ZKVM_PROGRAM_FIBONACCI, {&fib}, {0}, {"", "", "", "", "", ""}},
      // The byte table (256 rows, column t = row): pins computed by setup()
      // (tests/stark "registry pins equal ..." prints them on a mismatch).
      {ZKVM_PROGRAM_BYTE_RANGE,
       {&byte_values, &byte_table},
       {0, 8},
       {"dfc7c39d6d9ebdc200878926fbea9d7fa23e2c78afead45bb94b1daa80066011",
        "674f0079fb5df1e84913107a72a1699d0319a4df2641639e3139c899cb3dc2b3",
        "971f4a3ea825b0657402060b7ba0a00de0d564391bab02149775b6ce4312bc96",
        "d8deb24125b97811165af30dbdc0d2a9ca4240fa06f9b613722cf9c55513dc7a",
        "1edf111abd2e7742139c97c297708fcf59189987ae352a072cb03660fea2047f",
        "142afd39012167c34bd91fe16ade3a64aee13a32de68a06b62b2df74d79ece1f"}},
      {ZKVM_PROGRAM_SYNTHETIC_8, {&syn8}, {0}, {"", "", "", "", "", ""}},
      {ZKVM_PROGRAM_SYNTHETIC_64, {&syn64}, {0}, {"", "", "", "", "", ""}},
      {ZKVM_PROGRAM_PUBLIC_OUTPUT, {&outputs}, {0}, {"", "", "", "", "", ""}},
  };
  return p;
}

const Program* find(uint32_t id) {
  for (const auto& p : programs())
    if (p.id == id) return &p;
  return nullptr;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

const std::vector<const air::Air*>* find_program(uint32_t program_id) {
  const Program* p = find(program_id);
  return p != nullptr ? &p->airs : nullptr;
}

std::vector<uint32_t> program_ids() {
  std::vector<uint32_t> ids;
  for (const auto& p : programs()) ids.push_back(p.id);
  return ids;
}

std::optional<PreprocessedPin> expected_preprocessed(uint32_t program_id, unsigned log_blowup) {
  const Program* p = find(program_id);
  if (p == nullptr || log_blowup < 1 || log_blowup > p->pre_roots.size()) return std::nullopt;
  PreprocessedPin pin;
  pin.log_heights = p->pre_log_heights;
  const std::string hex = p->pre_roots[log_blowup - 1];
  if (hex.size() % 64 != 0) return std::nullopt;
  for (size_t off = 0; off < hex.size(); off += 64) {
    hash::Digest d;
    for (size_t i = 0; i < 32; ++i) {
      const int hi = hex_digit(hex[off + 2 * i]), lo = hex_digit(hex[off + 2 * i + 1]);
      if (hi < 0 || lo < 0) return std::nullopt;
      d.bytes[i] = static_cast<uint8_t>(hi * 16 + lo);
    }
    pin.roots.push_back(d);
  }
  return pin;
}

std::string check_preprocessed(const stark::VerifyingKey& vk) {
  const unsigned lb = vk.config.pcs.fri.log_blowup;
  const std::string where = "program " + std::to_string(vk.program_id) + ", log_blowup " + std::to_string(lb) + ": ";
  const auto pin = expected_preprocessed(vk.program_id, lb);
  if (!pin) return where + "no pinned preprocessed commitment";
  if (vk.pre_log_heights.size() != pin->log_heights.size())
    return where + std::to_string(vk.pre_log_heights.size()) + " preprocessed heights, pinned " +
           std::to_string(pin->log_heights.size());
  for (size_t t = 0; t < pin->log_heights.size(); ++t)
    if (vk.pre_log_heights[t] != pin->log_heights[t])
      return where + "table '" + vk.airs.at(t)->name() + "': preprocessed log height " +
             std::to_string(vk.pre_log_heights[t]) + ", pinned " + std::to_string(pin->log_heights[t]);
  if (vk.pre_commitment.roots.size() != pin->roots.size())
    return where + std::to_string(vk.pre_commitment.roots.size()) + " preprocessed roots, pinned " +
           std::to_string(pin->roots.size());
  // One root: the mixed-height tree of every table's preprocessed columns.
  for (size_t i = 0; i < pin->roots.size(); ++i) {
    if (vk.pre_commitment.roots[i] == pin->roots[i]) continue;
    std::string tables;
    for (size_t t = 0; t < pin->log_heights.size(); ++t)
      if (pin->log_heights[t] != 0) tables += (tables.empty() ? "table '" : ", '") + vk.airs.at(t)->name() + "'";
    return where + tables + ": preprocessed root " + vk.pre_commitment.roots[i].hex() + " differs from the pinned " +
           pin->roots[i].hex();
  }
  return {};
}

}  // namespace zkvm::verify
