// The files and backups checks of the integrity engine.
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <limits>
#include <thread>

#include "core/base/clock.hpp"
#include "core/base/crypto.hpp"
#include "core/base/units.hpp"
#include "core/data/db.hpp"
#include "core/run/health.hpp"
#include "core/run/integrity.hpp"

namespace dihya::integrity {
namespace {

constexpr std::size_t k_batch = 2048;
constexpr std::size_t k_read_block = 1 << 20;

Finding file_finding(const std::string& kind, const std::string& key, const std::string& path,
                     std::string id, MessageParams params = {}) {
  params.insert(params.begin(), {{"key", key}, {"path", path}});
  return {kind, key, make_error(ExitCode::data_error, std::move(id), std::move(params))};
}

// One row of the catalog and what the disk says of it.
struct FileRow {
  std::string key, path, sha256;
  std::optional<std::int64_t> size;
  bool hash = false;  // decided before the batch: hash this one (else only when changed)
  std::optional<Finding> finding;
  bool hashed = false;
};

// PATH as the catalog gives it, relative to the root ROOT_NAME (a leading "ROOT_NAME/" is the
// root itself: the seed's convention); nullopt when it would leave the root.
std::optional<std::string> relative_in_root(const std::string& path, const std::string& root_name) {
  std::filesystem::path p(path);
  if (p.empty() || p.is_absolute()) return std::nullopt;
  std::filesystem::path out;
  bool first = true;
  for (const auto& part : p.lexically_normal()) {
    if (part == "..") return std::nullopt;
    if (first && part == root_name) {
      first = false;
      continue;
    }
    first = false;
    if (part != ".") out /= part;
  }
  if (out.empty()) return std::nullopt;
  return out.string();
}

// Open REL below the directory ROOT without following any symbolic link.
int open_beneath(int root, const std::string& rel) {
  open_how how{};
  how.flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  int fd = static_cast<int>(::syscall(SYS_openat2, root, rel.c_str(), &how, sizeof how));
  if (fd < 0 && errno == ENOSYS) fd = ::openat(root, rel.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  return fd;
}

std::string lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

void check_one(int root, const std::string& root_name, std::int64_t changed_since, FileRow& row,
               std::vector<char>& buffer) {
  auto rel = relative_in_root(row.path, root_name);
  if (!rel) {
    row.finding = file_finding("outside_root", row.key, row.path, "core.integrity.file_outside");
    return;
  }
  Fd fd(open_beneath(root, *rel));
  if (!fd.valid()) {
    int err = errno;
    if (err == ENOENT || err == ENOTDIR)
      row.finding = file_finding("missing_file", row.key, row.path, "core.integrity.file_missing");
    else if (err == ELOOP || err == EXDEV)
      row.finding = file_finding("link", row.key, row.path, "core.integrity.file_link");
    else
      row.finding = file_finding("unreadable", row.key, row.path, "core.integrity.file_unreadable",
                                 {{"reason", std::strerror(err)}});
    return;
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    row.finding = file_finding("not_regular", row.key, row.path, "core.integrity.file_not_regular");
    return;
  }
  if (row.size && *row.size != st.st_size) {
    row.finding = file_finding("wrong_size", row.key, row.path, "core.integrity.file_size",
                               {{"expected", std::to_string(*row.size)},
                                {"actual", std::to_string(st.st_size)}});
    return;
  }
  std::int64_t changed_ms = std::max<std::int64_t>(st.st_mtim.tv_sec, st.st_ctim.tv_sec) * 1000;
  if (row.sha256.empty() || (!row.hash && changed_ms < changed_since)) return;
  Sha256 hasher;
  for (;;) {
    ssize_t got = ::read(fd.get(), buffer.data(), buffer.size());
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      row.finding = file_finding("unreadable", row.key, row.path, "core.integrity.file_unreadable",
                                 {{"reason", std::strerror(errno)}});
      return;
    }
    if (got == 0) break;
    hasher.update({buffer.data(), static_cast<std::size_t>(got)});
  }
  row.hashed = true;
  std::string actual = hasher.hex();
  if (actual != lower(row.sha256))
    row.finding = file_finding("wrong_hash", row.key, row.path, "core.integrity.file_hash",
                               {{"expected", lower(row.sha256)}, {"actual", actual}});
}

// Check a batch of rows on THREADS threads, each taking the next row.
void check_batch(int root, const std::string& root_name, std::int64_t changed_since,
                 std::vector<FileRow>& rows, int threads) {
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    std::vector<char> buffer(k_read_block);
    for (std::size_t i; (i = next.fetch_add(1)) < rows.size();)
      check_one(root, root_name, changed_since, rows[i], buffer);
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& thread : pool) thread.join();
}

std::filesystem::path files_state(const TenantConfig& tenant) {
  return tenant.state_dir / "maintenance" / "files_check.json";
}

// When the last check that looked at every changed file started (0: never).
std::int64_t last_complete_check(const TenantConfig& tenant) {
  auto text = read_file(files_state(tenant));
  if (!text) return 0;
  Json state = Json::parse(*text, nullptr, false);
  return state.is_object() && state.contains("started_ms") && state["started_ms"].is_number()
             ? state["started_ms"].get<std::int64_t>()
             : 0;
}

Status scan_catalog(Database& db, const FilesCatalog& catalog, int root, std::int64_t total,
                    Depth depth, std::int64_t changed_since, int threads,
                    const ProgressFn& progress, CheckReport& report) {
  std::string sql = "SELECT CAST(" + quote_identifier(catalog.key) + " AS TEXT), " +
                    quote_identifier(catalog.path) + ", " + quote_identifier(catalog.size) + ", " +
                    quote_identifier(catalog.sha256) + " FROM " +
                    quote_identifier(catalog.table) + " ORDER BY " +
                    quote_identifier(catalog.key);
  auto stmt = db.prepare(sql);
  if (!stmt) return stmt.error();
  std::int64_t stride = std::max<std::int64_t>(1, total / std::max<std::int64_t>(1, catalog.sample));
  std::int64_t seen = 0, hashed = 0;
  std::vector<FileRow> rows;
  auto flush = [&] {
    check_batch(root, catalog.root, changed_since, rows, threads);
    for (auto& row : rows) {
      hashed += row.hashed;
      if (row.finding) report.findings.push_back(std::move(*row.finding));
    }
    rows.clear();
    if (progress) progress(static_cast<std::uint64_t>(seen), static_cast<std::uint64_t>(total));
  };
  for (;;) {
    auto more = (*stmt)->step();
    if (!more) return more.error();
    if (!*more) break;
    FileRow row;
    row.key = (*stmt)->get_text(0);
    row.path = (*stmt)->is_null(1) ? "" : (*stmt)->get_text(1);
    if (!(*stmt)->is_null(2)) row.size = (*stmt)->get_integer(2);
    if (!(*stmt)->is_null(3)) row.sha256 = (*stmt)->get_text(3);
    row.hash = depth == Depth::deep || seen % stride == 0;
    ++seen;
    rows.push_back(std::move(row));
    if (rows.size() == k_batch) flush();
  }
  flush();
  report.facts["rows"] = seen;
  report.facts["hashed"] = hashed;
  return {};
}

}  // namespace

