/* zkvm_receipt_verify from C: the receipt section of the verifier header is
 * valid C and the library (with the RV32IM AIR's verifier side) links with
 * nothing but OpenSSL and the C++ runtime.
 *
 *   test_receipt_c_api                      garbage and NULL arguments only
 *   test_receipt_c_api RECEIPT IMAGE_ID EXIT
 *       also a real receipt (IMAGE_ID: a file holding `zkvm image-id`'s hex;
 *       EXIT: the guest's exit code), run by test_cli.cpp after `zkvm prove` */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zkvm/verifier.h"

#define EXPECT(cond)                                          \
  do {                                                        \
    if (!(cond)) {                                            \
      printf("%s:%d: failed: %s\n", __FILE__, __LINE__, #cond); \
      return 1;                                               \
    }                                                         \
  } while (0)

static int version_checks(void) {
  EXPECT(strcmp(zkvm_version(), ZKVM_EXPECTED_VERSION) == 0);
  EXPECT(zkvm_receipt_format_version() == 3);
  EXPECT(zkvm_circuit_version() == 13);
  return 0;
}

static int garbage_checks(void) {
  const uint8_t id[32] = {0};
  uint8_t journal[16];
  size_t len = 99;
  uint32_t code = 77;
  uint64_t cycles = 77;
  char err[128];
  const uint8_t junk[40] = {0x5a, 0x4b, 0x52, 0x43, 1, 0, 1, 0, 0, 0};

  EXPECT(zkvm_receipt_verify(NULL, junk, sizeof junk, journal, sizeof journal, &len, &code, &cycles, err,
                             sizeof err) == ZKVM_VERIFIER_ERR_NULL_ARGUMENT);
  EXPECT(zkvm_receipt_verify(id, junk, sizeof junk, journal, sizeof journal, NULL, &code, &cycles, err, sizeof err) ==
         ZKVM_VERIFIER_ERR_NULL_ARGUMENT);
  EXPECT(zkvm_receipt_verify(id, NULL, 5, journal, sizeof journal, &len, &code, &cycles, err, sizeof err) ==
         ZKVM_VERIFIER_ERR_NULL_ARGUMENT);
  EXPECT(zkvm_receipt_verify(id, junk, sizeof junk, NULL, 4, &len, &code, &cycles, err, sizeof err) ==
         ZKVM_VERIFIER_ERR_NULL_ARGUMENT);

  len = 99;
  EXPECT(zkvm_receipt_verify(id, junk, sizeof junk, journal, sizeof journal, &len, &code, &cycles, err, sizeof err) ==
         ZKVM_VERIFIER_ERR_MALFORMED_RECEIPT);
  EXPECT(len == 0 && code == 77 && cycles == 77);
  EXPECT(strlen(err) > 0);
  /* Empty input, tiny error buffer (truncated, still NUL-terminated), no optional outputs. */
  char tiny[4];
  EXPECT(zkvm_receipt_verify(id, NULL, 0, NULL, 0, &len, NULL, NULL, tiny, sizeof tiny) ==
         ZKVM_VERIFIER_ERR_MALFORMED_RECEIPT);
  EXPECT(strlen(tiny) == 3);
  EXPECT(zkvm_receipt_verify(id, junk, sizeof junk, NULL, 0, &len, NULL, NULL, NULL, 0) ==
         ZKVM_VERIFIER_ERR_MALFORMED_RECEIPT);
  /* Larger than any receipt: refused before it is read (the pointer is junk's). */
  EXPECT(zkvm_receipt_verify(id, junk, ZKVM_RECEIPT_MAX_BYTES + 1, NULL, 0, &len, NULL, NULL, NULL, 0) ==
         ZKVM_VERIFIER_ERR_MALFORMED_RECEIPT);
  EXPECT(strcmp(zkvm_verifier_error_name(ZKVM_VERIFIER_ERR_IMAGE_ID_MISMATCH), "ZKVM_VERIFIER_ERR_IMAGE_ID_MISMATCH") ==
         0);
  EXPECT(strcmp(zkvm_verifier_error_name(ZKVM_VERIFIER_ERR_BUFFER_TOO_SMALL), "ZKVM_VERIFIER_ERR_BUFFER_TOO_SMALL") ==
         0);
  EXPECT(strcmp(zkvm_verifier_error_name(ZKVM_VERIFIER_ERR_MALFORMED_RECEIPT), "ZKVM_VERIFIER_ERR_MALFORMED_RECEIPT") ==
         0);
  return 0;
}

static uint8_t* read_all(const char* path, size_t* n) {
  FILE* f = fopen(path, "rb");
  if (f == NULL) return NULL;
  fseek(f, 0, SEEK_END);
  long len = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t* b = malloc(len > 0 ? (size_t)len : 1);
  if (b != NULL && fread(b, 1, (size_t)len, f) != (size_t)len) {
    free(b);
    b = NULL;
  }
  fclose(f);
  *n = (size_t)len;
  return b;
}

static int hexval(char c) { return c <= '9' ? c - '0' : (c | 32) - 'a' + 10; }

static int real_receipt_checks(const char* receipt_path, const char* id_path, uint32_t want_exit) {
  size_t n = 0, idn = 0;
  uint8_t* receipt = read_all(receipt_path, &n);
  uint8_t* hex = read_all(id_path, &idn);
  EXPECT(receipt != NULL && hex != NULL && idn >= 64);
  uint8_t id[32];
  for (int i = 0; i < 32; ++i) id[i] = (uint8_t)(hexval((char)hex[2 * i]) * 16 + hexval((char)hex[2 * i + 1]));
  free(hex);

  uint8_t* journal = malloc(ZKVM_RECEIPT_MAX_JOURNAL_BYTES);
  size_t len = 0;
  uint32_t code = 99;
  uint64_t cycles = 0;
  char err[512];
  zkvm_verifier_error e =
      zkvm_receipt_verify(id, receipt, n, journal, ZKVM_RECEIPT_MAX_JOURNAL_BYTES, &len, &code, &cycles, err, sizeof err);
  if (e != ZKVM_VERIFIER_OK) printf("%s: %s\n", zkvm_verifier_error_name(e), err);
  EXPECT(e == ZKVM_VERIFIER_OK);
  EXPECT(code == want_exit && cycles > 0 && err[0] == '\0');
  if (len > 0) {
    /* A buffer one byte short: BUFFER_TOO_SMALL with the needed length. */
    size_t need = 0;
    EXPECT(zkvm_receipt_verify(id, receipt, n, journal, len - 1, &need, NULL, NULL, err, sizeof err) ==
           ZKVM_VERIFIER_ERR_BUFFER_TOO_SMALL);
    EXPECT(need == len);
  }

  /* Another image ID. */
  uint8_t other[32];
  memcpy(other, id, 32);
  other[31] ^= 1;
  EXPECT(zkvm_receipt_verify(other, receipt, n, journal, ZKVM_RECEIPT_MAX_JOURNAL_BYTES, &len, &code, &cycles, err,
                             sizeof err) == ZKVM_VERIFIER_ERR_IMAGE_ID_MISMATCH);
  EXPECT(len == 0);

  /* A flipped byte in the claimed cycle count, and in the proof: never OK. */
  const size_t cycles_off = 4 + 2 + 4 + 32 + 4 + 4; /* receipt.h wire format */
  receipt[cycles_off] ^= 1;
  e = zkvm_receipt_verify(id, receipt, n, journal, ZKVM_RECEIPT_MAX_JOURNAL_BYTES, &len, &code, &cycles, err, sizeof err);
  EXPECT(e == ZKVM_VERIFIER_ERR_REJECTED);
  receipt[cycles_off] ^= 1;
  receipt[n - 9] ^= 0x10;
  e = zkvm_receipt_verify(id, receipt, n, journal, ZKVM_RECEIPT_MAX_JOURNAL_BYTES, &len, &code, &cycles, err, sizeof err);
  EXPECT(e == ZKVM_VERIFIER_ERR_REJECTED || e == ZKVM_VERIFIER_ERR_MALFORMED_RECEIPT);
  /* Truncated. */
  receipt[n - 9] ^= 0x10;
  e = zkvm_receipt_verify(id, receipt, n - 1, journal, ZKVM_RECEIPT_MAX_JOURNAL_BYTES, &len, &code, &cycles, err,
                          sizeof err);
  EXPECT(e == ZKVM_VERIFIER_ERR_MALFORMED_RECEIPT);
  free(journal);
  free(receipt);
  return 0;
}

int main(int argc, char** argv) {
  if (version_checks() != 0) return 1;
  if (garbage_checks() != 0) return 1;
  if (argc == 4 && real_receipt_checks(argv[1], argv[2], (uint32_t)strtoul(argv[3], NULL, 10)) != 0) return 1;
  printf("ok\n");
  return 0;
}
