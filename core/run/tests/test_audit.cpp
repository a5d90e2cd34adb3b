#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>

#include "core/run/audit.hpp"
#include "core/testing/workspace.hpp"

using namespace dihya;
using namespace dihya::test;

namespace {

// A tenant whose state lives in a fresh directory; optionally with a signing key.
struct TrailFixture {
  TempDir dir;
  TenantConfig tenant;

  explicit TrailFixture(bool signed_trail = false) {
    tenant.name = "demo";
    tenant.state_dir = dir.path() / "state";
    if (signed_trail) {
      SigningKey key = generate_signing_key();
      write_text(dir.path() / "audit.sk", encode_signing_key(key), 0600);
      write_text(dir.path() / "audit.pk", encode_verify_key(key.public_key), 0644);
      tenant.audit.signing_key = dir.path() / "audit.sk";
      tenant.audit.verify_key = dir.path() / "audit.pk";
    }
  }

  void append(int count, const std::string& user = "admin") {
    AuditTrail trail(tenant);
    for (int i = 0; i < count; ++i) {
      AuditEvent event{"demo",    user, "root", "check_config", "check", "target",
                       "success", 0,    1,      Json{{"i", i}}};
      auto record = trail.append(event);
      REQUIRE(record.ok());
      REQUIRE(trail.sign_checkpoint(*record).ok());
    }
  }

  AuditVerification verify() const {
    std::optional<VerifyKey> key;
    if (tenant.audit.verify_key) key = *load_verify_key(*tenant.audit.verify_key);
    return verify_audit_trail(tenant.audit_log(), tenant.audit_dir() / "checkpoints.jsonl", key,
                              tenant.audit.signing_key.has_value());
  }

  std::vector<std::string> lines() const { return read_lines(tenant.audit_log()); }
  void set_lines(const std::vector<std::string>& lines) const {
    write_lines(tenant.audit_log(), lines);
  }
};

}  // namespace

TEST_CASE("an untouched trail verifies and chains every record", "[audit]") {
  TrailFixture f;
  f.append(10);
  auto check = f.verify();
  CHECK(check.intact);
  CHECK(check.records == 10);
  auto lines = f.lines();
  REQUIRE(lines.size() == 10);
  Json first = Json::parse(lines[0]), second = Json::parse(lines[1]);
  CHECK(first["prev"] == k_genesis_hash);
  CHECK(second["prev"] == first["hash"]);
  CHECK(second["seq"] == 2);
  for (const char* field :
       {"seq", "ts", "tenant", "user", "os_user", "host", "pid", "tool", "action", "target",
        "outcome", "exit_code", "duration_ms", "details", "prev", "hash"})
    CHECK(first.contains(field));
}

TEST_CASE("editing a field is detected at that record", "[audit]") {
  TrailFixture f;
  f.append(10);
  auto lines = f.lines();
  Json record = Json::parse(lines[3]);
  record["user"] = "mallory";
  lines[3] = record.dump();
  f.set_lines(lines);
  auto check = f.verify();
  CHECK_FALSE(check.intact);
  CHECK(check.broken_seq == 4);
  CHECK(check.reason.id == "core.audit.bad_hash");
}

TEST_CASE("deleting a record is detected at the missing seq", "[audit]") {
  TrailFixture f;
  f.append(10);
  auto lines = f.lines();
  lines.erase(lines.begin() + 4);  // seq 5
  f.set_lines(lines);
  auto check = f.verify();
  CHECK_FALSE(check.intact);
  CHECK(check.broken_seq == 5);
  CHECK(check.reason.id == "core.audit.bad_seq");
}

TEST_CASE("inserting a record is detected where it stands", "[audit]") {
  TrailFixture f;
  f.append(10);
  auto lines = f.lines();
  // A forged record chained properly to seq 3 and inserted after it.
  Json forged = Json::parse(lines[3]);
  forged["user"] = "mallory";
  forged["hash"] = audit_record_hash(forged);
  lines.insert(lines.begin() + 4, forged.dump());
  f.set_lines(lines);
  auto check = f.verify();
  CHECK_FALSE(check.intact);
  CHECK(check.broken_seq == 5);
}

TEST_CASE("swapping two records is detected at the first of them", "[audit]") {
  TrailFixture f;
  f.append(10);
  auto lines = f.lines();
  std::swap(lines[5], lines[6]);  // seq 6 and 7
  f.set_lines(lines);
  auto check = f.verify();
  CHECK_FALSE(check.intact);
  CHECK(check.broken_seq == 6);
}

TEST_CASE("truncating the file mid-line is detected at the cut record", "[audit]") {
  TrailFixture f;
  f.append(10);
  std::string text = read_text(f.tenant.audit_log());
  std::size_t last_start = text.rfind('\n', text.size() - 2) + 1;
  write_text(f.tenant.audit_log(), text.substr(0, last_start + 40), 0640);
  auto check = f.verify();
  CHECK_FALSE(check.intact);
  CHECK(check.broken_seq == 10);
  CHECK(check.reason.id == "core.audit.truncated");
}

