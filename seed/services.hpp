#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/data/db.hpp"
#include "core/run/runner.hpp"
#include "seed/validators.hpp"

namespace dihya::seed {

struct TableSeeded {
  std::string table;
  std::int64_t rows = 0;
  double seconds = 0;
};

struct SeedSummary {
  std::vector<TableSeeded> tables;
  std::int64_t rows = 0;
  double seconds = 0;
};

// Called every few thousand rows with the rows written so far, across all tables.
using SeedProgress = std::function<void(std::int64_t done)>;

// The rows each table of SCHEMA gets at SCALE.
std::vector<TableSeeded> seed_plan(const SeedSchema& schema, std::int64_t scale);

// Create SCHEMA's tables in DB (dropping them first with reset) and fill them, all in one
// transaction: an interruption or an error leaves the database as it was. Refuses tables
// that already hold rows unless reset.
Result<SeedSummary> seed_database(Database& db, const SeedSchema& schema,
                                  const SeedOptions& options, const SeedProgress& progress);

// seed: the tool's run, after the runner's checks.
int run_seed(const SeedOptions& options, Context& ctx);

}  // namespace dihya::seed
