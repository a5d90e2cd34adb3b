#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/data/db.hpp"
#include "core/privacy/masking.hpp"
#include "core/privacy/personal_map.hpp"

// The retention rules of the personal-data map: which rows are past them (purge_rgpd acts on
// them; audit_rgpd, the health facts and the maintenance report count them).
namespace dihya::personal {

// The rows of one table past its retention: its date column older than the cutoff, and for
// an `anonymize` rule, not anonymized by an earlier purge (dihya_retention_masked).
struct RetentionQuery {
  std::string condition;  // SQL over the table's columns
  std::string cutoff;     // RFC 3339, UTC
  std::string table;
  bool marked = false;  // the condition leaves out rows an earlier purge anonymized
  std::vector<Field> params() const;
  Status bind(Statement& statement) const;
};

// 78 when the rule's column is not a date or timestamp; 65 when an anonymize rule's table has
// no single-column primary key (what remembers the rows it anonymized).
Status check_retention(const PersonalTable& table, const TableDef& def);
RetentionQuery overdue_query(Database& db, const PersonalTable& table, const TableDef& def,
                             std::int64_t now_ms);
Result<std::int64_t> count_overdue(Database& db, const TableDef& def, const RetentionQuery& q);
// One retention rule of the map and the rows of its table past it.
struct OverdueTable {
  std::string table, column;
  int days = 0;
  bool anonymize = false;  // the rule's "then"
  std::string cutoff;      // RFC 3339, UTC: rows dated before it are past retention
  std::int64_t rows = 0;
};
// Count the rows past every retention rule of MAP, whose tables DB describes in DEFS (as
// check_against returns them), at NOW_MS; errors as check_retention.
Result<std::vector<OverdueTable>> count_all_overdue(Database& db, const PersonalMap& map,
                                                    const std::map<std::string, TableDef>& defs,
                                                    std::int64_t now_ms);
// Create the marker table of anonymized rows when missing.
Status ensure_retention_marks(Database& db);
// Mask the overdue rows of TABLE per the map and mark them, in the caller's transaction.
Result<std::int64_t> mask_overdue(Database& db, const masking::Masker& masker,
                                  const PersonalTable& table, const TableDef& def,
                                  const RetentionQuery& q);

}  // namespace dihya::personal
