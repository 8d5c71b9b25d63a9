// `zkvm prove`, `zkvm verify`, `zkvm image-id` (docs/RECEIPT.md "Tools"):
// exit statuses and messages on usage errors, missing files and bad
// receipts; prove + verify round trips through the CLI, the C example
// (verify-receipt) and the C API test (with ZKVM_RECEIPT_HELLO_ROUND_TRIP
// also the SDK's hello guest, with a journal).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include "prover/rv32im/receipt.h"
#include "tests/vm/vm_test_util.h"

using Catch::Contains;
using namespace zkvm;

namespace {

// Exit statuses documented in `zkvm verify --help` / `zkvm prove --help`.
constexpr int kRejected = 1, kToolError = 2, kMalformed = 3, kFault = 134;

struct Cli {
  int status;
  std::string out;  // stdout and stderr together
};

Cli sh(const std::string& cmd) {
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int st = pclose(p);
  REQUIRE(WIFEXITED(st));
  return {WEXITSTATUS(st), out};
}

Cli zkvm_cli(const std::string& args) { return sh(std::string("'") + ZKVM_CLI + "' " + args); }

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    path = std::filesystem::temp_directory_path() / ("zkvm_receipt_cli." + std::to_string(getpid()));
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string file(const std::string& name) const { return (path / name).string(); }
  std::string write(const std::string& name, const std::vector<uint8_t>& bytes) const {
    std::ofstream(file(name), std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    return file(name);
  }
};

std::vector<uint8_t> slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

const std::string kZeroId(64, '0');

// A receipt that parses but whose vk and proof are junk.
std::vector<uint8_t> junk_receipt(const rv32im::ImageId& id) {
  rv32im::Receipt r;
  r.claim.image_id = id;
  r.claim.entry = 0x10000;
  r.claim.cycles = 4;
  r.vk = {1, 2, 3};
  r.segments.push_back({{4, 0x10004, 0, false}, {4, 5, 6}});
  return rv32im::serialize_receipt(r);
}

}  // namespace

TEST_CASE("zkvm prove, verify and image-id without arguments are usage errors", "[receipt][cli]") {
  CHECK(zkvm_cli("prove").status == kToolError);
  CHECK(zkvm_cli("verify").status == kToolError);
  CHECK(zkvm_cli("image-id").status == kToolError);
}

TEST_CASE("zkvm --version prints the project, receipt format and circuit versions", "[receipt][cli]") {
  const Cli v = zkvm_cli("--version");
  CHECK(v.status == 0);
  CHECK(v.out == std::string("zkvm ") + ZKVM_EXPECTED_VERSION + " (receipt format " +
                     std::to_string(rv32im::kReceiptVersion) + ", circuit version " +
                     std::to_string(rv32im::kCircuitVersion) + ")\n");
}

TEST_CASE("zkvm verify needs exactly one of --image-id and --elf", "[receipt][cli]") {
  TempDir dir;
  const std::string r = dir.write("r.receipt", junk_receipt({}));
  const Cli neither = zkvm_cli("verify '" + r + "'");
  CHECK(neither.status == kToolError);
  CHECK_THAT(neither.out, Contains("--image-id"));
  CHECK(zkvm_cli("verify '" + r + "' --image-id " + kZeroId + " --elf x.elf").status == kToolError);
}

TEST_CASE("zkvm prove and image-id of a missing ELF name the file and exit 2", "[receipt][cli]") {
  const Cli p = zkvm_cli("prove /nonexistent/guest.elf");
  CHECK(p.status == kToolError);
  CHECK_THAT(p.out, Contains("/nonexistent/guest.elf"));
  const Cli i = zkvm_cli("image-id /nonexistent/guest.elf");
  CHECK(i.status == kToolError);
  CHECK_THAT(i.out, Contains("/nonexistent/guest.elf"));
}

// An endless input (/dev/zero) is cut off at the 1 GiB limit with a message,
// not read until memory runs out; a missing one is named.
TEST_CASE("zkvm prove and run refuse an oversized or missing input with exit 2", "[receipt][cli]") {
  TempDir dir;
  const std::string elf = dir.write("exit0.elf", vm::test::build_elf(vm::test::exit_elf_spec(0)));
  for (const char* cmd : {"prove", "run"}) {
    INFO(cmd);
    const Cli big = zkvm_cli(std::string(cmd) + " '" + elf + "' --input /dev/zero");
    CHECK(big.status == kToolError);
    CHECK_THAT(big.out, Contains("/dev/zero: input file is larger than 1024 MiB"));
    const Cli none = zkvm_cli(std::string(cmd) + " '" + elf + "' --input /nonexistent/input.bin");
    CHECK(none.status == kToolError);
    CHECK_THAT(none.out, Contains("/nonexistent/input.bin: cannot open input file"));
  }
}

