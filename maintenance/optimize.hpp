#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/config/section_maintenance.hpp"
#include "core/data/db.hpp"

// optimize_db's plan: measurements of the database, and the steps they call for, each with
// the measured figure and the threshold that decided it.
namespace dihya::maintenance {

enum class VacuumMode { auto_, full, incremental, none };

struct OptimizeRequest {
  bool analyze = false;
  VacuumMode vacuum = VacuumMode::auto_;
  bool reindex = false;
};

struct OptimizeStep {
  std::string action;  // optimize, analyze, checkpoint, vacuum, incremental_vacuum, reindex…
  std::string object;  // "database", a table or an index (schema-qualified on PostgreSQL)
  std::string sql;
  Error reason;  // why: the measured figure against its threshold
  std::optional<Error> refusal =
      std::nullopt;        // planned but refused (disk too small, not the owner)
  std::string owner = {};  // PostgreSQL: the role the statement runs as
};

struct OptimizePlan {
  Engine engine = Engine::sqlite;
  std::vector<OptimizeStep> steps;
  Json measurements = Json::object();
};

// Measure DB (the SQLite file at SQLITE_PATH, or the PostgreSQL database) and plan.
Result<OptimizePlan> plan_optimize(Database& db, const std::optional<fs::path>& sqlite_path,
                                   const OptimizeThresholds& thresholds,
                                   const OptimizeRequest& request);

// The size in bytes of what STEP acts on (the whole file, a table with its indexes, an index).
Result<std::int64_t> step_object_bytes(Database& db, const std::optional<fs::path>& sqlite_path,
                                       const OptimizeStep& step);

Json step_json(const OptimizeStep& step);

}  // namespace dihya::maintenance
