#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/error.hpp"

namespace dihya {

namespace fs = std::filesystem;

// A move-only owner of a file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : m_fd(fd) {}
  Fd(Fd&& other) noexcept : m_fd(other.release()) {}
  Fd& operator=(Fd&& other) noexcept;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }

  int get() const { return m_fd; }
  bool valid() const { return m_fd >= 0; }
  int release();
  void reset(int fd = -1);

 private:
  int m_fd = -1;
};

// The I/O error (74) of a system call on PATH that failed with ERR (errno).
Error io_error(const fs::path& path, int err);

// Make the entries of DIR (a rename, a new or removed file) durable.
Status fsync_directory(const fs::path& dir);

// Return the whole content of PATH; 66 when it does not exist, 74 on other errors.
Result<std::string> read_file(const fs::path& path);

// Write all of DATA to FD, retrying on EINTR and short writes.
Status write_all(int fd, std::string_view data, const fs::path& path_for_errors);

// Replace PATH with CONTENT atomically: temporary file beside it, fsync, rename, fsync
// of the directory. On failure PATH keeps its previous content.
Status atomic_write(const fs::path& path, std::string_view content, unsigned mode = 0644);

// Start the kernel writing a file's data to disk as it is produced: every 8 MiB written
// through wrote(), that range is handed to sync_file_range(SYNC_FILE_RANGE_WRITE), which
// returns at once. A final fsync or syncfs then has little left to do.
class WriteBehind {
 public:
  void wrote(int fd, std::size_t bytes);

 private:
  std::int64_t m_written = 0;
  std::int64_t m_started = 0;  // offset up to which writeback was asked for
};

// Create DIR and its parents with MODE (existing ones are left as they are).
Status make_directories(const fs::path& dir, unsigned mode = 0750);

// An exclusive advisory lock (flock) on a lock file, released on destruction.
class LockFile {
 public:
  // Take the lock at PATH; with WAIT false, fail with 75 when another process holds it.
  static Result<LockFile> acquire(const fs::path& path, bool wait);
  LockFile(LockFile&&) = default;
  LockFile& operator=(LockFile&&) = default;

 private:
  explicit LockFile(Fd fd) : m_fd(std::move(fd)) {}
  Fd m_fd;
};

// Check that a file holding a secret is a regular file owned by the running user and
// not readable or writable by group or others (mode 0600 or stricter).
Status check_secret_file(const fs::path& path);

// Absolute, lexically normal form of PATH, resolving symlinks of the parts that exist.
fs::path normalize_path(const fs::path& path);

// True when CHILD is ROOT or lies below it (component-wise, after normalization).
bool path_within(const fs::path& child, const fs::path& root);

// Return PATH normalized if it lies within one of ROOTS, else fail with 77.
Result<fs::path> confine_path(const fs::path& path, const std::vector<fs::path>& roots);

}  // namespace dihya
