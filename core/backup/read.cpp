// Reading a backup: decrypt, decompress, and check every entry against the manifest and the
// manifest and the file against the sidecar.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>

#include "core/backup/backup.hpp"
#include "core/backup/parts.hpp"
#include "core/base/signals.hpp"

namespace dihya {
namespace {

constexpr std::int64_t k_max_manifest = std::int64_t{512} << 20;

Error mismatch(const std::string& id, const std::string& what) {
  return make_error(ExitCode::data_error, "core.backup.tampered", {{"id", id}, {"what", what}});
}

// Whether the file still is what the sidecar says (read again from the start).
bool file_matches_sidecar(const fs::path& path, const BackupInfo& info) {
  auto digest = digest_file(path);
  return digest && digest->bytes == info.file_bytes && digest->sha256 == info.file_sha256;
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
  // Reading, hashing and decrypting the file run on their own thread, ahead of this one.
  std::unique_ptr<ByteSource> plain =
      zstd_source(async_source(borrowed_source(opened ? *opened : *raw)));
  ArchiveReader archive(*plain);
  // What was read, as index lines, hashed as it goes: memory does not grow with the entries.
  Sha256 seen;
  std::optional<std::string> index_sha256;
  std::optional<std::string> manifest_text;
  ReadOutcome outcome;
  std::map<std::string, Extractor> extractors;  // one per destination root
  for (;;) {
    check_interrupted();
    auto next = archive.next();
    if (!next) return next.error();
    if (!*next) break;
    const ArchiveEntry& entry = **next;
    if (manifest_text) return mismatch(info.id, "entry after the manifest: " + entry.name);
    if (index_sha256 && entry.name != k_manifest_name)
      return mismatch(info.id, "entry after the index: " + entry.name);
    if (entry.name == k_index_name) {
      Sha256 index;
      for (;;) {
        auto block = archive.read();
        if (!block) return block.error();
        if (block->empty()) break;
        index.update(*block);
      }
      index_sha256 = index.hex();
      continue;
    }
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
      auto it = extractors.find(action.extract_root->string());
      if (it == extractors.end())
        it = extractors.emplace(action.extract_root->string(), Extractor(*action.extract_root))
                 .first;
      if (Status written = it->second.extract(archive, entry, &hash); !written)
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
    seen.update(index_line(entry, entry.type == EntryType::file ? hash.hex() : ""));
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
  if (sha256_hex(*manifest_text) != info.manifest_sha256)
    return mismatch(info.id, "manifest SHA-256");
  Json manifest = Json::parse(*manifest_text, nullptr, false);
  if (!manifest.is_object() || manifest.value("id", "") != info.id ||
      manifest.value("tenant", "") != info.tenant || !manifest.contains("index") ||
      !manifest["index"].is_object())
    return mismatch(info.id, "manifest");
  const Json& index = manifest["index"];
  if (!index_sha256) return mismatch(info.id, "index missing");
  if (index.value("sha256", "") != *index_sha256) return mismatch(info.id, "index SHA-256");
  if (index.value("entries", std::int64_t{-1}) != outcome.entries ||
      info.entries != outcome.entries)
    return mismatch(info.id, "entry count " + std::to_string(outcome.entries));
  // Every entry read (name, type, mode, mtime, size, SHA-256, link) is the one listed.
  if (seen.hex() != *index_sha256) return mismatch(info.id, "entries differ from the index");
  outcome.manifest = std::move(manifest);
  return outcome;
}

}  // namespace dihya
