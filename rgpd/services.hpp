#pragma once

#include "core/runner.hpp"
#include "rgpd/validators.hpp"

// What the rgpd module's tools do; each returns the exit code.
namespace dihya::rgpd {

int run_anonymize(const AnonymizeOptions& options, Context& ctx);

}  // namespace dihya::rgpd
