// Discovery over real databases: the spread sample, and recall and precision over the
// labelled corpus of rgpd/tests/corpus (schemas in the styles real applications use).
#include <catch2/catch.hpp>
#include <fstream>
#include <random>

#include "core/privacy/locale_pack.hpp"
#include "core/testing/scratch_db.hpp"
#include "rgpd/detect.hpp"

using namespace dihya;
using namespace dihya::rgpd;
using Json = nlohmann::json;

namespace {

// Values in the style of a column: GEN is the corpus's generator ("email", "int:1:9", …).
class ValueMaker {
 public:
  explicit ValueMaker(std::uint64_t seed) : m_rng(seed) {
    auto packs = select_locale_packs("mixed");
    REQUIRE(packs.ok());
    for (const auto* pack : *packs) {
      for (const auto& n : pack->first_names) m_first.push_back(n.latin.empty() ? n.name : n.name);
      for (const auto& n : pack->last_names) m_last.push_back(n.name);
      for (const auto& n : pack->first_names) m_latin_first.push_back(n.latin);
      for (const auto& n : pack->last_names) m_latin_last.push_back(n.latin);
      for (const auto& c : pack->cities) m_city.push_back(c.name);
      for (const auto& s : pack->street_names) m_street.push_back(s);
    }
    for (const char* n : {"Leonie", "Bjørn", "Frantisek", "Helena", "Astrid", "Daan", "Kara",
                          "Eduardo", "Alexandre", "Roberto", "Jennifer", "Michelle", "Tim"})
      m_first.push_back(n);
    for (const char* c : {"São Paulo", "Montréal", "Oslo", "Prague", "Edmonton", "Vancouver",
                          "Stuttgart", "Brussels", "Copenhagen", "Redmond", "Reno", "Dublin"})
      m_city.push_back(c);
  }

  std::string make(const std::string& gen, std::int64_t row);

 private:
  std::int64_t between(std::int64_t low, std::int64_t high) {
    return std::uniform_int_distribution<std::int64_t>(low, high)(m_rng);
  }
  template <class T>
  const T& pick(const std::vector<T>& list) {
    return list[static_cast<std::size_t>(between(0, static_cast<std::int64_t>(list.size()) - 1))];
  }
  std::string digits(int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += static_cast<char>('0' + between(0, 9));
    return out;
  }
  std::string hex(int n) {
    static const char* k = "0123456789abcdef";
    std::string out;
    for (int i = 0; i < n; ++i) out += k[between(0, 15)];
    return out;
  }
  std::string two(std::int64_t v) { return (v < 10 ? "0" : "") + std::to_string(v); }
  std::string words(int low, int high) {
    static const std::vector<std::string> k_words = {
        "blue",   "garden", "river",  "quick",  "report", "table",  "orange", "music",  "summer",
        "light",  "stone",  "paper",  "travel", "window", "green",  "market", "silver", "cloud",
        "forest", "winter", "yellow", "bridge", "engine", "simple", "velvet", "harbor", "planet",
        "copper", "meadow", "signal", "rocket", "canvas", "island", "marble", "thunder"};
    std::string out;
    for (std::int64_t i = 0, n = between(low, high); i < n; ++i)
      out += (out.empty() ? "" : " ") + pick(k_words);
    return out;
  }
  std::string email() {
    std::string domain = pick(std::vector<std::string>{"example.org", "mail.example.dz",
                                                       "exemple.fr", "correo.example.es"});
    return pick(m_latin_first) + "." + pick(m_latin_last) + std::to_string(between(1, 999)) + "@" +
           domain;
  }
  std::string phone(const std::string& country) {
    if (country == "FR")
      return "0" + std::to_string(between(1, 7)) + " " + digits(2) + " " + digits(2) + " " +
             digits(2) + " " + digits(2);
    if (country == "DZ")
      return "+213 " + std::to_string(between(5, 7)) + digits(2) + " " + digits(2) + " " +
             digits(2) + " " + digits(2);
    if (country == "MA") return "+212 6" + digits(2) + "-" + digits(6);
    if (country == "TN")
      return "+216 " + std::to_string(between(2, 9)) + digits(1) + " " + digits(3) + " " +
             digits(3);
    if (country == "GB") return "+44 7" + digits(3) + " " + digits(6);
    if (country == "US")
      return "+1 (" + std::to_string(between(2, 9)) + digits(2) + ") " +
             std::to_string(between(2, 9)) + digits(2) + "-" + digits(4);
    return "+" + pick(std::vector<std::string>{"55 12", "49 30", "33 1", "420 2", "45 3"}) + " " +
           digits(4) + " " + digits(4);
  }
  std::string iban() {
    std::string bban = digits(23);
    std::string moved = bban + "1527" + "00";  // F=15 R=27
    int rest = 0;
    for (char c : moved) rest = (rest * 10 + (c - '0')) % 97;
    return "FR" + two(98 - rest) + bban;
  }
  std::string card() {
    std::string d = "4" + digits(14);
    for (char check = '0'; check <= '9'; ++check) {
      std::string full = d + check;
      int sum = 0;
      for (std::size_t i = 0; i < full.size(); ++i) {
        int v = full[full.size() - 1 - i] - '0';
        if (i % 2 == 1) v = v * 2 > 9 ? v * 2 - 9 : v * 2;
        sum += v;
      }
      if (sum % 10 == 0)
        return full.substr(0, 4) + " " + full.substr(4, 4) + " " + full.substr(8, 4) + " " +
               full.substr(12, 4);
    }
    return d;
  }
  std::string nir() {
    std::string n = std::to_string(between(1, 2)) + two(between(40, 99)) + two(between(1, 12)) +
                    two(between(1, 95)) + digits(3) + digits(3);
    return n + two(97 - static_cast<int>(std::stoll(n) % 97));
  }

