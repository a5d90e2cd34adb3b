#include "core/io/walk.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <algorithm>
#include <vector>

namespace dihya {

namespace {

constexpr unsigned k_statx_mask = STATX_TYPE | STATX_MODE | STATX_NLINK | STATX_UID |
                                  STATX_INO | STATX_SIZE | STATX_BLOCKS | STATX_MTIME |
                                  STATX_CTIME | STATX_ATIME | STATX_MNT_ID;
constexpr int k_dir_flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;

std::int64_t nanos(const struct statx_timestamp& t) {
  return t.tv_sec * 1'000'000'000LL + t.tv_nsec;
}

// Examine NAME in DIR_FD (or DIR_FD itself when NAME is empty) without following a symlink.
int examine(int dir_fd, const char* name, FileFacts& out) {
  struct statx sx {};
  int flags = AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | (*name ? 0 : AT_EMPTY_PATH);
  if (::statx(dir_fd, name, flags, k_statx_mask, &sx) != 0) return errno;
  out.dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);  // as st_dev has it
  out.ino = sx.stx_ino;
  out.mnt_id = sx.stx_mnt_id;
  out.size = sx.stx_size;
  out.blocks = sx.stx_blocks;
  out.mode = sx.stx_mode;
  out.nlink = sx.stx_nlink;
  out.uid = sx.stx_uid;
  out.mtime_ns = nanos(sx.stx_mtime);
  out.ctime_ns = nanos(sx.stx_ctime);
  out.atime_ns = nanos(sx.stx_atime);
  out.mount_root = (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
                   (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
  return 0;
}

// A directory being walked: its fd (closed when deep), the names it held when opened (a type
// byte, the name, a NUL, for each), and where its path ends in the path buffer.
struct Frame {
  Fd fd;
  std::string names;
  std::size_t next = 0;
  std::size_t path_len = 0;
  std::size_t name_pos = 0;  // where its own name starts in the path buffer
  std::size_t depth = 0;
  FileFacts facts;
};

// Read every name of the directory FD into NAMES; errno on failure, else 0.
int read_names(int fd, std::string& names) {
  static thread_local std::vector<char> buffer(256 * 1024);
  for (;;) {
    ssize_t n = ::getdents64(fd, buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (n == 0) return 0;
    for (ssize_t pos = 0; pos < n;) {
      auto* d = reinterpret_cast<struct dirent64*>(buffer.data() + pos);
      pos += d->d_reclen;
      const char* name = d->d_name;
      if (name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0))) continue;
      names.push_back(static_cast<char>(d->d_type));
      names.append(name);
      names.push_back('\0');
    }
  }
}

class Walk {
 public:
  Walk(const WalkOptions& options, WalkVisitor& visitor, fs::path root)
      : m_options(options), m_visitor(visitor), m_root(std::move(root)) {}

  Status run() {
    Fd fd(::open(m_root.c_str(), k_dir_flags));
    if (!fd.valid()) {
      if (errno == ENOENT) return make_error(ExitCode::no_input, "core.fs.missing",
                                             {{"path", m_root.string()}});
      return io_error(m_root, errno);
    }
    Frame root;
    if (int err = examine(fd.get(), "", root.facts)) return io_error(m_root, err);
    m_root_mnt = root.facts.mnt_id;
    if (int err = read_names(fd.get(), root.names)) return io_error(m_root, err);
    root.fd = std::move(fd);
    m_visitor.start(root.fd.get(), root.facts);
    m_stack.push_back(std::move(root));
    while (!m_stack.empty()) {
      Frame& top = m_stack.back();
      if (top.next >= top.names.size()) {
        if (Status left = finish_top(); !left) return left;
        continue;
      }
      if (!step(top)) return {};
    }
    return {};
  }

 private:
  // Visit the next entry of TOP; false when the visitor asked to stop.
  bool step(Frame& top) {
    unsigned char type = static_cast<unsigned char>(top.names[top.next]);
    (void)type;
    const char* name = top.names.c_str() + top.next + 1;
    std::size_t name_len = std::strlen(name);
    top.next += name_len + 2;
    m_path.resize(top.path_len);
    if (!m_path.empty()) m_path.push_back('/');
    std::size_t name_pos = m_path.size();
    m_path.append(name, name_len);
    WalkEntry entry{top.fd.get(), {name, name_len}, m_path, top.depth + 1, {}};
    if (int err = examine(top.fd.get(), name, entry.facts)) {
      if (err != ENOENT) m_visitor.unreadable(entry, err);
      return true;
    }
    WalkStep wanted = m_visitor.visit(entry);
    if (wanted == WalkStep::stop) return false;
    if (wanted == WalkStep::enter && entry.facts.is_dir()) enter(top, entry, name_pos);
    return true;
  }

