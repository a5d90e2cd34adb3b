#pragma once

#include <string>
#include <vector>

#include "core/testing/workspace.hpp"

namespace dihya::test {

// A workspace whose tenant "demo" declares the temporary directory "scratch"
// (data/demo/tmp, a file root of the tenant), aged by mtime so tests can date files back.
class CleaningWorkspace : public Workspace {
 public:
  CleaningWorkspace();
  fs::path tmp() const { return dir() / "data" / "demo" / "tmp"; }
  nlohmann::json& scratch() { return config()["tenants"]["demo"]["cleaning"]["tmp"][0]; }
  RunResult clean_tmp(std::vector<std::string> args) const;
};

// Set the modification and access times of PATH (not following a symlink) DAYS in the past.
void make_old(const fs::path& path, int days = 30);
// Write an old file at PATH (parents created).
void old_file(const fs::path& path, const std::string& text = "x", int days = 30);
// Every path below ROOT, relative, sorted.
std::vector<std::string> tree_listing(const fs::path& root);

}  // namespace dihya::test
