#include "core/base/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/base/fs.hpp"
#include "core/base/signals.hpp"

namespace dihya {
namespace {

using Clock = std::chrono::steady_clock;

struct Pipe {
  Fd read;
  Fd write;
  bool open() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return false;
    read.reset(fds[0]);
    write.reset(fds[1]);
    return true;
  }
};

// Everything the child needs, built before fork: in a parent with threads (a test running
// tools at once, a backup's workers) another thread may hold the allocator's lock at the fork,
// so between fork and exec the child makes only async-signal-safe calls, never malloc.
class ChildImage {
 public:
  explicit ChildImage(const ProcessRequest& request) {
    auto replaced = [&](std::string_view entry) {
      std::string_view name = entry.substr(0, entry.find('='));
      for (const auto& unset : request.unset_env)
        if (name == unset) return true;
      for (const auto& [added, value] : request.env)
        if (name == added) return true;
      return false;
    };
    for (char** e = environ; e && *e; ++e)
      if (!replaced(*e)) m_env.emplace_back(*e);
    for (const auto& [name, value] : request.env) {  // a name given twice: the last one wins
      std::string entry = name + "=" + value;
      auto same = std::find_if(m_env.begin(), m_env.end(), [&](const std::string& e) {
        return e.compare(0, name.size() + 1, name + "=") == 0;
      });
      if (same != m_env.end())
        *same = std::move(entry);
      else
        m_env.push_back(std::move(entry));
    }
    for (auto& entry : m_env) m_envp.push_back(entry.data());
    m_envp.push_back(nullptr);
    for (const auto& arg : request.argv) m_argv.push_back(const_cast<char*>(arg.c_str()));
    m_argv.push_back(nullptr);
    m_program = resolve(request.argv.at(0));
    // A script without "#!" runs under /bin/sh, as execvp would run it.
    m_sh_argv = {const_cast<char*>("/bin/sh"), m_program.data()};
    m_sh_argv.insert(m_sh_argv.end(), m_argv.begin() + 1, m_argv.end());
  }

  [[noreturn]] void exec(const ProcessRequest& request, Pipe& in, Pipe& out, Pipe& err) {
    ::setpgid(0, 0);
    ::signal(SIGPIPE, SIG_DFL);
    ::dup2(in.read.get(), 0);
    if (request.capture_stdout) ::dup2(out.write.get(), 1);
    if (request.capture_stderr) ::dup2(err.write.get(), 2);
    if (!m_program.empty()) {
      ::execve(m_program.c_str(), m_argv.data(), m_envp.data());
      if (errno == ENOEXEC) ::execve("/bin/sh", m_sh_argv.data(), m_envp.data());
    }
    ::_exit(127);
  }

 private:
  // The program as execvp would find it, with the child's own PATH (empty: not found).
  std::string resolve(const std::string& name) const {
    if (name.find('/') != std::string::npos) return name;
    std::string path = "/usr/local/bin:/usr/bin:/bin";
    for (const auto& entry : m_env)
      if (entry.rfind("PATH=", 0) == 0) path = entry.substr(5);
    std::size_t start = 0;
    for (;;) {
      std::size_t end = path.find(':', start);
      std::string dir = path.substr(start, end == std::string::npos ? end : end - start);
      std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + name;
      struct stat st {};
      if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
          ::access(candidate.c_str(), X_OK) == 0)
        return candidate;
      if (end == std::string::npos) return {};
      start = end + 1;
    }
  }

  std::vector<std::string> m_env;
  std::vector<char*> m_envp;
  std::vector<char*> m_argv;
  std::string m_program;
  std::vector<char*> m_sh_argv;
};

void kill_group(pid_t pid) {
  ::kill(-pid, SIGTERM);
  auto deadline = Clock::now() + std::chrono::seconds(2);
  int status;
  while (Clock::now() < deadline) {
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      ::kill(-pid, SIGKILL);  // stragglers of the group
      return;
    }
    ::usleep(20000);
  }
  ::kill(-pid, SIGKILL);
  ::waitpid(pid, &status, 0);
}

void drain(int fd, std::string& sink, bool& open) {
  char buffer[8192];
  ssize_t n = ::read(fd, buffer, sizeof buffer);
  if (n > 0)
    sink.append(buffer, static_cast<std::size_t>(n));
  else if (n == 0 || (errno != EINTR && errno != EAGAIN))
    open = false;
}

}  // namespace

