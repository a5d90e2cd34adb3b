#include "core/base/glob.hpp"

#include <fnmatch.h>

#include <string>
#include <vector>

namespace dihya {

bool valid_glob(std::string_view pattern) {
  if (pattern.empty() || pattern.find('\0') != std::string_view::npos) return false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\') {
      if (++i == pattern.size()) return false;
    } else if (c == '[') {
      std::size_t j = i + 1;
      if (j < pattern.size() && (pattern[j] == '!' || pattern[j] == '^')) ++j;
      if (j < pattern.size() && pattern[j] == ']') ++j;  // "[]x]" holds a ']'
      while (j < pattern.size() && pattern[j] != ']') ++j;
      if (j == pattern.size()) return false;
      i = j;
    }
  }
  return true;
}

bool glob_match(std::string_view pattern, std::string_view name, std::string_view path) {
  std::string p(pattern);
  if (p.find('/') != std::string::npos)
    return ::fnmatch(p.c_str(), std::string(path).c_str(), FNM_PATHNAME | FNM_PERIOD) == 0;
  return ::fnmatch(p.c_str(), std::string(name).c_str(), 0) == 0;
}

namespace {

std::vector<std::string> components(std::string_view text) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('/', start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) parts.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

}  // namespace

bool path_glob_match(std::string_view pattern, std::string_view path) {
  const std::vector<std::string> pat = components(pattern), comp = components(path);
  const std::size_t n = comp.size();
  // reach[j]: the pattern's components so far match the path's first j components.
  std::vector<char> reach(n + 1, 0);
  reach[0] = 1;
  for (const auto& part : pat) {
    std::vector<char> next(n + 1, 0);
    if (part == "**") {
      char any = 0;
      for (std::size_t j = 0; j <= n; ++j) next[j] = any = static_cast<char>(any || reach[j]);
    } else {
      for (std::size_t j = 0; j < n; ++j)
        if (reach[j] && ::fnmatch(part.c_str(), comp[j].c_str(), 0) == 0) next[j + 1] = 1;
    }
    reach = std::move(next);
  }
  for (std::size_t j = 1; j <= n; ++j)
    if (reach[j]) return true;
  return false;
}

}  // namespace dihya
