#include "rgpd/detect_values.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>

#include "core/base/json.hpp"
#include "core/privacy/locale_pack.hpp"
#include "rgpd/detect_names.hpp"

namespace dihya::rgpd {

namespace {

bool digit(char c) {
  return c >= '0' && c <= '9';
}
bool alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool hex(char c) {
  return digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  return text;
}

// The digits of TEXT when it holds only digits and SEPARATORS; "" otherwise.
std::string digits_only(std::string_view text, std::string_view separators) {
  std::string out;
  for (char c : text) {
    if (digit(c))
      out += c;
    else if (separators.find(c) == std::string_view::npos)
      return "";
  }
  return out;
}

// The lengths of the digit groups of TEXT.
std::vector<std::size_t> groups(std::string_view text) {
  std::vector<std::size_t> out;
  std::size_t run = 0;
  for (char c : text) {
    if (digit(c)) {
      ++run;
    } else if (run) {
      out.push_back(run);
      run = 0;
    }
  }
  if (run) out.push_back(run);
  return out;
}

int iban_length(std::string_view country) {
  static const std::vector<std::pair<const char*, int>> k_lengths = {
      {"FR", 27}, {"DE", 22}, {"GB", 22}, {"ES", 24}, {"IT", 27}, {"PT", 25}, {"BE", 16},
      {"NL", 18}, {"CH", 21}, {"LU", 20}, {"AT", 20}, {"IE", 22}, {"MA", 28}, {"TN", 24},
      {"DZ", 26}, {"MC", 27}, {"PL", 28}, {"SE", 24}, {"DK", 18}, {"FI", 18}, {"NO", 15},
      {"GR", 27}, {"SA", 24}, {"AE", 23}, {"TR", 26}, {"EG", 29}, {"LB", 28}, {"CZ", 24}};
  for (const auto& [code, length] : k_lengths)
    if (country == code) return length;
  return 0;
}

}  // namespace

bool email_valid(std::string_view text) {
  if (text.size() < 6 || text.size() > 254) return false;
  auto at = text.find('@');
  if (at == std::string_view::npos || at == 0 || at > 64 || text.rfind('@') != at) return false;
  std::string_view local = text.substr(0, at), domain = text.substr(at + 1);
  static const std::string_view k_local_chars = ".!#$%&'*+/=?^_`{|}~-";
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos)
    return false;
  for (char c : local)
    if (!alpha(c) && !digit(c) && k_local_chars.find(c) == std::string_view::npos) return false;
  std::size_t labels = 0, start = 0;
  for (;;) {
    auto dot = domain.find('.', start);
    std::string_view label =
        domain.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
      return false;
    for (char c : label)
      if (!alpha(c) && !digit(c) && c != '-') return false;
    ++labels;
    if (dot == std::string_view::npos) {
      if (label.size() < 2 || !std::all_of(label.begin(), label.end(), alpha)) return false;
      break;
    }
    start = dot + 1;
  }
  return labels >= 2;
}

bool ipv4_valid(std::string_view text) {
  int parts = 0;
  std::size_t i = 0;
  while (i <= text.size()) {
    std::size_t start = i;
    int value = 0;
    // Four digits already make the part invalid: stop there, before `value` can overflow.
    while (i < text.size() && digit(text[i]) && i - start < 4)
      value = value * 10 + (text[i++] - '0');
    std::size_t n = i - start;
    if (n == 0 || n > 3 || value > 255 || (n > 1 && text[start] == '0')) return false;
    ++parts;
    if (i == text.size()) break;
    if (text[i] != '.') return false;
    ++i;
  }
  return parts == 4;
}

bool ipv6_valid(std::string_view text) {
  if (auto zone = text.find('%'); zone != std::string_view::npos) text = text.substr(0, zone);
  if (text.size() < 2 || text.find(':') == std::string_view::npos) return false;
  auto gap = text.find("::");
  if (gap != std::string_view::npos && text.find("::", gap + 1) != std::string_view::npos)
    return false;
  int groups_seen = 0;
  bool v4_tail = false;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == ':') {
      ++i;
      continue;
    }
    std::size_t start = i;
    while (i < text.size() && text[i] != ':') ++i;
    std::string_view group = text.substr(start, i - start);
    if (i == text.size() && group.find('.') != std::string_view::npos) {
      if (!ipv4_valid(group)) return false;
      groups_seen += 2;
      v4_tail = true;
      break;
    }
    if (group.size() > 4 || !std::all_of(group.begin(), group.end(), hex)) return false;
    ++groups_seen;
  }
  if (text.front() == ':' && text.substr(0, 2) != "::") return false;
  if (text.back() == ':' && text.substr(text.size() - 2) != "::" && !v4_tail) return false;
  if (gap == std::string_view::npos) return groups_seen == 8;
  return groups_seen >= 1 && groups_seen <= 7;
}

