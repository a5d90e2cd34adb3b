#include "tests/backup_support.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "core/backup/parts.hpp"
#include "core/base/clock.hpp"
#include "core/base/crypto.hpp"
#include "core/data/db.hpp"
#include "core/io/stream.hpp"
#include "core/testing/scratch_db.hpp"

namespace dihya::test {
namespace {

void set_mtime(const fs::path& path, std::int64_t sec, long nsec) {
  struct timespec times[2] = {{sec, nsec}, {sec, nsec}};
  ::utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW);
}

}  // namespace

BackupWorkspace::BackupWorkspace(bool generate_keys) {
  config()["tenants"]["demo"]["backup"] = {{"repository", "backups"},
                                           {"recipients", {"keys/backup.pub"}},
                                           {"identity", "secret/backup.key"}};
  save();
  auto seeded = run("seed", {"--scale", "200"});
  if (seeded.code != 0) throw std::runtime_error("seed failed: " + seeded.err);
  fs::create_directories(uploads() / "sub" / "deeper");
  write_text(uploads() / "a.txt", "alpha\n", 0640);
  write_text(uploads() / "sub" / "b.txt", "bravo — ⵣ العربية\n", 0600);
  write_text(uploads() / "sub" / "deeper" / "c.bin", std::string("\0\x01\x02zzz", 6), 0755);
  write_text(uploads() / "empty", "", 0444);
  fs::create_symlink("sub/b.txt", uploads() / "inside");
  fs::create_symlink("../../../../etc/passwd", uploads() / "escape");
  set_mtime(uploads() / "a.txt", 1700000000, 123456789);
  set_mtime(uploads() / "sub" / "b.txt", 1600000000, 5);
  set_mtime(uploads() / "inside", 1650000000, 42);
  set_mtime(uploads() / "sub" / "deeper", 1690000000, 7);
  set_mtime(uploads() / "sub", 1690000001, 0);
  ::chmod((uploads() / "sub" / "deeper").c_str(), 0710);
  if (generate_keys) {
    auto keys = run("rotate_keys", {"--generate"});
    if (keys.code != 0) throw std::runtime_error("rotate_keys failed: " + keys.err);
  }
}

std::string BackupWorkspace::database_dump() const {
  return test::database_dump("sqlite:" + database().string());
}

void BackupWorkspace::add_big_files(int n) const {
  fs::create_directories(uploads() / "big");
  std::string block(2 << 20, '\0');
  for (int i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < block.size(); j += 8) {
      std::uint64_t v = (static_cast<std::uint64_t>(i) << 32 | j) * 0x9E3779B97F4A7C15ULL;
      v ^= v >> 29;
      std::memcpy(block.data() + j, &v, 8);
    }
    write_text(uploads() / "big" / ("f" + std::to_string(i)), block, 0644);
  }
}

void BackupWorkspace::write_after_backup() const {
  write_text(uploads() / "new-after-backup.txt", "new\n");
}

bool BackupWorkspace::wait_for_partial_backup() const {
  fs::path work = repository() / ".tmp";
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    std::error_code ec;
    if (fs::exists(work, ec))
      for (const auto& entry : fs::directory_iterator(work, ec))
        if (entry.path().extension() == ".enc" && entry.file_size(ec) > 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

pid_t BackupWorkspace::spawn(const std::string& tool, const std::vector<std::string>& args) const {
  return spawn_tool(*this, tool, args);
}

pid_t spawn_tool(const Workspace& ws, const std::string& tool,
                 const std::vector<std::string>& args) {
  std::vector<std::string> argv = {tool_path(tool).string(), "--config", ws.config_path().string(),
                                   "--quiet"};
  argv.insert(argv.end(), args.begin(), args.end());
  pid_t pid = ::fork();
  if (pid == 0) {
    ::setenv("LANG", "C", 1);
    std::vector<char*> raw;
    for (auto& a : argv) raw.push_back(a.data());
    raw.push_back(nullptr);
    ::execv(raw[0], raw.data());
    ::_exit(127);
  }
  return pid;
}

std::string database_dump(const std::string& url) {
  auto db = open_database(url, {true});
  if (!db) throw std::runtime_error("cannot open " + url);
  auto names = (*db)->table_names();
  if (!names) throw std::runtime_error("cannot list tables of " + url);
  std::sort(names->begin(), names->end());
  std::string out;
  for (const auto& name : *names) out += "# " + name + "\n" + dump_table(**db, name);
  return out;
}

std::string tree_listing(const fs::path& root, const std::set<std::string>& skip) {
  std::vector<std::string> lines;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator();
       ++it) {
    std::string relative = fs::relative(it->path(), root).string();
    if (skip.count(relative)) continue;
    struct stat st {};
    ::lstat(it->path().c_str(), &st);
    std::string line = relative + " mode=" + std::to_string(st.st_mode) +
                       " mtime=" + std::to_string(st.st_mtim.tv_sec) + "." +
                       std::to_string(st.st_mtim.tv_nsec);
    if (S_ISREG(st.st_mode))
      line += " size=" + std::to_string(st.st_size) + " sha=" + sha256_hex(read_text(it->path()));
    else if (S_ISLNK(st.st_mode))
      line += " link=" + fs::read_symlink(it->path()).string();
    lines.push_back(line);
  }
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const auto& line : lines) out += line + "\n";
  return out;
}

