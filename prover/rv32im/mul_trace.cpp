// mul chip: witness generation (see mul.h).
#include "prover/rv32im/alu.h"
