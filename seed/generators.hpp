#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/data/db.hpp"
#include "core/privacy/fake.hpp"
#include "seed/validators.hpp"

namespace dihya::seed {

// Makes the rows of one table. Each value is a pure function of (seed, table, row, column):
// the same options give the same rows on every engine, run after run.
class RowGenerator {
 public:
  RowGenerator(const SeedTable& table, const SeedSchema& schema, std::int64_t scale,
               std::uint64_t seed, std::vector<const LocalePack*> packs);

  // The fields of ROW (counted from 0); valid until the next call.
  const Field* row(std::int64_t row);
  std::size_t width() const { return m_columns.size(); }

 private:
  struct Column {
    const SeedColumn* spec;
    std::uint64_t base;
    std::int64_t ref_rows = 0;   // rows of the referenced table
    std::int64_t ref_start = 1;  // first id of the referenced table
  };
  void generate(Column& column, std::int64_t row, std::string& out, Field& field);

  std::vector<Column> m_columns;
  std::vector<std::string> m_buffers;
  std::vector<Field> m_fields;
  std::vector<const LocalePack*> m_packs;
  std::uint64_t m_person_base;
  bool m_uses_person = false;
  fake::Person m_person;
};

}  // namespace dihya::seed
