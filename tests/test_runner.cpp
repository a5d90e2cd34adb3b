// The command-line contract every tool shares (DESIGN.md §2, §5–§9), through real binaries.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <thread>

#include "core/base/crypto.hpp"
#include "core/base/process.hpp"
#include "core/testing/workspace.hpp"

using namespace dihya;
using namespace dihya::test;
using Json = nlohmann::json;

namespace {

std::vector<Json> trail(const Workspace& ws) {
  std::vector<Json> records;
  for (const auto& line : read_lines(ws.audit_log())) records.push_back(Json::parse(line));
  return records;
}

void add_hook(const Workspace& ws, const std::string& point, const std::string& name,
              const std::string& body, unsigned mode = 0755) {
  fs::path dir = ws.state_dir() / "hooks" / (point + ".d");
  write_text(dir / name, "#!/bin/sh\n" + body + "\n", mode);
  fs::permissions(dir, static_cast<fs::perms>(0755), fs::perm_options::replace);
}

}  // namespace

TEST_CASE("--help shows usage, examples and the exit-code table; --version the version", "[cli]") {
  Workspace ws;
  auto help = ws.run("audit", {"--help", "--lang", "en"});
  CHECK(help.code == 0);
  CHECK(help.out.find("Usage:") != std::string::npos);
  CHECK(help.out.find("Examples:") != std::string::npos);
  CHECK(help.out.find("Exit status:") != std::string::npos);
  for (const char* code : {" 64 ", " 65 ", " 77 ", " 78 ", "130 "})
    CHECK(help.out.find(code) != std::string::npos);
  auto version = ws.run("check_config", {"--version"});
  CHECK(version.code == 0);
  CHECK(version.out.find("Dihya Ops") != std::string::npos);
  CHECK(trail(ws).empty());  // help and version act on nothing
}

TEST_CASE("usage errors exit 64 and are audited", "[cli]") {
  Workspace ws;
  CHECK(ws.run("audit", {"verify", "--no-such-option"}).code == 64);
  CHECK(ws.run("audit", {}).code == 64);
  CHECK(ws.run("audit", {"frobnicate"}).code == 64);
  CHECK(ws.run("audit", {"show", "--since", "last tuesday"}).code == 64);
  CHECK(ws.run("audit", {"verify", "--format", "csv"}).code == 64);
  CHECK(ws.run("audit", {"verify", "--lang", "de"}).code == 64);
  CHECK(ws.run("audit", {"verify", "--tenant", "nope"}).code == 64);
  auto records = trail(ws);
  REQUIRE(records.size() == 6);  // the unknown tenant has no trail to write to
  for (const auto& r : records) {
    CHECK(r["outcome"] == "failure");
    CHECK(r["exit_code"] == 64);
  }
}

TEST_CASE("an invalid or missing config stops every tool with 78", "[cli]") {
  Workspace ws;
  ws.config()["tenants"]["demo"]["backup"] = {{"keep", {{"daily", -1}}}};
  ws.save();
  auto run = ws.run("audit", {"verify"});
  CHECK(run.code == 78);
  CHECK(run.err.find("tenants.demo.backup.keep.daily") != std::string::npos);
  CHECK_FALSE(fs::exists(ws.audit_log()));
  fs::remove(ws.config_path());
  CHECK(ws.run("audit", {"verify"}).code == 78);
}

TEST_CASE("a user whose identity is not verified is denied with 77 and audited", "[cli][access]") {
  Workspace ws;
  auto run = ws.run("audit", {"verify", "--user", "reader", "--lang", "en"});
  CHECK(run.code == 77);
  CHECK(run.err.find("not verified") != std::string::npos);
  auto records = trail(ws);
  REQUIRE(records.size() == 1);
  CHECK(records[0]["outcome"] == "denied");
  CHECK(records[0]["user"] == "reader");
  CHECK(records[0]["exit_code"] == 77);
  CHECK(records[0]["details"]["message"]["id"] == "core.access.not_verified");
  // Monitoring sees the denial too.
  CHECK(read_text(ws.state_dir() / "metrics" / "audit.prom")
            .find("dihya_last_run_exit_code{tenant=\"demo\",tool=\"audit\"} 77") !=
        std::string::npos);
}

