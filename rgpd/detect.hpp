#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/data/db.hpp"
#include "core/privacy/personal_map.hpp"
#include "rgpd/detect_kinds.hpp"
#include "rgpd/detect_names.hpp"
#include "rgpd/detect_values.hpp"

// Personal-data discovery: which columns of a database hold personal data, from their names
// and from a spread sample of their values, each finding with its evidence (never a value),
// a confidence and the map entry that would declare it. audit_rgpd reports it for the whole
// database, subject_export for the subject's tables.
namespace dihya::rgpd {

// How much of each table discovery reads.
struct SampleLimits {
  std::int64_t rows = 1000;     // rows per table
  std::int64_t millis = 5000;   // time per table, counted from its first sample read
};

// The sample read from one table.
struct TableScan {
  std::string table;
  std::int64_t rows = 0;     // count(*)
  std::int64_t sampled = 0;  // rows read
  // "ranges": runs of rows spread over the integer primary key's whole range; "stride":
  // every n-th row of a scan (no integer key); "all": the table is no larger than the sample.
  std::string method;
  bool time_out = false;  // the time limit stopped the sample early
  std::int64_t millis = 0;
};

// What the sampled values of a column showed.
struct ContentEvidence {
  std::string kind;            // the recognizer that matched, "" for none
  std::int64_t matches = 0;    // values it matched
  std::int64_t sampled = 0;    // non-empty values sampled
  std::vector<std::pair<std::string, std::int64_t>> inside;  // kinds inside texts or JSON
};

struct Finding {
  std::string table, column, kind;
  ColumnType type = ColumnType::text;
  bool unique = false, nullable = true, key = false;  // key: part of a primary or foreign key
  std::vector<std::string> words;  // the name's words that matched, when by name
  std::string context;             // why a contextual name counts: "people", "linked",
                                   // "billing", "person", "neighbours"; "" when not needed
  ContentEvidence content;
  std::string confidence;  // "high", "medium", "low"
  bool special = false;    // art. 9 (or 10) special category
  std::string by() const;  // "name", "content" or "name+content"
  // The map entry that declares it ({"category", "mask", "unique"}), or null for a
  // quasi-identifier (declared in quasi_identifiers).
  Json suggestion() const;
};

struct Discovery {
  std::vector<Finding> findings;  // every personal column found, declared or not
  std::vector<TableScan> tables;
};

// Discover the personal columns of DEFS (dihya_* tables aside) in DB. MAP names the subject
// table (a table about people). Columns of a kind that cannot be sampled (blobs) are judged
// by name only.
Result<Discovery> discover(Database& db, const personal::PersonalMap& map,
                           const std::vector<const TableDef*>& defs, const SampleLimits& limits);

// Whether MAP declares TABLE.COLUMN: a masked column, the subject key or a subject column, a
// quasi-identifier, or a column reviewed as not personal.
bool declared_in(const personal::PersonalMap& map, const std::string& table,
                 const std::string& column);

// The findings of DISCOVERY that MAP does not declare.
std::vector<Finding> undeclared(const Discovery& discovery, const personal::PersonalMap& map);

// A map fragment that declares FINDINGS: {"tables": {…}, "quasi_identifiers": […]}, ready to
// merge into personal_data.
Json suggested_map(const std::vector<Finding>& findings);

}  // namespace dihya::rgpd
