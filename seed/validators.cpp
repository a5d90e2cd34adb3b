#include "seed/validators.hpp"

#include <charconv>
#include <cmath>
#include <map>
#include <set>

#include "core/base/clock.hpp"
#include "core/base/fs.hpp"
#include "core/base/json_check.hpp"
#include "core/privacy/locale_pack.hpp"

namespace dihya::seed {
namespace {

Error usage(const std::string& option, const std::string& value) {
  return make_error(ExitCode::usage, "core.usage.bad_value",
                    {{"option", option}, {"value", value}});
}

template <class T>
std::optional<T> number(std::string_view text) {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    std::size_t at = text.find(separator, start);
    parts.push_back(text.substr(start, at - start));
    if (at == std::string::npos) return parts;
    start = at + 1;
  }
}

std::optional<std::int64_t> day_of(const std::string& text) {
  auto ms = parse_rfc3339_ms(text);
  if (!ms) return std::nullopt;
  return *ms / 86400000;
}

// Checks a seed schema document; problems are 65 (bad input data), each with its path.
class SchemaChecker : public JsonChecker {
 public:
  SchemaChecker() : JsonChecker(ExitCode::data_error) {}

  SeedSchema check(const Json& doc);

 private:
  std::optional<SeedTable> check_table(const Json& table, const std::string& path,
                                       const SeedSchema& before);
  std::optional<SeedColumn> check_column(const Json& column, const std::string& path,
                                         const SeedSchema& before, SeedTable& table);
  std::optional<Generator> parse_generator(const std::string& text, const std::string& path,
                                           const SeedSchema& before);
  bool compatible(const Generator& g, ColumnType type) const;
};

std::optional<Generator> SchemaChecker::parse_generator(const std::string& text,
                                                        const std::string& path,
                                                        const SeedSchema& before) {
  static const std::map<std::string, GeneratorKind> simple = {
      {"first_name", GeneratorKind::first_name},
      {"last_name", GeneratorKind::last_name},
      {"full_name", GeneratorKind::full_name},
      {"email", GeneratorKind::email},
      {"username", GeneratorKind::username},
      {"phone", GeneratorKind::phone},
      {"address", GeneratorKind::address},
      {"city", GeneratorKind::city},
      {"country", GeneratorKind::country},
      {"ip", GeneratorKind::ip},
      {"user_agent", GeneratorKind::user_agent},
      {"file_path", GeneratorKind::file_path},
      {"event_payload", GeneratorKind::event_payload},
      {"null", GeneratorKind::null}};
  auto bad = [&] {
    issue(path, "seed.schema.bad_generator", {{"value", text}});
    return std::optional<Generator>();
  };
  Generator g;
  if (auto it = simple.find(text); it != simple.end()) {
    g.kind = it->second;
    return g;
  }
  std::vector<std::string> parts = split(text, ':');
  const std::string& name = parts[0];
  auto integers = [&](std::size_t from) {
    auto low = number<std::int64_t>(parts[from]), high = number<std::int64_t>(parts[from + 1]);
    if (!low || !high || *low > *high) return false;
    g.low = *low;
    g.high = *high;
    return true;
  };
  if (name == "sequence" && parts.size() <= 2) {
    g.kind = GeneratorKind::sequence;
    g.low = 1;
    if (parts.size() == 2) {
      auto start = number<std::int64_t>(parts[1]);
      if (!start) return bad();
      g.low = *start;
    }
    return g;
  }
  if (name == "ref" && (parts.size() == 2 || (parts.size() == 3 && parts[2] == "skew"))) {
    g.kind = GeneratorKind::ref;
    g.text = parts[1];
    g.skewed = parts.size() == 3;
    const SeedTable* target = before.find(g.text);
    if (!target) {
      issue(path, "seed.schema.unknown_table", {{"table", g.text}});
      return std::nullopt;
    }
    if (target->def.primary_key.size() != 1 ||
        target->columns.front().generator.kind != GeneratorKind::sequence) {
      issue(path, "seed.schema.bad_reference", {{"table", g.text}});
      return std::nullopt;
    }
    return g;
  }
  if ((name == "int" || name == "size" || name == "words") && parts.size() == 3) {
    g.kind = name == "int"    ? GeneratorKind::integer
             : name == "size" ? GeneratorKind::file_size
                              : GeneratorKind::words;
    if (!integers(1) || (g.kind != GeneratorKind::integer && g.low < 0)) return bad();
    return g;
  }
  if (name == "real" && parts.size() == 3) {
    auto low = number<double>(parts[1]), high = number<double>(parts[2]);
    if (!low || !high || *low > *high) return bad();
    g.kind = GeneratorKind::real;
    g.real_low = *low;
    g.real_high = *high;
    return g;
  }
  if (name == "decimal" && parts.size() == 4) {
    auto digits = number<std::int64_t>(parts[3]);
    if (!integers(1) || !digits || *digits < 0 || *digits > 12) return bad();
    g.kind = GeneratorKind::decimal;
    g.probability = static_cast<double>(*digits);
    return g;
  }
  if (name == "bool" && parts.size() == 2) {
    auto p = number<double>(parts[1]);
    if (!p || *p < 0 || *p > 1) return bad();
    g.kind = GeneratorKind::boolean;
    g.probability = *p;
    return g;
  }
  if ((name == "date" || name == "timestamp") && parts.size() == 3) {
    auto from = day_of(parts[1]), to = day_of(parts[2]);
    if (!from || !to || *from > *to) return bad();
    g.kind = name == "date" ? GeneratorKind::date : GeneratorKind::timestamp;
    g.low = *from;
    g.high = *to;
    return g;
  }
  if (name == "hex" && parts.size() == 2) {
    auto digits = number<std::int64_t>(parts[1]);
    if (!digits || *digits < 1 || *digits > 128) return bad();
    g.kind = GeneratorKind::hex;
    g.low = *digits;
    return g;
  }
  if (name == "choice" && parts.size() >= 2) {
    std::string rest = text.substr(7);
    std::uint64_t total = 0;
    for (const auto& option : split(rest, '|')) {
      auto eq = option.rfind('=');
      std::uint64_t weight = 1;
      std::string value = option;
      if (eq != std::string::npos) {
        auto w = number<std::uint64_t>(option.substr(eq + 1));
        if (!w || *w == 0) return bad();
        weight = *w;
        value = option.substr(0, eq);
      }
      if (value.empty()) return bad();
      total += weight;
      g.choices.emplace_back(value, total);
    }
    g.kind = GeneratorKind::choice;
    return g;
  }
  if (name == "constant" && parts.size() >= 2) {
    g.kind = GeneratorKind::constant;
    g.text = text.substr(9);
    return g;
  }
  return bad();
}

bool SchemaChecker::compatible(const Generator& g, ColumnType type) const {
  switch (g.kind) {
    case GeneratorKind::sequence:
    case GeneratorKind::ref:
    case GeneratorKind::integer:
    case GeneratorKind::file_size:
      return type == ColumnType::integer;
    case GeneratorKind::real:
      return type == ColumnType::real;
    case GeneratorKind::decimal:
      return type == ColumnType::numeric;
    case GeneratorKind::boolean:
      return type == ColumnType::boolean;
    case GeneratorKind::date:
      return type == ColumnType::date;
    case GeneratorKind::timestamp:
      return type == ColumnType::timestamp;
    case GeneratorKind::event_payload:
      return type == ColumnType::json;
    case GeneratorKind::constant:
    case GeneratorKind::null:
      return true;
    default:
      return type == ColumnType::text;
  }
}

std::optional<SeedColumn> SchemaChecker::check_column(const Json& column, const std::string& path,
                                                      const SeedSchema& before, SeedTable& table) {
  if (!expect_object(column, path,
                     {"name", "type", "generator", "primary_key", "unique", "nullable", "null_rate",
                      "references"}))
    return std::nullopt;
  auto name = get_string(column, "name", path, true);
  auto type_name = get_string(column, "type", path, true);
  auto generator_text = get_string(column, "generator", path, true);
  if (!name || !type_name || !generator_text) return std::nullopt;
  auto type = parse_column_type(*type_name);
  if (!type) {
    issue(join(path, "type"), "seed.schema.bad_type", {{"value", *type_name}});
    return std::nullopt;
  }
  auto generator = parse_generator(*generator_text, join(path, "generator"), before);
  if (!generator) return std::nullopt;
  if (!compatible(*generator, *type)) {
    issue(join(path, "generator"), "seed.schema.type_mismatch",
          {{"generator", *generator_text}, {"type", *type_name}});
    return std::nullopt;
  }
  SeedColumn out{{*name, *type, column.value("nullable", false)}, *generator, 0};
  if (column.contains("null_rate")) {
    const Json& rate = column["null_rate"];
    if (!rate.is_number() || rate.get<double>() < 0 || rate.get<double>() > 1 || !out.def.nullable)
      issue(join(path, "null_rate"), "seed.schema.bad_null_rate");
    else
      out.null_rate = rate.get<double>();
  }
  if (column.value("primary_key", false)) {
    table.def.primary_key.push_back(*name);
    out.def.nullable = false;
  }
  if (column.value("unique", false)) table.def.unique_keys.push_back({*name});
  if (generator->kind == GeneratorKind::ref) {
    const SeedTable* target = before.find(generator->text);
    table.def.foreign_keys.push_back({{*name}, target->name, {target->def.primary_key.front()}});
  }
  return out;
}

std::optional<SeedTable> SchemaChecker::check_table(const Json& table, const std::string& path,
                                                    const SeedSchema& before) {
  if (!expect_object(table, path, {"name", "rows", "columns"})) return std::nullopt;
  SeedTable out;
  auto name = get_string(table, "name", path, true);
  if (!name) return std::nullopt;
  out.name = out.def.name = *name;
  if (before.find(*name))
    issue(join(path, "name"), "seed.schema.duplicate_table", {{"table", *name}});
  const Json rows = table.value("rows", Json());
  std::string rows_path = join(path, "rows");
  if (rows.is_number_integer() && rows.get<std::int64_t>() >= 0) {
    out.fixed_rows = rows.get<std::int64_t>();
  } else if (rows.is_object() && expect_object(rows, rows_path, {"scale", "min"}) &&
             rows.contains("scale") && rows["scale"].is_number() &&
             rows["scale"].get<double>() >= 0) {
    out.scale_factor = rows["scale"].get<double>();
    if (auto min = get_integer(rows, "min", rows_path, 0, k_no_limit)) out.min_rows = *min;
  } else {
    issue(rows_path, "seed.schema.bad_rows");
  }
  if (!table.contains("columns") || !table["columns"].is_array() || table["columns"].empty()) {
    issue(join(path, "columns"), "core.json.expected_array");
    return std::nullopt;
  }
  std::set<std::string> seen;
  for (std::size_t i = 0; i < table["columns"].size(); ++i) {
    std::string column_path = index_path(join(path, "columns"), i);
    auto column = check_column(table["columns"][i], column_path, before, out);
    if (!column) continue;
    if (!seen.insert(column->def.name).second)
      issue(join(column_path, "name"), "seed.schema.duplicate_column",
            {{"column", column->def.name}});
    out.def.columns.push_back(column->def);
    out.columns.push_back(std::move(*column));
  }
  if (out.def.primary_key.size() != 1)
    issue(join(path, "columns"), "seed.schema.primary_key_required", {{"table", out.name}});
  else if (out.columns.empty() || out.columns.front().def.name != out.def.primary_key.front())
    issue(join(path, "columns"), "seed.schema.primary_key_first", {{"table", out.name}});
  return out;
}

SeedSchema SchemaChecker::check(const Json& doc) {
  SeedSchema schema;
  if (!expect_object(doc, "", {"tables"})) return schema;
  if (!doc.contains("tables") || !doc["tables"].is_array() || doc["tables"].empty()) {
    issue("tables", "core.json.expected_array");
    return schema;
  }
  for (std::size_t i = 0; i < doc["tables"].size(); ++i)
    if (auto table = check_table(doc["tables"][i], index_path("tables", i), schema))
      schema.tables.push_back(std::move(*table));
  return schema;
}

}  // namespace

