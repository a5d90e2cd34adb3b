#include "rgpd/detect.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <regex>

#include "core/base/signals.hpp"
#include "core/privacy/locale_pack.hpp"

namespace dihya::rgpd {

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The column's words: "userEmail" and "user_email" both give {"user", "email"}.
std::vector<std::string> words(std::string_view column) {
  std::vector<std::string> out(1);
  for (std::size_t i = 0; i < column.size(); ++i) {
    char c = column[i];
    bool upper = std::isupper(static_cast<unsigned char>(c)) != 0;
    if (c == '_' || c == '-' || (upper && i > 0 && !out.back().empty())) out.emplace_back();
    if (c != '_' && c != '-') out.back() += static_cast<char>(std::tolower(c));
  }
  out.erase(std::remove(out.begin(), out.end(), std::string()), out.end());
  return out;
}

bool iban_valid(std::string_view text) {
  std::string s;
  for (char c : text)
    if (c != ' ') s += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (s.size() < 15 || s.size() > 34) return false;
  if (!std::isalpha(static_cast<unsigned char>(s[0])) ||
      !std::isalpha(static_cast<unsigned char>(s[1])) ||
      !std::isdigit(static_cast<unsigned char>(s[2])) ||
      !std::isdigit(static_cast<unsigned char>(s[3])))
    return false;
  std::string moved = s.substr(4) + s.substr(0, 4);
  int rest = 0;
  for (char c : moved) {
    if (std::isdigit(static_cast<unsigned char>(c)))
      rest = (rest * 10 + (c - '0')) % 97;
    else if (std::isalpha(static_cast<unsigned char>(c)))
      rest = (rest * 100 + (c - 'A' + 10)) % 97;
    else
      return false;
  }
  return rest == 1;
}

}  // namespace

std::string personal_by_name(std::string_view column) {
  static const std::map<std::string, std::string> k_words = {{"email", "email"},
                                                             {"mail", "email"},
                                                             {"phone", "phone"},
                                                             {"tel", "phone"},
                                                             {"telephone", "phone"},
                                                             {"mobile", "phone"},
                                                             {"msisdn", "phone"},
                                                             {"ip", "ip"},
                                                             {"ipv4", "ip"},
                                                             {"ipv6", "ip"},
                                                             {"firstname", "name"},
                                                             {"lastname", "name"},
                                                             {"surname", "name"},
                                                             {"fullname", "name"},
                                                             {"username", "name"},
                                                             {"address", "address"},
                                                             {"street", "address"},
                                                             {"postcode", "address"},
                                                             {"zip", "address"},
                                                             {"birthdate", "birth_date"},
                                                             {"dob", "birth_date"},
                                                             {"birthday", "birth_date"},
                                                             {"iban", "iban"},
                                                             {"bic", "iban"},
                                                             {"ssn", "national_id"},
                                                             {"nir", "national_id"},
                                                             {"passport", "national_id"},
                                                             {"latitude", "location"},
                                                             {"longitude", "location"},
                                                             {"geo", "location"}};
  auto w = words(column);
  // Two-word forms: first_name, last_name, full_name, birth_date, user_name, date_of_birth.
  for (std::size_t i = 0; i + 1 < w.size(); ++i) {
    std::string pair = w[i] + w[i + 1];
    if (pair == "firstname" || pair == "lastname" || pair == "fullname" || pair == "username")
      return "name";
    if (pair == "birthdate" || (pair == "ofbirth")) return "birth_date";
  }
  for (const auto& word : w)
    if (auto it = k_words.find(word); it != k_words.end()) return it->second;
  return "";
}

ValueClassifier::ValueClassifier() {
  auto packs = select_locale_packs("mixed");
  if (!packs) return;
  for (const auto* pack : *packs) {
    for (const auto& n : pack->first_names) {
      m_first.insert(lower(n.name));
      m_first.insert(lower(n.latin));
    }
    for (const auto& n : pack->last_names) {
      m_last.insert(lower(n.name));
      m_last.insert(lower(n.latin));
    }
  }
}

std::string ValueClassifier::classify(std::string_view value) const {
  static const std::regex email(R"([A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,})");
  static const std::regex phone(R"(\+?[0-9][0-9 .\-()]{7,18}[0-9])");
  static const std::regex ipv4(
      R"((25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3})");
  static const std::regex ipv6(R"([0-9A-Fa-f]{0,4}(:[0-9A-Fa-f]{0,4}){2,7})");
  if (value.size() < 3 || value.size() > 200) return "";
  std::string text(value);
  if (text.find('@') != std::string::npos && std::regex_match(text, email)) return "email";
  if (std::regex_match(text, ipv4)) return "ip";
  if (text.find(':') != std::string::npos && text.size() >= 3 && std::regex_match(text, ipv6))
    return "ip";
  if (iban_valid(text)) return "iban";
  if (std::regex_match(text, phone)) {
    std::size_t digits =
        std::count_if(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
    // A bare number of 9+ digits could be anything; phones are written with a + or separators.
    if (digits >= 8 && digits <= 15 && (text[0] == '+' || text[0] == '0') &&
        text.find_first_of(" .-+") != std::string::npos)
      return "phone";
  }
  // A full name: a known first name followed by a known last name.
  auto space = text.find(' ');
  if (space != std::string::npos && space > 0) {
    std::string first = lower(text.substr(0, space));
    std::string last = lower(text.substr(space + 1));
    if (m_first.count(first) && m_last.count(last)) return "name";
  }
  return "";
}

Result<std::vector<Detection>> undeclared_personal(Database& db, const personal::PersonalMap& map,
                                                   const std::vector<const TableDef*>& defs,
                                                   std::int64_t sample) {
  std::vector<Detection> found;
  ValueClassifier classifier;
  for (const TableDef* def : defs) {
    if (def->name.rfind("dihya_", 0) == 0) continue;
    const personal::PersonalTable* declared = map.table(def->name);
    std::set<std::string> known;
    if (declared) {
      for (const auto& c : declared->columns) known.insert(c.name);
      if (declared->subject_column) known.insert(*declared->subject_column);
    }
    if (map.subject_table == def->name && map.subject_key) known.insert(*map.subject_key);
    for (const auto& column : def->columns) {
      if (known.count(column.name)) continue;
      if (std::string kind = personal_by_name(column.name); !kind.empty()) {
        found.push_back({def->name, column.name, kind, "name", 0, 0});
        continue;
      }
      if (column.type != ColumnType::text) continue;
      auto stmt =
          db.prepare("SELECT " + quote_identifier(column.name) + " FROM " +
                     quote_identifier(def->name) + " WHERE " + quote_identifier(column.name) +
                     " IS NOT NULL LIMIT " + std::to_string(sample));
      if (!stmt) return stmt.error();
      std::map<std::string, std::int64_t> kinds;
      std::int64_t seen = 0;
      std::string scratch;
      for (;;) {
        auto row = (*stmt)->step();
        if (!row) return row.error();
        if (!*row) break;
        ++seen;
        if (std::string kind = classifier.classify((*stmt)->get_view(0, scratch)); !kind.empty())
          ++kinds[kind];
      }
      check_interrupted();
      for (const auto& [kind, n] : kinds)
        if (n * 5 >= seen && n > 0) {
          found.push_back({def->name, column.name, kind, "content", n, seen});
          break;
        }
    }
  }
  return found;
}

}  // namespace dihya::rgpd
