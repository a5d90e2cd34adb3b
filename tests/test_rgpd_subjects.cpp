// The rgpd tools around subjects and retention, end to end on SQLite: purge_rgpd,
// subject_erase (and its replay by restore), subject_export, consent and audit_rgpd.
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <map>

#include "core/data/db.hpp"
#include "core/io/archive.hpp"
#include "core/io/stream.hpp"
#include "tests/rgpd_support.hpp"

using namespace dihya;
using namespace dihya::test;
using Json = nlohmann::json;

namespace {

// Every file of a tar.zst: name → content.
std::map<std::string, std::string> read_archive(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  auto source = zstd_source(fd_source(fd));
  ArchiveReader reader(*source);
  std::map<std::string, std::string> files;
  for (;;) {
    auto entry = reader.next();
    REQUIRE(entry.ok());
    if (!*entry) break;
    std::string data;
    for (;;) {
      auto block = reader.read();
      REQUIRE(block.ok());
      if (block->empty()) break;
      data += *block;
    }
    files[(*entry)->name] = data;
  }
  ::close(fd);
  return files;
}

// The user with the most events.
std::string busy_user(const RgpdWorkspace& ws, int rank = 0) {
  return ws.column(
      "SELECT user_id FROM events GROUP BY user_id ORDER BY count(*) DESC, user_id "
      "LIMIT 1 OFFSET " +
      std::to_string(rank))[0];
}

class RetentionWorkspace : public RgpdWorkspace {
 public:
  RetentionWorkspace() : RgpdWorkspace(300) {
    config()["tenants"]["demo"]["personal_data"] = retention_personal_map();
    save();
    auto key = anonymize({"--generate-key"});
    if (key.code != 0) throw std::runtime_error(key.err);
  }
};

Json last_record(const Workspace& ws, const std::string& tool) {
  auto lines = read_lines(ws.audit_log());
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
    Json record = Json::parse(*it);
    if (record.value("tool", "") == tool) return record;
  }
  return Json();
}

}  // namespace

TEST_CASE("purge_rgpd: the dry run counts what the purge then does", "[rgpd_tool]") {
  RetentionWorkspace ws;
  std::string before = database_dump(ws.url());
  auto emails = ws.column("SELECT email FROM users ORDER BY id");
  auto events = std::stoll(ws.column("SELECT count(*) FROM events")[0]);

  auto plan = ws.run("purge_rgpd", {"--dry-run", "--json"});
  INFO(plan.err);
  REQUIRE(plan.code == 0);
  Json planned = Json::parse(plan.out);
  CHECK(database_dump(ws.url()) == before);
  std::map<std::string, std::int64_t> counts;
  for (const auto& t : planned["tables"]) counts[t["table"]] = t["rows"];
  REQUIRE(counts.size() == 2);
  CHECK(counts["events"] > 0);
  CHECK(counts["users"] > 0);
  CHECK(counts["events"] < events);

  auto purged = ws.run("purge_rgpd", {"--json"});
  INFO(purged.err);
  REQUIRE(purged.code == 0);
  Json done = Json::parse(purged.out);
  std::map<std::string, std::int64_t> real;
  for (const auto& t : done["tables"]) real[t["table"]] = t["rows"];
  CHECK(real == counts);
  CHECK(std::stoll(ws.column("SELECT count(*) FROM events")[0]) == events - counts["events"]);
  CHECK(ws.column("SELECT count(*) FROM events WHERE julianday(created_at) < julianday('now', "
                  "'-365 days', '+1 minute')")[0] == "0");
  // The users past retention are masked, the others untouched.
  auto after = ws.column("SELECT email FROM users ORDER BY id");
  std::int64_t changed = 0;
  for (std::size_t i = 0; i < after.size(); ++i) changed += after[i] != emails[i];
  CHECK(changed == counts["users"]);
  CHECK(ws.column("SELECT count(*) FROM users WHERE julianday(last_login_at) > julianday('now', "
                  "'-590 days') AND address = '[redacted]'")[0] == "0");

  CHECK(read_text(ws.state_dir() / "metrics" / "purge_rgpd.prom").find("dihya_purge_rows") !=
        std::string::npos);

  // Anonymized rows are remembered: nothing is left to purge.
  auto again = ws.run("purge_rgpd", {"--dry-run", "--json"});
  REQUIRE(again.code == 0);
  Json again_json = Json::parse(again.out);
  for (const auto& t : again_json["tables"]) CHECK(t["rows"] == 0);
  Json record = last_record(ws, "purge_rgpd");
  CHECK(record["details"]["dry_run"] == true);

  // Refusals.
  CHECK(ws.run("purge_rgpd", {"--table", "nope"}).code == 64);
  CHECK(ws.run("purge_rgpd", {"--table", "templates"}).code == 64);
  CHECK(ws.run("purge_rgpd", {"extra"}).code == 64);
  CHECK(ws.run("purge_rgpd", {"--user", "reader"}).code == 77);
  ws.config()["tenants"]["demo"]["personal_data"]["tables"]["users"]["retention"]["column"] =
      "city";
  ws.save();
  auto bad = ws.run("purge_rgpd", {"--dry-run"});
  CHECK(bad.code == 78);
  CHECK(bad.err.find("tenants.demo.personal_data.tables.users.retention.column") !=
        std::string::npos);
  ws.config()["tenants"]["demo"]["personal_data"]["tables"]["users"]["retention"]["then"] = "burn";
  ws.save();
  CHECK(ws.run("purge_rgpd", {"--dry-run"}).code == 78);
}

