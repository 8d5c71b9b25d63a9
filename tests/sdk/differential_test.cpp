// SDK-built guests run under qemu-riscv32 (the reference: Linux's RV32IM
// user mode) and under `zkvm run`; exit code, stdout, stderr and journal
// must be identical, and each guest's own results are checked too.
#include <openssl/sha.h>

#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "process.h"
#include "zkvm/vm/accel.h"

using zkvm::sdktest::RunOutput;
using zkvm::sdktest::TempDir;

namespace {

std::string guest(const char* name) { return std::string(ZKVM_SDK_GUEST_DIR) + "/sdk_guest_" + name + ".elf"; }

std::string le32(std::uint32_t v) {
  std::string s(4, '\0');
  for (int i = 0; i < 4; ++i) s[i] = static_cast<char>(v >> (8 * i));
  return s;
}
std::string le64(std::uint64_t v) { return le32(static_cast<std::uint32_t>(v)) + le32(static_cast<std::uint32_t>(v >> 32)); }

std::string hex(const std::string& bytes) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (unsigned char c : bytes) {
    s += d[c >> 4];
    s += d[c & 15];
  }
  return s;
}

// Runs the guest under both hosts and requires identical observable results.
// compare_stdout = false for guests that print the cycle count (0 under qemu).
RunOutput run_both(const std::string& elf, const std::string& input, bool compare_stdout = true) {
  TempDir dir;
  const RunOutput q = zkvm::sdktest::run_qemu(elf, input, dir.path());
  const RunOutput z = zkvm::sdktest::run_zkvm(elf, input, dir.path());
  INFO("guest " << elf << "\nqemu stderr: " << q.stderr_bytes << "\nzkvm stderr: " << z.stderr_bytes);
  CHECK(q.exit_code == z.exit_code);
  if (compare_stdout) CHECK(q.stdout_bytes == z.stdout_bytes);
  CHECK(q.stderr_bytes == z.stderr_bytes);
  CHECK(hex(q.journal) == hex(z.journal));
  return z;
}

}  // namespace

TEST_CASE("printf formats, stdio buffering, errno and thread-locals agree under qemu and zkvm", "[sdk][diff]") {
  const RunOutput r = run_both(guest("printf_formats"), "");
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.stdout_bytes, Catch::Contains("int 42 -42 +7  7 00042 42   | -2147483648 2147483647\n"));
  CHECK_THAT(r.stdout_bytes, Catch::Contains("long long -9223372036854775808 18446744073709551615 123456789abcdef"));
  CHECK_THAT(r.stdout_bytes, Catch::Contains("double 3.141593 -2.500 1.234568e+04 0.0001 1e+20 2     0.3333"));
  CHECK_THAT(r.stdout_bytes, Catch::Contains("errno==ERANGE: 1"));
  CHECK_THAT(r.stdout_bytes, Catch::Contains("thread-locals 42 5\n"));
  // The last line has no newline: only the exit path's flush writes it.
  CHECK_THAT(r.stdout_bytes, Catch::EndsWith("no newline at the end, flushed by exit"));
  CHECK(r.stderr_bytes == "to stderr: 7\n");
}

TEST_CASE("64-bit libgcc math and M-extension edge cases agree under qemu and zkvm", "[sdk][diff]") {
  const RunOutput r = run_both(guest("math64"), "");
  CHECK(r.exit_code == 0);  // the guest panics if DIV/REM by zero or INT_MIN/-1 is off-spec
  CHECK(r.journal.size() == 11 * 11 * 5 * 8 + 9 * 9 * 7 * 4);
  CHECK_THAT(r.stdout_bytes, Catch::Contains("32-bit M-extension edge cases checked"));
}

TEST_CASE("malloc/free/realloc keep block contents and an oversized malloc returns NULL", "[sdk][diff]") {
  const RunOutput r = run_both(guest("heap"), "");
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.stdout_bytes, Catch::Contains("oversized malloc returned NULL"));
}

