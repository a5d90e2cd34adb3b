#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <map>

#include "core/base/fs.hpp"
#include "core/run/audit.hpp"

// Verification of a tenant's audit chain and of its signed checkpoints.
namespace dihya {
namespace {

const char* const k_fields[] = {
    "seq",    "ts",     "tenant",  "user",      "os_user",     "host",    "pid",  "tool",
    "action", "target", "outcome", "exit_code", "duration_ms", "details", "prev", "hash"};

void mark_broken(AuditVerification& result, std::int64_t seq, std::string id,
                 MessageParams params = {}) {
  result.intact = false;
  result.broken_seq = seq;
  params.insert(params.begin(), {"seq", std::to_string(seq)});
  result.reason = make_error(ExitCode::data_error, std::move(id), std::move(params));
}

// What a checkpoint is compared with: the record's hash, time and tenant.
struct Link {
  std::string hash, ts, tenant;
};

// Check one line at position EXPECTED_SEQ; return false (and mark) when it breaks the chain.
bool check_record(const std::string& line, std::int64_t expected_seq, const std::string& prev,
                  AuditVerification& result, Link& link) {
  Json record = Json::parse(line, nullptr, false);
  if (record.is_discarded() || !record.is_object()) {
    mark_broken(result, expected_seq, "core.audit.not_json");
    return false;
  }
  // Records are written in canonical form: extra spaces, another key order or a duplicated
  // key mean the line was edited, even when the parsed values still hash right.
  if (canonical_json(record) != line) {
    mark_broken(result, expected_seq, "core.audit.not_canonical");
    return false;
  }
  for (const char* field : k_fields)
    if (!record.contains(field)) {
      mark_broken(result, expected_seq, "core.audit.missing_field", {{"field", field}});
      return false;
    }
  if (!record["seq"].is_number_integer() || record["seq"].get<std::int64_t>() != expected_seq) {
    mark_broken(result, expected_seq, "core.audit.bad_seq", {{"found", record["seq"].dump()}});
    return false;
  }
  if (record["prev"] != prev) {
    mark_broken(result, expected_seq, "core.audit.bad_prev");
    return false;
  }
  if (!record["hash"].is_string() || record["hash"] != audit_record_hash(record)) {
    mark_broken(result, expected_seq, "core.audit.bad_hash");
    return false;
  }
  link = {record["hash"].get<std::string>(), record.value("ts", ""), record.value("tenant", "")};
  return true;
}

void check_checkpoints(const fs::path& path, const std::vector<Link>& links,
                       const std::optional<VerifyKey>& key, bool signed_trail,
                       AuditVerification& result) {
  auto text = read_file(path);
  std::int64_t last_signed = 0;
  if (text) {
    std::size_t start = 0;
    while (start < text->size() && result.intact) {
      std::size_t end = text->find('\n', start);
      if (end == std::string::npos) end = text->size();
      Json cp = Json::parse(text->substr(start, end - start), nullptr, false);
      start = end + 1;
      std::int64_t seq = cp.is_object() ? cp.value("seq", std::int64_t{0}) : 0;
      bool signature_ok = cp.is_object() && key && cp.value("key_id", "") == key_id(*key) &&
                          verify_detached(*key, audit_checkpoint_message(cp), cp.value("sig", ""));
      if (!key) continue;
      if (!signature_ok) {
        mark_broken(result, seq, "core.audit.checkpoint_bad_signature");
      } else if (seq < 1 || seq > static_cast<std::int64_t>(links.size())) {
        mark_broken(result, static_cast<std::int64_t>(links.size()) + 1,
                    "core.audit.records_removed", {{"checkpoint", std::to_string(seq)}});
      } else if (const Link& link = links[static_cast<std::size_t>(seq - 1)];
                 link.hash != cp.value("hash", "") || link.ts != cp.value("ts", "") ||
                 link.tenant != cp.value("tenant", "")) {
        mark_broken(result, seq, "core.audit.checkpoint_mismatch");
      } else {
        ++result.checkpoints;
        last_signed = std::max(last_signed, seq);
      }
    }
  }
  if (result.intact && signed_trail && key && !links.empty() && result.checkpoints == 0)
    mark_broken(result, 1, "core.audit.no_checkpoint");
  result.unsigned_tail = static_cast<std::int64_t>(links.size()) - last_signed;
}

// Read the log under a shared lock, so a record being appended is never seen half-written.
Result<std::string> read_locked(const fs::path& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return read_file(path);  // the same error, reported the same way
  while (::flock(fd.get(), LOCK_SH) != 0)
    if (errno != EINTR) break;
  return read_file(path);
}

}  // namespace

AuditVerification verify_audit_trail(const fs::path& log, const fs::path& checkpoints,
                                     const std::optional<VerifyKey>& verify_key,
                                     bool signed_trail) {
  AuditVerification result;
  auto text = read_locked(log);
  if (!text && text.error().code != ExitCode::no_input) {
    result.intact = false;
    result.reason = text.error();
    return result;
  }
  std::vector<Link> links;
  std::string prev = k_genesis_hash;
  std::string content = text ? *text : std::string();
  std::size_t start = 0;
  while (start < content.size()) {
    std::size_t end = content.find('\n', start);
    std::int64_t seq = static_cast<std::int64_t>(links.size()) + 1;
    // A last line without its newline was cut short: the record is incomplete.
    if (end == std::string::npos) {
      mark_broken(result, seq, "core.audit.truncated");
      return result;
    }
    Link link;
    if (!check_record(content.substr(start, end - start), seq, prev, result, link)) return result;
    prev = link.hash;
    links.push_back(std::move(link));
    start = end + 1;
  }
  result.records = static_cast<std::int64_t>(links.size());
  check_checkpoints(checkpoints, links, verify_key, signed_trail, result);
  return result;
}

Result<AuditVerification> verify_tenant_trail(const TenantConfig& tenant) {
  std::optional<VerifyKey> key;
  if (tenant.audit.verify_key) {
    auto loaded = load_verify_key(*tenant.audit.verify_key);
    if (!loaded) return loaded.error();
    key = *loaded;
  }
  AuditTrail trail(tenant);
  return verify_audit_trail(trail.log_path(), trail.checkpoint_path(), key,
                            tenant.audit.signing_key.has_value());
}

}  // namespace dihya
