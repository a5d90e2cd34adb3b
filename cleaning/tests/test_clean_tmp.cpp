// clean_tmp end to end: what goes and what stays, dry run against the real run, refusals,
// the lock, and the safety cases (symlink swaps, bind mounts, locks, sockets, deep and wide
// trees). The [stress] cases run the full sizes in the meson suite "stress".
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <set>

#include "cleaning/tests/cleaning_support.hpp"

using namespace dihya::test;
using Json = nlohmann::json;

namespace {

Json last_audit(const Workspace& ws) {
  auto lines = read_lines(ws.audit_log());
  REQUIRE(!lines.empty());
  return Json::parse(lines.back());
}

// The (path, reason) pairs a --json run listed with ACTION.
std::set<std::pair<std::string, std::string>> listed(const Json& doc, const std::string& action) {
  std::set<std::pair<std::string, std::string>> out;
  for (const auto& p : doc["paths"])
    for (const auto& e : p["entries"])
      if (e["action"] == action)
        out.insert({e["path"].get<std::string>(), e["reason"].get<std::string>()});
  return out;
}

// A directory chain DEPTH levels deep below DIR, every level named "d".
void deep_tree(const fs::path& dir, int depth) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  for (int i = 0; i < depth; ++i) {
    REQUIRE(::mkdirat(fd, "d", 0755) == 0);
    int next = ::openat(fd, "d", O_RDONLY | O_DIRECTORY);
    ::close(fd);
    fd = next;
  }
  REQUIRE(::close(::openat(fd, "leaf", O_CREAT | O_WRONLY, 0644)) == 0);
  ::close(fd);
}

void wide_dir(const fs::path& dir, int count) {
  fs::create_directories(dir);
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  for (int i = 0; i < count; ++i) {
    std::string name = "f" + std::to_string(i);
    ::close(::openat(fd, name.c_str(), O_CREAT | O_WRONLY, 0644));
  }
  ::close(fd);
}

// While clean_tmp runs again and again (at least RUNS times), swap tmp/d for a symlink to a
// directory outside, over and over, until SWAPS swaps are done; the swapper refills d with
// old files each time it puts the directory back. Nothing outside may ever go.
void swap_race(int swaps, int runs_wanted) {
  CleaningWorkspace ws;
  fs::path outside = ws.dir() / "outside";
  for (int i = 0; i < 200; ++i) old_file(outside / "sub" / ("keep" + std::to_string(i)));
  for (int i = 0; i < 200; ++i) old_file(ws.tmp() / "d" / "sub" / ("f" + std::to_string(i)));
  auto before = tree_listing(outside);
  fs::path d = ws.tmp() / "d", real = ws.tmp() / "d.real";
  auto* shared = static_cast<std::atomic<int>*>(::mmap(nullptr, 2 * sizeof(std::atomic<int>),
                                                       PROT_READ | PROT_WRITE,
                                                       MAP_SHARED | MAP_ANONYMOUS, -1, 0));
  REQUIRE(shared != MAP_FAILED);
  std::atomic<int>& done = shared[0];  // swaps made
  std::atomic<int>& stop = shared[1];  // set by the parent once it has run enough
  done = 0;
  stop = 0;
  pid_t swapper = ::fork();
  if (swapper == 0) {
    for (int i = 0; i < swaps || !stop; ++i) {
      if (::rename(d.c_str(), real.c_str()) != 0) ::_exit(2);
      if (::symlink(outside.c_str(), d.c_str()) != 0) ::_exit(3);
      for (int spin = 0; spin < 200; ++spin) std::atomic_signal_fence(std::memory_order_seq_cst);
      ::unlink(d.c_str());
      if (::rename(real.c_str(), d.c_str()) != 0) ::_exit(4);
      ::mkdir((d / "sub").c_str(), 0755);
      std::string f = (d / "sub" / ("n" + std::to_string(i % 64))).string();
      int fd = ::open(f.c_str(), O_CREAT | O_WRONLY | O_NOFOLLOW, 0644);
      if (fd >= 0) ::close(fd);
      struct timespec old[2] = {{1, 0}, {1, 0}};
      ::utimensat(AT_FDCWD, f.c_str(), old, AT_SYMLINK_NOFOLLOW);
      done = i + 1;
    }
    ::_exit(0);
  }
  int runs = 0;
  while (runs < runs_wanted || done < swaps) {
    auto r = ws.clean_tmp({"--all", "--quiet"});
    INFO(r.err);
    CHECK((r.code == 0 || r.code == 74));  // a rename under its feet may fail one removal
    ++runs;
  }
  stop = 1;
  int status = 0;
  REQUIRE(::waitpid(swapper, &status, 0) == swapper);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(done >= swaps);
  CHECK(tree_listing(outside) == before);
  ::munmap(shared, 2 * sizeof(std::atomic<int>));
}

}  // namespace

