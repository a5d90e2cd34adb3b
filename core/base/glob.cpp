#include "core/base/glob.hpp"

#include <fnmatch.h>

#include <string>

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

}  // namespace dihya
