// `dihya TOOL ARGS…` runs <libexecdir>/dihya/TOOL: the tools keep short names without
// clashing with shell builtins (export) or other programs (import) on PATH.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "dihya_build_config.h"

namespace {

bool valid_tool_name(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || c == '_')) return false;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
    std::fprintf(stderr,
                 "usage: dihya TOOL [ARGS…]   (TOOL: backup, restore, check_config, "
                 "audit, …; see `dihya TOOL --help`)\n");
    return argc < 2 ? 64 : 0;
  }
  std::string tool = argv[1];
  if (tool == "--version") {
    std::printf("dihya (Dihya Ops) %s\n", DIHYA_VERSION);
    return 0;
  }
  if (!valid_tool_name(tool)) {
    std::fprintf(stderr, "dihya: unknown tool \"%s\"\n", tool.c_str());
    return 64;
  }
  const char* dir = std::getenv("DIHYA_LIBEXEC_DIR");
  std::string path = std::string(dir && *dir ? dir : DIHYA_LIBEXEC_DIR) + "/" + tool;
  argv[1] = const_cast<char*>(path.c_str());
  ::execv(path.c_str(), argv + 1);
  std::fprintf(stderr, "dihya: cannot run %s: %s\n", path.c_str(), std::strerror(errno));
  return errno == ENOENT ? 64 : 126;
}
