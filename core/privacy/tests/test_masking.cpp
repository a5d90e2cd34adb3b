// The masking engine: every strategy, determinism under a key, distinct values kept
// distinct at a million rows, the key file.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <set>
#include <unordered_set>

#include "core/base/clock.hpp"
#include "core/base/crypto.hpp"
#include "core/base/fs.hpp"
#include "core/privacy/masking.hpp"
#include "core/testing/workspace.hpp"

using namespace dihya;
using namespace dihya::masking;

namespace {

Strategy parsed(const char* text) {
  auto s = Strategy::parse(text);
  REQUIRE(s);
  return *s;
}

// A fixed key (32 times BYTE), so that every run checks the same outputs.
MaskingKey fixed_key(char byte) {
  test::TempDir dir;
  fs::path file = dir.path() / "fixed.key";
  REQUIRE(atomic_write(file, "dihya-mask-1:" + base64_encode(std::string(32, byte)) + "\n", 0600));
  return take(MaskingKey::load(file));
}

const MaskingKey& key() {
  static MaskingKey k = fixed_key('\x2a');
  return k;
}

std::vector<const LocalePack*> all_packs() {
  return *select_locale_packs("mixed");
}

// VALUE (text) masked under KEY as a text result ("NULL" for a null one).
std::string masked(const Masker& m, const char* strategy, ColumnType type, std::string_view value) {
  std::string out;
  auto field = m.apply(parsed(strategy), type, Field::of(value), out);
  REQUIRE(field.ok());
  if (field->kind == Field::Kind::null) return "NULL";
  if (field->kind == Field::Kind::integer) return std::to_string(field->integer);
  return std::string(field->text);
}

std::int64_t masked_integer(const Masker& m, const char* strategy, std::int64_t value) {
  std::string out;
  auto field = m.apply(parsed(strategy), ColumnType::integer, Field::of(value), out);
  REQUIRE(field.ok());
  REQUIRE(field->kind == Field::Kind::integer);
  return field->integer;
}

std::string skeleton(const std::string& phone) {
  std::string s = phone;
  for (char& c : s)
    if (c >= '0' && c <= '9') c = '9';
  return s;
}

}  // namespace

TEST_CASE("masking strategies parse as the map writes them, and only those", "[masking]") {
  for (const char* text : {"fake:name",
                           "fake:first_name",
                           "fake:last_name",
                           "fake:email",
                           "fake:phone",
                           "fake:address",
                           "fake:city",
                           "fake:ip",
                           "fake:text",
                           "hash",
                           "mask:keep_first=2,keep_last=3",
                           "null",
                           "redact",
                           "generalize:year",
                           "generalize:month",
                           "generalize:range=10",
                           "noise:pct=5",
                           "noise:days=30",
                           "shuffle",
                           "keep"}) {
    INFO(text);
    auto s = Strategy::parse(text);
    REQUIRE(s);
    CHECK(s->text() == text);
  }
  for (const char* text :
       {"", "fake", "fake:", "fake:emial", "hash:x", "mask:keep_first=2", "mask:keep_last=1",
        "mask:keep_first=-1,keep_last=0", "generalize:range=0", "generalize:day", "noise:pct=0",
        "noise:pct=100", "noise:days=x", "generalize:range=010", "noise:days=36501", "noise:pct=5x",
        "Keep", "null "}) {
    INFO(text);
    CHECK_FALSE(Strategy::parse(text));
  }
  CHECK(parsed("hash").fits(ColumnType::integer));
  CHECK_FALSE(parsed("hash").fits(ColumnType::date));
  CHECK(parsed("generalize:year").fits(ColumnType::timestamp));
  CHECK_FALSE(parsed("generalize:year").fits(ColumnType::integer));
  CHECK(parsed("generalize:range=5").fits(ColumnType::numeric));
  CHECK(parsed("noise:days=3").fits(ColumnType::date));
  CHECK_FALSE(parsed("noise:pct=3").fits(ColumnType::date));
  CHECK_FALSE(parsed("fake:name").fits(ColumnType::integer));
  CHECK(parsed("fake:email").keeps_distinct());
  CHECK(parsed("hash").keeps_distinct());
  CHECK_FALSE(parsed("fake:name").keeps_distinct());
  CHECK_FALSE(parsed("mask:keep_first=1,keep_last=1").keeps_distinct());
}

