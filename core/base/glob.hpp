#pragma once

#include <string_view>

// Shell globs (`*.keep`, `cache/[0-9]*`) as config files and options give them, matched on
// bytes with fnmatch(3).
namespace dihya {

// True when PATTERN is a glob fnmatch reads as meant: not empty, no NUL, brackets closed,
// no trailing backslash.
bool valid_glob(std::string_view pattern);
// True when NAME matches PATTERN; a pattern with a '/' is matched against the whole relative
// PATH, one without against the last component NAME.
bool glob_match(std::string_view pattern, std::string_view name, std::string_view path);
// True when PATTERN matches the relative PATH, or one of its parent directories (so a
// directory's pattern takes what is under it), component by component: `*`, `?` and `[…]`
// never cross a '/', a whole component `**` matches any number of them (none too).
// `uploads/*.pdf`: PDFs right under uploads; `uploads/**/*.pdf`: at any depth below.
bool path_glob_match(std::string_view pattern, std::string_view path);

}  // namespace dihya