bool mac_valid(std::string_view text) {
  if (text.size() == 17) {
    char sep = text[2];
    if (sep != ':' && sep != '-') return false;
    for (std::size_t i = 0; i < 17; ++i)
      if (i % 3 == 2 ? text[i] != sep : !hex(text[i])) return false;
    return text != "00:00:00:00:00:00";
  }
  if (text.size() == 14) {  // Cisco: aabb.ccdd.eeff
    for (std::size_t i = 0; i < 14; ++i)
      if (i % 5 == 4 ? text[i] != '.' : !hex(text[i])) return false;
    return true;
  }
  return false;
}

bool iban_valid(std::string_view text) {
  std::string s;
  for (char c : text) {
    if (c == ' ') continue;
    if (!alpha(c) && !digit(c)) return false;
    s += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  if (s.size() < 15 || s.size() > 34 || !alpha(s[0]) || !alpha(s[1]) || !digit(s[2]) ||
      !digit(s[3]))
    return false;
  if (int length = iban_length(s.substr(0, 2)); length && static_cast<int>(s.size()) != length)
    return false;
  std::string moved = s.substr(4) + s.substr(0, 4);
  int rest = 0;
  for (char c : moved)
    rest = digit(c) ? (rest * 10 + (c - '0')) % 97 : (rest * 100 + (c - 'A' + 10)) % 97;
  return rest == 1;
}

bool luhn_valid(std::string_view digits) {
  if (digits.empty()) return false;
  int sum = 0;
  bool twice = false;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    if (!digit(*it)) return false;
    int d = *it - '0';
    if (twice) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
    twice = !twice;
  }
  return sum % 10 == 0;
}

bool card_number_valid(std::string_view text) {
  std::string d = digits_only(text, " -");
  if (d.size() < 13 || d.size() > 19) return false;
  if (text.find_first_of(" -") != std::string_view::npos) {
    for (std::size_t g : groups(text))  // 4 4 4 4, Amex 4 6 5
      if (g < 4 || g > 6) return false;
  }
  auto prefix = [&](std::size_t n) { return std::stoi(d.substr(0, n)); };
  int p2 = prefix(2), p3 = prefix(3), p4 = prefix(4), p6 = prefix(6);
  bool issuer = d[0] == '4' || (p2 >= 51 && p2 <= 55) || (p6 >= 222100 && p6 <= 272099) ||
                p2 == 34 || p2 == 37 || p4 == 6011 || p2 == 65 || (p3 >= 644 && p3 <= 649) ||
                (p4 >= 3528 && p4 <= 3589) || (p3 >= 300 && p3 <= 305) || p2 == 36 || p2 == 38 ||
                p2 == 62 || p2 == 50 || (p2 >= 56 && p2 <= 69);
  return issuer && luhn_valid(d);
}

bool nir_valid(std::string_view text) {
  std::string s;
  for (char c : text)
    if (c != ' ' && c != '.' && c != '-')
      s += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (s.size() != 15) return false;
  std::string number = s.substr(0, 13);
  // Corsica: 2A and 2B count as 19 and 18.
  if (number.substr(5, 2) == "2A") number.replace(5, 2, "19");
  if (number.substr(5, 2) == "2B") number.replace(5, 2, "18");
  if (!std::all_of(number.begin(), number.end(), digit) || !digit(s[13]) || !digit(s[14]))
    return false;
  if (std::string("123478").find(number[0]) == std::string::npos) return false;
  int month = std::stoi(number.substr(3, 2));
  if (!((month >= 1 && month <= 12) || (month >= 20 && month <= 42) || month >= 50)) return false;
  std::int64_t n = std::stoll(number);
  int key = std::stoi(s.substr(13, 2));
  return key == 97 - static_cast<int>(n % 97);
}

