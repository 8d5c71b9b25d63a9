// bitwise chip: witness generation (see bitwise.h).
#include "prover/rv32im/alu.h"
