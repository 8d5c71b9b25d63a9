// shift chip: witness generation (see shift.h).
#include "prover/rv32im/alu.h"
