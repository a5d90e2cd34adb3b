// The comparison of a file root with the database: references from one snapshot, then the
// disk, then the rows again (same snapshot) for the files that are missing. Memory stays
// bounded: the references and the files are kept as sorted 64-bit hashes (8 bytes each), only
// the candidates up to the cap are kept whole.
#include <algorithm>
#include <functional>

#include "cleaning/orphans.hpp"
#include "core/base/clock.hpp"
#include "core/base/signals.hpp"

namespace dihya::cleaning {

namespace {

constexpr std::size_t k_missing_listed = 1000;

std::uint64_t hash_path(std::string_view path) {
  return std::hash<std::string_view>()(path);
}

bool contains(const std::vector<std::uint64_t>& sorted, std::uint64_t h) {
  return std::binary_search(sorted.begin(), sorted.end(), h);
}

Error query_failed(const OrphanRule& rule, const Error& cause) {
  Error e = make_error(ExitCode::unavailable, "cleaning.orphans.query_failed",
                       {{"table", rule.table}, {"reason", cause.id}});
  e.causes.push_back(cause);
  return e;
}

// Each row's key and the path it names below the root (the prefix taken off).
Status each_reference(
    Database& db, const OrphanRule& rule, bool with_key,
    const std::function<void(std::string_view key, std::string_view path)>& visit) {
  std::string sql = "SELECT " + (with_key ? quote_identifier(rule.key) + ", " : std::string()) +
                    quote_identifier(rule.column) + " FROM " + quote_identifier(rule.table) +
                    " WHERE " + quote_identifier(rule.column) + " IS NOT NULL";
  auto stmt = db.prepare(sql);
  if (!stmt) return query_failed(rule, stmt.error());
  std::string key_scratch, path_scratch;
  for (std::uint64_t n = 0;; ++n) {
    auto row = (*stmt)->step();
    if (!row) return query_failed(rule, row.error());
    if (!*row) return {};
    if (n % 4096 == 0) check_interrupted();
    int col = with_key ? 1 : 0;
    std::string_view path = (*stmt)->get_view(col, path_scratch);
    if (path.substr(0, rule.prefix.size()) != rule.prefix) continue;
    path.remove_prefix(rule.prefix.size());
    std::string_view key = with_key ? (*stmt)->get_view(0, key_scratch) : std::string_view();
    visit(key, path);
  }
}

class DiskScan : public WalkVisitor {
 public:
  DiskScan(const OrphanRule& rule, const std::vector<std::uint64_t>& refs,
           std::int64_t young_after_ns, std::size_t limit, OrphanScan& out)
      : m_rule(rule), m_refs(refs), m_young_after(young_after_ns), m_limit(limit), m_out(out) {}

  std::vector<std::uint64_t> file_hashes;

  void start(int, const FileFacts& root) override { m_root_mnt = root.mnt_id; }

  WalkStep visit(const WalkEntry& e) override {
    if (++m_seen % 4096 == 0) check_interrupted();
    if (e.facts.is_dir()) return WalkStep::enter;
    if (!e.facts.is_regular() || e.facts.mnt_id != m_root_mnt || e.facts.mount_root)
      return WalkStep::skip;
    ++m_out.files;
    m_out.bytes += e.facts.size;
    std::uint64_t h = hash_path(e.path);
    file_hashes.push_back(h);
    if (contains(m_refs, h)) return WalkStep::skip;
    if (e.facts.mtime_ns >= m_young_after ||
        (m_rule.by_ctime && e.facts.ctime_ns >= m_young_after) ||
        (m_rule.by_atime && e.facts.atime_ns >= m_young_after)) {
      ++m_out.young;
      return WalkStep::skip;
    }
    ++m_out.candidate_count;
    m_out.candidate_bytes += e.facts.size;
    if (m_out.candidates.size() < m_limit)
      m_out.candidates.push_back({std::string(e.path), e.facts});
    return WalkStep::skip;
  }

 private:
  const OrphanRule& m_rule;
  const std::vector<std::uint64_t>& m_refs;
  std::int64_t m_young_after;
  std::size_t m_limit;
  OrphanScan& m_out;
  std::uint64_t m_root_mnt = 0;
  std::uint64_t m_seen = 0;
};

Status begin_snapshot(Database& db) {
  if (db.engine() == Engine::postgresql)
    return db.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  return db.execute("BEGIN");
}

}  // namespace

Result<OrphanScan> scan_orphans(Database& db, const OrphanRule& rule, std::size_t limit) {
  OrphanScan out;
  if (Status began = begin_snapshot(db); !began) return query_failed(rule, began.error());
  struct Rollback {
    Database& db;
    ~Rollback() { (void)db.rollback(); }
  } rollback{db};
  std::vector<std::uint64_t> refs;
  Status read = each_reference(db, rule, false, [&](std::string_view, std::string_view path) {
    refs.push_back(hash_path(path));
  });
  if (!read) return read.error();
  out.references = refs.size();
  std::sort(refs.begin(), refs.end());
  refs.erase(std::unique(refs.begin(), refs.end()), refs.end());

  std::int64_t young_after = (now_ms() - rule.grace_ms) * 1'000'000LL;
  DiskScan disk(rule, refs, young_after, limit, out);
  std::error_code ec;
  if (fs::exists(rule.dir, ec))
    if (Status walked = walk_tree(rule.dir, {}, disk); !walked) return walked.error();
  refs = {};
  std::vector<std::uint64_t> files = std::move(disk.file_hashes);
  std::sort(files.begin(), files.end());

  Status again = each_reference(db, rule, true, [&](std::string_view key, std::string_view path) {
    if (contains(files, hash_path(path))) return;
    ++out.missing_count;
    if (out.missing.size() < k_missing_listed)
      out.missing.push_back({std::string(key), std::string(path)});
  });
  if (!again) return again.error();
  return out;
}

Result<std::vector<bool>> still_referenced(Database& db, const OrphanRule& rule,
                                           const Candidate* first, std::size_t count) {
  std::vector<bool> named(count, false);
  if (count == 0) return named;
  std::string sql = "SELECT " + quote_identifier(rule.column) + " FROM " +
                    quote_identifier(rule.table) + " WHERE " + quote_identifier(rule.column) +
                    " IN (";
  for (std::size_t i = 0; i < count; ++i) sql += i ? ",?" : "?";
  sql += ")";
  auto stmt = db.prepare(sql);
  if (!stmt) return query_failed(rule, stmt.error());
  std::vector<std::string> full(count);
  for (std::size_t i = 0; i < count; ++i) {
    full[i] = rule.prefix + first[i].path;
    if (Status bound = (*stmt)->bind(static_cast<int>(i + 1), Field::of(std::string_view(full[i])));
        !bound)
      return query_failed(rule, bound.error());
  }
  std::vector<std::uint64_t> found;
  std::string scratch;
  for (;;) {
    auto row = (*stmt)->step();
    if (!row) return query_failed(rule, row.error());
    if (!*row) break;
    found.push_back(hash_path((*stmt)->get_view(0, scratch)));
  }
  std::sort(found.begin(), found.end());
  for (std::size_t i = 0; i < count; ++i) named[i] = contains(found, hash_path(full[i]));
  return named;
}

}  // namespace dihya::cleaning