std::string phone_country(std::string_view text) {
  text = trim(text);
  if (text.size() < 8 || text.size() > 22) return "";
  std::string d = digits_only(text, " .-()/+");
  if (d.empty() || std::count(text.begin(), text.end(), '+') > 1) return "";
  if (text.find('+') != std::string_view::npos && text.front() != '+') return "";
  bool separated = text.find_first_of(" .-()/") != std::string_view::npos;
  bool international = text.front() == '+' || (d.rfind("00", 0) == 0 && separated);
  if (international) {
    std::string n = text.front() == '+' ? d : d.substr(2);
    auto rest = [&](std::size_t cc) { return n.size() - cc; };
    auto lead = [&](std::size_t cc, const char* allowed) {
      return n.size() > cc && std::string_view(allowed).find(n[cc]) != std::string_view::npos;
    };
    if (n.rfind("33", 0) == 0) return rest(2) == 9 && lead(2, "123456789") ? "FR" : "";
    if (n.rfind("213", 0) == 0)
      return (rest(3) == 9 && lead(3, "567")) || (rest(3) == 8 && lead(3, "234")) ? "DZ" : "";
    if (n.rfind("212", 0) == 0) return rest(3) == 9 && lead(3, "5678") ? "MA" : "";
    if (n.rfind("216", 0) == 0) return rest(3) == 8 && lead(3, "2345679") ? "TN" : "";
    if (n.rfind("44", 0) == 0)
      return (rest(2) == 10 || rest(2) == 9) && lead(2, "123789") ? "GB" : "";
    if (n.rfind("49", 0) == 0)
      return rest(2) >= 6 && rest(2) <= 13 && lead(2, "123456789") ? "DE" : "";
    if (n.rfind("1", 0) == 0)
      return rest(1) == 10 && lead(1, "23456789") && lead(4, "23456789") ? "US" : "";
    return n.size() >= 8 && n.size() <= 15 && n[0] != '0' ? "intl" : "";
  }
  auto g = groups(text);
  if (d[0] == '0' && d.size() >= 2 && d[1] != '0') {
    if (d.size() == 10 && (!separated || g.size() >= 4 || g == std::vector<std::size_t>{4, 6}))
      return "FR";  // also MA and DZ mobiles: 0X XX XX XX XX
    if (d.size() == 9 && std::string_view("234").find(d[1]) != std::string_view::npos &&
        (!separated || g.size() >= 3))
      return "DZ";
    // Two groups: GB writes 01632 960123, DE 030 12345678 or 0151 23456789.
    bool gb_pair = g.size() == 2 && g[0] == 5 && g[1] == 6;
    if (d.size() == 11 && (!separated || g.size() == 3 || gb_pair)) return "GB";
    if (separated && d.size() >= 10 && d.size() <= 12 && g.size() == 2) return "DE";
    return "";
  }
  if (!separated) return "";
  if (d.size() == 10 && (g == std::vector<std::size_t>{3, 3, 4}) && d[0] >= '2' && d[3] >= '2')
    return "US";
  if (d.size() == 8 && text.find_first_of(".-/") == std::string_view::npos && d[0] >= '2' &&
      (g == std::vector<std::size_t>{2, 3, 3} || g == std::vector<std::size_t>{2, 2, 2, 2}))
    return "TN";
  return "";
}

std::optional<ValueDate> parse_value_date(std::string_view text) {
  text = trim(text);
  if (text.size() < 8) return std::nullopt;
  auto number = [&](std::size_t at, std::size_t n) -> int {
    if (at + n > text.size()) return -1;
    int v = 0;
    for (std::size_t i = at; i < at + n; ++i) {
      if (!digit(text[i])) return -1;
      v = v * 10 + (text[i] - '0');
    }
    return v;
  };
  ValueDate date;
  std::size_t end = 0;
  if (text.size() >= 10 && text[4] == '-' && text[7] == '-') {
    date = {number(0, 4), number(5, 2), number(8, 2)};
    end = 10;
  } else if (text.size() >= 10 && (text[2] == '/' || text[2] == '.') && text[5] == text[2]) {
    int a = number(0, 2), b = number(3, 2);
    bool month_first = a <= 12 && b > 12;  // MM/DD/YYYY
    date = {number(6, 4), month_first ? a : b, month_first ? b : a};
    end = 10;
  } else {
    return std::nullopt;
  }
  if (date.year < 1000 || date.month < 1 || date.month > 12 || date.day < 1 || date.day > 31)
    return std::nullopt;
  std::string_view rest = text.substr(end);
  if (!rest.empty()) {
    if (rest[0] != 'T' && rest[0] != ' ') return std::nullopt;
    for (char c : rest.substr(1))
      if (digit(c) && c != '0') date.time_of_day = true;
    if (rest.find("+") != std::string_view::npos || rest.find("-") != std::string_view::npos) {
      // An offset: only the clock before it counts.
      std::string_view clock = rest.substr(1, 8);
      date.time_of_day = clock.find_first_of("123456789") != std::string_view::npos;
    }
  }
  return date;
}

