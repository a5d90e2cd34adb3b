#include "core/run/runner.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>

#include "core/base/clock.hpp"
#include "core/base/crypto.hpp"
#include "core/base/signals.hpp"
#include "core/config/tenants.hpp"
#include "core/run/audit.hpp"
#include "core/run/config_sections.hpp"
#include "core/run/hooks.hpp"
#include "dihya_build_config.h"

namespace dihya {
namespace {

// The value of --NAME in ARGV before full parsing (the language of usage errors, say).
std::optional<std::string> prescan(int argc, char** argv, const std::string& name) {
  const std::string flag = "--" + name;
  std::optional<std::string> last;  // an option given twice: the last one wins
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--") break;
    if (arg == flag && i + 1 < argc)
      last = std::string(argv[++i]);
    else if (arg.rfind(flag + "=", 0) == 0)
      last = arg.substr(flag.size() + 1);
  }
  return last;
}

Json message_json(const std::string& id, const MessageParams& params) {
  Json p = Json::object();
  for (const auto& [key, value] : params) p[key] = value;
  return {{"id", id}, {"params", p}};
}

// The config as one tenant's hooks may see it: global sections and that tenant only.
Json tenant_view(const Json& raw, const std::string& tenant) {
  Json view = raw;
  if (view.contains("tenants") && view["tenants"].is_object()) {
    Json own = Json::object();
    if (view["tenants"].contains(tenant)) own[tenant] = view["tenants"][tenant];
    view["tenants"] = own;
  }
  return view;
}

Json arguments_json(const Arguments& args) {
  Json out = Json::object();
  for (const auto& [name, set] : args.flags()) out[name] = set;
  for (const auto& [name, values] : args.all_values())
    if (args.personal(name))
      out[name] = "(withheld)";  // it identifies a person
    else if (name != "token-file")
      out[name] = values.size() == 1 ? Json(values[0]) : Json(values);
  if (!args.positional().empty()) out["arguments"] = args.positional();
  return out;
}

std::vector<std::pair<std::string, std::string>> hook_env(const ToolSpec& spec,
                                                          const Context& ctx) {
  return {{"DIHYA_TOOL", spec.name},
          {"DIHYA_MODULE", spec.module},
          {"DIHYA_TENANT", ctx.tenant().name},
          {"DIHYA_USER", ctx.identity().user},
          {"DIHYA_STATE_DIR", ctx.tenant().state_dir.string()},
          {"DIHYA_CONFIG", ctx.config().path.string()},
          {"DIHYA_DRY_RUN", ctx.dry_run() ? "1" : "0"}};
}

// Append EVENT to TENANT's trail and sign a checkpoint; false when the record is not written.
bool record_event(const TenantConfig& tenant, const AuditEvent& event, Log& log) {
  AuditTrail trail(tenant);
  auto written = trail.append(event);
  if (!written) {
    log.error(written.error());
    return false;
  }
  if (Status signed_cp = trail.sign_checkpoint(*written); !signed_cp) {
    Error warning = make_error(ExitCode::io_error, "core.audit.checkpoint_failed");
    warning.causes.push_back(signed_cp.error());
    log.warn(warning);
  }
  return true;
}

class Runner {
 public:
  Runner(const ToolSpec& spec, int argc, char** argv)
      : m_spec(spec),
        m_argc(argc),
        m_argv(argv),
        m_cli_lang(prescan(argc, argv, "lang")),
        m_messages(resolve_language(
            m_cli_lang, configured_language(locate_config(prescan(argc, argv, "config"))))),
        m_log(spec.name, m_messages, Verbosity::normal) {}

  int run();
  Log& log() { return m_log; }

 private:
  int usage_error(const Error& error);
  int denied(const std::vector<const TenantConfig*>& tenants, const Error& error);
  int run_for_tenant(const TenantConfig& tenant, Json& result);
  int run_for_config(const std::vector<const TenantConfig*>& tenants, Json& result);
  int run_for_each_tenant(const std::vector<const TenantConfig*>& tenants, Json& result);
  int conclude(Context& ctx, int code, const Error& error, Json& result);
  Json error_json(const Error& error, int code) const;
  int execute(Context& ctx, const TenantConfig* hooks_tenant, Error& error);
  Status validate_with_hooks(const TenantConfig& tenant);
  // Audit the run and write its metrics; return the exit code (74 when it is not audited).
  int finish(const TenantConfig& tenant, Context& ctx, int code, const Error* error,
             std::int64_t started_ms);
  AuditEvent event_for(const TenantConfig& tenant, const std::string& user) const;
  // Record a run that stopped before its action (usage error, denial) in each tenant's trail.
  void record_stop(const std::vector<const TenantConfig*>& tenants, const std::string& user,
                   const char* outcome, const Error& error);

