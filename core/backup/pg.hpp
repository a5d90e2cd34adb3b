#pragma once

// Internal to the backup engine: restoring a pg_dump part through pg_restore into a scratch
// database, swapped in by renaming databases.
#include "core/backup/backup.hpp"

namespace dihya {

Result<RestoreOutcome> restore_postgres(const TenantConfig& tenant, const BackupRepository& repo,
                                        const BackupInfo& info, const BackupKeys& keys,
                                        const RestoreRequest& request,
                                        const std::function<void(std::uint64_t)>& progress);
Result<Json> restore_test_postgres(const TenantConfig& tenant, const BackupRepository& repo,
                                   const BackupInfo& info, const BackupKeys& keys);

}  // namespace dihya
