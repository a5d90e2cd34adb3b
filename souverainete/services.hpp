#pragma once

#include "core/run/runner.hpp"
#include "souverainete/validators.hpp"

// What the souverainete module's tools do; each returns the exit code.
namespace dihya::souverainete {

int run_export(const ExportOptions& options, Context& ctx);
int run_import(const ImportOptions& options, Context& ctx);

}  // namespace dihya::souverainete
