/* One large Dense layer, proved (benches/rv32im/permac.sh, "Dense 1024 ->
 * 960"):
 * the prover's cost per MAC of a big layer whose weights are compiled in
 * (read-only data, so the SDK's kernel reads them through dot4_rom, and
 * with the bias and the requantisation also read-only, each block of four
 * outputs through dense4_rom) with a per-tensor requantisation, as a public
 * model's Dense layers are.
 * Input: u32 N, then N vectors of K int8. For each, y = Dense(x) (M
 * outputs) and its first 16 outputs to the journal. The weights are a fixed
 * byte pattern (the cost does not depend on their values). */
#include <stdint.h>

#include <zkvm/guest.h>
#include <zkvm/ml/kernels.h>

/* 240 four-row blocks of 256 dot4 rows: 61,440 accelerator rows and about
 * 15.3k cycles per inference, so both tables are over 90 % full for one
 * inference (2^16 dotrom rows, 2^14 CPU rows) and for four (2^18, 2^16):
 * the marginal cost is not a power-of-two padding artefact. */
#define K 1024
#define M 960

/* 960 KiB of weights as a preprocessor expansion (no generated source). */
#define B16 0x11, 0x92, 0x33, 0xa4, 0x55, 0xb6, 0x77, 0xc8, 0x99, 0x0a, 0xbb, 0x2c, 0xdd, 0x4e, 0xff, 0x60,
#define B256 B16 B16 B16 B16 B16 B16 B16 B16 B16 B16 B16 B16 B16 B16 B16 B16
#define B4K B256 B256 B256 B256 B256 B256 B256 B256 B256 B256 B256 B256 B256 B256 B256 B256
#define B64K B4K B4K B4K B4K B4K B4K B4K B4K B4K B4K B4K B4K B4K B4K B4K B4K
#define B960K B64K B64K B64K B64K B64K B64K B64K B64K B64K B64K B64K B64K B64K B64K B64K
static const uint8_t kWeights[(uint32_t)M * K] __attribute__((aligned(4))) = {B960K};
static const int32_t kBias[M] = {1};
static const int32_t kMult = 1518500250, kShift = 45;

static int8_t x[K] __attribute__((aligned(4)));
static int8_t y[M] __attribute__((aligned(4)));  /* M is a multiple of 4 */
static uint8_t scratch[K + 64] __attribute__((aligned(4)));

int main(void) {
  if (zkml_weight_bytes(M, K) != sizeof kWeights || zkml_dense_scratch_bytes(K) > sizeof scratch)
    zkvm_panic("dense_prove_guest: layout");
  const uint32_t n = zkvm_read_u32();
  /* dense4 = 1: the shift is in [35, 63] (what zkml_prepare checks for a model). */
  const zkml_requant_params rq = {&kMult, &kShift, 0, -3, -128, 127, 1};
  for (uint32_t i = 0; i < n; ++i) {
    zkvm_read_exact(x, K);
    zkml_kernels_dot4.dense(x, K, kWeights, kBias, M, &rq, (int8_t*)scratch, y);
    zkvm_commit(y, 16);
  }
  return 0;
}
