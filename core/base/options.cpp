#include "core/base/options.hpp"

#include <algorithm>

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

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::optional<std::string> closest_name(std::string_view name,
                                        const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  std::size_t best_distance = std::max<std::size_t>(2, name.size() / 3) + 1;
  for (const auto& candidate : candidates) {
    std::size_t d = edit_distance(name, candidate);
    // A prefix typed in full ("--dry" for --dry-run) is as close as a typo.
    if (candidate.size() > name.size() && candidate.compare(0, name.size(), name) == 0 &&
        name.size() >= 3)
      d = 1;
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best;
}

namespace {

// Unknown options and missing values, found before cxxopts so that the message is ours
// (localized, with a "did you mean" and where to look) rather than its English text.
Status check_option_words(const std::string& tool, const std::vector<OptionDef>& all, int argc,
                          const char* const* argv) {
  auto unknown = [&](const std::string& typed, const std::string& bare) -> Error {
    std::vector<std::string> names;
    for (const auto& def : all) names.push_back(def.name);
    if (auto suggestion = closest_name(bare, names))
      return make_error(ExitCode::usage, "core.usage.unknown_option_suggest",
                        {{"option", typed}, {"suggestion", "--" + *suggestion}, {"tool", tool}});
    return make_error(ExitCode::usage, "core.usage.unknown_option",
                      {{"option", typed}, {"tool", tool}});
  };
  auto needs_value = [&](const std::string& typed, const OptionDef& def) -> Error {
    return make_error(ExitCode::usage, "core.usage.missing_value",
                      {{"option", typed}, {"argument", def.arg_name}, {"tool", tool}});
  };
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--") break;
    if (arg.size() > 2 && arg.compare(0, 2, "--") == 0) {
      std::size_t equals = arg.find('=');
      std::string name(arg.substr(2, equals == std::string_view::npos ? equals : equals - 2));
      auto def =
          std::find_if(all.begin(), all.end(), [&](const OptionDef& d) { return d.name == name; });
      if (def == all.end()) return unknown("--" + name, name);
      if (def->kind == OptionKind::flag || equals != std::string_view::npos) continue;
      if (i + 1 >= argc) return needs_value("--" + name, *def);
      ++i;  // its value, whatever it looks like
    } else if (arg.size() > 1 && arg[0] == '-' && arg[1] != '-') {
      for (std::size_t j = 1; j < arg.size(); ++j) {
        auto def = std::find_if(all.begin(), all.end(),
                                [&](const OptionDef& d) { return d.short_name == arg[j]; });
        if (def == all.end()) return unknown(std::string("-") + arg[j], std::string(1, arg[j]));
        if (def->kind == OptionKind::flag) continue;
        if (j + 1 == arg.size()) {  // "-o FILE": the value is the next word
          if (i + 1 >= argc) return needs_value(std::string("-") + arg[j], *def);
          ++i;
        }
        break;  // "-oFILE": the rest is the value
      }
    }
  }
  return {};
}

}  // namespace

Result<Arguments> parse_arguments(const std::string& tool, const OptionSet& options, int argc,
                                  const char* const* argv, bool changes_data) {
  cxxopts::Options parser(tool);
  auto adder = parser.add_options();
  std::vector<OptionDef> all = common_option_defs(changes_data);
  all.insert(all.end(), options.defs().begin(), options.defs().end());
  if (Status words = check_option_words(tool, all, argc, argv); !words) return words.error();
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