  std::mt19937_64 m_rng;
  std::vector<std::string> m_first, m_last, m_latin_first, m_latin_last, m_city, m_street;
};

std::string ValueMaker::make(const std::string& gen, std::int64_t row) {
  auto colon = gen.find(':');
  std::string name = gen.substr(0, colon);
  std::string arg = colon == std::string::npos ? "" : gen.substr(colon + 1);
  auto range = [&](std::int64_t& low, std::int64_t& high) {
    auto sep = arg.find(':');
    low = std::stoll(arg.substr(0, sep));
    high = std::stoll(arg.substr(sep + 1));
  };
  std::int64_t low = 0, high = 0;
  if (name == "seq") return std::to_string(row + 1);
  if (name == "ref") return std::to_string(between(1, std::stoll(arg)));
  if (name == "int") return range(low, high), std::to_string(between(low, high));
  if (name == "real") {
    double a = std::stod(arg.substr(0, arg.find(':'))),
           b = std::stod(arg.substr(arg.find(':') + 1));
    return std::to_string(a + (b - a) * static_cast<double>(between(0, 1000)) / 1000.0);
  }
  if (name == "money") return std::to_string(between(1, 900)) + "." + two(between(0, 99));
  if (name == "bool") return between(0, 1) ? "1" : "0";
  if (name == "const") return arg;
  if (name == "choice") {
    std::vector<std::string> options;
    std::size_t start = 0;
    for (;;) {
      auto bar = arg.find('|', start);
      options.push_back(arg.substr(start, bar == std::string::npos ? bar : bar - start));
      if (bar == std::string::npos) break;
      start = bar + 1;
    }
    return pick(options);
  }
  if (name == "words")
    return range(low, high), words(static_cast<int>(low), static_cast<int>(high));
  if (name == "slug") {
    std::string w = words(2, 4);
    for (char& c : w) c = c == ' ' ? '-' : c;
    return w;
  }
  if (name == "sku") return "SKU-" + digits(6);
  if (name == "order_number") return "ORD-" + std::to_string(between(2020, 2026)) + "-" + digits(5);
  if (name == "hex") return hex(std::stoi(arg));
  if (name == "uuid") return hex(8) + "-" + hex(4) + "-4" + hex(3) + "-a" + hex(3) + "-" + hex(12);
  if (name == "ts" || name == "date" || name == "dob_midnight") {
    if (name == "dob_midnight")
      low = 1947, high = 1973;
    else
      range(low, high);
    std::string date =
        std::to_string(between(low, high)) + "-" + two(between(1, 12)) + "-" + two(between(1, 28));
    if (name == "date") return date;
    if (name == "dob_midnight") return date + "T00:00:00Z";
    return date + "T" + two(between(0, 23)) + ":" + two(between(0, 59)) + ":" +
           two(between(1, 59)) + "Z";
  }
  if (name == "first_name") return pick(m_first);
  if (name == "last_name") return pick(m_last);
  if (name == "full_name") return pick(m_first) + " " + pick(m_last);
  if (name == "email") return email();
  if (name == "username") return pick(m_latin_first) + pick(m_latin_last) + digits(2);
  if (name == "nickname") return words(1, 1) + digits(2);
  if (name == "phone") return phone(arg);
  if (name == "street") return std::to_string(between(1, 120)) + " " + pick(m_street);
  if (name == "address")
    return std::to_string(between(1, 120)) + " " + pick(m_street) + ", " + digits(5) + " " +
           pick(m_city);
  if (name == "city") return pick(m_city);
  if (name == "postal") {
    if (arg == "US") return digits(5);
    if (arg == "GB") return "SW" + std::to_string(between(1, 9)) + " " + digits(1) + "AB";
    if (arg == "CA") return "T" + digits(1) + "K " + digits(1) + "N" + digits(1);
    return two(between(1, 95)) + digits(3);
  }
  if (name == "country")
    return pick(std::vector<std::string>{"France", "Algeria", "Morocco", "Canada", "Brazil",
                                         "Germany", "United Kingdom", "Tunisia", "USA"});
  if (name == "ip4")
    return std::to_string(between(1, 223)) + "." + std::to_string(between(0, 255)) + "." +
           std::to_string(between(0, 255)) + "." + std::to_string(between(1, 254));
  if (name == "ip6") return "2001:db8:" + hex(4) + "::" + hex(3);
  if (name == "mac")
    return hex(2) + ":" + hex(2) + ":" + hex(2) + ":" + hex(2) + ":" + hex(2) + ":" + hex(2);
  if (name == "iban") return iban();
  if (name == "card") return card();
  if (name == "nir") return nir();
  if (name == "ssn") return std::to_string(between(100, 899)) + "-" + digits(2) + "-" + digits(4);
  if (name == "lat") return std::to_string(between(-60000000, 70000000) / 1e6);
  if (name == "lon") return std::to_string(between(-170000000, 170000000) / 1e6);
  if (name == "user_agent")
    return "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/" +
           std::to_string(between(100, 131)) + ".0 Safari/537.36";
  if (name == "url") return "https://www.example.com/" + hex(8);
  if (name == "path")
    return "uploads/" + std::to_string(between(2019, 2026)) + "/" + hex(10) + ".jpg";
  if (name == "note") return words(6, 20);
  if (name == "note_pii") {
    std::int64_t k = between(0, 9);
    if (k < 3) return "Please contact " + email() + " about the " + words(2, 5);
    if (k < 5) return "Call back on " + phone("FR") + " " + words(2, 6);
    return words(5, 15);
  }
  if (name == "json_benign")
    return R"({"page":"/)" + words(1, 1) + R"(","duration_ms":)" + std::to_string(between(5, 900)) +
           "}";
  if (name == "json_pii") {
    if (between(0, 1)) return R"({"event":"signup","email":")" + email() + R"("})";
    return R"({"event":"login","ip":")" + make("ip4", row) + R"(","ok":true})";
  }
  if (name == "mixed_pii") {
    std::int64_t k = between(0, 3);
    return k == 0 ? pick(m_first) : k == 1 ? phone("FR") : k == 2 ? pick(m_city) : email();
  }
  if (name == "company")
    return pick(std::vector<std::string>{"Acme SARL", "Djezzy", "Telnet Holding", "Globex Ltd",
                                         "Initech", "Sonatrach", "Atlas Conseil", "Orbis GmbH"});
  if (name == "job")
    return pick(std::vector<std::string>{"Sales Manager", "Accountant", "Developer", "Nurse",
                                         "Technician", "Chef de projet", "Comptable"});
  FAIL("unknown generator " << gen);
  return "";
}

struct LabelledColumn {
  std::string table, column, label;  // label "" when not personal
};

// Create SCHEMA's tables in DB, fill them, and return the labelled columns and the tables.
std::vector<LabelledColumn> load_schema(Database& db, const Json& schema,
                                        std::vector<TableDef>& defs) {
  std::vector<LabelledColumn> labels;
  for (const auto& t : schema["tables"]) {
    TableDef def;
    def.name = t["name"];
    std::vector<std::string> gens;
    for (const auto& c : t["columns"]) {
      ColumnDef column;
      column.name = c[0];
      column.type = *parse_column_type(c[1].get<std::string>());
      def.columns.push_back(column);
      gens.push_back(c[2]);
      if (c[2] == "seq") def.primary_key = {column.name};
      labels.push_back({def.name, column.name, c.size() > 3 ? c[3].get<std::string>() : ""});
    }
    REQUIRE(db.execute(create_table_sql(def, db.engine())));
    ValueMaker maker(std::hash<std::string>{}(def.name));
    std::int64_t rows = t["rows"];
    std::vector<std::vector<std::string>> values(static_cast<std::size_t>(rows));
    for (std::int64_t r = 0; r < rows; ++r)
      for (const auto& gen : gens)
        values[static_cast<std::size_t>(r)].push_back(maker.make(gen, r));
    auto loader = db.bulk_load(def);
    REQUIRE(loader.ok());
    std::vector<Field> fields(def.columns.size());
    for (const auto& row : values) {
      for (std::size_t i = 0; i < row.size(); ++i) {
        switch (def.columns[i].type) {
          case ColumnType::integer:
            fields[i] = Field::of(static_cast<std::int64_t>(std::stoll(row[i])));
            break;
          case ColumnType::real:
            fields[i] = Field::of_real(std::stod(row[i]));
            break;
          case ColumnType::boolean:
            fields[i] = Field::of_bool(row[i] == "1");
            break;
          case ColumnType::blob:
            fields[i] = Field::of_blob(row[i]);
            break;
          default:
            fields[i] = Field::of(std::string_view(row[i]));
        }
      }
      REQUIRE((*loader)->add_row(fields.data(), fields.size()));
    }
    REQUIRE((*loader)->finish());
    loader->reset();
    auto described = db.describe_table(def.name);
    if (!described) FAIL(described.error().id << " " << described.error().param("reason"));
    defs.push_back(*described);
  }
  return labels;
}

Json read_corpus(const std::string& name) {
  std::ifstream in(std::string(DIHYA_CORPUS_DIR) + "/" + name + ".json");
  REQUIRE(in.good());
  return Json::parse(in);
}

// Discovery over SCHEMA with an empty map, in a fresh database.
Discovery discover_schema(const Json& schema, std::vector<LabelledColumn>& labels) {
  test::ScratchDatabase scratch(test::k_test_engine);
  auto db = scratch.open();
  std::vector<TableDef> defs;
  labels = load_schema(*db, schema, defs);
  std::vector<const TableDef*> pointers;
  for (const auto& d : defs) pointers.push_back(&d);
  auto found = discover(*db, personal::PersonalMap{}, pointers, {.rows = 1000, .millis = 20000});
  REQUIRE(found.ok());
  return *found;
}

}  // namespace

