// The backup repository: sidecars, listing, the lock, leftovers, and key re-wrapping.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/backup/backup.hpp"
#include "core/base/clock.hpp"
#include "core/io/stream.hpp"

namespace dihya {
namespace {

constexpr std::string_view k_sidecar_format = "dihya-backup-sidecar";

// A backup id: <yyyymmddThhmmssZ>-<target>-<8 hex>, safe as a file name.
bool valid_backup_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
  });
}

}  // namespace

std::optional<BackupTarget> parse_backup_target(std::string_view text) {
  if (text == "db") return BackupTarget::db;
  if (text == "files") return BackupTarget::files;
  if (text == "config") return BackupTarget::config;
  if (text == "all") return BackupTarget::all;
  return std::nullopt;
}

const char* backup_target_name(BackupTarget target) {
  switch (target) {
    case BackupTarget::db:
      return "db";
    case BackupTarget::files:
      return "files";
    case BackupTarget::config:
      return "config";
    case BackupTarget::all:
      return "all";
  }
  return "?";
}

Json BackupInfo::to_json() const {
  Json out = {{"format", k_sidecar_format},
              {"version", k_backup_format_version},
              {"id", id},
              {"tenant", tenant},
              {"target", target},
              {"tag", tag},
              {"created", format_rfc3339_ms(created_ms)},
              {"encrypted", encrypted},
              {"recipients", recipients},
              {"passphrase", passphrase},
              {"file", file},
              {"file_bytes", file_bytes},
              {"file_sha256", file_sha256},
              {"data_bytes", data_bytes},
              {"entries", entries},
              {"manifest_sha256", manifest_sha256},
              {"seconds", seconds},
              {"verified_at", verified_at ? Json(*verified_at) : Json(nullptr)}};
  return out;
}

Result<BackupInfo> BackupInfo::from_json(const Json& json) {
  auto bad = [](const std::string& what) {
    return make_error(ExitCode::data_error, "core.backup.bad_sidecar", {{"what", what}});
  };
  if (!json.is_object() || json.value("format", "") != k_sidecar_format) return bad("format");
  if (json.value("version", 0) != k_backup_format_version) return bad("version");
  try {
    BackupInfo info;
    info.id = json.at("id").get<std::string>();
    info.tenant = json.at("tenant").get<std::string>();
    info.target = json.at("target").get<std::string>();
    info.tag = json.value("tag", "");
    auto created = parse_rfc3339_ms(json.at("created").get<std::string>());
    if (!created) return bad("created");
    info.created_ms = *created;
    info.encrypted = json.at("encrypted").get<bool>();
    info.recipients = json.value("recipients", std::vector<std::string>{});
    info.passphrase = json.value("passphrase", false);
    info.file = json.at("file").get<std::string>();
    info.file_bytes = json.at("file_bytes").get<std::int64_t>();
    info.file_sha256 = json.at("file_sha256").get<std::string>();
    info.data_bytes = json.at("data_bytes").get<std::int64_t>();
    info.entries = json.at("entries").get<std::int64_t>();
    info.manifest_sha256 = json.at("manifest_sha256").get<std::string>();
    info.seconds = json.value("seconds", 0.0);
    if (json.contains("verified_at") && json["verified_at"].is_string())
      info.verified_at = json["verified_at"].get<std::string>();
    if (!valid_backup_id(info.id)) return bad("id");
    if (info.file != info.id + ".tar.zst" && info.file != info.id + ".tar.zst.enc")
      return bad("file");
    if (!parse_backup_target(info.target)) return bad("target");
    return info;
  } catch (const Json::exception&) {
    return bad("fields");
  }
}

EnvelopeOpeners BackupKeys::openers() const {
  EnvelopeOpeners openers;
  for (const auto& identity : identities) openers.identities.push_back(&identity);
  openers.passphrase = passphrase;
  return openers;
}

Result<BackupRepository> BackupRepository::open(const TenantConfig& tenant, bool create) {
  if (!tenant.backup.contains("repository"))
    return make_error(ExitCode::config_error, "core.backup.no_repository",
                      {{"tenant", tenant.name}});
  BackupRepository repo;
  repo.m_root = tenant.backup["repository"].get<std::string>();
  struct stat st {};
  if (::stat(repo.m_root.c_str(), &st) != 0) {
    if (!create)
      return make_error(ExitCode::no_input, "core.backup.no_repository_dir",
                        {{"path", repo.m_root.string()}});
    if (Status made = make_directories(repo.m_root, 0700); !made) return made.error();
  } else if (!S_ISDIR(st.st_mode)) {
    return make_error(ExitCode::cant_create, "core.backup.no_repository_dir",
                      {{"path", repo.m_root.string()}});
  }
  return repo;
}

Result<LockFile> BackupRepository::lock() const {
  return LockFile::acquire(m_root / ".lock", false);
}

Result<std::vector<std::string>> BackupRepository::clean_leftovers() const {
  std::vector<std::string> removed;
  std::error_code ec;
  fs::path work = m_root / ".tmp";
  if (fs::exists(work, ec)) {
    for (const auto& entry : fs::directory_iterator(work, ec)) {
      removed.push_back(".tmp/" + entry.path().filename().string());
      fs::remove_all(entry.path(), ec);
    }
  }
  for (const auto& entry : fs::directory_iterator(m_root, ec)) {
    std::string name = entry.path().filename().string();
    std::string id;
    if (name.ends_with(".tar.zst.enc"))
      id = name.substr(0, name.size() - 12);
    else if (name.ends_with(".tar.zst"))
      id = name.substr(0, name.size() - 8);
    else if (name.ends_with(".json.tmp") || name.rfind(".rewrap-", 0) == 0)
      id = "-";  // an unfinished sidecar or re-wrap
    else
      continue;
    if (id != "-" && fs::exists(sidecar_path(id), ec)) continue;
    removed.push_back(name);
    if (::unlink(entry.path().c_str()) != 0 && errno != ENOENT)
      return io_error(entry.path(), errno);
  }
  return removed;
}

