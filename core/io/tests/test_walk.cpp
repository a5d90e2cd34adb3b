#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "core/io/walk.hpp"
#include "core/testing/workspace.hpp"

using namespace dihya;
using namespace dihya::test;

namespace {

// Record every path visited and left, entering every directory.
struct Recorder : WalkVisitor {
  std::vector<std::string> visited, left, skips;
  std::size_t max_depth = 0;
  WalkStep visit(const WalkEntry& e) override {
    visited.emplace_back(e.path);
    max_depth = std::max(max_depth, e.depth);
    return WalkStep::enter;
  }
  void leave(const WalkEntry& e) override { left.emplace_back(e.path); }
  void skipped(const WalkEntry& e, WalkSkip why, int) override {
    skips.push_back(std::string(e.path) + ":" + walk_skip_name(why));
  }
};

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace

TEST_CASE("the walk visits every entry, parents first, and never follows a symlink", "[walk]") {
  TempDir dir;
  fs::path root = dir.path() / "root";
  fs::create_directories(root / "a" / "b");
  fs::create_directories(dir.path() / "outside" / "secret");
  write_text(root / "a" / "b" / "f", "x");
  write_text(root / "top", "y");
  fs::create_directory_symlink(dir.path() / "outside", root / "link");
  Recorder r;
  REQUIRE(walk_tree(root, {}, r));
  CHECK(sorted(r.visited) == std::vector<std::string>{"a", "a/b", "a/b/f", "link", "top"});
  CHECK(r.left == std::vector<std::string>{"a/b", "a"});
  // "link" is a symlink: visit() asked to enter it, but it is not a directory.
  CHECK(r.skips.empty());
}

TEST_CASE("the walk reads names as bytes and prints them escaped", "[walk]") {
  TempDir dir;
  std::string odd = std::string("bad\xff") + "\nname";
  write_text(dir.path() / odd, "x");
  Recorder r;
  REQUIRE(walk_tree(dir.path(), {}, r));
  REQUIRE(r.visited.size() == 1);
  CHECK(r.visited[0] == odd);
  CHECK(printable_name(odd) == "bad\\xff\\nname");
  CHECK(printable_name("caf\xc3\xa9 \\") == "caf\xc3\xa9 \\\\");
  CHECK(printable_name("\xc0\xaf") == "\\xc0\\xaf");  // overlong '/'
}

TEST_CASE("a deep tree is walked iteratively with few open directories", "[walk]") {
  TempDir dir;
  constexpr int k_depth = 3000;
  Fd fd(::open(dir.path().c_str(), O_RDONLY | O_DIRECTORY));
  for (int i = 0; i < k_depth; ++i) {
    REQUIRE(::mkdirat(fd.get(), "d", 0755) == 0);
    fd = Fd(::openat(fd.get(), "d", O_RDONLY | O_DIRECTORY));
    REQUIRE(fd.valid());
  }
  Recorder r;
  REQUIRE(walk_tree(dir.path(), {.max_open_dirs = 4}, r));
  CHECK(r.visited.size() == k_depth);
  CHECK(r.left.size() == k_depth);
  CHECK(r.max_depth == k_depth);
  // Remove it the way a cleaner does, from the leaves up.
  struct Remover : WalkVisitor {
    WalkStep visit(const WalkEntry&) override { return WalkStep::enter; }
    void leave(const WalkEntry& e) override {
      std::string name(e.name);
      CHECK(::unlinkat(e.dir_fd, name.c_str(), AT_REMOVEDIR) == 0);
    }
  } remover;
  REQUIRE(walk_tree(dir.path(), {.max_open_dirs = 3}, remover));
  CHECK(fs::is_empty(dir.path()));
}

TEST_CASE("a locked directory is skipped when asked, a missing root is 66", "[walk]") {
  TempDir dir;
  fs::create_directories(dir.path() / "locked");
  write_text(dir.path() / "locked" / "inside", "x");
  // Another open file description holds the lock (flock locks belong to it).
  Fd held(::open((dir.path() / "locked").c_str(), O_RDONLY | O_DIRECTORY));
  REQUIRE(::flock(held.get(), LOCK_EX) == 0);
  Recorder r;
  REQUIRE(walk_tree(dir.path(), {.skip_locked = true}, r));
  CHECK(r.visited == std::vector<std::string>{"locked"});
  CHECK(r.skips == std::vector<std::string>{"locked:locked"});
  Recorder missing;
  auto gone = walk_tree(dir.path() / "nope", {}, missing);
  REQUIRE_FALSE(gone);
  CHECK(gone.error().code == ExitCode::no_input);
  Recorder via_link;
  fs::create_directory_symlink(dir.path() / "locked", dir.path() / "rootlink");
  CHECK_FALSE(walk_tree(dir.path() / "rootlink", {}, via_link));
}

TEST_CASE("open_files sees a file this process holds open", "[walk]") {
  TempDir dir;
  write_text(dir.path() / "held", "x");
  Fd fd(::open((dir.path() / "held").c_str(), O_RDONLY));
  struct stat st {};
  REQUIRE(::fstat(fd.get(), &st) == 0);
  FileKeySet open = open_files();
  CHECK(open.count({static_cast<std::uint64_t>(st.st_dev), st.st_ino}) == 1);
}
