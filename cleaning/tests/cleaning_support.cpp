#include "cleaning/tests/cleaning_support.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <ctime>

namespace dihya::test {

CleaningWorkspace::CleaningWorkspace() {
  auto& tenant = config()["tenants"]["demo"];
  tenant["files"]["tmp"] = "data/demo/tmp";
  tenant["cleaning"] = {{"tmp",
                         {{{"name", "scratch"},
                           {"path", "data/demo/tmp"},
                           {"age", "7d"},
                           {"age_by", {"mtime"}},
                           {"exclude", {"*.keep"}}}}}};
  fs::create_directories(tmp());
  save();
}

RunResult CleaningWorkspace::clean_tmp(std::vector<std::string> args) const {
  return run("clean_tmp", args);
}

void make_old(const fs::path& path, int days) {
  struct timespec times[2];
  times[0].tv_sec = times[1].tv_sec = std::time(nullptr) - days * 86400L;
  times[0].tv_nsec = times[1].tv_nsec = 0;
  if (::utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0)
    throw std::runtime_error("utimensat " + path.string());
}

void old_file(const fs::path& path, const std::string& text, int days) {
  fs::create_directories(path.parent_path());
  write_text(path, text);
  make_old(path, days);
}

std::vector<std::string> tree_listing(const fs::path& root) {
  std::vector<std::string> out;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator();
       ++it)
    out.push_back(fs::relative(it->path(), root).string());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace dihya::test
