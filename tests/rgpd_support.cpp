#include "tests/rgpd_support.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "core/base/crypto.hpp"

namespace dihya::test {

using Json = nlohmann::json;

Json demo_personal_map() {
  return {{"subject", {{"table", "users"}, {"key", "id"}}},
          {"tables",
           {{"users",
             {{"columns",
               {{"email", {{"category", "contact"}, {"mask", "fake:email"}, {"unique", true}}},
                {"username", {{"category", "identity"}, {"mask", "hash"}, {"unique", true}}},
                {"first_name", {{"category", "identity"}, {"mask", "fake:first_name"}}},
                {"last_name", {{"category", "identity"}, {"mask", "fake:last_name"}}},
                {"full_name", {{"category", "identity"}, {"mask", "fake:name"}}},
                {"phone", {{"category", "contact"}, {"mask", "fake:phone"}}},
                {"birth_date", {{"category", "identity"}, {"mask", "generalize:year"}}},
                {"address", {{"category", "contact"}, {"mask", "redact"}}},
                {"city", {{"category", "contact"}, {"mask", "shuffle"}}},
                {"ip", {{"category", "network"}, {"mask", "fake:ip"}}},
                {"last_login_at", {{"category", "usage"}, {"mask", "noise:days=10"}}}}}}},
            {"events",
             {{"subject_column", "user_id"},
              {"columns",
               {{"ip", {{"category", "network"}, {"mask", "fake:ip"}}},
                {"user_agent", {{"category", "device"}, {"mask", "redact"}}}}}}}}},
          {"quasi_identifiers", {"users.birth_date", "users.country"}}};
}

Json retention_personal_map() {
  Json map = demo_personal_map();
  map["tables"]["events"]["retention"] = {
      {"column", "created_at"}, {"days", 365}, {"then", "delete"}};
  map["tables"]["users"]["retention"] = {
      {"column", "last_login_at"}, {"days", 600}, {"then", "anonymize"}};
  map["controller"] = "Dihya SARL, dpo@dihya.example";
  map["source"] = "collected from the data subject at sign-up";
  map["purposes"] = {{{"name", "account"},
                      {"basis", "contract"},
                      {"tables", {"users"}},
                      {"recipients", {"hosting provider"}},
                      {"description", "run the user's account"}},
                     {{"name", "newsletter"}, {"basis", "consent"}, {"tables", {"users"}}},
                     {{"name", "security"},
                      {"basis", "legitimate_interests"},
                      {"tables", {"events"}},
                      {"recipients", {"security team"}}}};
  return map;
}

std::vector<std::int64_t> subject_counts(const std::string& url, const std::string& key) {
  std::vector<std::int64_t> counts;
  for (const char* sql :
       {"SELECT count(*) FROM users WHERE id = ", "SELECT count(*) FROM events WHERE user_id = ",
        "SELECT count(*) FROM projects WHERE owner_id = ",
        "SELECT count(*) FROM files WHERE owner_id = "})
    counts.push_back(std::stoll(query_column(url, sql + key).at(0)));
  return counts;
}

std::string backup_then_erase(Workspace& ws, const std::string& url) {
  ws.config()["tenants"]["demo"]["personal_data"] = retention_personal_map();
  ws.config()["tenants"]["demo"]["personal_data"]["tables"]["users"]["erase"] = "delete";
  ws.save();
  REQUIRE(ws.run("anonymize", {"--generate-key", "--quiet"}).code == 0);
  std::string id = query_column(url,
                                "SELECT user_id FROM events GROUP BY user_id ORDER BY "
                                "count(*) DESC, user_id LIMIT 1")[0];
  REQUIRE(subject_counts(url, id)[1] > 0);
  auto backup = ws.run("backup", {"--target", "db", "--json"});
  INFO(backup.err);
  REQUIRE(backup.code == 0);
  auto erased = ws.run("subject_erase", {"--subject", id, "--reason", "art. 17 request"});
  INFO(erased.err);
  REQUIRE(erased.code == 0);
  REQUIRE(subject_counts(url, id) == std::vector<std::int64_t>{0, 0, 0, 0});
  return id;
}

RgpdWorkspace::RgpdWorkspace(int scale) {
  config()["tenants"]["demo"]["personal_data"] = demo_personal_map();
  save();
  auto seeded = run("seed", {"--scale", std::to_string(scale), "--quiet"});
  REQUIRE(seeded.code == 0);
}

std::unique_ptr<Database> RgpdWorkspace::open() const {
  auto db = open_database(url(), {true});
  REQUIRE(db.ok());
  return std::move(*db);
}

void write_pinned_rows(const RgpdWorkspace& ws) {
  auto db = ws.open();
  REQUIRE(db->execute(
      "UPDATE users SET email = 'amina.benali@example.org', username = 'amina_b', first_name = "
      "'Amina', last_name = 'Benali', full_name = 'Amina Benali', phone = '+213 555 12 34 56', "
      "birth_date = '1990-06-15', address = '12 rue Didouche Mourad, Alger', ip = '192.0.2.17' "
      "WHERE id = 1"));
  REQUIRE(db->execute(
      "UPDATE users SET email = 'yanis.ait@example.net', username = 'yanis42', first_name = "
      "'Yanis', last_name = 'A\u00eft Ahmed', full_name = 'Yanis A\u00eft Ahmed', phone = "
      "'0555 98 76 54', birth_date = '1984-11-02', address = NULL, ip = '2001:db8::1' WHERE id = 2"));
  REQUIRE(db->execute("UPDATE events SET ip = '198.51.100.7', user_agent = 'Mozilla/5.0 (X11; "
                      "Linux x86_64)' WHERE id = 1"));
  REQUIRE(db->execute("UPDATE events SET ip = '10.0.0.1', user_agent = 'curl/8.5' WHERE id = 2"));
}

void write_fixed_key(const Workspace& ws, const std::string& tenant) {
  std::string raw;
  for (int i = 0; i < 32; ++i) raw += static_cast<char>(i);
  fs::path path = ws.state_dir(tenant) / "rgpd" / "masking.key";
  fs::create_directories(path.parent_path());
  std::ofstream(path) << "dihya-mask-1:" << base64_encode(raw) << "\n";
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write);
}

