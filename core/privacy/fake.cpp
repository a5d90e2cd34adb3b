#include "core/privacy/fake.hpp"

#include "core/base/clock.hpp"

#include <array>
#include <charconv>

namespace dihya::fake {
namespace {

void append_two(int value, std::string& out) {
  out += static_cast<char>('0' + value / 10);
  out += static_cast<char>('0' + value % 10);
}

constexpr std::array<const char*, 64> k_words = {"lorem",      "ipsum",        "dolor",
                                                 "sit",        "amet",         "consectetur",
                                                 "adipiscing", "elit",         "sed",
                                                 "do",         "eiusmod",      "tempor",
                                                 "incididunt", "ut",           "labore",
                                                 "et",         "dolore",       "magna",
                                                 "aliqua",     "enim",         "ad",
                                                 "minim",      "veniam",       "quis",
                                                 "nostrud",    "exercitation", "ullamco",
                                                 "laboris",    "nisi",         "aliquip",
                                                 "ex",         "ea",           "commodo",
                                                 "consequat",  "duis",         "aute",
                                                 "irure",      "in",           "reprehenderit",
                                                 "voluptate",  "velit",        "esse",
                                                 "cillum",     "fugiat",       "nulla",
                                                 "pariatur",   "excepteur",    "sint",
                                                 "occaecat",   "cupidatat",    "non",
                                                 "proident",   "sunt",         "culpa",
                                                 "qui",        "officia",      "deserunt",
                                                 "mollit",     "anim",         "id",
                                                 "est",        "laborum",      "tamen",
                                                 "vero"};

constexpr std::array<const char*, 8> k_agents = {
    "Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 "
    "Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.6 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Mobile/15E148",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 "
    "Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0",
    "Mozilla/5.0 (Linux; Android 13; SM-A536B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0 "
    "Mobile Safari/537.36",
    "curl/8.5.0"};

// The latin form of a first name, last name, initial… in one of five username shapes, then
// TAG or, without one, the person's serial number.
void append_handle(const Person& p, char separator_default, std::string& out,
                   std::string_view tag = {}) {
  std::uint64_t shape = below(mix64(p.key ^ 0x5A), 5);
  const std::string& f = p.first->latin;
  const std::string& l = p.last->latin;
  switch (shape) {
    case 0:
      out += f;
      out += separator_default;
      out += l;
      break;
    case 1:
      out += f;
      out += l;
      break;
    case 2:
      out += f[0];
      out += l;
      break;
    case 3:
      out += l;
      out += separator_default;
      out += f;
      break;
    default:
      out += f;
      out += '_';
      out += l;
      break;
  }
  if (!tag.empty()) {
    out += '.';
    out += tag;
  } else {
    append_int(static_cast<std::int64_t>(p.serial), out);
  }
}

const char* dial_prefix(std::string_view country) {
  static constexpr std::pair<std::string_view, const char*> k_prefixes[] = {
      {"FR", "+33 "},  {"GB", "+44 "}, {"US", "+1 "},  {"DZ", "+213 "}, {"MA", "+212 "},
      {"TN", "+216 "}, {"BE", "+32 "}, {"CH", "+41 "}, {"CA", "+1 "}};
  for (const auto& [code, prefix] : k_prefixes)
    if (code == country) return prefix;
  return nullptr;
}

}  // namespace

std::uint64_t name_key(std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return mix64(h);
}

Person make_person(const std::vector<const LocalePack*>& packs, std::uint64_t key,
                   std::uint64_t serial) {
  Person p;
  p.key = key;
  p.serial = serial;
  p.pack = packs[below(mix64(key ^ 1), packs.size())];
  p.first = &p.pack->first_names[below(mix64(key ^ 2), p.pack->first_names.size())];
  p.last = &p.pack->last_names[below(mix64(key ^ 3), p.pack->last_names.size())];
  p.city = &p.pack->cities[below(mix64(key ^ 4), p.pack->cities.size())];
  return p;
}

void append_full_name(const Person& p, std::string& out) {
  out += p.first->name;
  out += ' ';
  out += p.last->name;
}

void append_email(const Person& p, std::string& out, std::string_view tag) {
  append_handle(p, '.', out, tag);
  out += '@';
  out += p.pack->email_domains[below(mix64(p.key ^ 6), p.pack->email_domains.size())];
}

void append_username(const Person& p, std::string& out) {
  append_handle(p, '_', out);
}

void append_phone(const Person& p, std::string& out) {
  // A phone of the person's country when the pack has formats for it.
  const char* dial = dial_prefix(p.city->country);
  std::array<const std::string*, 32> matching{};
  std::size_t count = 0;
  for (const auto& format : p.pack->phone_formats)
    if (dial && format.rfind(dial, 0) == 0 && count < matching.size()) matching[count++] = &format;
  const auto& formats = p.pack->phone_formats;
  const std::string& chosen = count ? *matching[below(mix64(p.key ^ 7), count)]
                                    : formats[below(mix64(p.key ^ 7), formats.size())];
  append_pattern(chosen, mix64(p.key ^ 8), out);
}

void append_address(const Person& p, std::string& out) {
  std::string_view format = p.pack->address_format;
  std::uint64_t key = mix64(p.key ^ 9);
  for (std::size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '{') {
      out += format[i];
      continue;
    }
    std::size_t close = format.find('}', i);
    std::string_view field = format.substr(i + 1, close - i - 1);
    if (field == "number")
      append_int(static_cast<std::int64_t>(1 + below(key, 180)), out);
    else if (field == "street")
      out += p.pack->street_names[below(mix64(key ^ 1), p.pack->street_names.size())];
    else if (field == "postcode")
      append_pattern(p.city->postcode, mix64(key ^ 2), out);
    else if (field == "city")
      out += p.city->name;
    i = close;
  }
}

