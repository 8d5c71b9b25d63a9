// Cycle profiler: exact per-function cycles on hand-assembled guests with a
// known call structure, recursion and tail calls, the folded and pprof
// outputs, and the ELF symbol-table reader's checks.
#include "profile_guests.h"
#include "zkvm/vm/profile.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <random>
#include <string_view>

using namespace zkvm::vm;
using namespace zkvm::vm::test;
using Catch::Contains;

namespace {

struct Profiled {
  RunResult run;
  Profile profile;
};

Profiled profile_elf(const std::vector<std::uint8_t>& elf, std::size_t chunk_rows = kDefaultChunkRows) {
  const Program program = load_elf(elf, "guest.elf");
  Profiler profiler(load_elf_functions(elf, "guest.elf"), program.entry);
  RunResult r = run_traced(program, {}, [&](const TraceChunk& c) { profiler.consume(c); }, chunk_rows);
  return {std::move(r), profiler.profile()};
}
Profiled profile_guest(const ProfileGuest& g, std::size_t chunk_rows = kDefaultChunkRows) {
  return profile_elf(profile_guest_elf(g), chunk_rows);
}

const ProfileFunction* find_function(const Profile& p, std::string_view name) {
  for (const ProfileFunction& f : p.functions)
    if (f.name == name) return &f;
  return nullptr;
}

std::uint64_t sum_exclusive(const Profile& p) {
  std::uint64_t s = 0;
  for (const ProfileFunction& f : p.functions) s += f.exclusive;
  return s;
}

struct Expect {
  const char* name;
  std::uint64_t exclusive, inclusive;
};

void check_functions(const Profile& p, const std::vector<Expect>& expect) {
  CHECK(p.functions.size() == expect.size());
  for (const Expect& e : expect) {
    INFO(e.name);
    const ProfileFunction* f = find_function(p, e.name);
    REQUIRE(f != nullptr);
    CHECK(f->exclusive == e.exclusive);
    CHECK(f->inclusive == e.inclusive);
  }
}

// ---- a protobuf wire-format reader, enough for profile.proto ----
struct PbField {
  std::uint64_t number = 0;
  std::uint64_t varint = 0;  // wire type 0
  std::string_view bytes;    // wire type 2
};

std::uint64_t read_varint(std::string_view b, std::size_t& i) {
  std::uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    REQUIRE(i < b.size());
    const auto byte = static_cast<std::uint8_t>(b[i++]);
    v |= std::uint64_t{byte & 0x7fu} << shift;
    if (!(byte & 0x80)) return v;
  }
  FAIL("varint longer than 10 bytes");
  return 0;
}

std::vector<PbField> read_message(std::string_view b) {
  std::vector<PbField> out;
  for (std::size_t i = 0; i < b.size();) {
    const std::uint64_t key = read_varint(b, i);
    PbField f;
    f.number = key >> 3;
    if ((key & 7) == 0) {
      f.varint = read_varint(b, i);
    } else {
      REQUIRE((key & 7) == 2);  // the profile uses no other wire types
      const std::uint64_t len = read_varint(b, i);
      REQUIRE(len <= b.size() - i);
      f.bytes = b.substr(i, len);
      i += len;
    }
    out.push_back(f);
  }
  return out;
}

std::uint64_t field_or_zero(std::string_view msg, std::uint64_t number) {
  for (const PbField& f : read_message(msg))
    if (f.number == number) return f.varint;
  return 0;
}

std::vector<std::uint64_t> packed(std::string_view b) {
  std::vector<std::uint64_t> v;
  for (std::size_t i = 0; i < b.size();) v.push_back(read_varint(b, i));
  return v;
}

}  // namespace

