// The masking engine (docs/masking.md).
#include "core/privacy/masking.hpp"

#include <sodium.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "core/base/clock.hpp"
#include "core/base/crypto.hpp"
#include "core/privacy/fake.hpp"

namespace dihya::masking {

namespace {

// A dotted IPv4 address, each part 1 to 3 digits up to 255 (leading zeros allowed).
std::optional<std::uint32_t> parse_ipv4(std::string_view text) {
  std::uint32_t ip = 0;
  std::size_t i = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (i >= text.size() || text[i] != '.') return std::nullopt;
      ++i;
    }
    unsigned value = 0;
    std::size_t start = i;
    while (i < text.size() && i - start < 3 && text[i] >= '0' && text[i] <= '9')
      value = value * 10 + static_cast<unsigned>(text[i++] - '0');
    if (i == start || value > 255) return std::nullopt;
    ip = ip << 8 | value;
  }
  if (i != text.size()) return std::nullopt;
  return ip;
}

constexpr std::string_view k_key_prefix = "dihya-mask-1:";

// One independent keyed function per use, so that no two strategies share outputs.
enum Domain : std::uint8_t {
  d_person,
  d_email_tag,
  d_hash_integer,
  d_hash_text,
  d_phone,
  d_ipv4,
  d_ipv6,
  d_noise,
  d_shuffle,
  d_text
};

std::string base36(std::uint64_t x) {
  std::string out;
  do {
    out += "0123456789abcdefghijklmnopqrstuvwxyz"[x % 36];
    x /= 36;
  } while (x);
  return out;
}

Error not_fitting(ColumnType type, std::string_view value) {
  return make_error(
      ExitCode::data_error, "core.masking.bad_value",
      {{"type", column_type_name(type)}, {"value", std::string(value.substr(0, 64))}});
}

bool is_utf8_continuation(unsigned char c) {
  return (c & 0xC0) == 0x80;
}

// The numeric text of a field (integer, real, or numeric text).
std::optional<long double> number_of(const Field& value) {
  switch (value.kind) {
    case Field::Kind::integer:
      return static_cast<long double>(value.integer);
    case Field::Kind::real:
      return static_cast<long double>(value.real);
    case Field::Kind::text: {
      std::string text(value.text);
      char* end = nullptr;
      long double v = std::strtold(text.c_str(), &end);
      if (end == text.c_str() || *end != '\0') return std::nullopt;
      return v;
    }
    default:
      return std::nullopt;
  }
}

// Digits after the decimal point in numeric text ("12.340" → 3).
int decimals_of(std::string_view text) {
  auto dot = text.find('.');
  if (dot == std::string_view::npos) return 0;
  std::size_t n = 0;
  while (dot + 1 + n < text.size() && text[dot + 1 + n] >= '0' && text[dot + 1 + n] <= '9') ++n;
  return static_cast<int>(n);
}

// A date or timestamp in any form either engine writes (RFC 3339, or PostgreSQL's
// "2024-03-10 12:00:00+01"), in milliseconds since the epoch.
std::optional<std::int64_t> instant_ms(const std::string& text) {
  if (auto ms = parse_rfc3339_ms(text)) return ms;
  if (auto canonical = canonical_timestamp(text)) return parse_rfc3339_ms(*canonical);
  return std::nullopt;
}