  const ToolSpec& m_spec;
  int m_argc;
  char** m_argv;
  std::optional<std::string> m_cli_lang;
  Messages m_messages;
  Log m_log;
  Arguments m_args;
  std::optional<Config> m_config;
  Identity m_identity;
  std::string m_action;
};

AuditEvent Runner::event_for(const TenantConfig& tenant, const std::string& user) const {
  AuditEvent event;
  event.tenant = tenant.name;
  event.user = user;
  event.os_user = os_user_name();
  event.tool = m_spec.name;
  event.action = m_action;
  return event;
}

// A usage error is audited when the config and tenant can be found from the raw arguments.
int Runner::usage_error(const Error& error) {
  m_log.error(error);
  auto config = load_config(locate_config(prescan(m_argc, m_argv, "config")));
  if (!config) return to_int(error.code);
  bool all = false;
  for (int i = 1; i < m_argc; ++i) all = all || std::string(m_argv[i]) == "--all-tenants";
  auto tenants = select_tenants(*config, prescan(m_argc, m_argv, "tenant"), all);
  if (!tenants) return to_int(error.code);
  if (m_action.empty()) m_action = "usage";
  record_stop(*tenants, prescan(m_argc, m_argv, "user").value_or(""), "failure", error);
  return to_int(error.code);
}

int Runner::denied(const std::vector<const TenantConfig*>& tenants, const Error& error) {
  m_log.error(error);
  record_stop(tenants,
              m_identity.user.empty() ? m_args.value("user").value_or("") : m_identity.user,
              "denied", error);
  return to_int(error.code);
}

void Runner::record_stop(const std::vector<const TenantConfig*>& tenants, const std::string& user,
                         const char* outcome, const Error& error) {
  for (const TenantConfig* tenant : tenants) {
    AuditEvent event = event_for(*tenant, user);
    event.outcome = outcome;
    event.exit_code = to_int(error.code);
    event.details["message"] = message_json(error.id, error.params);
    record_event(*tenant, event, m_log);
    // The run ends here, so its metrics say so too (a denial shows up in monitoring).
    RunMetrics run{now_ms(), 0, event.exit_code};
    if (Status wrote = write_run_metrics(tenant->metrics_dir(), tenant->name, m_spec.name, run, {});
        !wrote)
      m_log.warn(wrote.error());
  }
}

int Runner::run() {
  OptionSet options;
  m_spec.declare_options(options);
  auto parsed = parse_arguments(m_spec.name, options, m_argc, m_argv, m_spec.changes_data);
  if (!parsed) return usage_error(parsed.error());
  m_args = std::move(*parsed);
  if (m_args.flag("quiet")) m_log.set_verbosity(Verbosity::quiet);
  if (m_args.flag("verbose")) m_log.set_verbosity(Verbosity::verbose);
  if (m_args.flag("help")) {
    std::fputs(help_text(m_spec, m_messages).c_str(), stdout);
    return 0;
  }
  if (m_args.flag("version")) {
    std::printf("%s (Dihya Ops) %s\n", m_spec.name.c_str(), DIHYA_VERSION);
    return 0;
  }
  if (auto lang = m_args.value("lang"); lang && !parse_language(*lang))
    return usage_error(make_error(ExitCode::usage, "core.usage.bad_lang", {{"value", *lang}}));
  if (Status valid = m_spec.validate_arguments(m_args); !valid) return usage_error(valid.error());
  m_action = m_spec.action(m_args);

  auto config = load_config(locate_config(m_args.value("config")));
  if (!config) {
    m_log.error(config.error());
    return to_int(config.error().code);
  }
  m_config = std::move(*config);
  m_messages = Messages(resolve_language(m_cli_lang, m_config->language));
  m_log.set_messages(m_messages);

  auto tenants = m_spec.scope == Scope::config ? all_tenants(*m_config)
                                               : select_tenants(*m_config, m_args.value("tenant"),
                                                                m_args.flag("all-tenants"));
  if (!tenants) return usage_error(tenants.error());

  std::optional<fs::path> token_file;
  if (auto file = m_args.value("token-file")) token_file = *file;
  auto identity = authenticate(*m_config, m_args.value("user"), token_file);
  if (!identity) return denied(*tenants, identity.error());
  m_identity = *identity;
  if (Status allowed = authorize(*m_config, m_identity, m_spec.permission(m_args)); !allowed)
    return denied(*tenants, allowed.error());

  int code = 0;
  Json result = Json::object();
  if (m_spec.scope == Scope::config) {
    code = run_for_config(*tenants, result);
  } else if (!m_args.flag("all-tenants")) {
    code = run_for_tenant(*tenants->front(), result);
  } else {
    code = run_for_each_tenant(*tenants, result);
  }
  if (m_args.flag("json") && !result.is_null())
    std::printf("%s\n", result.dump(2, ' ', false, Json::error_handler_t::replace).c_str());
  return code;
}

// --all-tenants: each tenant in turn, its text output headed by its name, its result under
// "tenants"; those the tool does not apply to are skipped and said to be (78 when none is left).
int Runner::run_for_each_tenant(const std::vector<const TenantConfig*>& tenants, Json& result) {
  result["tenants"] = Json::object();
  int code = 0;
  int ran = 0;
  for (const TenantConfig* tenant : tenants) {
    if (m_spec.applies_to && !m_spec.applies_to(*tenant)) {
      std::string reason = m_messages.text(m_spec.not_applicable_id, {{"tenant", tenant->name}});
      m_log.info("core.run.tenant_skipped", {{"tenant", tenant->name}, {"reason", reason}});
      result["tenants"][tenant->name] = {
          {"skipped", true}, {"reason", {{"id", m_spec.not_applicable_id}, {"text", reason}}}};
      continue;
    }
    if (!m_args.flag("json") && !m_args.flag("quiet"))
      std::printf("%s%s\n", ran ? "\n" : "",
                  m_messages.text("core.run.tenant_heading", {{"tenant", tenant->name}}).c_str());
    ++ran;
    Json one = Json::object();
    int c = run_for_tenant(*tenant, one);
    result["tenants"][tenant->name] = one;
    if (code == 0) code = c;
    if (interrupted()) break;
  }
  if (ran == 0 && !tenants.empty()) {
    Error none = make_error(ExitCode::config_error, "core.run.no_tenant_applies");
    m_log.error(none);
    result["error"] = error_json(none, to_int(none.code));
    return to_int(none.code);
  }
  return code;
}

int Runner::execute(Context& ctx, const TenantConfig* hooks_tenant, Error& error) {
  try {
    if (hooks_tenant && !m_spec.hook_point.empty()) {
      HookCall pre{m_spec.hook_point + ".pre",
                   {{"tool", m_spec.name},
                    {"tenant", hooks_tenant->name},
                    {"user", m_identity.user},
                    {"target", ctx.target()},
                    {"options", arguments_json(m_args)}},
                   hook_env(m_spec, ctx),
                   std::chrono::seconds(hooks_tenant->hook_timeout_seconds)};
      take(run_hooks(hooks_tenant->hooks_dir, pre, true, m_log));
    }
    check_interrupted();
    int code = m_spec.run(ctx);
    check_interrupted();
    return code;
  } catch (const Failure& failure) {
    error = failure.error();
    m_log.error(error);
    return to_int(error.code);
  }
}

// Let the tenant's "validate" hooks reject the configuration (exit 78).
Status Runner::validate_with_hooks(const TenantConfig& tenant) {
  Context ctx(m_spec, *m_config, &tenant, m_identity, m_args, m_messages, m_log);
  HookCall validate{"validate",
                    {{"tenant", tenant.name}, {"config", tenant_view(m_config->raw, tenant.name)}},
                    hook_env(m_spec, ctx),
                    std::chrono::seconds(tenant.hook_timeout_seconds)};
  Status accepted = run_hooks(tenant.hooks_dir, validate, true, m_log);
  if (accepted || accepted.error().code != ExitCode::failure) return accepted;
  Error rejected = accepted.error();
  rejected.code = ExitCode::config_error;
  return rejected;
}

int Runner::run_for_tenant(const TenantConfig& tenant, Json& result) {
  std::int64_t started = now_ms();
  Context ctx(m_spec, *m_config, &tenant, m_identity, m_args, m_messages, m_log);
  Error error;
  int code;
  if (Status accepted = validate_with_hooks(tenant); !accepted) {
    error = accepted.error();
    m_log.error(error);
    code = to_int(error.code);
  } else {
    code = execute(ctx, &tenant, error);
  }
  if (!m_spec.hook_point.empty() && code != to_int(ExitCode::interrupted) &&
      error.id.rfind("core.hook.", 0) != 0) {
    HookCall post{m_spec.hook_point + ".post",
                  {{"tool", m_spec.name},
                   {"tenant", tenant.name},
                   {"user", m_identity.user},
                   {"target", ctx.target()},
                   {"options", arguments_json(m_args)},
                   {"outcome", code == 0 ? "success" : "failure"},
                   {"exit_code", code},
                   {"result", ctx.result()}},
                  hook_env(m_spec, ctx),
                  std::chrono::seconds(tenant.hook_timeout_seconds)};
    post.env.emplace_back("DIHYA_OUTCOME", code == 0 ? "success" : "failure");
    post.env.emplace_back("DIHYA_EXIT_CODE", std::to_string(code));
    if (Status ran = run_hooks(tenant.hooks_dir, post, false, m_log); !ran) m_log.warn(ran.error());
  }
  code = finish(tenant, ctx, code, error.id.empty() ? nullptr : &error, started);
  return conclude(ctx, code, error, result);
}

int Runner::run_for_config(const std::vector<const TenantConfig*>& tenants, Json& result) {
  std::int64_t started = now_ms();
  Context ctx(m_spec, *m_config, nullptr, m_identity, m_args, m_messages, m_log);
  Error error;
  int code = 0;
  for (const TenantConfig* tenant : tenants) {
    if (Status accepted = validate_with_hooks(*tenant); !accepted) {
      error = accepted.error();
      m_log.error(error);
      code = to_int(error.code);
      break;
    }
  }
  if (code == 0) code = execute(ctx, nullptr, error);
  int final_code = code;
  for (const TenantConfig* tenant : tenants) {
    int audited = finish(*tenant, ctx, code, error.id.empty() ? nullptr : &error, started);
    if (final_code == 0) final_code = audited;
  }
  return conclude(ctx, final_code, error, result);
}

// The run's result document, with what went wrong when it failed (--json on an error still
// prints one document); under -q, the text lines of a failed run are shown after all.
int Runner::conclude(Context& ctx, int code, const Error& error, Json& result) {
  if (code != 0) ctx.show_held();
  result = ctx.result();
  if (!error.id.empty() && (result.is_null() || result.is_object()))
    result["error"] = error_json(error, code);
  return code;
}

Json Runner::error_json(const Error& error, int code) const {
  return {{"id", error.id}, {"text", m_messages.text(error.id, error.params)}, {"exit_code", code}};
}

int Runner::finish(const TenantConfig& tenant, Context& ctx, int code, const Error* error,
                   std::int64_t started_ms) {
  AuditEvent event = event_for(tenant, m_identity.user);
  event.target = ctx.target();
  event.outcome = code == 0 ? "success" : "failure";
  event.exit_code = code;
  event.duration_ms = now_ms() - started_ms;
  event.details = ctx.audit_details();
  if (error) {
    event.details["message"] = message_json(error->id, error->params);
    if (error->id.rfind("core.hook.", 0) == 0) event.details["hook"] = error->param("hook");
  }
  if (!record_event(tenant, event, m_log) && code == 0) code = to_int(ExitCode::io_error);
  RunMetrics run{started_ms, event.duration_ms, code};
  if (Status wrote =
          write_run_metrics(tenant.metrics_dir(), tenant.name, m_spec.name, run, ctx.metrics());
      !wrote)
    m_log.warn(wrote.error());
  return code;
}

}  // namespace

