// operator new panics with a clear message when the heap is exhausted.
#include <cstdio>
#include <vector>

#include <zkvm/guest.hpp>

int main() {
  std::vector<char*> blocks;
  for (;;) {  // 16 MiB at a time until the heap (about 255 MiB) runs out
    blocks.push_back(new char[16u << 20]);
    std::printf("allocated %zu MiB\n", blocks.size() * 16);
  }
}
