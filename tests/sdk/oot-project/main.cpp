// Mixed C/C++ guest with INCLUDES and DEFINES, built out of tree.
#include <array>
#include <cstdio>

#include <zkvm/guest.hpp>

#include "util.h"

int main() {
  std::array<int, 3> xs{1, 2, 3};
  int sum = 0;
  for (int x : xs) sum += util_triple(x);
  std::printf("%s: %d\n", OOT_GREETING, sum);
  zkvm::commit(sum);
  return 0;
}
