#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "core/config/config.hpp"

namespace dihya {

class Log;

// One hook invocation: which point, the JSON context on its stdin, the DIHYA_* variables.
struct HookCall {
  std::string point;  // "backup.pre", "validate"…
  Json context = Json::object();
  std::vector<std::pair<std::string, std::string>> env;
  std::chrono::seconds timeout{60};
};

// The executables that would run for POINT under HOOKS_DIR, in lexical order; a file that is
// group- or world-writable, or owned by someone other than root or us, fails with 77.
Result<std::vector<fs::path>> list_hooks(const fs::path& hooks_dir, const std::string& point);

// Run the hooks of CALL.point in order. With VETO (pre and validate points) the first hook
// that fails or times out stops the run: the error (exit 1) names it. Without VETO a failing
// hook is only logged. Their stdout and stderr go to our stderr.
Status run_hooks(const fs::path& hooks_dir, const HookCall& call, bool veto, Log& log);

}  // namespace dihya