TEST_CASE("zkvm verify of a missing receipt exits 2", "[receipt][cli]") {
  const Cli v = zkvm_cli("verify /nonexistent/x.receipt --image-id " + kZeroId);
  CHECK(v.status == kToolError);
  CHECK_THAT(v.out, Contains("/nonexistent/x.receipt"));
}

TEST_CASE("zkvm verify with a malformed --image-id exits 2", "[receipt][cli]") {
  TempDir dir;
  const std::string r = dir.write("r.receipt", junk_receipt({}));
  const Cli v = zkvm_cli("verify '" + r + "' --image-id 12zz");
  CHECK(v.status == kToolError);
  CHECK_THAT(v.out, Contains("64 hex digits"));
}

TEST_CASE("zkvm verify of a garbage receipt exits 3 and names the malformed part", "[receipt][cli]") {
  TempDir dir;
  const Cli garbage = zkvm_cli("verify '" + dir.write("g.receipt", {'n', 'o', 't', ' ', 'a', ' ', 'r'}) +
                               "' --image-id " + kZeroId);
  CHECK(garbage.status == kMalformed);
  CHECK_THAT(garbage.out, Contains("malformed receipt"));
  CHECK_THAT(garbage.out, Contains("receipt"));
  CHECK(zkvm_cli("verify '" + dir.write("e.receipt", {}) + "' --image-id " + kZeroId).status == kMalformed);
  // Parses up to the vk, which is junk.
  CHECK(zkvm_cli("verify '" + dir.write("j.receipt", junk_receipt({})) + "' --image-id " + kZeroId).status ==
        kMalformed);
  // Truncated by one byte.
  auto t = junk_receipt({});
  t.pop_back();
  CHECK(zkvm_cli("verify '" + dir.write("t.receipt", t) + "' --image-id " + kZeroId).status == kMalformed);
}

TEST_CASE("zkvm verify rejects a receipt of another image ID with exit 1", "[receipt][cli]") {
  TempDir dir;
  rv32im::ImageId other{};
  other[0] = 0xab;
  const Cli v = zkvm_cli("verify '" + dir.write("o.receipt", junk_receipt(other)) + "' --image-id " + kZeroId);
  CHECK(v.status == kRejected);
  CHECK_THAT(v.out, Contains("image ID mismatch"));
}

TEST_CASE("zkvm image-id prints 64 hex digits, the same for the same ELF", "[receipt][cli]") {
  TempDir dir;
  const std::string elf = dir.write("exit7.elf", vm::test::build_elf(vm::test::exit_elf_spec(7)));
  const Cli a = zkvm_cli("image-id '" + elf + "'");
  REQUIRE(a.status == 0);
  CHECK(a.out.size() == 65);
  CHECK(a.out.find_first_not_of("0123456789abcdef\n") == std::string::npos);
  CHECK(zkvm_cli("image-id '" + elf + "'").out == a.out);
  const std::string elf2 = dir.write("exit8.elf", vm::test::build_elf(vm::test::exit_elf_spec(8)));
  CHECK(zkvm_cli("image-id '" + elf2 + "'").out != a.out);
}

TEST_CASE("zkvm prove of a faulting guest exits 134 and names the fault", "[receipt][cli]") {
  TempDir dir;
  vm::test::ElfSpec s = vm::test::exit_elf_spec(0);
  // Replace the first instruction with an all-ones word (not RV32IM).
  for (int i = 0; i < 4; ++i) s.phdrs[0].payload[i] = 0xff;
  const std::string elf = dir.write("fault.elf", vm::test::build_elf(s));
  const Cli p = zkvm_cli("prove '" + elf + "' -o '" + dir.file("f.receipt") + "' --json '" + dir.file("f.json") + "'");
  CHECK(p.status == kFault);
  CHECK_THAT(p.out, Contains("cannot prove"));
  CHECK(!std::filesystem::exists(dir.file("f.receipt")));
  // The JSON result says it was a fault (not a guest exit code 134) and which.
  const auto j = slurp(dir.file("f.json"));
  const std::string json(j.begin(), j.end());
  CHECK_THAT(json, Contains("\"command\": \"prove\""));
  CHECK_THAT(json, Contains("\"status\": \"faulted\", \"exit_code\": null, \"fault\": {\"kind\": \"illegal_instruction\""));
  CHECK_THAT(json, Contains("\"pc\": \"0x00010000\", \"instruction\": \"0xffffffff\""));
  CHECK_THAT(json, Contains("\"receipt\": null"));
}

