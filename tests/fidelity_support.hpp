#pragma once

#include <string>
#include <vector>

#include "tests/package_support.hpp"

// An application's schema moved between engines (issue 19): what Django and Rails make on
// each engine, the fixed set of queries whose answers must survive a move, and what each
// engine says of its columns.
namespace dihya::test {

// Create on the database at URL an application schema as its engine's frameworks make it:
// customers (an auto-numbered id, varchar(n), numeric(10,2), naive and aware timestamps,
// booleans, defaults, a CHECK, a self-referencing foreign key), invoices, lines (a composite
// primary key) and a view; with rows whose answers differ when types are lost.
void create_app_schema(const std::string& url);

// The answers of the fixed queries (filters on numerics and dates, sorts, sums, joins), one
// line each, in a form that is the same on both engines.
std::vector<std::string> app_answers(const std::string& url);

// Insert a row without an id into every auto-numbered table of the schema at URL: "" when
// each got an id above the largest before, else what went wrong.
std::string insert_without_id(const std::string& url);

// Each column of the schema's tables with its declared type (SQLite's, or PostgreSQL's
// format_type) and its default; with PORTABLE, its portable type instead (core/data/types),
// the auto-numbered columns left out (their width follows the engine's row numbering).
std::string app_declared_types(const std::string& url, bool portable);

// The stored values of every table in key order: on SQLite each value's typeof() and quote(),
// on PostgreSQL each row's text.
std::string app_stored_values(const std::string& url);

// What the same engine makes again: the view's answer and whether the CHECK refuses a row
// ("view N, check refused" or what differs).
std::string app_view_and_check(const std::string& url);

// The schema's tables, in foreign-key order.
inline const std::vector<std::string> k_app_tables = {"customers", "invoices", "lines"};

}  // namespace dihya::test