bool postal_code_shape(std::string_view text) {
  text = trim(text);
  std::string t;
  for (char c : text) t += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto shape = [&](std::string_view pattern) {  // 9 a digit, A a letter, ' ' a space
    if (t.size() != pattern.size()) return false;
    for (std::size_t i = 0; i < t.size(); ++i) {
      char p = pattern[i];
      if (p == '9' ? !digit(t[i]) : p == 'A' ? !alpha(t[i]) : t[i] != p) return false;
    }
    return true;
  };
  for (const char* p : {"99999", "9999", "99999-9999", "9999 AA", "9999AA", "9999-999", "99999-999",
                        "99-999", "999 99", "A9A 9A9", "A9A9A9", "A9 9AA", "A99 9AA", "AA9 9AA",
                        "AA99 9AA", "A9A 9AA", "AA9A 9AA"})
    if (shape(p)) return true;
  return false;
}

bool lat_lon_pair(std::string_view text) {
  text = trim(text);
  std::string s(text);
  bool point = false;
  if (s.rfind("POINT(", 0) == 0 || s.rfind("POINT (", 0) == 0) {
    s = s.substr(s.find('(') + 1);
    if (s.empty() || s.back() != ')') return false;
    s.pop_back();
    point = true;
  }
  auto sep = s.find_first_of(point ? " " : ",; ");
  if (sep == std::string::npos) return false;
  auto coordinate = [](std::string_view v, double limit) {
    v = trim(v);
    auto dot = v.find('.');
    if (dot == std::string_view::npos || v.size() - dot - 1 < 3) return false;
    std::size_t i = v[0] == '-' ? 1 : 0;
    for (std::size_t k = i; k < v.size(); ++k)
      if (!digit(v[k]) && k != dot) return false;
    if (i == v.size()) return false;
    double x = std::stod(std::string(v));
    return x >= -limit && x <= limit;
  };
  std::string_view a(s.data(), sep), b(s.data() + sep + 1, s.size() - sep - 1);
  if (point) return coordinate(a, 180) && coordinate(b, 90);
  return coordinate(a, 90) && coordinate(b, 180);
}