// Round trips: prove with the CLI, verify with the CLI, the C example
// (verify-receipt) and the C API test (test_receipt_c_api), which use only
// the C API.
TEST_CASE("a receipt of an exit-code guest verifies through the CLI and the C API", "[receipt][cli][prove]") {
  TempDir dir;
  const std::string elf = dir.write("exit7.elf", vm::test::build_elf(vm::test::exit_elf_spec(7)));
  const std::string receipt = dir.file("exit7.receipt");
  // zero knowledge: the default; --json - puts only the result on stdout
  const std::string cmd = std::string("'") + ZKVM_CLI + "' prove '" + elf + "' -o '" + receipt + "' --json -";
  const Cli p = sh("(" + cmd + " 2>'" + dir.file("prove.err") + "')");  // sh's 2>&1 then adds nothing
  const auto err_bytes = slurp(dir.file("prove.err"));
  const std::string err(err_bytes.begin(), err_bytes.end());
  INFO(err);
  REQUIRE(p.status == 0);
  CHECK_THAT(err, Contains("zk on, exit code 7"));
  CHECK_THAT(err, Contains("kHz"));
  CHECK_THAT(err, Contains("peak RSS"));

  const Cli id = zkvm_cli("image-id '" + elf + "'");
  REQUIRE(id.status == 0);
  const std::string hex = id.out.substr(0, 64);
  // stdout: one JSON object with the claim and the receipt.
  CHECK(p.out.rfind("{\"schema\": \"zkvm-result/1\", \"command\": \"prove\"", 0) == 0);
  CHECK(p.out.back() == '\n');
  CHECK(std::count(p.out.begin(), p.out.end(), '\n') == 1);
  CHECK_THAT(p.out, Contains("\"status\": \"exited\", \"exit_code\": 7, \"fault\": null"));
  CHECK_THAT(p.out, Contains("\"journal_bytes\": 0, \"journal_hex\": \"\""));
  CHECK_THAT(p.out, Contains("\"receipt\": {\"path\": \"" + receipt + "\", \"bytes\": " +
                             std::to_string(slurp(receipt).size()) + ", \"image_id\": \"" + hex + "\", \"zk\": true"));
  CHECK_THAT(p.out, Contains("\"prove_seconds\": "));
  std::ofstream(dir.file("id.txt")) << id.out;

  const Cli by_elf = zkvm_cli("verify '" + receipt + "' --elf '" + elf + "'");
  INFO(by_elf.out);
  CHECK(by_elf.status == 0);
  CHECK_THAT(by_elf.out, Contains("verified: image " + hex + ", exit code 7, "));
  CHECK(zkvm_cli("verify '" + receipt + "' --image-id " + hex).status == 0);

  // Another program's image ID: rejected, naming the mismatch.
  const std::string other = dir.write("exit8.elf", vm::test::build_elf(vm::test::exit_elf_spec(8)));
  const Cli wrong = zkvm_cli("verify '" + receipt + "' --elf '" + other + "'");
  CHECK(wrong.status == kRejected);
  CHECK_THAT(wrong.out, Contains("image ID mismatch"));

  // One byte near the end (inside the proof) flipped: not accepted.
  auto bytes = slurp(receipt);
  bytes[bytes.size() - 9] ^= 1;
  const std::string flipped = dir.write("flip.receipt", bytes);
  const Cli f = zkvm_cli("verify '" + flipped + "' --image-id " + hex);
  CHECK((f.status == kRejected || f.status == kMalformed));

  const Cli c = sh(std::string("'") + ZKVM_VERIFY_RECEIPT_EXAMPLE + "' '" + receipt + "' " + hex);
  INFO(c.out);
  CHECK(c.status == 0);
  CHECK_THAT(c.out, Contains("accepted: exit code 7"));
  CHECK(sh(std::string("'") + ZKVM_VERIFY_RECEIPT_EXAMPLE + "' '" + flipped + "' " + hex).status == 1);

  const Cli capi = sh(std::string("'") + ZKVM_RECEIPT_C_API_TEST + "' '" + receipt + "' '" + dir.file("id.txt") + "' 7");
  INFO(capi.out);
  CHECK(capi.status == 0);
}