  void enter(Frame& parent, const WalkEntry& entry, std::size_t name_pos) {
    if (entry.facts.mnt_id != m_root_mnt || entry.facts.mount_root)
      return m_visitor.skipped(entry, WalkSkip::mount, 0);
    std::string name(entry.name);
    Fd fd(::openat(parent.fd.get(), name.c_str(), k_dir_flags));
    if (!fd.valid()) {
      int err = errno;
      WalkSkip why = err == ENOENT               ? WalkSkip::vanished
                     : err == ELOOP || err == ENOTDIR ? WalkSkip::replaced
                                                      : WalkSkip::unreadable;
      return m_visitor.skipped(entry, why, err);
    }
    FileFacts opened;
    if (int err = examine(fd.get(), "", opened)) return m_visitor.skipped(entry, WalkSkip::unreadable, err);
    if (opened.dev != entry.facts.dev || opened.ino != entry.facts.ino ||
        opened.mnt_id != m_root_mnt)
      return m_visitor.skipped(entry, WalkSkip::replaced, 0);
    if (m_options.skip_locked && ::flock(fd.get(), LOCK_EX | LOCK_NB) != 0)
      return m_visitor.skipped(entry, WalkSkip::locked, errno);
    Frame child;
    if (int err = read_names(fd.get(), child.names))
      return m_visitor.skipped(entry, WalkSkip::unreadable, err);
    child.fd = std::move(fd);
    child.path_len = m_path.size();
    child.name_pos = name_pos;
    child.depth = entry.depth;
    child.facts = entry.facts;
    m_stack.push_back(std::move(child));
    if (m_stack.size() > m_options.max_open_dirs + 1)
      m_stack[m_stack.size() - 2 - m_options.max_open_dirs].fd.reset();
  }

  // Leave the directory on top of the stack: reopen its parent if it was closed, tell the
  // visitor, pop it.
  Status finish_top() {
    if (m_stack.size() == 1) {
      m_stack.pop_back();
      return {};
    }
    Frame& top = m_stack.back();
    Frame& parent = m_stack[m_stack.size() - 2];
    if (!parent.fd.valid()) {
      Fd up(::openat(top.fd.get(), "..", k_dir_flags));
      FileFacts facts;
      if (!up.valid() || examine(up.get(), "", facts) != 0 || facts.dev != parent.facts.dev ||
          facts.ino != parent.facts.ino)
        return make_error(ExitCode::io_error, "core.walk.tree_moved",
                          {{"path", printable_name(std::string_view(m_path).substr(0, parent.path_len))}});
      parent.fd = std::move(up);
    }
    m_path.resize(top.path_len);
    WalkEntry entry{parent.fd.get(),
                    std::string_view(m_path).substr(top.name_pos),
                    m_path,
                    top.depth,
                    top.facts};
    m_visitor.leave(entry);
    m_stack.pop_back();
    return {};
  }

  const WalkOptions& m_options;
  WalkVisitor& m_visitor;
  fs::path m_root;
  std::uint64_t m_root_mnt = 0;
  std::vector<Frame> m_stack;
  std::string m_path;
};

bool valid_utf8_at(std::string_view s, std::size_t i, std::size_t& len) {
  auto c = static_cast<unsigned char>(s[i]);
  std::uint32_t cp;
  if (c < 0x80) return len = 1, true;
  if ((c & 0xE0) == 0xC0) len = 2, cp = c & 0x1F;
  else if ((c & 0xF0) == 0xE0) len = 3, cp = c & 0x0F;
  else if ((c & 0xF8) == 0xF0) len = 4, cp = c & 0x07;
  else return false;
  if (i + len > s.size()) return false;
  for (std::size_t k = 1; k < len; ++k) {
    auto d = static_cast<unsigned char>(s[i + k]);
    if ((d & 0xC0) != 0x80) return false;
    cp = (cp << 6) | (d & 0x3F);
  }
  static const std::uint32_t k_min[] = {0, 0, 0x80, 0x800, 0x10000};
  return cp >= k_min[len] && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF) &&
         !(cp >= 0x80 && cp < 0xA0);
}

}  // namespace

bool FileFacts::is_dir() const { return S_ISDIR(mode); }
bool FileFacts::is_regular() const { return S_ISREG(mode); }
bool FileFacts::is_symlink() const { return S_ISLNK(mode); }

const char* walk_skip_name(WalkSkip why) {
  switch (why) {
    case WalkSkip::mount: return "mount";
    case WalkSkip::locked: return "locked";
    case WalkSkip::vanished: return "vanished";
    case WalkSkip::replaced: return "replaced";
    case WalkSkip::unreadable: return "unreadable";
  }
  return "unreadable";
}

Status walk_tree(const fs::path& root, const WalkOptions& options, WalkVisitor& visitor) {
  WalkOptions checked = options;
  if (checked.max_open_dirs < 2) checked.max_open_dirs = 2;
  return Walk(checked, visitor, root).run();
}

