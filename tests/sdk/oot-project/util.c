#include "util.h"

int util_triple(int x) { return 3 * x; }
