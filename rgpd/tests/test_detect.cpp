#include <catch2/catch.hpp>

#include "core/base/options.hpp"
#include "rgpd/detect.hpp"
#include "rgpd/validators.hpp"

using namespace dihya;
using namespace dihya::rgpd;

namespace {

Result<ConsentOptions> consent_options(std::vector<std::string> argv) {
  OptionSet options;
  declare_consent_options(options);
  argv.insert(argv.begin(), "consent");
  std::vector<const char*> raw;
  for (const auto& a : argv) raw.push_back(a.c_str());
  auto args = parse_arguments("consent", options, static_cast<int>(raw.size()), raw.data(), false);
  if (!args) return args.error();
  if (!args->personal("subject") && args->value("subject")) return usage_error("not personal");
  return parse_consent_options(*args);
}

}  // namespace

TEST_CASE("column names that look personal", "[rgpd]") {
  CHECK(personal_by_name("email") == "email");
  CHECK(personal_by_name("contact_email") == "email");
  CHECK(personal_by_name("userEmail") == "email");
  CHECK(personal_by_name("mobile_phone") == "phone");
  CHECK(personal_by_name("first_name") == "name");
  CHECK(personal_by_name("LastName") == "name");
  CHECK(personal_by_name("date_of_birth") == "birth_date");
  CHECK(personal_by_name("client_ip") == "ip");
  CHECK(personal_by_name("iban") == "iban");
  CHECK(personal_by_name("street") == "address");
  // Words that only contain a personal word are not personal.
  CHECK(personal_by_name("zipper_size").empty());
  CHECK(personal_by_name("description").empty());
  CHECK(personal_by_name("shipping_method").empty());
  CHECK(personal_by_name("created_at").empty());
  CHECK(personal_by_name("name").empty());  // a project's name, a template's name
}

TEST_CASE("values that look personal", "[rgpd]") {
  ValueClassifier c;
  CHECK(c.classify("ada.lovelace@example.org") == "email");
  CHECK(c.classify("+213 555 12 34 56") == "phone");
  CHECK(c.classify("06 12 34 56 78") == "phone");
  CHECK(c.classify("192.168.10.7") == "ip");
  CHECK(c.classify("2001:db8::1") == "ip");
  CHECK(c.classify("FR76 3000 6000 0112 3456 7890 189") == "iban");
  CHECK(c.classify("FR76 3000 6000 0112 3456 7890 188").empty());  // bad check digits
  CHECK(c.classify("Amezyan Ameṛṛuc") == "name");
  CHECK(c.classify("hello world").empty());
  CHECK(c.classify("12345678901").empty());  // a bare number
  CHECK(c.classify("page_view").empty());
  CHECK(c.classify("1.2.3").empty());
  CHECK(c.classify("").empty());
}

TEST_CASE("consent options", "[rgpd]") {
  auto record = consent_options({"record", "--subject", "7", "--purpose", "newsletter", "--method",
                                 "web", "--policy-version", "3"});
  REQUIRE(record);
  CHECK(record->command == ConsentCommand::record);
  CHECK(record->subject == "7");
  CHECK(consent_options({"show", "--subject", "7"}));
  CHECK(consent_options({"list", "--active"}));
  CHECK(consent_options({"withdraw", "--subject", "7", "--purpose", "p"}));
  for (auto bad : std::vector<std::vector<std::string>>{
           {},
           {"erase"},
           {"list", "extra"},
           {"record", "--subject", "7", "--purpose", "p", "--method", "web"},
           {"record", "--purpose", "p", "--method", "web", "--policy-version", "1"},
           {"withdraw", "--subject", "7"},
           {"show"},
           {"list", "--basis", "consent"},
           {"withdraw", "--subject", "7", "--purpose", "p", "--basis", "contract"},
           {"show", "--subject", ""},
           {"show", "--subject", "a\nb"}}) {
    INFO(bad.size());
    auto parsed = consent_options(bad);
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().code == ExitCode::usage);
  }
}
