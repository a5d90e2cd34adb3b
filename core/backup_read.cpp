// Reading a backup: decrypt, decompress, and check every entry against the manifest and the
// manifest and the file against the sidecar.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/backup.hpp"
#include "core/backup_parts.hpp"
#include "core/signals.hpp"

namespace dihya {
namespace {

constexpr std::int64_t k_max_manifest = std::int64_t{512} << 20;

Error mismatch(const std::string& id, const std::string& what) {
  return make_error(ExitCode::data_error, "core.backup.tampered", {{"id", id}, {"what", what}});
}

// The fields of a manifest entry that must match what was read.
bool same_entry(const Json& a, const Json& b) {
  for (const char* key : {"name", "type", "mode", "mtime", "size", "sha256", "target"})
    if (a.value(key, Json()) != b.value(key, Json())) return false;
  return a.value("mtime_nsec", 0L) == b.value("mtime_nsec", 0L);
}

// Whether the file still is what the sidecar says (read again from the start).
bool file_matches_sidecar(const fs::path& path, const BackupInfo& info) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return false;
  StreamDigest digest;
  auto source = digest_source(fd_source(fd.get()), digest);
  std::vector<char> buffer(1 << 20);
  for (;;) {
    auto got = source->read(buffer.data(), buffer.size());
    if (!got) return false;
    if (*got == 0) break;
  }
  return digest.bytes == info.file_bytes && digest.sha.hex() == info.file_sha256;
}

}  // namespace

Result<ReadOutcome> read_backup(const BackupRepository& repo, const BackupInfo& info,
                                const BackupKeys& keys, const EntrySink& sink,
                                const std::function<void(std::uint64_t)>& progress) {
  fs::path path = repo.file_path(info);
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid())
    return make_error(ExitCode::no_input, "core.backup.file_missing",
                      {{"id", info.id}, {"path", path.string()}});
  StreamDigest file_digest;
  std::unique_ptr<ByteSource> raw = digest_source(fd_source(fd.get()), file_digest);
  std::unique_ptr<ByteSource> opened;
  if (info.encrypted) {
    auto reader = EnvelopeReader::open(*raw, keys.openers());
    if (!reader && reader.error().code == ExitCode::no_permission &&
        !file_matches_sidecar(path, info))
      return mismatch(info.id, "file SHA-256");  // a changed key slot, not a wrong key
    if (!reader) {
      Error error = reader.error();
      error.params.emplace_back("id", info.id);
      return error;
    }
    const Json& meta = reader->metadata();
    if (meta.value("kind", "") != "dihya-backup" || meta.value("id", "") != info.id ||
        meta.value("tenant", "") != info.tenant)
      return mismatch(info.id, "envelope metadata");
    opened = envelope_source(std::move(*reader));
  }
  struct Borrowed : ByteSource {
    ByteSource& source;
    explicit Borrowed(ByteSource& s) : source(s) {}
    Result<std::size_t> read(char* buffer, std::size_t size) override {
      return source.read(buffer, size);
    }
  };
  std::unique_ptr<ByteSource> plain =
      zstd_source(std::make_unique<Borrowed>(opened ? *opened : *raw));
  ArchiveReader archive(*plain);
  Json seen = Json::array();
  std::optional<std::string> manifest_text;
  ReadOutcome outcome;
  for (;;) {
    check_interrupted();
    auto next = archive.next();
    if (!next) return next.error();
    if (!*next) break;
    const ArchiveEntry& entry = **next;
    if (manifest_text) return mismatch(info.id, "entry after the manifest: " + entry.name);
    if (entry.name == k_manifest_name) {
      std::string text;
      for (;;) {
        auto block = archive.read();
        if (!block) return block.error();
        if (block->empty()) break;
        text.append(*block);
        if (static_cast<std::int64_t>(text.size()) > k_max_manifest)
          return mismatch(info.id, "manifest size");
      }
      manifest_text = std::move(text);
      continue;
    }
    EntryAction action;
    if (sink) {
      auto chosen = sink(entry);
      if (!chosen) return chosen.error();
      action = std::move(*chosen);
    }
    Sha256 hash;
    if (action.extract_root) {
      if (Status written = extract_entry(archive, entry, *action.extract_root, &hash); !written)
        return written.error();
    } else if (entry.type == EntryType::file) {
      for (;;) {
        auto block = archive.read();
        if (!block) return block.error();
        if (block->empty()) break;
        hash.update(*block);
        if (action.consume)
          if (Status consumed = action.consume(*block); !consumed) return consumed.error();
      }
    }
    seen.push_back(manifest_entry(entry, entry.type == EntryType::file ? hash.hex() : ""));
    outcome.entries += 1;
    outcome.bytes += entry.size;
    if (progress) progress(static_cast<std::uint64_t>(outcome.bytes));
  }
  // Read to the very end: the envelope's final chunk, the zstd frame's end, nothing after.
  std::vector<char> rest(1 << 16);
  for (;;) {
    auto got = plain->read(rest.data(), rest.size());
    if (!got) return got.error();
    if (*got == 0) break;
  }
  for (;;) {
    auto got = raw->read(rest.data(), rest.size());
    if (!got) return got.error();
    if (*got == 0) break;
    if (info.encrypted) return make_error(ExitCode::data_error, "core.envelope.trailing_data");
  }
  if (file_digest.bytes != info.file_bytes || file_digest.sha.hex() != info.file_sha256)
    return mismatch(info.id, "file SHA-256");
  if (!manifest_text) return mismatch(info.id, "manifest missing");
  if (sha256_hex(*manifest_text) != info.manifest_sha256) return mismatch(info.id, "manifest SHA-256");
  Json manifest = Json::parse(*manifest_text, nullptr, false);
  if (!manifest.is_object() || manifest.value("id", "") != info.id ||
      manifest.value("tenant", "") != info.tenant || !manifest.contains("entries") ||
      !manifest["entries"].is_array())
    return mismatch(info.id, "manifest");
  const Json& listed = manifest["entries"];
  if (listed.size() != seen.size())
    return mismatch(info.id, "entry count " + std::to_string(seen.size()) + " != " +
                                 std::to_string(listed.size()));
  for (std::size_t i = 0; i < seen.size(); ++i)
    if (!same_entry(listed[i], seen[i])) return mismatch(info.id, seen[i].value("name", "?"));
  outcome.manifest = std::move(manifest);
  return outcome;
}

}  // namespace dihya
