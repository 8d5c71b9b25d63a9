// pprof output of the cycle profiler: profile.proto
// (github.com/google/pprof/blob/main/proto/profile.proto) in the protobuf
// wire format (protobuf.dev/programming-guides/encoding), written by hand:
// varints, and length-delimited fields for strings, messages and packed
// repeated integers. proto3, so zero-valued scalars are left out.
#include "zkvm/vm/profile.h"

#include <algorithm>
#include <string>
#include <unordered_map>

namespace zkvm::vm {
namespace {

// Field numbers of profile.proto.
enum ProfileField { kSampleType = 1, kSample = 2, kMapping = 3, kLocation = 4, kFunction = 5, kStringTable = 6,
                    kPeriodType = 11, kPeriod = 12 };
enum ValueTypeField { kVtType = 1, kVtUnit = 2 };
enum SampleField { kSampleLocationId = 1, kSampleValue = 2 };
enum MappingField { kMapId = 1, kMapStart = 2, kMapLimit = 3, kMapFilename = 5, kMapHasFunctions = 7 };
enum LocationField { kLocId = 1, kLocMappingId = 2, kLocAddress = 3, kLocLine = 4 };
enum LineField { kLineFunctionId = 1 };
enum FunctionField { kFnId = 1, kFnName = 2, kFnSystemName = 3 };

class Message {
 public:
  void uint(int field, std::uint64_t v) {
    if (v == 0) return;
    key(field, 0);
    varint(v);
  }
  void bytes(int field, std::string_view s) {
    key(field, 2);
    varint(s.size());
    b_.insert(b_.end(), s.begin(), s.end());
  }
  void message(int field, const Message& m) {
    bytes(field, std::string_view(reinterpret_cast<const char*>(m.b_.data()), m.b_.size()));
  }
  void packed(int field, const std::vector<std::uint64_t>& vs) {
    Message m;
    for (const std::uint64_t v : vs) m.varint(v);
    message(field, m);
  }
  std::vector<std::uint8_t> take() { return std::move(b_); }

 private:
  void key(int field, int wire_type) { varint(static_cast<std::uint64_t>(field) << 3 | static_cast<unsigned>(wire_type)); }
  void varint(std::uint64_t v) {
    for (; v >= 0x80; v >>= 7) b_.push_back(static_cast<std::uint8_t>(v | 0x80));
    b_.push_back(static_cast<std::uint8_t>(v));
  }
  std::vector<std::uint8_t> b_;
};

// The string table: index 0 is "", as profile.proto requires.
class Strings {
 public:
  Strings() { id(""); }
  std::uint64_t id(const std::string& s) {
    const auto [pos, added] = ids_.try_emplace(s, list_.size());
    if (added) list_.push_back(s);
    return pos->second;
  }
  const std::vector<std::string>& list() const { return list_; }

 private:
  std::unordered_map<std::string, std::uint64_t> ids_;
  std::vector<std::string> list_;
};

}  // namespace

std::vector<std::uint8_t> to_pprof(const Profile& p, std::string_view guest) {
  Strings strings;
  Message out;
  Message cycles;
  cycles.uint(kVtType, strings.id("cycles"));
  cycles.uint(kVtUnit, strings.id("count"));
  out.message(kSampleType, cycles);
  for (const ProfileStack& st : p.stacks) {
    Message sample;
    // Location ids are function index + 1, innermost frame first.
    std::vector<std::uint64_t> locations(st.frames.rbegin(), st.frames.rend());
    for (std::uint64_t& l : locations) ++l;
    sample.packed(kSampleLocationId, locations);
    sample.packed(kSampleValue, {st.cycles});
    out.message(kSample, sample);
  }
  // One mapping over all profiled code, marked as already symbolized so
  // pprof does not look for the binary.
  std::uint64_t lo = ~std::uint64_t{0}, hi = 0;
  for (const ProfileFunction& f : p.functions) {
    lo = std::min<std::uint64_t>(lo, f.addr);
    hi = std::max<std::uint64_t>(hi, f.end ? f.end : std::uint64_t{1} << 32);
  }
  if (!p.functions.empty()) {
    Message mapping;
    mapping.uint(kMapId, 1);
    mapping.uint(kMapStart, lo);
    mapping.uint(kMapLimit, hi);
    mapping.uint(kMapFilename, strings.id(std::string(guest)));
    mapping.uint(kMapHasFunctions, 1);
    out.message(kMapping, mapping);
  }
  for (std::size_t i = 0; i < p.functions.size(); ++i) {
    Message line;
    line.uint(kLineFunctionId, i + 1);
    Message loc;
    loc.uint(kLocId, i + 1);
    loc.uint(kLocMappingId, 1);
    loc.uint(kLocAddress, p.functions[i].addr);
    loc.message(kLocLine, line);
    out.message(kLocation, loc);
  }
  for (std::size_t i = 0; i < p.functions.size(); ++i) {
    Message fn;
    fn.uint(kFnId, i + 1);
    fn.uint(kFnName, strings.id(p.functions[i].name));
    fn.uint(kFnSystemName, strings.id(p.functions[i].system_name));
    out.message(kFunction, fn);
  }
  Message period;
  period.uint(kVtType, strings.id("cycles"));
  period.uint(kVtUnit, strings.id("count"));
  out.message(kPeriodType, period);
  out.uint(kPeriod, 1);
  for (const std::string& s : strings.list()) out.bytes(kStringTable, s);
  return out.take();
}

}  // namespace zkvm::vm
