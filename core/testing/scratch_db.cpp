#include "core/testing/scratch_db.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace dihya::test {

std::string postgres_admin_url() {
  const char* url = std::getenv("DIHYA_TEST_PG_URL");
  if (!url || !*url)
    throw std::runtime_error("DIHYA_TEST_PG_URL is not set: start scripts/pg_test_server");
  return url;
}

ScratchDatabase::ScratchDatabase(Engine engine) : m_engine(engine) {
  if (engine == Engine::sqlite) {
    m_url = "sqlite:" + (m_dir.path() / "test.db").string();
    return;
  }
  static std::atomic<int> counter{0};
  m_name = "t_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
  std::string admin = postgres_admin_url();
  auto db = open_database(admin);
  if (!db) throw std::runtime_error("cannot reach the test PostgreSQL server");
  (void)(*db)->execute("DROP DATABASE IF EXISTS " + quote_identifier(m_name));
  if (!(*db)->execute("CREATE DATABASE " + quote_identifier(m_name)))
    throw std::runtime_error("cannot create a test database");
  m_url = admin.substr(0, admin.rfind('/') + 1) + m_name;
}

ScratchDatabase::~ScratchDatabase() {
  if (m_engine != Engine::postgresql) return;
  auto db = open_database(postgres_admin_url());
  if (db)
    (void)(*db)->execute("DROP DATABASE IF EXISTS " + quote_identifier(m_name) + " WITH (FORCE)");
}

std::unique_ptr<Database> ScratchDatabase::open() const {
  auto db = open_database(m_url);
  if (!db) throw std::runtime_error("cannot open " + m_url + ": " + db.error().id);
  return std::move(*db);
}

std::string dump_table(Database& db, const std::string& table) {
  auto def = db.describe_table(table);
  if (!def) throw std::runtime_error("cannot describe " + table);
  std::string order;
  for (const auto& key : def->primary_key)
    order += (order.empty() ? "" : ", ") + quote_identifier(key);
  std::string sql = "SELECT * FROM " + quote_identifier(table);
  if (!order.empty()) sql += " ORDER BY " + order;
  auto stmt = db.prepare(sql);
  if (!stmt) throw std::runtime_error("cannot read " + table);
  std::string out;
  for (;;) {
    auto row = (*stmt)->step();
    if (!row) throw std::runtime_error("cannot read " + table + ": " + row.error().param("reason"));
    if (!*row) break;
    for (std::size_t i = 0; i < def->columns.size(); ++i) {
      int c = static_cast<int>(i);
      if (i) out += '\t';
      if ((*stmt)->is_null(c)) {
        out += "NULL";
        continue;
      }
      switch (def->columns[i].type) {
        case ColumnType::integer:
        case ColumnType::boolean:
          out += std::to_string((*stmt)->get_integer(c));
          break;
        case ColumnType::real: {
          char buffer[40];
          std::snprintf(buffer, sizeof buffer, "%.17g", (*stmt)->get_real(c));
          out += buffer;
          break;
        }
        default:
          out += (*stmt)->get_text(c);
      }
    }
    out += '\n';
  }
  return out;
}

}  // namespace dihya::test
