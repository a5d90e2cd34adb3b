#include "core/base/i18n.hpp"

#include <cstdlib>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>

#include "core/base/embedded_json.hpp"

namespace dihya {
namespace {

using Json = nlohmann::json;

const Json& catalog(Language language) {
  static std::mutex mutex;
  static std::map<Language, Json> parsed;
  std::lock_guard lock(mutex);
  auto it = parsed.find(language);
  if (it != parsed.end()) return it->second;
  Json merged = Json::object();
  for (std::size_t i = 0; i < embedded::k_blobs_count; ++i) {
    const auto& blob = embedded::k_blobs[i];
    if (std::string_view(blob.name) == language_code(language))
      merged.update(Json::parse(blob.json));
  }
  return parsed.emplace(language, std::move(merged)).first->second;
}

std::optional<long long> count_of(const MessageParams& params) {
  for (const auto& [key, value] : params) {
    if (key != "count") continue;
    char* end = nullptr;
    long long n = std::strtoll(value.c_str(), &end, 10);
    if (end != value.c_str()) return n;
  }
  return std::nullopt;
}

const Json* find_entry(Language language, std::string_view id) {
  const Json& cat = catalog(language);
  auto it = cat.find(std::string(id));
  return it == cat.end() ? nullptr : &*it;
}

std::string pick_form(const Json& entry, Language language, const MessageParams& params) {
  if (entry.is_string()) return entry.get<std::string>();
  auto n = count_of(params).value_or(0);
  auto it = entry.find(plural_category(language, n));
  if (it == entry.end()) it = entry.find("other");
  return it == entry.end() ? std::string() : it->get<std::string>();
}

std::string substitute(const std::string& pattern, const MessageParams& params);

bool whole_number(const std::string& value) {
  std::size_t start = !value.empty() && value[0] == '-' ? 1 : 0;
  if (start == value.size()) return false;
  for (std::size_t i = start; i < value.size(); ++i)
    if (value[i] < '0' || value[i] > '9') return false;
  return true;
}

// PARAMS with each whole number NAME drawn as the phrase core.count.NAME when the catalog has
// one ("3 rows", "1 table"): a message can hold several counts, each in its plural form, and
// what is stored (audit records) stays a number, drawn in the reader's language.
MessageParams counted(Language language, const MessageParams& params) {
  MessageParams out = params;
  for (auto& [key, value] : out) {
    if (key == "count" || !whole_number(value)) continue;
    std::string phrase = "core.count." + key;
    const Json* entry = find_entry(language, phrase);
    if (!entry) entry = find_entry(Language::fr, phrase);
    if (!entry) continue;
    MessageParams n = {{"count", value}};
    value = substitute(pick_form(*entry, language, n), n);
  }
  return out;
}

std::string substitute(const std::string& pattern, const MessageParams& params) {
  std::string out;
  out.reserve(pattern.size() + 32);
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    std::size_t close = pattern[i] == '{' ? pattern.find('}', i) : std::string::npos;
    if (close == std::string::npos) {
      out += pattern[i];
      continue;
    }
    std::string name = pattern.substr(i + 1, close - i - 1);
    bool found = false;
    for (const auto& [key, value] : params)
      if (key == name) {
        out += value;
        found = true;
        break;
      }
    if (!found) out += pattern.substr(i, close - i + 1);
    i = close;
  }
  return out;
}

}  // namespace

std::optional<Language> parse_language(std::string_view tag) {
  auto cut = tag.find_first_of("_.@-");
  std::string_view code = tag.substr(0, cut);
  if (code == "fr") return Language::fr;
  if (code == "en") return Language::en;
  if (code == "ar") return Language::ar;
  if (code == "kab") return Language::kab;
  return std::nullopt;
}

const char* language_code(Language language) {
  switch (language) {
    case Language::fr:
      return "fr";
    case Language::en:
      return "en";
    case Language::ar:
      return "ar";
    case Language::kab:
      return "kab";
  }
  return "fr";
}

bool is_right_to_left(Language language) {
  return language == Language::ar;
}

Language resolve_language(const std::optional<std::string>& cli,
                          const std::optional<std::string>& configured) {
  if (cli)
    if (auto lang = parse_language(*cli)) return *lang;
  for (const char* var : {"DIHYA_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"}) {
    const char* value = std::getenv(var);
    if (!value || !*value) continue;
    std::string_view list(value);
    // $LANGUAGE is a colon-separated priority list.
    while (!list.empty()) {
      auto colon = list.find(':');
      if (auto lang = parse_language(list.substr(0, colon))) return *lang;
      if (colon == std::string_view::npos) break;
      list.remove_prefix(colon + 1);
    }
  }
  if (configured)
    if (auto lang = parse_language(*configured)) return *lang;
  return Language::fr;
}

const char* plural_category(Language language, long long n) {
  long long abs_n = n < 0 ? -n : n;
  switch (language) {
    case Language::en:
      return abs_n == 1 ? "one" : "other";
    case Language::fr:
    case Language::kab:
      return abs_n <= 1 ? "one" : "other";
    case Language::ar: {
      long long mod100 = abs_n % 100;
      if (abs_n == 0) return "zero";
      if (abs_n == 1) return "one";
      if (abs_n == 2) return "two";
      if (mod100 >= 3 && mod100 <= 10) return "few";
      if (mod100 >= 11) return "many";
      return "other";
    }
  }
  return "other";
}

std::string Messages::text(std::string_view id, const MessageParams& params) const {
  const Json* entry = find_entry(m_language, id);
  Language used = m_language;
  if (!entry) {
    entry = find_entry(Language::fr, id);
    used = Language::fr;
  }
  if (!entry) {
    std::string fallback(id);
    for (const auto& [key, value] : params) fallback += " " + key + "=" + value;
    return fallback;
  }
  return substitute(pick_form(*entry, used, params), counted(used, params));
}

bool Messages::has(std::string_view id) const {
  return find_entry(m_language, id) != nullptr;
}

std::set<std::string> catalog_ids(Language language) {
  std::set<std::string> ids;
  for (const auto& [id, entry] : catalog(language).items()) ids.insert(id);
  return ids;
}

std::set<std::string> plural_forms(Language language, const std::string& id) {
  std::set<std::string> forms;
  const Json* entry = find_entry(language, id);
  if (entry && entry->is_object())
    for (const auto& [form, text] : entry->items()) forms.insert(form);
  return forms;
}

}  // namespace dihya