Context::Context(const ToolSpec& spec, const Config& config, const TenantConfig* tenant,
                 const Identity& identity, const Arguments& args, const Messages& messages,
                 Log& log)
    : m_spec(spec),
      m_config(config),
      m_tenant(tenant),
      m_identity(identity),
      m_args(args),
      m_messages(messages),
      m_log(log) {}

const TenantConfig& Context::tenant() const {
  if (!m_tenant) fail(ExitCode::failure, "core.internal_error", {{"reason", "no tenant"}});
  return *m_tenant;
}

bool Context::progress_shown() const {
  return progress_allowed(quiet(), m_args.flag("no-progress"));
}

Progress Context::progress(const std::string& label_id, std::uint64_t total) const {
  return Progress(progress_shown(), m_messages.text(label_id), total);
}

// -q prints nothing on success (cron mails only what went wrong); --json still prints its
// document, which was asked for.
void Context::print(const std::string& line) {
  if (json()) return;
  if (quiet()) {
    m_held.push_back(line);  // shown if the run fails: a verdict is what -q must not hide
    if (m_held.size() > k_held_lines) m_held.pop_front();  // the verdict comes last
  } else {
    std::printf("%s\n", line.c_str());
  }
}

void Context::show_held() {
  for (const auto& line : m_held) std::printf("%s\n", line.c_str());
  m_held.clear();
}

void Context::set_summary(const std::string& id, const MessageParams& params) {
  m_details["message"] = message_json(id, params);
}

int run_tool(const ToolSpec& spec, int argc, char** argv) {
  install_interrupt_handlers();
  Runner runner(spec, argc, argv);
  try {
    crypto_init();
    int code = runner.run();
    std::fflush(stdout);
    if (std::ferror(stdout)) return to_int(ExitCode::io_error);
    return code;
  } catch (const Failure& failure) {
    runner.log().error(failure.error());
    return to_int(failure.error().code);
  } catch (const std::exception& e) {
    runner.log().error(
        make_error(ExitCode::failure, "core.internal_error", {{"reason", e.what()}}));
    return to_int(ExitCode::failure);
  }
}

}  // namespace dihya