TEST_CASE("profiler gives the exact exclusive and inclusive cycles of a known call structure", "[vm][profile]") {
  const Profiled r = profile_guest(call_structure_guest());
  REQUIRE(r.run.status == RunStatus::Exited);
  CHECK(r.run.cycles == 32);
  CHECK(r.profile.total_cycles == 32);
  CHECK(sum_exclusive(r.profile) == r.run.cycles);
  check_functions(r.profile, {{"_start", 6, 32},
                              {"main", 7, 26},
                              {"foo", 6, 12},
                              {"leaf", 6, 6},
                              {"bar", 2, 2},
                              {"baz", 3, 3},
                              {"[unknown 0x00010054]", 2, 2}});
  CHECK(find_function(r.profile, "[unknown 0x00010054]")->placeholder);
  CHECK(find_function(r.profile, "__main_alias") == nullptr);  // the global name wins over the weak alias
  CHECK(r.profile.symbols == 6);
  CHECK_FALSE(r.profile.depth_limited);
}

TEST_CASE("profile is the same whatever the trace chunk size", "[vm][profile]") {
  const std::string want = to_folded(profile_guest(call_structure_guest()).profile);
  for (const std::size_t rows : {1, 2, 3, 7, 31}) {
    INFO("chunk rows " << rows);
    CHECK(to_folded(profile_guest(call_structure_guest(), rows).profile) == want);
    CHECK(to_folded(profile_guest(recursion_guest(5), rows).profile) == to_folded(profile_guest(recursion_guest(5)).profile));
  }
}

TEST_CASE("folded output has one line per distinct stack, its frames outer to inner and its cycles", "[vm][profile]") {
  CHECK(to_folded(profile_guest(call_structure_guest()).profile) == kCallStructureFolded);
}

TEST_CASE("recursion keeps every frame in the stacks and counts inclusive cycles once", "[vm][profile]") {
  const Profiled r = profile_guest(recursion_guest(3));
  REQUIRE(r.run.status == RunStatus::Exited);
  CHECK(r.run.cycles == 40);
  // rec: 3 levels of 8 cycles and the innermost of 6. Summing each frame's
  // subtree would give 30 + 22 + 14 + 6 = 72 for rec's inclusive cycles.
  check_functions(r.profile, {{"_start", 10, 40}, {"rec", 30, 30}});
  CHECK(to_folded(r.profile) ==
        "_start 10\n"
        "_start;rec 8\n"
        "_start;rec;rec 8\n"
        "_start;rec;rec;rec 8\n"
        "_start;rec;rec;rec;rec 6\n");
}

TEST_CASE("recursion deeper than kMaxProfileDepth is cut there and the counts stay exact", "[vm][profile]") {
  const std::uint32_t depth = 1500;
  const Profiled r = profile_guest(recursion_guest(depth));
  REQUIRE(r.run.status == RunStatus::Exited);
  CHECK(r.profile.depth_limited);
  CHECK(sum_exclusive(r.profile) == r.run.cycles);
  check_functions(r.profile, {{"_start", 10, r.run.cycles}, {"rec", 8 * depth + 6, 8 * depth + 6}});
  std::size_t deepest = 0;
  for (const ProfileStack& s : r.profile.stacks) deepest = std::max(deepest, s.frames.size());
  CHECK(deepest == kMaxProfileDepth);
}

TEST_CASE("tail calls replace the caller's frame and return to its caller", "[vm][profile]") {
  const Profiled r = profile_guest(tail_call_guest());
  REQUIRE(r.run.status == RunStatus::Exited);
  CHECK(r.run.cycles == 16);
  check_functions(r.profile, {{"_start", 6, 16}, {"main", 4, 10}, {"a", 1, 1}, {"b", 3, 3}, {"c", 2, 2}});
  CHECK(to_folded(r.profile) ==
        "_start 6\n"
        "_start;main 4\n"
        "_start;main;a 1\n"
        "_start;main;b 3\n"
        "_start;main;c 2\n");
}

