// Writing a backup: the parts of a tenant (database, file roots, config) streamed into one
// tar, through zstd and optionally an envelope, with a manifest of every entry's SHA-256.
#include <dirent.h>
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/backup/backup.hpp"
#include "core/backup/parts.hpp"
#include "core/base/clock.hpp"
#include "core/base/signals.hpp"
#include "core/data/db.hpp"

namespace dihya {
namespace {

std::string new_backup_id(std::int64_t created_ms, BackupTarget target) {
  unsigned char random[4];
  crypto_init();
  randombytes_buf(random, sizeof random);
  return format_compact_utc(created_ms) + "-" + backup_target_name(target) + "-" +
         to_hex(std::string_view(reinterpret_cast<const char*>(random), sizeof random));
}

}  // namespace

// The writer of one backup's entries, recording each in the manifest.
BackupWriter::BackupWriter(ArchiveWriter& archive, const fs::path& index_file,
                           const std::function<void(std::uint64_t)>& progress)
    : m_archive(archive), m_progress(progress), m_index_path(index_file) {}

Status BackupWriter::open_index() {
  m_index.reset(::open(m_index_path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!m_index.valid()) return io_error(m_index_path, errno);
  return {};
}

Result<Json> BackupWriter::close_index() {
  if (!m_pending.empty()) m_index_status = write_all(m_index.get(), m_pending, m_index_path);
  m_pending.clear();
  if (!m_index_status) return m_index_status.error();
  m_index.reset();
  auto added = m_archive.add_file(m_index_path, k_index_name);
  ::unlink(m_index_path.c_str());
  if (!added) return added.error();
  return Json{{"entry", k_index_name},
              {"entries", m_count},
              {"bytes", added->size},
              {"sha256", m_index_hash.hex()}};
}

Status BackupWriter::file(const fs::path& source, const std::string& name) {
  check_interrupted();
  Sha256 hash;
  auto entry = m_archive.add_file(source, name, &hash);
  if (!entry) return entry.error();
  record(*entry, hash.hex());
  return {};
}

Status BackupWriter::bytes(const std::string& name, std::string_view data, unsigned mode) {
  check_interrupted();
  if (Status added = m_archive.add_bytes(name, data, mode); !added) return added;
  ArchiveEntry entry{name, EntryType::file, mode, 0, 0, static_cast<std::int64_t>(data.size()), {}};
  record(entry, sha256_hex(data));
  return {};
}

Status BackupWriter::directory(const std::string& name, const struct stat& st) {
  if (Status added =
          m_archive.add_directory(name, st.st_mode & 07777, st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
      !added)
    return added;
  record({name,
          EntryType::directory,
          st.st_mode & 07777,
          st.st_mtim.tv_sec,
          st.st_mtim.tv_nsec,
          0,
          {}},
         "");
  return {};
}

Status BackupWriter::symlink(const std::string& name, const std::string& target,
                             const struct stat& st) {
  if (Status added = m_archive.add_symlink(name, target, st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
      !added)
    return added;
  record({name, EntryType::symlink, 0777, st.st_mtim.tv_sec, st.st_mtim.tv_nsec, 0, target}, "");
  return {};
}

void BackupWriter::record(const ArchiveEntry& entry, const std::string& sha256) {
  std::string line = index_line(entry, sha256);
  m_index_hash.update(line);
  m_pending += line;
  ++m_count;
  if (m_pending.size() >= (1u << 16)) {
    if (m_index_status) m_index_status = write_all(m_index.get(), m_pending, m_index_path);
    m_pending.clear();
  }
  m_data_bytes += entry.size;
  if (m_progress) m_progress(static_cast<std::uint64_t>(m_data_bytes));
}

// A directory tree under NAME, never following a link: links are stored as links when they
// stay inside the tree, and skipped (with a warning) when they would lead out of it.
Status BackupWriter::tree(const fs::path& root, const std::string& name) {
  struct stat st {};
  if (::lstat(root.c_str(), &st) != 0) return io_error(root, errno);
  if (!S_ISDIR(st.st_mode))
    return make_error(ExitCode::no_input, "core.backup.not_a_directory", {{"path", root.string()}});
  if (Status added = directory(name, st); !added) return added;
  DIR* dir = ::opendir(root.c_str());
  if (!dir) return io_error(root, errno);
  std::vector<std::string> children;
  while (dirent* d = ::readdir(dir)) {
    std::string child = d->d_name;
    if (child != "." && child != "..") children.push_back(std::move(child));
  }
  ::closedir(dir);
  std::sort(children.begin(), children.end());
  for (const std::string& child : children) {
    fs::path path = root / child;
    std::string entry_name = name + "/" + child;
    struct stat cst {};
    if (::lstat(path.c_str(), &cst) != 0) return io_error(path, errno);
    if (S_ISDIR(cst.st_mode)) {
      if (std::find(m_excluded_dirs.begin(), m_excluded_dirs.end(),
                    std::pair<dev_t, ino_t>{cst.st_dev, cst.st_ino}) != m_excluded_dirs.end()) {
        m_skipped.push_back({{"entry", entry_name}, {"reason", "repository"}});
        continue;
      }
      if (Status added = tree(path, entry_name); !added) return added;
    } else if (S_ISREG(cst.st_mode)) {
      if (m_exclude && m_exclude(path)) {
        m_skipped.push_back({{"entry", entry_name}, {"reason", "private_key"}});
        continue;
      }
      if (Status added = file(path, entry_name); !added) return added;
    } else if (S_ISLNK(cst.st_mode)) {
      std::string target(4096, '\0');
      ssize_t n = ::readlink(path.c_str(), target.data(), target.size());
      if (n < 0) return io_error(path, errno);
      target.resize(static_cast<std::size_t>(n));
      // Inside the tree means inside the part's own root (files/<key>/…).
      std::string relative = entry_name.substr(m_part_prefix.size() + 1);
      if (link_stays_inside(relative, target)) {
        if (Status added = symlink(entry_name, target, cst); !added) return added;
      } else {
        m_skipped.push_back(
            {{"entry", entry_name}, {"reason", "link_escapes"}, {"target", target}});
      }
    } else {
      m_skipped.push_back({{"entry", entry_name}, {"reason", "special_file"}});
    }
  }
  return {};
}

void BackupWriter::exclude(const fs::path& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) == 0) m_excluded_dirs.emplace_back(st.st_dev, st.st_ino);
}

Status BackupWriter::part_tree(const fs::path& root, const std::string& name,
                               std::function<bool(const fs::path&)> exclude) {
  m_part_prefix = name;
  m_exclude = std::move(exclude);
  return tree(root, name);
}

Result<BackupOutcome> create_backup(const TenantConfig& tenant, const fs::path& config_file,
                                    const BackupRepository& repo, const BackupRequest& request) {
  auto started = now_ms();
  BackupInfo info;
  info.created_ms = started;
  info.id = new_backup_id(started, request.target);
  info.tenant = tenant.name;
  info.target = backup_target_name(request.target);
  info.tag = request.tag;
  info.encrypted = request.encryption.has_value();
  info.file = info.id + (info.encrypted ? ".tar.zst.enc" : ".tar.zst");
  if (info.encrypted) {
    for (const auto& key : request.encryption->recipients)
      info.recipients.push_back(recipient_id(key));
    info.passphrase = request.encryption->passphrase.has_value();
  }

  fs::path work = repo.root() / ".tmp";
  if (Status made = make_directories(work, 0700); !made) return made.error();
  fs::path temp = work / info.file;
  Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd.valid()) return io_error(temp, errno);
  // Whatever happens before the rename, the partial file goes.
  struct Cleanup {
    fs::path path;
    bool armed = true;
    ~Cleanup() {
      if (armed) ::unlink(path.c_str());
    }
  } cleanup{temp};

  StreamDigest file_digest;
  Json metadata = {{"kind", "dihya-backup"},
                   {"id", info.id},
                   {"tenant", info.tenant},
                   {"target", info.target},
                   {"created", format_rfc3339_ms(started)}};
  auto output = sealed_output(fd.get(), file_digest, request.encryption, metadata,
                              request.compression_level, request.threads);
  if (!output) return output.error();
  ByteSink* compressed = output->compressed.get();
  ArchiveWriter archive(*compressed);
  fs::path index_file = work / (info.id + ".index");
  struct RemoveIndex {
    fs::path path;
    ~RemoveIndex() { ::unlink(path.c_str()); }
  } remove_index{index_file};
  BackupWriter writer(archive, index_file, request.progress);
  if (Status opened = writer.open_index(); !opened) return opened.error();
  writer.exclude(repo.root());  // a repository inside a file root is not backed up into itself
  Json manifest = {{"format", "dihya-backup-manifest"},
                   {"version", k_backup_format_version},
                   {"id", info.id},
                   {"tenant", info.tenant},
                   {"target", info.target},
                   {"tag", info.tag},
                   {"created", format_rfc3339_ms(started)}};
  bool all = request.target == BackupTarget::all;
  if (all || request.target == BackupTarget::db) {
    auto database = write_database_part(tenant, work, info.id, writer);
    if (!database) return database.error();
    manifest["database"] = *database;
  }
  if (all || request.target == BackupTarget::files) {
    Json roots = Json::object();
    for (const auto& [key, root] : tenant.files) {
      if (Status added = writer.part_tree(root, "files/" + key); !added) return added.error();
      roots[key] = root.string();
    }
    manifest["files"] = roots;
  }
  if (all || request.target == BackupTarget::config) {
    auto config = write_config_part(tenant, config_file, writer);
    if (!config) return config.error();
    manifest["config"] = *config;
  }
  auto index = writer.close_index();
  if (!index) return index.error();
  manifest["index"] = *index;
  manifest["skipped"] = writer.skipped();
  std::string manifest_text = safe_dump(manifest);
  if (Status added = archive.add_bytes(k_manifest_name, manifest_text, 0600); !added)
    return added.error();
  if (Status closed = archive.close(); !closed) return closed.error();
  if (Status finished = compressed->finish(); !finished) return finished.error();
  if (::fsync(fd.get()) != 0) return io_error(temp, errno);

  info.file_bytes = file_digest.bytes;
  info.file_sha256 = file_digest.sha.hex();
  info.data_bytes = writer.data_bytes();
  info.entries = writer.entries();
  info.manifest_sha256 = sha256_hex(manifest_text);
  info.seconds = static_cast<double>(now_ms() - started) / 1000.0;
  check_interrupted();
  fs::path final_path = repo.file_path(info);
  if (::rename(temp.c_str(), final_path.c_str()) != 0) return io_error(final_path, errno);
  cleanup.armed = false;
  // The rename is durable before the sidecar can be.
  if (Status synced = fsync_directory(repo.root()); !synced) return synced.error();
  // Listed from here on: the sidecar is the commit point.
  if (Status saved = repo.save_sidecar(info); !saved) {
    ::unlink(final_path.c_str());
    return saved.error();
  }
  BackupOutcome outcome{info, manifest, {}};
  for (const auto& skipped : writer.skipped())
    outcome.warnings.push_back(skipped.value("entry", ""));
  return outcome;
}

}  // namespace dihya