TEST_CASE("subject_erase: the plan, the erasure, a journal of pseudonyms only", "[rgpd_tool]") {
  RetentionWorkspace ws;
  // Users are deleted on erasure here: their projects and files go with them.
  ws.config()["tenants"]["demo"]["personal_data"]["tables"]["users"]["erase"] = "delete";
  ws.save();
  std::string id = busy_user(ws);
  auto counts = subject_counts(ws.url(), id);
  REQUIRE(counts[0] == 1);
  REQUIRE(counts[1] > 0);
  std::int64_t users = std::stoll(ws.column("SELECT count(*) FROM users")[0]);
  std::string before = database_dump(ws.url());

  CHECK(ws.run("subject_erase", {"--subject", id}).code == 64);  // no --reason
  CHECK(ws.run("subject_erase", {"--reason", "x"}).code == 64);  // no --subject
  CHECK(ws.run("subject_erase", {"--subject", "abc", "--dry-run"}).code == 65);
  CHECK(ws.run("subject_erase", {"--subject", "999999", "--reason", "x"}).code == 66);
  CHECK(ws.run("subject_erase", {"--subject", id, "--reason", "x", "--user", "reader"}).code == 77);

  auto plan = ws.run("subject_erase", {"--subject", id, "--dry-run", "--json"});
  INFO(plan.err);
  REQUIRE(plan.code == 0);
  CHECK(database_dump(ws.url()) == before);
  Json plan_json = Json::parse(plan.out);
  std::map<std::string, Json> planned;
  for (const auto& t : plan_json["tables"]) planned[t["table"].get<std::string>()] = t;
  CHECK(planned["users"]["rows"] == 1);
  CHECK(planned["events"]["rows"] == counts[1]);
  CHECK(planned["projects"]["rows"] == counts[2]);
  CHECK(planned["projects"]["action"] == "delete");
  CHECK(planned["files"]["rows"] == counts[3]);

  auto erased = ws.run("subject_erase", {"--subject", id, "--reason", "request 118", "--json"});
  INFO(erased.err);
  REQUIRE(erased.code == 0);
  CHECK(subject_counts(ws.url(), id) == std::vector<std::int64_t>{0, 0, 0, 0});
  CHECK(std::stoll(ws.column("SELECT count(*) FROM users")[0]) == users - 1);
  Json result = Json::parse(erased.out);
  std::string pseudonym = result["subject"];
  CHECK(pseudonym.size() == 32);
  CHECK(result["deleted"] == 1 + counts[1] + counts[2] + counts[3]);

  // The journal and the audit trail name the subject by its pseudonym only.
  auto journal = read_lines(ws.state_dir() / "rgpd" / "erasures.jsonl");
  REQUIRE(journal.size() == 1);
  Json entry = Json::parse(journal[0]);
  CHECK(entry["subject"] == pseudonym);
  Json record = last_record(ws, "subject_erase");
  CHECK(record["details"]["subject"] == pseudonym);
  CHECK(record["details"]["reason"] == "request 118");
  CHECK(read_text(ws.audit_log()).find("\"subject\":\"" + id + "\"") == std::string::npos);

  // Erasing again finds it erased.
  auto again = ws.run("subject_erase", {"--subject", id, "--reason", "x"});
  CHECK(again.code == 0);
  CHECK(again.out.find(pseudonym) != std::string::npos);

  // Anonymized instead of deleted: the row stays, masked; its projects stay, its events go.
  ws.config()["tenants"]["demo"]["personal_data"]["tables"]["users"]["erase"] = "anonymize";
  ws.save();
  std::string other = busy_user(ws, 1);
  auto other_counts = subject_counts(ws.url(), other);
  std::string email = ws.column("SELECT email FROM users WHERE id = " + other)[0];
  auto masked = ws.run("subject_erase", {"--subject", other, "--reason", "request 119"});
  INFO(masked.err);
  REQUIRE(masked.code == 0);
  CHECK(subject_counts(ws.url(), other) ==
        std::vector<std::int64_t>{1, 0, other_counts[2], other_counts[3]});
  CHECK(ws.column("SELECT email FROM users WHERE id = " + other)[0] != email);
  CHECK(ws.column("SELECT address IS NULL OR address = '[redacted]' FROM users WHERE id = " +
                  other)[0] == "1");
  CHECK(read_lines(ws.state_dir() / "rgpd" / "erasures.jsonl").size() == 2);

  ws.config()["tenants"]["demo"]["personal_data"]["tables"]["users"]["erase"] = "shred";
  ws.save();
  auto bad = ws.run("subject_erase", {"--subject", id, "--dry-run"});
  CHECK(bad.code == 78);
  CHECK(bad.err.find("tenants.demo.personal_data.tables.users.erase") != std::string::npos);
}

