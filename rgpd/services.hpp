#pragma once

#include "core/run/runner.hpp"
#include "rgpd/validators.hpp"

// What the rgpd module's tools do; each returns the exit code.
namespace dihya::rgpd {

int run_anonymize(const AnonymizeOptions& options, Context& ctx);
int run_purge(const PurgeOptions& options, Context& ctx);
int run_subject_export(const SubjectOptions& options, Context& ctx);
int run_subject_erase(const SubjectOptions& options, Context& ctx);
int run_consent(const ConsentOptions& options, Context& ctx);
int run_audit_rgpd(const AuditRgpdOptions& options, Context& ctx);

}  // namespace dihya::rgpd