TEST_CASE("a verified user without the permission is denied with 77 and audited", "[cli][access]") {
  Workspace ws;
  ws.config()["users"]["admin"]["roles"] = {"auditor"};
  ws.save();
  CHECK(ws.run("audit", {"verify"}).code == 0);  // audit.read granted
  auto run = ws.run("check_config", {"--lang", "en"});
  CHECK(run.code == 77);
  CHECK(run.err.find("maintenance.check_config") != std::string::npos);
  auto records = trail(ws);
  REQUIRE(records.size() == 2);
  CHECK(records[1]["outcome"] == "denied");
  CHECK(records[1]["tool"] == "check_config");
}

TEST_CASE("token authentication through the binaries", "[cli][access]") {
  Workspace ws;
  ws.config()["users"]["dpo"] = {{"roles", {"auditor"}}, {"token_hash", hash_token("t0ken")}};
  ws.save();
  CHECK(ws.run("audit", {"verify", "--user", "dpo"}, {{"DIHYA_TOKEN", "t0ken"}}).code == 0);
  CHECK(ws.run("audit", {"verify", "--user", "dpo"}, {{"DIHYA_TOKEN", "guess"}}).code == 77);
  write_text(ws.dir() / "dpo.token", "t0ken\n", 0600);
  CHECK(ws.run("audit",
               {"verify", "--user", "dpo", "--token-file", (ws.dir() / "dpo.token").string()})
            .code == 0);
  auto records = trail(ws);
  REQUIRE(records.size() == 3);
  CHECK(records[0]["outcome"] == "success");
  CHECK(records[1]["outcome"] == "denied");
  CHECK(records[2]["user"] == "dpo");
  // The token never reaches the trail.
  CHECK(read_text(ws.audit_log()).find("t0ken") == std::string::npos);
}

TEST_CASE("a pre hook that exits 1 vetoes the run, audited with the hook's name", "[cli][hooks]") {
  Workspace ws;
  add_hook(ws, "audit.pre", "10-freeze", "echo 'change freeze' >&2; exit 1");
  auto run = ws.run("audit", {"show"});
  CHECK(run.code == 1);
  CHECK(run.out.empty());
  auto records = trail(ws);
  REQUIRE(records.size() == 1);
  CHECK(records[0]["outcome"] == "failure");
  CHECK(records[0]["details"]["hook"].get<std::string>().find("10-freeze") != std::string::npos);
}

TEST_CASE("post hooks receive the outcome; a validate hook can reject the config", "[cli][hooks]") {
  Workspace ws;
  fs::path seen = ws.dir() / "post.json";
  add_hook(ws, "audit.post", "10-record", "cat > " + seen.string());
  CHECK(ws.run("audit", {"verify"}).code == 0);
  Json context = Json::parse(read_text(seen));
  CHECK(context["outcome"] == "success");
  CHECK(context["tool"] == "audit");
  CHECK(context["result"]["intact"] == true);

  add_hook(ws, "validate", "10-policy",
           "grep -q '\"environment\":\"production\"' && exit 0; exit 1");
  CHECK(ws.run("audit", {"verify"}).code == 78);
  CHECK(ws.run("check_config", {}).code == 78);
}

TEST_CASE("hooks never see the user's token nor other tenants' config", "[cli][hooks]") {
  Workspace ws;
  ws.config()["users"]["dpo"] = {{"roles", {"auditor"}}, {"token_hash", hash_token("t0ken")}};
  ws.config()["tenants"]["acme"] = {{"environment", "production"}};
  ws.save();
  fs::path env_dump = ws.dir() / "env.txt", config_dump = ws.dir() / "validate.json";
  add_hook(ws, "audit.pre", "10-env", "env > " + env_dump.string());
  add_hook(ws, "validate", "10-config", "cat > " + config_dump.string());
  REQUIRE(
      ws.run("audit", {"verify", "--tenant", "demo", "--user", "dpo"}, {{"DIHYA_TOKEN", "t0ken"}})
          .code == 0);
  std::string env = read_text(env_dump);
  CHECK(env.find("DIHYA_TENANT=demo") != std::string::npos);
  CHECK(env.find("t0ken") == std::string::npos);
  Json seen = Json::parse(read_text(config_dump));
  CHECK(seen["config"]["tenants"].contains("demo"));
  CHECK_FALSE(seen["config"]["tenants"].contains("acme"));
}

