// Programs the verifier knows by id (prover/verify/include/zkvm/verifier.h
// lists the ids). Each program is a fixed, ordered list of tables and, for
// tables with preprocessed columns, a pinned preprocessed commitment.
//
// SOUNDNESS: the preprocessed columns are part of the program (a byte table
// that holds 300 would make 300 a byte), but a vk carries their commitment
// as bytes. The C API therefore compares a vk's preprocessed heights and
// roots with the pins here (check_preprocessed) before trusting it. The
// commitment depends only on the columns and log_blowup (docs/STARK.md
// "Preprocessed columns"), so one pin per program and blowup covers every
// other parameter, zk or not. The verifier cannot run setup() (it links only
// OpenSSL); tests/stark recomputes every pin with setup() and compares
// ("registry pins equal the preprocessed commitments setup() computes"), so
// a change to a table or to the commitment scheme cannot leave a stale pin.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "prover/air/air.h"
#include "prover/hash/hash.h"
#include "prover/stark/proof.h"

namespace zkvm::verify {

// nullptr for an unknown id. The AIR objects live for the whole program.
const std::vector<const air::Air*>* find_program(uint32_t program_id);

// Every registered id, increasing.
std::vector<uint32_t> program_ids();

// The preprocessed part a vk of this program must carry at this log_blowup:
// per-table log heights (0: no preprocessed columns) and the commitment's
// root (one mixed-height tree). nullopt for an unknown program or blowup.
struct PreprocessedPin {
  std::vector<unsigned> log_heights;
  std::vector<hash::Digest> roots;
};
std::optional<PreprocessedPin> expected_preprocessed(uint32_t program_id, unsigned log_blowup);

// Empty when vk's preprocessed heights and roots equal the pins for its
// program and log_blowup; otherwise names the first difference
// ("program 2, log_blowup 2: table 'byte-table': preprocessed root 0 differs
// from the pinned one").
std::string check_preprocessed(const stark::VerifyingKey& vk);

}  // namespace zkvm::verify
