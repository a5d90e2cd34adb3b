#include "cleaning/tmp_plan.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "core/base/glob.hpp"
#include "core/base/signals.hpp"

namespace dihya::cleaning {

namespace {

bool excluded(const TmpRule& rule, const WalkEntry& e) {
  for (const auto& glob : rule.exclude)
    if (glob_match(glob, e.name, e.path)) return true;
  return false;
}

// Old by every timestamp the rule looks at; a directory's atime is ignored (walking it sets it).
bool is_old(const TmpWalkSettings& s, const FileFacts& f) {
  if (s.rule->by_mtime && f.mtime_ns >= s.cutoff_ns) return false;
  if (s.rule->by_ctime && f.ctime_ns >= s.cutoff_ns) return false;
  if (s.rule->by_atime && !f.is_dir() && f.atime_ns >= s.cutoff_ns) return false;
  return true;
}

bool removable_kind(const FileFacts& f) { return f.is_regular() || f.is_symlink(); }

std::uint32_t type_of(const FileFacts& f) { return f.mode & S_IFMT; }

class PlanWalk : public WalkVisitor {
 public:
  PlanWalk(const TmpWalkSettings& s, Plan& plan, TmpTally& tally)
      : m_s(s), m_plan(plan), m_tally(tally) {}

  void start(int, const FileFacts& root) override {
    m_root_mnt = root.mnt_id;
    m_dirs.push_back({0, false, false});
  }

  WalkStep visit(const WalkEntry& e) override {
    if (m_s.deadline->reached()) {
      m_tally.stopped = true;
      return WalkStep::stop;
    }
    Dir& parent = m_dirs.back();
    std::uint64_t hash = path_hash(parent.hash, e.name);
    if (excluded(*m_s.rule, e)) return keep(parent);
    if (e.facts.mnt_id != m_root_mnt || e.facts.mount_root) {
      ++m_tally.skipped_mount;
      return keep(parent);
    }
    if (e.facts.is_dir()) {
      m_dirs.push_back({hash, true, is_old(m_s, e.facts)});
      return WalkStep::enter;
    }
    if (!removable_kind(e.facts)) return keep(parent);  // sockets, FIFOs, devices: never
    if (!is_old(m_s, e.facts)) {
      if (m_s.rule->max_bytes && e.facts.is_regular())
        m_young.push_back({e.key(), e.facts, hash, std::string(e.path)});
      m_kept_bytes += e.facts.size;
      return keep(parent);
    }
    if (m_s.rule->keep_open && m_s.open->count(e.key())) {
      ++m_tally.kept_open;
      return keep(parent);
    }
    add(e.key(), e.facts, hash, Reason::age, e.path);
    return WalkStep::skip;
  }

  void skipped(const WalkEntry&, WalkSkip why, int) override {
    if (why == WalkSkip::mount) ++m_tally.skipped_mount;
    if (why == WalkSkip::locked) ++m_tally.skipped_locked;
    if (why == WalkSkip::unreadable) ++m_tally.unreadable;
    m_dirs.pop_back();
    m_dirs.back().removable = false;
  }

  void unreadable(const WalkEntry&, int) override {
    ++m_tally.unreadable;
    m_dirs.back().removable = false;
  }

  void leave(const WalkEntry& e) override {
    Dir dir = m_dirs.back();
    m_dirs.pop_back();
    if (dir.removable && dir.old)
      add(e.key(), e.facts, dir.hash, Reason::empty_dir, e.path);
    else
      m_dirs.back().removable = false;
  }

  // Add the oldest young files until what stays fits the rule's size budget.
  void apply_budget() {
    if (!m_s.rule->max_bytes || m_kept_bytes <= *m_s.rule->max_bytes) return;
    std::sort(m_young.begin(), m_young.end(), [](const Young& a, const Young& b) {
      return a.facts.mtime_ns < b.facts.mtime_ns;
    });
    for (const auto& y : m_young) {
      if (m_kept_bytes <= *m_s.rule->max_bytes) break;
      if (m_s.rule->keep_open && m_s.open->count(y.key)) continue;
      add(y.key, y.facts, y.hash, Reason::budget, y.path);
      m_kept_bytes -= y.facts.size;
    }
  }

 private:
  struct Dir {
    std::uint64_t hash;
    bool removable;  // everything in it is planned
    bool old;
  };
  struct Young {
    FileKey key;
    FileFacts facts;
    std::uint64_t hash;
    std::string path;
  };

  WalkStep keep(Dir& parent) {
    parent.removable = false;
    return WalkStep::skip;
  }

  void add(FileKey key, const FileFacts& f, std::uint64_t hash, Reason reason,
           std::string_view path) {
    std::uint64_t bytes = f.is_regular() ? f.size : 0;
    m_plan[key] = {f.mtime_ns, f.ctime_ns, hash, f.size, type_of(f), reason, false};
    ++m_tally.planned;
    m_tally.planned_bytes += bytes;
    if (m_s.sink) m_s.sink({"remove", path, reason, bytes, f.is_dir()});
  }

  const TmpWalkSettings& m_s;
  Plan& m_plan;
  TmpTally& m_tally;
  std::uint64_t m_root_mnt = 0;
  std::vector<Dir> m_dirs;
  std::vector<Young> m_young;
  std::uint64_t m_kept_bytes = 0;
};

class ApplyWalk : public WalkVisitor {
 public:
  ApplyWalk(const TmpWalkSettings& s, Plan& plan, TmpTally& tally)
      : m_s(s), m_plan(plan), m_tally(tally) {}

