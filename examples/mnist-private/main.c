/* mnist-private: the model is private input, not part of the ELF.
 * Input: u32 length + zkml model bytes, then the input tensor's int8 bytes.
 * Journal: SHA-256 of the model bytes (32 bytes), then the predicted class
 * (u32 LE). A verifier learns which model (by digest) classified the image
 * as what, without seeing the weights or the image. The model is untrusted
 * data here, so it goes through the bounds-checked parser before use. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <zkvm/guest.h>
#include <zkvm/ml/model.h>
#include <zkvm/sha256.h>

int main(void) {
  uint64_t t0 = zkvm_cycle_count();
  size_t len = 0;
  uint8_t* bytes = zkvm_read_vec(&len);
  if (len > 0xFFFFFFFFu) zkvm_panic("model: too large");
  uint64_t t1 = zkvm_cycle_count();
  uint8_t digest[ZKVM_SHA256_DIGEST_LEN];
  zkvm_sha256(bytes, len, digest);
  zkvm_commit(digest, sizeof digest);
  uint64_t t2 = zkvm_cycle_count();

  static zkml_model m;
  int st = zkml_parse(&m, bytes, (uint32_t)len);
  if (st != ZKML_OK) zkvm_panic("model: %s: %s", zkml_status_name(st), m.error);
  /* arena_bytes is bounded by the parser (ZKML_MAX_ARENA) and computed from
   * checked fields; malloc failing is reported, not ignored. */
  void* arena = malloc(m.arena_bytes);
  if (arena == NULL) zkvm_panic("model: no heap for a %u-byte arena", (unsigned)m.arena_bytes);
  zkml_runner r;
  if (zkml_prepare(&r, &m, arena, m.arena_bytes) != ZKML_OK) zkvm_panic("model: arena");
  uint64_t t3 = zkvm_cycle_count();
  fprintf(stderr, "zkml: read %lu, sha256 %lu, parse+prepare %lu cycles (%lu-byte model)\n", (unsigned long)(t1 - t0),
          (unsigned long)(t2 - t1), (unsigned long)(t3 - t2), (unsigned long)len);
  zkml_tensor in, out;
  zkml_get_tensor(&m, m.input, &in);
  zkml_get_tensor(&m, m.output, &out);
  int8_t* x = (int8_t*)malloc(in.elems);
  if (x == NULL) zkvm_panic("model: no heap for the input");
  zkvm_read_exact(x, in.elems);
  uint64_t c0 = zkvm_cycle_count();
  if (zkml_run(&r, x, in.elems) != ZKML_OK) zkvm_panic("model: run failed");
  fprintf(stderr, "zkml: %lu inference cycles\n", (unsigned long)(zkvm_cycle_count() - c0));
  uint32_t cls = out.dtype == ZKML_DT_INT32 ? (uint32_t)zkml_tensor_i32(&r, m.output)
                                            : (uint32_t)zkml_argmax_s8(zkml_tensor_data(&r, m.output), (int32_t)out.elems);
  zkvm_commit_u32(cls);
  return 0;
}
