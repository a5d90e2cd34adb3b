#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/data/db.hpp"

// PostgreSQL's binary COPY format, for rows as package::RowDecoder gives them (docs/
// export-format.md §5): the server then parses no text, which makes a load about twice as fast.
namespace dihya::pg_copy {

// How one column's values go on the wire.
enum class Wire { int2, int4, int8, float4, float8, boolean, date, timestamptz, timestamp, bytes };

// Each column's wire form, or nothing when a column has no binary form here (numeric, time,
// uuid, jsonb, and the types outside the map: enums, domains, arrays…).
std::optional<std::vector<Wire>> layout(const TableDef& def);
// Whether every column of DEF has a binary form here.
bool encodable(const TableDef& def);

// The file header and trailer around the rows.
void header(std::string& out);
void trailer(std::string& out);

// One row of DEF's columns, as the decoder types them: integers, reals and booleans as such,
// blobs as bytes, timestamps in the canonical form "YYYY-MM-DDTHH:MM:SS[.f]Z" or ±infinity,
// dates as "YYYY-MM-DD", text and JSON as text. A value the column cannot hold (a date that
// does not exist, year 0, a field of the wrong kind) is a data error naming the table and
// column; OUT then holds part of a row and must be dropped.
Status append_row(std::string& out, const TableDef& def, const Field* fields, std::size_t count);
// The same with DEF's layout computed once.
Status append_row(std::string& out, const TableDef& def, const std::vector<Wire>& wires,
                  const Field* fields, std::size_t count);

// PostgreSQL's own forms of a date (days since 2000-01-01) and of a timestamp with time zone
// (microseconds since 2000-01-01 00:00:00 UTC, fractions rounded as its text input does).
std::optional<std::int32_t> date_days(std::string_view text);
std::optional<std::int64_t> timestamp_micros(std::string_view canonical);
// A timestamp without time zone, "YYYY-MM-DD[ T]HH:MM:SS[.f]", as microseconds since
// 2000-01-01 00:00:00 of the same clock.
std::optional<std::int64_t> local_timestamp_micros(std::string_view text);

}  // namespace dihya::pg_copy