std::string crafted_tar(const std::vector<CraftedEntry>& entries) {
  // The tar is written with libarchive directly: our ArchiveWriter refuses such names.
  std::string tar;
  ::archive* a = archive_write_new();
  archive_write_set_format_pax(a);
  archive_write_set_bytes_in_last_block(a, 1);
  archive_write_open(
      a, &tar, nullptr,
      [](::archive*, void* client, const void* buffer, size_t length) -> la_ssize_t {
        static_cast<std::string*>(client)->append(static_cast<const char*>(buffer), length);
        return static_cast<la_ssize_t>(length);
      },
      nullptr);
  for (const auto& e : entries) {
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, e.name.c_str());
    archive_entry_set_mtime(entry, 1700000000, 0);
    if (e.link_target.empty()) {
      archive_entry_set_filetype(entry, AE_IFREG);
      archive_entry_set_perm(entry, 0644);
      archive_entry_set_size(entry, static_cast<la_int64_t>(e.data.size()));
    } else {
      archive_entry_set_filetype(entry, AE_IFLNK);
      archive_entry_set_perm(entry, 0777);
      archive_entry_set_symlink(entry, e.link_target.c_str());
    }
    archive_write_header(a, entry);
    if (!e.data.empty()) archive_write_data(a, e.data.data(), e.data.size());
    archive_entry_free(entry);
  }
  archive_write_close(a);
  archive_write_free(a);
  return tar;
}

void write_zstd_file(const fs::path& file, const std::string& data) {
  Fd fd(::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600));
  auto sink = zstd_sink(fd_sink(fd.get()), 3, 1);
  if (!fd.valid() || !sink->write(data) || !sink->finish())
    throw std::runtime_error("cannot write " + file.string());
}

std::string craft_backup(const BackupWorkspace& ws, const std::vector<CraftedEntry>& entries) {
  std::string index;
  for (const auto& e : entries) {
    if (e.link_target.empty())
      index += index_line({e.name,
                           EntryType::file,
                           0644,
                           1700000000,
                           0,
                           static_cast<std::int64_t>(e.data.size()),
                           {}},
                          sha256_hex(e.data));
    else
      index += index_line({e.name, EntryType::symlink, 0777, 1700000000, 0, 0, e.link_target}, "");
  }
  std::int64_t created = now_ms();
  std::string id = "20200101T000000Z-files-crafted" + std::to_string(created % 100000);
  Json manifest = {{"format", "dihya-backup-manifest"},
                   {"version", 1},
                   {"id", id},
                   {"tenant", "demo"},
                   {"target", "files"},
                   {"index",
                    {{"entry", "index.jsonl"},
                     {"entries", entries.size()},
                     {"bytes", index.size()},
                     {"sha256", sha256_hex(index)}}}};
  std::string manifest_text = manifest.dump();
  std::vector<CraftedEntry> all = entries;
  all.push_back({"index.jsonl", index, {}});
  all.push_back({"manifest.json", manifest_text, {}});
  fs::create_directories(ws.repository());
  fs::path file = ws.repository() / (id + ".tar.zst");
  write_zstd_file(file, crafted_tar(all));
  std::string bytes = read_text(file);
  Json sidecar = {{"format", "dihya-backup-sidecar"},
                  {"version", 1},
                  {"id", id},
                  {"tenant", "demo"},
                  {"target", "files"},
                  {"tag", "crafted"},
                  {"created", format_rfc3339_ms(created)},
                  {"encrypted", false},
                  {"file", id + ".tar.zst"},
                  {"file_bytes", bytes.size()},
                  {"file_sha256", sha256_hex(bytes)},
                  {"data_bytes", 1},
                  {"entries", entries.size()},
                  {"manifest_sha256", sha256_hex(manifest_text)}};
  write_text(ws.repository() / (id + ".json"), sidecar.dump(2), 0600);
  return id;
}

}  // namespace dihya::test
