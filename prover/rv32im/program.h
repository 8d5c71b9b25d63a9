// The program table and the image table: the two tables fixed by the ELF
// (preprocessed, so committed in the verifying key and the image ID).
//
// ProgramAir: one row per word of the executable segments that decodes to
// an RV32IM instruction: (1, pc, decode fields, const result) as in
// cpu::kProgramTupleLen, received on kBusProgram with the main column mult
// (how often the CPU executed it; free). Padding rows have first element 0,
// which no CPU row sends. SOUNDNESS: every tuple a CPU row can match is the
// decoding of an instruction word of the image at that pc.
//
// ImageAir: one row per word of the loaded image (every PT_LOAD byte, code
// and data, bytes past p_filesz zero), preprocessed (addr, v0..v3) with
// is_real = 1 (0 on padding). Two main columns:
// - touched (boolean, 0 on padding and outside the active segment, the
//   last): the row sends the word's initial token (addr, v0..v3, 0) on
//   kBusHandoff, the source of the cell's chain (memory.h). An image word no
//   segment touches needs no token, so it costs no boundary row; one a
//   segment touches has no other source (boundary rows send only for cells
//   outside the image, which they prove with the gap table), so it starts
//   with exactly its loaded value.
// - rom reads: the word's read count on kBusRom (dot4_rom weights, dot.h; dense4_rom bias, mult and shift words, dense.h):
//   free, so a ROM read of a word the image does not hold, or with another
//   value, leaves the bus unbalanced (and padding rows, whose tuple is all
//   zero, are never read).
//
// GapAir: the maximal ranges [lo, hi) of cells (bus.h kBusMemory addresses,
// up to kCellLimit) that hold no image word, one per row (preprocessed
// is_real, lo, hi), received on kBusGap with the main column as the count:
// free, and 0 on padding, whose (0, 0) is no range.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "prover/air/air.h"
#include "prover/rv32im/bus.h"
#include "prover/rv32im/cpu.h"

namespace zkvm::vm {
struct Program;
}

namespace zkvm::rv32im {

using field::Fp;
using matrix::RowMajorMatrix;

// Smallest height of every RV32IM table.
inline constexpr size_t kMinTableRows = 128;

// Decoded program row: the preprocessed tuple, element by element.
using ProgramRow = std::vector<uint32_t>;

// The memory image of an ELF as the proof sees it.
struct Image {
  uint32_t entry = 0;
  std::vector<std::pair<uint32_t, uint32_t>> words;  // (byte address, word), ascending
  std::vector<ProgramRow> program;                   // decoded executable words, ascending pc
};
Image build_image(const vm::Program& program);

// Decode tuple of one instruction word at pc; empty if it is not RV32IM.
ProgramRow decode_program_row(uint32_t pc, uint32_t word);

class ProgramAir : public PaddedAir<ProgramAir> {
 public:
  ProgramAir() = default;
  explicit ProgramAir(const Image* image) : image_(image) {}
  std::string name() const override { return "rv32im-program"; }
  size_t width() const override { return 1; }
  size_t preprocessed_width() const override { return cpu::kProgramTupleLen; }
  std::optional<RowMajorMatrix<Fp>> preprocessed_trace() const override;
  std::string bus_name(uint32_t bus) const override;
  template <class B>
  void constraints(B& b) const {
    std::vector<typename B::Expr> t;
    for (size_t i = 0; i < cpu::kProgramTupleLen; ++i) t.push_back(b.pre(i));
    b.interact(kBusProgram, std::span<const typename B::Expr>(t), b.main(0), false);
  }

 private:
  const Image* image_ = nullptr;  // prover side only (setup)
};

class ImageAir : public PaddedAir<ImageAir> {
 public:
  enum PreCol : size_t { kIsReal, kAddr, kV, kPreWidth = kV + 4 };
  enum Col : size_t { kRomReads, kTouched, kWidth };
  // active: 1 in the segment that holds the boundary table (the last), 0 in
  // every other, so each image word's chain starts once per statement
  // (memory.h).
  enum Pub : size_t { kPubActive, kNumPublics };
  ImageAir() = default;
  explicit ImageAir(const Image* image) : image_(image) {}
  std::string name() const override { return "rv32im-image"; }
  size_t width() const override { return kWidth; }
  size_t preprocessed_width() const override { return kPreWidth; }
  size_t num_public_values() const override { return kNumPublics; }
  std::optional<RowMajorMatrix<Fp>> preprocessed_trace() const override;
  std::string bus_name(uint32_t bus) const override;
  template <class B>
  void constraints(B& b) const {
    const auto one = b.lit(1), touched = b.main(kTouched), real = b.pre(kIsReal);
    b.assert_bool("touched is boolean", touched);
    b.assert_zero("padding is never touched", (one - real) * touched);
    b.assert_zero("touched only in the active segment", (one - b.pub(kPubActive)) * touched);
    b.send(kBusHandoff, {b.pre(kAddr), b.pre(kV), b.pre(kV + 1), b.pre(kV + 2), b.pre(kV + 3), b.lit(0)}, touched);
    // How often the segment reads the word on kBusRom (dot4_rom weights, dense4_rom parameters).
    // Padding rows are never read.
    b.assert_zero("padding is never read", (one - real) * b.main(kRomReads));
    b.receive(kBusRom, {b.pre(kAddr), b.pre(kV), b.pre(kV + 1), b.pre(kV + 2), b.pre(kV + 3)}, b.main(kRomReads));
  }

 private:
  const Image* image_ = nullptr;
};

// The cell of byte 0x1000_0000: guest words (docs/GUEST_ABI.md "Address
// space") and registers lie below it; the last gap ends here.
inline constexpr uint32_t kCellLimit = 1u << 26;

class GapAir : public PaddedAir<GapAir> {
 public:
  enum PreCol : size_t { kIsReal, kLo, kHi, kPreWidth };
  GapAir() = default;
  explicit GapAir(const Image* image) : image_(image) {}
  std::string name() const override { return "rv32im-gaps"; }
  size_t width() const override { return 1; }
  size_t preprocessed_width() const override { return kPreWidth; }
  std::optional<RowMajorMatrix<Fp>> preprocessed_trace() const override;
  std::string bus_name(uint32_t bus) const override;
  template <class B>
  void constraints(B& b) const {
    b.assert_zero("padding is never looked up", (b.lit(1) - b.pre(kIsReal)) * b.main(0));
    b.receive(kBusGap, {b.pre(kLo), b.pre(kHi)}, b.main(0));
  }

 private:
  const Image* image_ = nullptr;
};

// The gap table's ranges [lo, hi) of cells, ascending: the complement of the
// image words' cells in [0, kCellLimit).
std::vector<std::pair<uint32_t, uint32_t>> image_gaps(const Image& image);

size_t program_height(const Image& image);
size_t image_height(const Image& image);
// Height of the gap table for `gaps` ranges (image_gaps(image).size()).
size_t gap_height(size_t gaps);

}  // namespace zkvm::rv32im