ValueRecognizer::ValueRecognizer() {
  // Common first names of many countries, beside the locale packs' lists.
  static const char* const k_first_names[] = {
      "james",     "john",      "robert",    "michael",     "william",    "david",     "richard",
      "joseph",    "thomas",    "charles",   "christopher", "daniel",     "matthew",   "anthony",
      "mark",      "donald",    "steven",    "paul",        "andrew",     "joshua",    "kenneth",
      "kevin",     "brian",     "george",    "edward",      "ronald",     "timothy",   "jason",
      "jeffrey",   "ryan",      "jacob",     "gary",        "nicholas",   "eric",      "jonathan",
      "stephen",   "larry",     "justin",    "scott",       "brandon",    "benjamin",  "samuel",
      "frank",     "gregory",   "raymond",   "alexander",   "patrick",    "jack",      "dennis",
      "jerry",     "tyler",     "aaron",     "henry",       "peter",      "adam",      "nathan",
      "zachary",   "kyle",      "walter",    "harold",      "carl",       "arthur",    "mary",
      "patricia",  "jennifer",  "linda",     "elizabeth",   "barbara",    "susan",     "jessica",
      "sarah",     "karen",     "nancy",     "lisa",        "betty",      "margaret",  "sandra",
      "ashley",    "kimberly",  "emily",     "donna",       "michelle",   "dorothy",   "carol",
      "amanda",    "melissa",   "deborah",   "stephanie",   "rebecca",    "sharon",    "laura",
      "cynthia",   "kathleen",  "amy",       "shirley",     "angela",     "helen",     "anna",
      "brenda",    "pamela",    "nicole",    "emma",        "samantha",   "katherine", "christine",
      "debra",     "rachel",    "catherine", "carolyn",     "janet",      "ruth",      "maria",
      "heather",   "diane",     "virginia",  "julie",       "joyce",      "victoria",  "olivia",
      "kelly",     "christina", "lauren",    "joan",        "evelyn",     "judith",    "megan",
      "cheryl",    "andrea",    "hannah",    "martha",      "jacqueline", "frances",   "gloria",
      "ann",       "teresa",    "kathryn",   "sara",        "janice",     "jean",      "alice",
      "madison",   "doris",     "abigail",   "julia",       "judy",       "grace",     "denise",
      "amber",     "marilyn",   "beverly",   "danielle",    "theresa",    "sophia",    "marie",
      "diana",     "brittany",  "natalie",   "isabella",    "charlotte",  "rose",      "alexis",
      "kayla",     "luis",      "carlos",    "jose",        "juan",       "miguel",    "javier",
      "alejandro", "pedro",     "pablo",     "diego",       "manuel",     "antonio",   "francisco",
      "fernando",  "jorge",     "ricardo",   "roberto",     "eduardo",    "rafael",    "sergio",
      "andres",    "marco",     "giovanni",  "giuseppe",    "luca",       "francesco", "alessandro",
      "lorenzo",   "matteo",    "leonardo",  "sofia",       "giulia",     "chiara",    "francesca",
      "valentina", "elena",     "lucia",     "carmen",      "isabel",     "ana",       "paula",
      "marta",     "joao",      "tiago",     "rui",         "luisa",      "beatriz",   "mariana",
      "camila",    "fernanda",  "gabriela",  "hans",        "klaus",      "jurgen",    "stefan",
      "wolfgang",  "uwe",       "dieter",    "helmut",      "lukas",      "felix",     "maximilian",
      "leon",      "jonas",     "ursula",    "petra",       "monika",     "sabine",    "anke",
      "birgit",    "heike",     "greta",     "lena",        "mia",        "hanna",     "leonie",
      "lea",       "jan",       "piotr",     "tomasz",      "krzysztof",  "katarzyna", "agnieszka",
      "ivan",      "dmitri",    "sergei",    "olga",        "natalia",    "tatiana",   "svetlana",
      "yuki",      "hiroshi",   "takashi",   "haruto",      "sakura",     "wei",       "li",
      "ming",      "jing",      "xin",       "raj",         "amit",       "priya",     "anita",
      "sunita",    "arjun",     "rahul",     "vikram",      "deepak",     "mohammed",  "muhammad",
      "mohamed",   "ahmed",     "ali",       "omar",        "hassan",     "hussein",   "ibrahim",
      "youssef",   "yusuf",     "khalid",    "mustafa",     "karim",      "samir",     "nadia",
      "fatima",    "aisha",     "mariam",    "leila",       "layla",      "yasmin",    "amina",
      "zainab",    "salma",     "noor",      "mehmet",      "ayse",       "emre",      "elif",
      "oliver",    "harry",     "noah",      "liam",        "ethan",      "lucas",     "mason",
      "logan",     "elijah",    "aiden",     "ava",         "chloe",      "ella",      "zoe",
      "lily",      "amelia",    "mila",      "aria",        "nora",       "eva",       "ines",
      "astrid",    "ingrid",    "lars",      "erik",        "sven",       "nils",      "bjorn",
      "karin",     "kari",      "ole",       "hugo",        "louis",      "jules",     "gabriel",
      "raphael",   "leo",       "manon",     "camille",     "jade",       "louise",    "celine",
      "sylvie",    "nathalie",  "isabelle",  "sophie",      "francois",   "jacques",   "pierre",
      "michel",    "philippe",  "alain",     "bernard",     "christophe", "nicolas",   "olivier",
      "frederic",  "aurelien",  "frantisek", "helena",      "lucie",      "zdenek",    "dominique",
      "kara",      "ladislav",  "hugh",      "niklas",      "wyatt",      "tim",       "dan",
      "phil",      "steve",     "madalena",  "jordan",      "manoj",      "puja",      "marc",
      "victor",    "enrique",   "joakim",    "stanislaw",   "terhi",      "johannes",  "daan",
      "kathy",     "alexandre", "ellie",     "jane"};
  static const char* const k_last_names[] = {
      "smith",    "johnson",    "williams", "brown",     "jones",    "garcia",   "miller",
      "davis",    "rodriguez",  "martinez", "hernandez", "lopez",    "gonzalez", "wilson",
      "anderson", "thomas",     "taylor",   "moore",     "jackson",  "martin",   "lee",
      "perez",    "thompson",   "white",    "harris",    "sanchez",  "clark",    "ramirez",
      "lewis",    "robinson",   "walker",   "young",     "allen",    "king",     "wright",
      "scott",    "torres",     "nguyen",   "hill",      "flores",   "green",    "adams",
      "nelson",   "baker",      "hall",     "rivera",    "campbell", "mitchell", "carter",
      "roberts",  "muller",     "schmidt",  "schneider", "fischer",  "weber",    "meyer",
      "wagner",   "becker",     "schulz",   "hoffmann",  "rossi",    "russo",    "ferrari",
      "esposito", "bianchi",    "romano",   "colombo",   "ricci",    "marino",   "greco",
      "silva",    "santos",     "ferreira", "pereira",   "oliveira", "costa",    "rodrigues",
      "almeida",  "nascimento", "lima",     "fernandez", "ruiz",     "diaz",     "moreno",
      "munoz",    "alvarez",    "romero",   "navarro",   "dubois",   "durand",   "lefebvre",
      "leroy",    "moreau",     "simon",    "laurent",   "michel",   "bernard",  "petit",
      "richard",  "kowalski",   "nowak",    "ivanov",    "petrov",   "wang",     "zhang",
      "liu",      "chen",       "yang",     "huang",     "zhao",     "kumar",    "singh",
      "sharma",   "patel",      "gupta",    "khan",      "yilmaz",   "kaya",     "demir",
      "hansen",   "johansen",   "nielsen",  "jensen",    "larsen",   "andersen", "berg",
      "holm"};
  static const char* const k_cities[] = {
      "london",        "paris",        "new york",       "los angeles",
      "chicago",       "houston",      "phoenix",        "philadelphia",
      "san antonio",   "san diego",    "dallas",         "san jose",
      "austin",        "boston",       "seattle",        "denver",
      "washington",    "atlanta",      "miami",          "orlando",
      "reno",          "tucson",       "salt lake city", "fort worth",
      "mountain view", "redmond",      "cupertino",      "toronto",
      "montreal",      "montréal",     "vancouver",      "ottawa",
      "calgary",       "edmonton",     "winnipeg",       "halifax",
      "quebec",        "yellowknife",  "lethbridge",     "mexico",
      "sao paulo",     "são paulo",    "rio de janeiro", "brasilia",
      "brasília",      "buenos aires", "santiago",       "lima",
      "bogota",        "caracas",      "madrid",         "barcelona",
      "valencia",      "sevilla",      "seville",        "lisbon",
      "lisboa",        "porto",        "rome",           "roma",
      "milan",         "milano",       "naples",         "napoli",
      "turin",         "torino",       "florence",       "berlin",
      "munich",        "münchen",      "hamburg",        "frankfurt",
      "cologne",       "köln",         "stuttgart",      "leonberg",
      "dusseldorf",    "vienna",       "wien",           "vienne",
      "zurich",        "geneva",       "genève",         "bern",
      "brussels",      "bruxelles",    "amsterdam",      "rotterdam",
      "copenhagen",    "stockholm",    "oslo",           "helsinki",
      "dublin",        "edinburgh",    "manchester",     "birmingham",
      "glasgow",       "liverpool",    "warsaw",         "krakow",
      "prague",        "budapest",     "bucharest",      "athens",
      "istanbul",      "ankara",       "moscow",         "kyiv",
      "cairo",         "casablanca",   "rabat",          "marrakech",
      "fes",           "tunis",        "sfax",           "algiers",
      "alger",         "oran",         "constantine",    "tizi ouzou",
      "bejaia",        "béjaïa",       "dakar",          "lagos",
      "nairobi",       "johannesburg", "cape town",      "dubai",
      "riyadh",        "doha",         "beirut",         "amman",
      "tehran",        "delhi",        "new delhi",      "mumbai",
      "bangalore",     "chennai",      "kolkata",        "beijing",
      "shanghai",      "hong kong",    "tokyo",          "osaka",
      "seoul",         "singapore",    "bangkok",        "jakarta",
      "manila",        "sydney",       "sidney",         "melbourne",
      "auckland",      "lyon",         "marseille",      "toulouse",
      "nice",          "nantes",       "bordeaux",       "lille",
      "dijon",         "strasbourg",   "rennes",         "montpellier",
      "grenoble"};
  static const char* const k_countries[] = {"france",
                                            "germany",
                                            "allemagne",
                                            "deutschland",
                                            "united kingdom",
                                            "uk",
                                            "royaume-uni",
                                            "united states",
                                            "usa",
                                            "états-unis",
                                            "etats-unis",
                                            "canada",
                                            "brazil",
                                            "brasil",
                                            "brésil",
                                            "argentina",
                                            "argentine",
                                            "chile",
                                            "chili",
                                            "mexico",
                                            "mexique",
                                            "spain",
                                            "espagne",
                                            "españa",
                                            "portugal",
                                            "italy",
                                            "italie",
                                            "italia",
                                            "belgium",
                                            "belgique",
                                            "netherlands",
                                            "pays-bas",
                                            "switzerland",
                                            "suisse",
                                            "austria",
                                            "autriche",
                                            "ireland",
                                            "irlande",
                                            "denmark",
                                            "danemark",
                                            "sweden",
                                            "suède",
                                            "norway",
                                            "norvège",
                                            "finland",
                                            "finlande",
                                            "poland",
                                            "pologne",
                                            "czech republic",
                                            "hungary",
                                            "hongrie",
                                            "greece",
                                            "grèce",
                                            "turkey",
                                            "turquie",
                                            "russia",
                                            "russie",
                                            "algeria",
                                            "algérie",
                                            "algerie",
                                            "morocco",
                                            "maroc",
                                            "tunisia",
                                            "tunisie",
                                            "egypt",
                                            "égypte",
                                            "libya",
                                            "libye",
                                            "senegal",
                                            "sénégal",
                                            "mali",
                                            "niger",
                                            "nigeria",
                                            "south africa",
                                            "kenya",
                                            "india",
                                            "inde",
                                            "china",
                                            "chine",
                                            "japan",
                                            "japon",
                                            "south korea",
                                            "australia",
                                            "australie",
                                            "new zealand",
                                            "saudi arabia",
                                            "arabie saoudite",
                                            "united arab emirates",
                                            "qatar",
                                            "lebanon",
                                            "liban",
                                            "jordan",
                                            "jordanie",
                                            "iran",
                                            "iraq",
                                            "irak",
                                            "syria",
                                            "syrie"};
  for (const char* n : k_first_names) m_first.insert(n);
  for (const char* n : k_last_names) m_last.insert(n);
  for (const char* n : k_cities) m_city.insert(n);
  for (const char* n : k_countries) m_country.insert(n);
  auto packs = select_locale_packs("mixed");
  if (!packs) return;
  for (const auto* pack : *packs) {
    for (const auto& n : pack->first_names) m_first.insert({lower(n.name), lower(n.latin)});
    for (const auto& n : pack->last_names) m_last.insert({lower(n.name), lower(n.latin)});
    for (const auto& c : pack->cities) m_city.insert({lower(c.name), lower(c.latin)});
    for (const auto& c : pack->countries) m_country.insert(lower(c.name));
  }
  m_first.erase("");
  m_last.erase("");
}

