#pragma once

#include "backup/validators.hpp"
#include "core/run/runner.hpp"

// The backup module's tools, after the runner's checks (the engine is core/backup.hpp).
namespace dihya::backup {

// The key sources of KEYS, asking on the terminal in the run's language when needed.

int run_backup(const BackupOptions& options, Context& ctx);
int run_restore(const RestoreOptions& options, Context& ctx);
int run_verify(const VerifyOptions& options, Context& ctx);
int run_list(const ListOptions& options, Context& ctx);
int run_rotate(Context& ctx);

// Human sizes: "1.5 MiB".
std::string human_bytes(std::int64_t bytes);

}  // namespace dihya::backup
