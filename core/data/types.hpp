#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/data/db.hpp"

// The type map with its parameters (docs/data-layer.md, "Types with their parameters"): a
// column's type in an engine-neutral form, read from what each engine declares and turned
// back into each engine's DDL.
namespace dihya {

// A portable column type: a base of the map (smallint integer bigint real double numeric
// char varchar text blob boolean date time timestamp timestamptz json jsonb uuid) and its
// arguments: numeric(p[,s]), char(n), varchar(n), time(p), timestamp(p), timestamptz(p).
struct SqlType {
  std::string base;
  std::vector<int> args;

  std::string text() const;  // "varchar(40)", "numeric(10,2)"
  ColumnType column_type() const;
  bool operator==(const SqlType&) const = default;
};

// The portable type TEXT names, or nothing when it is not one of the map.
std::optional<SqlType> parse_sql_type(std::string_view text);

// The portable type of COLUMN: its sql_type, or the common type's own (integer: bigint,
// real: double, timestamp: timestamptz…).
SqlType sql_type_of(const ColumnDef& column);

// A naive timestamp (without time zone): its values keep their own text, never moved to UTC.
bool naive_timestamp(const ColumnDef& column);

// Fill COLUMN's type, sql_type and declared type from SQLite's declared type text (affinity
// rules: "NUMERIC(10,2)" numeric, "DATETIME" a naive timestamp, "INT" a 32-bit integer…).
void type_from_sqlite(ColumnDef& column, const std::string& declared);
// The same from PostgreSQL's format_type() text. A type outside the map (an enum, a domain,
// an array, tsvector…) is text with no portable type, its declaration kept.
void type_from_postgresql(ColumnDef& column, const std::string& format_type);

// The type to declare COLUMN with on ENGINE: the column's own declaration when it was made on
// that engine, else the portable type's name there (docs/data-layer.md).
std::string column_type_sql(const ColumnDef& column, Engine engine);

// True when COLUMN, declared on ENGINE from another engine, keeps its numeric digits as text
// (SQLite holds 15 significant digits: numeric without a precision or above 15 is TEXT there).
bool numeric_kept_as_text(const ColumnDef& column, Engine engine);

}  // namespace dihya

namespace dihya {

// COLUMN's default as an expression of ENGINE: its own text when declared there, else the
// portable form of the common ones (numbers, 'strings', NULL, true/false, CURRENT_TIMESTAMP
// and now(), CURRENT_DATE, CURRENT_TIME); nothing without a default or for one that only its
// own engine understands.
std::optional<std::string> default_sql_on(const ColumnDef& column, Engine engine);

// The portable form of DEFAULT_SQL written on ENGINE, or nothing when it has none.
std::optional<std::string> portable_default(std::string_view default_sql, Engine engine);

}  // namespace dihya

namespace dihya {

// Why VALUE does not fit COLUMN's declared parameters (longer than its varchar(n) or char(n)
// in characters, more integer digits than its numeric(p,s) holds, outside its smallint or
// integer range), or nothing when it fits.
std::optional<std::string> value_misfit(const ColumnDef& column, const Field& value);

}  // namespace dihya