std::string ValueRecognizer::name_kind(std::string_view value) const {
  std::string text = lower(value);
  if (m_city.count(text)) return "city";
  if (m_country.count(text)) return "country";
  if (text.find(' ') == std::string::npos) {
    if (m_first.count(text)) return "first_name";
    if (m_last.count(text)) return "last_name";
    return "";
  }
  std::vector<std::string> words;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto space = text.find(' ', start);
    if (space == std::string::npos) space = text.size();
    if (space > start) words.push_back(text.substr(start, space - start));
    start = space + 1;
  }
  if (words.size() < 2 || words.size() > 4) return "";
  if (words[0].back() == ',') {  // "Lovelace, Ada"
    words[0].pop_back();
    std::rotate(words.begin(), words.begin() + 1, words.end());
  }
  bool first = m_first.count(words.front()) > 0;
  bool last = m_last.count(words.back()) > 0 || m_last.count(words[1]) > 0;
  for (const auto& w : words)
    if (!std::all_of(w.begin(), w.end(),
                     [](char c) { return alpha(c) || c == '-' || c == '\'' || (c & 0x80); }))
      return "";
  // A known first name and a known last name, or a known first name and capitalized words.
  bool capitalized =
      value.empty() ? false
                    : std::isupper(static_cast<unsigned char>(value[0])) != 0 || (value[0] & 0x80);
  if (first && (last || capitalized)) return "full_name";
  if (last && m_first.count(words[1])) return "full_name";
  return "";
}