Result<std::vector<BackupInfo>> BackupRepository::list() const {
  std::vector<BackupInfo> out;
  std::error_code ec;
  fs::directory_iterator it(m_root, ec);
  if (ec)
    return make_error(ExitCode::no_input, "core.backup.no_repository_dir",
                      {{"path", m_root.string()}});
  for (const auto& entry : it) {
    std::string name = entry.path().filename().string();
    if (!name.ends_with(".json") || name.front() == '.') continue;
    auto text = read_file(entry.path());
    if (!text) return text.error();
    Json json = Json::parse(*text, nullptr, false);
    auto info = BackupInfo::from_json(json);
    if (!info || info->id + ".json" != name) {
      Error error = make_error(ExitCode::data_error, "core.backup.bad_sidecar_file",
                               {{"path", entry.path().string()}});
      if (!info) error.causes.push_back(info.error());
      return error;
    }
    out.push_back(std::move(*info));
  }
  std::sort(out.begin(), out.end(), [](const BackupInfo& a, const BackupInfo& b) {
    return std::tie(a.created_ms, a.id) < std::tie(b.created_ms, b.id);
  });
  return out;
}

Result<BackupInfo> BackupRepository::find(const std::string& id_or_latest,
                                          const std::optional<std::string>& target) const {
  auto all = list();
  if (!all) return all.error();
  for (auto it = all->rbegin(); it != all->rend(); ++it) {
    if (id_or_latest == "latest") {
      if (!target || it->target == *target || it->target == "all") return *it;
    } else if (it->id == id_or_latest) {
      return *it;
    }
  }
  if (id_or_latest == "latest")
    return make_error(ExitCode::no_input, "core.backup.none", {{"path", m_root.string()}});
  return make_error(ExitCode::no_input, "core.backup.not_found", {{"id", id_or_latest}});
}

Status BackupRepository::save_sidecar(const BackupInfo& info) const {
  return atomic_write(sidecar_path(info.id), info.to_json().dump(2) + "\n", 0600);
}

Status BackupRepository::remove(const BackupInfo& info) const {
  if (::unlink(sidecar_path(info.id).c_str()) != 0 && errno != ENOENT)
    return io_error(sidecar_path(info.id), errno);
  if (::unlink(file_path(info).c_str()) != 0 && errno != ENOENT)
    return io_error(file_path(info), errno);
  return fsync_directory(m_root);
}

Result<std::vector<std::string>> rewrap_backups(const BackupRepository& repo,
                                                const BackupKeys& keys, const SlotChange& change) {
  auto all = repo.list();
  if (!all) return all.error();
  std::vector<std::string> changed;
  EnvelopeOpeners openers = keys.openers();
  std::vector<std::string> add_ids;
  for (const auto& key : change.add) add_ids.push_back(recipient_id(key));
  for (BackupInfo& info : *all) {
    if (!info.encrypted) continue;
    fs::path path = repo.file_path(info);
    Fd in(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!in.valid()) return io_error(path, errno);
    auto ids = envelope_recipient_ids(in.get());
    if (!ids) return ids.error();
    bool done = std::all_of(add_ids.begin(), add_ids.end(),
                            [&](const std::string& id) {
                              return std::find(ids->begin(), ids->end(), id) != ids->end();
                            }) &&
                std::none_of(change.remove_ids.begin(), change.remove_ids.end(),
                             [&](const std::string& id) {
                               return std::find(ids->begin(), ids->end(), id) != ids->end();
                             });
    fs::path temp = repo.root() / (".rewrap-" + info.file);
    if (!done) {
      ::lseek(in.get(), 0, SEEK_SET);
      // The new file beside the old one, then renamed over it: a crash leaves one or the other.
      Fd out(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
      if (!out.valid()) return io_error(temp, errno);
      if (Status rewrapped = envelope_rewrap(in.get(), out.get(), openers, change); !rewrapped) {
        ::unlink(temp.c_str());
        Error error = rewrapped.error();
        error.params.emplace_back("backup", info.id);
        return error;
      }
      if (::fsync(out.get()) != 0) return io_error(temp, errno);
    } else if (info.recipients == *ids) {
      continue;
    }
    // The sidecar's hash, size and key ids follow the file. A rotation interrupted between
    // the rename and the sidecar finds the file done and the sidecar stale: it is updated.
    fs::path written = done ? path : temp;
    auto digest = digest_file(written);
    if (!digest) return digest.error();
    if (!done) {
      Fd check(::open(temp.c_str(), O_RDONLY | O_CLOEXEC));
      if (!check.valid()) return io_error(temp, errno);
      ids = envelope_recipient_ids(check.get());
      if (!ids) return ids.error();
    }
    info.file_sha256 = digest->sha256;
    info.file_bytes = digest->bytes;
    info.recipients = *ids;
    if (!done && ::rename(temp.c_str(), path.c_str()) != 0) return io_error(path, errno);
    if (Status saved = repo.save_sidecar(info); !saved) return saved.error();
    changed.push_back(info.id);
  }
  return changed;
}

}  // namespace dihya
