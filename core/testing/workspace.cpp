#include "core/testing/workspace.hpp"

#include <poll.h>
#include <pty.h>
#include <pwd.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "core/base/process.hpp"

namespace dihya::test {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base && *base ? base : "/tmp") + "/dihya-test-XXXXXX";
  if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  m_path = pattern;
}

TempDir::~TempDir() {
  if (std::getenv("DIHYA_KEEP_TEST_DIRS")) return;
  std::error_code ec;
  fs::remove_all(m_path, ec);
}

void write_text(const fs::path& path, const std::string& text, unsigned mode) {
  fs::create_directories(path.parent_path());
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
  }
  fs::permissions(path, static_cast<fs::perms>(mode), fs::perm_options::replace);
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::vector<std::string> read_lines(const fs::path& path) {
  std::vector<std::string> lines;
  std::istringstream in(read_text(path));
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

void write_lines(const fs::path& path, const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines) text += line + "\n";
  write_text(path, text, 0640);
}

std::string current_os_user() {
  const passwd* pw = ::getpwuid(::geteuid());
  return pw ? pw->pw_name : "root";
}

nlohmann::json default_config() {
  return {{"version", 1},
          {"language", "en"},
          {"users",
           {{"admin", {{"roles", {"admin"}}, {"unix_users", {"root", current_os_user()}}}},
            {"reader", {{"roles", {"auditor"}}, {"unix_users", {"reader-account"}}}},
            {"nobody", {{"roles", nlohmann::json::array()}, {"unix_users", {"nobody-account"}}}}}},
          {"roles", {{"admin", {"*"}}, {"auditor", {"audit.read"}}}},
          {"tenants",
           {{"demo",
             {{"database", "sqlite:data/demo/app.db"},
              {"files", {{"uploads", "data/demo/uploads"}}},
              {"environment", "demo"},
              {"hook_timeout_seconds", 5}}}}}};
}

fs::path tool_path(const std::string& tool) {
  const char* build = std::getenv("DIHYA_BUILD_DIR");
  if (!build) throw std::runtime_error("DIHYA_BUILD_DIR is not set");
  static const std::map<std::string, std::string> modules = {{"check_config", "maintenance"},
                                                             {"audit", "ops"},
                                                             {"healthcheck", "monitoring"},
                                                             {"seed", "seed"},
                                                             {"rotate_keys", "ops"},
                                                             {"backup", "backup"},
                                                             {"restore", "backup"},
                                                             {"verify_backup", "backup"},
                                                             {"list_backups", "backup"},
                                                             {"rotate_backups", "backup"},
                                                             {"export", "souverainete"},
                                                             {"import", "souverainete"},
                                                             {"anonymize", "rgpd"},
                                                             {"purge_rgpd", "rgpd"},
                                                             {"subject_export", "rgpd"},
                                                             {"subject_erase", "rgpd"},
                                                             {"consent", "rgpd"},
                                                             {"audit_rgpd", "rgpd"},
                                                             {"clean_tmp", "cleaning"},
                                                             {"clean_orphans", "cleaning"},
                                                             {"clean_logs", "cleaning"},
                                                             {"check_integrity", "maintenance"},
                                                             {"optimize_db", "maintenance"}};
  auto it = modules.find(tool);
  if (it == modules.end()) throw std::runtime_error("unknown tool " + tool);
  return fs::path(build) / it->second / tool;
}

Workspace::Workspace() : m_config(default_config()) {
  save();
}

void Workspace::save() const {
  write_text(config_path(), m_config.dump(2), 0644);
}

fs::path Workspace::state_dir(const std::string& tenant) const {
  return dir() / "state" / tenant;
}

fs::path Workspace::audit_log(const std::string& tenant) const {
  return state_dir(tenant) / "audit" / "audit.jsonl";
}

RunResult Workspace::run(const std::string& tool, const std::vector<std::string>& args,
                         const std::vector<std::pair<std::string, std::string>>& env) const {
  ProcessRequest request;
  request.argv = {tool_path(tool).string(), "--config", config_path().string()};
  request.argv.insert(request.argv.end(), args.begin(), args.end());
  request.env = {{"DIHYA_LANG", ""},  {"LANGUAGE", ""}, {"LC_ALL", ""},
                 {"LC_MESSAGES", ""}, {"LANG", "C"},    {"DIHYA_TOKEN", ""}};
  request.env.insert(request.env.end(), env.begin(), env.end());
  request.timeout = std::chrono::seconds(120);
  auto outcome = run_process(request);
  if (!outcome) throw std::runtime_error("cannot run " + tool);
  RunResult result{outcome->exit_code, outcome->out, outcome->err};
  // A run that did not end by itself says why, for the test's report.
  if (outcome->timed_out) result.err += "\n[test: killed after 120 s]";
  if (outcome->interrupted) result.err += "\n[test: the test program was interrupted]";
  if (outcome->term_signal)
    result.err += "\n[test: signal " + std::to_string(outcome->term_signal) + "]";
  return result;
}

RunResult Workspace::run_on_terminal(
    const std::string& tool, const std::vector<std::string>& args,
    const std::vector<std::pair<std::string, std::string>>& dialogue) const {
  std::vector<std::string> argv = {tool_path(tool).string(), "--config", config_path().string()};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> cargv;
  for (auto& arg : argv) cargv.push_back(arg.data());
  cargv.push_back(nullptr);
  // The child's environment is built before the fork: after it, only exec.
  std::vector<std::string> env = {"LANG=C", "NO_COLOR=1"};
  for (char** e = environ; e && *e; ++e) {
    std::string entry = *e;
    std::string name = entry.substr(0, entry.find('='));
    bool dropped = name == "LANG" || name == "NO_COLOR";
    for (const char* gone : {"DIHYA_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "DIHYA_TOKEN"})
      dropped = dropped || name == gone;
    if (!dropped) env.push_back(entry);
  }
  std::vector<char*> cenv;
  for (auto& entry : env) cenv.push_back(entry.data());
  cenv.push_back(nullptr);
  int master = -1;
  pid_t pid = ::forkpty(&master, nullptr, nullptr, nullptr);
  if (pid < 0) throw std::runtime_error("forkpty failed");
  if (pid == 0) {
    ::execve(cargv[0], cargv.data(), cenv.data());
    ::_exit(127);
  }
  RunResult result;
  std::size_t answered = 0, searched = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  bool timed_out = false;
  for (;;) {
    while (answered < dialogue.size()) {
      std::size_t at = result.out.find(dialogue[answered].first, searched);
      if (at == std::string::npos) break;
      searched = at + dialogue[answered].first.size();
      std::string line = dialogue[answered].second + "\n";
      if (::write(master, line.data(), line.size()) < 0) break;
      ++answered;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      timed_out = true;
      ::kill(pid, SIGKILL);
      break;
    }
    pollfd ready{master, POLLIN, 0};
    int polled = ::poll(&ready, 1, 200);
    if (polled < 0 && errno == EINTR) continue;
    if (polled <= 0) continue;
    char buffer[4096];
    ssize_t got = ::read(master, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;  // EIO: the tool has ended and closed the terminal
    result.out.append(buffer, static_cast<std::size_t>(got));
  }
  ::close(master);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (timed_out) result.err = "[test: killed after 120 s]";
  return result;
}

}  // namespace dihya::test