Result<Fd> open_below(int root_fd, std::string_view rel, bool create, unsigned mode) {
  FileFacts root;
  if (int err = examine(root_fd, "", root)) return io_error(rel, err);
  Fd dir(::openat(root_fd, ".", k_dir_flags));
  if (!dir.valid()) return io_error(rel, errno);
  while (!rel.empty()) {
    std::size_t slash = rel.find('/');
    std::string part(rel.substr(0, slash));
    rel = slash == std::string_view::npos ? std::string_view() : rel.substr(slash + 1);
    if (part.empty() || part == "." || part == "..")
      return make_error(ExitCode::data_error, "core.walk.bad_relative_path", {{"path", printable_name(part)}});
    if (create && ::mkdirat(dir.get(), part.c_str(), mode) != 0 && errno != EEXIST)
      return io_error(part, errno);
    Fd next(::openat(dir.get(), part.c_str(), k_dir_flags));
    if (!next.valid()) return io_error(printable_name(part), errno);
    FileFacts facts;
    if (int err = examine(next.get(), "", facts)) return io_error(part, err);
    if (facts.mnt_id != root.mnt_id)
      return make_error(ExitCode::data_error, "core.walk.crosses_mount", {{"path", printable_name(part)}});
    dir = std::move(next);
  }
  return dir;
}

Result<std::vector<std::string>> directory_names(int dir_fd) {
  Fd dir(::openat(dir_fd, ".", k_dir_flags));
  if (!dir.valid()) return io_error(".", errno);
  std::string blob;
  if (int err = read_names(dir.get(), blob)) return io_error(".", err);
  std::vector<std::string> names;
  for (std::size_t pos = 0; pos < blob.size();) {
    const char* name = blob.c_str() + pos + 1;
    std::size_t len = std::strlen(name);
    names.emplace_back(name, len);
    pos += len + 2;
  }
  std::sort(names.begin(), names.end());
  return names;
}

Status remove_tree(const fs::path& dir) {
  struct Remover : WalkVisitor {
    std::uint64_t root_mnt = 0;
    void start(int, const FileFacts& root) override { root_mnt = root.mnt_id; }
    WalkStep visit(const WalkEntry& e) override {
      if (e.facts.is_dir()) return WalkStep::enter;
      if (e.facts.mnt_id != root_mnt || e.facts.mount_root) return WalkStep::skip;
      std::string name(e.name);
      if (::unlinkat(e.dir_fd, name.c_str(), 0) != 0 && errno != ENOENT) m_err = errno;
      return WalkStep::skip;
    }
    void leave(const WalkEntry& e) override {
      std::string name(e.name);
      if (::unlinkat(e.dir_fd, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT) m_err = errno;
    }
    void skipped(const WalkEntry&, WalkSkip, int err) override { m_err = err ? err : EBUSY; }
    int m_err = 0;
  } remover;
  if (Status walked = walk_tree(dir, {}, remover); !walked) return walked;
  if (remover.m_err) return io_error(dir, remover.m_err);
  if (::rmdir(dir.c_str()) != 0 && errno != ENOENT) return io_error(dir, errno);
  return {};
}

FileKeySet open_files() {
  FileKeySet out;
  Fd proc(::open("/proc", k_dir_flags));
  if (!proc.valid()) return out;
  std::string pids;
  if (read_names(proc.get(), pids) != 0) return out;
  for (std::size_t pos = 0; pos < pids.size();) {
    const char* pid = pids.c_str() + pos + 1;
    pos += std::strlen(pid) + 2;
    if (*pid < '0' || *pid > '9') continue;
    std::string dir = std::string(pid) + "/fd";
    Fd fds(::openat(proc.get(), dir.c_str(), k_dir_flags));
    std::string names;
    if (!fds.valid() || read_names(fds.get(), names) != 0) continue;
    for (std::size_t at = 0; at < names.size();) {
      const char* fd_name = names.c_str() + at + 1;
      at += std::strlen(fd_name) + 2;
      struct stat st {};
      if (::fstatat(fds.get(), fd_name, &st, 0) == 0 && !S_ISDIR(st.st_mode))
        out.insert({static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino)});
    }
  }
  return out;
}

std::string printable_name(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (std::size_t i = 0; i < name.size();) {
    auto c = static_cast<unsigned char>(name[i]);
    std::size_t len = 1;
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c >= 0x20 && c != 0x7F && valid_utf8_at(name, i, len)) {
      out.append(name.substr(i, len));
    } else {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
      len = 1;
    }
    i += len;
  }
  return out;
}

std::uint64_t path_hash(std::uint64_t parent, std::string_view name) {
  std::uint64_t h = parent ^ 0xcbf29ce484222325ull;
  for (char c : name) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
  return (h ^ (h >> 29)) * 0xbf58476d1ce4e5b9ull;
}

}  // namespace dihya