TEST_CASE("clean_tmp removes what is old and keeps everything else", "[clean_tmp]") {
  CleaningWorkspace ws;
  fs::path t = ws.tmp();
  old_file(t / "old.txt", "12345");
  old_file(t / "deep" / "er" / "old.bin");
  make_old(t / "deep" / "er");
  make_old(t / "deep");
  write_text(t / "young.txt", "new");
  old_file(t / "notes.keep");
  fs::create_directories(t / "young_empty");
  fs::create_directories(t / "old_empty");
  make_old(t / "old_empty");
  fs::path outside = ws.dir() / "outside";
  old_file(outside / "precious");
  fs::create_directory_symlink(outside, t / "link");
  make_old(t / "link");
  REQUIRE(::mkfifo((t / "fifo").c_str(), 0644) == 0);
  make_old(t / "fifo");

  auto r = ws.clean_tmp({"--all", "--json"});
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(tree_listing(t) ==
        std::vector<std::string>{"fifo", "notes.keep", "young.txt", "young_empty"});
  CHECK(fs::exists(outside / "precious"));
  Json doc = Json::parse(r.out);
  CHECK(doc["files_removed"] == 6);  // old.txt, old.bin, er, deep, old_empty, link
  CHECK(doc["bytes_removed"] == 6);
  auto removed = listed(doc, "removed");
  CHECK(removed.count({"deep/er/old.bin", "age"}) == 1);
  CHECK(removed.count({"deep", "empty_dir"}) == 1);
  CHECK(removed.count({"link", "age"}) == 1);

  Json audit = last_audit(ws);
  CHECK(audit["tool"] == "clean_tmp");
  CHECK(audit["outcome"] == "success");
  CHECK(audit["details"]["files_removed"] == 6);
  CHECK(audit["details"]["paths"][0]["removed_bytes"] == 6);
  CHECK_FALSE(audit["details"]["paths"][0].contains("entries"));
  std::string prom = read_text(ws.state_dir() / "metrics" / "clean_tmp.prom");
  CHECK(prom.find("dihya_clean_files_removed_total{tenant=\"demo\",tool=\"clean_tmp\"} 6") !=
        std::string::npos);
  CHECK(prom.find("dihya_last_success_timestamp_seconds") != std::string::npos);

  // The counters carry over to the next run.
  old_file(t / "later");
  REQUIRE(ws.clean_tmp({"--path", "scratch"}).code == 0);
  prom = read_text(ws.state_dir() / "metrics" / "clean_tmp.prom");
  CHECK(prom.find("dihya_clean_files_removed_total{tenant=\"demo\",tool=\"clean_tmp\"} 7") !=
        std::string::npos);
}

TEST_CASE("clean_tmp --dry-run prints exactly what the run then removes", "[clean_tmp]") {
  CleaningWorkspace ws;
  fs::path t = ws.tmp();
  for (int i = 0; i < 40; ++i)
    old_file(t / ("dir" + std::to_string(i % 5)) / ("f" + std::to_string(i)));
  for (int i = 0; i < 5; ++i) make_old(t / ("dir" + std::to_string(i)));
  old_file(t / std::string("bad\xff\nname"));
  write_text(t / "dir0" / "young", "y");
  auto before = tree_listing(t);
  auto plan = ws.clean_tmp({"--all", "--dry-run", "--json"});
  INFO(plan.err);
  REQUIRE(plan.code == 0);
  CHECK(tree_listing(t) == before);
  auto planned = listed(Json::parse(plan.out), "remove");
  CHECK(planned.size() == 40 + 4 + 1);  // dir0 keeps its young file
  CHECK(planned.count({"bad\\xff\\nname", "age"}) == 1);

  auto human = ws.clean_tmp({"--all", "--dry-run"});
  CHECK(human.out.find("would remove scratch/bad\\xff\\nname (older than 1w)") !=
        std::string::npos);

  auto done = ws.clean_tmp({"--all", "--json"});
  REQUIRE(done.code == 0);
  CHECK(listed(Json::parse(done.out), "removed") == planned);
  CHECK(tree_listing(t) == std::vector<std::string>{"dir0", "dir0/young"});
  CHECK(last_audit(ws)["details"]["dry_run"] == false);
}

