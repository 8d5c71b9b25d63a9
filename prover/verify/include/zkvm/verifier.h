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
  ZKVM_VERIFIER_ERR_INSECURE_PARAMS = 4,  /* below 100 conjectured bits: at _new, the vk's query phase
                                             (num_queries * log_blowup + pow_bits); at _verify, every
                                             term at the proof's heights (docs/SECURITY.md) */
  ZKVM_VERIFIER_ERR_MALFORMED_PROOF = 5,  /* proof bytes do not parse */
  ZKVM_VERIFIER_ERR_PUBLIC_MISMATCH = 6,  /* proof's public values differ from the expected ones */
  ZKVM_VERIFIER_ERR_REJECTED = 7,         /* proof parses but a verifier check fails */
  ZKVM_VERIFIER_ERR_INTERNAL = 8,         /* unexpected failure (out of memory, ...) */
  ZKVM_VERIFIER_ERR_PREPROCESSED_MISMATCH = 9, /* vk's preprocessed heights or roots are not the
                                                  program's pinned ones at its log_blowup */
  ZKVM_VERIFIER_ERR_HEIGHT_MISMATCH = 10  /* proof's table heights differ from the stated ones */
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

/* Parses vk and creates a handle in *out (NULL on failure). The vk's
 * preprocessed commitment (fixed tables such as program 2's byte table) must
 * equal the one pinned for its program and log_blowup, else
 * ZKVM_VERIFIER_ERR_PREPROCESSED_MISMATCH: a vk is bytes from outside and its
 * tables are part of the statement. */
zkvm_verifier_error zkvm_verifier_new(zkvm_verifier** out, const uint8_t* vk, size_t vk_len);
/* Frees a handle (NULL is fine). */
void zkvm_verifier_free(zkvm_verifier* v);

/* Program id of the handle's vk. */
uint32_t zkvm_verifier_program_id(const zkvm_verifier* v);
/* Number of public values (uint32 words) a proof of this program carries. */
size_t zkvm_verifier_num_public_values(const zkvm_verifier* v);
/* Number of tables of the program (entries of a log-heights array). */
size_t zkvm_verifier_num_tables(const zkvm_verifier* v);

/* Verifies proof against the vk and the expected public values
 * (num_publics must equal zkvm_verifier_num_public_values). The prover
 * chooses each table's height (for Fibonacci, the number of steps): when the
 * height is part of the claim, use zkvm_verifier_verify_at_heights or read
 * the heights back with zkvm_verifier_log_heights_get. */
zkvm_verifier_error zkvm_verifier_verify(zkvm_verifier* v, const uint8_t* proof, size_t proof_len,
                                         const uint32_t* publics, size_t num_publics);

/* As zkvm_verifier_verify, and the proof's table t must have 2^log_heights[t]
 * rows, else ZKVM_VERIFIER_ERR_HEIGHT_MISMATCH (the message names the table;
 * also when num_tables differs from zkvm_verifier_num_tables). */
zkvm_verifier_error zkvm_verifier_verify_at_heights(zkvm_verifier* v, const uint8_t* proof, size_t proof_len,
                                                    const uint32_t* publics, size_t num_publics,
                                                    const uint32_t* log_heights, size_t num_tables);

/* Writes the log2 row counts of the tables of the last proof verified on
 * this handle (num_tables entries; all tables' in table order). Fails with
 * ZKVM_VERIFIER_ERR_REJECTED when the handle's last verification did not
 * return OK (or none ran), ZKVM_VERIFIER_ERR_HEIGHT_MISMATCH when num_tables
 * differs from zkvm_verifier_num_tables, ZKVM_VERIFIER_ERR_NULL_ARGUMENT for
 * NULL pointers; *log_heights is untouched then. */
zkvm_verifier_error zkvm_verifier_log_heights_get(const zkvm_verifier* v, uint32_t* log_heights, size_t num_tables);

/* Message of the last failure on this handle ("" after success). Valid
 * until the next call on the handle. */
const char* zkvm_verifier_last_error(const zkvm_verifier* v);

#ifdef __cplusplus
}
#endif

#endif /* ZKVM_VERIFIER_H */
