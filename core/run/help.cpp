#include <sys/ioctl.h>
#include <unistd.h>

#include <fmt/format.h>

#include "core/base/table.hpp"
#include "core/run/runner.hpp"

// The text of --help: summary, usage, options, examples, environment and the exit-code
// table, wrapped at the terminal's width (80 when stdout is not a terminal).
namespace dihya {
namespace {

constexpr std::size_t k_option_column = 28;  // "  " + 28 + " ": texts start at column 31

std::size_t terminal_width() {
  if (!::isatty(STDOUT_FILENO)) return 80;
  winsize size{};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col >= 40)
    return size.ws_col > 160 ? 160 : size.ws_col;
  return 80;
}

// TEXT broken at spaces into lines of at most WIDTH characters, each after INDENT spaces; the
// first line goes after what the caller already wrote (FIRST_USED characters).
std::string wrap(std::string_view text, std::size_t indent, std::size_t first_used,
                 std::size_t width) {
  std::string out;
  std::size_t used = first_used;
  bool line_empty = true;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(' ', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view word = text.substr(start, end - start);
    start = end + 1;
    if (word.empty()) continue;
    std::size_t w = display_width(word);
    if (!line_empty && used + 1 + w > width) {
      out += "\n" + std::string(indent, ' ');
      used = indent;
      line_empty = true;
    }
    if (!line_empty) {
      out += ' ';
      ++used;
    }
    out += word;
    used += w;
    line_empty = false;
  }
  return out + "\n";
}

// Each line of TEXT wrapped on its own, keeping its leading spaces as its indentation.
std::string wrap_lines(std::string_view text, std::size_t width) {
  std::string out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    std::size_t lead = line.find_first_not_of(' ');
    if (lead == std::string_view::npos) lead = line.size();
    out += std::string(lead, ' ') + wrap(line.substr(lead), lead, lead, width);
    start = end + 1;
  }
  return out;
}

std::string option_column(const OptionDef& def) {
  std::string text = def.short_name ? fmt::format("-{}, --{}", def.short_name, def.name)
                                    : fmt::format("    --{}", def.name);
  if (def.kind != OptionKind::flag) text += " " + def.arg_name;
  return text;
}

// One row per entry: its name in the left column and its text wrapped beside it; a name
// too long for the column gets its own line, the text starting under the others.
void append_rows(std::string& out, const std::vector<std::pair<std::string, std::string>>& rows,
                 std::size_t width) {
  const std::size_t indent = 2 + k_option_column + 1;
  for (const auto& [name, text] : rows) {
    std::string left = "  " + name;
    std::size_t used = display_width(left);
    if (used > indent - 1) {
      out += left + "\n" + std::string(indent, ' ');
    } else {
      out += left + std::string(indent - used, ' ');
    }
    out += wrap(text, indent, indent, width);
  }
}

void append_options(std::string& out, const std::vector<OptionDef>& defs, const Messages& messages,
                    std::size_t width) {
  std::vector<std::pair<std::string, std::string>> rows;
  for (const auto& def : defs) rows.emplace_back(option_column(def), messages.text(def.help_id));
  append_rows(out, rows, width);
}

}  // namespace

std::string help_text(const ToolSpec& spec, const Messages& messages) {
  const std::size_t width = terminal_width();
  OptionSet options;
  spec.declare_options(options);
  std::string out =
      wrap(fmt::format("dihya {} — {}", spec.name, messages.text(spec.summary_id)), 2, 0, width);
  out += fmt::format("\n{}\n  dihya {} [{}] {}\n", messages.text("core.help.usage"), spec.name,
                     messages.text("core.help.options_word"), options.positional_usage());
  if (!options.defs().empty()) {
    out += "\n" + messages.text("core.help.tool_options") + "\n";
    append_options(out, options.defs(), messages, width);
  }
  out += "\n" + messages.text("core.help.common_options") + "\n";
  append_options(out, common_option_defs(spec.changes_data), messages, width);
  if (!spec.examples.empty()) {
    // As typed after `meson install`: through the dispatcher, never a bare name that a
    // shell could take for a builtin (`export`).
    out += "\n" + messages.text("core.help.examples") + "\n";
    for (const auto& example : spec.examples) out += "  dihya " + example + "\n";
  }
  out += "\n" + messages.text("core.help.environment") + "\n";
  append_rows(out,
              {{"DIHYA_CONFIG", messages.text("core.help.env.config")},
               {"DIHYA_LANG", messages.text("core.help.env.lang")},
               {"DIHYA_TOKEN", messages.text("core.help.env.token")},
               {"NO_COLOR", messages.text("core.help.env.no_color")}},
              width);
  out += "\n" + messages.text("core.help.exit_status") + "\n";
  // A tool whose exit codes differ (healthcheck: the Monitoring Plugins states) says so.
  if (std::string note = spec.module + "." + spec.name + ".exit_note"; messages.has(note))
    out += wrap_lines(messages.text(note), width);
  for (const auto& row : k_exit_code_table)
    out += fmt::format("  {:>3}  ", to_int(row.code)) +
           wrap(messages.text(row.message_id), 7, 7, width);
  return out;
}

}  // namespace dihya