TEST_CASE("an erased subject stays gone after an older backup is restored", "[rgpd_tool]") {
  BackupWorkspace ws;
  std::string url = "sqlite:" + ws.database().string();
  std::string id = backup_then_erase(ws, url);

  // A copy restored elsewhere comes back without the subject too.
  fs::path copy = ws.dir() / "copy.db";
  auto elsewhere = ws.run("restore", {"--latest", "--target", "db", "--to", copy.string()});
  INFO(elsewhere.err);
  REQUIRE(elsewhere.code == 0);
  CHECK(subject_counts("sqlite:" + copy.string(), id) == std::vector<std::int64_t>{0, 0, 0, 0});

  auto restored = ws.run("restore", {"--latest", "--target", "db", "--json"});
  INFO(restored.err);
  REQUIRE(restored.code == 0);
  CHECK(Json::parse(restored.out)["erasures_replayed"] == 1);
  CHECK(subject_counts(url, id) == std::vector<std::int64_t>{0, 0, 0, 0});
  // Everyone else is back as backed up.
  CHECK(query_column(url, "SELECT count(*) FROM users")[0] == std::to_string(200 - 1));

  // Without the masking key the journal cannot be replayed: the restore is refused and the
  // database stays as it was.
  fs::rename(ws.state_dir() / "rgpd" / "masking.key", ws.dir() / "key.away");
  std::string now = database_dump(url);
  REQUIRE(
      ws.run("restore", {"--latest", "--target", "db", "--to", (ws.dir() / "copy2.db").string()})
          .code == 66);
  CHECK(!fs::exists(ws.dir() / "copy2.db"));
  CHECK(database_dump(url) == now);
}

