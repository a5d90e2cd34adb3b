#include "core/base/json_check.hpp"

#include <algorithm>
#include <set>

#include "core/base/units.hpp"

namespace dihya {

std::string JsonChecker::join(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

std::string JsonChecker::index_path(const std::string& path, std::size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

void JsonChecker::issue(const std::string& path, std::string id, MessageParams params) {
  params.insert(params.begin(), {"path", path.empty() ? "$" : path});
  m_issues.push_back(make_error(m_code, std::move(id), std::move(params)));
}

bool JsonChecker::parse(const std::string& text, Json& document) {
  // Reject duplicate keys, which Json would silently merge.
  std::vector<std::pair<std::set<std::string>, std::string>> stack;
  std::string last_key, path_of_key;
  auto path_now = [&] {
    std::string path;
    for (std::size_t i = 1; i < stack.size(); ++i) path = join(path, stack[i].second);
    return path;
  };
  auto callback = [&](int, Json::parse_event_t event, Json& parsed) {
    if (event == Json::parse_event_t::object_start || event == Json::parse_event_t::array_start) {
      stack.push_back({{}, last_key});
    } else if (event == Json::parse_event_t::object_end ||
               event == Json::parse_event_t::array_end) {
      if (!stack.empty()) stack.pop_back();
    } else if (event == Json::parse_event_t::key) {
      last_key = parsed.get<std::string>();
      if (!stack.empty() && !stack.back().first.insert(last_key).second)
        issue(join(path_now(), last_key), "core.json.duplicate_key");
    }
    return true;
  };
  try {
    document = Json::parse(text, callback);
  } catch (const Json::parse_error& e) {
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i + 1 < e.byte && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    issue("", "core.json.not_json",
          {{"line", std::to_string(line)}, {"column", std::to_string(column)}});
    return false;
  }
  return true;
}

bool JsonChecker::expect_object(const Json& value, const std::string& path,
                                std::span<const std::string_view> allowed) {
  if (!value.is_object()) {
    issue(path, "core.json.expected_object");
    return false;
  }
  for (const auto& [key, item] : value.items()) {
    bool known =
        allowed.size() == 0 || std::find(allowed.begin(), allowed.end(), key) != allowed.end();
    if (!known && !reported_elsewhere(key)) issue(join(path, key), "core.json.unknown_key");
  }
  return true;
}

std::optional<std::string> JsonChecker::get_string(const Json& object, const std::string& key,
                                                   const std::string& path, bool required) {
  auto it = object.find(key);
  if (it == object.end()) {
    if (required) issue(join(path, key), "core.json.missing_key");
    return std::nullopt;
  }
  if (!it->is_string() || it->get<std::string>().empty()) {
    issue(join(path, key), "core.json.expected_string");
    return std::nullopt;
  }
  return it->get<std::string>();
}

std::optional<long long> JsonChecker::get_integer(const Json& object, const std::string& key,
                                                  const std::string& path, long long min,
                                                  long long max) {
  auto it = object.find(key);
  if (it == object.end()) return std::nullopt;
  bool integral = it->is_number_integer() || it->is_number_unsigned();
  if (!integral || it->get<long long>() < min || it->get<long long>() > max) {
    issue(join(path, key),
          min == 0 && max == k_no_limit ? "core.json.expected_nonneg_integer"
                                        : "core.json.expected_integer_range",
          {{"min", std::to_string(min)}, {"max", std::to_string(max)}});
    return std::nullopt;
  }
  return it->get<long long>();
}

std::optional<std::int64_t> JsonChecker::get_duration_ms(const Json& object, const std::string& key,
                                                         const std::string& path) {
  auto it = object.find(key);
  if (it == object.end()) return std::nullopt;
  auto ms = it->is_string() ? parse_duration_ms(it->get<std::string>()) : std::nullopt;
  if (!ms) issue(join(path, key), "core.json.expected_duration");
  return ms;
}

std::optional<std::uint64_t> JsonChecker::get_size(const Json& object, const std::string& key,
                                                   const std::string& path) {
  auto it = object.find(key);
  if (it == object.end()) return std::nullopt;
  std::optional<std::uint64_t> bytes;
  if (it->is_string())
    bytes = parse_size(it->get<std::string>());
  else if (it->is_number_unsigned() || (it->is_number_integer() && it->get<long long>() >= 0))
    bytes = it->get<std::uint64_t>();
  if (!bytes) issue(join(path, key), "core.json.expected_size");
  return bytes;
}

std::vector<std::string> JsonChecker::get_strings(const Json& object, const std::string& key,
                                                  const std::string& path) {
  std::vector<std::string> out;
  auto it = object.find(key);
  if (it == object.end()) return out;
  if (!it->is_array()) {
    issue(join(path, key), "core.json.expected_array");
    return out;
  }
  for (std::size_t i = 0; i < it->size(); ++i) {
    const Json& item = (*it)[i];
    if (item.is_string() && !item.get<std::string>().empty())
      out.push_back(item.get<std::string>());
    else
      issue(index_path(join(path, key), i), "core.json.expected_string");
  }
  return out;
}

}  // namespace dihya