TEST_CASE("C++ containers, algorithms, virtual calls and static destructors work in guests", "[sdk][diff]") {
  const RunOutput r = run_both(guest("cxx_features"), "");
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.stdout_bytes, Catch::Contains("array sorted: 1"));
  CHECK_THAT(r.stdout_bytes, Catch::Contains("string [zkvm-0-1-4-9-16] length 15"));
  CHECK_THAT(r.stdout_bytes, Catch::Contains("map a=3\nmap b=2\nmap c=1\n"));
  CHECK_THAT(r.stdout_bytes, Catch::Contains("total area 1000000000037"));
  CHECK_THAT(r.stdout_bytes, Catch::Contains("unordered_map[150] 22500, weak expired 1, function 6, to_string -7/2.500000"));
  CHECK_THAT(r.stdout_bytes, Catch::Contains("aligned new 1 1, set size 1000, variant index 1"));
  CHECK_THAT(r.stdout_bytes, Catch::EndsWith("static destructor ran\n"));
}

TEST_CASE("typed input reads and journal commits round-trip byte for byte", "[sdk][diff]") {
  const std::string vec = "vector bytes";
  const std::string head = le32(0xdeadbeef) + le32(static_cast<std::uint32_t>(-5)) + le64(0x0123456789abcdefULL) +
                           le64(static_cast<std::uint64_t>(-9000000000LL)) + le32(static_cast<std::uint32_t>(vec.size())) + vec;
  SECTION("with a 2000-byte tail read through getchar and zkvm_read") {
    std::string tail;
    for (int i = 0; i < 2000; ++i) tail += static_cast<char>(i * 7 + 3);
    const RunOutput r = run_both(guest("io"), head + tail);
    CHECK(r.exit_code == 0);
    CHECK(hex(r.journal) == hex(head + tail));
    CHECK_THAT(r.stdout_bytes, Catch::Contains("u32 3735928559 i32 -5 u64 81985529216486895 i64 -9000000000 vec[12]"));
    CHECK_THAT(r.stdout_bytes, Catch::Contains("tail 2000 bytes"));
  }
  SECTION("with no tail") {
    const RunOutput r = run_both(guest("io"), head);
    CHECK(r.exit_code == 0);
    CHECK(hex(r.journal) == hex(head));
  }
  SECTION("input that ends inside a value panics naming the byte counts") {
    const RunOutput r = run_both(guest("io"), head.substr(0, 6));
    CHECK(r.exit_code == 101);
    CHECK(r.stderr_bytes == "panic: input ended after 2 of 4 bytes\n");
  }
}

TEST_CASE("every exit path gives the requested code and flushes stdout and the journal", "[sdk][diff]") {
  struct Case {
    char path;
    int code, expected;
    bool atexit_runs;
  };
  for (const Case c : {Case{'r', 0, 0, true}, Case{'r', 9, 9, true}, Case{'e', 42, 42, false},
                       Case{'x', 7, 7, true}, Case{'w', 3, 3, false}}) {
    DYNAMIC_SECTION("path " << c.path << " code " << c.code) {
      const std::string in{c.path, static_cast<char>(c.code)};
      const RunOutput r = run_both(guest("exit_codes"), in);
      CHECK(r.exit_code == c.expected);
      CHECK(r.journal == in);
      CHECK_THAT(r.stdout_bytes, Catch::StartsWith(std::string("path ") + c.path + " code " + std::to_string(c.code)));
      CHECK((r.stdout_bytes.find("atexit handler ran") != std::string::npos) == c.atexit_runs);
    }
  }
}

