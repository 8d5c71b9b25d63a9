/* Compiled as C: the verifier header is valid C and the library links with
 * nothing but OpenSSL and the C++ runtime. Feeds garbage; expects typed
 * errors and no crash. */
#include <stdio.h>
#include <string.h>

#include "zkvm/verifier.h"

int main(void) {
  zkvm_verifier* v = NULL;
  const uint8_t junk[40] = {0x5a, 0x4b, 0x56, 0x4b, 1, 0, 1, 0, 0, 0};
  zkvm_verifier_error e = zkvm_verifier_new(&v, junk, sizeof junk);
  if (e != ZKVM_VERIFIER_ERR_MALFORMED_VK || v != NULL) {
    printf("expected MALFORMED_VK, got %s\n", zkvm_verifier_error_name(e));
    return 1;
  }
  if (zkvm_verifier_verify(NULL, junk, sizeof junk, NULL, 0) != ZKVM_VERIFIER_ERR_NULL_ARGUMENT) return 1;
  {
    uint32_t h[1] = {0};
    if (zkvm_verifier_verify_at_heights(NULL, junk, sizeof junk, NULL, 0, h, 1) != ZKVM_VERIFIER_ERR_NULL_ARGUMENT) return 1;
    if (zkvm_verifier_log_heights_get(NULL, h, 1) != ZKVM_VERIFIER_ERR_NULL_ARGUMENT) return 1;
    if (zkvm_verifier_num_tables(NULL) != 0) return 1;
  }
  if (strcmp(zkvm_verifier_error_name(ZKVM_VERIFIER_ERR_PREPROCESSED_MISMATCH),
             "ZKVM_VERIFIER_ERR_PREPROCESSED_MISMATCH") != 0)
    return 1;
  zkvm_verifier_free(NULL);
  if (strcmp(zkvm_verifier_error_name(ZKVM_VERIFIER_OK), "ZKVM_VERIFIER_OK") != 0) return 1;
  printf("ok\n");
  return 0;
}