  void start(int, const FileFacts&) override { m_dirs.push_back({0, false}); }

  WalkStep visit(const WalkEntry& e) override {
    if (m_s.deadline->reached()) {
      m_tally.stopped = true;
      return WalkStep::stop;
    }
    std::uint64_t hash = path_hash(m_dirs.back().hash, e.name);
    if (excluded(*m_s.rule, e)) return WalkStep::skip;
    auto it = m_plan.find(e.key());
    PlannedEntry* planned = it == m_plan.end() ? nullptr : &it->second;
    bool same = planned && unchanged(*planned, e.facts, hash);
    if (planned) {
      planned->seen = true;
      if (!same) kept(e.path, Reason::changed, e.facts);
    }
    if (e.facts.is_dir()) {
      m_dirs.push_back({hash, same});
      return WalkStep::enter;
    }
    if (!same) return WalkStep::skip;
    if (m_s.rule->keep_open && m_s.open->count(e.key())) {
      ++m_tally.kept_open;
      kept(e.path, Reason::open, e.facts);
      return WalkStep::skip;
    }
    std::string name(e.name);
    if (::unlinkat(e.dir_fd, name.c_str(), 0) == 0)
      removed(e.path, planned->reason, e.facts);
    else
      failed(e.path, errno);
    return WalkStep::skip;
  }

  // Mounts, locks and unreadable entries were counted by the plan.
  void skipped(const WalkEntry&, WalkSkip, int) override { m_dirs.pop_back(); }

  void leave(const WalkEntry& e) override {
    Dir dir = m_dirs.back();
    m_dirs.pop_back();
    if (!dir.planned) return;
    std::string name(e.name);
    // The name must still hold the directory that was emptied, not one swapped in.
    struct stat st {};
    if (::fstatat(e.dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 ||
        static_cast<std::uint64_t>(st.st_ino) != e.facts.ino || !S_ISDIR(st.st_mode)) {
      kept(e.path, Reason::changed, e.facts);
      return;
    }
    if (::unlinkat(e.dir_fd, name.c_str(), AT_REMOVEDIR) == 0)
      removed(e.path, Reason::empty_dir, e.facts);
    else if (errno == ENOTEMPTY || errno == EEXIST)
      kept(e.path, Reason::not_empty, e.facts);
    else
      failed(e.path, errno);
  }

 private:
  struct Dir {
    std::uint64_t hash;
    bool planned;  // remove it once its entries are gone
  };

  static bool unchanged(const PlannedEntry& p, const FileFacts& f, std::uint64_t hash) {
    return p.path_hash == hash && p.mtime_ns == f.mtime_ns && p.ctime_ns == f.ctime_ns &&
           p.type == type_of(f) && (f.is_dir() || p.size == f.size);
  }

  void removed(std::string_view path, Reason reason, const FileFacts& f) {
    std::uint64_t bytes = f.is_regular() ? f.size : 0;
    ++m_tally.removed;
    m_tally.removed_bytes += bytes;
    if (m_s.sink) m_s.sink({"removed", path, reason, bytes, f.is_dir()});
  }

  void kept(std::string_view path, Reason reason, const FileFacts& f) {
    ++m_tally.kept;
    if (m_s.sink) m_s.sink({"kept", path, reason, f.is_regular() ? f.size : 0, f.is_dir()});
  }

  void failed(std::string_view path, int err) {
    if (err == ENOENT) {
      ++m_tally.vanished;
      return;
    }
    ++m_tally.failed;
    if (m_s.on_failure) m_s.on_failure(path, err);
  }

  const TmpWalkSettings& m_s;
  Plan& m_plan;
  TmpTally& m_tally;
  std::vector<Dir> m_dirs;
};

}  // namespace

const char* reason_name(Reason reason) {
  switch (reason) {
    case Reason::age: return "age";
    case Reason::budget: return "budget";
    case Reason::empty_dir: return "empty_dir";
    case Reason::changed: return "changed";
    case Reason::not_empty: return "not_empty";
    case Reason::open: return "open";
  }
  return "age";
}

Deadline::Deadline(std::optional<std::int64_t> ms) {
  if (ms) m_at = std::chrono::steady_clock::now() + std::chrono::milliseconds(*ms);
}

bool Deadline::reached() {
  if (m_reached) return true;
  if (++m_count % 256 != 0) return false;
  check_interrupted();
  if (m_at && std::chrono::steady_clock::now() >= *m_at) m_reached = true;
  return m_reached;
}

Status plan_tmp(const TmpWalkSettings& settings, Plan& plan, TmpTally& tally) {
  PlanWalk walk(settings, plan, tally);
  Status walked = walk_tree(settings.rule->path, {.skip_locked = true}, walk);
  if (walked && !tally.stopped) walk.apply_budget();
  return walked;
}

Status apply_tmp(const TmpWalkSettings& settings, Plan& plan, TmpTally& tally) {
  ApplyWalk walk(settings, plan, tally);
  Status walked = walk_tree(settings.rule->path, {.skip_locked = true}, walk);
  if (!walked) return walked;
  // Planned entries not met again went away between the walks (or lie past a stop).
  if (!tally.stopped)
    for (const auto& [key, entry] : plan)
      if (!entry.seen) ++tally.vanished;
  return {};
}

}  // namespace dihya::cleaning