TEST_CASE("panics print the message to stderr and exit with code 101", "[sdk][diff]") {
  const std::string g = guest("panic");
  SECTION("zkvm_panic formats its message") {
    const RunOutput r = run_both(g, "p");
    CHECK(r.exit_code == 101);
    CHECK(r.stderr_bytes == "panic: the answer is 42\n");
    CHECK(r.stdout_bytes == "before the panic\n");
    CHECK(r.journal == "j");
  }
  SECTION("ZKVM_PANIC adds file and line") {
    const RunOutput r = run_both(g, "m");
    CHECK(r.exit_code == 101);
    CHECK_THAT(r.stderr_bytes, Catch::StartsWith("panic: ") && Catch::Contains("panic.c:") &&
                                   Catch::EndsWith(": bad value 41\n"));
  }
  SECTION("ZKVM_ASSERT names the failed condition") {
    const RunOutput r = run_both(g, "a");
    CHECK(r.exit_code == 101);
    CHECK_THAT(r.stderr_bytes, Catch::EndsWith("assertion failed: answer == 42\n"));
  }
  SECTION("a failing assert() prints its message and aborts with 134") {
    const RunOutput r = run_both(g, "s");
    CHECK(r.exit_code == 134);
    CHECK_THAT(r.stderr_bytes, Catch::Contains("answer == 42") && Catch::EndsWith("abort\n"));
  }
  SECTION("abort exits with 134") {
    const RunOutput r = run_both(g, "b");
    CHECK(r.exit_code == 134);
    CHECK(r.stderr_bytes == "abort\n");
  }
  SECTION("reading past the end of the input panics") {
    std::string in = "r";
    in.append(5, 'x');  // (not "r" + std::string(...): GCC 12 -Wrestrict false positive)
    const RunOutput r = run_both(g, in);
    CHECK(r.exit_code == 101);
    CHECK(r.stderr_bytes == "panic: input ended after 5 of 16 bytes\n");
  }
  SECTION("a length-prefixed vector larger than the heap panics with out of memory") {
    std::string in = "o";
    in += le32(0x7fffffff);
    const RunOutput r = run_both(g, in);
    CHECK(r.exit_code == 101);
    CHECK_THAT(r.stderr_bytes, Catch::StartsWith("panic: read_vec: out of memory for 2147483647 bytes"));
  }
}

TEST_CASE("STACK_SIZE sets the stack below the top of guest memory and deep recursion fits", "[sdk][diff]") {
  const RunOutput r = run_both(guest("stack"), "");
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.stdout_bytes, Catch::StartsWith("stack [0xfc00000, 0x10000000) 4194304 bytes\n"));
  CHECK(r.journal == le32(4656));  // sum over depth 96..1 of frame[depth] = depth, plus frame[100] = 0
}

TEST_CASE("operator new panics with a clear message when the heap runs out", "[sdk][diff]") {
  const RunOutput r = run_both(guest("cxx_oom"), "");
  CHECK(r.exit_code == 101);
  CHECK_THAT(r.stderr_bytes, Catch::StartsWith("panic: out of memory: operator new(16777216 bytes) failed"));
  CHECK_THAT(r.stdout_bytes, Catch::Contains("allocated 240 MiB"));  // 255 MiB heap: 15 blocks fit
}

