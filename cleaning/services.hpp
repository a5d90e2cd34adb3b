#pragma once

#include "cleaning/validators.hpp"
#include "core/run/runner.hpp"

namespace dihya::cleaning {

// clean_tmp: plan, then apply, for each selected temporary directory (cleaning/README.md).
int run_clean_tmp(const TmpOptions& options, Context& ctx);

struct LogsOptions;
// clean_logs: rotate, compress and expire each declared log set (cleaning/README.md).
int run_clean_logs(const LogsOptions& options, Context& ctx);

struct OrphansOptions;
// clean_orphans: compare each declared file root with the database; quarantine, delete or
// restore (cleaning/README.md).
int run_clean_orphans(const OrphansOptions& options, Context& ctx);

// Add the removed entries and bytes to the tool's counters (carried over from its previous
// metrics file): dihya_clean_files_removed_total, dihya_clean_bytes_removed_total.
void add_clean_counters(Context& ctx, const std::string& tool, std::uint64_t files,
                        std::uint64_t bytes);

}  // namespace dihya::cleaning
