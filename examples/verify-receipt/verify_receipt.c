/* verify-receipt RECEIPT IMAGE_ID_HEX
 *
 * What a rollup node does with a receipt it received: it trusts one image
 * ID (the program it expects, from `zkvm image-id GUEST.elf`), checks the
 * receipt against it with the C API only, and acts on the journal and exit
 * code only when the call returns ZKVM_VERIFIER_OK.
 *
 * Exit status: 0 accepted (stdout: exit code, cycles, journal in hex);
 * 1 rejected (stderr: the error code's name and the failed check);
 * 2 usage or I/O error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zkvm/verifier.h"

static int hex_nibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static int parse_image_id(const char* hex, uint8_t id[ZKVM_RECEIPT_IMAGE_ID_BYTES]) {
  if (strlen(hex) != 2 * ZKVM_RECEIPT_IMAGE_ID_BYTES) return 0;
  for (size_t i = 0; i < ZKVM_RECEIPT_IMAGE_ID_BYTES; ++i) {
    const int hi = hex_nibble(hex[2 * i]), lo = hex_nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return 0;
    id[i] = (uint8_t)(hi * 16 + lo);
  }
  return 1;
}

/* Reads the whole file, refusing anything larger than a receipt may be
 * before allocating for it. */
static uint8_t* read_receipt(const char* path, size_t* len) {
  FILE* f = fopen(path, "rb");
  if (f == NULL) return NULL;
  uint8_t* buf = NULL;
  long n = -1;
  if (fseek(f, 0, SEEK_END) == 0) n = ftell(f);
  if (n >= 0 && (unsigned long)n <= ZKVM_RECEIPT_MAX_BYTES && fseek(f, 0, SEEK_SET) == 0) {
    buf = malloc(n > 0 ? (size_t)n : 1);
    if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
      free(buf);
      buf = NULL;
    }
  }
  fclose(f);
  if (buf != NULL) *len = (size_t)n;
  return buf;
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s RECEIPT IMAGE_ID_HEX\n", argv[0]);
    return 2;
  }
  uint8_t image_id[ZKVM_RECEIPT_IMAGE_ID_BYTES];
  if (!parse_image_id(argv[2], image_id)) {
    fprintf(stderr, "%s: image ID must be 64 hex digits\n", argv[2]);
    return 2;
  }
  size_t receipt_len = 0;
  uint8_t* receipt = read_receipt(argv[1], &receipt_len);
  if (receipt == NULL) {
    fprintf(stderr, "%s: cannot read (or larger than %zu bytes)\n", argv[1], (size_t)ZKVM_RECEIPT_MAX_BYTES);
    return 2;
  }
  /* One buffer as large as any journal may be: BUFFER_TOO_SMALL cannot occur. */
  uint8_t* journal = malloc(ZKVM_RECEIPT_MAX_JOURNAL_BYTES);
  if (journal == NULL) {
    free(receipt);
    return 2;
  }
  size_t journal_len = 0;
  uint32_t exit_code = 0;
  uint64_t cycles = 0;
  char err[512];
  const zkvm_verifier_error e = zkvm_receipt_verify(image_id, receipt, receipt_len, journal,
                                                    ZKVM_RECEIPT_MAX_JOURNAL_BYTES, &journal_len, &exit_code,
                                                    &cycles, err, sizeof err);
  free(receipt);
  if (e != ZKVM_VERIFIER_OK) {
    fprintf(stderr, "rejected: %s: %s\n", zkvm_verifier_error_name(e), err);
    free(journal);
    return 1;
  }
  printf("accepted: exit code %u, %llu cycles, journal %zu bytes\njournal: ", (unsigned)exit_code,
         (unsigned long long)cycles, journal_len);
  for (size_t i = 0; i < journal_len; ++i) printf("%02x", journal[i]);
  printf("\n");
  free(journal);
  return 0;
}