TEST_CASE("guest SHA-256 matches the FIPS 180-2 known answers", "[sdk][diff][sha256]") {
  const RunOutput r = run_both(guest("sha256_vectors"), "");
  CHECK(r.exit_code == 0);
  CHECK(r.stdout_bytes ==
        "abc: ok\nempty: ok\n448-bit: ok\n448-bit bytewise: ok\nmillion a: ok\n");
  // The committed digests, checked here against the published values too.
  const std::string h_448 = "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
  CHECK(hex(r.journal) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" +
            h_448 + h_448 + "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("the SDK's word-at-a-time memset matches a byte loop at every offset and length", "[sdk][diff]") {
  const RunOutput r = run_both(guest("memset"), "");
  CHECK(r.exit_code == 0);
  CHECK(r.stdout_bytes == "memset: ok\n");
}

TEST_CASE("the SDK's word-at-a-time memcpy matches a byte loop at every source and destination offset and length", "[sdk][diff]") {
  const RunOutput r = run_both(guest("memcpy"), "");
  CHECK(r.exit_code == 0);
  CHECK(r.stdout_bytes == "memcpy: ok\n");
}

TEST_CASE("the sha256 example commits the digest OpenSSL computes for its input", "[sdk][diff][examples]") {
  std::string input;
  std::uint32_t x = 1;
  for (int i = 0; i < 100000; ++i) input += static_cast<char>((x = x * 1103515245u + 12345u) >> 24);
  unsigned char want[32];
  SHA256(reinterpret_cast<const unsigned char*>(input.data()), input.size(), want);
  const RunOutput r = run_both(ZKVM_SDK_EXAMPLE_SHA256, input);
  CHECK(r.exit_code == 0);
  CHECK(hex(r.journal) == hex(std::string(reinterpret_cast<const char*>(want), 32)));
}

TEST_CASE("the sort example commits count, median and checksum", "[sdk][diff][examples]") {
  std::string input = le32(5);
  for (std::int32_t v : {9, -4, 100, 0, -4}) input += le32(static_cast<std::uint32_t>(v));
  const RunOutput r = run_both(ZKVM_SDK_EXAMPLE_SORT, input);
  CHECK(r.exit_code == 0);
  CHECK(r.journal.substr(0, 8) == le32(5) + le32(0));  // sorted: -4 -4 0 9 100, median 0
  CHECK_THAT(r.stdout_bytes, Catch::Contains("min -4, median 0, max 100, sum 101"));
}

TEST_CASE("the hello example greets, commits the greeting and reports cycles only under zkvm", "[sdk][diff][examples]") {
  const RunOutput z = run_both(ZKVM_SDK_EXAMPLE_HELLO, "Alice\n", /*compare_stdout=*/false);
  CHECK(z.exit_code == 0);
  CHECK(z.journal == le32(13) + "Hello, Alice!");
  CHECK_THAT(z.stdout_bytes, Catch::StartsWith("Hello, Alice!\ncycles so far: "));
  // zkvm implements cycle_count (0x1000); qemu answers -ENOSYS and the SDK returns 0.
  CHECK_THAT(z.stdout_bytes, !Catch::Contains("cycles so far: 0\n"));
  TempDir dir;
  const RunOutput q = zkvm::sdktest::run_qemu(ZKVM_SDK_EXAMPLE_HELLO, "", dir.path());
  CHECK(q.stdout_bytes == "Hello, world!\ncycles so far: 0\n");
}

TEST_CASE("a null-pointer load and a store past the top of guest memory fault under both hosts",
          "[sdk][diff]") {
  // Guest ABI: [0, 0x10000) is an unmapped guard and guest memory ends at
  // 0x10000000. qemu reports SIGSEGV (128 + 11); zkvm run reports the fault
  // and exits with 134. The log flushed before the fault comes out on both.
  struct Case {
    const char* input;
    const char* zkvm_says;
  };
  for (const Case c : {Case{"n", "LW from 0x00000000"}, Case{"h", "SW to 0x10000000"}}) {
    DYNAMIC_SECTION("input " << c.input) {
      TempDir dir;
      const RunOutput q = zkvm::sdktest::run_qemu(guest("fault"), c.input, dir.path());
      const RunOutput z = zkvm::sdktest::run_zkvm(guest("fault"), c.input, dir.path());
      CHECK(q.exit_code == 128 + 11);
      CHECK(z.exit_code == 134);
      CHECK_THAT(z.stderr_bytes, Catch::Contains("fault at pc") && Catch::Contains(c.zkvm_says));
      CHECK(q.stdout_bytes == "before the fault\n");
      CHECK(z.stdout_bytes == "before the fault\n");
    }
  }
}

TEST_CASE("zkvm_dot4 returns the emulator's four biased-int8 dot products in a0..a3", "[sdk][dot4]") {
  // zkvm only: qemu-riscv32 answers the unknown call with -ENOSYS. Lengths:
  // empty, one group, odd groups, extreme bytes, and the largest K.
  std::mt19937 rng(41);
  std::vector<std::uint32_t> ks = {0, 4, 12, 64, 100, 256, 32764};
  std::string in = le32(static_cast<std::uint32_t>(ks.size() + 2)), want;
  auto add_case = [&](std::uint32_t k, int mode) {
    std::vector<std::uint8_t> x(k), w(4 * std::size_t{k});
    for (auto& b : x) b = mode == 0 ? static_cast<std::uint8_t>(rng()) : (mode == 1 ? 0x00 : 0xFF);
    for (auto& b : w) b = mode == 0 ? static_cast<std::uint8_t>(rng()) : 0x00;
    in += le32(k);
    in.append(x.begin(), x.end());
    in.append(w.begin(), w.end());
    auto out = zkvm::vm::dot4_reference(0, 0x10000000, k, [&](std::uint32_t a) {
      return a >= 0x10000000 ? w[a - 0x10000000] : x[a];
    });
    for (std::int32_t v : out) want += le32(static_cast<std::uint32_t>(v));
  };
  for (auto k : ks) add_case(k, 0);
  add_case(32764, 1);  // (-128) * (-128) everywhere: 32764 * 16384 per row
  add_case(32764, 2);  // 127 * (-128)
  TempDir dir;
  const RunOutput z = zkvm::sdktest::run_zkvm(guest("dot4"), in, dir.path());
  INFO("zkvm stderr: " << z.stderr_bytes);
  REQUIRE(z.exit_code == 0);
  CHECK(hex(z.journal) == hex(want));
}
