#include "cleaning/logs_rotate.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <regex>
#include <thread>

#include "core/base/clock.hpp"
#include "core/base/glob.hpp"
#include "core/base/process.hpp"
#include "core/base/units.hpp"
#include "core/io/stream.hpp"
#include "core/io/walk.hpp"

namespace dihya::cleaning {

namespace {

constexpr int k_dir_flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
const std::regex k_numbered(R"((.+)\.(\d+)(\.zst|\.gz)?)");
const std::regex k_dated(R"((.+)-(\d{8}T\d{6}Z(?:-\d+)?)(\.zst|\.gz)?)");

// A rotated copy of a log: its name, its order (0 newest) and whether it is compressed.
struct Rotated {
  std::string name;
  std::string key;  // numbered: the index, zero-padded; dated: the stamp
  bool compressed = false;
  std::uint64_t size = 0;
  std::int64_t mtime_ms = 0;
};

bool looks_rotated(const std::string& name) {
  return std::regex_match(name, k_numbered) || std::regex_match(name, k_dated) ||
         name.ends_with(".tmp") || name.ends_with(".zst") || name.ends_with(".gz");
}

std::vector<std::string> names_in(int dir_fd) {
  auto names = directory_names(dir_fd);
  return names ? std::move(*names) : std::vector<std::string>{};
}

std::string fmt_mode(unsigned mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", mode & 07777);
  return text;
}

// The rotated copies of BASE in DIR_FD, newest first.
std::vector<Rotated> rotated_of(int dir_fd, const std::string& base, bool dated) {
  std::vector<Rotated> out;
  for (const auto& name : names_in(dir_fd)) {
    std::smatch m;
    if (!std::regex_match(name, m, dated ? k_dated : k_numbered) || m[1] != base) continue;
    struct stat st {};
    if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
      continue;
    std::string key = m[2];
    if (!dated) key = std::string(20 - std::min<std::size_t>(20, key.size()), '0') + key;
    out.push_back({name, key, m[3].matched, static_cast<std::uint64_t>(st.st_size),
                   st.st_mtim.tv_sec * 1000LL + st.st_mtim.tv_nsec / 1000000});
  }
  std::sort(out.begin(), out.end(), [dated](const Rotated& a, const Rotated& b) {
    return dated ? a.key > b.key : a.key < b.key;
  });
  return out;
}

// Wait (up to 5 s) until no process holds NAME open: the writer has reopened its log.
bool wait_closed(int dir_fd, const std::string& name) {
  struct stat st {};
  if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return true;
  FileKey key{static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino)};
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (;;) {
    if (!open_files().count(key)) return true;
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

Status reopen(const LogRule& rule) {
  if (!rule.command.empty()) {
    ProcessRequest request;
    request.argv = rule.command;
    request.timeout = std::chrono::seconds(60);
    auto outcome = run_process(request);
    if (!outcome || outcome->exit_code != 0)
      return make_error(
          ExitCode::failure, "cleaning.logs.reopen_failed",
          {{"how", rule.command.front()}, {"reason", outcome ? outcome->err : outcome.error().id}});
    return {};
  }
  if (rule.signal.empty()) return {};
  auto text = read_file(rule.pid_file);
  long pid = text ? std::strtol(text->c_str(), nullptr, 10) : 0;
  int sig = rule.signal == "HUP" ? SIGHUP : rule.signal == "USR1" ? SIGUSR1 : SIGUSR2;
  if (pid <= 1 || ::kill(static_cast<pid_t>(pid), sig) != 0)
    return make_error(ExitCode::failure, "cleaning.logs.reopen_failed",
                      {{"how", "SIG" + rule.signal + " " + rule.pid_file.string()},
                       {"reason", text ? std::strerror(errno) : text.error().id}});
  return {};
}

std::string ext_of(const std::string& codec) {
  return codec == "gzip" ? ".gz" : ".zst";
}

// Copy the log to TARGET, then empty it; the bytes appended while the copy ran go in the
// copy too (up to three passes); those after the last pass and before the truncation are lost.
Status copy_truncate(int dir_fd, const std::string& name, const std::string& target,
                     const struct stat& st, std::uint64_t& window) {
  Fd in(::openat(dir_fd, name.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC));
  if (!in.valid()) return io_error(name, errno);
  Fd out(::openat(dir_fd, target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                  st.st_mode & 07777));
  if (!out.valid()) return io_error(target, errno);
  std::string buffer(1 << 20, '\0');
  std::uint64_t copied = 0;
  for (int pass = 0; pass < 3; ++pass) {
    for (;;) {
      ssize_t n = ::read(in.get(), buffer.data(), buffer.size());
      if (n < 0) return io_error(name, errno);
      if (n == 0) break;
      if (Status w = write_all(out.get(), {buffer.data(), static_cast<std::size_t>(n)}, target); !w)
        return w;
      copied += static_cast<std::uint64_t>(n);
    }
    struct stat now {};
    if (::fstat(in.get(), &now) != 0 || static_cast<std::uint64_t>(now.st_size) <= copied) break;
  }
  if (::ftruncate(in.get(), 0) != 0) return io_error(name, errno);
  window = copied > static_cast<std::uint64_t>(st.st_size) ? copied - st.st_size : 0;
  if (::fchown(out.get(), st.st_uid, st.st_gid) != 0) return io_error(target, errno);
  return {};
}

class RuleRotation {
 public:
  RuleRotation(const LogRun& run, int dir_fd, LogTally& tally)
      : m_run(run), m_rule(*run.rule), m_dir(dir_fd), m_tally(tally) {}

  Json one(const std::string& name) {
    Json entry = {{"log", m_rule.name}, {"file", name}};
    struct stat st {};
    if (::fstatat(m_dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
      return entry.update({{"action", "skip"}, {"reason", "not_a_file"}}), entry;
    std::string key = (m_rule.dir / name).string();
    bool first = m_run.state->first_seen(key, m_run.now_ms);
    std::string reason = due(st, key, first);
    entry["bytes"] = st.st_size;
    if (reason.empty() || st.st_size == 0) {
      entry.update({{"action", "skip"}, {"reason", st.st_size == 0 ? "empty" : "not_due"}});
      return entry;
    }
    entry["reason"] = reason;
    MessageParams params = {{"file", name}, {"size", format_size(st.st_size)}, {"reason", reason}};
    if (m_run.dry_run) {
      m_run.say("cleaning.logs.would_rotate", params);
      return entry.update({{"action", "rotate"}}), entry;
    }
    Status rotated = rotate(name, st, entry);
    if (!rotated) {
      m_run.warn(rotated.error());
      return entry.update({{"action", "failed"}}), entry;
    }
    m_run.state->set_rotated(key, m_run.now_ms);
    ++m_tally.rotated;
    m_run.say("cleaning.logs.rotated", params);
    entry["action"] = "rotated";
    return entry;
  }

  // Compress what waits, then apply the retention, for BASE.
  void finish(const std::string& base) {
    auto rotated = rotated_of(m_dir, base, m_rule.dateext);
    for (std::size_t i = 0; i < rotated.size() && m_rule.compress != "none"; ++i) {
      if (rotated[i].compressed || (m_rule.delay_compress && i == 0)) continue;
      if (!wait_closed(m_dir, rotated[i].name)) {
        ++m_tally.left_uncompressed;
        m_run.warn(
            make_error(ExitCode::ok, "cleaning.logs.still_open", {{"file", rotated[i].name}}));
        continue;
      }
      Status done = compress_verified(m_dir, rotated[i].name, m_rule.compress, m_rule.level);
      if (!done)
        m_run.warn(done.error());
      else
        ++m_tally.compressed;
    }
    retain(base);
  }

 private:
  std::string due(const struct stat& st, const std::string& key, bool first) const {
    if (m_run.force) return "forced";
    if (m_rule.size && static_cast<std::uint64_t>(st.st_size) >= *m_rule.size) return "size";
    if (m_rule.every_ms && !first && m_run.now_ms - m_run.state->rotated(key) >= *m_rule.every_ms)
      return "age";
    return "";
  }

  std::string target_name(const std::string& name) const {
    if (!m_rule.dateext) return name + ".1";
    std::string stamp = name + "-" + format_compact_utc(m_run.now_ms);
    std::string candidate = stamp;
    struct stat st {};
    for (int i = 2; ::fstatat(m_dir, candidate.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 ||
                    ::fstatat(m_dir, (candidate + ext_of(m_rule.compress)).c_str(), &st,
                              AT_SYMLINK_NOFOLLOW) == 0;
         ++i)
      candidate = stamp + "-" + std::to_string(i);
    return candidate;
  }

  // Numbered copies move up by one (those past keep go); NAME.1 is then free.
  Status shift(const std::string& name) {
    auto rotated = rotated_of(m_dir, name, false);
    for (auto it = rotated.rbegin(); it != rotated.rend(); ++it) {
      std::smatch m;
      std::regex_match(it->name, m, k_numbered);
      int next = std::stoi(m[2]) + 1;
      if (next > std::max(m_rule.keep, 1)) {
        if (::unlinkat(m_dir, it->name.c_str(), 0) == 0) {
          ++m_tally.removed;
          m_tally.removed_bytes += it->size;
        }
        continue;
      }
      std::string to = name + "." + std::to_string(next) + std::string(m[3]);
      if (::renameat(m_dir, it->name.c_str(), m_dir, to.c_str()) != 0) return io_error(to, errno);
    }
    return {};
  }

  Status rotate(const std::string& name, const struct stat& st, Json& entry) {
    if (!m_rule.dateext)
      if (Status shifted = shift(name); !shifted) return shifted;
    std::string target = target_name(name);
    entry["rotated_to"] = target;
    if (m_rule.copytruncate) {
      std::uint64_t window = 0;
      if (Status copied = copy_truncate(m_dir, name, target, st, window); !copied) return copied;
      m_tally.copy_window_bytes += window;
      entry["copy_window_bytes"] = window;
      return {};
    }
    if (::renameat(m_dir, name.c_str(), m_dir, target.c_str()) != 0) return io_error(name, errno);
    Fd fresh(
        ::openat(m_dir, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st.st_mode & 07777));
    if (!fresh.valid()) return io_error(name, errno);
    ::fchmod(fresh.get(), st.st_mode & 07777);
    if (::fchown(fresh.get(), st.st_uid, st.st_gid) != 0) return io_error(name, errno);
    if (Status reopened = reopen(m_rule); !reopened) {
      ++m_tally.reopen_failed;
      m_run.warn(reopened.error());
    }
    return {};
  }

  void retain(const std::string& base) {
    auto rotated = rotated_of(m_dir, base, m_rule.dateext);
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < rotated.size(); ++i) {
      const Rotated& r = rotated[i];
      total += r.size;
      bool go = static_cast<int>(i) >= m_rule.keep ||
                (m_rule.max_age_ms && m_run.now_ms - r.mtime_ms > *m_rule.max_age_ms) ||
                (m_rule.max_total_bytes && total > *m_rule.max_total_bytes);
      if (!go || m_run.dry_run) continue;
      if (::unlinkat(m_dir, r.name.c_str(), 0) == 0) {
        ++m_tally.removed;
        m_tally.removed_bytes += r.size;
      }
    }
  }

  const LogRun& m_run;
  const LogRule& m_rule;
  int m_dir;
  LogTally& m_tally;
};

}  // namespace

Status compress_verified(int dir_fd, const std::string& name, const std::string& codec, int level) {
  std::string final_name = name + ext_of(codec);
  std::string tmp = "." + final_name + ".tmp";
  Fd in(::openat(dir_fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  struct stat st {};
  if (!in.valid() || ::fstat(in.get(), &st) != 0) return io_error(name, errno);
  ::unlinkat(dir_fd, tmp.c_str(), 0);  // left by an interrupted run
  Fd out(::openat(dir_fd, tmp.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!out.valid()) return io_error(tmp, errno);
  StreamDigest plain;
  {
    auto sink = codec == "gzip" ? gzip_sink(fd_sink(out.get()), level ? level : 6)
                                : zstd_sink(fd_sink(out.get()), level ? level : 3, 2);
    sink = digest_sink(std::move(sink), plain);
    std::string buffer(1 << 20, '\0');
    for (;;) {
      ssize_t n = ::read(in.get(), buffer.data(), buffer.size());
      if (n < 0) return io_error(name, errno);
      if (n == 0) break;
      if (Status w = sink->write({buffer.data(), static_cast<std::size_t>(n)}); !w) return w;
    }
    if (Status f = sink->finish(); !f) return f;
  }
  if (::fsync(out.get()) != 0 || ::lseek(out.get(), 0, SEEK_SET) != 0) return io_error(tmp, errno);
  // Verified: the compressed file decompresses to the very bytes that were read.
  StreamDigest back;
  {
    auto source =
        codec == "gzip" ? gzip_source(fd_source(out.get())) : zstd_source(fd_source(out.get()));
    source = digest_source(std::move(source), back);
    std::string buffer(1 << 20, '\0');
    for (;;) {
      auto n = source->read(buffer.data(), buffer.size());
      if (!n) {
        ::unlinkat(dir_fd, tmp.c_str(), 0);
        return n.error();
      }
      if (*n == 0) break;
    }
  }
  if (back.bytes != plain.bytes || back.sha.hex() != plain.sha.hex() ||
      plain.bytes != static_cast<std::int64_t>(st.st_size)) {
    ::unlinkat(dir_fd, tmp.c_str(), 0);
    return make_error(ExitCode::io_error, "cleaning.logs.verify_failed", {{"file", name}});
  }
  ::fchmod(out.get(), st.st_mode & 07777);
  if (::fchown(out.get(), st.st_uid, st.st_gid) != 0) return io_error(tmp, errno);
  struct timespec times[2] = {st.st_atim, st.st_mtim};
  ::futimens(out.get(), times);
  if (::renameat(dir_fd, tmp.c_str(), dir_fd, final_name.c_str()) != 0)
    return io_error(final_name, errno);
  if (::unlinkat(dir_fd, name.c_str(), 0) != 0) return io_error(name, errno);
  ::fsync(dir_fd);
  return {};
}

Status check_log_dir(const LogRule& rule) {
  struct stat st {};
  if (::lstat(rule.dir.c_str(), &st) != 0) return {};  // no log yet
  if (!S_ISDIR(st.st_mode)) return io_error(rule.dir, ENOTDIR);
  if ((st.st_mode & 022) && !rule.accept_shared_dir)
    return make_error(
        ExitCode::no_permission, "cleaning.logs.shared_dir",
        {{"dir", rule.dir.string()}, {"mode", fmt_mode(st.st_mode)}, {"log", rule.name}});
  return {};
}

Status rotate_logs(const LogRun& run, LogTally& tally, Json& report) {
  const LogRule& rule = *run.rule;
  if (Status safe = check_log_dir(rule); !safe) return safe;
  Fd dir(::open(rule.dir.c_str(), k_dir_flags));
  if (!dir.valid()) {
    if (errno == ENOENT) return {};  // no log yet
    return io_error(rule.dir, errno);
  }
  RuleRotation rotation(run, dir.get(), tally);
  for (const auto& name : names_in(dir.get())) {
    if (!glob_match(rule.glob, name, name) || looks_rotated(name)) continue;
    report.push_back(rotation.one(name));
    if (!run.dry_run) rotation.finish(name);
  }
  return {};
}

}  // namespace dihya::cleaning