TEST_CASE("discovery: recall and precision over the labelled corpus", "[rgpd]" DIHYA_ENGINE_TAG) {
  std::int64_t tp = 0, fp = 0, fn = 0, columns = 0, schemas = 0;
  for (const char* name : {"django", "rails", "laravel", "wordpress", "ecommerce", "hr", "health",
                           "french", "arabic", "chinook"}) {
    std::vector<LabelledColumn> labels;
    Discovery found = discover_schema(read_corpus(name), labels);
    ++schemas;
    for (const auto& l : labels) {
      ++columns;
      const Finding* f = nullptr;
      for (const auto& x : found.findings)
        if (x.table == l.table && x.column == l.column) f = &x;
      if (f && !l.label.empty()) {
        ++tp;
        if (f->kind != l.label)
          WARN(name << ": " << l.table << "." << l.column << " labelled " << l.label
                    << ", found as " << f->kind);
      } else if (f) {
        ++fp;
        WARN(name << ": false alarm " << l.table << "." << l.column << " (" << f->kind << " by "
                  << f->by() << ")");
      } else if (!l.label.empty()) {
        ++fn;
        WARN(name << ": missed " << l.table << "." << l.column << " (" << l.label << ")");
      }
    }
  }
  double recall = static_cast<double>(tp) / static_cast<double>(tp + fn);
  double precision = static_cast<double>(tp) / static_cast<double>(tp + fp);
  WARN("corpus: " << schemas << " schemas, " << columns << " columns, " << tp + fn
                  << " personal; recall " << recall << ", precision " << precision);
  CHECK(schemas >= 8);
  CHECK(columns >= 300);
  CHECK(recall >= 0.95);
  CHECK(precision >= 0.90);
}

