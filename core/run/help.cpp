#include <fmt/format.h>

#include "core/run/runner.hpp"

// The text of --help: summary, usage, options, examples and the exit-code table.
namespace dihya {
namespace {

std::string option_column(const OptionDef& def) {
  std::string text = def.short_name ? fmt::format("-{}, --{}", def.short_name, def.name)
                                    : fmt::format("    --{}", def.name);
  if (def.kind != OptionKind::flag) text += " " + def.arg_name;
  return text;
}

void append_options(std::string& out, const std::vector<OptionDef>& defs,
                    const Messages& messages) {
  for (const auto& def : defs)
    out += fmt::format("  {:<28} {}\n", option_column(def), messages.text(def.help_id));
}

}  // namespace

std::string help_text(const ToolSpec& spec, const Messages& messages) {
  OptionSet options;
  spec.declare_options(options);
  std::string out = fmt::format("{} — {}\n\n", spec.name, messages.text(spec.summary_id));
  out += fmt::format("{}\n  {} [{}] {}\n", messages.text("core.help.usage"), spec.name,
                     messages.text("core.help.options_word"), options.positional_usage());
  if (!options.defs().empty()) {
    out += "\n" + messages.text("core.help.tool_options") + "\n";
    append_options(out, options.defs(), messages);
  }
  out += "\n" + messages.text("core.help.common_options") + "\n";
  append_options(out, common_option_defs(spec.changes_data), messages);
  if (!spec.examples.empty()) {
    out += "\n" + messages.text("core.help.examples") + "\n";
    for (const auto& example : spec.examples) out += "  " + example + "\n";
  }
  out += "\n" + messages.text("core.help.exit_status") + "\n";
  // A tool whose exit codes differ (healthcheck: the Monitoring Plugins states) says so.
  if (std::string note = spec.module + "." + spec.name + ".exit_note"; messages.has(note))
    out += messages.text(note) + "\n";
  for (const auto& row : k_exit_code_table)
    out += fmt::format("  {:>3}  {}\n", to_int(row.code), messages.text(row.message_id));
  return out;
}

}  // namespace dihya
