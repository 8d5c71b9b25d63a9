/* Test guest for host/guest bit-identity: reads a zkml model and a batch of
 * inputs, runs the interpreter and commits every node's output tensor, so
 * the host test can compare each op's result byte for byte.
 * Input: vec(model bytes), u32 count, then count x vec(input bytes).
 * Journal: per input, two runs: first without the fused Conv + MaxPool
 * kernel (zkml_kernels.conv_maxpool cleared), per node in order the output
 * tensor's bytes (int8 tensors) or its int32 value (LE); then with it, the
 * same except the outputs of the Convs it fused (zkml_node_fused), which it
 * does not write. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zkvm/guest.h>
#include <zkvm/ml/model.h>

int main(void) {
  size_t len = 0;
  uint8_t* bytes = zkvm_read_vec(&len);
  static zkml_model m;
  int st = zkml_parse(&m, bytes, (uint32_t)len);
  if (st != ZKML_OK) zkvm_panic("model: %s: %s", zkml_status_name(st), m.error);
  void* arena = malloc(m.arena_bytes);
  if (arena == NULL) zkvm_panic("no heap for a %u-byte arena", (unsigned)m.arena_bytes);
  zkml_runner r;
  if (zkml_prepare(&r, &m, arena, m.arena_bytes) != ZKML_OK) zkvm_panic("arena");
  uint32_t count = zkvm_read_u32();
  const zkml_kernel_table fused = zkml_kernels;
  for (uint32_t i = 0; i < count; ++i) {
    size_t n = 0;
    uint8_t* x = zkvm_read_vec(&n);
    for (int pass = 0; pass < 2; ++pass) {
      zkml_kernels = fused;
      if (pass == 0) zkml_kernels.conv_maxpool = 0;
      /* Poison every node's output first, so a value the run did not write
       * cannot pass as the previous pass's. */
      for (uint32_t k = 0; k < m.n_nodes; ++k) {
        zkml_node nd;
        zkml_tensor t;
        zkml_get_node(&m, k, &nd);
        zkml_get_tensor(&m, nd.out, &t);
        memset((void*)zkml_tensor_data(&r, nd.out), 0x5A, t.dtype == ZKML_DT_INT32 ? 4u : t.elems);
      }
      st = zkml_run(&r, (const int8_t*)x, (uint32_t)n);
      if (st != ZKML_OK) zkvm_panic("run: %s", zkml_status_name(st));
      for (uint32_t k = 0; k < m.n_nodes; ++k) {
        zkml_node nd;
        zkml_tensor t;
        zkml_get_node(&m, k, &nd);
        zkml_get_tensor(&m, nd.out, &t);
        if (zkml_node_fused(&r, k)) continue;
        if (t.dtype == ZKML_DT_INT32) zkvm_commit_i32(zkml_tensor_i32(&r, nd.out));
        else zkvm_commit(zkml_tensor_data(&r, nd.out), t.elems);
      }
    }
    free(x);
  }
  return 0;
}