TEST_CASE("subject_export: every row of the subject with the art. 15 information", "[rgpd_tool]") {
  RetentionWorkspace ws;
  std::string id = busy_user(ws);
  auto counts = subject_counts(ws.url(), id);
  std::string email = ws.column("SELECT email FROM users WHERE id = " + id)[0];
  REQUIRE(ws.run("consent", {"record", "--subject", id, "--purpose", "newsletter", "--method",
                             "web-form", "--policy-version", "2026-03"})
              .code == 0);
  // A column holding emails the map does not declare.
  REQUIRE(ws.open()->execute("ALTER TABLE projects ADD COLUMN contact TEXT"));
  REQUIRE(ws.open()->execute("UPDATE projects SET contact = 'team' || id || '@example.org'"));

  fs::path out = ws.dir() / "subject.tar.zst";
  auto exported = ws.run("subject_export", {"--subject", id, "-o", out.string(), "--json"});
  INFO(exported.err);
  REQUIRE(exported.code == 0);
  auto files = read_archive(out);
  REQUIRE(files.count("subject.json"));
  Json doc = Json::parse(files["subject.json"]);
  CHECK(doc["subject"]["value"] == id);
  CHECK(doc["data"]["users"].size() == 1);
  CHECK(doc["data"]["users"][0]["email"] == email);
  CHECK(doc["data"]["events"].size() == static_cast<std::size_t>(counts[1]));
  CHECK(doc["data"]["projects"].size() == static_cast<std::size_t>(counts[2]));
  CHECK(doc["consent"].size() == 1);
  CHECK(doc["consent"][0]["purpose"] == "newsletter");
  CHECK(doc["information"]["controller"] == "Dihya SARL, dpo@dihya.example");
  CHECK(doc["information"]["source"] == "collected from the data subject at sign-up");
  CHECK(doc["information"]["purposes"].size() == 3);
  CHECK(doc["information"]["recipients"].size() == 2);
  CHECK(doc["information"]["retention"].size() == 2);
  bool contact_reported = false;
  for (const auto& u : doc["undeclared_personal_columns"])
    contact_reported = contact_reported || (u["table"] == "projects" && u["column"] == "contact");
  CHECK(contact_reported);
  // The CSV files: a header, then one line per row.
  REQUIRE(files.count("data/events.csv"));
  CHECK(std::count(files["data/events.csv"].begin(), files["data/events.csv"].end(), '\n') ==
        counts[1] + 1);
  CHECK(files["data/users.csv"].rfind("id,email,", 0) == 0);

  // By email, in any case; the audit trail keeps neither.
  fs::path by_email = ws.dir() / "by-email.tar.zst";
  std::string upper = email;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto found = ws.run("subject_export", {"--email", upper, "-o", by_email.string()});
  INFO(found.err);
  REQUIRE(found.code == 0);
  CHECK(Json::parse(read_archive(by_email)["subject.json"])["subject"]["value"] == id);
  CHECK(read_text(ws.audit_log()).find(email) == std::string::npos);

  CHECK(ws.run("subject_export", {"--subject", id, "-o", out.string()}).code == 73);
  CHECK(ws.run("subject_export", {"--subject", "999999", "-o", (ws.dir() / "x").string()}).code ==
        66);
  CHECK(!fs::exists(ws.dir() / "x"));
  CHECK(ws.run("subject_export", {"--subject", id, "--email", email}).code == 64);
  CHECK(ws.run("subject_export", {"--email", "not-an-email"}).code == 64);
  CHECK(ws.run("subject_export",
               {"--subject", id, "-o", (ws.dir() / "y").string(), "--user", "reader"})
            .code == 77);
}

TEST_CASE("consent: an append-only register", "[rgpd_tool]") {
  RetentionWorkspace ws;
  auto record = [&](const std::string& subject, const std::string& purpose) {
    return ws.run("consent", {"record", "--subject", subject, "--purpose", purpose, "--method",
                              "web-form", "--policy-version", "2026-03"});
  };
  auto given = record("3", "newsletter");
  INFO(given.err);
  REQUIRE(given.code == 0);
  REQUIRE(record("4", "newsletter").code == 0);
  REQUIRE(record("003", "account").code == 0);  // the key's canonical form: 3

  auto shown = ws.run("consent", {"show", "--subject", "3", "--json"});
  REQUIRE(shown.code == 0);
  Json show = Json::parse(shown.out);
  CHECK(show["active"].size() == 2);
  CHECK(show["records"][0]["basis"] == "consent");
  CHECK(show["records"][1]["basis"] == "contract");
  CHECK(show["records"][0]["recorded_by"] == "admin");

  auto withdrawn = ws.run("consent", {"withdraw", "--subject", "3", "--purpose", "newsletter"});
  INFO(withdrawn.err);
  REQUIRE(withdrawn.code == 0);
  CHECK(ws.run("consent", {"withdraw", "--subject", "3", "--purpose", "newsletter"}).code == 65);
  // A withdrawal without --method does not borrow the consent's "web-form": it says unspecified.
  CHECK(ws.column("SELECT method FROM dihya_consent WHERE subject = '3' AND purpose = "
                  "'newsletter' AND event = 'withdrawn'")[0] == "unspecified");
  auto active = ws.run("consent", {"list", "--purpose", "newsletter", "--active", "--json"});
  REQUIRE(active.code == 0);
  Json list = Json::parse(active.out)["records"];
  REQUIRE(list.size() == 1);
  CHECK(list[0]["subject"] == "4");
  auto all = ws.run("consent", {"list", "--json"});
  CHECK(Json::parse(all.out)["records"].size() == 4);

  // Append-only: the database itself refuses a change.
  auto db = ws.open();
  CHECK(!db->execute("UPDATE dihya_consent SET event = 'given'").ok());
  CHECK(!db->execute("DELETE FROM dihya_consent").ok());
  CHECK(ws.column("SELECT count(*) FROM dihya_consent")[0] == "4");

  CHECK(ws.run("consent", {}).code == 64);
  CHECK(ws.run("consent", {"forget", "--subject", "3"}).code == 64);
  CHECK(ws.run("consent", {"record", "--subject", "3", "--purpose", "newsletter"}).code == 64);
  CHECK(record("3", "marketing").code == 64);
  CHECK(record("999999", "newsletter").code == 66);
  CHECK(ws.run("consent", {"record", "--subject", "3", "--purpose", "newsletter", "--method", "x",
                           "--policy-version", "1", "--basis", "whim"})
            .code == 64);
  CHECK(ws.run("consent", {"list", "--user", "reader"}).code == 77);
  CHECK(record("5", "newsletter").code == 0);
  REQUIRE(ws.run("consent",
                 {"withdraw", "--subject", "5", "--purpose", "newsletter", "--method", "email"})
              .code == 0);
  CHECK(ws.column("SELECT method FROM dihya_consent WHERE subject = '5' AND event = "
                  "'withdrawn'")[0] == "email");
}

