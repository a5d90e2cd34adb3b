#include "tests/rgpd_support.hpp"

#include <catch2/catch.hpp>

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
