#include "monitoring/textfile.hpp"

#include <cctype>
#include <sstream>

namespace dihya::monitoring {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// The metric name at the start of a sample line, and where its series key ends.
std::string sample_name(std::string_view line) {
  std::size_t end = 0;
  while (end < line.size() && line[end] != '{' && line[end] != ' ' && line[end] != '\t') ++end;
  return std::string(line.substr(0, end));
}

std::string series_key(std::string_view line) {
  std::size_t brace = line.find('{');
  std::size_t space = line.find_first_of(" \t");
  if (brace != std::string_view::npos && (space == std::string_view::npos || brace < space)) {
    std::size_t close = line.find('}', brace);
    return std::string(line.substr(0, close == std::string_view::npos ? line.size() : close + 1));
  }
  return std::string(line.substr(0, space));
}

// The family a sample belongs to: a histogram's or summary's _bucket, _sum and _count go
// with their declared family.
std::string family_of(const std::string& name, const std::map<std::string, std::string>& typed) {
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    std::string_view s(suffix);
    if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0) {
      std::string base = name.substr(0, name.size() - s.size());
      auto it = typed.find(base);
      if (it != typed.end() && (it->second == "histogram" || it->second == "summary")) return base;
    }
  }
  return name;
}

}  // namespace

bool valid_metric_name(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    bool ok = std::isalpha(c) || c == '_' || c == ':' || (i > 0 && std::isdigit(c));
    if (!ok) return false;
  }
  return true;
}

bool TextfileMerger::add_sample(const std::string& name, std::string line) {
  if (!m_series.insert(series_key(line)).second) return false;
  family(name).samples.push_back(std::move(line));
  return true;
}

bool TextfileMerger::add(std::string_view text, const std::string&) {
  std::map<std::string, std::string> typed, helps;
  std::set<std::string> rejected;
  std::vector<std::pair<std::string, std::string>> samples;
  bool clean = true;
  std::istringstream in{std::string(text)};
  std::string raw;
  while (std::getline(in, raw)) {
    std::string_view line = trim(raw);
    if (line.empty()) continue;
    if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) {
      std::string_view rest = line.substr(7);
      std::size_t space = rest.find(' ');
      std::string name(rest.substr(0, space));
      std::string value(space == std::string_view::npos ? "" : trim(rest.substr(space + 1)));
      if (!valid_metric_name(name)) {
        clean = false;
        continue;
      }
      (line[2] == 'H' ? helps : typed)[name] = value;
      continue;
    }
    if (line.front() == '#') continue;
    std::string name = sample_name(line);
    if (!valid_metric_name(name)) {
      clean = false;
      continue;
    }
    samples.emplace_back(family_of(name, typed), std::string(line));
  }
  for (const auto& [name, type] : typed) {
    Family& f = family(name);
    if (f.type.empty() && f.samples.empty()) {
      f.type = type;
      if (helps.count(name)) f.help = helps[name];
    } else if (f.type != type) {
      rejected.insert(name);
    }
  }
  for (auto& [name, line] : samples) {
    if (rejected.count(name)) continue;
    Family& f = family(name);
    if (f.help.empty() && helps.count(name)) f.help = helps[name];
    if (!add_sample(name, std::move(line))) clean = false;
  }
  if (!rejected.empty()) clean = false;
  if (!clean) ++m_errors;
  return clean;
}

void TextfileMerger::add_family(const std::string& name, const std::string& help,
                                const std::string& type, const std::vector<std::string>& samples) {
  Family& f = family(name);
  if (!f.type.empty() && f.type != type) {
    ++m_errors;
    return;
  }
  if (f.help.empty()) f.help = help;
  f.type = type;
  for (const auto& sample : samples) add_sample(name, sample);
}

std::string TextfileMerger::render() const {
  std::string out;
  for (const auto& [name, f] : m_families) {
    if (f.samples.empty()) continue;
    if (!f.help.empty()) out += "# HELP " + name + " " + f.help + "\n";
    if (!f.type.empty()) out += "# TYPE " + name + " " + f.type + "\n";
    for (const auto& sample : f.samples) out += sample + "\n";
  }
  return out;
}

}  // namespace dihya::monitoring
