// Building a guest ELF from C sources without CMake (`zkvm model build`):
// the same clang/lld invocation as guest-sdk/cmake/ZkvmGuest.cmake's
// zkvm_add_guest, driven from the CLI so that a user needs no build system.
// The SDK comes from --sdk, $ZKVM_GUEST_SDK, an installed tree next to the
// executable (PREFIX/share/zkvm/guest-sdk) or the source tree this zkvm was
// built from, in that order; the cross toolchain from $ZKVM_GUEST_CLANG /
// $ZKVM_GUEST_LLD / $ZKVM_PICOLIBC_DIR / $ZKVM_GUEST_LIBGCC, the paths CMake
// found at configure time, or PATH.
//
// Keep the flags in step with ZkvmGuest.cmake: the test "zkvm model build
// gives the in-tree example's image ID" fails when they drift apart.
#pragma once

#include <string>
#include <vector>

namespace zkvm::cli {

struct GuestToolchain {
  std::string sdk;       // guest SDK root (runtime/, include/, ml/)
  std::string sdk_from;  // where the SDK was found, for messages
  std::string clang, lld;
  std::string picolibc;  // picolibc for riscv (include/, lib/rv32im/ilp32/)
  std::string libgcc;    // libgcc.a of the rv32im/ilp32 multilib
};

// Finds the SDK and the cross toolchain; throws std::runtime_error naming
// what is missing and where it looked.
GuestToolchain find_guest_toolchain(const std::string& sdk_override);

// Compiles `sources` (C, with the int8 ML runtime's headers) together with
// the SDK runtime and the ML runtime's sources, and links `elf`. Objects go
// to `objdir`. Up to `jobs` compilers run at once. Throws naming the
// failing command (the compiler's own messages go to stderr).
void build_ml_guest(const GuestToolchain& tc, const std::vector<std::string>& sources, const std::string& objdir,
                    const std::string& elf, unsigned jobs);

}  // namespace zkvm::cli