void append_country(const Person& p, std::string& out) {
  if (const LocaleCountry* c = p.pack->country(p.city->country)) out += c->name;
}

void append_pattern(std::string_view pattern, std::uint64_t key, std::string& out) {
  for (char c : pattern) {
    if (c == '#') {
      out += static_cast<char>('0' + below(key, 10));
      key = mix64(key);
    } else {
      out += c;
    }
  }
}

void append_ipv4(std::uint64_t key, std::string& out) {
  // Public-looking first octets: skip 0, 10, 127 and the multicast/reserved range.
  std::uint64_t first = 1 + below(key, 222);
  if (first == 10 || first == 127) first += 1;
  append_int(static_cast<std::int64_t>(first), out);
  for (int i = 0; i < 3; ++i) {
    key = mix64(key);
    out += '.';
    append_int(static_cast<std::int64_t>(below(key, 256)), out);
  }
}

void append_ip(std::uint64_t key, std::string& out) {
  if (below(key, 10) != 0) return append_ipv4(mix64(key), out);
  out += "2001:db8";
  for (int i = 0; i < 6; ++i) {
    key = mix64(key);
    out += ':';
    append_hex(key, 4, out);
  }
}

void append_user_agent(std::uint64_t key, std::string& out) {
  out += k_agents[below(key, k_agents.size())];
}

void append_hex(std::uint64_t key, std::size_t digits, std::string& out) {
  static const char* hex = "0123456789abcdef";
  for (std::size_t i = 0; i < digits; ++i) {
    if (i % 16 == 0 && i) key = mix64(key);
    out += hex[(key >> ((i % 16) * 4)) & 15];
  }
}

void append_words(std::uint64_t key, int min_words, int max_words, std::string& out) {
  int count = min_words +
              static_cast<int>(below(key, static_cast<std::uint64_t>(max_words - min_words + 1)));
  for (int i = 0; i < count; ++i) {
    key = mix64(key);
    if (i) out += ' ';
    out += k_words[below(key, k_words.size())];
  }
}

void append_date(std::int64_t days, std::string& out) {
  CivilDate date = civil_from_days(days);
  append_int(date.year, out);
  out += '-';
  append_two(date.month, out);
  out += '-';
  append_two(date.day, out);
}

void append_timestamp(std::int64_t seconds, std::string& out) {
  std::int64_t days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400;
  int rest = static_cast<int>(seconds - days * 86400);
  append_date(days, out);
  out += 'T';
  append_two(rest / 3600, out);
  out += ':';
  append_two(rest / 60 % 60, out);
  out += ':';
  append_two(rest % 60, out);
  out += 'Z';
}

}  // namespace dihya::fake