std::string ValueRecognizer::whole(std::string_view value) const {
  value = trim(value);
  if (value.size() < 2 || value.size() > 120) return "";
  if (value.find('@') != std::string_view::npos) return email_valid(value) ? "email" : "";
  if (ipv4_valid(value) || ipv6_valid(value)) return "ip";
  if (mac_valid(value)) return "mac";
  if (iban_valid(value)) return "iban";
  if (nir_valid(value)) return "national_id";
  if (parse_value_date(value)) return "";
  if (card_number_valid(value)) return "card_number";
  if (!phone_country(value).empty()) return "phone";
  if (lat_lon_pair(value)) return "geolocation";
  if (alpha(value[0]) || (value[0] & 0x80)) return name_kind(value);
  return "";
}

namespace {

void walk_json(const Json& doc, const ValueRecognizer& recognizer, std::set<std::string>& found,
               int depth) {
  if (depth > 8) return;
  if (doc.is_object()) {
    for (const auto& [key, value] : doc.items()) {
      if (std::string kind = personal_by_name(key);
          !kind.empty() && !value.is_null() && !value.is_boolean())
        found.insert(kind);
      walk_json(value, recognizer, found, depth + 1);
    }
  } else if (doc.is_array()) {
    for (const auto& value : doc) walk_json(value, recognizer, found, depth + 1);
  } else if (doc.is_string()) {
    const auto& text = doc.get_ref<const std::string&>();
    std::string kind = recognizer.whole(text);
    if (kind == "email" || kind == "phone" || kind == "ip" || kind == "iban" ||
        kind == "card_number" || kind == "national_id" || kind == "mac")
      found.insert(kind);
    else if (text.size() > 20)
      for (const auto& k : recognizer.inside(text)) found.insert(k);
  }
}

}  // namespace

