#include "prover/air/checker.h"

#include <map>
#include <sstream>

namespace zkvm::air {

namespace {

std::string signed_str(Fp x) {
  const uint32_t c = x.canonical();
  if (c > Fp::kModulus / 2) return "-" + std::to_string(Fp::kModulus - c);
  return "+" + std::to_string(c);
}

struct TupleInfo {
  Fp net;
  std::string first_table;
  size_t first_row = 0;
};

}  // namespace

std::string shape_error(const TableWitness& t) {
  if (t.air == nullptr || t.trace == nullptr) return "table without AIR or trace";
  const Air& air = *t.air;
  const auto& m = *t.trace;
  const std::string n = "table '" + air.name() + "': ";
  if (m.width != air.width())
    return n + "trace width " + std::to_string(m.width) + " != AIR width " + std::to_string(air.width());
  if (m.height == 0 && !air.may_be_absent()) return n + "trace height 0, but the table may not be absent";
  if (m.height != 0 && (m.height < 2 || (m.height & (m.height - 1)) != 0))
    return n + "trace height " + std::to_string(m.height) + " is not a power of two >= 2";
  if (m.height > (size_t{1} << 24)) return n + "trace height " + std::to_string(m.height) + " exceeds 2^24";
  if (m.values.size() != m.width * m.height) return n + "trace storage size does not match width x height";
  if (t.publics.size() != air.num_public_values())
    return n + std::to_string(t.publics.size()) + " public values given, AIR expects " +
           std::to_string(air.num_public_values());
  if (air.preprocessed_width() > 0) {
    auto pre = air.preprocessed_trace();
    if (!pre || pre->width != air.preprocessed_width() || pre->height != m.height)
      return n + "preprocessed trace is missing or its shape differs from width " +
             std::to_string(air.preprocessed_width()) + " x trace height " + std::to_string(m.height);
  }
  return "";
}

CheckResult check_constraints(std::span<const TableWitness> tables, bool check_buses,
                              std::span<const PublicInteraction> extra_terms) {
  const std::vector<TableWitness> one(tables.begin(), tables.end());
  return check_statement(std::span(&one, 1), check_buses, extra_terms);
}

CheckResult check_statement(std::span<const std::vector<TableWitness>> segments, bool check_buses,
                            std::span<const PublicInteraction> extra_terms) {
  CheckResult res;
  std::map<std::pair<uint32_t, std::vector<uint32_t>>, TupleInfo> buses;
  std::map<uint32_t, std::string> bus_names;
  for (size_t seg = 0; seg < segments.size(); ++seg)
  for (const TableWitness& t : segments[seg]) {
    const std::string where = segments.size() > 1 ? "segment " + std::to_string(seg) + ": " : "";
    if (std::string e = shape_error(t); !e.empty()) {
      res.ok = false;
      res.message = where + e;
      res.table = t.air ? t.air->name() : "";
      res.constraint = "shape";
      return res;
    }
    const Air& air = *t.air;
    const auto& m = *t.trace;
    std::optional<RowMajorMatrix<Fp>> pre = air.preprocessed_trace();
    CheckBuilder b;
    b.height = m.height;
    b.publics = t.publics;
    for (size_t r = 0; r < m.height; ++r) {
      const size_t nr = (r + 1) % m.height;
      b.row = r;
      b.local = m.row(r);
      b.next = m.row(nr);
      if (pre) {
        b.pre_local = pre->row(r);
        b.pre_next_row = pre->row(nr);
      }
      b.failed = nullptr;
      b.tuples.clear();
      air.eval(b);
      if (b.failed != nullptr) {
        res.ok = false;
        res.table = air.name();
        res.row = r;
        res.constraint = b.failed;
        res.message = where + "table '" + air.name() + "' row " + std::to_string(r) + ": constraint '" + b.failed +
                      "' is not satisfied";
        return res;
      }
      for (auto& tp : b.tuples) {
        if (tp.mult.is_zero()) continue;
        std::vector<uint32_t> key;
        for (Fp v : tp.values) key.push_back(v.canonical());
        auto [it, fresh] = buses.try_emplace({tp.bus, std::move(key)});
        if (fresh) {
          it->second.first_table = where + air.name();
          it->second.first_row = r;
          bus_names[tp.bus] = air.bus_name(tp.bus);
        }
        it->second.net += tp.mult;
      }
    }
  }
  if (!check_buses) return res;
  // Public boundary terms join the multiset like any table's tuples.
  auto add_term = [&](const PublicInteraction& pi, const std::string& origin, const std::string& bus_name) {
    if (pi.mult.is_zero()) return;
    std::vector<uint32_t> key;
    for (Fp v : pi.tuple) key.push_back(v.canonical());
    auto [it, fresh] = buses.try_emplace({pi.bus, std::move(key)});
    if (fresh) {
      it->second.first_table = origin;
      it->second.first_row = 0;
      if (!bus_names.count(pi.bus)) bus_names[pi.bus] = bus_name;
    }
    it->second.net += pi.send ? pi.mult : -pi.mult;
  };
  for (const PublicInteraction& pi : extra_terms)
    add_term(pi, "public values of the statement", "bus " + std::to_string(pi.bus));
  for (const auto& tables : segments)
  for (const TableWitness& t : tables) {
    for (const PublicInteraction& pi : t.air->public_interactions(t.publics))
      add_term(pi, "public values of '" + t.air->name() + "'", t.air->bus_name(pi.bus));
  }
  for (const auto& [key, info] : buses) {
    if (info.net.is_zero()) continue;
    std::ostringstream os;
    os << "bus '" << bus_names[key.first] << "' is unbalanced: tuple (";
    for (size_t i = 0; i < key.second.size(); ++i) os << (i ? ", " : "") << key.second[i];
    os << ") has net multiplicity " << signed_str(info.net) << " (sends minus receives; first seen in "
       << (info.first_table.rfind("public values", 0) == 0 ? info.first_table
                                                          : "table '" + info.first_table + "' row " +
                                                                std::to_string(info.first_row))
       << ")";
    res.ok = false;
    res.table = info.first_table;
    res.row = info.first_row;
    res.constraint = "bus";
    res.message = os.str();
    return res;
  }
  return res;
}

}  // namespace zkvm::air
