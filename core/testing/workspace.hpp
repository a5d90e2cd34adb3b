#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace dihya::test {

namespace fs = std::filesystem;

// A fresh temporary directory for one test, removed when the test ends.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return m_path; }

 private:
  fs::path m_path;
};

void write_text(const fs::path& path, const std::string& text, unsigned mode = 0644);
std::string read_text(const fs::path& path);
std::vector<std::string> read_lines(const fs::path& path);
void write_lines(const fs::path& path, const std::vector<std::string>& lines);

// What a tool printed and how it ended.
struct RunResult {
  int code = -1;
  std::string out;
  std::string err;
};

// A workspace with a dihya.json: the default has one tenant "demo" and users admin (root and
// the running account, role admin), reader (role auditor: audit.read only), nobody (no OS
// account: must use a token).
class Workspace {
 public:
  Workspace();
  const fs::path& dir() const { return m_temp.path(); }
  fs::path config_path() const { return dir() / "dihya.json"; }
  nlohmann::json& config() { return m_config; }
  void save() const;
  fs::path state_dir(const std::string& tenant = "demo") const;
  fs::path audit_log(const std::string& tenant = "demo") const;

  // Run build/<module>/<tool> with ARGS (the config is passed with --config) and ENV added.
  RunResult run(const std::string& tool, const std::vector<std::string>& args,
                const std::vector<std::pair<std::string, std::string>>& env = {}) const;
  // Run the tool as run() does, but on a pseudo-terminal (stdin, stdout and stderr), typing
  // each answer once its prompt (the text before it) has shown. OUT holds everything shown.
  RunResult run_on_terminal(const std::string& tool, const std::vector<std::string>& args,
                            const std::vector<std::pair<std::string, std::string>>& dialogue) const;

 private:
  TempDir m_temp;
  nlohmann::json m_config;
};

// Path of a built tool (DIHYA_BUILD_DIR is set by meson for every test).
fs::path tool_path(const std::string& tool);
// The base JSON of the default workspace config.
nlohmann::json default_config();
std::string current_os_user();

}  // namespace dihya::test
