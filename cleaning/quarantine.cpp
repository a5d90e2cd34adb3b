#include "cleaning/quarantine.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "core/base/clock.hpp"
#include "core/base/crypto.hpp"
#include "core/base/signals.hpp"

namespace dihya::cleaning {

namespace {

constexpr int k_dir_flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;

std::pair<std::string, std::string> split_parent(std::string_view path) {
  auto slash = path.rfind('/');
  if (slash == std::string_view::npos) return {"", std::string(path)};
  return {std::string(path.substr(0, slash)), std::string(path.substr(slash + 1))};
}

// Hash what FD holds from its start; with OUT_FD, copy it there too.
Status hash_fd(int fd, std::string& hex, const fs::path& where, int out_fd = -1) {
  Sha256 sha;
  std::string buffer(1 << 20, '\0');
  if (::lseek(fd, 0, SEEK_SET) != 0) return io_error(where, errno);
  for (;;) {
    ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_error(where, errno);
    if (n == 0) break;
    std::string_view chunk(buffer.data(), static_cast<std::size_t>(n));
    sha.update(chunk);
    if (out_fd >= 0)
      if (Status wrote = write_all(out_fd, chunk, where); !wrote) return wrote;
  }
  hex = sha.hex();
  return {};
}

// Move NAME from FROM_DIR to TO_DIR: a rename, or across file systems a copy (mode and times
// kept, fsynced) and an unlink. The destination must not exist.
Status move_file(int from_dir, int to_dir, const std::string& name, int source_fd,
                 const struct stat& st, const fs::path& where) {
  if (::renameat2(from_dir, name.c_str(), to_dir, name.c_str(), RENAME_NOREPLACE) == 0) return {};
  if (errno != EXDEV) return io_error(where, errno);
  Fd out(
      ::openat(to_dir, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st.st_mode & 07777));
  if (!out.valid()) return io_error(where, errno);
  std::string ignored;
  if (Status copied = hash_fd(source_fd, ignored, where, out.get()); !copied) return copied;
  struct timespec times[2] = {st.st_atim, st.st_mtim};
  ::futimens(out.get(), times);
  if (::fsync(out.get()) != 0) return io_error(where, errno);
  if (::unlinkat(from_dir, name.c_str(), 0) != 0) return io_error(where, errno);
  return {};
}

Json manifest_line(const OrphanRule& rule, const Candidate& c, const std::string& sha) {
  return {
      {"root", rule.root},    {"path", printable_name(c.path)}, {"path_b64", base64_encode(c.path)},
      {"size", c.facts.size}, {"mtime_ns", c.facts.mtime_ns},   {"sha256", sha}};
}

}  // namespace

OrphanMover::OrphanMover(Database& db, const OrphanRule& rule, fs::path run_dir, bool remove)
    : m_db(db), m_rule(rule), m_run_dir(std::move(run_dir)), m_remove(remove) {}

OrphanMover::~OrphanMover() = default;

Status OrphanMover::open_dirs() {
  m_root = Fd(::open(m_rule.dir.c_str(), k_dir_flags));
  if (!m_root.valid()) return io_error(m_rule.dir, errno);
  if (m_remove) return {};
  Fd run(::open(m_run_dir.c_str(), k_dir_flags));
  if (!run.valid()) return io_error(m_run_dir, errno);
  auto files = open_below(run.get(), "files", true, 0700);
  if (!files) return files.error();
  m_files = std::move(*files);
  m_manifest = Fd(::open((m_run_dir / "manifest.jsonl").c_str(),
                         O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
  if (!m_manifest.valid()) return io_error(m_run_dir / "manifest.jsonl", errno);
  return {};
}

Status OrphanMover::move_all(const std::vector<Candidate>& candidates, MoveTally& tally) {
  if (Status opened = open_dirs(); !opened) return opened;
  // The database is asked again just before each batch moves: a row that appeared since the
  // scan keeps its file.
  constexpr std::size_t k_batch = 256;
  for (std::size_t at = 0; at < candidates.size(); at += k_batch) {
    check_interrupted();
    std::size_t n = std::min(k_batch, candidates.size() - at);
    auto named = still_referenced(m_db, m_rule, candidates.data() + at, n);
    if (!named) return named.error();
    for (std::size_t i = 0; i < n; ++i)
      if (Status moved = move_one(candidates[at + i], (*named)[i], tally); !moved) return moved;
  }
  if (m_manifest.valid() && ::fsync(m_manifest.get()) != 0)
    return io_error(m_run_dir / "manifest.jsonl", errno);
  return {};
}

Status OrphanMover::move_one(const Candidate& c, bool referenced, MoveTally& tally) {
  auto [parent, name] = split_parent(c.path);
  fs::path where = m_rule.dir / printable_name(c.path);
  auto dir = open_below(m_root.get(), parent);
  if (!dir) {
    ++tally.kept_changed;
    return {};
  }
  // The same file as scanned: inode, size and time unchanged, still a regular file.
  Fd fd(::openat(dir->get(), name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
  struct stat st {};
  if (!fd.valid() || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) ||
      static_cast<std::uint64_t>(st.st_ino) != c.facts.ino ||
      static_cast<std::uint64_t>(st.st_size) != c.facts.size ||
      st.st_mtim.tv_sec * 1'000'000'000LL + st.st_mtim.tv_nsec != c.facts.mtime_ns) {
    ++tally.kept_changed;
    return {};
  }
  if (referenced) {
    ++tally.kept_referenced;
    return {};
  }
  if (m_remove) {
    if (::unlinkat(dir->get(), name.c_str(), 0) != 0) return io_error(where, errno);
  } else {
    std::string sha;
    if (Status hashed = hash_fd(fd.get(), sha, where); !hashed) return hashed;
    auto target = open_below(m_files.get(), parent, true, 0700);
    if (!target) return target.error();
    // The manifest line goes first: a crash after it leaves a line --restore reports, never
    // a quarantined file nobody knows of.
    std::string line = manifest_line(m_rule, c, sha).dump() + "\n";
    if (Status wrote = write_all(m_manifest.get(), line, m_run_dir / "manifest.jsonl"); !wrote)
      return wrote;
    if (Status moved = move_file(dir->get(), target->get(), name, fd.get(), st, where); !moved)
      return moved;
  }
  ++tally.moved;
  tally.bytes += c.facts.size;
  return {};
}

Result<fs::path> create_quarantine_run(const fs::path& quarantine_dir) {
  if (Status made = make_directories(quarantine_dir, 0700); !made) return made.error();
  std::string base = format_compact_utc(now_ms());
  for (int i = 1; i < 100; ++i) {
    fs::path run = quarantine_dir / (i == 1 ? base : base + "-" + std::to_string(i));
    if (::mkdir(run.c_str(), 0700) == 0) return run;
    if (errno != EEXIST) return io_error(run, errno);
  }
  return make_error(ExitCode::cant_create, "core.fs.cant_create",
                    {{"path", (quarantine_dir / base).string()}, {"reason", "exists"}});
}

Status finish_quarantine_run(const fs::path& run_dir, const std::string& tenant,
                             const MoveTally& tally) {
  Json run = {{"run", run_dir.filename().string()},
              {"tenant", tenant},
              {"created_ms", now_ms()},
              {"files", tally.moved},
              {"bytes", tally.bytes}};
  return atomic_write(run_dir / "run.json", run.dump(2) + "\n", 0600);
}

namespace {

// Restore one manifest LINE of the run whose files are below FILES_FD.
Status restore_one(const Json& line, int files_fd, const std::vector<OrphanRule>& rules,
                   RestoreTally& tally) {
  std::string root = line.value("root", "");
  auto rule =
      std::find_if(rules.begin(), rules.end(), [&](const OrphanRule& r) { return r.root == root; });
  if (rule == rules.end())
    return make_error(ExitCode::config_error, "cleaning.orphans.restore_unknown_root",
                      {{"root", root}});
  std::string path = take(base64_decode(line.value("path_b64", "")));
  auto [parent, name] = split_parent(path);
  fs::path where = rule->dir / printable_name(path);
  auto src_dir = open_below(files_fd, parent);
  if (!src_dir) return src_dir.error();
  Fd src(::openat(src_dir->get(), name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  struct stat st {};
  std::string before;
  if (!src.valid() || ::fstat(src.get(), &st) != 0 || !hash_fd(src.get(), before, where) ||
      before != line.value("sha256", "")) {
    ++tally.corrupt;
    return {};
  }
  Fd root_fd(::open(rule->dir.c_str(), k_dir_flags));
  if (!root_fd.valid()) return io_error(rule->dir, errno);
  auto dst_dir = open_below(root_fd.get(), parent, true, 0755);
  if (!dst_dir) return dst_dir.error();
  struct stat exists {};
  if (::fstatat(dst_dir->get(), name.c_str(), &exists, AT_SYMLINK_NOFOLLOW) == 0) {
    ++tally.conflicts;
    return {};
  }
  if (Status moved = move_file(src_dir->get(), dst_dir->get(), name, src.get(), st, where); !moved)
    return moved;
  Fd back(::openat(dst_dir->get(), name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  std::string after;
  if (!back.valid() || !hash_fd(back.get(), after, where) || after != before) {
    ++tally.corrupt;
    return {};
  }
  ++tally.restored;
  tally.bytes += static_cast<std::uint64_t>(st.st_size);
  return {};
}

}  // namespace

Result<RestoreTally> restore_quarantine(const TenantConfig& tenant, const std::string& run,
                                        const std::vector<OrphanRule>& rules) {
  if (run.empty() || run.find('/') != std::string::npos || run == "." || run == "..")
    return usage_error("core.usage.bad_value", {{"option", "--restore"}, {"value", run}});
  fs::path run_dir = tenant.state_dir / "quarantine" / run;
  auto text = read_file(run_dir / "manifest.jsonl");
  if (!text)
    return make_error(ExitCode::no_input, "cleaning.orphans.no_such_run",
                      {{"run", run}, {"dir", (tenant.state_dir / "quarantine").string()}});
  Fd run_fd(::open(run_dir.c_str(), k_dir_flags));
  if (!run_fd.valid()) return io_error(run_dir, errno);
  auto files = open_below(run_fd.get(), "files");
  if (!files) return files.error();
  RestoreTally tally;
  std::size_t start = 0;
  while (start < text->size()) {
    std::size_t end = text->find('\n', start);
    if (end == std::string::npos) end = text->size();
    std::string_view raw(text->data() + start, end - start);
    start = end + 1;
    if (raw.empty()) continue;
    Json line = Json::parse(raw, nullptr, false);
    if (line.is_discarded() || !line.is_object()) {
      ++tally.corrupt;  // a line cut short by a crash
      continue;
    }
    if (Status done = restore_one(line, files->get(), rules, tally); !done) return done.error();
  }
  if (tally.conflicts == 0 && tally.corrupt == 0)
    if (Status removed = remove_tree(run_dir); !removed) return removed.error();
  return tally;
}

Result<std::vector<std::string>> purge_quarantines(const fs::path& quarantine_dir,
                                                   const std::vector<OrphanRule>& rules) {
  std::vector<std::string> purged;
  std::error_code ec;
  if (!fs::is_directory(fs::symlink_status(quarantine_dir, ec))) return purged;
  std::int64_t now = now_ms();
  for (const auto& entry : fs::directory_iterator(quarantine_dir, ec)) {
    if (!fs::is_directory(entry.symlink_status())) continue;
    auto text = read_file(entry.path() / "run.json");
    if (!text) continue;  // unfinished: left for --restore
    Json run = Json::parse(*text, nullptr, false);
    if (run.is_discarded() || !run.contains("created_ms")) continue;
    int days = 30;
    auto manifest = read_file(entry.path() / "manifest.jsonl");
    if (manifest && !manifest->empty()) {
      Json first = Json::parse(manifest->substr(0, manifest->find('\n')), nullptr, false);
      for (const auto& rule : rules)
        if (!first.is_discarded() && first.value("root", "") == rule.root)
          days = rule.quarantine_days;
    }
    if (now - run["created_ms"].get<std::int64_t>() < days * 86400000LL) continue;
    if (Status removed = remove_tree(entry.path()); !removed) return removed.error();
    purged.push_back(entry.path().filename().string());
  }
  return purged;
}

}  // namespace dihya::cleaning
