// clean_logs end to end: rotation by size and by force, zstd and gzip copies that decompress
// to the same bytes, keep, the state file (missing, truncated), the shared-directory refusal,
// copytruncate's report, and a writer at 10 000 lines/s that loses no line over 100 rotations.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <thread>

#include "cleaning/tests/cleaning_support.hpp"

using namespace dihya::test;
using Json = nlohmann::json;

namespace {

struct LogsWorkspace : CleaningWorkspace {
  fs::path logs() const { return dir() / "data" / "demo" / "logs"; }
  nlohmann::json& app() { return config()["tenants"]["demo"]["cleaning"]["logs"][0]; }
  LogsWorkspace() {
    config()["tenants"]["demo"]["files"]["logs"] = "data/demo/logs";
    config()["tenants"]["demo"]["cleaning"]["logs"] = {{{"name", "app"},
                                                        {"path", "data/demo/logs/*.log"},
                                                        {"size", "1K"},
                                                        {"keep", 3},
                                                        {"compress", "zstd"}}};
    fs::create_directories(logs());
    fs::permissions(logs(), fs::perms(0755));
    save();
  }
  RunResult logs_run(std::vector<std::string> args) const { return run("clean_logs", args); }
};

// The text of a rotated copy, decompressed by the reference tools (zstd, gzip).
std::string unpacked(const fs::path& path) {
  std::string cmd = path.extension() == ".zst"  ? "zstd -dcq '" + path.string() + "'"
                    : path.extension() == ".gz" ? "gzip -dc '" + path.string() + "'"
                                                : "cat '" + path.string() + "'";
  std::string out;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  REQUIRE(pipe);
  char buffer[65536];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  CHECK(::pclose(pipe) == 0);
  return out;
}

}  // namespace