TEST_CASE("every strategy masks as documented", "[masking]") {
  Masker m(key(), all_packs());
  SECTION("fakes come from the locale packs and fit their column") {
    std::string name = masked(m, "fake:name", ColumnType::text, "Amina Benali");
    CHECK(name.find(' ') != std::string::npos);
    CHECK(name != "Amina Benali");
    std::string email = masked(m, "fake:email", ColumnType::text, "amina@example.org");
    CHECK(email.find('@') != std::string::npos);
    CHECK(email != "amina@example.org");
    CHECK_FALSE(masked(m, "fake:first_name", ColumnType::text, "Amina").empty());
    CHECK_FALSE(masked(m, "fake:last_name", ColumnType::text, "Benali").empty());
    CHECK_FALSE(masked(m, "fake:city", ColumnType::text, "Tizi Ouzou").empty());
    CHECK_FALSE(masked(m, "fake:address", ColumnType::text, "12 rue Didouche").empty());
    CHECK(masked(m, "fake:text", ColumnType::text, "a private note").find(' ') !=
          std::string::npos);
  }
  SECTION("a phone keeps its format and its country prefix") {
    std::string phone = masked(m, "fake:phone", ColumnType::text, "+213 555 12 34 56");
    CHECK(phone != "+213 555 12 34 56");
    CHECK(skeleton(phone) == skeleton("+213 555 12 34 56"));
    CHECK(phone.rfind("+213 ", 0) == 0);
    std::string local = masked(m, "fake:phone", ColumnType::text, "06 12 34 56 78");
    CHECK(skeleton(local) == "99 99 99 99 99");
    CHECK(local.rfind("06 ", 0) == 0);
  }
  SECTION("an IPv4 address stays one; others become documentation IPv6 addresses") {
    std::string ip = masked(m, "fake:ip", ColumnType::text, "192.168.1.20");
    unsigned a, b, c, d;
    CHECK(std::sscanf(ip.c_str(), "%u.%u.%u.%u", &a, &b, &c, &d) == 4);
    CHECK(ip != "192.168.1.20");
    CHECK(masked(m, "fake:ip", ColumnType::text, "2a01:e0a::1").rfind("2001:db8:", 0) == 0);
  }
  SECTION("hash: integers keep their sign, text becomes 32 hex digits") {
    CHECK(masked_integer(m, "hash", 42) >= 0);
    CHECK(masked_integer(m, "hash", 42) != 42);
    CHECK(masked_integer(m, "hash", -7) < 0);
    CHECK(masked_integer(m, "hash", 0) >= 0);
    CHECK(masked_integer(m, "hash", INT64_MAX) >= 0);
    CHECK(masked_integer(m, "hash", INT64_MIN) < 0);
    std::string h = masked(m, "hash", ColumnType::text, "amina@example.org");
    CHECK(h.size() == 32);
    CHECK(h.find_first_not_of("0123456789abcdef") == std::string::npos);
  }
  SECTION("mask keeps the first and last characters, counting Unicode characters") {
    CHECK(masked(m, "mask:keep_first=2,keep_last=2", ColumnType::text, "abcdefgh") == "ab****gh");
    CHECK(masked(m, "mask:keep_first=1,keep_last=1", ColumnType::text, "محمد") == "م**د");
    CHECK(masked(m, "mask:keep_first=0,keep_last=4", ColumnType::text, "FR7630001007941234") ==
          "**************1234");
    CHECK(masked(m, "mask:keep_first=3,keep_last=3", ColumnType::text, "short") == "*****");
  }
  SECTION("null, redact, keep") {
    CHECK(masked(m, "null", ColumnType::text, "x") == "NULL");
    CHECK(masked(m, "redact", ColumnType::text, "secret") == "[redacted]");
    CHECK(masked(m, "keep", ColumnType::text, "same") == "same");
    std::string out;
    auto none = m.apply(parsed("fake:email"), ColumnType::text, Field::null(), out);
    REQUIRE(none.ok());
    CHECK(none->kind == Field::Kind::null);
  }
  SECTION("generalize") {
    CHECK(masked(m, "generalize:year", ColumnType::date, "1987-06-15") == "1987-01-01");
    CHECK(masked(m, "generalize:month", ColumnType::date, "1987-06-15") == "1987-06-01");
    CHECK(masked(m, "generalize:year", ColumnType::timestamp, "1987-06-15T10:20:30+02:00") ==
          "1987-01-01T00:00:00Z");
    CHECK(masked_integer(m, "generalize:range=10", 37) == 30);
    CHECK(masked_integer(m, "generalize:range=10", -3) == -10);
    CHECK(masked(m, "generalize:range=100", ColumnType::numeric, "1234.5") == "1200");
    std::string out;
    auto bad = m.apply(parsed("generalize:year"), ColumnType::date, Field::of("not a date"), out);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().code == ExitCode::data_error);
  }
  SECTION("noise stays within its bounds") {
    for (std::int64_t v = 1000; v < 1100; ++v) {
      std::int64_t n = masked_integer(m, "noise:pct=10", v);
      CHECK(n >= v * 9 / 10);
      CHECK(n <= v * 11 / 10 + 1);
    }
    std::string shifted = masked(m, "noise:days=30", ColumnType::date, "2024-03-15");
    auto days = [](const std::string& d) { return *parse_rfc3339_ms(d) / 86400000; };
    CHECK(std::abs(days(shifted) - days("2024-03-15")) <= 30);
    // One instant, two spellings (PostgreSQL's and SQLite's): one shift.
    CHECK(masked(m, "noise:days=30", ColumnType::timestamp, "2024-03-10 12:00:00+01") ==
          masked(m, "noise:days=30", ColumnType::timestamp, "2024-03-10T11:00:00Z"));
    std::string numeric = masked(m, "noise:pct=5", ColumnType::numeric, "100.00");
    CHECK(numeric.size() - numeric.find('.') == 3);  // the same two decimals
  }
}

