#include "run_profile.h"

#include <cstdio>
#include <fstream>

namespace zkvm::cli {

RunProfile::RunProfile(std::span<const std::uint8_t> elf, const std::string& guest, std::uint32_t entry)
    : guest_(guest), profiler_(vm::load_elf_functions(elf, guest), entry) {}

vm::RunResult RunProfile::run(const vm::Program& program, const vm::RunOptions& options) {
  return vm::run_traced(program, options, [this](const vm::TraceChunk& c) { profiler_.consume(c); });
}

bool RunProfile::write(const std::string& path, const std::string& format, bool top) const {
  const vm::Profile p = profiler_.profile();
  if (p.symbols == 0)
    std::fprintf(stderr, "zkvm run: warning: %s has no function symbols (stripped?); cycles are attributed to "
                 "[unknown 0x...] placeholders by entry address\n", guest_.c_str());
  if (p.depth_limited)
    std::fprintf(stderr, "zkvm run: note: calls deeper than %zu frames were folded into the innermost frame\n",
                 vm::kMaxProfileDepth);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (format == "pprof") {
    const std::vector<std::uint8_t> pb = vm::to_pprof(p, guest_);
    out.write(reinterpret_cast<const char*>(pb.data()), static_cast<std::streamsize>(pb.size()));
  } else {
    out << vm::to_folded(p);
  }
  out.close();
  if (!out) {
    std::fprintf(stderr, "zkvm run: error: %s: cannot write profile\n", path.c_str());
    return false;
  }
  if (top) {
    std::fprintf(stderr, "zkvm run: profile        %llu cycles in %zu functions, %zu stacks -> %s (%s)\n",
                 static_cast<unsigned long long>(p.total_cycles), p.functions.size(), p.stacks.size(), path.c_str(),
                 format.c_str());
    std::fprintf(stderr, "zkvm run: top 10 functions by exclusive cycles\n%s",
                 vm::top_functions_table(p, 10).c_str());
  }
  return true;
}

}  // namespace zkvm::cli
