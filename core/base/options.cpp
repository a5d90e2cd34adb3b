#include "core/base/options.hpp"

#include "core/base/units.hpp"

// An option value is taken whole: "--tables a,b" is one value, not two.
#define CXXOPTS_VECTOR_DELIMITER '\0'
#include <cxxopts.hpp>

namespace dihya {

void OptionSet::flag(std::string name, std::string help_id, char short_name) {
  m_defs.push_back({std::move(name), short_name, OptionKind::flag, "", std::move(help_id)});
}

void OptionSet::value(std::string name, std::string arg_name, std::string help_id,
                      char short_name) {
  m_defs.push_back(
      {std::move(name), short_name, OptionKind::value, std::move(arg_name), std::move(help_id)});
}

void OptionSet::personal_value(std::string name, std::string arg_name, std::string help_id) {
  value(std::move(name), std::move(arg_name), std::move(help_id));
  m_defs.back().personal = true;
}

void OptionSet::list(std::string name, std::string arg_name, std::string help_id) {
  m_defs.push_back({std::move(name), 0, OptionKind::list, std::move(arg_name), std::move(help_id)});
}

std::optional<std::string> Arguments::value(const std::string& name) const {
  auto it = m_values.find(name);
  if (it == m_values.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

Result<std::optional<std::int64_t>> Arguments::duration_ms(const std::string& name) const {
  auto text = value(name);
  if (!text) return std::optional<std::int64_t>();
  auto ms = parse_duration_ms(*text);
  if (!ms)
    return usage_error("core.usage.bad_duration", {{"option", "--" + name}, {"value", *text}});
  return std::optional<std::int64_t>(*ms);
}

Result<std::optional<std::uint64_t>> Arguments::size(const std::string& name) const {
  auto text = value(name);
  if (!text) return std::optional<std::uint64_t>();
  auto bytes = parse_size(*text);
  if (!bytes)
    return usage_error("core.usage.bad_size", {{"option", "--" + name}, {"value", *text}});
  return std::optional<std::uint64_t>(*bytes);
}

std::vector<std::string> Arguments::values(const std::string& name) const {
  auto it = m_values.find(name);
  return it == m_values.end() ? std::vector<std::string>{} : it->second;
}

const std::vector<OptionDef>& common_option_defs(bool changes_data) {
  static const std::vector<OptionDef> base = {
      {"config", 0, OptionKind::value, "PATH", "core.opt.config"},
      {"tenant", 0, OptionKind::value, "NAME", "core.opt.tenant"},
      {"all-tenants", 0, OptionKind::flag, "", "core.opt.all_tenants"},
      {"user", 0, OptionKind::value, "NAME", "core.opt.user"},
      {"token-file", 0, OptionKind::value, "PATH", "core.opt.token_file"},
      {"lang", 0, OptionKind::value, "LANG", "core.opt.lang"},
      {"json", 0, OptionKind::flag, "", "core.opt.json"},
      {"quiet", 'q', OptionKind::flag, "", "core.opt.quiet"},
      {"verbose", 'v', OptionKind::flag, "", "core.opt.verbose"},
      {"no-progress", 0, OptionKind::flag, "", "core.opt.no_progress"},
      {"help", 'h', OptionKind::flag, "", "core.opt.help"},
      {"version", 0, OptionKind::flag, "", "core.opt.version"},
  };
  static const std::vector<OptionDef> with_changes = [] {
    auto defs = base;
    defs.insert(defs.begin() + 6, {"dry-run", 0, OptionKind::flag, "", "core.opt.dry_run"});
    defs.insert(defs.begin() + 7, {"yes", 0, OptionKind::flag, "", "core.opt.yes"});
    return defs;
  }();
  return changes_data ? with_changes : base;
}

Result<Arguments> parse_arguments(const std::string& tool, const OptionSet& options, int argc,
                                  const char* const* argv, bool changes_data) {
  cxxopts::Options parser(tool);
  auto adder = parser.add_options();
  std::vector<OptionDef> all = common_option_defs(changes_data);
  all.insert(all.end(), options.defs().begin(), options.defs().end());
  for (const auto& def : all) {
    std::string spec = def.short_name ? std::string(1, def.short_name) + "," + def.name : def.name;
    if (def.kind == OptionKind::flag)
      adder(spec, "");
    else if (def.kind == OptionKind::value)
      adder(spec, "", cxxopts::value<std::vector<std::string>>());
    else
      adder(spec, "", cxxopts::value<std::vector<std::string>>());
  }
  adder("positional__", "", cxxopts::value<std::vector<std::string>>());
  parser.parse_positional({"positional__"});
  Arguments args;
  try {
    auto result = parser.parse(argc, argv);
    for (const auto& def : all) {
      if (!result.count(def.name)) continue;
      if (def.kind == OptionKind::flag) {
        args.set_flag(def.name);
        continue;
      }
      auto values = result[def.name].as<std::vector<std::string>>();
      // A single-value option given twice: the last one wins, as in GNU tools (an alias in
      // a script can then be overridden on the command line).
      if (def.kind == OptionKind::value && values.size() > 1)
        values.erase(values.begin(), values.end() - 1);
      for (auto& v : values) args.add_value(def.name, std::move(v));
      if (def.personal) args.mark_personal(def.name);
    }
    if (result.count("positional__"))
      for (const auto& v : result["positional__"].as<std::vector<std::string>>())
        args.add_positional(v);
  } catch (const cxxopts::exceptions::exception& e) {
    return make_error(ExitCode::usage, "core.usage.invalid", {{"reason", e.what()}});
  }
  if (!options.positional_usage().empty() || args.positional().empty()) return args;
  return make_error(ExitCode::usage, "core.usage.unexpected_argument",
                    {{"argument", args.positional().front()}});
}

}  // namespace dihya
