#pragma once

#include <string>
#include <vector>

#include "core/config/config.hpp"
#include "core/data/db.hpp"
#include "core/testing/workspace.hpp"

// A workspace for the maintenance module's end-to-end tests: a demo-like database (users and
// a files catalog whose rows match real files under the uploads root), on SQLite or on the
// test PostgreSQL server.
namespace dihya::test {

class MaintenanceWorkspace : public Workspace {
 public:
  // FILES catalog rows with files on disk; DATABASE_URL replaces the SQLite file when set.
  explicit MaintenanceWorkspace(int files = 20, const std::string& database_url = "");
  fs::path uploads() const { return dir() / "data/demo/uploads"; }
  fs::path sqlite_file() const { return dir() / "data/demo/app.db"; }
  const std::string& database_url() const { return m_url; }
  std::unique_ptr<Database> open() const;
  // The file on disk of catalog row ID.
  fs::path file_of(int id) const;
  // Apply SQL to the database.
  void sql(const std::string& statement) const;
  // The loaded config's demo tenant.
  Config load() const;
  // Write a plain backup of the database part into <dir>/backups through the engine.
  std::string make_backup() const;
  fs::path repository() const { return dir() / "backups"; }

 private:
  std::string m_url;
};

// The value of the first sample of METRIC in TEXT whose labels contain LABEL ("check=\"db\"").
std::optional<double> metric_value(const std::string& text, const std::string& metric,
                                   const std::string& label);

}  // namespace dihya::test