TEST_CASE("discovery: the music shop's billing and employee columns", "[rgpd]" DIHYA_ENGINE_TAG) {
  std::vector<LabelledColumn> labels;
  Discovery found = discover_schema(read_corpus("chinook"), labels);
  // The obvious columns declared, as a new user would.
  personal::PersonalMap map;
  for (const char* table : {"Customer", "Employee"}) {
    personal::PersonalTable t;
    t.name = table;
    for (const char* c : {"FirstName", "LastName", "Email", "Phone"}) {
      personal::MaskedColumn column{};
      column.name = c;
      column.category = "contact";
      t.columns.push_back(column);
    }
    map.tables.push_back(t);
  }
  std::set<std::string> missing;
  for (const auto& f : undeclared(found, map)) missing.insert(f.table + "." + f.column);
  for (const char* column :
       {"Invoice.BillingCity", "Invoice.BillingState", "Invoice.BillingCountry",
        "Invoice.BillingPostalCode", "Invoice.BillingAddress", "Customer.Company", "Customer.City",
        "Customer.State", "Customer.Country", "Customer.PostalCode", "Customer.Fax",
        "Employee.City", "Employee.PostalCode", "Employee.HireDate", "Employee.BirthDate",
        "Employee.Fax", "Employee.Title"}) {
    INFO(column);
    CHECK(missing.count(column));
  }
  for (const char* column : {"Customer.FirstName", "Track.Name", "Genre.Name", "Album.Title",
                             "Invoice.Total", "Customer.SupportRepId", "Employee.ReportsTo"})
    CHECK_FALSE(missing.count(column));
  // Evidence without values; a confidence; a map entry that fits.
  for (const auto& f : found.findings) {
    if (f.table != "Invoice" || f.column != "BillingCity") continue;
    CHECK(f.words == std::vector<std::string>{"city"});
    CHECK(f.context == "billing");
    CHECK(f.suggestion()["mask"] == "fake:city");
    CHECK(f.confidence != "");
  }
}

