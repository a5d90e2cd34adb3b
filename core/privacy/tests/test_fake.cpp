#include <catch2/catch.hpp>
#include <set>

#include "core/privacy/fake.hpp"

using namespace dihya;
using namespace dihya::fake;

namespace {

bool has_arabic(const std::string& text) {
  for (unsigned char c : text)
    if (c >= 0xD8 && c <= 0xDB) return true;
  return false;
}

bool ascii_handle(const std::string& text) {
  for (unsigned char c : text)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
          c == '@'))
      return false;
  return true;
}

std::vector<const LocalePack*> packs(const char* code) {
  return *select_locale_packs(code);
}

}  // namespace

TEST_CASE("values are pure functions of their key", "[fake]") {
  auto mixed = packs("mixed");
  REQUIRE(mixed.size() == 4);
  for (std::uint64_t k = 0; k < 1000; ++k) {
    Person a = make_person(mixed, mix64(k), k), b = make_person(mixed, mix64(k), k);
    std::string ea, eb;
    append_email(a, ea);
    append_email(b, eb);
    CHECK(ea == eb);
  }
  CHECK(mix64(1) != mix64(2));
  CHECK(name_key("users") == name_key("users"));
  CHECK(name_key("users") != name_key("user"));
}

TEST_CASE("emails and usernames are unique and ASCII in every locale", "[fake]") {
  for (const char* code : {"fr", "en", "ar", "kab"}) {
    std::set<std::string> emails, usernames;
    for (std::uint64_t row = 0; row < 50000; ++row) {
      Person p = make_person(packs(code), row_key(name_key(code), row), row + 1);
      std::string email, username;
      append_email(p, email);
      append_username(p, username);
      INFO(code << " " << email);
      CHECK(ascii_handle(email));
      emails.insert(email);
      usernames.insert(username);
    }
    CHECK(emails.size() == 50000);
    CHECK(usernames.size() == 50000);
  }
}

TEST_CASE("locale packs are large and in their own script", "[fake]") {
  for (const char* code : {"fr", "en", "ar", "kab"}) {
    const LocalePack& pack = *packs(code).front();
    INFO(code);
    CHECK(pack.first_names.size() >= 300);
    CHECK(pack.last_names.size() >= 300);
    CHECK(pack.cities.size() >= 100);
    CHECK(pack.street_names.size() >= 100);
  }
  const LocalePack& ar = *packs("ar").front();
  for (const auto& name : ar.first_names) CHECK(has_arabic(name.name));
  for (const auto& name : ar.last_names) CHECK(has_arabic(name.name));
  const LocalePack& kab = *packs("kab").front();
  std::set<std::string> kab_first;
  std::size_t berber_letters = 0;
  for (const auto& name : kab.first_names) {
    kab_first.insert(name.name);
    for (const char* letter : {"ɣ", "ɛ", "ḍ", "ṭ", "ẓ", "č", "ǧ", "ṛ", "ṣ"})
      if (name.name.find(letter) != std::string::npos) ++berber_letters;
    CHECK_FALSE(has_arabic(name.name));
  }
  CHECK(berber_letters >= 10);
  for (const char* name : {"Tiziri", "Thiziri", "Kahina", "Yidir", "Dihya"})
    CHECK(kab_first.count(name));
  const LocalePack& fr = *packs("fr").front();
  std::size_t accented = 0;
  for (const auto& name : fr.first_names)
    if (name.name.find_first_of("\xC3") != std::string::npos) ++accented;  // é è ë ï ç…
  CHECK(accented >= 10);
}

TEST_CASE("phones follow the person's country and patterns are filled", "[fake]") {
  std::string out;
  append_pattern("+213 5## ## ## ##", 12345, out);
  CHECK(out.size() == std::string("+213 5## ## ## ##").size());
  CHECK(out.find('#') == std::string::npos);
  for (std::uint64_t row = 0; row < 2000; ++row) {
    Person p = make_person(packs("fr"), mix64(row), row);
    std::string phone;
    append_phone(p, phone);
    if (p.city->country == "FR") CHECK(phone.rfind("+33 ", 0) == 0);
  }
}

TEST_CASE("dates, timestamps and addresses", "[fake]") {
  std::string date, ts;
  append_date(0, date);
  append_date(20786, date);
  CHECK(date == "1970-01-012026-11-29");
  append_timestamp(1795514400, ts);
  CHECK(ts == "2026-11-24T10:00:00Z");
  Person p = make_person(packs("kab"), 77, 1);
  std::string address;
  append_address(p, address);
  CHECK(address.find('{') == std::string::npos);
  CHECK(address.find(p.city->name) != std::string::npos);
  CHECK(select_locale_packs("xx").error().code == ExitCode::usage);
}