Result<Field> text_result(std::string& out) {
  return Field::of(std::string_view(out));
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// MaskingKey

MaskingKey::MaskingKey() = default;

MaskingKey::MaskingKey(MaskingKey&& other) noexcept
    : m_key(other.m_key), m_subkeys(other.m_subkeys), m_id(std::move(other.m_id)) {
  sodium_memzero(other.m_key.data(), other.m_key.size());
  sodium_memzero(other.m_subkeys.data(), sizeof other.m_subkeys);
}

MaskingKey::~MaskingKey() {
  sodium_memzero(m_key.data(), m_key.size());
  sodium_memzero(m_subkeys.data(), sizeof m_subkeys);
}

MaskingKey MaskingKey::generate() {
  crypto_init();
  MaskingKey key;
  randombytes_buf(key.m_key.data(), key.m_key.size());
  key.derive();
  return key;
}

Result<MaskingKey> MaskingKey::load(const std::filesystem::path& path) {
  crypto_init();
  MaskingKey key;
  if (Status read = load_secret_key(path, k_key_prefix, key.m_key.data(), key.m_key.size()); !read)
    return read.error();
  key.derive();
  return key;
}

void MaskingKey::derive() {
  for (std::size_t d = 0; d < m_subkeys.size(); ++d) {
    std::string label = "dihya-mask-domain-" + std::to_string(d);
    crypto_generichash(m_subkeys[d].data(), m_subkeys[d].size(),
                       reinterpret_cast<const unsigned char*>(label.data()), label.size(),
                       m_key.data(), m_key.size());
  }
  unsigned char id[8];
  const std::string label = "dihya-mask-id";
  crypto_generichash(id, sizeof id, reinterpret_cast<const unsigned char*>(label.data()),
                     label.size(), m_key.data(), m_key.size());
  m_id = to_hex(std::string_view(reinterpret_cast<const char*>(id), sizeof id));
}

std::string MaskingKey::encode() const {
  return encode_secret_key(k_key_prefix, m_key.data(), m_key.size());
}

std::uint64_t MaskingKey::prf(std::uint8_t domain, std::string_view value) const {
  unsigned char out[crypto_shorthash_siphash24_BYTES];
  crypto_shorthash_siphash24(out, reinterpret_cast<const unsigned char*>(value.data()),
                             value.size(), m_subkeys[domain % m_subkeys.size()].data());
  std::uint64_t x;
  std::memcpy(&x, out, sizeof x);
  return x;
}

std::array<std::uint8_t, 16> MaskingKey::prf128(std::uint8_t domain, std::string_view value) const {
  std::array<std::uint8_t, 16> out{};
  crypto_shorthash_siphashx24(out.data(), reinterpret_cast<const unsigned char*>(value.data()),
                              value.size(), m_subkeys[domain % m_subkeys.size()].data());
  return out;
}

std::uint64_t MaskingKey::permute(std::uint8_t domain, std::uint64_t x, std::uint64_t n) const {
  // A balanced four-round Feistel network over the smallest even number of bits that holds
  // N - 1, walked again while the result falls outside [0, N): a permutation of [0, N).
  int bits = 64 - __builtin_clzll((n - 1) | 1);
  int half = (bits + 1) / 2;
  std::uint64_t mask = half >= 64 ? ~0ULL : (std::uint64_t{1} << half) - 1;
  const unsigned char* subkey = m_subkeys[domain % m_subkeys.size()].data();
  do {
    std::uint64_t left = x >> half, right = x & mask;
    for (unsigned char round = 0; round < 4; ++round) {
      unsigned char input[9];
      input[0] = round;
      std::memcpy(input + 1, &right, 8);
      unsigned char out[8];
      crypto_shorthash_siphash24(out, input, sizeof input, subkey);
      std::uint64_t f;
      std::memcpy(&f, out, 8);
      std::uint64_t next = left ^ (f & mask);
      left = right;
      right = next;
    }
    x = (left << half) | right;
  } while (x >= n);
  return x;
}

// ---------------------------------------------------------------------------------------------
// Masker

std::string canonical_text(const Field& value) {
  switch (value.kind) {
    case Field::Kind::integer:
      return std::to_string(value.integer);
    case Field::Kind::real: {
      char buffer[32];
      auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value.real);
      return std::string(buffer, end);
    }
    case Field::Kind::boolean:
      return value.integer ? "true" : "false";
    case Field::Kind::null:
      return {};
    default:
      return std::string(value.text);
  }
}

Masker::Masker(const MaskingKey& key, std::vector<const LocalePack*> packs)
    : m_key(key), m_packs(std::move(packs)) {}

std::uint64_t Masker::shuffle_key(std::string_view column, std::string_view row) const {
  std::string input(column);
  input += '\0';
  input += row;
  return m_key.prf(d_shuffle, input);
}

