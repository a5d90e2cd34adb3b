#include "core/run/hooks.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <regex>

#include "core/base/log.hpp"
#include "core/base/process.hpp"

namespace dihya {
namespace {

const std::regex k_hook_name_re("[A-Za-z0-9_][A-Za-z0-9_.-]*");

bool ignored_name(const std::string& name) {
  if (!std::regex_match(name, k_hook_name_re)) return true;
  for (const char* suffix : {"~", ".bak", ".disabled", ".dpkg-old", ".dpkg-new", ".dpkg-dist",
                             ".rpmsave", ".rpmnew", ".swp"})
    if (name.size() >= std::strlen(suffix) &&
        name.compare(name.size() - std::strlen(suffix), std::strlen(suffix), suffix) == 0)
      return true;
  return false;
}

Status check_owner_and_mode(const fs::path& path, const struct stat& st) {
  if (st.st_uid != 0 && st.st_uid != ::geteuid())
    return make_error(ExitCode::no_permission, "core.hook.wrong_owner", {{"hook", path.string()}});
  if (st.st_mode & (S_IWGRP | S_IWOTH))
    return make_error(ExitCode::no_permission, "core.hook.writable", {{"hook", path.string()}});
  return {};
}

}  // namespace

Result<std::vector<fs::path>> list_hooks(const fs::path& hooks_dir, const std::string& point) {
  fs::path dir = hooks_dir / (point + ".d");
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return std::vector<fs::path>{};
  if (Status safe = check_owner_and_mode(dir, st); !safe) return safe.error();
  std::vector<fs::path> hooks;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (ignored_name(name)) continue;
    if (::stat(entry.path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    if (!(st.st_mode & S_IXUSR)) continue;
    if (Status safe = check_owner_and_mode(entry.path(), st); !safe) return safe.error();
    hooks.push_back(entry.path());
  }
  std::sort(hooks.begin(), hooks.end());
  return hooks;
}

Status run_hooks(const fs::path& hooks_dir, const HookCall& call, bool veto, Log& log) {
  auto hooks = list_hooks(hooks_dir, call.point);
  if (!hooks) return hooks.error();
  for (const auto& hook : *hooks) {
    ProcessRequest request;
    request.argv = {hook.string()};
    request.stdin_data = call.context.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
    request.env = call.env;
    request.unset_env = {"DIHYA_TOKEN", "PGPASSWORD"};  // a hook never sees the user's secrets
    request.env.emplace_back("DIHYA_HOOK_POINT", call.point);
    request.timeout = call.timeout;
    request.capture_stdout = true;
    request.capture_stderr = false;
    log.debug("core.hook.running", {{"hook", hook.string()}});
    auto outcome = run_process(request);
    if (!outcome) return outcome.error();
    if (!outcome->out.empty()) log.relay(hook.filename().string(), outcome->out);
    Error problem;
    if (outcome->interrupted) return make_error(ExitCode::interrupted, "core.interrupted");
    if (outcome->timed_out)
      problem =
          make_error(ExitCode::failure, "core.hook.timeout",
                     {{"hook", hook.string()}, {"seconds", std::to_string(call.timeout.count())}});
    else if (outcome->exit_code != 0)
      problem =
          make_error(ExitCode::failure, veto ? "core.hook.veto" : "core.hook.failed",
                     {{"hook", hook.string()},
                      {"code", std::to_string(outcome->term_signal ? 128 + outcome->term_signal
                                                                   : outcome->exit_code)}});
    else
      continue;
    if (veto) return problem;
    log.warn(problem);
  }
  return {};
}

}  // namespace dihya
