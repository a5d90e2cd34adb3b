#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/base/error.hpp"
#include "core/base/fs.hpp"

// A safe walk of a directory tree (DESIGN.md §13), for cleaners, integrity checks and backups
// of file roots. Every step is relative to a directory file descriptor (openat with
// O_NOFOLLOW|O_DIRECTORY, statx with AT_SYMLINK_NOFOLLOW); the walk is iterative (any depth:
// a tree 100 000 levels deep needs no stack), never follows a symlink, never leaves the
// root's mount (bind mounts included: mount ids are compared, not only devices), and handles
// names as bytes. A directory is entered only if the fd opened is the very directory that was
// examined (device and inode re-checked), so a directory swapped for a symlink is never
// followed.
namespace dihya {

// What statx(AT_SYMLINK_NOFOLLOW) said of one entry.
struct FileFacts {
  std::uint64_t dev = 0;
  std::uint64_t ino = 0;
  std::uint64_t mnt_id = 0;
  std::uint64_t size = 0;
  std::uint64_t blocks = 0;  // 512-byte blocks allocated
  std::uint32_t mode = 0;
  std::uint32_t nlink = 0;
  std::uint32_t uid = 0;
  std::int64_t mtime_ns = 0;
  std::int64_t ctime_ns = 0;
  std::int64_t atime_ns = 0;
  bool mount_root = false;  // a mount point (STATX_ATTR_MOUNT_ROOT)

  bool is_dir() const;
  bool is_regular() const;
  bool is_symlink() const;
};

// The (device, inode) pair that names a file on this machine.
struct FileKey {
  std::uint64_t dev = 0;
  std::uint64_t ino = 0;
  bool operator==(const FileKey&) const = default;
};
struct FileKeyHash {
  std::size_t operator()(const FileKey& k) const noexcept {
    return std::hash<std::uint64_t>()(k.ino * 0x9E3779B97F4A7C15ull ^ k.dev);
  }
};
using FileKeySet = std::unordered_set<FileKey, FileKeyHash>;

// One entry met by a walk; the views are valid during the callback only.
struct WalkEntry {
  int dir_fd = -1;        // the open directory that holds the entry
  std::string_view name;  // its name in that directory (bytes, no '/')
  std::string_view path;  // relative to the root, '/'-separated
  std::size_t depth = 0;  // 1 for the root's own entries
  FileFacts facts;
  FileKey key() const { return {facts.dev, facts.ino}; }
};

// What a visitor wants after seeing an entry.
enum class WalkStep { enter, skip, stop };
// Why a directory the visitor asked to enter was not entered.
enum class WalkSkip { mount, locked, vanished, replaced, unreadable };
const char* walk_skip_name(WalkSkip why);

class WalkVisitor {
 public:
  virtual ~WalkVisitor() = default;
  // Called with the root once it is open.
  virtual void start(int /*root_fd*/, const FileFacts& /*root*/) {}
  // Called for every entry below the root, a directory before its entries. enter on a
  // non-directory is the same as skip.
  virtual WalkStep visit(const WalkEntry& entry) = 0;
  // Called once an entered directory's entries are all visited; entry.dir_fd is its parent.
  virtual void leave(const WalkEntry& /*dir*/) {}
  // A directory visit() asked to enter that the walk did not enter (ERR: errno or 0).
  virtual void skipped(const WalkEntry& /*dir*/, WalkSkip /*why*/, int /*err*/) {}
  // An entry that could not be examined (statx failed with ERR other than ENOENT).
  virtual void unreadable(const WalkEntry& /*entry*/, int /*err*/) {}
};

struct WalkOptions {
  // Skip a directory on which another process holds an flock, with everything below it (the
  // systemd-tmpfiles convention); the walk holds LOCK_EX on each directory it is in.
  bool skip_locked = false;
  // Directory fds kept open at once; deeper ancestors are closed and reopened through "..",
  // their device and inode checked (the walk stops with 74 if the tree moved).
  std::size_t max_open_dirs = 64;
};

// Walk the tree below ROOT (ROOT itself is not visited: it must be a directory, not a
// symlink). Fails with 66 when ROOT does not exist, 74 on I/O errors or a tree that moved
// under the walk. A visitor's Failure passes through, every fd closed.
Status walk_tree(const fs::path& root, const WalkOptions& options, WalkVisitor& visitor);

// Open the directory REL ('/'-separated, relative, no "." or ".." component) below the open
// directory ROOT_FD one component at a time, never following a symlink nor leaving ROOT_FD's
// mount; with CREATE, missing components are made (MODE). An empty REL opens ROOT_FD again.
Result<Fd> open_below(int root_fd, std::string_view rel, bool create = false,
                      unsigned mode = 0750);

// The names in the open directory DIR_FD (not "." nor ".."), sorted, as bytes.
Result<std::vector<std::string>> directory_names(int dir_fd);

// Remove DIR and everything below it through a safe walk (no symlink followed, no mount
// crossed: a mount point below DIR is left, and so is DIR then).
Status remove_tree(const fs::path& dir);

// The files some process of this machine holds open (from /proc/<pid>/fd, as far as this
// process may read it).
FileKeySet open_files();

// NAME for a terminal, a log or JSON: valid UTF-8 stays, '\\' doubles, control characters
// and bytes that are not UTF-8 become \n, \t or \xNN, so every name prints on one line and
// reads back unambiguously.
std::string printable_name(std::string_view name);

// A hash of a relative path, built one component at a time: path_hash(parent, name).
std::uint64_t path_hash(std::uint64_t parent, std::string_view name);

}  // namespace dihya
