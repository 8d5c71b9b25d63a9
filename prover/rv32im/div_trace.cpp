// div chip: witness generation (see div.h).
#include "prover/rv32im/alu.h"
