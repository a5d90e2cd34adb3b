#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/base/options.hpp"
#include "core/config/config.hpp"
#include "core/data/db.hpp"

namespace dihya::seed {

struct SeedOptions {
  std::int64_t scale = 1000;
  std::uint64_t seed = 42;
  std::string locale = "mixed";
  std::optional<std::string> schema_file;
  bool reset = false;
  bool force = false;
  std::optional<std::string> reason;
  bool dry_run = false;
};

// Parse and check seed's arguments (64 on a bad value).
Result<SeedOptions> parse_seed_options(const Arguments& args);

// How a column's values are made.
enum class GeneratorKind {
  sequence,
  ref,
  first_name,
  last_name,
  full_name,
  email,
  username,
  phone,
  address,
  city,
  country,
  ip,
  user_agent,
  integer,
  real,
  decimal,
  boolean,
  date,
  timestamp,
  words,
  choice,
  hex,
  file_path,
  file_size,
  event_payload,
  constant,
  null
};

struct Generator {
  GeneratorKind kind = GeneratorKind::null;
  std::int64_t low = 0, high = 0;  // integer/date/timestamp bounds, sequence start, decimals
  double real_low = 0, real_high = 0, probability = 0;
  std::string text;     // constant, referenced table
  bool skewed = false;  // ref: a few rows get most references
  std::vector<std::pair<std::string, std::uint64_t>> choices;  // value, cumulative weight
};

struct SeedColumn {
  ColumnDef def;
  Generator generator;
  double null_rate = 0;
};

struct SeedTable {
  std::string name;
  double scale_factor = 0;  // rows = max(min_rows, round(scale × factor)), or fixed
  std::int64_t fixed_rows = -1;
  std::int64_t min_rows = 1;
  std::vector<SeedColumn> columns;
  TableDef def;  // columns, primary key, foreign keys, unique keys

  std::int64_t rows_for(std::int64_t scale) const;
};

struct SeedSchema {
  std::vector<SeedTable> tables;  // in load order: a table comes after those it references
  const SeedTable* find(const std::string& name) const;
};

// Parse a seed schema document; errors are 65 and name SOURCE and the JSON path.
Result<SeedSchema> parse_seed_schema(const Json& doc, const std::string& source);
Result<SeedSchema> load_seed_schema_file(const std::string& path);

// The built-in demo schema of the platform (users, templates, projects, files, events).
const SeedSchema& demo_schema();

}  // namespace dihya::seed