TEST_CASE("clean_logs rotates by size, compresses verified, keeps three", "[clean_logs]") {
  LogsWorkspace ws;
  write_text(ws.logs() / "app.log", std::string(2000, 'a') + "\n", 0640);
  write_text(ws.logs() / "small.log", "tiny\n", 0640);
  auto plan = ws.logs_run({"--dry-run", "--json"});
  INFO(plan.err);
  REQUIRE(plan.code == 0);
  CHECK(tree_listing(ws.logs()) == std::vector<std::string>{"app.log", "small.log"});
  CHECK(plan.out.find("\"rotate\"") != std::string::npos);

  auto r = ws.logs_run({"--json"});
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(tree_listing(ws.logs()) ==
        std::vector<std::string>{"app.log", "app.log.1.zst", "small.log"});
  CHECK(fs::file_size(ws.logs() / "app.log") == 0);
  CHECK(unpacked(ws.logs() / "app.log.1.zst") == std::string(2000, 'a') + "\n");
  struct stat st {};
  REQUIRE(::stat((ws.logs() / "app.log.1.zst").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0640);
  REQUIRE(::stat((ws.logs() / "app.log").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0640);
  struct stat state {};
  REQUIRE(::stat((ws.state_dir() / "cleaning" / "logs.state").c_str(), &state) == 0);
  CHECK((state.st_mode & 0777) == 0600);

  for (int i = 2; i <= 5; ++i) {
    write_text(ws.logs() / "app.log", "round " + std::to_string(i) + "\n");
    REQUIRE(ws.logs_run({"--force", "--log", "app"}).code == 0);
  }
  CHECK(tree_listing(ws.logs()) == std::vector<std::string>{"app.log", "app.log.1.zst",
                                                            "app.log.2.zst", "app.log.3.zst",
                                                            "small.log", "small.log.1.zst"});
  CHECK(unpacked(ws.logs() / "app.log.1.zst") == "round 5\n");
  CHECK(unpacked(ws.logs() / "app.log.3.zst") == "round 3\n");
  auto audit = Json::parse(read_lines(ws.audit_log()).back());
  CHECK(audit["tool"] == "clean_logs");
  CHECK(audit["details"]["rotated"] == 1);
}

TEST_CASE("clean_logs with gzip, dateext and a truncated state file", "[clean_logs]") {
  LogsWorkspace ws;
  ws.app()["compress"] = "gzip";
  ws.app()["dateext"] = true;
  ws.save();
  write_text(ws.logs() / "app.log", std::string(3000, 'g'));
  REQUIRE(ws.logs_run({}).code == 0);
  auto names = tree_listing(ws.logs());
  REQUIRE(names.size() == 2);
  CHECK(names[1].rfind("app.log-", 0) == 0);
  CHECK(names[1].size() > 3);
  CHECK(unpacked(ws.logs() / names[1]) == std::string(3000, 'g'));

  fs::path state = ws.state_dir() / "cleaning" / "logs.state";
  std::string text = read_text(state);
  write_text(state, text.substr(0, text.size() / 2), 0600);  // cut by a crash
  write_text(ws.logs() / "app.log", std::string(3000, 'h'));
  auto r = ws.logs_run({});
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(r.err.find("cleaning.logs.state_corrupt") != std::string::npos);
  CHECK(tree_listing(ws.logs()).size() == 3);
  CHECK(Json::parse(read_text(state))["version"] == 1);
}

TEST_CASE("clean_logs refuses a directory writable by group with the fix", "[clean_logs]") {
  LogsWorkspace ws;
  write_text(ws.logs() / "app.log", std::string(2000, 'a'));
  fs::permissions(ws.logs(), fs::perms(0775));
  auto r = ws.logs_run({});
  CHECK(r.code == 77);
  CHECK(r.err.find("chmod go-w " + ws.logs().string()) != std::string::npos);
  CHECK(r.err.find("accept_shared_dir") != std::string::npos);
  CHECK(tree_listing(ws.logs()) == std::vector<std::string>{"app.log"});
  ws.app()["accept_shared_dir"] = true;
  ws.save();
  CHECK(ws.logs_run({}).code == 0);
  CHECK(ws.logs_run({"--log", "nope"}).code == 64);
  CHECK(ws.run("clean_logs", {"--user", "reader"}).code == 77);
}

TEST_CASE("clean_logs copytruncate keeps the writer's file and reports the window",
          "[clean_logs]") {
  LogsWorkspace ws;
  ws.app()["copytruncate"] = true;
  ws.save();
  write_text(ws.logs() / "app.log", std::string(5000, 'c'));
  auto r = ws.logs_run({"--json"});
  INFO(r.err);
  REQUIRE(r.code == 0);
  Json doc = Json::parse(r.out);
  CHECK(doc["logs"][0]["copy_window_bytes"] == 0);
  CHECK(fs::file_size(ws.logs() / "app.log") == 0);
  CHECK(unpacked(ws.logs() / "app.log.1.zst") == std::string(5000, 'c'));
}

TEST_CASE("a writer at 10 000 lines/s loses no line through 100 rotations", "[clean_logs]") {
  LogsWorkspace ws;
  fs::path pid_file = ws.state_dir() / "app.pid";
  ws.app()["keep"] = 1000;
  ws.app()["reopen"] = {{"signal", "HUP"}, {"pid_file", pid_file.string()}};
  ws.save();
  fs::create_directories(ws.state_dir());
  fs::path log = ws.logs() / "app.log";
  static std::atomic<bool> hup{false}, stop{false};
  pid_t writer = ::fork();
  if (writer == 0) {
    ::signal(SIGHUP, [](int) { hup = true; });
    ::signal(SIGTERM, [](int) { stop = true; });
    int fd = ::open(log.c_str(), O_WRONLY | O_APPEND | O_CREAT, 0640);
    long n = 0;
    auto next = std::chrono::steady_clock::now();
    while (!stop) {
      if (hup.exchange(false)) {
        ::close(fd);
        fd = ::open(log.c_str(), O_WRONLY | O_APPEND | O_CREAT, 0640);
      }
      std::string line = "line " + std::to_string(++n) + "\n";
      if (::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) ::_exit(3);
      next += std::chrono::microseconds(100);
      std::this_thread::sleep_until(next);
    }
    ::close(fd);
    FILE* out = std::fopen((log.string() + ".count").c_str(), "w");
    std::fprintf(out, "%ld\n", n);
    std::fclose(out);
    ::_exit(0);
  }
  write_text(pid_file, std::to_string(writer) + "\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  for (int i = 0; i < 100; ++i) {
    auto r = ws.logs_run({"--force", "--quiet"});
    INFO(r.err);
    REQUIRE(r.code == 0);
  }
  ::kill(writer, SIGTERM);
  int status = 0;
  REQUIRE(::waitpid(writer, &status, 0) == writer);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  long written = std::stol(read_text(fs::path(log.string() + ".count")));
  fs::remove(log.string() + ".count");
  std::vector<char> seen(static_cast<std::size_t>(written) + 1, 0);
  long lines = 0, zst = 0;
  for (const auto& entry : fs::directory_iterator(ws.logs())) {
    if (entry.path().extension() == ".zst") ++zst;
    std::string text = unpacked(entry.path());
    std::size_t pos = 0;
    while (pos < text.size()) {
      std::size_t end = text.find('\n', pos);
      REQUIRE(end != std::string::npos);  // no torn line
      long k = std::stol(text.substr(pos + 5, end - pos - 5));
      REQUIRE(k >= 1);
      REQUIRE(k <= written);
      CHECK(seen[static_cast<std::size_t>(k)] == 0);  // no line twice
      seen[static_cast<std::size_t>(k)] = 1;
      ++lines;
      pos = end + 1;
    }
  }
  CHECK(lines == written);
  CHECK(zst >= 99);  // the newest may still be held open at the last run's end
  INFO("lines written: " << written);
  CHECK(written > 1000);
}
