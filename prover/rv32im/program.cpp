#include "prover/rv32im/program.h"

#include <stdexcept>

#include "prover/rv32im/alu.h"
#include "prover/rv32im/bytes.h"

namespace zkvm::rv32im {

size_t program_height(const Image& image) { return padded_height(image.program.size(), kMinTableRows); }
size_t image_height(const Image& image) { return padded_height(image.words.size(), kMinTableRows); }
size_t gap_height(size_t gaps) { return padded_height(gaps, kMinTableRows); }

std::vector<std::pair<uint32_t, uint32_t>> image_gaps(const Image& image) {
  std::vector<std::pair<uint32_t, uint32_t>> gaps;
  uint32_t next = 0;  // first cell after the previous image word
  for (const auto& [a, w] : image.words) {
    const uint32_t cell = a >> 2;
    if (cell >= kCellLimit) throw std::invalid_argument("image word above the guest address space");
    if (cell > next) gaps.emplace_back(next, cell);
    next = cell + 1;
  }
  if (next < kCellLimit) gaps.emplace_back(next, kCellLimit);
  return gaps;
}

std::optional<RowMajorMatrix<Fp>> ProgramAir::preprocessed_trace() const {
  if (image_ == nullptr) throw std::logic_error("ProgramAir: no image (verifier-side object)");
  RowMajorMatrix<Fp> m(cpu::kProgramTupleLen, program_height(*image_));
  for (size_t r = 0; r < image_->program.size(); ++r)
    for (size_t i = 0; i < cpu::kProgramTupleLen; ++i) m.at(r, i) = Fp::from_canonical(image_->program[r][i]);
  return m;
}

std::optional<RowMajorMatrix<Fp>> ImageAir::preprocessed_trace() const {
  if (image_ == nullptr) throw std::logic_error("ImageAir: no image (verifier-side object)");
  RowMajorMatrix<Fp> m(kPreWidth, image_height(*image_));
  for (size_t r = 0; r < image_->words.size(); ++r) {
    const auto [a, w] = image_->words[r];
    m.at(r, kIsReal) = Fp::one();
    m.at(r, kAddr) = Fp::from_canonical(a >> 2);
    for (size_t i = 0; i < 4; ++i) m.at(r, kV + i) = Fp::from_canonical((w >> (8 * i)) & 0xff);
  }
  return m;
}

std::optional<RowMajorMatrix<Fp>> GapAir::preprocessed_trace() const {
  if (image_ == nullptr) throw std::logic_error("GapAir: no image (verifier-side object)");
  const auto gaps = image_gaps(*image_);
  RowMajorMatrix<Fp> m(kPreWidth, gap_height(gaps.size()));
  for (size_t r = 0; r < gaps.size(); ++r) {
    m.at(r, kIsReal) = Fp::one();
    m.at(r, kLo) = Fp::from_canonical(gaps[r].first);
    m.at(r, kHi) = Fp::from_canonical(gaps[r].second);
  }
  return m;
}

std::string ProgramAir::bus_name(uint32_t bus) const { return rv32im_bus_name(bus); }
std::string ImageAir::bus_name(uint32_t bus) const { return rv32im_bus_name(bus); }
std::string GapAir::bus_name(uint32_t bus) const { return rv32im_bus_name(bus); }

}  // namespace zkvm::rv32im