TEST_CASE("masking is deterministic under a key, and the key decides", "[masking]") {
  Masker a(key(), all_packs()), b(key(), all_packs());
  MaskingKey other = fixed_key('\x2b');
  Masker c(other, all_packs());
  for (const char* strategy : {"fake:name", "fake:email", "fake:phone", "fake:ip", "hash"}) {
    INFO(strategy);
    const char* value = std::string(strategy) == "fake:ip" ? "10.1.2.3" : "+33 6 12 34 56 78";
    CHECK(masked(a, strategy, ColumnType::text, value) ==
          masked(b, strategy, ColumnType::text, value));
    CHECK(masked(a, strategy, ColumnType::text, value) !=
          masked(c, strategy, ColumnType::text, value));
  }
  // An integer key gives the same pseudonym wherever it appears (a key and its references).
  CHECK(masked_integer(a, "hash", 123456) == masked_integer(b, "hash", 123456));
  CHECK(a.shuffle_key("users.city", "1") == b.shuffle_key("users.city", "1"));
  CHECK(a.shuffle_key("users.city", "1") != a.shuffle_key("users.city", "2"));
  CHECK(canonical_text(Field::of(std::int64_t{42})) == "42");
  CHECK(canonical_text(Field::of_real(0.1)) == "0.1");
}

TEST_CASE("distinct values stay distinct at a million rows", "[masking][scale]") {
  Masker m(key(), all_packs());
  constexpr int k_rows = 1'000'000;
  std::unordered_set<std::string> emails, phones, ips;
  std::unordered_set<std::int64_t> ids;
  emails.reserve(k_rows);
  phones.reserve(k_rows);
  ips.reserve(k_rows);
  ids.reserve(k_rows);
  std::string out;
  for (int i = 0; i < k_rows; ++i) {
    std::string n = std::to_string(i);
    emails.insert(masked(m, "fake:email", ColumnType::text, "user" + n + "@example.org"));
    char phone[32];
    std::snprintf(phone, sizeof phone, "+213 5%02d %02d %02d %02d", i / 1000000 % 100,
                  i / 10000 % 100, i / 100 % 100, i % 100);
    phones.insert(masked(m, "fake:phone", ColumnType::text, phone));
    std::string ip = "10." + std::to_string(i >> 16 & 255) + "." + std::to_string(i >> 8 & 255) +
                     "." + std::to_string(i & 255);
    ips.insert(masked(m, "fake:ip", ColumnType::text, ip));
    ids.insert(masked_integer(m, "hash", i + 1));
  }
  CHECK(emails.size() == k_rows);
  CHECK(phones.size() == k_rows);
  CHECK(ips.size() == k_rows);
  CHECK(ids.size() == k_rows);
}

TEST_CASE("the masking key file: 0600, one line, refused otherwise", "[masking]") {
  test::TempDir dir;
  MaskingKey generated = MaskingKey::generate();
  fs::path file = dir.path() / "mask.key";
  REQUIRE(atomic_write(file, generated.encode(), 0600));
  auto loaded = MaskingKey::load(file);
  REQUIRE(loaded.ok());
  CHECK(loaded->id() == generated.id());
  CHECK(loaded->id().size() == 16);
  CHECK(generated.encode().find(generated.id()) == std::string::npos);
  Masker a(generated, all_packs()), b(*loaded, all_packs());
  CHECK(masked(a, "fake:email", ColumnType::text, "x@y.z") ==
        masked(b, "fake:email", ColumnType::text, "x@y.z"));

  ::chmod(file.c_str(), 0644);
  auto open = MaskingKey::load(file);
  REQUIRE_FALSE(open.ok());
  CHECK(open.error().code == ExitCode::no_permission);
  REQUIRE(atomic_write(dir.path() / "bad.key", "dihya-mask-1:c2hvcnQ=\n", 0600));
  auto bad = MaskingKey::load(dir.path() / "bad.key");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == ExitCode::data_error);
  auto missing = MaskingKey::load(dir.path() / "none.key");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ExitCode::no_input);
}
