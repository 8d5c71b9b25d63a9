#include "prover/rv32im/program.h"

#include <stdexcept>

#include "prover/rv32im/alu.h"
#include "prover/rv32im/bytes.h"

namespace zkvm::rv32im {

size_t program_height(const Image& image) { return padded_height(image.program.size(), kMinTableRows); }
size_t image_height(const Image& image) { return padded_height(image.words.size(), kMinTableRows); }

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

std::string ProgramAir::bus_name(uint32_t bus) const { return rv32im_bus_name(bus); }
std::string ImageAir::bus_name(uint32_t bus) const { return rv32im_bus_name(bus); }

}  // namespace zkvm::rv32im
