#include <catch2/catch.hpp>

#include "core/base/fs.hpp"
#include "core/base/glob.hpp"
#include "core/testing/workspace.hpp"

using namespace dihya;
using namespace dihya::test;

TEST_CASE("atomic_write replaces the content and leaves no temporary file", "[fs]") {
  TempDir dir;
  fs::path file = dir.path() / "out.txt";
  write_text(file, "old", 0644);
  REQUIRE(atomic_write(file, "new content", 0600).ok());
  CHECK(read_text(file) == "new content");
  CHECK((fs::status(file).permissions() & fs::perms::all) ==
        (fs::perms::owner_read | fs::perms::owner_write));
  int entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path())) ++entries;
  CHECK(entries == 1);
}

TEST_CASE("atomic_write into a missing directory fails and creates nothing", "[fs]") {
  TempDir dir;
  Status status = atomic_write(dir.path() / "missing" / "out.txt", "x");
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().code == ExitCode::cant_create);
}

TEST_CASE("a held lock makes a second taker fail with 75", "[fs]") {
  TempDir dir;
  auto first = LockFile::acquire(dir.path() / "repo.lock", false);
  REQUIRE(first.ok());
  auto second = LockFile::acquire(dir.path() / "repo.lock", false);
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().code == ExitCode::temp_failure);
}

TEST_CASE("secret files must be 0600 regular files of the user", "[fs]") {
  TempDir dir;
  write_text(dir.path() / "ok", "s", 0600);
  write_text(dir.path() / "open", "s", 0640);
  CHECK(check_secret_file(dir.path() / "ok").ok());
  CHECK(check_secret_file(dir.path() / "open").error().id == "core.secret.too_open");
  CHECK(check_secret_file(dir.path() / "none").error().code == ExitCode::no_input);
  CHECK(check_secret_file(dir.path()).error().id == "core.secret.not_regular");
}

TEST_CASE("paths are confined to the tenant's roots, dot-dot and symlinks included", "[fs]") {
  TempDir dir;
  fs::create_directories(dir.path() / "tenant" / "files");
  fs::create_directories(dir.path() / "elsewhere");
  fs::create_symlink(dir.path() / "elsewhere", dir.path() / "tenant" / "files" / "escape");
  std::vector<fs::path> roots = {dir.path() / "tenant"};
  CHECK(confine_path(dir.path() / "tenant" / "files" / "a.txt", roots).ok());
  CHECK(confine_path(dir.path() / "tenant" / "files" / ".." / ".." / "elsewhere", roots)
            .error()
            .code == ExitCode::no_permission);
  CHECK_FALSE(confine_path(dir.path() / "tenant" / "files" / "escape" / "x", roots).ok());
  CHECK_FALSE(path_within(dir.path() / "tenant-two", dir.path() / "tenant"));
  CHECK(path_within(dir.path() / "tenant", dir.path() / "tenant"));
}

TEST_CASE("read_file distinguishes a missing file", "[fs]") {
  TempDir dir;
  CHECK(read_file(dir.path() / "none").error().code == ExitCode::no_input);
  write_text(dir.path() / "f", std::string(200000, 'x'));
  CHECK(read_file(dir.path() / "f")->size() == 200000);
}

TEST_CASE(
    "path globs: * stays in one component, ** spans any number, a directory takes its content",
    "[glob]") {
  CHECK(path_glob_match("uploads/*.pdf", "uploads/a.pdf"));
  CHECK_FALSE(path_glob_match("uploads/*.pdf", "uploads/2024/a.pdf"));
  CHECK_FALSE(path_glob_match("*.pdf", "uploads/a.pdf"));
  CHECK(path_glob_match("uploads/**/*.pdf", "uploads/a.pdf"));
  CHECK(path_glob_match("uploads/**/*.pdf", "uploads/2024/06/a.pdf"));
  CHECK(path_glob_match("**/*.pdf", "uploads/2024/a.pdf"));
  CHECK_FALSE(path_glob_match("**/*.pdf", "uploads/2024/a.pdfx"));
  CHECK(path_glob_match("uploads/2024", "uploads/2024/06/a.pdf"));  // a directory's content
  CHECK_FALSE(path_glob_match("uploads/2024", "uploads/20245/a.pdf"));
  CHECK(path_glob_match("**", "anything/at/all"));
  CHECK(path_glob_match("uploads/facture*", "uploads/facture été 2024.pdf"));
  CHECK(path_glob_match("uploads/[a-c]?.txt", "uploads/b1.txt"));
  CHECK_FALSE(path_glob_match("uploads/a?txt", "uploads/a/txt"));
  CHECK_FALSE(path_glob_match("", "uploads/a.txt"));
}