TEST_CASE("clean_tmp --older-than, size budget and exclusions", "[clean_tmp]") {
  CleaningWorkspace ws;
  fs::path t = ws.tmp();
  old_file(t / "three_days", "x", 3);
  old_file(t / "ten_days", "x", 10);
  REQUIRE(ws.clean_tmp({"--all"}).code == 0);
  CHECK(tree_listing(t) == std::vector<std::string>{"three_days"});
  REQUIRE(ws.clean_tmp({"--all", "--older-than", "2d"}).code == 0);
  CHECK(tree_listing(t).empty());

  ws.scratch()["max_bytes"] = "10";
  ws.save();
  old_file(t / "a", std::string(6, 'a'), 3);
  old_file(t / "b", std::string(6, 'b'), 2);
  old_file(t / "c", std::string(6, 'c'), 1);
  auto r = ws.clean_tmp({"--all", "--json"});
  REQUIRE(r.code == 0);
  CHECK(tree_listing(t) == std::vector<std::string>{"c"});  // oldest first until under 10 B
  CHECK(listed(Json::parse(r.out), "removed").count({"a", "budget"}) == 1);
}

TEST_CASE("clean_tmp refuses undeclared paths, bad options and bad config", "[clean_tmp]") {
  CleaningWorkspace ws;
  auto undeclared = ws.clean_tmp({"--path", "elsewhere"});
  CHECK(undeclared.code == 64);
  CHECK(undeclared.err.find("scratch") != std::string::npos);
  CHECK(last_audit(ws)["outcome"] == "failure");
  CHECK(ws.clean_tmp({}).code == 64);
  CHECK(ws.clean_tmp({"--all", "--path", "scratch"}).code == 64);
  CHECK(ws.clean_tmp({"--all", "--older-than", "soon"}).code == 64);
  CHECK(ws.clean_tmp({"--all", "--older-than", "-3d"}).code == 64);
  CHECK(ws.clean_tmp({"--all", "--max-runtime", "0"}).code == 64);

  auto denied = ws.run("clean_tmp", {"--all", "--user", "reader"});
  CHECK(denied.code == 77);
  CHECK(last_audit(ws)["outcome"] == "denied");

  struct Bad {
    const char* key;
    Json value;
    const char* path;
  };
  std::vector<Bad> bad = {
      {"exclude", Json::array({"[abc"}), "tenants.demo.cleaning.tmp[0].exclude[0]"},
      {"age", "seven days", "tenants.demo.cleaning.tmp[0].age"},
      {"path", "/", "tenants.demo.cleaning.tmp[0].path"},
      {"path", "data/other", "tenants.demo.cleaning.tmp[0].path"},
      {"path", "state/demo/..", "tenants.demo.cleaning.tmp[0].path"},
      {"age_by", Json::array({"btime"}), "tenants.demo.cleaning.tmp[0].age_by[0]"},
      {"colour", "blue", "tenants.demo.cleaning.tmp[0].colour"},
  };
  for (const auto& b : bad) {
    CleaningWorkspace w;
    w.scratch()[b.key] = b.value;
    w.save();
    auto r = w.clean_tmp({"--all"});
    INFO(b.key << " " << r.err);
    CHECK(r.code == 78);
    CHECK(r.err.find(b.path) != std::string::npos);
    auto check = w.run("check_config", {});
    CHECK(check.code == 78);
  }
}

TEST_CASE("a second clean_tmp of the tenant exits 75 while the first holds the lock",
          "[clean_tmp]") {
  CleaningWorkspace ws;
  fs::create_directories(ws.state_dir() / "cleaning");
  int fd = ::open((ws.state_dir() / "cleaning" / "clean_tmp.lock").c_str(), O_CREAT | O_RDWR, 0600);
  REQUIRE(::flock(fd, LOCK_EX) == 0);
  CHECK(ws.clean_tmp({"--all"}).code == 75);
  ::close(fd);
  CHECK(ws.clean_tmp({"--all"}).code == 0);
}