TEST_CASE("zkvm prove --no-zk gives a receipt that verifies", "[receipt][cli][prove]") {
  TempDir dir;
  const std::string elf = dir.write("exit3.elf", vm::test::build_elf(vm::test::exit_elf_spec(3)));
  const std::string receipt = dir.file("exit3.receipt");
  const Cli p = zkvm_cli("prove --no-zk '" + elf + "' -o '" + receipt + "'");
  INFO(p.out);
  REQUIRE(p.status == 0);
  CHECK_THAT(p.out, Contains("zk off"));
  const Cli v = zkvm_cli("verify '" + receipt + "' --elf '" + elf + "'");
  INFO(v.out);
  CHECK(v.status == 0);
  CHECK_THAT(v.out, Contains("exit code 3"));
}

// --ldes: lean LDEs drop rows and recompute the opened ones; the receipt
// is the same (--no-zk: no randomness, so byte for byte).
TEST_CASE("zkvm prove --ldes lean and full give the same receipt byte for byte", "[receipt][cli][prove]") {
  TempDir dir;
  const std::string elf = dir.write("exit6.elf", vm::test::build_elf(vm::test::exit_elf_spec(6)));
  auto prove = [&](const std::string& mode) {
    const std::string receipt = dir.file(mode + ".receipt");
    Cli p = zkvm_cli("prove --no-zk --ldes " + mode + " '" + elf + "' -o '" + receipt + "'");
    INFO(p.out);
    REQUIRE(p.status == 0);
    return slurp(receipt);
  };
  const auto lean = prove("lean");
  CHECK(lean == prove("full"));
  CHECK(lean == prove("auto"));
  const Cli bad = zkvm_cli("prove --ldes half '" + elf + "'");
  CHECK(bad.status == kToolError);
  CHECK_THAT(bad.out, Contains("--ldes"));
}

// --device (docs/CUDA.md): the CUDA HAL's kernels, emulated on the CPU,
// give the CPU backend's receipt byte for byte (--no-zk: no randomness).
// --device cuda does the same on a GPU; without one (CI) it exits 2 and
// says why.
TEST_CASE("zkvm prove --device: the emulated CUDA kernels give the CPU receipt byte for byte", "[receipt][cli][prove][cuda]") {
  TempDir dir;
  const std::string elf = dir.write("exit5.elf", vm::test::build_elf(vm::test::exit_elf_spec(5)));
  auto prove = [&](const std::string& device) {
    const std::string receipt = dir.file(device + ".receipt");
    Cli p = zkvm_cli("prove --no-zk --device " + device + " '" + elf + "' -o '" + receipt + "'");
    return std::pair{p, receipt};
  };
  const auto [cpu, cpu_receipt] = prove("cpu");
  INFO(cpu.out);
  REQUIRE(cpu.status == 0);
  const auto [emu, emu_receipt] = prove("cuda-emulated");
  INFO(emu.out);
  REQUIRE(emu.status == 0);
  CHECK_THAT(emu.out, Contains("prover backend: cuda-emulated"));
  CHECK(slurp(emu_receipt) == slurp(cpu_receipt));
  const Cli v = zkvm_cli("verify '" + emu_receipt + "' --elf '" + elf + "'");
  INFO(v.out);
  CHECK(v.status == 0);
  const auto [gpu, gpu_receipt] = prove("cuda");
  INFO(gpu.out);
  if (gpu.status == 0) {
    CHECK(slurp(gpu_receipt) == slurp(cpu_receipt));
  } else {
    CHECK(gpu.status == kToolError);
    CHECK_THAT(gpu.out, Contains("--device cuda:") &&
                            (Contains("no CUDA device") || Contains("built without the CUDA backend")));
  }
  const Cli bad = zkvm_cli("prove --device tpu '" + elf + "'");
  CHECK(bad.status != 0);
}