TEST_CASE("a guest without symbols is profiled under placeholders named by entry address", "[vm][profile]") {
  ProfileGuest g = call_structure_guest();
  g.symbols.clear();
  const Profiled r = profile_guest(g);
  CHECK(r.profile.symbols == 0);
  // Calls still push frames: each call target starts a placeholder.
  CHECK(to_folded(r.profile) ==
        "[unknown 0x00010000] 6\n"
        "[unknown 0x00010000];[unknown 0x00010018] 7\n"
        "[unknown 0x00010000];[unknown 0x00010018];[unknown 0x00010034] 6\n"
        "[unknown 0x00010000];[unknown 0x00010018];[unknown 0x00010034];[unknown 0x00010040] 6\n"
        "[unknown 0x00010000];[unknown 0x00010018];[unknown 0x0001004c] 5\n"
        "[unknown 0x00010000];[unknown 0x00010018];[unknown 0x00010054] 2\n");
  CHECK(sum_exclusive(r.profile) == 32);
}

TEST_CASE("function names are demangled and made printable", "[vm][profile]") {
  ProfileGuest g = call_structure_guest();
  g.symbols[3].name = "_Z3fooi";         // foo(int)
  g.symbols[5].name = "b;a\nr\x80";      // would break the folded format
  const Profiled r = profile_guest(g);
  const ProfileFunction* foo = find_function(r.profile, "foo(int)");
  REQUIRE(foo != nullptr);
  CHECK(foo->system_name == "_Z3fooi");
  CHECK(find_function(r.profile, "b?a?r?") != nullptr);
  CHECK_THAT(to_folded(r.profile), Contains("_start;main;b?a?r? 2\n"));
}

TEST_CASE("pprof output parses back to the same samples, locations, functions and sample type", "[vm][profile]") {
  const Profile p = profile_guest(call_structure_guest()).profile;
  const std::vector<std::uint8_t> pb = to_pprof(p, "guest.elf");
  const std::string_view bytes(reinterpret_cast<const char*>(pb.data()), pb.size());

  std::vector<std::string_view> strings;
  std::vector<std::string_view> samples, locations, functions, sample_types, mappings;
  std::uint64_t period = 0;
  for (const PbField& f : read_message(bytes)) {
    switch (f.number) {
      case 1: sample_types.push_back(f.bytes); break;
      case 2: samples.push_back(f.bytes); break;
      case 3: mappings.push_back(f.bytes); break;
      case 4: locations.push_back(f.bytes); break;
      case 5: functions.push_back(f.bytes); break;
      case 6: strings.push_back(f.bytes); break;
      case 12: period = f.varint; break;
      default: break;
    }
  }
  REQUIRE(!strings.empty());
  CHECK(strings[0].empty());  // profile.proto: string_table[0] must be ""
  const auto str = [&](std::uint64_t i) {
    REQUIRE(i < strings.size());
    return std::string(strings[i]);
  };
  REQUIRE(sample_types.size() == 1);
  CHECK(str(field_or_zero(sample_types[0], 1)) == "cycles");
  CHECK(str(field_or_zero(sample_types[0], 2)) == "count");
  CHECK(period == 1);
  REQUIRE(mappings.size() == 1);
  CHECK(str(field_or_zero(mappings[0], 5)) == "guest.elf");
  CHECK(field_or_zero(mappings[0], 7) == 1);  // has_functions: already symbolized

  std::map<std::uint64_t, std::string> function_name;
  for (const std::string_view fn : functions) function_name[field_or_zero(fn, 1)] = str(field_or_zero(fn, 2));
  std::map<std::uint64_t, std::string> location_name;
  for (const std::string_view loc : locations) {
    std::uint64_t fid = 0;
    for (const PbField& f : read_message(loc))
      if (f.number == 4) fid = field_or_zero(f.bytes, 1);
    REQUIRE(function_name.count(fid));
    location_name[field_or_zero(loc, 1)] = function_name[fid];
  }
  CHECK(location_name.size() == p.functions.size());

  // Samples list locations innermost first; rebuild the folded text.
  std::string folded;
  std::uint64_t total = 0;
  for (const std::string_view s : samples) {
    std::vector<std::uint64_t> ids, values;
    for (const PbField& f : read_message(s)) {
      if (f.number == 1) ids = packed(f.bytes);
      if (f.number == 2) values = packed(f.bytes);
    }
    REQUIRE(values.size() == 1);
    std::reverse(ids.begin(), ids.end());
    for (std::size_t i = 0; i < ids.size(); ++i) {
      REQUIRE(location_name.count(ids[i]));
      folded += (i ? ";" : "") + location_name[ids[i]];
    }
    folded += " " + std::to_string(values[0]) + "\n";
    total += values[0];
  }
  CHECK(folded == kCallStructureFolded);
  CHECK(total == 32);
}