Result<Field> Masker::apply(const Strategy& s, ColumnType type, const Field& value,
                            std::string& out) const {
  out.clear();
  if (s.kind == Kind::keep || s.kind == Kind::shuffle) return value;
  if (s.kind == Kind::null) return Field::null();
  if (value.kind == Field::Kind::null) return value;  // nothing to hide
  switch (s.kind) {
    case Kind::fake:
      return fake(s, value, out);
    case Kind::hash:
      return hash(type, value, out);
    case Kind::redact:
      out = "[redacted]";
      return text_result(out);
    case Kind::mask: {
      std::string_view text = value.text;
      std::vector<std::size_t> starts;  // of each code point
      for (std::size_t i = 0; i < text.size(); ++i)
        if (!is_utf8_continuation(static_cast<unsigned char>(text[i]))) starts.push_back(i);
      std::size_t n = starts.size();
      std::size_t first = static_cast<std::size_t>(s.keep_first);
      std::size_t last = static_cast<std::size_t>(s.keep_last);
      if (first + last >= n) first = last = 0;  // too short to show anything
      std::size_t head_end = first < n ? starts[first] : text.size();
      std::size_t tail_start = last ? starts[n - last] : text.size();
      out.append(text.substr(0, head_end));
      out.append(n - first - last, '*');
      out.append(text.substr(tail_start));
      return text_result(out);
    }
    case Kind::generalize:
      return generalize(s, type, value, out);
    case Kind::noise:
      return noise(s, type, value, out);
    default:
      return value;
  }
}

Result<Field> Masker::fake(const Strategy& s, const Field& value, std::string& out) const {
  std::string input = canonical_text(value);
  switch (s.fake) {
    case Fake::phone: {
      // The digits after the country (+CCC) or trunk (0X) prefix go through a keyed
      // permutation of the numbers of that many digits: the format stays, distinct numbers
      // stay distinct.
      out = input;
      std::vector<std::size_t> digits;
      for (std::size_t i = 0; i < out.size(); ++i)
        if (out[i] >= '0' && out[i] <= '9') digits.push_back(i);
      std::size_t keep = !out.empty() && out[0] == '+' ? 3 : 2;
      if (digits.size() < keep + 4) keep = 0;
      std::size_t count = std::min<std::size_t>(digits.size() - keep, 18);
      std::size_t from = digits.size() - count;
      if (count == 0) {
        fake::Person p = fake::make_person(m_packs, m_key.prf(d_person, input), 0);
        out.clear();
        fake::append_phone(p, out);
        return text_result(out);
      }
      std::uint64_t n = 1, number = 0;
      for (std::size_t i = from; i < digits.size(); ++i) {
        n *= 10;
        number = number * 10 + static_cast<std::uint64_t>(out[digits[i]] - '0');
      }
      std::uint64_t masked = n > 1 ? m_key.permute(d_phone, number, n) : number;
      for (std::size_t i = digits.size(); i-- > from;) {
        out[digits[i]] = static_cast<char>('0' + masked % 10);
        masked /= 10;
      }
      return text_result(out);
    }
    case Fake::ip: {
      if (auto ip = parse_ipv4(input)) {
        std::uint64_t m = m_key.permute(d_ipv4, *ip, std::uint64_t{1} << 32);
        out.clear();
        for (int shift = 24; shift >= 0; shift -= 8) {
          if (shift != 24) out += '.';
          out += std::to_string((m >> shift) & 255);
        }
        return text_result(out);
      }
      auto bytes = m_key.prf128(d_ipv6, input);
      out = "2001:db8";  // the documentation prefix: never a real host
      for (int i = 0; i < 6; ++i) {
        char group[8];
        std::snprintf(group, sizeof group, ":%x", (bytes[2 * i] << 8) | bytes[2 * i + 1]);
        out += group;
      }
      return text_result(out);
    }
    case Fake::text:
      fake::append_words(m_key.prf(d_text, input), 3, 12, out);
      return text_result(out);
    default:
      break;
  }
  fake::Person p = fake::make_person(m_packs, m_key.prf(d_person, input), 0);
  switch (s.fake) {
    case Fake::name:
      fake::append_full_name(p, out);
      break;
    case Fake::first_name:
      out = p.first->name;
      break;
    case Fake::last_name:
      out = p.last->name;
      break;
    case Fake::email:
      fake::append_email(p, out, base36(m_key.prf(d_email_tag, input)));
      break;
    case Fake::address:
      fake::append_address(p, out);
      break;
    case Fake::city:
      out = p.city->name;
      break;
    default:
      break;
  }
  return text_result(out);
}

