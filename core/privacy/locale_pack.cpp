#include "core/privacy/locale_pack.hpp"

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>

#include "core/base/embedded_json.hpp"

namespace dihya {
namespace {

using Json = nlohmann::json;

std::vector<LocaleName> names_of(const Json& list) {
  std::vector<LocaleName> out;
  for (const auto& item : list) {
    std::string gender = item.value("gender", "x");
    out.push_back({item.at("name"), item.at("latin"), gender.empty() ? 'x' : gender[0]});
  }
  return out;
}

LocalePack parse_pack(const std::string& code, const Json& doc) {
  LocalePack pack;
  pack.code = code;
  pack.first_names = names_of(doc.at("first_names"));
  pack.last_names = names_of(doc.at("last_names"));
  for (const auto& c : doc.at("cities"))
    pack.cities.push_back({c.at("name"), c.at("latin"), c.at("country"), c.at("postcode")});
  pack.street_names = doc.at("street_names").get<std::vector<std::string>>();
  pack.phone_formats = doc.at("phone_formats").get<std::vector<std::string>>();
  pack.email_domains = doc.at("email_domains").get<std::vector<std::string>>();
  for (const auto& c : doc.at("countries")) pack.countries.push_back({c.at("code"), c.at("name")});
  pack.address_format = doc.at("address_format");
  return pack;
}

const std::map<std::string, LocalePack>& packs() {
  static std::once_flag once;
  static std::map<std::string, LocalePack> all;
  std::call_once(once, [] {
    for (std::size_t i = 0; i < embedded::k_locale_blobs_count; ++i) {
      const auto& blob = embedded::k_locale_blobs[i];
      all.emplace(blob.name, parse_pack(blob.name, Json::parse(blob.json)));
    }
  });
  return all;
}

}  // namespace

const LocaleCountry* LocalePack::country(std::string_view wanted) const {
  for (const auto& c : countries)
    if (c.code == wanted) return &c;
  return countries.empty() ? nullptr : &countries.front();
}

const std::vector<std::string>& locale_codes() {
  static const std::vector<std::string> codes = {"fr", "en", "ar", "kab"};
  return codes;
}

Result<std::vector<const LocalePack*>> select_locale_packs(std::string_view locale) {
  std::vector<const LocalePack*> out;
  if (locale == "mixed") {
    for (const auto& code : locale_codes()) out.push_back(&packs().at(code));
    return out;
  }
  auto it = packs().find(std::string(locale));
  if (it == packs().end())
    return make_error(ExitCode::usage, "core.fake.unknown_locale",
                      {{"locale", std::string(locale)}});
  out.push_back(&it->second);
  return out;
}

}  // namespace dihya
