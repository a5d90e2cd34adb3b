#include "core/base/fs.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

#include <fmt/format.h>

namespace dihya {
namespace {

std::string random_suffix() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::to_string(rng() % 1000000000ULL);
}

}  // namespace

Error io_error(const fs::path& path, int err) {
  return make_error(ExitCode::io_error, "core.fs.io_error",
                    {{"path", path.string()}, {"reason", std::strerror(err)}});
}

Status fsync_directory(const fs::path& dir) {
  Fd fd(::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid() || ::fsync(fd.get()) != 0) return io_error(dir, errno);
  return {};
}

Fd& Fd::operator=(Fd&& other) noexcept {
  if (this != &other) reset(other.release());
  return *this;
}

int Fd::release() {
  int fd = m_fd;
  m_fd = -1;
  return fd;
}

void Fd::reset(int fd) {
  if (m_fd >= 0) ::close(m_fd);
  m_fd = fd;
}

Result<std::string> read_file(const fs::path& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT)
      return make_error(ExitCode::no_input, "core.fs.missing", {{"path", path.string()}});
    if (errno == EACCES)
      return make_error(ExitCode::no_permission, "core.fs.access_denied",
                        {{"path", path.string()}});
    return io_error(path, errno);
  }
  std::string content;
  char buffer[65536];
  for (;;) {
    ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_error(path, errno);
    if (n == 0) break;
    content.append(buffer, static_cast<std::size_t>(n));
  }
  return content;
}

Status write_all(int fd, std::string_view data, const fs::path& path_for_errors) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_error(path_for_errors, errno);
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

Status atomic_write(const fs::path& path, std::string_view content, unsigned mode) {
  fs::path dir = path.parent_path();
  fs::path temp = dir / ("." + path.filename().string() + ".tmp-" + random_suffix());
  Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
  if (!fd.valid())
    return make_error(ExitCode::cant_create, "core.fs.cant_create",
                      {{"path", path.string()}, {"reason", std::strerror(errno)}});
  Status written = write_all(fd.get(), content, temp);
  if (written && ::fchmod(fd.get(), mode) != 0) written = io_error(temp, errno);
  if (written && ::fsync(fd.get()) != 0) written = io_error(temp, errno);
  fd.reset();
  if (written && ::rename(temp.c_str(), path.c_str()) != 0) written = io_error(path, errno);
  if (!written) {
    ::unlink(temp.c_str());
    return written;
  }
  return fsync_directory(dir);
}

Status make_directories(const fs::path& dir, unsigned mode) {
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return {};
  if (!dir.parent_path().empty() && dir.parent_path() != dir)
    if (Status parent = make_directories(dir.parent_path(), mode); !parent) return parent;
  if (::mkdir(dir.c_str(), mode) != 0 && errno != EEXIST)
    return make_error(ExitCode::cant_create, "core.fs.cant_create",
                      {{"path", dir.string()}, {"reason", std::strerror(errno)}});
  return {};
}

Result<LockFile> LockFile::acquire(const fs::path& path, bool wait) {
  Fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!fd.valid())
    return make_error(ExitCode::cant_create, "core.fs.cant_create",
                      {{"path", path.string()}, {"reason", std::strerror(errno)}});
  int flags = LOCK_EX | (wait ? 0 : LOCK_NB);
  while (::flock(fd.get(), flags) != 0) {
    if (errno == EINTR) continue;
    if (errno == EWOULDBLOCK)
      return make_error(ExitCode::temp_failure, "core.fs.locked", {{"path", path.string()}});
    return io_error(path, errno);
  }
  return LockFile(std::move(fd));
}

Status check_secret_file(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT)
      return make_error(ExitCode::no_input, "core.fs.missing", {{"path", path.string()}});
    return io_error(path, errno);
  }
  if (!S_ISREG(st.st_mode))
    return make_error(ExitCode::no_permission, "core.secret.not_regular",
                      {{"path", path.string()}});
  if (st.st_uid != ::geteuid())
    return make_error(ExitCode::no_permission, "core.secret.wrong_owner",
                      {{"path", path.string()}});
  if ((st.st_mode & 077) != 0)
    return make_error(
        ExitCode::no_permission, "core.secret.too_open",
        {{"path", path.string()}, {"mode", fmt::format("{:04o}", st.st_mode & 0777)}});
  return {};
}

fs::path normalize_path(const fs::path& path) {
  std::error_code ec;
  fs::path absolute = fs::absolute(path, ec);
  if (ec) absolute = path;
  fs::path resolved = fs::weakly_canonical(absolute, ec);
  if (ec) resolved = absolute;
  return resolved.lexically_normal();
}

bool path_within(const fs::path& child, const fs::path& root) {
  fs::path c = normalize_path(child);
  fs::path r = normalize_path(root);
  auto ci = c.begin();
  for (auto ri = r.begin(); ri != r.end(); ++ri, ++ci) {
    if (ri->empty()) continue;  // trailing separator
    if (ci == c.end() || *ci != *ri) return false;
  }
  return true;
}

Result<fs::path> confine_path(const fs::path& path, const std::vector<fs::path>& roots) {
  fs::path normal = normalize_path(path);
  for (const auto& root : roots)
    if (path_within(normal, root)) return normal;
  return make_error(ExitCode::no_permission, "core.fs.outside_tenant", {{"path", normal.string()}});
}

void WriteBehind::wrote(int fd, std::size_t bytes) {
  constexpr std::int64_t k_step = std::int64_t{8} << 20;
  m_written += static_cast<std::int64_t>(bytes);
  if (m_written - m_started < k_step) return;
  ::sync_file_range(fd, m_started, m_written - m_started, SYNC_FILE_RANGE_WRITE);
  m_started = m_written;
}

}  // namespace dihya
