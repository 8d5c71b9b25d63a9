// libFuzzer harness for RV32IM receipts (issue 7; docs/AUDIT.md "Receipt
// fuzzing"): each input goes through the C API (zkvm_receipt_verify) and the
// C++ API (rv32im::verify_receipt) against a fixed expected image ID.
//
// A finding (crash, so libFuzzer keeps the input) is:
//   - a sanitizer report (ASan, UBSan) or a hang / OOM (libFuzzer's limits);
//   - a C++ exception other than the documented rejections (ReceiptError,
//     stark::VerifyError, transcript::ProofFormatError), which escapes here;
//   - a C API result other than OK or a rejection code (INTERNAL above all),
//     or an empty error message on a rejection;
//   - the two APIs disagreeing (one accepts, the other rejects; or different
//     claims);
//   - SOUNDNESS: any acceptance of bytes that are not byte-identical to one
//     of the known-good receipts.
//
// Known-good receipts: ZKVM_FUZZ_RECEIPTS, a ':'-separated list of receipt
// files or directories of them (tools/fuzz-receipt.sh makes them with `zkvm
// prove`). Each is verified once at start-up; their claimed image IDs are
// the expected IDs. An input claiming one of them (bytes 10..42) is checked
// against it, any other against the first, so mutants of every seed reach
// the STARK. Without known receipts every acceptance is a finding.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <span>
#include <string>
#include <vector>

#include "prover/rv32im/receipt.h"
#include "prover/stark/proof.h"
#include "prover/transcript/serialize.h"
#include "zkvm/verifier.h"

using namespace zkvm;

namespace {

struct Known {
  std::vector<std::vector<uint8_t>> receipts;
  std::vector<rv32im::ImageId> ids;  // distinct, in the order first seen
};

Known& known() {
  static Known k;
  return k;
}

// "ZKRC" u32 magic, u16 version, u32 circuit version; then the image ID.
constexpr size_t kImageIdOffset = 4 + 2 + 4;

[[noreturn]] void finding(const std::string& what) {
  std::fprintf(stderr, "fuzz_receipt: FINDING: %s\n", what.c_str());
  std::fflush(stderr);
  __builtin_trap();
}

std::vector<uint8_t> slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "fuzz_receipt: cannot read %s\n", p.c_str());
    std::exit(2);
  }
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void add_known(const std::filesystem::path& p) {
  std::vector<uint8_t> bytes = slurp(p);
  rv32im::ImageId id{};
  try {
    id = rv32im::parse_receipt(bytes).claim.image_id;
    rv32im::verify_receipt(id, bytes);
  } catch (const std::exception& e) {
    std::fprintf(stderr,
                 "fuzz_receipt: %s is not a valid receipt (%s); ZKVM_FUZZ_RECEIPTS must name known-good ones, "
                 "made by a zkvm built from this tree\n",
                 p.c_str(), e.what());
    std::exit(2);
  }
  Known& k = known();
  if (std::find(k.ids.begin(), k.ids.end(), id) == k.ids.end()) k.ids.push_back(id);
  k.receipts.push_back(std::move(bytes));
}

void load_known(const char* list) {
  std::string s = list == nullptr ? "" : list;
  size_t at = 0;
  while (at <= s.size()) {
    const size_t end = std::min(s.find(':', at), s.size());
    const std::filesystem::path p = s.substr(at, end - at);
    at = end + 1;
    if (p.empty()) continue;
    if (std::filesystem::is_directory(p)) {
      std::vector<std::filesystem::path> files;
      for (const auto& e : std::filesystem::directory_iterator(p))
        if (e.is_regular_file()) files.push_back(e.path());
      std::sort(files.begin(), files.end());
      for (const auto& f : files) add_known(f);
    } else {
      add_known(p);
    }
  }
  const Known& k = known();
  if (k.receipts.empty()) {
    std::fprintf(stderr, "fuzz_receipt: warning: ZKVM_FUZZ_RECEIPTS names no receipt; every acceptance is a finding\n");
    known().ids.push_back({});
  } else {
    std::fprintf(stderr, "fuzz_receipt: %zu known-good receipt(s), %zu image ID(s), first %s\n", k.receipts.size(),
                 k.ids.size(), rv32im::image_id_hex(k.ids[0]).c_str());
  }
}

const rv32im::ImageId& expected_for(std::span<const uint8_t> bytes) {
  const Known& k = known();
  if (bytes.size() >= kImageIdOffset + 32)
    for (const auto& id : k.ids)
      if (std::equal(id.begin(), id.end(), bytes.begin() + kImageIdOffset)) return id;
  return k.ids[0];
}

bool is_known(std::span<const uint8_t> bytes) {
  for (const auto& r : known().receipts)
    if (std::equal(bytes.begin(), bytes.end(), r.begin(), r.end())) return true;
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  load_known(std::getenv("ZKVM_FUZZ_RECEIPTS"));
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> bytes(data, size);
  const rv32im::ImageId& expected = expected_for(bytes);

  // (a) The C API: a rejection code with a message, or OK.
  static std::vector<uint8_t> journal(ZKVM_RECEIPT_MAX_JOURNAL_BYTES);
  size_t journal_len = 0;
  uint32_t exit_code = 0;
  uint64_t cycles = 0;
  char err[512];
  const zkvm_verifier_error rc = zkvm_receipt_verify(expected.data(), data, size, journal.data(), journal.size(),
                                                     &journal_len, &exit_code, &cycles, err, sizeof err);
  bool c_ok = false;
  switch (rc) {
    case ZKVM_VERIFIER_OK:
      c_ok = true;
      break;
    case ZKVM_VERIFIER_ERR_MALFORMED_RECEIPT:
    case ZKVM_VERIFIER_ERR_IMAGE_ID_MISMATCH:
    case ZKVM_VERIFIER_ERR_INSECURE_PARAMS:
    case ZKVM_VERIFIER_ERR_REJECTED:
      if (err[0] == '\0') finding(std::string("C API: ") + zkvm_verifier_error_name(rc) + " without a message");
      if (journal_len != 0) finding("C API: *journal_len set on a rejection");
      break;
    default:
      finding(std::string("C API: ") + zkvm_verifier_error_name(rc) + ": " + err);
  }

  // (b) The C++ API: only the documented exceptions are caught; anything
  // else escapes and aborts.
  bool cpp_ok = false;
  rv32im::Claim claim;
  try {
    claim = rv32im::verify_receipt(expected, bytes);
    cpp_ok = true;
  } catch (const rv32im::ReceiptError&) {
  } catch (const stark::VerifyError&) {
  } catch (const transcript::ProofFormatError&) {
  }

  if (c_ok != cpp_ok)
    finding(std::string("the C API ") + (c_ok ? "accepts" : "rejects") + " what the C++ API " +
            (cpp_ok ? "accepts" : "rejects") + (c_ok ? "" : std::string(" (") + err + ")"));
  if (!c_ok) return 0;
  if (claim.exit_code != exit_code || claim.cycles != cycles ||
      !std::equal(claim.journal.begin(), claim.journal.end(), journal.begin(), journal.begin() + journal_len))
    finding("the C and C++ APIs return different claims");
  // SOUNDNESS: a receipt that is not one the prover made was accepted.
  if (!is_known(bytes))
    finding("ACCEPTED a receipt that differs from every known-good one (" + std::to_string(size) + " bytes, image " +
            rv32im::image_id_hex(expected) + ")");
  return 0;
}
