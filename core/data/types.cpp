// The type map with its parameters: portable types, read from each engine's declarations and
// declared again on either engine (docs/data-layer.md).
#include "core/data/types.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace dihya {

namespace {

struct Base {
  const char* name;
  ColumnType type;
  std::size_t max_args;
  const char* sqlite;      // declared there (parameters appended)
  const char* postgresql;  // format_type()'s name, before the parameters
  const char* pg_suffix;   // after them
};

// SQLite names keep the affinity the values need: INT, REAL and NUMERIC for numbers, TEXT
// (…_TEXT) where a number-like text must stay text; INTEGER is SQLite's own 64-bit integer.
constexpr Base k_bases[] = {
    {"smallint", ColumnType::integer, 0, "SMALLINT", "smallint", ""},
    {"integer", ColumnType::integer, 0, "INT", "integer", ""},
    {"bigint", ColumnType::integer, 0, "INTEGER", "bigint", ""},
    {"real", ColumnType::real, 0, "FLOAT4", "real", ""},
    {"double", ColumnType::real, 0, "REAL", "double precision", ""},
    {"numeric", ColumnType::numeric, 2, "NUMERIC", "numeric", ""},
    {"char", ColumnType::text, 1, "CHAR", "character", ""},
    {"varchar", ColumnType::text, 1, "VARCHAR", "character varying", ""},
    {"text", ColumnType::text, 0, "TEXT", "text", ""},
    {"blob", ColumnType::blob, 0, "BLOB", "bytea", ""},
    {"boolean", ColumnType::boolean, 0, "BOOLEAN", "boolean", ""},
    {"date", ColumnType::date, 0, "DATE", "date", ""},
    {"time", ColumnType::text, 1, "TIME", "time", " without time zone"},
    {"timestamp", ColumnType::timestamp, 1, "DATETIME", "timestamp", " without time zone"},
    {"timestamptz", ColumnType::timestamp, 1, "TIMESTAMPTZ", "timestamp", " with time zone"},
    {"json", ColumnType::json, 0, "JSON_TEXT", "json", ""},
    {"jsonb", ColumnType::json, 0, "JSONB_TEXT", "jsonb", ""},
    {"uuid", ColumnType::text, 0, "UUID", "uuid", ""},
};

// SQLite keeps 15 significant digits in a number: wider numerics stay text there.
constexpr int k_sqlite_digits = 15;

const Base* find_base(std::string_view name) {
  for (const auto& b : k_bases)
    if (name == b.name) return &b;
  return nullptr;
}

std::string args_text(const std::vector<int>& args) {
  if (args.empty()) return {};
  std::string out = "(";
  for (std::size_t i = 0; i < args.size(); ++i) out += (i ? "," : "") + std::to_string(args[i]);
  return out + ")";
}

std::string collapse_spaces(std::string_view text) {
  std::string out;
  for (char c : text) {
    bool space = std::isspace(static_cast<unsigned char>(c));
    if (space && (out.empty() || out.back() == ' ')) continue;
    out += space ? ' ' : c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// A declaration split into its words (parameters taken out) and its integer parameters.
struct Declared {
  std::string words;
  std::vector<int> args;
  bool has_args = false;  // parentheses were there, integers or not
};

Declared split_declared(std::string_view text) {
  Declared out;
  std::size_t open = text.find('(');
  std::size_t close = open == std::string_view::npos ? open : text.find(')', open);
  if (open == std::string_view::npos || close == std::string_view::npos) {
    out.words = collapse_spaces(text);
    return out;
  }
  out.has_args = true;
  out.words = collapse_spaces(std::string(text.substr(0, open)) + " " +
                              std::string(text.substr(close + 1)));
  std::string_view inside = text.substr(open + 1, close - open - 1);
  while (!inside.empty()) {
    std::size_t comma = inside.find(',');
    std::string part = collapse_spaces(inside.substr(0, comma));
    int value = 0;
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
    if (ec != std::errc() || end != part.data() + part.size() || value < 0) {
      out.args.clear();
      break;
    }
    out.args.push_back(value);
    if (comma == std::string_view::npos) break;
    inside.remove_prefix(comma + 1);
  }
  return out;
}

std::string upper(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

// SQLite's declared type words (upper case) to a portable base, after its affinity rules.
const char* sqlite_base(const std::string& w) {
  auto has = [&](const char* part) { return w.find(part) != std::string::npos; };
  if (has("DECIMAL") || has("NUMERIC")) return "numeric";
  if (has("JSONB")) return "jsonb";
  if (has("JSON")) return "json";
  if (has("BOOL")) return "boolean";
  if (has("TIMESTAMPTZ") || (has("TIMESTAMP") && has("WITH TIME ZONE"))) return "timestamptz";
  if (has("TIMESTAMP") || has("DATETIME")) return "timestamp";
  if (has("DATE")) return "date";
  if (w == "TIME" || w.rfind("TIME ", 0) == 0) return "time";
  if (w == "UUID") return "uuid";
  if (has("INT")) {
    if (w == "SMALLINT" || w == "INT2" || w == "TINYINT") return "smallint";
    if (w == "INT" || w == "INT4" || w == "MEDIUMINT") return "integer";
    return "bigint";
  }
  if (has("VARCHAR") || has("VARYING") || has("NVARCHAR")) return "varchar";
  if (has("CHAR")) return "char";
  if (has("CLOB") || has("TEXT")) return "text";
  if (has("BLOB") || has("BYTEA") || w.empty()) return "blob";
  if (w == "FLOAT4") return "real";
  if (has("REAL") || has("FLOA") || has("DOUB")) return "double";
  return "numeric";
}

}  // namespace

std::string SqlType::text() const {
  return base + args_text(args);
}

ColumnType SqlType::column_type() const {
  const Base* b = find_base(base);
  return b ? b->type : ColumnType::text;
}

std::optional<SqlType> parse_sql_type(std::string_view text) {
  Declared d = split_declared(text);
  const Base* b = find_base(d.words);
  if (!b || (d.has_args && d.args.empty()) || d.args.size() > b->max_args) return std::nullopt;
  return SqlType{b->name, d.args};
}

SqlType sql_type_of(const ColumnDef& column) {
  if (!column.sql_type.empty())
    if (auto parsed = parse_sql_type(column.sql_type)) return *parsed;
  switch (column.type) {
    case ColumnType::integer:
      return {"bigint", {}};
    case ColumnType::real:
      return {"double", {}};
    case ColumnType::timestamp:
      return {"timestamptz", {}};
    default:
      return {column_type_name(column.type), {}};
  }
}

bool naive_timestamp(const ColumnDef& column) {
  return column.type == ColumnType::timestamp && column.sql_type.rfind("timestamp", 0) == 0 &&
         column.sql_type.rfind("timestamptz", 0) != 0;
}

void type_from_sqlite(ColumnDef& column, const std::string& declared) {
  Declared d = split_declared(upper(declared));
  const Base* b = find_base(sqlite_base(d.words));
  SqlType portable{b->name, d.args.size() <= b->max_args ? d.args : std::vector<int>{}};
  // A bare CHAR, VARCHAR or NUMERIC keeps no parameter; TIME(…) and DATETIME(…) give the
  // digits of the fraction.
  column.type = b->type;
  column.sql_type = portable.text();
  column.declared = declared;
  column.declared_on = Engine::sqlite;
}

void type_from_postgresql(ColumnDef& column, const std::string& format_type) {
  column.declared = format_type;
  column.declared_on = Engine::postgresql;
  Declared d = split_declared(format_type);
  for (const auto& b : k_bases) {
    if (d.words != std::string(b.postgresql) + b.pg_suffix || d.args.size() > b.max_args)
      continue;
    column.type = b.type;
    column.sql_type = SqlType{b.name, d.args}.text();
    return;
  }
  column.type = ColumnType::text;
  column.sql_type.clear();
}

std::string column_type_sql(const ColumnDef& column, Engine engine) {
  if (!column.declared.empty() && column.declared_on == engine) return column.declared;
  if (column.sql_type.empty()) return engine_type_name(column.type, engine);
  SqlType t = sql_type_of(column);
  const Base* b = find_base(t.base);
  if (!b) return engine_type_name(column.type, engine);
  if (engine == Engine::postgresql) return b->postgresql + args_text(t.args) + b->pg_suffix;
  if (numeric_kept_as_text(column, engine)) return "DECIMAL_TEXT";
  return b->sqlite + args_text(t.args);
}

bool numeric_kept_as_text(const ColumnDef& column, Engine engine) {
  if (engine != Engine::sqlite || column.type != ColumnType::numeric) return false;
  if (!column.declared.empty() && column.declared_on == engine) return false;
  SqlType t = sql_type_of(column);
  return t.args.empty() || t.args[0] > k_sqlite_digits;
}

}  // namespace dihya

namespace dihya {

namespace {

std::string_view trim_parentheses(std::string_view text) {
  while (text.size() >= 2 && text.front() == '(' && text.back() == ')')
    text = text.substr(1, text.size() - 2);
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

// The length of the 'quoted' literal at the start of TEXT ('' inside), or 0.
std::size_t quoted_length(std::string_view text) {
  if (text.empty() || text[0] != '\'') return 0;
  for (std::size_t i = 1; i < text.size(); ++i) {
    if (text[i] != '\'') continue;
    if (i + 1 < text.size() && text[i + 1] == '\'') {
      ++i;
      continue;
    }
    return i + 1;
  }
  return 0;
}

bool is_number_literal(std::string_view t) {
  std::size_t i = (!t.empty() && (t[0] == '-' || t[0] == '+')) ? 1 : 0;
  std::size_t digits = 0;
  while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i, ++digits;
  if (i < t.size() && t[i] == '.') {
    ++i;
    while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '-' || t[i] == '+')) ++i;
    while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i;
  }
  return i == t.size();
}

}  // namespace

std::optional<std::string> portable_default(std::string_view default_sql, Engine engine) {
  std::string_view t = trim_parentheses(default_sql);
  if (std::size_t n = quoted_length(t); n > 0) {
    // PostgreSQL writes 'abc'::character varying: the cast is the column's own type.
    std::string_view rest = t.substr(n);
    if (rest.empty() || (engine == Engine::postgresql && rest.rfind("::", 0) == 0 &&
                         rest.find('(') == std::string_view::npos))
      return std::string(t.substr(0, n));
    return std::nullopt;
  }
  if (is_number_literal(t)) return std::string(t);
  std::string u = upper(collapse_spaces(t));
  if (u == "NULL" || u == "TRUE" || u == "FALSE") return u;
  if (u == "CURRENT_TIMESTAMP" || u == "NOW()" || u == "LOCALTIMESTAMP" ||
      u == "STATEMENT_TIMESTAMP()" || u == "TRANSACTION_TIMESTAMP()" ||
      u == "DATETIME('NOW')" || u == "DATETIME(CURRENT_TIMESTAMP)")
    return "CURRENT_TIMESTAMP";
  if (u == "CURRENT_DATE" || u == "DATE('NOW')") return "CURRENT_DATE";
  if (u == "CURRENT_TIME" || u == "LOCALTIME" || u == "TIME('NOW')") return "CURRENT_TIME";
  return std::nullopt;
}

std::optional<std::string> default_sql_on(const ColumnDef& column, Engine engine) {
  if (!column.default_sql) return std::nullopt;
  if (column.declared_on == engine) return column.default_sql;
  auto portable = portable_default(*column.default_sql, column.declared_on);
  if (portable && engine == Engine::sqlite && column.type == ColumnType::boolean) {
    if (*portable == "TRUE") return "1";
    if (*portable == "FALSE") return "0";
  }
  if (portable && engine == Engine::postgresql && column.type == ColumnType::boolean) {
    if (*portable == "1" || *portable == "'1'") return "true";
    if (*portable == "0" || *portable == "'0'") return "false";
  }
  return portable;
}

}  // namespace dihya

namespace dihya {

namespace {

std::size_t utf8_length(std::string_view text) {
  std::size_t n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// Digits before the decimal point of a decimal text (leading zeros and the sign aside).
std::optional<int> integer_digits(std::string_view t) {
  std::size_t i = (!t.empty() && (t[0] == '-' || t[0] == '+')) ? 1 : 0;
  while (i < t.size() && t[i] == '0') ++i;
  int digits = 0;
  while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i, ++digits;
  if (i < t.size() && t[i] != '.') return std::nullopt;  // an exponent, NaN: left to the engine
  return digits;
}

}  // namespace

std::optional<std::string> value_misfit(const ColumnDef& column, const Field& value) {
  if (value.kind == Field::Kind::null) return std::nullopt;
  SqlType t = sql_type_of(column);
  if ((t.base == "varchar" || t.base == "char") && !t.args.empty() &&
      value.kind == Field::Kind::text && utf8_length(value.text) > static_cast<std::size_t>(t.args[0]))
    return "longer than " + t.text();
  if (t.base == "numeric" && !t.args.empty()) {
    int scale = t.args.size() > 1 ? t.args[1] : 0;
    std::string text = value.kind == Field::Kind::integer ? std::to_string(value.integer)
                                                          : std::string(value.text);
    if (value.kind == Field::Kind::text || value.kind == Field::Kind::integer)
      if (auto digits = integer_digits(text); digits && *digits > t.args[0] - scale)
        return "outside " + t.text();
  }
  if (value.kind == Field::Kind::integer && (t.base == "smallint" || t.base == "integer")) {
    std::int64_t limit = t.base == "smallint" ? 32767 : 2147483647;
    if (value.integer > limit || value.integer < -limit - 1) return "outside " + t.text();
  }
  return std::nullopt;
}

}  // namespace dihya
