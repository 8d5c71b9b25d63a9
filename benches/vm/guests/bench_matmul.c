/* int8 x int8 -> int32 matrix multiply, 128x128 by 128x128, `reps` times
 * (the ML kernels' inner loop shape). input: u32 reps. journal: u32 checksum. */
#include <zkvm/guest.h>

#define N 128
static int8_t a[N][N], b[N][N];
static int32_t c[N][N];

int main(void) {
  const uint32_t reps = zkvm_read_u32();
  uint32_t seed = 12345;
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j) {
      seed = seed * 1103515245u + 12345u;
      a[i][j] = (int8_t)(seed >> 16);
      seed = seed * 1103515245u + 12345u;
      b[i][j] = (int8_t)(seed >> 16);
    }
  uint32_t sum = 0;
  for (uint32_t r = 0; r < reps; ++r) {
    a[r % N][0] = (int8_t)r; /* vary the input between reps */
    for (int i = 0; i < N; ++i)
      for (int j = 0; j < N; ++j) {
        int32_t acc = 0;
        for (int k = 0; k < N; ++k) acc += (int32_t)a[i][k] * (int32_t)b[k][j];
        c[i][j] = acc;
      }
    for (int i = 0; i < N; ++i) sum = sum * 31u + (uint32_t)c[i][(i * 7) % N];
  }
  zkvm_commit_u32(sum);
  return 0;
}
