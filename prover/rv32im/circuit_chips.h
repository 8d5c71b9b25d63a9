// The AIR objects of one circuit (shared by witness.cpp and circuit.cpp).
#pragma once

#include "prover/rv32im/bitwise.h"
#include "prover/rv32im/bytes.h"
#include "prover/rv32im/cpu.h"
#include "prover/rv32im/dense.h"
#include "prover/rv32im/div.h"
#include "prover/rv32im/dot.h"
#include "prover/rv32im/io.h"
#include "prover/rv32im/memory.h"
#include "prover/rv32im/mul.h"
#include "prover/rv32im/program.h"
#include "prover/rv32im/sha.h"
#include "prover/rv32im/shift.h"
#include "prover/rv32im/witness.h"

namespace zkvm::rv32im {

struct Circuit::Chips {
  CpuAir cpu;
  CpuAir cpu_x{true};
  ProgramAir program;
  ImageAir image;
  MemoryAir memory;
  ByteTableAir bytes = circuit_bytes();
  ByteTableAir bytes_tail = circuit_bytes_tail();
  BitwiseChipAir bitwise;
  ShiftChipAir shift;
  MulChipAir mul;
  DivChipAir div;
  IoAir io;
  BoundaryAir boundary;
  DotCallAir dot_call;
  DotAir dot;
  ShaCallAir sha_call;
  ShaRoundAir sha_round;
  ShaRoundAir sha_round_x{true};
  ShaConstAir sha_const;
  GapAir gaps;
  DotRomAir dot_rom;
  DenseCallAir dense;
  DotRomSxAir dot_rom_sx;
  explicit Chips(const Image* img) : program(img), image(img), gaps(img) {}
};


}  // namespace zkvm::rv32im