TEST_CASE("arguments that are not UTF-8 are audited, not a crash", "[cli][audit]") {
  Workspace ws;
  CHECK(ws.run("audit", {"show", "--actor", "ÿþ"}).code == 0);
  CHECK(ws.run("audit", {"verify"}).code == 0);
}

TEST_CASE("a world-writable hook is refused and the run does not happen", "[cli][hooks]") {
  Workspace ws;
  fs::path ran = ws.dir() / "ran";
  add_hook(ws, "audit.pre", "10-open", "touch " + ran.string());
  ::chmod((ws.state_dir() / "hooks" / "audit.pre.d" / "10-open").c_str(), 0777);
  auto run = ws.run("audit", {"show"});
  CHECK(run.code == 77);
  CHECK_FALSE(fs::exists(ran));
  CHECK(trail(ws).at(0)["outcome"] == "failure");
}

TEST_CASE("a hook that hangs is stopped at the tenant's timeout", "[cli][hooks]") {
  Workspace ws;
  ws.config()["tenants"]["demo"]["hook_timeout_seconds"] = 1;
  ws.save();
  add_hook(ws, "audit.pre", "10-hang", "sleep 120");
  auto run = ws.run("audit", {"show", "--lang", "en"});
  CHECK(run.code == 1);
  CHECK(run.err.find("timeout") != std::string::npos);
  CHECK(trail(ws).at(0)["details"]["message"]["id"] == "core.hook.timeout");
}

TEST_CASE("messages follow --lang: Arabic and Kabyle", "[cli][i18n]") {
  Workspace ws;
  auto ar = ws.run("audit", {"verify", "--lang", "ar"});
  CHECK(ar.code == 0);
  CHECK(ar.out.find("\xD8") != std::string::npos);  // Arabic block lead byte
  auto kab = ws.run("audit", {"verify", "--lang", "kab"});
  CHECK(kab.code == 0);
  CHECK(kab.out != ws.run("audit", {"verify", "--lang", "en"}).out);
  auto denied = ws.run("audit", {"verify", "--user", "reader", "--lang", "kab"});
  CHECK(denied.err.find("[core.access.not_verified]") != std::string::npos);
  auto fr = ws.run("audit", {"verify"}, {{"LANG", "fr_FR.UTF-8"}});
  CHECK(fr.out.find("Journal intact") != std::string::npos);
}

TEST_CASE("every run writes metrics that promtool accepts", "[cli][metrics]") {
  Workspace ws;
  REQUIRE(ws.run("audit", {"verify"}).code == 0);
  REQUIRE(ws.run("check_config", {}).code == 0);
  for (const char* tool : {"audit", "check_config"}) {
    fs::path file = ws.state_dir() / "metrics" / (std::string(tool) + ".prom");
    REQUIRE(fs::exists(file));
    ProcessRequest check;
    check.argv = {std::getenv("DIHYA_PROMTOOL") ? std::getenv("DIHYA_PROMTOOL") : "promtool",
                  "check", "metrics"};
    check.stdin_data = read_text(file);
    auto outcome = run_process(check);
    REQUIRE(outcome.ok());
    INFO(outcome->out << outcome->err);
    CHECK(outcome->exit_code == 0);
    CHECK(check.stdin_data.find("dihya_last_run_exit_code{tenant=\"demo\",tool=\"" +
                                std::string(tool) + "\"} 0") != std::string::npos);
  }
}

TEST_CASE("eight tools running at once leave one valid audit chain", "[cli][audit]") {
  Workspace ws;
  std::vector<std::thread> threads;
  std::vector<RunResult> runs(8);
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&, i] {
      runs[i] = ws.run(i % 2 ? "audit" : "check_config",
                       i % 2 ? std::vector<std::string>{"show"} : std::vector<std::string>{});
    });
  for (auto& t : threads) t.join();
  for (const auto& r : runs) {
    INFO("exit " << r.code << ": " << r.err);
    CHECK(r.code == 0);
  }
  auto verify = ws.run("audit", {"verify", "--json"});
  CHECK(verify.code == 0);
  CHECK(Json::parse(verify.out)["records"] == 8);
}

