#include "core/io/archive.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace dihya {
namespace {

Error archive_error(::archive* a, const std::string& name) {
  const char* text = a ? archive_error_string(a) : nullptr;
  return make_error(ExitCode::data_error, "core.archive.bad",
                    {{"entry", name}, {"reason", text ? text : "?"}});
}

struct EntryDeleter {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};
using EntryHandle = std::unique_ptr<archive_entry, EntryDeleter>;

la_ssize_t write_callback(::archive*, void* client, const void* buffer, size_t length) {
  auto* self = static_cast<std::pair<ByteSink*, Error*>*>(client);
  Status written = self->first->write({static_cast<const char*>(buffer), length});
  if (written) return static_cast<la_ssize_t>(length);
  *self->second = written.error();
  return -1;
}

la_ssize_t read_callback(::archive*, void* client, const void** buffer) {
  auto* self = static_cast<std::tuple<ByteSource*, std::string*, Error*>*>(client);
  std::string& block = *std::get<1>(*self);
  auto got = std::get<0>(*self)->read(block.data(), block.size());
  if (!got) {
    *std::get<2>(*self) = got.error();
    return -1;
  }
  *buffer = block.data();
  return static_cast<la_ssize_t>(*got);
}

// A file's data: hashed, written, and handed to the kernel's writeback as it goes.
class HashingFileSink : public ByteSink {
 public:
  HashingFileSink(int fd, fs::path path, Sha256* hash)
      : m_fd(fd), m_path(std::move(path)), m_hash(hash) {}
  Status write(std::string_view data) override {
    if (m_hash) m_hash->update(data);
    if (Status written = write_all(m_fd, data, m_path); !written) return written;
    m_behind.wrote(m_fd, data.size());
    return {};
  }
  Status finish() override { return {}; }

 private:
  int m_fd;
  fs::path m_path;
  Sha256* m_hash;
  WriteBehind m_behind;
};

}  // namespace

bool safe_entry_name(const std::string& name) {
  if (name.empty() || name.front() == '/' || name.find('\0') != std::string::npos) return false;
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t end = name.find('/', start);
    if (end == std::string::npos) end = name.size();
    std::string_view part(name.data() + start, end - start);
    if (part == "..") return false;
    start = end + 1;
  }
  return true;
}

bool link_stays_inside(const std::string& name, const std::string& target) {
  if (target.empty() || target.front() == '/') return false;
  // Depth of the link's directory, then walk the target's parts.
  int depth = 0;
  for (std::size_t i = 0; i < name.size(); ++i)
    if (name[i] == '/' && i + 1 < name.size()) ++depth;
  std::size_t start = 0;
  while (start <= target.size()) {
    std::size_t end = target.find('/', start);
    if (end == std::string::npos) end = target.size();
    std::string_view part(target.data() + start, end - start);
    if (part == "..") {
      if (--depth < 0) return false;
    } else if (!part.empty() && part != ".") {
      ++depth;
    }
    start = end + 1;
  }
  return true;
}

ArchiveWriter::ArchiveWriter(ByteSink& sink, bool blocked)
    : m_sink(sink),
      m_client(&m_sink, &m_sink_error),
      m_archive(archive_write_new()),
      m_blocked(blocked) {
  archive_write_set_format_pax(m_archive);  // pax: sub-second mtimes
  archive_write_set_bytes_per_block(m_archive, blocked ? 64 * 1024 : 0);
  archive_write_set_bytes_in_last_block(m_archive, 1);
  archive_write_open2(m_archive, &m_client, nullptr, write_callback, nullptr, nullptr);
}

ArchiveWriter::~ArchiveWriter() {
  archive_write_free(m_archive);
}

Status ArchiveWriter::fail_from_archive(const std::string& name) {
  if (!m_sink_error.id.empty()) return m_sink_error;
  Error error = archive_error(m_archive, name);
  error.code = ExitCode::io_error;
  return error;
}

Status ArchiveWriter::start_frame() {
  if (m_blocked) return {};  // libarchive may hold part of what came before
  // The padding of the entry before is written when it is finished.
  if (archive_write_finish_entry(m_archive) != ARCHIVE_OK) return fail_from_archive("(frame)");
  return m_sink.end_frame();
}

