// `dihya TOOL ARGS…` runs <libexecdir>/dihya/TOOL: the tools keep short names without
// clashing with shell builtins (export) or other programs (import) on PATH. `dihya --list`
// lists them with what each does (the first line of its own --help, so the two cannot
// drift), `dihya help TOOL` is `dihya TOOL --help`, and a mistyped name gets a suggestion.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "core/base/i18n.hpp"
#include "core/base/options.hpp"
#include "core/base/process.hpp"
#include "core/config/config.hpp"
#include "dihya_build_config.h"

namespace {

using namespace dihya;
namespace fs = std::filesystem;

bool valid_tool_name(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || c == '_')) return false;
  return true;
}

fs::path libexec_dir() {
  const char* dir = std::getenv("DIHYA_LIBEXEC_DIR");
  return dir && *dir ? fs::path(dir) : fs::path(DIHYA_LIBEXEC_DIR);
}

// The installed tools: executable files with a tool's name, sorted.
std::vector<std::string> installed_tools() {
  std::vector<std::string> tools;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(libexec_dir(), ec)) {
    std::string name = entry.path().filename().string();
    if (valid_tool_name(name) && ::access(entry.path().c_str(), X_OK) == 0 &&
        fs::is_regular_file(entry.path(), ec))
      tools.push_back(name);
  }
  std::sort(tools.begin(), tools.end());
  return tools;
}

// The language of the environment, else of the config when it can be read (as the tools do).
Messages messages() {
  return Messages(resolve_language(std::nullopt, configured_language(locate_config(std::nullopt))));
}

std::string help(const Messages& m) {
  std::string out = m.text("core.dispatch.summary") + "\n\n" + m.text("core.help.usage") + "\n";
  auto row = [&](const char* usage, const char* id) {
    std::string left = std::string("  ") + usage;
    out += left + std::string(left.size() < 26 ? 26 - left.size() : 1, ' ') + m.text(id) + "\n";
  };
  row("dihya TOOL [OPTIONS]", "core.dispatch.run_tool");
  row("dihya --list", "core.dispatch.list");
  row("dihya help TOOL", "core.dispatch.help_tool");
  row("dihya --version", "core.opt.version");
  return out;
}

// What TOOL does: the first paragraph of its --help, without its leading "dihya TOOL — ".
std::string summary_of(const std::string& tool) {
  ProcessRequest request;
  request.argv = {(libexec_dir() / tool).string(), "--help"};
  request.timeout = std::chrono::seconds(30);
  auto ran = run_process(request);
  if (!ran || ran->exit_code != 0) return "";
  std::string text = ran->out.substr(0, ran->out.find("\n\n"));
  std::string flat;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\n') {
      flat += text[i];
      continue;
    }
    while (i + 1 < text.size() && text[i + 1] == ' ') ++i;
    flat += ' ';
  }
  const std::string head = "dihya " + tool + " — ";
  return flat.rfind(head, 0) == 0 ? flat.substr(head.size()) : flat;
}

int list(const Messages& m) {
  auto tools = installed_tools();
  if (tools.empty()) {
    std::fprintf(stderr, "dihya: %s [core.dispatch.no_tools]\n",
                 m.text("core.dispatch.no_tools").c_str());
    return 69;
  }
  std::size_t width = 0;
  for (const auto& tool : tools) width = std::max(width, tool.size());
  for (const auto& tool : tools)
    std::printf("  %-*s  %s\n", static_cast<int>(width), tool.c_str(), summary_of(tool).c_str());
  return 0;
}

int unknown_tool(const Messages& m, const std::string& tool) {
  auto suggestion =
      tool.size() <= 64 ? closest_name(tool, installed_tools()) : std::optional<std::string>();
  if (suggestion)
    std::fprintf(
        stderr, "dihya: %s [core.dispatch.unknown_tool_suggest]\n",
        m.text("core.dispatch.unknown_tool_suggest", {{"tool", tool}, {"suggestion", *suggestion}})
            .c_str());
  else
    std::fprintf(stderr, "dihya: %s [core.dispatch.unknown_tool]\n",
                 m.text("core.dispatch.unknown_tool", {{"tool", tool}}).c_str());
  return 64;
}

}  // namespace

int main(int argc, char** argv) {
  Messages m = messages();
  std::string first = argc < 2 ? "" : argv[1];
  if (argc < 2 || first == "--help" || first == "-h" || (first == "help" && argc == 2)) {
    std::fputs(help(m).c_str(), argc < 2 ? stderr : stdout);  // no tool named: a usage error
    return argc < 2 ? 64 : 0;
  }
  if (first == "--version") {
    std::printf("dihya (Dihya Ops) %s\n", DIHYA_VERSION);
    return 0;
  }
  if (first == "--list") return list(m);
  std::vector<char*> args(argv + 1, argv + argc);
  std::string help_flag = "--help";
  if (first == "help") {  // dihya help TOOL: TOOL --help
    args = {argv[2], help_flag.data()};
  }
  std::string tool = args[0];
  if (!valid_tool_name(tool)) return unknown_tool(m, tool);
  fs::path path = libexec_dir() / tool;
  if (::access(path.c_str(), X_OK) != 0) return unknown_tool(m, tool);
  std::string program = path.string();
  args[0] = program.data();
  args.push_back(nullptr);
  ::execv(program.c_str(), args.data());
  std::fprintf(
      stderr, "dihya: %s [core.dispatch.cannot_run]\n",
      m.text("core.dispatch.cannot_run", {{"tool", tool}, {"reason", std::strerror(errno)}})
          .c_str());
  return 126;
}