TEST_CASE("SIGINT stops a run with 130, audited, the trail intact", "[cli][signals]") {
  Workspace ws;
  fs::path started = ws.dir() / "started";
  add_hook(ws, "audit.pre", "10-slow", "touch " + started.string() + "; sleep 60");
  pid_t pid = ::fork();
  if (pid == 0) {
    ::execl(tool_path("audit").c_str(), "audit", "--config", ws.config_path().c_str(), "show", "-q",
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  for (int i = 0; i < 500 && !fs::exists(started); ++i) ::usleep(20000);
  REQUIRE(fs::exists(started));
  ::kill(pid, SIGINT);
  int status = 0;
  ::waitpid(pid, &status, 0);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 130);
  auto records = trail(ws);
  REQUIRE(records.size() == 1);
  CHECK(records[0]["exit_code"] == 130);
  fs::remove_all(ws.state_dir() / "hooks");
  CHECK(ws.run("audit", {"verify"}).code == 0);
}

TEST_CASE("with several tenants, --tenant is required and --all-tenants audits each",
          "[cli][tenants]") {
  Workspace ws;
  ws.config()["tenants"]["acme"] = {{"environment", "production"}};
  ws.save();
  CHECK(ws.run("audit", {"verify"}).code == 64);
  CHECK(ws.run("audit", {"verify", "--tenant", "acme"}).code == 0);
  // A tenant name that is not configured: the message lists those that are.
  auto unknown = ws.run("audit", {"verify", "--tenant", "acmee", "--lang", "en"});
  CHECK(unknown.code == 64);
  CHECK(unknown.err.find("configured: acme, demo") != std::string::npos);
  auto all = ws.run("audit", {"verify", "--all-tenants", "--json"});
  CHECK(all.code == 0);
  Json doc = Json::parse(all.out);
  CHECK(doc["tenants"].contains("demo"));
  CHECK(doc["tenants"].contains("acme"));
  CHECK(read_lines(ws.audit_log("acme")).size() == 2);
  // The run without --tenant could not know whose trail to write to.
  CHECK(read_lines(ws.audit_log("demo")).size() == 1);
}

TEST_CASE("the dihya dispatcher runs a tool by name and refuses unknown ones", "[cli]") {
  TempDir libexec;
  fs::create_symlink(tool_path("check_config"), libexec.path() / "check_config");
  fs::path dispatcher = fs::path(std::getenv("DIHYA_BUILD_DIR")) / "dihya";
  ProcessRequest request;
  request.argv = {dispatcher.string(), "check_config", "--version"};
  request.env = {{"DIHYA_LIBEXEC_DIR", libexec.path().string()}};
  auto ran = run_process(request);
  REQUIRE(ran.ok());
  CHECK(ran->exit_code == 0);
  CHECK(ran->out.find("check_config (Dihya Ops)") != std::string::npos);
  for (const char* bad : {"../bin/sh", "nope"}) {
    request.argv = {dispatcher.string(), bad};
    auto refused = run_process(request);
    REQUIRE(refused.ok());
    INFO(bad);
    CHECK(refused->exit_code == 64);
  }
}

TEST_CASE("an option given twice: the last one wins, as in GNU tools", "[cli]") {
  Workspace ws;
  auto run = ws.run("audit", {"verify", "--lang", "fr", "--lang", "en"});
  CHECK(run.code == 0);
  CHECK(run.out.find("Trail intact") != std::string::npos);
  CHECK(ws.run("audit", {"verify", "--lang", "en", "--lang", "fr"}).out.find("Journal intact") !=
        std::string::npos);
  // The language of an early usage error follows the last --lang too.
  auto bad = ws.run("audit", {"verify", "--lang", "fr", "--lang", "en", "--no-such-option"});
  CHECK(bad.code == 64);
  CHECK(bad.err.find("error:") != std::string::npos);
}

TEST_CASE("-q prints nothing on success, errors still, and --json its document", "[cli]") {
  Workspace ws;
  REQUIRE(ws.run("audit", {"verify"}).code == 0);
  for (const char* tool : {"audit", "check_config"}) {
    auto quiet = ws.run(tool, tool == std::string("audit") ? std::vector<std::string>{"show", "-q"}
                                                           : std::vector<std::string>{"-q"});
    INFO(tool);
    CHECK(quiet.code == 0);
    CHECK(quiet.out.empty());
    CHECK(quiet.err.empty());
  }
  auto json = ws.run("audit", {"show", "-q", "--json"});
  CHECK(json.code == 0);
  CHECK(Json::parse(json.out)["records"].size() >= 1);
  auto failed = ws.run("audit", {"verify", "-q", "--tenant", "nope"});
  CHECK(failed.code == 64);
  CHECK(failed.err.find("[core.usage.unknown_tenant]") != std::string::npos);
  // A verdict the tool prints as its result is shown under -q when the run fails.
  auto lines = read_lines(ws.audit_log());
  REQUIRE_FALSE(lines.empty());
  auto at = lines[0].find("\"check_config\"");
  if (at == std::string::npos) at = lines[0].find("\"audit\"");
  REQUIRE(at != std::string::npos);
  lines[0].replace(at, 1, "\"x");
  write_lines(ws.audit_log(), lines);
  auto broken = ws.run("audit", {"verify", "-q"});
  CHECK(broken.code == 65);
  CHECK_FALSE(broken.out.empty());
}

TEST_CASE("under LANG=C the config's language applies to --help and option errors too", "[cli]") {
  Workspace ws;  // its config says "language": "en"; the runs get LANG=C
  auto help = ws.run("audit", {"--help"});
  CHECK(help.code == 0);
  CHECK(help.out.find("Usage:") != std::string::npos);
  CHECK(help.out.find("Utilisation") == std::string::npos);
  auto bad = ws.run("audit", {"verify", "--no-such-option"});
  CHECK(bad.code == 64);
  CHECK(bad.err.find("error:") != std::string::npos);
  ws.config()["language"] = "fr";
  ws.save();
  CHECK(ws.run("audit", {"--help"}).out.find("Utilisation") != std::string::npos);
  // --lang still wins over the config.
  CHECK(ws.run("audit", {"--help", "--lang", "en"}).out.find("Usage:") != std::string::npos);
}

TEST_CASE("an unknown option or a missing value: our message, localized, with a suggestion",
          "[cli]") {
  Workspace ws;
  auto typo = ws.run("audit", {"verify", "--tenat", "demo"});
  CHECK(typo.code == 64);
  CHECK(typo.err.find("[core.usage.unknown_option_suggest]") != std::string::npos);
  CHECK(typo.err.find("did you mean --tenant?") != std::string::npos);
  CHECK(typo.err.find("dihya audit --help") != std::string::npos);
  auto far = ws.run("audit", {"verify", "--zzzzzzzzzz"});
  CHECK(far.code == 64);
  CHECK(far.err.find("[core.usage.unknown_option]") != std::string::npos);
  auto short_option = ws.run("audit", {"show", "-x"});
  CHECK(short_option.code == 64);
  CHECK(short_option.err.find("-x") != std::string::npos);
  auto missing = ws.run("audit", {"show", "--since"});
  CHECK(missing.code == 64);
  CHECK(missing.err.find("[core.usage.missing_value]") != std::string::npos);
  auto missing_short = ws.run("audit", {"export", "-o"});  // named as typed
  CHECK(missing_short.code == 64);
  CHECK(missing_short.err.find("option -o ") != std::string::npos);
  auto arabic = ws.run("audit", {"verify", "--tenat", "demo", "--lang", "ar"});
  CHECK(arabic.code == 64);
  CHECK(arabic.err.find("\xD8") != std::string::npos);
  CHECK(arabic.err.find("does not exist") == std::string::npos);  // never cxxopts' English
  // A value that looks like an option is still a value.
  CHECK(ws.run("audit", {"show", "--actor", "-q"}).code == 0);
}

TEST_CASE("--help: dihya TOOL in usage and examples, an environment section, 80 columns", "[cli]") {
  Workspace ws;
  for (const char* tool : {"audit", "check_config", "export", "backup", "healthcheck"}) {
    auto help = ws.run(tool, {"--help", "--lang", "en"});
    INFO(tool << "\n" << help.out);
    CHECK(help.code == 0);
    CHECK(help.out.find(std::string("  dihya ") + tool + " [OPTIONS]") != std::string::npos);
    CHECK(help.out.find("Environment:") != std::string::npos);
    for (const char* var : {"DIHYA_CONFIG", "DIHYA_LANG", "DIHYA_TOKEN", "NO_COLOR"})
      CHECK(help.out.find(var) != std::string::npos);
    std::size_t start = 0, examples = 0;
    bool in_examples = false;
    while (start < help.out.size()) {
      std::size_t end = help.out.find('\n', start);
      if (end == std::string::npos) end = help.out.size();
      std::string line = help.out.substr(start, end - start);
      std::size_t width = 0;
      for (unsigned char c : line) width += (c & 0xC0) != 0x80;
      if (line == "Examples:") {
        in_examples = true;
      } else if (line.empty()) {
        in_examples = false;
      } else if (in_examples) {  // command lines stay whole, to be copied
        CHECK(line.rfind("  dihya " + std::string(tool), 0) == 0);
        ++examples;
      } else {
        CHECK(width <= 80);
      }
      start = end + 1;
    }
    CHECK(examples > 0);
  }
}

TEST_CASE("dihya: help on stdout, --list with each tool's summary, help TOOL, did you mean",
          "[cli]") {
  Workspace ws;
  TempDir libexec;
  for (const char* tool : {"audit", "check_config", "backup"})
    fs::create_symlink(tool_path(tool), libexec.path() / tool);
  fs::path dispatcher = fs::path(std::getenv("DIHYA_BUILD_DIR")) / "dihya";
  auto run = [&](std::vector<std::string> args) {
    ProcessRequest request;
    request.argv = {dispatcher.string()};
    request.argv.insert(request.argv.end(), args.begin(), args.end());
    request.env = {{"DIHYA_LIBEXEC_DIR", libexec.path().string()},
                   {"DIHYA_CONFIG", ws.config_path().string()},
                   {"LANG", "C"},
                   {"LC_ALL", ""},
                   {"LANGUAGE", ""},
                   {"DIHYA_LANG", ""}};
    auto ran = run_process(request);
    REQUIRE(ran.ok());
    return *ran;
  };
  auto help = run({"--help"});
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("dihya --list") != std::string::npos);  // on stdout, in English (config)
  CHECK(help.out.find("Usage:") != std::string::npos);
  auto bare = run({});  // no tool named: the help, as a usage error, on stderr
  CHECK(bare.exit_code == 64);
  CHECK(bare.out.empty());
  CHECK(bare.err.find("dihya --list") != std::string::npos);
  auto list = run({"--list"});
  CHECK(list.exit_code == 0);
  INFO(list.out);
  CHECK(list.out.find("  audit ") != std::string::npos);
  CHECK(list.out.find("  backup ") != std::string::npos);
  CHECK(list.out.find("  check_config ") != std::string::npos);
  CHECK(list.out.find("backup  ") < list.out.find("check_config"));  // sorted
  CHECK(list.out.find("dihya backup —") == std::string::npos);       // the summary alone
  auto tool_help = run({"help", "audit"});
  CHECK(tool_help.exit_code == 0);
  CHECK(tool_help.out.find("dihya audit [OPTIONS]") != std::string::npos);
  auto typo = run({"bakup"});
  CHECK(typo.exit_code == 64);
  CHECK(typo.err.find("did you mean backup?") != std::string::npos);
  CHECK(typo.err.find(libexec.path().string()) == std::string::npos);  // no internal path
  auto far = run({"zzzzzzzzzz"});
  CHECK(far.exit_code == 64);
  CHECK(far.err.find("[core.dispatch.unknown_tool]") != std::string::npos);
}
