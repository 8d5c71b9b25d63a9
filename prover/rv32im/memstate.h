// Witness-generation model of kBusMemory (bus.h): the current token
// (value, time) of every cell, updated access by access in time order. The
// CPU's and the io table's generators share one MemoryState and call
// access() in increasing time; the memory table is built from it at the end.
#pragma once

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
  struct Token {
    uint32_t value = 0;
    uint32_t time = 0;
    uint32_t init = 0;
    bool in_image = false;
  };
  struct Access {
    uint32_t old_value;
    uint32_t prev_time;
  };

  // Initial words: (cell, value) of the image.
  void init_image(uint32_t cell, uint32_t value) { cells_[cell] = Token{value, 0, value, true}; }

  // One access at time t leaving `value_after`; returns the consumed token.
  Access access(uint32_t cell, uint32_t value_after, uint32_t t) {
    auto [it, fresh] = cells_.try_emplace(cell);
    Token& tok = it->second;
    if (!fresh && tok.time >= t)
      throw std::logic_error("memory access to cell " + std::to_string(cell) + " at time " + std::to_string(t) +
                             " is not after its previous access at " + std::to_string(tok.time));
    const Access a{tok.value, tok.time};
    tok.value = value_after;
    tok.time = t;
    return a;
  }
  uint32_t peek(uint32_t cell) const {
    const auto it = cells_.find(cell);
    return it == cells_.end() ? 0 : it->second.value;
  }
  const std::unordered_map<uint32_t, Token>& cells() const { return cells_; }

 private:
  std::unordered_map<uint32_t, Token> cells_;
};

}  // namespace zkvm::rv32im