TEST_CASE("an append after a torn line starts a fresh line and the tear stays visible", "[audit]") {
  TrailFixture f;
  f.append(3);
  std::string text = read_text(f.tenant.audit_log());
  write_text(f.tenant.audit_log(), text + "{\"seq\":4,\"ts\":", 0640);
  f.append(1);
  auto lines = f.lines();
  REQUIRE(lines.size() == 5);
  CHECK(Json::parse(lines[4])["seq"] == 4);
  auto check = f.verify();
  CHECK_FALSE(check.intact);
  CHECK(check.broken_seq == 4);
}

TEST_CASE("eight processes appending at once leave one valid chain", "[audit]") {
  TrailFixture f;
  constexpr int k_processes = 8, k_each = 25;
  std::vector<pid_t> children;
  for (int p = 0; p < k_processes; ++p) {
    pid_t pid = ::fork();
    if (pid == 0) {
      AuditTrail trail(f.tenant);
      for (int i = 0; i < k_each; ++i) {
        AuditEvent event{"demo", "p" + std::to_string(p), "root", "t", "a", "", "success", 0,
                         0,      Json::object()};
        if (!trail.append(event)) ::_exit(1);
      }
      ::_exit(0);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  auto check = f.verify();
  CHECK(check.intact);
  CHECK(check.records == k_processes * k_each);
}

TEST_CASE("signed checkpoints detect a rewrite of the whole trail", "[audit]") {
  TrailFixture f(true);
  f.append(5);
  REQUIRE(f.verify().intact);
  CHECK(f.verify().checkpoints == 5);
  // Rewrite record 2 and re-hash the whole chain from there: the chain alone looks intact.
  auto lines = f.lines();
  std::string prev = k_genesis_hash;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    Json record = Json::parse(lines[i]);
    if (i == 1) record["user"] = "mallory";
    record["prev"] = prev;
    record["hash"] = audit_record_hash(record);
    prev = record["hash"];
    lines[i] = record.dump();
  }
  f.set_lines(lines);
  auto check = f.verify();
  CHECK_FALSE(check.intact);
  CHECK(check.broken_seq == 2);
  CHECK(check.reason.id == "core.audit.checkpoint_mismatch");
}

TEST_CASE("signed checkpoints detect records removed from the end", "[audit]") {
  TrailFixture f(true);
  f.append(6);
  auto lines = f.lines();
  lines.resize(4);
  f.set_lines(lines);
  auto check = f.verify();
  CHECK_FALSE(check.intact);
  CHECK(check.broken_seq == 5);
  CHECK(check.reason.id == "core.audit.records_removed");
}

TEST_CASE("a forged checkpoint signature is detected", "[audit]") {
  TrailFixture f(true);
  f.append(3);
  fs::path cp = f.tenant.audit_dir() / "checkpoints.jsonl";
  auto lines = read_lines(cp);
  Json checkpoint = Json::parse(lines[1]);
  checkpoint["hash"] = std::string(64, 'a');
  lines[1] = checkpoint.dump();
  write_lines(cp, lines);
  auto check = f.verify();
  CHECK_FALSE(check.intact);
  CHECK(check.broken_seq == 2);
  CHECK(check.reason.id == "core.audit.checkpoint_bad_signature");
}

TEST_CASE("a signed trail whose checkpoints were deleted is reported", "[audit]") {
  TrailFixture f(true);
  f.append(3);
  fs::remove(f.tenant.audit_dir() / "checkpoints.jsonl");
  auto check = f.verify();
  CHECK_FALSE(check.intact);
  CHECK(check.reason.id == "core.audit.no_checkpoint");
}

TEST_CASE("the record hash covers prev and the canonical JSON", "[audit]") {
  Json record = {{"b", 1}, {"a", "é"}, {"prev", std::string(64, '0')}};
  CHECK(canonical_json(record) == R"({"a":"é","b":1,"prev":")" + std::string(64, '0') + "\"}");
  CHECK(audit_record_hash(record) ==
        blake2b_256_hex(std::string(64, '0') + canonical_json(record)));
  Json with_hash = record;
  with_hash["hash"] = "x";
  CHECK(audit_record_hash(with_hash) == audit_record_hash(record));
}

TEST_CASE("a record re-serialized with spaces or a duplicated key is detected", "[audit]") {
  TrailFixture f;
  f.append(4);
  auto lines = f.lines();
  lines[1] = Json::parse(lines[1]).dump(1);  // same values, other bytes
  lines[1].erase(std::remove(lines[1].begin(), lines[1].end(), '\n'), lines[1].end());
  f.set_lines(lines);
  auto spaced = f.verify();
  CHECK_FALSE(spaced.intact);
  CHECK(spaced.broken_seq == 2);
  CHECK(spaced.reason.id == "core.audit.not_canonical");

  TrailFixture g;
  g.append(4);
  lines = g.lines();
  // A second "outcome" key: a lenient reader keeping the first would see "success".
  lines[2].insert(1, "\"outcome\":\"success\",");
  g.set_lines(lines);
  auto duplicated = g.verify();
  CHECK_FALSE(duplicated.intact);
  CHECK(duplicated.broken_seq == 3);
}

TEST_CASE("text that is not UTF-8 cannot break the trail", "[audit]") {
  TrailFixture f;
  AuditTrail trail(f.tenant);
  AuditEvent event{"demo",          "u\xff",   "root", "audit", "show",
                   "/tmp/\xfe\xff", "success", 0,      1,       Json::object()};
  REQUIRE(trail.append(event).ok());
  f.append(1);
  CHECK(f.verify().intact);
}