Status ArchiveWriter::header(const ArchiveEntry& entry) {
  if (!safe_entry_name(entry.name))
    return make_error(ExitCode::data_error, "core.archive.unsafe_name", {{"entry", entry.name}});
  EntryHandle e(archive_entry_new());
  archive_entry_set_pathname_utf8(e.get(), entry.name.c_str());
  archive_entry_set_perm(e.get(), entry.mode & 07777);
  archive_entry_set_mtime(e.get(), entry.mtime, entry.mtime_nsec);
  switch (entry.type) {
    case EntryType::file:
      archive_entry_set_filetype(e.get(), AE_IFREG);
      archive_entry_set_size(e.get(), entry.size);
      break;
    case EntryType::directory:
      archive_entry_set_filetype(e.get(), AE_IFDIR);
      break;
    case EntryType::symlink:
      archive_entry_set_filetype(e.get(), AE_IFLNK);
      archive_entry_set_symlink_utf8(e.get(), entry.link_target.c_str());
      break;
  }
  if (archive_write_header(m_archive, e.get()) != ARCHIVE_OK) return fail_from_archive(entry.name);
  return {};
}

Result<ArchiveEntry> ArchiveWriter::add_file(const fs::path& source, const std::string& name,
                                             Sha256* hash) {
  Fd fd(::open(source.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  struct stat st {};
  if (!fd.valid() || ::fstat(fd.get(), &st) != 0)
    return make_error(ExitCode::io_error, "core.fs.io_error",
                      {{"path", source.string()}, {"reason", std::strerror(errno)}});
  if (!S_ISREG(st.st_mode))
    return make_error(ExitCode::data_error, "core.archive.not_regular",
                      {{"entry", source.string()}});
  ArchiveEntry entry{
      name, EntryType::file, st.st_mode & 07777, st.st_mtim.tv_sec, st.st_mtim.tv_nsec, st.st_size,
      {}};
  if (Status written = header(entry); !written) return written.error();
  if (m_buffer.empty()) m_buffer.resize(1 << 20);
  std::int64_t left = st.st_size;
  while (left > 0) {
    ssize_t n = ::read(fd.get(), m_buffer.data(), m_buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)  // the file shrank while it was read
      return make_error(ExitCode::io_error, "core.archive.file_changed",
                        {{"entry", source.string()}});
    std::size_t take = static_cast<std::size_t>(std::min<std::int64_t>(n, left));
    if (hash) hash->update({m_buffer.data(), take});
    if (archive_write_data(m_archive, m_buffer.data(), take) < 0)
      return fail_from_archive(name).error();
    left -= static_cast<std::int64_t>(take);
  }
  return entry;
}

Status ArchiveWriter::add_bytes(const std::string& name, std::string_view data, unsigned mode,
                                std::int64_t mtime) {
  ArchiveEntry entry{name, EntryType::file, mode, mtime, 0, static_cast<std::int64_t>(data.size()),
                     {}};
  if (Status written = header(entry); !written) return written;
  if (!data.empty() && archive_write_data(m_archive, data.data(), data.size()) < 0)
    return fail_from_archive(name);
  return {};
}

Status ArchiveWriter::add_directory(const std::string& name, unsigned mode, std::int64_t mtime,
                                    long mtime_nsec) {
  return header({name, EntryType::directory, mode, mtime, mtime_nsec, 0, {}});
}

Status ArchiveWriter::add_symlink(const std::string& name, const std::string& target,
                                  std::int64_t mtime, long mtime_nsec) {
  return header({name, EntryType::symlink, 0777, mtime, mtime_nsec, 0, target});
}

Status ArchiveWriter::close() {
  if (m_closed) return {};
  m_closed = true;
  if (archive_write_close(m_archive) != ARCHIVE_OK) return fail_from_archive("(end)");
  return {};
}

ArchiveReader::ArchiveReader(ByteSource& source)
    : m_source(source),
      m_block(1 << 16, '\0'),
      m_client(&m_source, &m_block, &m_source_error),
      m_archive(archive_read_new()) {
  archive_read_support_format_tar(m_archive);
  m_opened = archive_read_open(m_archive, &m_client, nullptr, read_callback, nullptr) == ARCHIVE_OK;
}

ArchiveReader::~ArchiveReader() {
  archive_read_free(m_archive);
}

Result<std::optional<ArchiveEntry>> ArchiveReader::next() {
  if (!m_opened) {
    if (!m_source_error.id.empty()) return m_source_error;
    return archive_error(m_archive, "(start)");
  }
  archive_entry* e = nullptr;
  int rc = archive_read_next_header(m_archive, &e);
  if (rc == ARCHIVE_EOF) return std::optional<ArchiveEntry>{};
  if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
    if (!m_source_error.id.empty()) return m_source_error;
    return archive_error(m_archive, "(header)");
  }
  const char* path = archive_entry_pathname_utf8(e);
  if (!path) path = archive_entry_pathname(e);
  ArchiveEntry entry;
  entry.name = path ? path : "";
  while (entry.name.size() > 1 && entry.name.back() == '/') entry.name.pop_back();
  if (!safe_entry_name(entry.name))
    return make_error(ExitCode::data_error, "core.archive.unsafe_name", {{"entry", entry.name}});
  entry.mode = archive_entry_perm(e);
  entry.mtime = archive_entry_mtime(e);
  entry.mtime_nsec = archive_entry_mtime_nsec(e);
  entry.size = archive_entry_size(e);
  switch (archive_entry_filetype(e)) {
    case AE_IFREG:
      entry.type = EntryType::file;
      break;
    case AE_IFDIR:
      entry.type = EntryType::directory;
      break;
    case AE_IFLNK: {
      entry.type = EntryType::symlink;
      const char* target = archive_entry_symlink_utf8(e);
      if (!target) target = archive_entry_symlink(e);
      entry.link_target = target ? target : "";
      break;
    }
    default:
      return make_error(ExitCode::data_error, "core.archive.unsupported_type",
                        {{"entry", entry.name}});
  }
  if (archive_entry_hardlink(e))
    return make_error(ExitCode::data_error, "core.archive.unsupported_type",
                      {{"entry", entry.name}});
  return std::optional<ArchiveEntry>{std::move(entry)};
}

std::int64_t ArchiveReader::header_position() {
  return archive_read_header_position(m_archive);
}

Result<std::string_view> ArchiveReader::read() {
  m_buffer.resize(1 << 16);
  la_ssize_t n = archive_read_data(m_archive, m_buffer.data(), m_buffer.size());
  if (n < 0) {
    if (!m_source_error.id.empty()) return m_source_error;
    return archive_error(m_archive, "(data)");
  }
  return std::string_view(m_buffer.data(), static_cast<std::size_t>(n));
}

Status Extractor::directory(const std::string& relative, unsigned mode) {
  if (m_dirs.count(relative)) return {};
  fs::path path = m_root / relative;
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode))  // a link (or a file) where a directory must be
      return make_error(ExitCode::data_error, "core.archive.escapes", {{"entry", relative}});
  } else if (::mkdir(path.c_str(), mode) != 0 && errno != EEXIST) {
    return make_error(ExitCode::cant_create, "core.fs.cant_create",
                      {{"path", path.string()}, {"reason", std::strerror(errno)}});
  }
  m_dirs.insert(relative);
  return {};
}