#if defined(ZKVM_RECEIPT_HELLO_ROUND_TRIP)

TEST_CASE("a receipt of the hello guest verifies with the journal of zkvm run", "[receipt][cli][prove]") {
  TempDir dir;
  const std::string elf = ZKVM_HELLO_ELF;
  std::ofstream(dir.file("name.txt")) << "receipt";
  const std::string input = dir.file("name.txt"), receipt = dir.file("hello.receipt");

  const Cli p = zkvm_cli("prove '" + elf + "' --input '" + input + "' -o '" + receipt + "'");
  INFO(p.out);
  REQUIRE(p.status == 0);
  CHECK_THAT(p.out, Contains("Hello, receipt!"));  // guest stdout passes through

  const Cli run = zkvm_cli("run '" + elf + "' --input '" + input + "' --journal '" + dir.file("run.journal") + "'");
  REQUIRE(run.status == 0);
  const Cli id = zkvm_cli("image-id '" + elf + "'");
  REQUIRE(id.status == 0);
  std::ofstream(dir.file("id.txt")) << id.out;

  const Cli v = zkvm_cli("verify '" + receipt + "' --elf '" + elf + "' --journal-out '" + dir.file("v.journal") + "'");
  INFO(v.out);
  CHECK(v.status == 0);
  CHECK_THAT(v.out, Contains("verified: image " + id.out.substr(0, 64) + ", exit code 0"));
  CHECK(slurp(dir.file("v.journal")) == slurp(dir.file("run.journal")));

  // The C API with a non-empty journal (BUFFER_TOO_SMALL is exercised).
  const Cli capi = sh(std::string("'") + ZKVM_RECEIPT_C_API_TEST + "' '" + receipt + "' '" + dir.file("id.txt") + "' 0");
  INFO(capi.out);
  CHECK(capi.status == 0);
}

TEST_CASE("zkvm prove --segment-po2 --jobs: a receipt of several segments, progress per segment, one summary",
          "[receipt][cli][prove][segments]") {
  TempDir dir;
  const std::string elf = ZKVM_HELLO_ELF;
  std::ofstream(dir.file("name.txt")) << "segments";
  const std::string input = dir.file("name.txt"), receipt = dir.file("hello.receipt");
  const Cli p = zkvm_cli("prove '" + elf + "' --input '" + input + "' -o '" + receipt +
                         "' --no-zk --segment-po2 10 --jobs 2 --json '" + dir.file("r.json") + "'");
  INFO(p.out);
  REQUIRE(p.status == 0);
  // Guest output once, though the guest runs in several passes and jobs.
  CHECK(p.out.find("Hello, segments!") == p.out.rfind("Hello, segments!"));
  // Not a terminal: plain lines, one per segment and pass.
  // 3963 cycles in segments of 2^10 rows (896 cycles each): 5 segments.
  CHECK_THAT(p.out, Contains("segment 1/5 committed") && Contains("segment 5/5 committed"));
  CHECK_THAT(p.out, Contains("segment 5/5 proved") && Contains("ETA"));
  CHECK_THAT(p.out, Contains("cycles, 5 segments of 2^10 rows, proved in"));
  const auto json = slurp(dir.file("r.json"));
  CHECK_THAT(std::string(json.begin(), json.end()), Contains("\"segments\": 5") && Contains("\"segment_po2\": 10"));
  const Cli v = zkvm_cli("verify '" + receipt + "' --elf '" + elf + "'");
  INFO(v.out);
  CHECK(v.status == 0);
  // Out of range: refused as a usage error, before anything runs.
  CHECK(zkvm_cli("prove '" + elf + "' --segment-po2 9").status == kToolError);
  CHECK(zkvm_cli("prove '" + elf + "' --segment-po2 22").status == kToolError);
  CHECK(zkvm_cli("prove '" + elf + "' --jobs 0").status == kToolError);
  // The largest segment size is within the floor (challenge grinding): the
  // short run is one segment of its own height.
  const Cli big = zkvm_cli("prove '" + elf + "' -o '" + dir.file("x.receipt") + "' --segment-po2 21");
  CHECK(big.status == 0);
  CHECK_THAT(big.out, Contains("cycles, 1 segment of 2^12 rows, proved in"));
}

#endif  // ZKVM_RECEIPT_HELLO_ROUND_TRIP