std::int64_t SeedTable::rows_for(std::int64_t scale) const {
  if (fixed_rows >= 0) return fixed_rows;
  auto rows = static_cast<std::int64_t>(std::llround(static_cast<double>(scale) * scale_factor));
  return std::max(rows, min_rows);
}

const SeedTable* SeedSchema::find(const std::string& name) const {
  for (const auto& table : tables)
    if (table.name == name) return &table;
  return nullptr;
}

Result<SeedSchema> parse_seed_schema(const Json& doc, const std::string& source) {
  SchemaChecker checker;
  SeedSchema schema = checker.check(doc);
  if (checker.issues().empty()) return schema;
  Error error = make_error(ExitCode::data_error, "seed.schema.invalid",
                           {{"file", source}, {"count", std::to_string(checker.issues().size())}});
  error.causes = checker.issues();
  return error;
}

Result<SeedSchema> load_seed_schema_file(const std::string& path) {
  auto text = read_file(path);
  if (!text) return text.error();
  SchemaChecker syntax;
  Json doc;
  if (!syntax.parse(*text, doc)) {
    Error error = make_error(ExitCode::data_error, "seed.schema.invalid",
                             {{"file", path}, {"count", std::to_string(syntax.issues().size())}});
    error.causes = syntax.issues();
    return error;
  }
  return parse_seed_schema(doc, path);
}

Result<SeedOptions> parse_seed_options(const Arguments& args) {
  SeedOptions options;
  if (auto target = args.value("target"); target && *target != "db")
    return usage("--target", *target);
  if (auto scale = args.value("scale")) {
    auto n = number<std::int64_t>(*scale);
    if (!n || *n < 1 || *n > 1'000'000'000) return usage("--scale", *scale);
    options.scale = *n;
  }
  if (auto seed = args.value("seed")) {
    auto n = number<std::uint64_t>(*seed);
    if (!n) return usage("--seed", *seed);
    options.seed = *n;
  }
  if (auto locale = args.value("locale")) {
    if (*locale != "mixed" && !select_locale_packs(*locale)) return usage("--locale", *locale);
    options.locale = *locale;
  }
  options.schema_file = args.value("schema");
  options.reset = args.flag("reset");
  options.force = args.flag("force");
  options.reason = args.value("reason");
  options.dry_run = args.flag("dry-run");
  if (options.force && (!options.reason || options.reason->empty()))
    return make_error(ExitCode::usage, "seed.force_needs_reason");
  return options;
}

}  // namespace dihya::seed
