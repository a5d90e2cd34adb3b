// The type map with its parameters: each engine's declarations read as portable types and
// declared again on either engine.
#include <catch2/catch.hpp>

#include "core/data/types.hpp"

using namespace dihya;

namespace {

ColumnDef from_sqlite(const std::string& declared) {
  ColumnDef c{"c", ColumnType::text, true};
  type_from_sqlite(c, declared);
  return c;
}

ColumnDef from_postgresql(const std::string& declared) {
  ColumnDef c{"c", ColumnType::text, true};
  type_from_postgresql(c, declared);
  return c;
}

}  // namespace

TEST_CASE("SQLite and PostgreSQL declarations map to portable types and back", "[types]") {
  CHECK(from_sqlite("decimal(10,2)").sql_type == "numeric(10,2)");
  CHECK(from_sqlite("decimal(10,2)").type == ColumnType::numeric);
  CHECK(from_sqlite("varchar(40)").sql_type == "varchar(40)");
  CHECK(from_sqlite("datetime").sql_type == "timestamp");
  CHECK(naive_timestamp(from_sqlite("datetime")));
  CHECK_FALSE(naive_timestamp(from_sqlite("TIMESTAMPTZ")));
  CHECK(from_sqlite("INTEGER").sql_type == "bigint");
  CHECK(from_sqlite("int").sql_type == "integer");
  CHECK(from_sqlite("DECIMAL_TEXT").sql_type == "numeric");
  CHECK(from_postgresql("character varying(254)").sql_type == "varchar(254)");
  CHECK(from_postgresql("timestamp(6) without time zone").sql_type == "timestamp(6)");
  CHECK(from_postgresql("timestamp with time zone").sql_type == "timestamptz");
  CHECK(from_postgresql("mood").sql_type.empty());  // an enum: kept for its own engine only

  // The same engine declares the column as it was; the other one its portable type.
  CHECK(column_type_sql(from_sqlite("decimal(10,2)"), Engine::sqlite) == "decimal(10,2)");
  CHECK(column_type_sql(from_sqlite("decimal(10,2)"), Engine::postgresql) == "numeric(10,2)");
  CHECK(column_type_sql(from_postgresql("integer"), Engine::sqlite) == "INT");
  CHECK(column_type_sql(from_postgresql("character(3)"), Engine::sqlite) == "CHAR(3)");
  CHECK(column_type_sql(from_sqlite("datetime"), Engine::postgresql) ==
        "timestamp without time zone");
  // Wider than SQLite's 15 digits: text there, its digits kept.
  CHECK(numeric_kept_as_text(from_postgresql("numeric(20,2)"), Engine::sqlite));
  CHECK(column_type_sql(from_postgresql("numeric"), Engine::sqlite) == "DECIMAL_TEXT");
  CHECK_FALSE(numeric_kept_as_text(from_postgresql("numeric(10,2)"), Engine::sqlite));
}

TEST_CASE("defaults carried across engines, and values that do not fit", "[types]") {
  CHECK(portable_default("'abc'::character varying", Engine::postgresql) == "'abc'");
  CHECK(portable_default("now()", Engine::postgresql) == "CURRENT_TIMESTAMP");
  CHECK(portable_default("(-1)", Engine::postgresql) == "-1");
  CHECK_FALSE(portable_default("gen_random_uuid()", Engine::postgresql));
  ColumnDef flag = from_postgresql("boolean");
  flag.default_sql = "true";
  CHECK(default_sql_on(flag, Engine::sqlite) == "1");
  CHECK(default_sql_on(flag, Engine::postgresql) == "true");

  ColumnDef name = from_sqlite("varchar(2)");
  CHECK_FALSE(value_misfit(name, Field::of("ⵣⵣ")));  // two characters, six bytes
  CHECK(value_misfit(name, Field::of("abc")) == "longer than varchar(2)");
  ColumnDef money = from_sqlite("numeric(4,2)");
  CHECK_FALSE(value_misfit(money, Field::of("99.99")));
  CHECK(value_misfit(money, Field::of("100.1")));
  CHECK(value_misfit(from_postgresql("smallint"), Field::of(std::int64_t{40000})));
}