TEST_CASE("discovery: the sample is spread over the whole table", "[rgpd]" DIHYA_ENGINE_TAG) {
  test::ScratchDatabase scratch(test::k_test_engine);
  auto db = scratch.open();
  // The first 1 000 rows hold empty strings, the rest emails; a table without an integer key
  // the same way.
  REQUIRE(db->execute("CREATE TABLE contacts (id INTEGER PRIMARY KEY, v TEXT NOT NULL)"));
  REQUIRE(db->execute("CREATE TABLE tagged (code TEXT PRIMARY KEY, v TEXT NOT NULL)"));
  REQUIRE(db->begin());
  auto insert = db->prepare("INSERT INTO contacts (id, v) VALUES (?, ?)");
  auto tagged = db->prepare("INSERT INTO tagged (code, v) VALUES (?, ?)");
  REQUIRE(insert.ok());
  REQUIRE(tagged.ok());
  for (std::int64_t i = 1; i <= 5000; ++i) {
    std::string v = i <= 1000 ? "" : "person" + std::to_string(i) + "@example.org";
    std::string code = "k" + std::to_string(100000 + i);
    REQUIRE((*insert)->reset());
    REQUIRE((*insert)->bind(1, Field::of(i)));
    REQUIRE((*insert)->bind(2, Field::of(std::string_view(v))));
    REQUIRE((*insert)->step());
    REQUIRE((*tagged)->reset());
    REQUIRE((*tagged)->bind(1, Field::of(std::string_view(code))));
    REQUIRE((*tagged)->bind(2, Field::of(std::string_view(v))));
    REQUIRE((*tagged)->step());
  }
  REQUIRE(db->commit());
  std::vector<TableDef> defs = {*db->describe_table("contacts"), *db->describe_table("tagged")};
  std::vector<const TableDef*> pointers = {&defs[0], &defs[1]};
  auto found = discover(*db, personal::PersonalMap{}, pointers, {.rows = 500, .millis = 60000});
  if (!found) FAIL(found.error().id << " " << found.error().param("reason"));
  REQUIRE(found->findings.size() == 2);
  for (const auto& f : found->findings) {
    INFO(f.table);
    CHECK(f.kind == "email");
    CHECK(f.by() == "content");
    CHECK(f.content.sampled > 300);  // the non-empty ones among 500
    CHECK(f.content.matches == f.content.sampled);
  }
  REQUIRE(found->tables.size() == 2);
  CHECK(found->tables[0].method == "ranges");
  CHECK(found->tables[0].rows == 5000);
  CHECK(found->tables[0].sampled == 500);
  CHECK(found->tables[1].method == "stride");
  CHECK(found->tables[1].sampled == 500);
}