TEST_CASE("audit_rgpd: overdue and undeclared personal data fail the report", "[rgpd_tool]") {
  RetentionWorkspace ws;
  REQUIRE(ws.run("consent", {"record", "--subject", "3", "--purpose", "newsletter", "--method",
                             "web-form", "--policy-version", "1"})
              .code == 0);
  auto overdue = ws.run("audit_rgpd", {"--format", "json"});
  INFO(overdue.err);
  CHECK(overdue.code == 1);
  Json report = Json::parse(overdue.out);
  CHECK(report["overdue_rows"] > 0);
  CHECK(report["undeclared"].empty());
  CHECK(report["processing"].size() == 3);
  CHECK(report["consent"][0]["active"] == 1);

  REQUIRE(ws.run("purge_rgpd", {}).code == 0);
  auto clean = ws.run("audit_rgpd", {"--json"});
  INFO(clean.err);
  CHECK(clean.code == 0);
  CHECK(Json::parse(clean.out)["compliant"] == true);

  // Undeclared: one column by its name, one by its content.
  auto db = ws.open();
  REQUIRE(db->execute("ALTER TABLE templates ADD COLUMN author_phone TEXT"));
  REQUIRE(db->execute("ALTER TABLE templates ADD COLUMN notes TEXT"));
  REQUIRE(db->execute("UPDATE templates SET notes = 'FR76 3000 6000 0112 3456 7890 189'"));
  auto found = ws.run("audit_rgpd", {"--format", "md"});
  INFO(found.out);
  CHECK(found.code == 1);
  CHECK(found.out.rfind("# ", 0) == 0);
  CHECK(found.out.find("| templates | author_phone | phone | medium | name: phone |") !=
        std::string::npos);
  CHECK(found.out.find("| templates | notes | iban | high |") != std::string::npos);
  CHECK(found.out.find("12 of 12 sampled values are iban") != std::string::npos);
  CHECK(found.out.find("| templates | name |") == std::string::npos);
  fs::path html = ws.dir() / "report.html";
  CHECK(ws.run("audit_rgpd", {"--format", "html", "-o", html.string()}).code == 1);
  CHECK(read_text(html).find("<table>") != std::string::npos);
  CHECK(ws.run("audit_rgpd", {"--format", "pdf"}).code == 64);
  CHECK(ws.run("audit_rgpd", {"--user", "reader"}).code == 77);
}

