// Witness-generation model of kBusMemory and kBusHandoff (bus.h, memory.h):
// the current word and time of every cell, updated access by access in time
// order, segment by segment. The CPU's and the io table's generators share
// one MemoryState and call access() in increasing (segment-local) time; a
// segment's memory table is built from segment_cells() at its end, the
// boundary table from boundary_cells() after the last segment.
#pragma once

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

namespace zkvm::rv32im {

// kBusMemory address of register r and of the guest word holding byte a.
inline constexpr uint32_t reg_cell(uint32_t r) { return r; }
inline constexpr uint32_t word_cell(uint32_t byte_addr) { return byte_addr >> 2; }

class MemoryState {
 public:
  struct Access {
    uint32_t old_value;
    uint32_t prev_time;  // 0: the cell's first access in this segment
  };
  // One memory-table row: a cell the segment touched.
  struct SegmentCell {
    uint32_t cell, init, fin, fin_time, prev_tag;
  };
  // One boundary-table row: a cell some segment touched.
  struct BoundaryCell {
    uint32_t cell, fin, last_tag;
    bool in_image;
  };

  // Initial words: (cell, value) of the image, before the first segment.
  void init_image(uint32_t cell, uint32_t value) {
    Cell& c = cells_[cell];
    c.value = value;
    c.in_image = true;
  }

  // Starts the segment with tag `tag` (>= 1, increasing; without a call the
  // state is in segment 1): times restart at 0.
  void begin_segment(uint32_t tag) {
    if (tag < tag_ || (tag == tag_ && began_)) throw std::logic_error("memory segments must have increasing tags");
    tag_ = tag;
    began_ = true;
    touched_.clear();
  }

  // One access at time t leaving `value_after`; returns the consumed token.
  Access access(uint32_t cell, uint32_t value_after, uint32_t t) {
    Cell& c = cells_[cell];
    if (c.tag != tag_) {  // first touch in this segment
      c.prev_tag = c.tag;
      c.tag = tag_;
      c.seg_init = c.value;
      c.time = 0;
      touched_.push_back(cell);
    } else if (c.time >= t) {
      throw std::logic_error("memory access to cell " + std::to_string(cell) + " at time " + std::to_string(t) +
                             " is not after its previous access at " + std::to_string(c.time));
    }
    const Access a{c.value, c.time};
    c.value = value_after;
    c.time = t;
    return a;
  }
  // For tests that play a cheating prover (witness.h TraceCheck::kForge):
  // the cell's current word is replaced before the segment's first access
  // to it, as if the previous segment had left `value` there.
  bool touched_in_segment(uint32_t cell) const {
    const auto it = cells_.find(cell);
    return it != cells_.end() && it->second.tag == tag_;
  }
  void forge_value(uint32_t cell, uint32_t value) { cells_[cell].value = value; }

  uint32_t peek(uint32_t cell) const {
    const auto it = cells_.find(cell);
    return it == cells_.end() ? 0 : it->second.value;
  }

  // The cells this segment touched, ascending.
  std::vector<SegmentCell> segment_cells() const {
    std::vector<SegmentCell> out;
    out.reserve(touched_.size());
    for (uint32_t cell : touched_) {
      const Cell& c = cells_.at(cell);
      out.push_back({cell, c.seg_init, c.value, c.time, c.prev_tag});
    }
    std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) { return x.cell < y.cell; });
    return out;
  }
  // The number of cells this segment touched (its memory table's rows).
  size_t touched_cells() const { return touched_.size(); }
  // Has any segment so far touched the cell?
  bool ever_touched(uint32_t cell) const {
    const auto it = cells_.find(cell);
    return it != cells_.end() && it->second.tag != 0;
  }
  // Every cell the execution touched, ascending.
  std::vector<BoundaryCell> boundary_cells() const {
    std::vector<BoundaryCell> out;
    out.reserve(cells_.size());
    for (const auto& [cell, c] : cells_)
      if (c.tag != 0) out.push_back({cell, c.value, c.tag, c.in_image});
    std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) { return x.cell < y.cell; });
    return out;
  }

 private:
  struct Cell {
    uint32_t value = 0;     // current word
    uint32_t time = 0;      // time of the last access in segment `tag`
    uint32_t seg_init = 0;  // at the start of segment `tag`
    uint32_t tag = 0;       // last segment that touched it (0: none)
    uint32_t prev_tag = 0;  // the one before that
    bool in_image = false;
  };
  std::unordered_map<uint32_t, Cell> cells_;
  std::vector<uint32_t> touched_;
  uint32_t tag_ = 1;
  bool began_ = false;
};

}  // namespace zkvm::rv32im
