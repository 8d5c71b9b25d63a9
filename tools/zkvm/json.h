// `--json FILE` result objects of `zkvm run` and `zkvm prove` (schema in
// docs/EMULATOR.md "Machine-readable results"): a minimal JSON writer and the
// fields both commands share.
#pragma once

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "command.h"
#include "zkvm/vm/machine.h"

namespace zkvm::cli {

inline constexpr std::string_view kResultSchema = "zkvm-result/1";

// One JSON object, built field by field in insertion order.
class JsonObject {
 public:
  JsonObject& str(std::string_view key, std::string_view v) { return raw(key, quote(v)); }
  JsonObject& num(std::string_view key, std::uint64_t v) { return raw(key, std::to_string(v)); }
  JsonObject& real(std::string_view key, double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6f", v);
    return raw(key, buf);
  }
  JsonObject& boolean(std::string_view key, bool v) { return raw(key, v ? "true" : "false"); }
  JsonObject& null(std::string_view key) { return raw(key, "null"); }
  JsonObject& obj(std::string_view key, const JsonObject& v) { return raw(key, v.text()); }
  JsonObject& raw(std::string_view key, std::string_view json) {
    if (!body_.empty()) body_ += ", ";
    body_ += quote(key);
    body_ += ": ";
    body_ += json;
    return *this;
  }
  std::string text() const { return "{" + body_ + "}"; }

  static std::string quote(std::string_view s) {
    std::string out = "\"";
    for (const char ch : s) {
      const auto c = static_cast<unsigned char>(ch);
      if (c == '"' || c == '\\') {
        out += '\\';
        out += ch;
      } else if (c == '\n') {
        out += "\\n";
      } else if (c < 0x20 || c >= 0x7f) {  // control bytes, and bytes of paths that may not be UTF-8
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out += buf;
      } else {
        out += ch;
      }
    }
    return out + "\"";
  }

 private:
  std::string body_;
};

inline std::string hex_string(std::span<const std::uint8_t> bytes) {
  static const char* const kDigits = "0123456789abcdef";
  std::string s;
  s.reserve(2 * bytes.size());
  for (const std::uint8_t b : bytes) s += kDigits[b >> 4], s += kDigits[b & 15];
  return s;
}

inline std::string hex32(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

// Stable identifier of a fault kind (the "kind" field).
inline std::string_view fault_kind_id(vm::FaultKind k) {
  using vm::FaultKind;
  switch (k) {
    case FaultKind::IllegalInstruction: return "illegal_instruction";
    case FaultKind::MisalignedLoad: return "misaligned_load";
    case FaultKind::MisalignedStore: return "misaligned_store";
    case FaultKind::MisalignedJump: return "misaligned_jump";
    case FaultKind::LoadOutOfBounds: return "load_out_of_bounds";
    case FaultKind::StoreOutOfBounds: return "store_out_of_bounds";
    case FaultKind::FetchOutOfBounds: return "fetch_out_of_bounds";
    case FaultKind::FetchOutsideCode: return "fetch_outside_code";
    case FaultKind::ModifiedCode: return "modified_code";
    case FaultKind::BadSyscall: return "bad_syscall";
    case FaultKind::BadReadFd: return "bad_read_fd";
    case FaultKind::BadWriteFd: return "bad_write_fd";
    case FaultKind::SyscallBuffer: return "syscall_buffer";
    case FaultKind::BadAccelArgs: return "bad_accel_args";
  }
  return "fault";
}

// The start of every result object: schema, command and guest.
inline JsonObject result_header(std::string_view command, std::string_view guest) {
  JsonObject o;
  o.str("schema", kResultSchema).str("command", command).str("guest", guest);
  return o;
}

// How the run ended and what it produced: status, exit_code, fault, cycles,
// input_bytes, journal_bytes, journal_hex.
inline void add_run_result(JsonObject& o, const vm::RunResult& r, std::size_t input_bytes) {
  switch (r.status) {
    case vm::RunStatus::Exited: o.str("status", "exited").num("exit_code", r.exit_code).null("fault"); break;
    case vm::RunStatus::Faulted: {
      const vm::Fault& f = *r.fault;
      JsonObject fo;
      fo.str("kind", fault_kind_id(f.kind)).str("description", vm::fault_kind_name(f.kind)).str("pc", hex32(f.pc));
      if (f.insn) fo.str("instruction", hex32(*f.insn)); else fo.null("instruction");
      if (f.addr) fo.str("address", hex32(*f.addr)); else fo.null("address");
      fo.str("message", f.message());
      o.str("status", "faulted").null("exit_code").obj("fault", fo);
      break;
    }
    case vm::RunStatus::CycleLimit: o.str("status", "cycle_limit").null("exit_code").null("fault"); break;
  }
  o.num("cycles", r.cycles).num("input_bytes", input_bytes).num("journal_bytes", r.journal.size());
  o.str("journal_hex", hex_string(r.journal));
}

// Writes the object (and a newline) to path, or to stdout for "-". Returns
// false with a message on stderr when the file cannot be written.
inline bool write_json(const std::string& path, const JsonObject& o, const char* tool) {
  const std::string text = o.text() + "\n";
  if (path == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    return true;
  }
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
  f.flush();
  if (!f) {
    std::fprintf(stderr, "%s: error: %s: cannot write the JSON result\n", tool, path.c_str());
    return false;
  }
  return true;
}

// The object of a tool error (exit 2): status "error" and the message.
inline JsonObject error_result(std::string_view command, std::string_view guest, std::string_view message) {
  JsonObject o = result_header(command, guest);
  o.str("status", "error").str("error", message);
  return o;
}

// A tool error of `zkvm <command>`: the message on stderr, the error object
// to json_path when one was asked for; returns the tool-error exit status.
inline int tool_error(const char* command, const std::string& guest, const std::string& json_path,
                      const std::string& message) {
  std::fprintf(stderr, "zkvm %s: error: %s\n", command, message.c_str());
  if (!json_path.empty()) write_json(json_path, error_result(command, guest, message), (std::string("zkvm ") + command).c_str());
  return kExitToolError;
}

}  // namespace zkvm::cli