std::set<std::string> ValueRecognizer::inside(std::string_view value) const {
  std::set<std::string> found;
  value = trim(value);
  if (value.size() < 8) return found;
  if (value.front() == '{' || value.front() == '[') {
    Json doc = Json::parse(value.begin(), value.end(), nullptr, false);
    if (!doc.is_discarded()) {
      walk_json(doc, *this, found, 0);
      return found;
    }
  }
  if (value.find(' ') == std::string_view::npos) return found;
  // Tokens of the text: emails, IPs, IBANs and phone numbers written inside it.
  static const std::string_view k_breaks = " \t\n\r,;()<>\"'[]{}";
  std::size_t i = 0;
  while (i < value.size()) {
    while (i < value.size() && k_breaks.find(value[i]) != std::string_view::npos) ++i;
    std::size_t start = i;
    while (i < value.size() && k_breaks.find(value[i]) == std::string_view::npos) ++i;
    std::string_view token = value.substr(start, i - start);
    while (!token.empty() && (token.back() == '.' || token.back() == ':' || token.back() == '!' ||
                              token.back() == '?'))
      token.remove_suffix(1);
    if (token.size() == 4 && alpha(token[0]) && alpha(token[1]) && digit(token[2]) &&
        digit(token[3])) {
      // An IBAN written in groups of four: add groups while it does not check.
      std::string candidate(token);
      std::size_t end = start + token.size();
      for (int group = 0; group < 8 && !iban_valid(candidate); ++group) {
        if (end + 1 >= value.size() || value[end] != ' ') break;
        std::size_t next = end + 1;
        while (next < value.size() && next - end <= 4 &&
               std::isalnum(static_cast<unsigned char>(value[next])))
          ++next;
        candidate += value.substr(end, next - end);
        end = next;
      }
      if (iban_valid(candidate)) found.insert("iban");
      continue;
    }
    if (token.size() < 6) {
      if (!token.empty() && (token[0] == '+' || token[0] == '0')) {
        // A phone number written in groups: take the digits that follow.
        std::size_t end = start;
        while (end < value.size() && (digit(value[end]) || value[end] == ' ' || value[end] == '.' ||
                                      value[end] == '-' || value[end] == '+'))
          ++end;
        std::string_view candidate = trim(value.substr(start, end - start));
        if (!phone_country(candidate).empty()) found.insert("phone");
      }
      continue;
    }
    if (token.find('@') != std::string_view::npos && email_valid(token))
      found.insert("email");
    else if (ipv4_valid(token))
      found.insert("ip");
    else if (iban_valid(token))
      found.insert("iban");
    else if (token[0] == '+' && !phone_country(token).empty())
      found.insert("phone");
  }
  return found;
}

}  // namespace dihya::rgpd