CheckReport check_files(const TenantConfig& tenant, const MaintenanceSettings& settings,
                        Depth depth, const ProgressFn& progress) {
  CheckReport report("files");
  std::int64_t started = now_ms();
  const FilesCatalog& catalog = settings.files;
  report.facts["table"] = catalog.table;
  report.facts["root"] = catalog.root;
  auto finish = [&](std::optional<Error> error) {
    if (error) report.error = std::move(error);
    report.duration_ms = now_ms() - started;
    return report;
  };
  auto root_it = tenant.files.find(catalog.root);
  if (root_it == tenant.files.end())
    return finish(make_error(ExitCode::no_input, "core.integrity.no_files_root"));
  Fd root(::open(root_it->second.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root.valid()) return finish(io_error(root_it->second, errno));
  auto db = open_database(tenant.database, {.must_exist = true});
  if (!db) return finish(db.error());
  auto exists = (*db)->table_exists(catalog.table);
  if (!exists) return finish(exists.error());
  if (!*exists)
    return finish(make_error(ExitCode::no_input, "core.integrity.no_catalog",
                             {{"table", catalog.table}}));
  auto total = (*db)->count_rows(catalog.table);
  if (!total) return finish(total.error());
  // QUICK hashes only the sample; otherwise every file changed since the last such check.
  std::int64_t changed_since = depth == Depth::quick ? std::numeric_limits<std::int64_t>::max()
                                                     : last_complete_check(tenant) - 1000;
  Status scanned = scan_catalog(**db, catalog, root.get(), *total, depth, changed_since,
                                settings.threads, progress, report);
  if (!scanned) return finish(scanned.error());
  if (depth != Depth::quick)
    if (Status dir = make_directories(files_state(tenant).parent_path(), 0700); dir)
      (void)atomic_write(files_state(tenant), Json{{"started_ms", started}}.dump() + "\n", 0600);
  report.facts["depth"] = depth == Depth::quick ? "quick" : depth == Depth::deep ? "deep" : "normal";
  return finish(std::nullopt);
}

namespace {

Result<std::string> sha256_of_file(const std::filesystem::path& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return io_error(path, errno);
  std::vector<char> buffer(k_read_block);
  Sha256 hasher;
  for (;;) {
    ssize_t got = ::read(fd.get(), buffer.data(), buffer.size());
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return io_error(path, errno);
    if (got == 0) return hasher.hex();
    hasher.update({buffer.data(), static_cast<std::size_t>(got)});
  }
}

// Read the whole backup (every entry's hash, the manifest, the file's hash) or, without a key
// for an encrypted one, its file's SHA-256 against the sidecar.
Status verify_one(const BackupRepository& repo, const BackupInfo& info,
                  const BackupKeys* keys, bool content) {
  std::error_code ec;
  if (!std::filesystem::exists(repo.file_path(info), ec))
    return make_error(ExitCode::data_error, "core.integrity.backup_missing", {{"id", info.id}});
  if (content && (!info.encrypted || keys)) {
    BackupKeys none;
    auto read = read_backup(repo, info, keys ? *keys : none, {});
    if (!read) return read.error();
    return {};
  }
  auto digest = sha256_of_file(repo.file_path(info));
  if (!digest) return digest.error();
  if (*digest != info.file_sha256)
    return make_error(ExitCode::data_error, "core.integrity.backup_hash", {{"id", info.id}});
  return {};
}

}  // namespace

CheckReport check_backups(const TenantConfig& tenant, const MaintenanceSettings& settings,
                          Depth depth, const BackupKeys* keys,
                          std::int64_t now) {
  CheckReport report("backups");
  std::int64_t started = now_ms();
  auto finish = [&](std::optional<Error> error) {
    if (error) report.error = std::move(error);
    report.duration_ms = now_ms() - started;
    return report;
  };
  if (!tenant.backup.contains("repository"))
    return finish(make_error(ExitCode::config_error, "core.integrity.no_repository"));
  std::error_code ec;
  if (!std::filesystem::is_directory(tenant.backup["repository"].get<std::string>(), ec)) {
    report.findings.push_back({"no_backup", "db",
                               make_error(ExitCode::data_error, "core.integrity.no_backup")});
    return finish(std::nullopt);
  }
  auto repo = BackupRepository::open(tenant, false);
  if (!repo) return finish(repo.error());
  auto listed = repo->list();
  if (!listed) {
    if (listed.error().code != ExitCode::data_error) return finish(listed.error());
    report.findings.push_back({"sidecar", "", listed.error()});
    return finish(std::nullopt);
  }
  auto newest = health::newest_backups(tenant);
  if (!newest) return finish(newest.error());
  report.facts["backups"] = listed->size();
  report.facts["max_age_ms"] = settings.backup_max_age_ms;
  if (newest->empty())
    report.findings.push_back({"no_backup", "db",
                               make_error(ExitCode::data_error, "core.integrity.no_backup")});
  std::vector<std::string> newest_ids;
  for (const auto& fact : *newest) {
    newest_ids.push_back(fact.id);
    std::int64_t age = now - fact.created_ms;
    if (age > settings.backup_max_age_ms)
      report.findings.push_back(
          {"stale_backup", fact.target,
           make_error(ExitCode::data_error, "core.integrity.backup_stale",
                      {{"target", fact.target},
                       {"id", fact.id},
                       {"age", format_duration(age - age % 1000)},
                       {"max_age", format_duration(settings.backup_max_age_ms)}})});
  }
  std::int64_t verified = 0;
  bool key_missing = false;
  for (const auto& info : *listed) {
    bool is_newest = std::find(newest_ids.begin(), newest_ids.end(), info.id) != newest_ids.end();
    if (!is_newest && depth != Depth::deep) continue;
    if (info.encrypted && !keys) key_missing = true;
    Status ok = verify_one(*repo, info, keys, depth != Depth::quick);
    ++verified;
    if (ok) continue;
    if (ok.error().code != ExitCode::data_error) return finish(ok.error());
    report.findings.push_back({"corrupt_backup", info.id, ok.error()});
  }
  if (key_missing)
    report.notes.push_back(make_error(ExitCode::ok, "core.integrity.backup_no_key"));
  report.facts["verified"] = verified;
  return finish(std::nullopt);
}

}  // namespace dihya::integrity