Result<ProcessOutcome> run_process(const ProcessRequest& request) {
  Pipe in, out, err;
  if (!in.open() || !out.open() || !err.open())
    return make_error(ExitCode::failure, "core.process.spawn_failed",
                      {{"program", request.argv.at(0)}, {"reason", std::strerror(errno)}});
  ChildImage image(request);
  pid_t pid = ::fork();
  if (pid < 0)
    return make_error(ExitCode::failure, "core.process.spawn_failed",
                      {{"program", request.argv.at(0)}, {"reason", std::strerror(errno)}});
  if (pid == 0) image.exec(request, in, out, err);
  ::setpgid(pid, pid);
  in.read.reset();
  out.write.reset();
  err.write.reset();

  // Write the input without blocking; a program that does not read it just loses it.
  ::fcntl(in.write.get(), F_SETFL, O_NONBLOCK);
  std::string_view pending = request.stdin_data;
  ProcessOutcome outcome;
  bool out_open = request.capture_stdout, err_open = request.capture_stderr;
  if (!out_open) out.read.reset();
  if (!err_open) err.read.reset();
  auto deadline = Clock::now() + request.timeout;
  for (;;) {
    if (in.write.valid() && pending.empty()) in.write.reset();
    std::vector<pollfd> fds;
    if (in.write.valid()) fds.push_back({in.write.get(), POLLOUT, 0});
    if (out_open) fds.push_back({out.read.get(), POLLIN, 0});
    if (err_open) fds.push_back({err.read.get(), POLLIN, 0});
    int status;
    if (fds.empty()) {  // every pipe is closed: wait for the exit itself
      if (::waitpid(pid, &status, WNOHANG) == pid) {
        outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        outcome.term_signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
        return outcome;
      }
    }
    if (interrupted()) {
      kill_group(pid);
      outcome.interrupted = true;
      return outcome;
    }
    if (request.timeout.count() > 0 && Clock::now() >= deadline) {
      kill_group(pid);
      outcome.timed_out = true;
      return outcome;
    }
    ::poll(fds.data(), fds.size(), 50);
    for (const auto& p : fds) {
      if (!(p.revents & (POLLIN | POLLOUT | POLLHUP | POLLERR))) continue;
      if (in.write.valid() && p.fd == in.write.get()) {
        ssize_t n = ::write(p.fd, pending.data(), pending.size());
        if (n > 0)
          pending.remove_prefix(static_cast<std::size_t>(n));
        else if (n < 0 && errno != EAGAIN && errno != EINTR)
          in.write.reset();
      } else if (out_open && p.fd == out.read.get()) {
        drain(p.fd, outcome.out, out_open);
      } else if (err_open && p.fd == err.read.get()) {
        drain(p.fd, outcome.err, err_open);
      }
    }
  }
}

Result<StreamingProcess> StreamingProcess::start(const ProcessRequest& request,
                                                 Direction direction) {
  Pipe in, out, err;
  auto failed = [&]() -> Error {
    return make_error(ExitCode::failure, "core.process.spawn_failed",
                      {{"program", request.argv.at(0)}, {"reason", std::strerror(errno)}});
  };
  if (!in.open() || !out.open()) return failed();
  // stderr goes to an anonymous file read after the exit: no third pipe to keep drained.
  err.write.reset(::memfd_create("stderr", MFD_CLOEXEC));
  if (!err.write.valid()) return failed();
  Fd null(::open("/dev/null", O_RDWR | O_CLOEXEC));
  if (direction == Direction::read_stdout) {
    in.read.reset(::dup(null.get()));
  } else {
    out.write.reset(::dup(null.get()));
  }
  ProcessRequest child = request;
  child.capture_stdout = true;
  child.capture_stderr = true;
  ChildImage image(child);
  pid_t pid = ::fork();
  if (pid < 0) return failed();
  if (pid == 0) image.exec(child, in, out, err);
  ::setpgid(pid, pid);
  StreamingProcess process;
  process.m_pid = pid;
  process.m_program = request.argv.at(0);
  process.m_err = err.write.release();
  process.m_pipe = direction == Direction::read_stdout ? out.read.release() : in.write.release();
  return process;
}

StreamingProcess::StreamingProcess(StreamingProcess&& other) noexcept
    : m_pid(other.m_pid), m_pipe(other.m_pipe), m_err(other.m_err), m_program(other.m_program) {
  other.m_pid = other.m_pipe = other.m_err = -1;
}

StreamingProcess::~StreamingProcess() {
  if (m_pipe >= 0) ::close(m_pipe);
  if (m_pid > 0) kill_group(m_pid);
  if (m_err >= 0) ::close(m_err);
}

Result<std::size_t> StreamingProcess::read(char* buffer, std::size_t size) {
  for (;;) {
    if (interrupted()) return make_error(ExitCode::interrupted, "core.interrupted");
    ssize_t n = ::read(m_pipe, buffer, size);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno != EINTR)
      return make_error(ExitCode::io_error, "core.fs.io_error",
                        {{"path", m_program}, {"reason", std::strerror(errno)}});
  }
}

Status StreamingProcess::write(std::string_view data) {
  if (interrupted()) return make_error(ExitCode::interrupted, "core.interrupted");
  return write_all(m_pipe, data, m_program);
}

Result<ProcessOutcome> StreamingProcess::finish() {
  if (m_pipe >= 0) ::close(m_pipe);
  m_pipe = -1;
  ProcessOutcome outcome;
  int status = 0;
  while (::waitpid(m_pid, &status, 0) < 0 && errno == EINTR) {
  }
  m_pid = -1;
  outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  outcome.term_signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  char buffer[4096];
  ssize_t n = ::pread(m_err, buffer, sizeof buffer, 0);
  if (n > 0) outcome.err.assign(buffer, static_cast<std::size_t>(n));
  return outcome;
}

}  // namespace dihya