const std::vector<std::pair<std::string, std::vector<std::string>>>& pinned_masks() {
  static const std::vector<std::pair<std::string, std::vector<std::string>>> pins = {
      {"SELECT email || '|' || username || '|' || first_name || '|' || last_name || '|' || "
       "full_name || '|' || phone || '|' || CAST(birth_date AS TEXT) || '|' || "
       "coalesce(address, 'none') || '|' || ip FROM users WHERE id IN (1, 2) ORDER BY id",
       {"andre_richard.pna1h8ujnco23@live.fr|98a62feb499330af7583b0636f953817|Maurice|"
        "\u0627\u0644\u0643\u0639\u0628\u064a|Jayden Booth|+213 342 40 27 58|1990-01-01|"
        "[redacted]|117.174.52.218",
        "madeline_tate.w5ubsvb2of44@live.com|3c0af7b40e0a91bff6394766223c4ccf|"
        "\u0648\u0647\u064a\u0628\u0629|Medina|"
        "\u0633\u064a\u0641 \u0627\u0644\u062f\u064a\u0646 \u0622\u064a\u062a "
        "\u062d\u0645\u0648|0575 25 86 22|1984-01-01|none|2001:db8:f86f:91bd:6fb7:d1f5:1f0a:497a"}},
      {"SELECT ip || '|' || user_agent FROM events WHERE id IN (1, 2) ORDER BY id",
       {"11.21.100.42|[redacted]", "116.142.225.145|[redacted]"}}};
  return pins;
}

MaskedColumns masked_columns(const std::string& url) {
  return {query_column(url,
                       "SELECT email || username || full_name || coalesce(phone, '') || city || "
                       "ip FROM users ORDER BY id"),
          query_column(url, "SELECT ip || user_agent FROM events ORDER BY id")};
}

void kill_anonymize_at(const Workspace& ws, const std::string& tenant, const std::string& point,
                       int after_ms) {
  ::setenv("DIHYA_STOP_AT", point.c_str(), 1);
  pid_t pid = spawn_tool(ws, "anonymize", {"--tenant", tenant, "--target", "all"});
  ::unsetenv("DIHYA_STOP_AT");
  int status = 0;
  REQUIRE(::waitpid(pid, &status, WUNTRACED) == pid);
  REQUIRE(WIFSTOPPED(status));
  if (after_ms > 0) {
    ::kill(pid, SIGCONT);
    ::usleep(static_cast<useconds_t>(after_ms) * 1000);
  }
  ::kill(pid, SIGKILL);
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFSIGNALED(status));
}

std::vector<std::string> query_column(const std::string& url, const std::string& sql) {
  auto db = open_database(url, {true});
  REQUIRE(db.ok());
  auto stmt = (*db)->prepare(sql);
  REQUIRE(stmt.ok());
  std::vector<std::string> values;
  while (*(*stmt)->step()) values.push_back((*stmt)->is_null(0) ? "NULL" : (*stmt)->get_text(0));
  return values;
}

std::vector<std::string> RgpdWorkspace::column(const std::string& sql) const {
  return query_column(url(), sql);
}

RunResult RgpdWorkspace::anonymize(std::vector<std::string> args) const {
  args.insert(args.begin(), "--quiet");
  return run("anonymize", args);
}

}  // namespace dihya::test
