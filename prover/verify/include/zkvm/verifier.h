/* zkvm STARK verifier: flat C API (blst-style).
 *
 * A verifier handle holds a parsed verifying key (vk) for one registered
 * program (the example AIRs for now, by program id; the RV32IM AIR will be
 * added). Functions never throw or abort on bad input: malformed bytes give
 * ZKVM_VERIFIER_ERR_MALFORMED_* and a message from zkvm_verifier_last_error.
 * Byte strings are as produced by the prover (little-endian fields, see
 * docs/STARK.md "Proof format"). Public values are passed as canonical
 * field elements (uint32 < 0x78000001), all tables' values concatenated in
 * table order.
 *
 * Thread safety: a handle may be used by one thread at a time (it stores
 * the last error message). Different handles are independent.
 */
#ifndef ZKVM_VERIFIER_H
#define ZKVM_VERIFIER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  ZKVM_VERIFIER_OK = 0,
  ZKVM_VERIFIER_ERR_NULL_ARGUMENT = 1,    /* a required pointer is NULL */
  ZKVM_VERIFIER_ERR_MALFORMED_VK = 2,     /* vk bytes do not parse */
  ZKVM_VERIFIER_ERR_UNKNOWN_PROGRAM = 3,  /* vk names an unregistered program id */
  ZKVM_VERIFIER_ERR_INSECURE_PARAMS = 4,  /* vk parameters below 100 conjectured bits */
  ZKVM_VERIFIER_ERR_MALFORMED_PROOF = 5,  /* proof bytes do not parse */
  ZKVM_VERIFIER_ERR_PUBLIC_MISMATCH = 6,  /* proof's public values differ from the expected ones */
  ZKVM_VERIFIER_ERR_REJECTED = 7,         /* proof parses but a verifier check fails */
  ZKVM_VERIFIER_ERR_INTERNAL = 8          /* unexpected failure (out of memory, ...) */
} zkvm_verifier_error;

/* Registered example programs. */
#define ZKVM_PROGRAM_FIBONACCI 1u
#define ZKVM_PROGRAM_BYTE_RANGE 2u
#define ZKVM_PROGRAM_SYNTHETIC_8 3u
#define ZKVM_PROGRAM_SYNTHETIC_64 4u
#define ZKVM_PROGRAM_PUBLIC_OUTPUT 5u /* 4 declared outputs as LogUp public terms */

typedef struct zkvm_verifier zkvm_verifier;

/* Static name of an error code ("ZKVM_VERIFIER_ERR_REJECTED"). */
const char* zkvm_verifier_error_name(zkvm_verifier_error err);

/* Parses vk and creates a handle in *out (NULL on failure). */
zkvm_verifier_error zkvm_verifier_new(zkvm_verifier** out, const uint8_t* vk, size_t vk_len);
/* Frees a handle (NULL is fine). */
void zkvm_verifier_free(zkvm_verifier* v);

/* Program id of the handle's vk. */
uint32_t zkvm_verifier_program_id(const zkvm_verifier* v);
/* Number of public values (uint32 words) a proof of this program carries. */
size_t zkvm_verifier_num_public_values(const zkvm_verifier* v);

/* Verifies proof against the vk and the expected public values
 * (num_publics must equal zkvm_verifier_num_public_values). */
zkvm_verifier_error zkvm_verifier_verify(zkvm_verifier* v, const uint8_t* proof, size_t proof_len,
                                         const uint32_t* publics, size_t num_publics);

/* Message of the last failure on this handle ("" after success). Valid
 * until the next call on the handle. */
const char* zkvm_verifier_last_error(const zkvm_verifier* v);

#ifdef __cplusplus
}
#endif

#endif /* ZKVM_VERIFIER_H */