TEST_CASE("top table lists functions by exclusive cycles, with inclusive cycles", "[vm][profile]") {
  const std::string t = top_functions_table(profile_guest(call_structure_guest()).profile, 3);
  CHECK(std::count(t.begin(), t.end(), '\n') == 4);  // header and 3 functions
  CHECK_THAT(t, Contains("exclusive") && Contains("inclusive"));
  const auto line = [&](int i) {
    std::size_t pos = 0;
    for (int k = 0; k < i; ++k) pos = t.find('\n', pos) + 1;
    return t.substr(pos, t.find('\n', pos) - pos);
  };
  CHECK_THAT(line(1), Contains("  7  ") && Contains("  26  ") && Contains("main"));
  // Ties keep address order: _start, then foo.
  CHECK_THAT(line(2), Contains("_start"));
  CHECK_THAT(line(3), Contains("foo"));
}

// ---- the ELF symbol-table reader ----

TEST_CASE("symbol reader returns defined function symbols, static ones included", "[vm][elf][profile]") {
  ProfileGuest g = call_structure_guest();
  g.symbols.push_back({"table", kCodeBase + 8, 4, 1, 1});  // STT_OBJECT
  g.symbols.push_back({"extern_fn", 0, 0, 1, 2, 0});       // undefined
  const std::vector<FunctionSymbol> syms = load_elf_functions(profile_guest_elf(g), "guest.elf");
  REQUIRE(syms.size() == 7);
  CHECK(syms[0].name == "_start");
  CHECK(syms[0].addr == kCodeBase);
  CHECK(syms[0].size == 24);
  CHECK(syms[0].section_end == at(26));  // .text ends after the last word
  CHECK(syms[2].binding == FunctionSymbol::Weak);
  CHECK(syms[4].name == "leaf");
  CHECK(syms[4].binding == FunctionSymbol::Local);
  CHECK(syms[6].name == "baz");
  CHECK(syms[6].size == 0);
}

TEST_CASE("a file without section headers has no function symbols", "[vm][elf][profile]") {
  CHECK(load_elf_functions(build_elf(exit_elf_spec(0)), "guest.elf").empty());
}