TEST_CASE("audit_rgpd --suggest-map: pasted into the map, check_config and anonymize accept it",
          "[rgpd_tool]") {
  RgpdWorkspace ws;
  auto db = ws.open();
  REQUIRE(db->execute("ALTER TABLE templates ADD COLUMN author_email TEXT"));
  REQUIRE(db->execute("UPDATE templates SET author_email = 'author' || id || '@example.org'"));
  REQUIRE(db->execute("ALTER TABLE users ADD COLUMN religion TEXT"));
  REQUIRE(db->execute("UPDATE users SET religion = 'none'"));
  REQUIRE(db->execute("ALTER TABLE users ADD COLUMN postal_code TEXT"));
  REQUIRE(db->execute("UPDATE users SET postal_code = '750' || (10 + id % 20)"));
  db.reset();

  // Found with evidence and a confidence; the art. 9 column in its own section.
  auto before = ws.run("audit_rgpd", {"--format", "json"});
  INFO(before.err);
  CHECK(before.code == 1);
  Json report = Json::parse(before.out);
  std::map<std::string, Json> found;
  for (const auto& row : report["undeclared"])
    found[row["table"].get<std::string>() + "." + row["column"].get<std::string>()] = row;
  REQUIRE(found.count("templates.author_email"));
  CHECK(found["templates.author_email"]["kind"] == "email");
  CHECK(found["templates.author_email"]["confidence"] == "high");
  CHECK(found["templates.author_email"]["content"]["matches"] == 12);
  CHECK(found["templates.author_email"]["evidence"].get<std::string>().find("@") ==
        std::string::npos);  // never a value
  REQUIRE(found.count("users.religion"));
  CHECK(found["users.religion"]["special"] == true);
  REQUIRE(report["special_categories"].size() == 1);
  CHECK(report["special_categories"][0]["declared"] == false);
  CHECK(report["sampling"].size() == 5);

  auto suggested = ws.run("audit_rgpd", {"--suggest-map"});
  INFO(suggested.err);
  REQUIRE(suggested.code == 0);
  Json entries = Json::parse(suggested.out);
  CHECK(entries["tables"]["templates"]["columns"]["author_email"]["mask"] == "fake:email");
  CHECK(entries["tables"]["users"]["columns"]["religion"]["category"] == "religious_beliefs");
  CHECK(entries["quasi_identifiers"] == Json::array({"users.postal_code"}));
  CHECK(ws.run("audit_rgpd", {"--suggest-map", "--format", "html"}).code == 64);

  // Declared without its special category: still open, still exit 1.
  Json& map = ws.config()["tenants"]["demo"]["personal_data"];
  map["tables"]["users"]["columns"]["religion"] = {{"category", "identity"}, {"mask", "redact"}};
  ws.save();
  auto half = ws.run("audit_rgpd", {"--json"});
  CHECK(half.code == 1);
  CHECK(Json::parse(half.out)["special_categories"][0]["declared"] == false);

  // Pasted: every entry, except one column a reviewer judged not personal.
  for (const auto& [table, t] : entries["tables"].items())
    for (const auto& [column, entry] : t["columns"].items())
      if (table + "." + column != "templates.author_email")
        map["tables"][table]["columns"][column] = entry;
  for (const auto& q : entries["quasi_identifiers"]) map["quasi_identifiers"].push_back(q);
  map["not_personal"] = {"templates.author_email"};
  ws.save();
  auto checked = ws.run("check_config", {});
  INFO(checked.err);
  CHECK(checked.code == 0);
  auto after = ws.run("audit_rgpd", {"--json"});
  INFO(after.err);
  CHECK(after.code == 0);
  Json clean = Json::parse(after.out);
  CHECK(clean["undeclared"].empty());
  CHECK(clean["special_categories"][0]["declared"] == true);
  CHECK(clean["not_personal"] ==
        Json::array({{{"table", "templates"}, {"column", "author_email"}}}));
  auto md = ws.run("audit_rgpd", {"--lang", "en"});
  CHECK(md.out.find("## Columns reviewed as not personal") != std::string::npos);
  CHECK(md.out.find("| templates | author_email |") != std::string::npos);

  REQUIRE(ws.anonymize({"--generate-key"}).code == 0);
  auto masked = ws.anonymize({"--target", "all", "--yes"});
  INFO(masked.err);
  CHECK(masked.code == 0);
  CHECK(ws.column("SELECT DISTINCT religion FROM users") == std::vector<std::string>{"[redacted]"});

  // A not_personal entry naming a column that does not exist is a configuration error.
  map["not_personal"] = {"templates.nope"};
  ws.save();
  CHECK(ws.run("audit_rgpd", {}).code == 78);
  map["not_personal"] = {"not a column"};
  ws.save();
  CHECK(ws.run("check_config", {}).code == 78);
}
