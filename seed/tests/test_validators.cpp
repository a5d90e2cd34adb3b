#include <catch2/catch.hpp>

#include "core/testing/workspace.hpp"
#include "seed/validators.hpp"

using namespace dihya;
using namespace dihya::seed;

namespace {

bool has_issue(const Error& error, const std::string& path, const std::string& id) {
  for (const auto& cause : error.causes)
    if (cause.param("path") == path && cause.id == id) return true;
  return false;
}

Json schema_with_column(Json column) {
  return {
      {"tables",
       {{{"name", "t"},
         {"rows", 5},
         {"columns",
          {{{"name", "id"}, {"type", "integer"}, {"primary_key", true}, {"generator", "sequence"}},
           column}}}}}};
}

}  // namespace

TEST_CASE("the demo schema is valid and proportional to --scale", "[seed]") {
  const SeedSchema& schema = demo_schema();
  REQUIRE(schema.tables.size() == 5);
  CHECK(schema.find("users")->rows_for(1000) == 1000);
  CHECK(schema.find("events")->rows_for(1000) == 4000);
  CHECK(schema.find("templates")->rows_for(10) == 12);
  CHECK(schema.find("events")->def.foreign_keys.at(0).ref_table == "users");
}

TEST_CASE("bad schema documents are 65 and name the JSON path", "[seed]") {
  struct Case {
    Json column;
    const char* path;
    const char* id;
  };
  const std::vector<Case> cases = {
      {{{"name", "e"}, {"type", "text"}, {"generator", "emial"}},
       "tables[0].columns[1].generator",
       "seed.schema.bad_generator"},
      {{{"name", "e"}, {"type", "txt"}, {"generator", "email"}},
       "tables[0].columns[1].type",
       "seed.schema.bad_type"},
      {{{"name", "e"}, {"type", "integer"}, {"generator", "email"}},
       "tables[0].columns[1].generator",
       "seed.schema.type_mismatch"},
      {{{"name", "e"}, {"type", "integer"}, {"generator", "ref:nowhere"}},
       "tables[0].columns[1].generator",
       "seed.schema.unknown_table"},
      {{{"name", "e"}, {"type", "integer"}, {"generator", "int:9:1"}},
       "tables[0].columns[1].generator",
       "seed.schema.bad_generator"},
      {{{"name", "e"}, {"type", "text"}, {"generator", "email"}, {"colour", "red"}},
       "tables[0].columns[1].colour",
       "core.json.unknown_key"},
      {{{"name", "e"}, {"type", "text"}, {"generator", "email"}, {"null_rate", 0.5}},
       "tables[0].columns[1].null_rate",
       "seed.schema.bad_null_rate"},
      {{{"name", "id"}, {"type", "text"}, {"generator", "email"}},
       "tables[0].columns[1].name",
       "seed.schema.duplicate_column"},
      {{{"type", "text"}, {"generator", "email"}},
       "tables[0].columns[1].name",
       "core.json.missing_key"},
  };
  for (const auto& c : cases) {
    DYNAMIC_SECTION(c.path << " " << c.id) {
      auto parsed = parse_seed_schema(schema_with_column(c.column), "shop.json");
      REQUIRE_FALSE(parsed.ok());
      CHECK(parsed.error().code == ExitCode::data_error);
      CHECK(parsed.error().param("file") == "shop.json");
      CHECK(has_issue(parsed.error(), c.path, c.id));
    }
  }
}

TEST_CASE("a schema file that is not JSON is 65 with its line", "[seed]") {
  test::TempDir dir;
  test::write_text(dir.path() / "bad.json", "{\n \"tables\": [\n  {,\n]}");
  auto parsed = load_seed_schema_file((dir.path() / "bad.json").string());
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.error().code == ExitCode::data_error);
  CHECK(parsed.error().causes.at(0).param("line") == "3");
  CHECK(load_seed_schema_file((dir.path() / "none.json").string()).error().code ==
        ExitCode::no_input);
}

TEST_CASE("seed arguments", "[seed]") {
  Arguments ok;
  ok.add_value("scale", "500");
  ok.add_value("locale", "kab");
  auto parsed = parse_seed_options(ok);
  REQUIRE(parsed.ok());
  CHECK(parsed->scale == 500);
  CHECK(parsed->locale == "kab");
  for (auto [option, value] : std::vector<std::pair<std::string, std::string>>{{"scale", "0"},
                                                                               {"scale", "ten"},
                                                                               {"locale", "de"},
                                                                               {"target", "files"},
                                                                               {"seed", "-1"}}) {
    Arguments bad;
    bad.add_value(option, value);
    INFO(option << "=" << value);
    CHECK(parse_seed_options(bad).error().code == ExitCode::usage);
  }
  Arguments force;
  force.set_flag("force");
  CHECK(parse_seed_options(force).error().id == "seed.force_needs_reason");
}