Result<Field> Masker::hash(ColumnType type, const Field& value, std::string& out) const {
  if (type == ColumnType::integer) {
    if (value.kind != Field::Kind::integer) return not_fitting(type, canonical_text(value));
    constexpr std::uint64_t k_half = std::uint64_t{1} << 63;
    std::int64_t v = value.integer;
    // Non-negative values map among themselves, negative ones too: the sign stays.
    if (v >= 0)
      return Field::of(static_cast<std::int64_t>(
          m_key.permute(d_hash_integer, static_cast<std::uint64_t>(v), k_half)));
    std::uint64_t mirrored = static_cast<std::uint64_t>(-(v + 1));
    return Field::of(-1 -
                     static_cast<std::int64_t>(m_key.permute(d_hash_integer, mirrored, k_half)));
  }
  auto bytes = m_key.prf128(d_hash_text, canonical_text(value));
  std::string_view raw(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  if (type == ColumnType::blob) {
    out.assign(raw);
    return Field::of_blob(out);
  }
  out = to_hex(raw);
  return text_result(out);
}

Result<Field> Masker::generalize(const Strategy& s, ColumnType type, const Field& value,
                                 std::string& out) const {
  if (s.grain == Grain::range) {
    auto v = number_of(value);
    if (!v) return not_fitting(type, canonical_text(value));
    if (type == ColumnType::integer && value.kind == Field::Kind::integer) {
      std::int64_t n = s.amount, x = value.integer;
      std::int64_t q = x / n - ((x % n != 0) && (x < 0));  // floor division
      return Field::of(q * n);
    }
    long double g = std::floor(*v / static_cast<long double>(s.amount)) * s.amount;
    if (type == ColumnType::real) return Field::of_real(static_cast<double>(g));
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.0Lf", g);
    out = buffer;
    return text_result(out);
  }
  std::string text = canonical_text(value);
  auto ms = instant_ms(text);
  if (!ms) return not_fitting(type, text);
  std::int64_t days = *ms >= 0 ? *ms / 86400000 : -((-*ms + 86399999) / 86400000);
  CivilDate date = civil_from_days(days);
  std::int64_t start = days_from_civil(date.year, s.grain == Grain::year ? 1 : date.month, 1);
  if (type == ColumnType::timestamp)
    fake::append_timestamp(start * 86400, out);
  else
    fake::append_date(start, out);
  return text_result(out);
}

Result<Field> Masker::noise(const Strategy& s, ColumnType type, const Field& value,
                            std::string& out) const {
  std::string text = canonical_text(value);
  if (s.days) {
    auto ms = instant_ms(text);
    if (!ms) return not_fitting(type, text);
    std::int64_t seconds = *ms >= 0 ? *ms / 1000 : -((-*ms + 999) / 1000);
    // Keyed by the instant, not its spelling: every engine's form shifts alike.
    std::uint64_t r = m_key.prf(d_noise, "@" + std::to_string(seconds));
    if (type == ColumnType::date) {
      std::int64_t day = seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
      std::int64_t shift =
          static_cast<std::int64_t>(fake::below(r, static_cast<std::uint64_t>(2 * s.amount + 1))) -
          s.amount;
      fake::append_date(day + shift, out);
    } else {
      std::int64_t span = s.amount * 86400;
      std::int64_t shift =
          static_cast<std::int64_t>(fake::below(r, static_cast<std::uint64_t>(2 * span + 1))) -
          span;
      fake::append_timestamp(seconds + shift, out);
    }
    return text_result(out);
  }
  auto v = number_of(value);
  if (!v) return not_fitting(type, text);
  std::uint64_t r = m_key.prf(d_noise, text);
  long double factor = 1 + (2 * static_cast<long double>(fake::unit(r)) - 1) * s.amount / 100;
  long double noisy = *v * factor;
  if (type == ColumnType::integer) return Field::of(static_cast<std::int64_t>(std::llround(noisy)));
  if (type == ColumnType::real) return Field::of_real(static_cast<double>(noisy));
  char buffer[80];
  std::snprintf(buffer, sizeof buffer, "%.*Lf", decimals_of(text), noisy);
  out = buffer;
  return text_result(out);
}

}  // namespace dihya::masking
