// `zkvm verify RECEIPT` and `zkvm image-id GUEST.elf` (docs/RECEIPT.md
// "Tools"): check a receipt against an expected image ID, given as hex or
// computed from the ELF; print an ELF's image ID.
#include "command.h"

#if defined(ZKVM_HAVE_RV32IM)

#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "prover/hal/hal.h"
#include "prover/rv32im/prove.h"
#include "prover/rv32im/receipt.h"
#include "prover/rv32im/witness.h"
#include "prover/stark/proof.h"
#include "prover/transcript/serialize.h"
#include "zkvm/vm/elf.h"

namespace {

// Exit statuses of `zkvm verify` (2 = cli::kExitToolError).
constexpr int kExitRejected = 1;   // a receipt check failed (image ID, claim, proof, security floor)
constexpr int kExitMalformed = 3;  // the receipt bytes do not parse

struct VerifyArgs {
  std::string receipt;
  std::string image_id;
  std::string elf;
  std::string journal_out;
};

struct ImageIdArgs {
  std::string guest;
};

// The receipt's bytes; nullopt (and a message) when it is larger than any
// receipt may be, checked before reading.
std::optional<std::vector<std::uint8_t>> read_receipt(const std::string& path) {
  std::ifstream f(path, std::ios::binary | std::ios::ate);
  if (!f) throw std::runtime_error(path + ": cannot open receipt");
  const auto end = f.tellg();
  if (end < 0) throw std::runtime_error(path + ": cannot read receipt");
  const auto n = static_cast<std::size_t>(end);
  if (n > zkvm::rv32im::kMaxReceiptBytes) {
    std::fprintf(stderr, "zkvm verify: %s: malformed receipt: %zu bytes, larger than the %zu-byte limit\n",
                 path.c_str(), n, zkvm::rv32im::kMaxReceiptBytes);
    return std::nullopt;
  }
  std::vector<std::uint8_t> b(n);
  f.seekg(0);
  if (n && !f.read(reinterpret_cast<char*>(b.data()), static_cast<std::streamsize>(n)))
    throw std::runtime_error(path + ": cannot read receipt");
  return b;
}

// The image ID depends on the rate (log_blowup) of the parameters: take the
// receipt's own when its verifying key parses, the defaults otherwise (the
// verifier then reports the malformed part).
zkvm::stark::StarkConfig receipt_rate_config(std::span<const std::uint8_t> bytes) {
  using namespace zkvm;
  stark::StarkConfig config = rv32im::ProveOptions::default_config();
  try {
    const rv32im::Receipt r = rv32im::parse_receipt(bytes);
    const rv32im::Circuit circuit(nullptr);
    const stark::VerifyingKey vk = stark::parse_vk(r.vk, circuit.airs());
    config.pcs.fri.log_blowup = vk.config.pcs.fri.log_blowup;
  } catch (const std::exception&) {
  }
  return config;
}

std::string hex(std::span<const std::uint8_t> b) {
  static const char* kHex = "0123456789abcdef";
  std::string s;
  s.reserve(2 * b.size());
  for (std::uint8_t x : b) s += kHex[x >> 4], s += kHex[x & 15];
  return s;
}

int verify_command(const VerifyArgs& a) {
  using namespace zkvm;
  std::vector<std::uint8_t> bytes;
  rv32im::ImageId expected{};
  try {
    auto r = read_receipt(a.receipt);
    if (!r) return kExitMalformed;
    bytes = std::move(*r);
    if (!a.image_id.empty()) {
      expected = rv32im::parse_image_id(a.image_id);
    } else {
      const vm::Program program = vm::load_elf_file(a.elf);
      auto hal = hal::make_cpu_hal();
      expected = rv32im::image_id(program, receipt_rate_config(bytes), *hal);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "zkvm verify: error: %s\n", e.what());
    return cli::kExitToolError;
  }

  rv32im::Claim claim;
  try {
    claim = rv32im::verify_receipt(expected, bytes);
  } catch (const transcript::ProofFormatError& e) {
    std::fprintf(stderr, "zkvm verify: %s: malformed receipt: %s\n", a.receipt.c_str(), e.what());
    return kExitMalformed;
  } catch (const rv32im::ReceiptError& e) {
    std::fprintf(stderr, "zkvm verify: %s: rejected: %s\n", a.receipt.c_str(), e.what());
    return kExitRejected;
  } catch (const stark::VerifyError& e) {
    std::fprintf(stderr, "zkvm verify: %s: rejected: %s\n", a.receipt.c_str(), e.what());
    return kExitRejected;
  } catch (const std::exception& e) {
    // Not one of the verifier's typed errors: still not accepted.
    std::fprintf(stderr, "zkvm verify: %s: rejected (unexpected error): %s\n", a.receipt.c_str(), e.what());
    return kExitRejected;
  }

  if (!a.journal_out.empty()) {
    std::ofstream out(a.journal_out, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(claim.journal.data()), static_cast<std::streamsize>(claim.journal.size()));
    if (!out) {
      std::fprintf(stderr, "zkvm verify: error: %s: cannot write journal\n", a.journal_out.c_str());
      return cli::kExitToolError;
    }
  }
  std::printf("verified: image %s, exit code %u, %llu cycles, journal %zu bytes\n",
              rv32im::image_id_hex(expected).c_str(), claim.exit_code,
              static_cast<unsigned long long>(claim.cycles), claim.journal.size());
  if (a.journal_out.empty()) std::printf("journal: %s\n", hex(claim.journal).c_str());
  return 0;
}

int image_id_command(const ImageIdArgs& a) {
  using namespace zkvm;
  try {
    const vm::Program program = vm::load_elf_file(a.guest);
    auto hal = hal::make_cpu_hal();
    const rv32im::ImageId id = rv32im::image_id(program, rv32im::ProveOptions::default_config(), *hal);
    std::printf("%s\n", rv32im::image_id_hex(id).c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "zkvm image-id: error: %s\n", e.what());
    return cli::kExitToolError;
  }
}

void setup_verify(CLI::App& root) {
  auto args = std::make_shared<VerifyArgs>();
  CLI::App* cmd = root.add_subcommand("verify", "Verify a receipt against an expected image ID");
  cmd->footer(
      "Exit status: 0 when the receipt verifies (stdout: image, exit code, cycles,\n"
      "  journal length, and the journal in hex unless --journal-out is given),\n"
      "  1 when the receipt is rejected: wrong image ID, claim and proof disagree,\n"
      "    a proof check fails, or its parameters are below 100 conjectured bits,\n"
      "  2 for tool errors (bad arguments, unreadable files, malformed ELF or --image-id),\n"
      "  3 when the receipt is malformed (does not parse; too large).\n"
      "stderr names the failed check.");
  cmd->add_option("receipt", args->receipt, "Receipt file (from `zkvm prove`)")->required();
  auto* id = cmd->add_option("--image-id", args->image_id, "Expected image ID (64 hex digits, `zkvm image-id`)");
  auto* elf = cmd->add_option("--elf", args->elf, "Compute the expected image ID from this guest ELF");
  id->excludes(elf);
  elf->excludes(id);
  cmd->add_option("--journal-out", args->journal_out, "Write the verified journal (raw bytes) to this file");
  cmd->callback([args] {
    if (args->image_id.empty() == args->elf.empty()) {
      std::fprintf(stderr, "zkvm verify: error: give exactly one of --image-id HEX and --elf GUEST.elf\n");
      zkvm::cli::exit_code() = zkvm::cli::kExitToolError;
      return;
    }
    zkvm::cli::exit_code() = verify_command(*args);
  });

  auto iargs = std::make_shared<ImageIdArgs>();
  CLI::App* icmd = root.add_subcommand("image-id", "Print a guest ELF's image ID (64 hex digits)");
  icmd->footer(
      "The image ID binds a receipt to this ELF at the default parameters' rate\n"
      "(docs/RECEIPT.md). Exit status: 0, or 2 for tool errors (unreadable or malformed ELF).");
  icmd->add_option("guest", iargs->guest, "Guest ELF (RV32IM, statically linked)")->required();
  icmd->callback([iargs] { zkvm::cli::exit_code() = image_id_command(*iargs); });
}

}  // namespace

ZKVM_REGISTER_COMMAND(setup_verify);

#endif  // ZKVM_HAVE_RV32IM
