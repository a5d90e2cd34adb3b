#include "core/io/output_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace dihya {

OutputFile::OutputFile(const std::string& target, unsigned mode) {
  if (target == "-" || (target.empty() && !::isatty(STDOUT_FILENO))) {
    m_fd = STDOUT_FILENO;
    return;
  }
  if (target.empty()) fail(ExitCode::usage, "core.output.needed");
  m_path = normalize_path(target);
  struct stat st;
  if (::lstat(m_path.c_str(), &st) == 0)
    fail(ExitCode::cant_create, "core.output.exists", {{"path", m_path.string()}});
  m_temp = m_path.parent_path() / ("." + m_path.filename().string() + ".partial");
  m_owned = Fd(::open(m_temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
  if (!m_owned.valid()) take(Status(io_error(m_temp, errno)));
  m_fd = m_owned.get();
}

OutputFile::~OutputFile() {
  if (m_owned.valid() && !m_done) ::unlink(m_temp.c_str());
}

void OutputFile::commit() {
  if (is_stdout()) return;
  if (::fsync(m_fd) != 0) take(Status(io_error(m_temp, errno)));
  if (::link(m_temp.c_str(), m_path.c_str()) != 0) {
    int err = errno;
    if (err == EEXIST)
      fail(ExitCode::cant_create, "core.output.exists", {{"path", m_path.string()}});
    take(Status(io_error(m_path, err)));
  }
  ::unlink(m_temp.c_str());
  m_done = true;
  take(fsync_directory(m_path.parent_path()));
}

}  // namespace dihya