Status Extractor::parents(const std::string& name) {
  for (std::size_t slash = name.find('/'); slash != std::string::npos;
       slash = name.find('/', slash + 1))
    if (Status made = directory(name.substr(0, slash), 0755); !made) return made;
  return {};
}

Status Extractor::extract(ArchiveReader& reader, const ArchiveEntry& entry, Sha256* hash) {
  if (Status ready = parents(entry.name); !ready) return ready;
  fs::path target = m_root / entry.name;
  if (entry.type == EntryType::directory) {
    return directory(entry.name, 0700);
  }
  if (entry.type == EntryType::symlink) {
    if (!link_stays_inside(entry.name, entry.link_target))
      return make_error(ExitCode::data_error, "core.archive.escapes", {{"entry", entry.name}});
    if (::symlink(entry.link_target.c_str(), target.c_str()) != 0)
      return make_error(ExitCode::cant_create, "core.fs.cant_create",
                        {{"path", target.string()}, {"reason", std::strerror(errno)}});
    set_entry_attributes(entry, m_root);
    return {};
  }
  Fd fd(::open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd.valid())
    return make_error(ExitCode::cant_create, "core.fs.cant_create",
                      {{"path", target.string()}, {"reason", std::strerror(errno)}});
  // Hashing and writing a large file run on a thread of their own, beside the decompression
  // that feeds them here; the file goes to disk while it is still being extracted.
  std::unique_ptr<ByteSink> out = std::make_unique<HashingFileSink>(fd.get(), target, hash);
  if (entry.size >= (std::int64_t{1} << 20)) out = async_sink(std::move(out), 16);
  for (;;) {
    auto block = reader.read();
    if (!block) return block.error();
    if (block->empty()) break;
    if (Status written = out->write(*block); !written) return written;
  }
  if (Status finished = out->finish(); !finished) return finished;
  out.reset();
  ::fchmod(fd.get(), entry.mode & 07777);
  struct timespec times[2] = {{entry.mtime, entry.mtime_nsec}, {entry.mtime, entry.mtime_nsec}};
  ::futimens(fd.get(), times);
  return {};
}

Status extract_entry(ArchiveReader& reader, const ArchiveEntry& entry, const fs::path& root,
                     Sha256* hash) {
  Extractor extractor(root);
  return extractor.extract(reader, entry, hash);
}

void set_entry_attributes(const ArchiveEntry& entry, const fs::path& root) {
  struct timespec times[2] = {{entry.mtime, entry.mtime_nsec}, {entry.mtime, entry.mtime_nsec}};
  fs::path path = root / entry.name;
  if (entry.type == EntryType::directory) ::chmod(path.c_str(), entry.mode & 07777);
  ::utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW);
}

}  // namespace dihya
