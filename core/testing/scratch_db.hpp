#pragma once

#include <memory>
#include <string>

#include "core/data/db.hpp"
#include "core/testing/workspace.hpp"

// The engine a test binary targets: SQLite in the unit suite, PostgreSQL when the same
// source is compiled with DIHYA_TEST_ENGINE_POSTGRESQL for the postgres suite.
#ifdef DIHYA_TEST_ENGINE_POSTGRESQL
#define DIHYA_ENGINE_TAG "[postgres]"
#else
#define DIHYA_ENGINE_TAG "[sqlite]"
#endif

namespace dihya::test {

#ifdef DIHYA_TEST_ENGINE_POSTGRESQL
inline constexpr Engine k_test_engine = Engine::postgresql;
#else
inline constexpr Engine k_test_engine = Engine::sqlite;
#endif

// A fresh, empty database for one test: a SQLite file in a temporary directory, or a new
// database on the test PostgreSQL server ($DIHYA_TEST_PG_URL), dropped at the end.
class ScratchDatabase {
 public:
  explicit ScratchDatabase(Engine engine);
  ~ScratchDatabase();
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;

  const std::string& url() const { return m_url; }
  Engine engine() const { return m_engine; }
  std::unique_ptr<Database> open() const;

 private:
  Engine m_engine;
  TempDir m_dir;
  std::string m_url;
  std::string m_name;  // PostgreSQL database name
};

// The URL of the test PostgreSQL server's maintenance database; fails the test when unset.
std::string postgres_admin_url();

// Every row of TABLE ordered by its primary key, one line each, values in a canonical text
// form that is the same on both engines.
std::string dump_table(Database& db, const std::string& table);

}  // namespace dihya::test