TEST_CASE("clean_tmp leaves locked directories, sockets and mounts alone", "[clean_tmp]") {
  CleaningWorkspace ws;
  fs::path t = ws.tmp();
  old_file(t / "locked" / "inside");
  make_old(t / "locked");
  int held = ::open((t / "locked").c_str(), O_RDONLY | O_DIRECTORY);
  REQUIRE(::flock(held, LOCK_SH) == 0);

  int sock = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string sock_path = (t / "app.sock").string();
  REQUIRE(sock_path.size() < sizeof addr.sun_path);
  std::strcpy(addr.sun_path, sock_path.c_str());
  REQUIRE(::bind(sock, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  make_old(t / "app.sock");

  fs::path elsewhere = ws.dir() / "mounted";
  old_file(elsewhere / "sub" / "data");
  fs::create_directories(t / "mnt");
  make_old(t / "mnt");
  bool mounted = ::mount(elsewhere.c_str(), (t / "mnt").c_str(), nullptr, MS_BIND, nullptr) == 0;
  if (!mounted) WARN("bind mount not possible here: that part is not checked");

  auto r = ws.clean_tmp({"--all", "--json"});
  INFO(r.err);
  CHECK(r.code == 0);
  CHECK(fs::exists(t / "locked" / "inside"));
  CHECK(fs::exists(t / "app.sock"));
  if (mounted) {
    CHECK(fs::exists(t / "mnt" / "sub" / "data"));
    CHECK(Json::parse(r.out)["paths"][0]["skipped_mounts"] == 1);
    ::umount2((t / "mnt").c_str(), MNT_DETACH);
  }
  CHECK(fs::exists(elsewhere / "sub" / "data"));
  ::close(held);
  ::close(sock);
  // Unlocked, the directory goes on the next run.
  REQUIRE(ws.clean_tmp({"--all"}).code == 0);
  CHECK_FALSE(fs::exists(t / "locked"));
}

TEST_CASE("clean_tmp keeps files open in a process when keep_open is set", "[clean_tmp]") {
  CleaningWorkspace ws;
  ws.scratch()["keep_open"] = true;
  ws.save();
  old_file(ws.tmp() / "held");
  old_file(ws.tmp() / "free");
  int fd = ::open((ws.tmp() / "held").c_str(), O_RDONLY);
  auto r = ws.clean_tmp({"--all", "--json"});
  ::close(fd);
  REQUIRE(r.code == 0);
  CHECK(tree_listing(ws.tmp()) == std::vector<std::string>{"held"});
  CHECK(Json::parse(r.out)["paths"][0]["kept_open"] == 1);
}

TEST_CASE("clean_tmp --max-runtime stops cleanly and the next run goes on", "[clean_tmp]") {
  CleaningWorkspace ws;
  wide_dir(ws.tmp() / "many", 20000);
  auto r = ws.clean_tmp({"--all", "--older-than", "0", "--max-runtime", "1ms", "--json"});
  INFO(r.err);
  REQUIRE(r.code == 0);
  Json doc = Json::parse(r.out);
  CHECK(doc["stopped"] == true);
  CHECK(fs::exists(ws.tmp() / "many"));
  REQUIRE(ws.clean_tmp({"--all", "--older-than", "0"}).code == 0);
  CHECK(tree_listing(ws.tmp()).empty());
}

TEST_CASE("clean_tmp never removes anything outside while directories are swapped for symlinks",
          "[clean_tmp]") {
  swap_race(2000, 5);
}

TEST_CASE("clean_tmp cleans deep and wide trees", "[clean_tmp]") {
  CleaningWorkspace ws;
  deep_tree(ws.tmp(), 5000);
  wide_dir(ws.tmp() / "wide", 50000);
  auto r = ws.clean_tmp({"--all", "--older-than", "0", "--quiet"});
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(tree_listing(ws.tmp()).empty());
}

TEST_CASE("stress: 10 000 symlink swaps during clean_tmp", "[stress]") {
  swap_race(10000, 20);
}

TEST_CASE("stress: a tree 100 000 levels deep", "[stress]") {
  CleaningWorkspace ws;
  deep_tree(ws.tmp(), 100000);
  auto r = ws.clean_tmp({"--all", "--older-than", "0", "--quiet"});
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(fs::is_empty(ws.tmp()));
}

TEST_CASE("stress: 1 000 000 entries in one directory", "[stress]") {
  CleaningWorkspace ws;
  wide_dir(ws.tmp() / "wide", 1000000);
  auto r = ws.clean_tmp({"--all", "--older-than", "0", "--quiet", "--json"});
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(Json::parse(r.out)["files_removed"] == 1000001);
  CHECK(fs::is_empty(ws.tmp()));
}
