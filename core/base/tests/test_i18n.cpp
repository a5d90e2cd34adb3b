#include <catch2/catch.hpp>
#include <cstdlib>
#include <regex>

#include "core/base/i18n.hpp"

using namespace dihya;

namespace {

// Set environment variables for the scope of a test, restoring them after.
class ScopedEnv {
 public:
  ScopedEnv(std::initializer_list<std::pair<const char*, const char*>> vars) {
    for (const char* name : {"DIHYA_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"}) {
      const char* old = std::getenv(name);
      m_saved.emplace_back(name, old ? std::optional<std::string>(old) : std::nullopt);
      ::unsetenv(name);
    }
    for (const auto& [name, value] : vars) ::setenv(name, value, 1);
  }
  ~ScopedEnv() {
    for (const auto& [name, value] : m_saved)
      value ? ::setenv(name, value->c_str(), 1) : ::unsetenv(name);
  }

 private:
  std::vector<std::pair<const char*, std::optional<std::string>>> m_saved;
};

bool has_arabic_letters(const std::string& text) {
  // U+0600–U+06FF are encoded as 0xD8–0xDB lead bytes in UTF-8.
  for (unsigned char c : text)
    if (c >= 0xD8 && c <= 0xDB) return true;
  return false;
}

}  // namespace

TEST_CASE("every catalog has every message id of the French reference", "[i18n]") {
  auto reference = catalog_ids(Language::fr);
  REQUIRE(reference.size() > 50);
  for (Language lang : {Language::en, Language::ar, Language::kab}) {
    auto ids = catalog_ids(lang);
    for (const auto& id : reference) {
      INFO(language_code(lang) << " lacks " << id);
      CHECK(ids.count(id) == 1);
    }
    for (const auto& id : ids) {
      INFO(language_code(lang) << " has an id the reference lacks: " << id);
      CHECK(reference.count(id) == 1);
    }
  }
}

TEST_CASE("plural messages provide every form their language needs", "[i18n]") {
  for (const auto& id : catalog_ids(Language::fr)) {
    if (plural_forms(Language::fr, id).empty()) continue;
    INFO(id);
    CHECK(plural_forms(Language::en, id) == std::set<std::string>{"one", "other"});
    CHECK(plural_forms(Language::kab, id) == std::set<std::string>{"one", "other"});
    CHECK(plural_forms(Language::ar, id) ==
          std::set<std::string>{"zero", "one", "two", "few", "many", "other"});
  }
}

TEST_CASE("placeholders survive translation", "[i18n]") {
  const std::regex placeholder(R"(\{[a-z_]+\})");
  auto names = [&](const std::string& text) {
    std::set<std::string> out;
    for (std::sregex_iterator it(text.begin(), text.end(), placeholder), end; it != end; ++it)
      out.insert(it->str());
    return out;
  };
  for (const auto& id : catalog_ids(Language::fr)) {
    if (!plural_forms(Language::fr, id).empty()) continue;
    auto expected = names(Messages(Language::fr).text(id));
    for (Language lang : {Language::en, Language::ar, Language::kab}) {
      INFO(language_code(lang) << " " << id);
      // Unresolved placeholders are left as they are, so the text shows which it holds.
      CHECK(names(Messages(lang).text(id)) == expected);
    }
  }
}

TEST_CASE("CLDR plural categories", "[i18n]") {
  CHECK(std::string(plural_category(Language::fr, 0)) == "one");
  CHECK(std::string(plural_category(Language::fr, 1)) == "one");
  CHECK(std::string(plural_category(Language::fr, 2)) == "other");
  CHECK(std::string(plural_category(Language::en, 0)) == "other");
  CHECK(std::string(plural_category(Language::en, 1)) == "one");
  CHECK(std::string(plural_category(Language::kab, 1)) == "one");
  CHECK(std::string(plural_category(Language::kab, 5)) == "other");
  CHECK(std::string(plural_category(Language::ar, 0)) == "zero");
  CHECK(std::string(plural_category(Language::ar, 1)) == "one");
  CHECK(std::string(plural_category(Language::ar, 2)) == "two");
  CHECK(std::string(plural_category(Language::ar, 7)) == "few");
  CHECK(std::string(plural_category(Language::ar, 103)) == "few");
  CHECK(std::string(plural_category(Language::ar, 11)) == "many");
  CHECK(std::string(plural_category(Language::ar, 99)) == "many");
  CHECK(std::string(plural_category(Language::ar, 100)) == "other");
  CHECK(std::string(plural_category(Language::ar, 102)) == "other");
}