TEST_CASE("malformed symbol tables are rejected with a message naming the problem", "[vm][elf][profile]") {
  SymtabLayout l{};
  const std::vector<std::uint8_t> good = profile_guest_elf(call_structure_guest(), &l);
  const auto sh = [&](unsigned section, unsigned field) { return l.shoff + section * 40 + field; };
  struct Case {
    const char* what;
    std::size_t offset;
    std::uint32_t value;
    bool halfword;
    const char* message;
  };
  const std::size_t size = good.size();
  const Case cases[] = {
      {"section header table past the end", 32, static_cast<std::uint32_t>(size - 40), false,
       "section header table [0x"},
      {"section header size", 46, 64, true, "section header size 64, need 40"},
      {"extended section numbering", 48, 0, true, "extended section numbering is not supported"},
      {"symbol entry size", sh(2, 36), 24, false, "symbol table (section 2) entry size 24, need 16"},
      {"symbol table past the end", sh(2, 16), static_cast<std::uint32_t>(size - 8), false,
       "symbol table (section 2) [0x"},
      {"symbol table size", sh(2, 20), 8 * 16 + 4, false, "size 132 is not a multiple of the entry size 16"},
      {"link outside the table", sh(2, 24), 9, false, "links to string table section 9, which is not a section"},
      {"link to a non-string-table", sh(2, 24), 1, false, "links to section 1, which is not a string table"},
      {"string table past the end", sh(3, 20), 0x7fff'ffff, false, "string table (section 3) [0x"},
      {"name offset", l.symtab_off + 16 * 2, 0x10000, false, "symbol table (section 2) entry 2: name offset 0x00010000"},
      {"name not terminated", sh(3, 20), 10, false, "entry 2: name runs past the end of the string table"},  // "\0_start\0ma"
  };
  for (const Case& c : cases) {
    INFO(c.what);
    std::vector<std::uint8_t> bad = good;
    if (c.halfword)
      put16(bad, c.offset, static_cast<std::uint16_t>(c.value));
    else
      put32(bad, c.offset, c.value);
    CHECK_THROWS_AS(load_elf_functions(bad, "guest.elf"), LoadError);
    CHECK_THROWS_WITH(load_elf_functions(bad, "guest.elf"), Contains("guest.elf: ") && Contains(c.message));
  }
  CHECK(load_elf_functions(good, "guest.elf").size() == 7);  // the reader keeps aliases
}

TEST_CASE("symbol reader rejects or reads, never crashes on, corrupted section data", "[vm][elf][profile]") {
  SymtabLayout l{};
  const std::vector<std::uint8_t> good = profile_guest_elf(call_structure_guest(), &l);
  std::mt19937 rng(12);  // fixed seed: the same 3000 files every run
  std::uniform_int_distribution<std::size_t> pos(l.symtab_off, good.size() - 1);
  std::uniform_int_distribution<int> byte(0, 255), count(1, 8);
  int rejected = 0;
  for (int i = 0; i < 3000; ++i) {
    std::vector<std::uint8_t> bad = good;
    for (int k = count(rng); k > 0; --k) bad[pos(rng)] = static_cast<std::uint8_t>(byte(rng));
    try {
      const auto syms = load_elf_functions(bad, "guest.elf");
      Profiler prof(syms, kCodeBase);  // whatever the symbols say, the map is built
      CHECK(prof.profile().total_cycles == 0);
    } catch (const LoadError&) {
      ++rejected;
    }
  }
  CHECK(rejected > 0);
}

TEST_CASE("an SDK-built guest is profiled by its compiler's symbols: static, recursive and tail-called functions",
          "[vm][profile][sdk]") {
  const std::string path = ZKVM_VM_PROFILE_GUEST;
  if (path.empty()) FAIL("the guest toolchain is missing, so tests/vm/guests/profile_guest.c was not built");
  const Profiled r = profile_elf(read_elf_file(path));
  REQUIRE(r.run.status == RunStatus::Exited);
  CHECK(sum_exclusive(r.profile) == r.run.cycles);
  const std::string folded = to_folded(r.profile);
  INFO(folded);
  const ProfileFunction* fib = find_function(r.profile, "fib");  // static
  const ProfileFunction* spin = find_function(r.profile, "spin");
  const ProfileFunction* main_fn = find_function(r.profile, "main");
  REQUIRE(fib != nullptr);
  REQUIRE(spin != nullptr);
  REQUIRE(main_fn != nullptr);
  CHECK(fib->inclusive == fib->exclusive);  // its recursive calls are not counted again
  CHECK_THAT(folded, Contains(";main;fib;fib;fib "));
  // relay ends in `jr 8(t1)` to spin: spin replaces relay's frame.
  CHECK_THAT(folded, Contains(";main;spin "));
  CHECK_THAT(folded, !Contains("relay;spin"));
  CHECK(spin->exclusive >= 4 * 12001);  // 12001 iterations of a 4-instruction loop
  CHECK(main_fn->inclusive >= fib->inclusive + spin->inclusive);
  CHECK(find_function(r.profile, "_start")->inclusive == r.run.cycles);
}
