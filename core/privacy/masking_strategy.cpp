// Masking strategies: their text form, and what each keeps (docs/masking.md).
#include <charconv>

#include "core/privacy/masking.hpp"

namespace dihya::masking {

namespace {

constexpr std::pair<std::string_view, Fake> k_fakes[] = {{"name", Fake::name},
                                                         {"first_name", Fake::first_name},
                                                         {"last_name", Fake::last_name},
                                                         {"email", Fake::email},
                                                         {"phone", Fake::phone},
                                                         {"address", Fake::address},
                                                         {"city", Fake::city},
                                                         {"ip", Fake::ip},
                                                         {"text", Fake::text}};

// "NAME=<digits>" at the start of TEXT: the number, and TEXT moved past it.
std::optional<std::int64_t> take_number(std::string_view& text, std::string_view name) {
  if (text.substr(0, name.size() + 1) != std::string(name) + "=") return std::nullopt;
  text.remove_prefix(name.size() + 1);
  if (text.size() > 1 && text[0] == '0' && text[1] >= '0' && text[1] <= '9')
    return std::nullopt;  // no leading zero
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end == text.data() || value < 0) return std::nullopt;
  text.remove_prefix(static_cast<std::size_t>(end - text.data()));
  return value;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Strategy

std::optional<Strategy> Strategy::parse(std::string_view text) {
  Strategy s;
  static constexpr std::pair<std::string_view, Kind> k_plain[] = {{"hash", Kind::hash},
                                                                  {"null", Kind::null},
                                                                  {"redact", Kind::redact},
                                                                  {"shuffle", Kind::shuffle},
                                                                  {"keep", Kind::keep}};
  for (const auto& [name, kind] : k_plain)
    if (text == name) {
      s.kind = kind;
      return s;
    }
  auto colon = text.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view head = text.substr(0, colon), rest = text.substr(colon + 1);
  if (head == "fake") {
    s.kind = Kind::fake;
    for (const auto& [name, fake] : k_fakes)
      if (rest == name) {
        s.fake = fake;
        return s;
      }
    return std::nullopt;
  }
  if (head == "generalize") {
    s.kind = Kind::generalize;
    if (rest == "year" || rest == "month") {
      s.grain = rest == "year" ? Grain::year : Grain::month;
      return s;
    }
    auto n = take_number(rest, "range");
    if (!n || *n < 1 || !rest.empty()) return std::nullopt;
    s.grain = Grain::range;
    s.amount = *n;
    return s;
  }
  if (head == "noise") {
    s.kind = Kind::noise;
    s.days = rest.substr(0, 5) == "days=";
    auto n = take_number(rest, s.days ? "days" : "pct");
    if (!n || *n < 1 || (!s.days && *n > 99) || (s.days && *n > 36500) || !rest.empty())
      return std::nullopt;
    s.amount = *n;
    return s;
  }
  if (head == "mask") {
    s.kind = Kind::mask;
    auto first = take_number(rest, "keep_first");
    if (!first || rest.empty() || rest[0] != ',') return std::nullopt;
    rest.remove_prefix(1);
    auto last = take_number(rest, "keep_last");
    if (!last || !rest.empty() || *first > 1000 || *last > 1000) return std::nullopt;
    s.keep_first = static_cast<int>(*first);
    s.keep_last = static_cast<int>(*last);
    return s;
  }
  return std::nullopt;
}

std::string Strategy::text() const {
  switch (kind) {
    case Kind::fake:
      for (const auto& [name, f] : k_fakes)
        if (f == fake) return "fake:" + std::string(name);
      break;
    case Kind::hash:
      return "hash";
    case Kind::mask:
      return "mask:keep_first=" + std::to_string(keep_first) +
             ",keep_last=" + std::to_string(keep_last);
    case Kind::null:
      return "null";
    case Kind::redact:
      return "redact";
    case Kind::generalize:
      return grain == Grain::year    ? "generalize:year"
             : grain == Grain::month ? "generalize:month"
                                     : "generalize:range=" + std::to_string(amount);
    case Kind::noise:
      return std::string(days ? "noise:days=" : "noise:pct=") + std::to_string(amount);
    case Kind::shuffle:
      return "shuffle";
    case Kind::keep:
      return "keep";
  }
  return "keep";
}

bool Strategy::keeps_distinct() const {
  switch (kind) {
    case Kind::hash:
    case Kind::null:  // NULLs never collide in a unique index
    case Kind::shuffle:
    case Kind::keep:
      return true;
    case Kind::fake:
      return fake == Fake::email || fake == Fake::phone || fake == Fake::ip;
    default:
      return false;
  }
}

bool Strategy::fits(ColumnType type) const {
  switch (kind) {
    case Kind::fake:
    case Kind::mask:
    case Kind::redact:
      return type == ColumnType::text;
    case Kind::hash:
      return type == ColumnType::integer || type == ColumnType::text || type == ColumnType::blob;
    case Kind::generalize:
    case Kind::noise:
      if (kind == Kind::generalize ? grain == Grain::range : !days)
        return type == ColumnType::integer || type == ColumnType::real ||
               type == ColumnType::numeric;
      return type == ColumnType::date || type == ColumnType::timestamp;
    case Kind::null:
    case Kind::shuffle:
    case Kind::keep:
      return true;
  }
  return false;
}

}  // namespace dihya::masking
