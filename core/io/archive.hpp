#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/base/crypto.hpp"
#include "core/base/fs.hpp"
#include "core/io/stream.hpp"

struct archive;

namespace dihya {

enum class EntryType { file, directory, symlink };

struct ArchiveEntry {
  std::string name;  // relative, '/'-separated, never absolute, never with ".."
  EntryType type = EntryType::file;
  unsigned mode = 0644;
  std::int64_t mtime = 0;  // seconds since the epoch
  long mtime_nsec = 0;
  std::int64_t size = 0;
  std::string link_target;  // symlinks
};

// Writes a tar stream (POSIX pax) into a sink; compression and encryption are the sink's.
class ArchiveWriter {
 public:
  // BLOCKED: the output goes to SINK in blocks of 64 KiB (fewer, larger writes for many small
  // entries); else each piece as it is made, so that start_frame() can be used.
  explicit ArchiveWriter(ByteSink& sink, bool blocked = true);
  ~ArchiveWriter();
  ArchiveWriter(const ArchiveWriter&) = delete;
  ArchiveWriter& operator=(const ArchiveWriter&) = delete;

  // Add the regular file SOURCE as NAME, streamed, with its mode and mtime (never through a
  // link); its data goes through HASH too. What was added is returned.
  Result<ArchiveEntry> add_file(const fs::path& source, const std::string& name,
                                Sha256* hash = nullptr);
  // Add DATA as NAME (a manifest, say).
  Status add_bytes(const std::string& name, std::string_view data, unsigned mode = 0644,
                   std::int64_t mtime = 0);
  Status add_directory(const std::string& name, unsigned mode, std::int64_t mtime,
                       long mtime_nsec = 0);
  Status add_symlink(const std::string& name, const std::string& target, std::int64_t mtime,
                     long mtime_nsec = 0);
  // End the sink's zstd frame before the next entry's header: a reader can start from the
  // compressed offset where that entry's header begins (an unblocked writer only).
  Status start_frame();
  // End the tar stream (the sink itself is finished by its owner).
  Status close();

 private:
  Status header(const ArchiveEntry& entry);
  Status fail_from_archive(const std::string& name);

  ByteSink& m_sink;
  Error m_sink_error;
  std::pair<ByteSink*, Error*> m_client;
  ::archive* m_archive;
  std::vector<char> m_buffer;
  bool m_blocked;
  bool m_closed = false;
};

// Reads a tar stream from a source, entry by entry. Names are checked before they are
// handed out: an absolute path, "..", a NUL, or a type other than file, directory and
// symlink is refused with 65.
class ArchiveReader {
 public:
  explicit ArchiveReader(ByteSource& source);
  ~ArchiveReader();
  ArchiveReader(const ArchiveReader&) = delete;
  ArchiveReader& operator=(const ArchiveReader&) = delete;

  Result<std::optional<ArchiveEntry>> next();
  // The next block of the current entry's data; empty at its end.
  Result<std::string_view> read();
  // Where the header of the entry next() returned starts in the tar stream.
  std::int64_t header_position();

 private:
  ByteSource& m_source;
  std::string m_block;   // what the source hands libarchive
  std::string m_buffer;  // what read() hands out
  Error m_source_error;
  std::tuple<ByteSource*, std::string*, Error*> m_client;
  ::archive* m_archive;
  bool m_opened = false;
};

// True when NAME is a safe relative entry name.
bool safe_entry_name(const std::string& name);
// True when a symlink NAME -> TARGET stays inside the directory it is extracted into.
bool link_stays_inside(const std::string& name, const std::string& target);

// Extracts entries under one root without following any link on the way: an existing file
// is never overwritten (73), a link that would escape the root is refused (65). Directories
// it has checked or made are remembered, so a tree of many small files costs one lstat per
// directory rather than per file and level. Directories are made 0700; their mode and mtime
// are the caller's to set once their content is written (set_entry_attributes).
class Extractor {
 public:
  explicit Extractor(fs::path root) : m_root(std::move(root)) {}
  // Extract ENTRY, its data read from READER and passed through HASH too.
  Status extract(ArchiveReader& reader, const ArchiveEntry& entry, Sha256* hash = nullptr);

 private:
  // Make sure every parent of NAME is a real directory (made when missing).
  Status parents(const std::string& name);
  Status directory(const std::string& relative, unsigned mode);

  fs::path m_root;
  std::unordered_set<std::string> m_dirs;  // relative paths known to be real directories
};

// One entry with a fresh Extractor (see above).
Status extract_entry(ArchiveReader& reader, const ArchiveEntry& entry, const fs::path& root,
                     Sha256* hash = nullptr);
// Set the mtime of what ENTRY was extracted to under ROOT (links included, not followed),
// and a directory's mode.
void set_entry_attributes(const ArchiveEntry& entry, const fs::path& root);

}  // namespace dihya
