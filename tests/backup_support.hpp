#pragma once

#include <sys/types.h>

#include <set>
#include <string>
#include <vector>

#include "core/testing/workspace.hpp"

// A workspace for the backup suite's end-to-end tests.
namespace dihya::test {

// The default workspace with a seeded database (200 users), a file tree with modes, mtimes,
// a nested directory and links (one inside, one leading out of the root), a repository, and
// (unless told otherwise) a generated key pair.
class BackupWorkspace : public Workspace {
 public:
  explicit BackupWorkspace(bool generate_keys = true);
  fs::path uploads() const { return dir() / "data/demo/uploads"; }
  fs::path database() const { return dir() / "data/demo/app.db"; }
  fs::path repository() const { return dir() / "backups"; }
  fs::path identity() const { return dir() / "secret" / "backup.key"; }
  std::string database_dump() const;
  // Add N files of 2 MiB of random bytes to the tree (work long enough to be interrupted).
  void add_big_files(int n) const;
  void write_after_backup() const;
  // Wait (at most a minute) until an encrypted backup is being written under .tmp/.
  bool wait_for_partial_backup() const;
  // Start a tool without waiting for it.
  pid_t spawn(const std::string& tool, const std::vector<std::string>& args) const;
};

// Start TOOL of WS with ARGS (and --quiet) without waiting for it.
pid_t spawn_tool(const Workspace& ws, const std::string& tool,
                 const std::vector<std::string>& args);

// Every table of the database at URL, dumped in a canonical text form.
std::string database_dump(const std::string& url);
// One line per entry under ROOT: path, type, mode, mtime (ns), size and SHA-256 or link
// target, in path order; names in SKIP are left out.
std::string tree_listing(const fs::path& root, const std::set<std::string>& skip = {});

struct CraftedEntry {
  std::string name;
  std::string data;
  std::string link_target;  // a symlink when not empty
};
// A tar stream of ENTRIES written as given (names unchecked), and DATA compressed into FILE.
std::string crafted_tar(const std::vector<CraftedEntry>& entries);
void write_zstd_file(const fs::path& file, const std::string& data);

// Write a plain backup into WS's repository holding ENTRIES (names as given, unchecked), with a
// manifest and sidecar that match them, so only the names or links are wrong. Returns its id.
std::string craft_backup(const BackupWorkspace& ws, const std::vector<CraftedEntry>& entries);

}  // namespace dihya::test
