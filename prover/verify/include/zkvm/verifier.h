/* zkvm STARK verifier: flat C API (blst-style).
 *
 * A verifier handle holds a parsed verifying key (vk) for one registered
 * program (the example AIRs for now, by program id); RV32IM receipts are
 * verified without a handle by zkvm_receipt_verify (end of this file).
 * Functions never throw or abort on bad input: malformed bytes give
 * ZKVM_VERIFIER_ERR_MALFORMED_* and a message from zkvm_verifier_last_error
 * (zkvm_receipt_verify: its err buffer).
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
  ZKVM_VERIFIER_ERR_HEIGHT_MISMATCH = 10, /* proof's table heights differ from the stated ones */
  ZKVM_VERIFIER_ERR_MALFORMED_RECEIPT = 11, /* receipt bytes do not parse (or exceed ZKVM_RECEIPT_MAX_BYTES) */
  ZKVM_VERIFIER_ERR_IMAGE_ID_MISMATCH = 12, /* receipt claims another image ID than the expected one */
  ZKVM_VERIFIER_ERR_BUFFER_TOO_SMALL = 13   /* the receipt verified but its journal exceeds journal_cap */
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

/* ---- RV32IM receipts (docs/RECEIPT.md) ----
 *
 * A receipt (from `zkvm prove`) claims: the ELF with image ID I, run on some
 * private input, exited with code c after `cycles` cycles, having written the
 * journal bytes J. zkvm_receipt_verify checks that claim against the image ID
 * the caller expects (from `zkvm image-id GUEST.elf`), so a rollup node needs
 * only the 32-byte ID it trusts and the receipt bytes it received. */

#define ZKVM_RECEIPT_IMAGE_ID_BYTES 32u
#define ZKVM_RECEIPT_MAX_BYTES ((size_t)256 << 20)       /* larger receipts are MALFORMED_RECEIPT */
#define ZKVM_RECEIPT_MAX_JOURNAL_BYTES ((size_t)1 << 20) /* a journal_cap this large always suffices */

/* Verifies receipt[0..receipt_len) against image_id (32 bytes, as printed
 * by `zkvm image-id` in hex). Returns ZKVM_VERIFIER_OK only when the receipt
 * parses, names image_id, its verifying key hashes to image_id, its proof's
 * public values are its claim's and the STARK proof verifies at >= 100 bits
 * of conjectured security. Then the journal is copied to journal_out,
 * *journal_len receives its length, *exit_code the guest's exit code (0..255)
 * and *cycles its cycle count.
 *
 * Errors (never a crash or an accept on bad bytes; no exception escapes):
 *   NULL_ARGUMENT       image_id or journal_len is NULL, or receipt (resp.
 *                       journal_out) is NULL with a non-zero length (cap)
 *   MALFORMED_RECEIPT   the bytes do not parse (truncated, bad magic or
 *                       version, oversized count, trailing bytes, ...)
 *   IMAGE_ID_MISMATCH   the receipt claims another image ID
 *   INSECURE_PARAMS     the proof's parameters are below 100 conjectured bits
 *   REJECTED            any other failed check (vk does not hash to the image
 *                       ID, claim and proof disagree, a proof check fails)
 *   BUFFER_TOO_SMALL    the receipt verified but journal_cap < journal length:
 *                       *journal_len is set to the length needed, nothing else
 *                       is written; call again with a larger buffer
 *   INTERNAL            unexpected failure (out of memory, ...)
 * On any result other than OK and BUFFER_TOO_SMALL, *journal_len is 0 and
 * exit_code/cycles are untouched. exit_code, cycles and err may be NULL.
 * err (err_cap bytes, NUL-terminated, truncated) receives a message naming
 * the failed check, "" on success.
 *
 * Stateless and thread-safe. */
zkvm_verifier_error zkvm_receipt_verify(const uint8_t image_id[32], const uint8_t* receipt, size_t receipt_len,
                                        uint8_t* journal_out, size_t journal_cap, size_t* journal_len,
                                        uint32_t* exit_code, uint64_t* cycles, char* err, size_t err_cap);

/* ---- versions ----
 * The project version of this library ("0.1.0"), and the receipt format
 * version and RV32IM circuit version it verifies (a receipt of any other
 * version is MALFORMED_RECEIPT, naming both). `zkvm --version` prints the
 * same three. */
const char* zkvm_version(void);
uint32_t zkvm_receipt_format_version(void);
uint32_t zkvm_circuit_version(void);

#ifdef __cplusplus
}
#endif

#endif /* ZKVM_VERIFIER_H */
