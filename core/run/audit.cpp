#include "core/run/audit.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/base/clock.hpp"
#include "core/base/fs.hpp"

namespace dihya {
namespace {

constexpr const char* k_checkpoint_type = "dihya-audit-checkpoint-v1";

std::string host_name() {
  char buffer[256] = {};
  if (::gethostname(buffer, sizeof buffer - 1) != 0) return "unknown";
  return buffer;
}

Error audit_io(const fs::path& path, int err) {
  return make_error(ExitCode::io_error, "core.audit.write_failed",
                    {{"path", path.string()}, {"reason", std::strerror(err)}});
}

// Read the file's tail: whether it ends with a newline, and its last record that parses.
struct Tail {
  bool ends_with_newline = true;
  std::optional<Json> last;
};

Result<Tail> read_tail(int fd, const fs::path& path) {
  Tail tail;
  struct stat st {};
  if (::fstat(fd, &st) != 0) return audit_io(path, errno);
  std::string content;
  off_t chunk = 16384;
  // Read backwards until a complete line parses as a record, or the file is exhausted.
  for (off_t start = st.st_size; start > 0; chunk *= 2) {
    off_t from = start > chunk ? start - chunk : 0;
    std::string block(static_cast<std::size_t>(start - from), '\0');
    if (::pread(fd, block.data(), block.size(), from) != static_cast<ssize_t>(block.size()))
      return audit_io(path, errno);
    content.insert(0, block);
    start = from;
    tail.ends_with_newline = content.back() == '\n';
    std::size_t first_line = 0;
    if (start > 0) {
      first_line = content.find('\n');
      if (first_line == std::string::npos) continue;
      ++first_line;  // the part before it may be a partial line
    }
    std::size_t line_end = content.size();
    while (line_end > first_line) {
      std::size_t nl = content.rfind('\n', line_end - 1);
      std::size_t line_start = (nl == std::string::npos || nl < first_line) ? first_line : nl + 1;
      if (line_start < line_end) {
        Json parsed =
            Json::parse(content.substr(line_start, line_end - line_start), nullptr, false);
        if (!parsed.is_discarded() && parsed.is_object() && parsed.contains("hash")) {
          tail.last = std::move(parsed);
          return tail;
        }
      }
      if (line_start == first_line) break;
      line_end = line_start - 1;
    }
  }
  return tail;
}

}  // namespace

std::string audit_checkpoint_message(const Json& checkpoint) {
  Json signed_part = {{"type", k_checkpoint_type},
                      {"tenant", checkpoint.value("tenant", "")},
                      {"seq", checkpoint.value("seq", 0)},
                      {"hash", checkpoint.value("hash", "")},
                      {"ts", checkpoint.value("ts", "")}};
  return canonical_json(signed_part);
}

namespace {

Status append_checkpoint(const fs::path& path, const std::string& tenant, const Json& record,
                         const fs::path& signing_key_path) {
  auto key = load_signing_key(signing_key_path);
  if (!key) return key.error();
  Json checkpoint = {{"tenant", tenant},
                     {"seq", record["seq"]},
                     {"hash", record["hash"]},
                     {"ts", record["ts"]},
                     {"key_id", key_id(key->public_key)}};
  checkpoint["sig"] = sign_detached(*key, audit_checkpoint_message(checkpoint));
  Fd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640));
  if (!fd.valid()) return audit_io(path, errno);
  if (Status written = write_all(fd.get(), canonical_json(checkpoint) + "\n", path); !written)
    return written;
  if (::fsync(fd.get()) != 0) return audit_io(path, errno);
  return {};
}

}  // namespace

std::string canonical_json(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string audit_record_hash(const Json& record) {
  Json body = record;
  body.erase("hash");
  return blake2b_256_hex(record.value("prev", std::string()) + canonical_json(body));
}

AuditTrail::AuditTrail(const TenantConfig& tenant)
    : m_log(tenant.audit_log()),
      m_checkpoints(tenant.audit_dir() / "checkpoints.jsonl"),
      m_tenant(tenant.name),
      m_settings(tenant.audit) {}

Result<Json> AuditTrail::append(const AuditEvent& event) {
  if (Status dir = make_directories(m_log.parent_path(), 0750); !dir) return dir.error();
  Fd fd(::open(m_log.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0640));
  if (!fd.valid()) return audit_io(m_log, errno);
  while (::flock(fd.get(), LOCK_EX) != 0)
    if (errno != EINTR) return audit_io(m_log, errno);
  auto tail = read_tail(fd.get(), m_log);
  if (!tail) return tail.error();
  std::int64_t seq = tail->last ? tail->last->value("seq", std::int64_t{0}) + 1 : 1;
  Json record = {{"seq", seq},
                 {"ts", format_rfc3339_ms(now_ms())},
                 {"tenant", event.tenant},
                 {"user", event.user},
                 {"os_user", event.os_user},
                 {"host", host_name()},
                 {"pid", static_cast<std::int64_t>(::getpid())},
                 {"tool", event.tool},
                 {"action", event.action},
                 {"target", event.target},
                 {"outcome", event.outcome},
                 {"exit_code", event.exit_code},
                 {"duration_ms", event.duration_ms},
                 {"details", event.details},
                 {"prev", tail->last ? tail->last->value("hash", k_genesis_hash) : k_genesis_hash}};
  record["hash"] = audit_record_hash(record);
  // A torn last line (a crash mid-write) keeps its own line; the new record starts fresh.
  std::string line = (tail->ends_with_newline ? "" : "\n") + canonical_json(record) + "\n";
  if (Status written = write_all(fd.get(), line, m_log); !written) return written.error();
  if (::fsync(fd.get()) != 0) return audit_io(m_log, errno);
  return record;
}

Status AuditTrail::sign_checkpoint(const Json& record) const {
  if (!m_settings.signing_key) return {};
  return append_checkpoint(m_checkpoints, m_tenant, record, *m_settings.signing_key);
}

Result<std::vector<Json>> AuditTrail::read_records() const {
  auto text = read_file(m_log);
  if (!text) {
    if (text.error().code == ExitCode::no_input) return std::vector<Json>{};
    return text.error();
  }
  std::vector<Json> records;
  std::size_t start = 0;
  while (start < text->size()) {
    std::size_t end = text->find('\n', start);
    if (end == std::string::npos) end = text->size();
    Json parsed = Json::parse(text->substr(start, end - start), nullptr, false);
    if (!parsed.is_discarded() && parsed.is_object()) records.push_back(std::move(parsed));
    start = end + 1;
  }
  return records;
}

}  // namespace dihya
