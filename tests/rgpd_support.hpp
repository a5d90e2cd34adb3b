#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/data/db.hpp"
#include "tests/backup_support.hpp"

// The rgpd tools in end-to-end tests.
namespace dihya::test {

// A personal-data map over the demo schema's users and events, using most strategies.
nlohmann::json demo_personal_map();

// demo_personal_map() with retention rules (events deleted after 365 days, users anonymized
// 600 days after their last login) and purposes.
nlohmann::json retention_personal_map();

// The rows of the subject KEY's users row, events, projects and files, in that order.
std::vector<std::int64_t> subject_counts(const std::string& url, const std::string& key);

// The demo tenant of WS (its database at URL) gets retention_personal_map() with users
// deleted on erasure and a masking key; then a backup of its database is taken and the user
// with the most events is erased. Returns that user's key.
std::string backup_then_erase(Workspace& ws, const std::string& url);

// The demo tenant with demo_personal_map(), seeded at SCALE users.
class RgpdWorkspace : public Workspace {
 public:
  explicit RgpdWorkspace(int scale = 300);
  std::string url() const { return "sqlite:" + (dir() / "data/demo/app.db").string(); }
  std::unique_ptr<Database> open() const;
  // The first column of SQL's rows as text ("NULL" for NULL).
  std::vector<std::string> column(const std::string& sql) const;
  RunResult anonymize(std::vector<std::string> args) const;
};

// Known values written over the first rows of the demo tenant of WS, and a fixed masking key
// (bytes 0 to 31) for TENANT: what pinned_masks() expects after anonymize --target all.
void write_pinned_rows(const RgpdWorkspace& ws);
void write_fixed_key(const Workspace& ws, const std::string& tenant = "demo");
// Queries (the same SQL on both engines) and the rows each gave under the fixed key, as masked
// by the row-by-row engine before the engines' own rewrites: old and new code must agree.
const std::vector<std::pair<std::string, std::vector<std::string>>>& pinned_masks();

// The masked columns of the demo users and of events in the database at URL, row by row in
// key order.
struct MaskedColumns {
  std::vector<std::string> users, events;
};
MaskedColumns masked_columns(const std::string& url);

// Run anonymize --target all on TENANT stopped at POINT ($DIHYA_STOP_AT), then kill -9 it
// there, or AFTER_MS after letting it go on.
void kill_anonymize_at(const Workspace& ws, const std::string& tenant, const std::string& point,
                       int after_ms);

// The first column of SQL's rows in the database at URL, as text.
std::vector<std::string> query_column(const std::string& url, const std::string& sql);

}  // namespace dihya::test