TEST_CASE("messages substitute parameters and pick the plural form", "[i18n]") {
  Messages fr(Language::fr), en(Language::en), ar(Language::ar);
  CHECK(fr.text("ops.audit.shown", {{"count", "1"}}) == "1 enregistrement affiché");
  CHECK(fr.text("ops.audit.shown", {{"count", "4"}}) == "4 enregistrements affichés");
  CHECK(en.text("ops.audit.shown", {{"count", "1"}}) == "1 record shown");
  CHECK(ar.text("ops.audit.shown", {{"count", "2"}}) !=
        ar.text("ops.audit.shown", {{"count", "5"}}));
  CHECK(has_arabic_letters(ar.text("core.exit.config_error")));
  CHECK(en.text("no.such.id", {{"a", "b"}}) == "no.such.id a=b");
  // A message with two counts draws each whole-number parameter that has a core.count phrase
  // in its own plural form; the parameters stay numbers (audit records redraw them).
  MessageParams exported = {{"rows", "8185"}, {"tables", "1"}, {"output", "out.tar.zst"}};
  CHECK(en.text("souverainete.exported", exported) ==
        "exported 8185 rows of 1 table to out.tar.zst");
  CHECK(fr.text("souverainete.exported", exported).find("8185 lignes de 1 table") !=
        std::string::npos);
  CHECK(en.text("souverainete.internal_left_out", {{"tables", "dihya_erasures"}})
            .find("dihya_erasures") != std::string::npos);  // a list of names stays as it is
  auto tables = [&](const Messages& m, const char* n) {
    return m.text("core.count.tables", {{"count", n}});
  };
  CHECK(tables(fr, "0") == "0 table");
  CHECK(tables(fr, "2") == "2 tables");
  CHECK(tables(ar, "2") != tables(ar, "11"));
}

TEST_CASE("Kabyle messages are in Berber Latin script", "[i18n]") {
  Messages kab(Language::kab);
  std::string all;
  for (const auto& id : catalog_ids(Language::kab)) all += kab.text(id, {{"count", "2"}});
  CHECK_FALSE(has_arabic_letters(all));
  bool berber_letter = false;
  for (const char* letter : {"ɣ", "ɛ", "ḍ", "ṭ", "ẓ", "č", "ǧ", "ṛ", "ṣ"})
    berber_letter = berber_letter || all.find(letter) != std::string::npos;
  CHECK(berber_letter);
  CHECK(kab.text("core.exit.config_error") !=
        Messages(Language::en).text("core.exit.config_error"));
}

TEST_CASE("the language comes from the CLI, then the environment, then the config", "[i18n]") {
  {
    ScopedEnv env({{"LANG", "ar_DZ.UTF-8"}, {"DIHYA_LANG", "kab"}});
    CHECK(resolve_language(std::string("en"), std::string("fr")) == Language::en);
    CHECK(resolve_language(std::nullopt, std::string("fr")) == Language::kab);
  }
  {
    ScopedEnv env({{"LANGUAGE", "de:ar"}, {"LANG", "en_GB.UTF-8"}});
    CHECK(resolve_language(std::nullopt, std::nullopt) == Language::ar);
  }
  {
    ScopedEnv env({{"LC_ALL", "C.UTF-8"}, {"LC_MESSAGES", "en_US.UTF-8"}});
    CHECK(resolve_language(std::nullopt, std::string("kab")) == Language::en);
  }
  {
    ScopedEnv env({{"LANG", "C"}});
    CHECK(resolve_language(std::nullopt, std::string("kab")) == Language::kab);
    CHECK(resolve_language(std::nullopt, std::nullopt) == Language::fr);
  }
}
