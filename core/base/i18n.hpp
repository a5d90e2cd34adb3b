#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "core/base/error.hpp"

namespace dihya {

enum class Language { fr, en, ar, kab };

inline constexpr Language k_all_languages[] = {Language::fr, Language::en, Language::ar,
                                               Language::kab};

// Parse "fr", "en_GB.UTF-8", "kab_DZ"…; nothing for unsupported ones ("C", "de").
std::optional<Language> parse_language(std::string_view tag);
const char* language_code(Language language);
bool is_right_to_left(Language language);

// Resolve the language: CLI, then $DIHYA_LANG, $LANGUAGE, $LC_ALL, $LC_MESSAGES, $LANG,
// then the configured one, then French.
Language resolve_language(const std::optional<std::string>& cli,
                          const std::optional<std::string>& configured);

// CLDR plural category of N in LANGUAGE: zero, one, two, few, many or other.
const char* plural_category(Language language, long long n);

// Localized messages, looked up by id in the catalogs of every module.
class Messages {
 public:
  explicit Messages(Language language = Language::fr) : m_language(language) {}

  Language language() const { return m_language; }
  // Return the text of ID with PARAMS substituted ({name}); the plural form follows
  // the "count" parameter. Falls back to French, then to the id itself.
  std::string text(std::string_view id, const MessageParams& params = {}) const;
  std::string text(const Error& error) const { return text(error.id, error.params); }
  bool has(std::string_view id) const;

 private:
  Language m_language;
};

// Every message id of LANGUAGE's catalogs (for completeness tests).
std::set<std::string> catalog_ids(Language language);
// The plural categories a message of LANGUAGE provides, empty when it is not plural.
std::set<std::string> plural_forms(Language language, const std::string& id);

}  // namespace dihya
