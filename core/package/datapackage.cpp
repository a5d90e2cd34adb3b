// The export package's manifest (datapackage.json), names, load order, timestamps and
// signature (docs/export-format.md).
#include "core/package/datapackage.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include "core/base/clock.hpp"
#include "core/data/types.hpp"
#include "core/io/archive.hpp"

namespace dihya::package {

namespace {

constexpr const char* k_schema_url = "https://datapackage.org/profiles/2.0/datapackage.json";

Error bad_manifest(const std::string& path, const std::string& reason) {
  return make_error(ExitCode::data_error, "core.package.bad_manifest",
                    {{"path", path}, {"reason", reason}});
}

// The Table Schema type and format of a column type.
std::pair<const char*, const char*> schema_type(ColumnType type) {
  switch (type) {
    case ColumnType::integer:
      return {"integer", nullptr};
    case ColumnType::real:
    case ColumnType::numeric:
      return {"number", nullptr};
    case ColumnType::text:
      return {"string", nullptr};
    case ColumnType::blob:
      return {"string", "binary"};
    case ColumnType::boolean:
      return {"boolean", nullptr};
    case ColumnType::date:
      return {"date", nullptr};
    case ColumnType::timestamp:
      return {"datetime", nullptr};
    case ColumnType::json:
      return {"any", nullptr};
  }
  return {"string", nullptr};
}

// The Table Schema type and format of a column, its parameters included: a time, a uuid, a
// naive timestamp (any form of a datetime, not UTC).
std::pair<const char*, const char*> schema_type(const ColumnDef& column) {
  std::string base = sql_type_of(column).base;
  if (base == "time") return {"time", nullptr};
  if (base == "uuid") return {"string", "uuid"};
  if (naive_timestamp(column)) return {"datetime", "any"};
  return schema_type(column.type);
}

const char* engine_key(Engine engine) {
  return engine == Engine::sqlite ? "sqlite" : "postgresql";
}

// The column type of a Table Schema field written by another tool.
std::optional<ColumnType> column_type_of(const std::string& type, const std::string& format) {
  if (type == "integer") return ColumnType::integer;
  if (type == "number") return ColumnType::real;
  if (type == "string") return format == "binary" ? ColumnType::blob : ColumnType::text;
  if (type == "boolean") return ColumnType::boolean;
  if (type == "date") return ColumnType::date;
  if (type == "datetime") return ColumnType::timestamp;
  if (type == "time") return ColumnType::text;
  if (type == "object" || type == "array" || type == "any") return ColumnType::json;
  return std::nullopt;
}

Json strings(const std::vector<std::string>& values) {
  Json out = Json::array();
  for (const auto& v : values) out.push_back(v);
  return out;
}

Json field_json(const ColumnDef& column, const std::optional<std::vector<std::string>>& missing) {
  auto [type, format] = schema_type(column);
  Json field = {{"name", column.name}, {"type", type}};
  if (format) field["format"] = format;
  field["dihya:type"] = column_type_name(column.type);
  SqlType sql = sql_type_of(column);
  field["dihya:sqlType"] = sql.text();
  Json constraints = Json::object();
  if (!column.nullable) constraints["required"] = true;
  if ((sql.base == "varchar" || sql.base == "char") && !sql.args.empty())
    constraints["maxLength"] = sql.args[0];
  if (!constraints.empty()) field["constraints"] = constraints;
  if (missing) field["missingValues"] = strings(*missing);
  if (!column.declared.empty()) {
    Json declared = {{"engine", engine_key(column.declared_on)}, {"type", column.declared}};
    if (column.default_sql) declared["default"] = *column.default_sql;
    field["dihya:declared"] = declared;
  }
  if (column.default_sql)
    if (auto portable = portable_default(*column.default_sql, column.declared_on))
      field["dihya:default"] = *portable;
  if (column.identity != ColumnIdentity::none) field["dihya:identity"] = identity_name(column.identity);
  return field;
}

Json resource_json(const Resource& r, const std::map<std::string, std::string>& names) {
  Json fields = Json::array();
  for (std::size_t i = 0; i < r.def.columns.size(); ++i)
    fields.push_back(
        field_json(r.def.columns[i], i < r.missing.size() ? r.missing[i] : std::nullopt));
  Json schema = {{"fields", fields}, {"missingValues", strings(r.missing_values)}};
  if (!r.def.primary_key.empty()) schema["primaryKey"] = strings(r.def.primary_key);
  if (!r.def.unique_keys.empty()) {
    schema["uniqueKeys"] = Json::array();
    for (const auto& key : r.def.unique_keys) schema["uniqueKeys"].push_back(strings(key));
  }
  Json fks = Json::array();
  for (const auto& fk : r.def.foreign_keys) {
    auto target = names.find(fk.ref_table);
    if (target == names.end()) continue;  // a table outside the package
    std::string resource = target->second == r.name ? "" : target->second;
    fks.push_back({{"fields", strings(fk.columns)},
                   {"reference", {{"resource", resource}, {"fields", strings(fk.ref_columns)}}}});
  }
  if (!fks.empty()) schema["foreignKeys"] = fks;
  Json indexes = Json::array();
  for (const auto& index : r.def.indexes)
    indexes.push_back(
        {{"name", index.name}, {"fields", strings(index.columns)}, {"unique", index.unique}});
  if (!indexes.empty()) schema["dihya:indexes"] = indexes;

  Json out = {{"name", r.name}, {"type", "table"}, {"profile", "tabular-data-resource"}};
  if (r.parts.size() == 1) {
    out["path"] = r.parts[0].path;
  } else {
    out["path"] = Json::array();
    for (const auto& part : r.parts) out["path"].push_back(part.path);
  }
  if (r.format == DataFormat::csv) {
    out["format"] = "csv";
    out["mediatype"] = "text/csv";
    out["dialect"] = {{"header", true},
                      {"delimiter", ","},
                      {"lineTerminator", "\n"},
                      {"quoteChar", "\""},
                      {"doubleQuote", true}};
  } else {
    out["format"] = "jsonl";
    out["mediatype"] = "application/x-ndjson";
  }
  out["encoding"] = "utf-8";
  out["bytes"] = r.bytes;
  out["hash"] = "sha256:" + r.sha256;
  if (r.rows) out["rows"] = *r.rows;
  out["schema"] = schema;
  out["dihya:table"] = r.def.name;
  if (r.parts.size() > 1) {
    out["dihya:parts"] = Json::array();
    for (const auto& p : r.parts)
      out["dihya:parts"].push_back(
          {{"path", p.path}, {"bytes", p.bytes}, {"hash", "sha256:" + p.sha256}, {"rows", p.rows}});
  }
  return out;
}

// Reading helpers that name the JSON path of what is wrong.
class Reader {
 public:
  Error error;
  bool failed = false;

  void fail(const std::string& path, const std::string& reason) {
    if (!failed) error = bad_manifest(path, reason);
    failed = true;
  }
  const Json* member(const Json& object, const char* key, const std::string& path, bool required) {
    if (object.is_object() && object.contains(key)) return &object[key];
    if (required) fail(path + "." + key, "missing");
    return nullptr;
  }
  std::string string(const Json& object, const char* key, const std::string& path,
                     bool required = true) {
    const Json* v = member(object, key, path, required);
    if (!v) return {};
    if (!v->is_string()) {
      fail(path + "." + key, "not a string");
      return {};
    }
    return v->get<std::string>();
  }
  std::vector<std::string> strings(const Json& object, const char* key, const std::string& path,
                                   bool required = false) {
    std::vector<std::string> out;
    const Json* v = member(object, key, path, required);
    if (!v) return out;
    if (v->is_string()) return {v->get<std::string>()};
    if (!v->is_array()) {
      fail(path + "." + key, "not a list");
      return out;
    }
    for (const auto& item : *v) {
      if (!item.is_string()) {
        fail(path + "." + key, "not a list of strings");
        return {};
      }
      out.push_back(item.get<std::string>());
    }
    return out;
  }
  std::optional<std::int64_t> integer(const Json& object, const char* key,
                                      const std::string& path) {
    const Json* v = member(object, key, path, false);
    if (!v) return std::nullopt;
    if (!v->is_number_integer() || v->get<std::int64_t>() < 0) {
      fail(path + "." + key, "not a count");
      return std::nullopt;
    }
    return v->get<std::int64_t>();
  }
  std::string hash(const Json& object, const std::string& path, bool required) {
    std::string text = string(object, "hash", path, required);
    if (text.empty()) return {};
    if (text.rfind("sha256:", 0) != 0 || text.size() != 71 ||
        text.find_first_not_of("0123456789abcdef", 7) != std::string::npos) {
      fail(path + ".hash", "not a \"sha256:<64 hex digits>\" hash");
      return {};
    }
    return text.substr(7);
  }
};

// The field's dihya:sqlType, dihya:declared, dihya:default and dihya:identity into COLUMN
// (whose common type is read): false when one is malformed.
bool read_sql_type(Reader& in, const Json& f, const std::string& at, ColumnDef& column) {
  if (f.contains("dihya:sqlType")) {
    auto sql = f["dihya:sqlType"].is_string() ? parse_sql_type(f["dihya:sqlType"].get<std::string>())
                                              : std::nullopt;
    if (!sql) return in.fail(at + ".dihya:sqlType", "not a type of the map"), false;
    if (sql->column_type() != column.type)
      return in.fail(at + ".dihya:sqlType", "does not match dihya:type"), false;
    column.sql_type = sql->text();
  }
  if (f.contains("dihya:declared")) {
    const Json& d = f["dihya:declared"];
    std::string engine = in.string(d, "engine", at + ".dihya:declared");
    column.declared = in.string(d, "type", at + ".dihya:declared");
    if (in.failed) return false;
    if ((engine != "sqlite" && engine != "postgresql") || column.declared.empty())
      return in.fail(at + ".dihya:declared", "needs an engine and a type"), false;
    column.declared_on = engine == "sqlite" ? Engine::sqlite : Engine::postgresql;
    if (d.contains("default")) column.default_sql = in.string(d, "default", at + ".dihya:declared");
  }
  if (!column.default_sql && f.contains("dihya:default"))
    column.default_sql = in.string(f, "dihya:default", at);
  if (f.contains("dihya:identity")) {
    auto identity = f["dihya:identity"].is_string()
                        ? parse_identity(f["dihya:identity"].get<std::string>())
                        : std::nullopt;
    if (!identity) return in.fail(at + ".dihya:identity", "unknown identity"), false;
    column.identity = *identity;
  }
  return !in.failed;
}

void read_fields(Reader& in, const Json& schema, const std::string& path, Resource& r) {
  const Json* fields = in.member(schema, "fields", path, true);
  if (!fields) return;
  if (!fields->is_array() || fields->empty()) return in.fail(path + ".fields", "no fields");
  std::set<std::string> seen;
  for (std::size_t i = 0; i < fields->size(); ++i) {
    const Json& f = (*fields)[i];
    std::string at = path + ".fields[" + std::to_string(i) + "]";
    ColumnDef column;
    column.name = in.string(f, "name", at);
    if (in.failed) return;
    if (!seen.insert(column.name).second) return in.fail(at + ".name", "duplicate field");
    std::string type = f.value("type", "string");
    std::string format = f.contains("format") && f["format"].is_string() ? f["format"] : "";
    auto mapped = column_type_of(type, format);
    if (!mapped) return in.fail(at + ".type", "unknown field type \"" + type + "\"");
    column.type = *mapped;
    if (type == "time") column.sql_type = "time";
    if (type == "string" && format == "uuid") column.sql_type = "uuid";
    if (f.contains("dihya:type")) {
      auto own = f["dihya:type"].is_string() ? parse_column_type(f["dihya:type"].get<std::string>())
                                             : std::nullopt;
      if (!own) return in.fail(at + ".dihya:type", "unknown field type");
      // A time is text in the map and "time" in the Table Schema.
      if (schema_type(*own).first != type && !(*own == ColumnType::text && type == "time"))
        return in.fail(at + ".dihya:type", "does not match the field's type \"" + type + "\"");
      column.type = *own;
      if (!read_sql_type(in, f, at, column)) return;
      if (schema_type(column).first != type)
        return in.fail(at + ".dihya:sqlType", "does not match the field's type \"" + type + "\"");
    }
    if (f.contains("constraints") && f["constraints"].is_object())
      column.nullable = !f["constraints"].value("required", false);
    r.missing.push_back(f.contains("missingValues")
                            ? std::optional(in.strings(f, "missingValues", at))
                            : std::nullopt);
    r.def.columns.push_back(std::move(column));
  }
  if (schema.contains("missingValues"))
    r.missing_values = in.strings(schema, "missingValues", path);
}

void check_field_names(Reader& in, const Resource& r, const std::vector<std::string>& names,
                       const std::string& path) {
  for (const auto& name : names)
    if (!r.def.column(name)) in.fail(path, "no field \"" + name + "\"");
}

void read_keys(Reader& in, const Json& schema, const std::string& path, Resource& r) {
  r.def.primary_key = in.strings(schema, "primaryKey", path);
  check_field_names(in, r, r.def.primary_key, path + ".primaryKey");
  if (schema.contains("uniqueKeys")) {
    if (!schema["uniqueKeys"].is_array()) return in.fail(path + ".uniqueKeys", "not a list");
    for (const auto& key : schema["uniqueKeys"]) {
      Json holder = {{"k", key}};
      r.def.unique_keys.push_back(in.strings(holder, "k", path + ".uniqueKeys"));
      check_field_names(in, r, r.def.unique_keys.back(), path + ".uniqueKeys");
    }
  }
  if (schema.contains("dihya:indexes") && schema["dihya:indexes"].is_array())
    for (const auto& index : schema["dihya:indexes"]) {
      IndexDef def{in.string(index, "name", path + ".dihya:indexes"),
                   in.strings(index, "fields", path + ".dihya:indexes", true),
                   index.value("unique", false)};
      check_field_names(in, r, def.columns, path + ".dihya:indexes");
      r.def.indexes.push_back(std::move(def));
    }
}

// Foreign keys name resources; they are turned into table names once all are read.
void read_foreign_keys(Reader& in, const Json& schema, const std::string& path, Resource& r) {
  if (!schema.contains("foreignKeys")) return;
  if (!schema["foreignKeys"].is_array()) return in.fail(path + ".foreignKeys", "not a list");
  for (std::size_t i = 0; i < schema["foreignKeys"].size(); ++i) {
    const Json& fk = schema["foreignKeys"][i];
    std::string at = path + ".foreignKeys[" + std::to_string(i) + "]";
    ForeignKey key;
    key.columns = in.strings(fk, "fields", at, true);
    check_field_names(in, r, key.columns, at + ".fields");
    const Json* reference = in.member(fk, "reference", at, true);
    if (!reference) return;
    key.ref_table = reference->contains("resource") ? in.string(*reference, "resource", at) : "";
    if (key.ref_table.empty()) key.ref_table = r.name;
    key.ref_columns = in.strings(*reference, "fields", at + ".reference", true);
    if (key.ref_columns.size() != key.columns.size())
      return in.fail(at, "fields and reference fields differ in number");
    r.def.foreign_keys.push_back(std::move(key));
  }
}

void read_parts(Reader& in, const Json& res, const std::string& path, Resource& r,
                std::set<std::string>& all_paths) {
  std::vector<std::string> paths = in.strings(res, "path", path, true);
  if (paths.empty()) return in.fail(path + ".path", "no data file");
  for (const auto& p : paths) {
    if (!safe_entry_name(p) || p == k_manifest_name || p == k_signature_name)
      return in.fail(path + ".path", "unsafe path \"" + p + "\"");
    if (!all_paths.insert(p).second) return in.fail(path + ".path", "path listed twice: " + p);
    r.parts.push_back({p, 0, {}, 0});
  }
  if (paths.size() == 1) {
    r.parts[0].bytes = r.bytes;
    r.parts[0].sha256 = r.sha256;
    r.parts[0].rows = r.rows.value_or(0);
    return;
  }
  if (!res.contains("dihya:parts")) return;
  const Json& listed = res["dihya:parts"];
  if (!listed.is_array() || listed.size() != paths.size())
    return in.fail(path + ".dihya:parts", "does not list the paths");
  for (std::size_t i = 0; i < paths.size(); ++i) {
    std::string at = path + ".dihya:parts[" + std::to_string(i) + "]";
    if (in.string(listed[i], "path", at) != paths[i]) return in.fail(at, "not the path's part");
    r.parts[i].bytes = in.integer(listed[i], "bytes", at).value_or(-1);
    r.parts[i].sha256 = in.hash(listed[i], at, true);
    r.parts[i].rows = in.integer(listed[i], "rows", at).value_or(-1);
  }
}

}  // namespace

const char* format_name(DataFormat format) {
  return format == DataFormat::csv ? "csv" : "jsonl";
}

std::optional<DataFormat> parse_format(std::string_view name) {
  if (name == "csv") return DataFormat::csv;
  if (name == "jsonl" || name == "ndjson") return DataFormat::jsonl;
  return std::nullopt;
}

Json manifest_json(const Manifest& manifest) {
  std::map<std::string, std::string> names;  // table → resource
  for (const auto& r : manifest.resources) names[r.def.name] = r.name;
  Json resources = Json::array();
  for (const auto& r : manifest.resources) resources.push_back(resource_json(r, names));
  Json objects = Json::array();
  for (const auto& o : manifest.objects)
    objects.push_back({{"kind", o.kind},
                       {"name", o.name},
                       {"table", o.table},
                       {"definition", o.definition},
                       {"engine", engine_key(o.engine)}});
  return {{"$schema", k_schema_url},
          {"dihya:objects", objects},
          {"profile", "tabular-data-package"},
          {"name", manifest.name},
          {"created", manifest.created},
          {"dihya:format", k_format_version},
          {"dihya:tenant", manifest.tenant},
          {"dihya:source", manifest.source},
          {"resources", resources}};
}

namespace {

// dihya:objects: each a kind, a name, a table, a definition and the engine that wrote it; a
// CHECK also goes on its table, which declares it again on that engine.
Status read_objects(const Json& document, Manifest& out) {
  if (!document.contains("dihya:objects")) return {};
  const Json& list = document["dihya:objects"];
  if (!list.is_array()) return bad_manifest("$.dihya:objects", "not a list");
  Reader in;
  for (std::size_t i = 0; i < list.size(); ++i) {
    std::string at = "$.dihya:objects[" + std::to_string(i) + "]";
    SchemaObject o;
    o.kind = in.string(list[i], "kind", at);
    o.name = in.string(list[i], "name", at);
    o.table = in.string(list[i], "table", at);
    o.definition = in.string(list[i], "definition", at);
    std::string engine = in.string(list[i], "engine", at);
    if (in.failed) return in.error;
    if (engine != "sqlite" && engine != "postgresql")
      return bad_manifest(at + ".engine", "not sqlite or postgresql");
    o.engine = engine == "sqlite" ? Engine::sqlite : Engine::postgresql;
    if (o.kind == "check")
      for (auto& r : out.resources)
        if (r.def.name == o.table) r.def.checks.push_back(o);
    out.objects.push_back(std::move(o));
  }
  return {};
}

Result<Manifest> parse_manifest_checked(const Json& document) {
  Reader in;
  Manifest out;
  if (!document.is_object()) return bad_manifest("$", "not an object");
  out.name = in.string(document, "name", "$", false);
  out.created = in.string(document, "created", "$", false);
  out.tenant = document.value("dihya:tenant", "");
  out.source = document.value("dihya:source", "");
  if (document.contains("dihya:format") && (!document["dihya:format"].is_number_integer() ||
                                            document["dihya:format"].get<int>() > k_format_version))
    return bad_manifest("$.dihya:format", "a newer format than this tool reads");
  const Json* resources = in.member(document, "resources", "$", true);
  if (in.failed) return in.error;
  if (!resources->is_array() || resources->empty())
    return bad_manifest("$.resources", "no resources");
  std::set<std::string> all_paths, all_names, all_tables;
  for (std::size_t i = 0; i < resources->size(); ++i) {
    const Json& res = (*resources)[i];
    std::string path = "$.resources[" + std::to_string(i) + "]";
    Resource r;
    r.name = in.string(res, "name", path);
    if (in.failed) return in.error;
    if (!all_names.insert(r.name).second) return bad_manifest(path + ".name", "duplicate name");
    std::string format = res.value("format", "csv");
    auto parsed = parse_format(format);
    if (!parsed) return bad_manifest(path + ".format", "unknown format \"" + format + "\"");
    r.format = *parsed;
    if (r.format == DataFormat::csv && res.contains("dialect")) {
      const Json& d = res["dialect"];
      if (d.value("delimiter", ",") != "," || d.value("quoteChar", "\"") != "\"" ||
          !d.value("header", true) || !d.value("doubleQuote", true))
        return bad_manifest(path + ".dialect", "only the default CSV dialect is read");
    }
    r.bytes = in.integer(res, "bytes", path).value_or(-1);
    r.sha256 = in.hash(res, path, false);
    r.rows = in.integer(res, "rows", path);
    r.def.name = res.contains("dihya:table") ? in.string(res, "dihya:table", path) : r.name;
    if (r.def.name.empty()) return bad_manifest(path + ".dihya:table", "empty");
    if (!all_tables.insert(r.def.name).second)
      return bad_manifest(path + ".dihya:table", "two resources load the same table");
    read_parts(in, res, path, r, all_paths);
    const Json* schema = in.member(res, "schema", path, true);
    if (in.failed) return in.error;
    if (!schema->is_object()) return bad_manifest(path + ".schema", "not an inline schema");
    read_fields(in, *schema, path + ".schema", r);
    read_keys(in, *schema, path + ".schema", r);
    read_foreign_keys(in, *schema, path + ".schema", r);
    if (in.failed) return in.error;
    out.resources.push_back(std::move(r));
  }
  if (Status objects = read_objects(document, out); !objects) return objects.error();
  // Foreign keys name resources in the package: map them to the tables they load.
  for (std::size_t i = 0; i < out.resources.size(); ++i)
    for (auto& fk : out.resources[i].def.foreign_keys) {
      auto target = std::find_if(out.resources.begin(), out.resources.end(),
                                 [&](const Resource& r) { return r.name == fk.ref_table; });
      std::string at = "$.resources[" + std::to_string(i) + "].schema.foreignKeys";
      if (target == out.resources.end())
        return bad_manifest(at, "references no resource of the package: " + fk.ref_table);
      for (const auto& field : fk.ref_columns)
        if (!target->def.column(field))
          return bad_manifest(at, "references no field \"" + field + "\" of " + target->name);
      fk.ref_table = target->def.name;
    }
  return out;
}

}  // namespace

Result<Manifest> parse_manifest(const Json& document) {
  // A value of the wrong JSON type deep inside (a number where a string belongs) is a
  // malformed manifest too.
  try {
    return parse_manifest_checked(document);
  } catch (const Json::exception& e) {
    return bad_manifest("$", e.what());
  }
}

std::string resource_name(std::string_view table, const std::vector<std::string>& taken) {
  std::string base;
  for (char c : table) {
    char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    bool ok = (lower >= 'a' && lower <= 'z') || (lower >= '0' && lower <= '9') || lower == '-' ||
              lower == '_' || lower == '.';
    base += ok ? lower : '_';
  }
  if (base.empty() || base[0] == '.') base = "table" + base;
  std::string name = base;
  for (int n = 2; std::find(taken.begin(), taken.end(), name) != taken.end(); ++n)
    name = base + "-" + std::to_string(n);
  return name;
}

std::vector<std::size_t> foreign_key_order(const std::vector<Resource>& resources) {
  std::vector<std::size_t> order;
  std::vector<char> placed(resources.size(), 0), visiting(resources.size(), 0);
  std::function<void(std::size_t)> visit = [&](std::size_t i) {
    if (placed[i] || visiting[i]) return;
    visiting[i] = 1;
    for (const auto& fk : resources[i].def.foreign_keys)
      for (std::size_t j = 0; j < resources.size(); ++j)
        if (j != i && resources[j].def.name == fk.ref_table) visit(j);
    placed[i] = 1;
    order.push_back(i);
  };
  for (std::size_t i = 0; i < resources.size(); ++i) visit(i);
  return order;
}

Json signature_json(const SigningKey& key, std::string_view manifest_text) {
  VerifyKey public_key = key.public_key;
  return {{"algorithm", "ed25519"},
          {"key_id", key_id(public_key)},
          {"public_key", base64_encode(std::string_view(
                             reinterpret_cast<const char*>(public_key.data()), public_key.size()))},
          {"signed", k_manifest_name},
          {"signature", sign_detached(key, manifest_text)}};
}

Result<std::string> check_signature(const Json& signature, std::string_view manifest_text,
                                    const std::vector<VerifyKey>& trusted) {
  auto refuse = [](const std::string& reason) {
    return make_error(ExitCode::data_error, "core.package.bad_signature", {{"reason", reason}});
  };
  if (!signature.is_object() || !signature.contains("algorithm") ||
      signature["algorithm"] != "ed25519" || !signature.contains("signature") ||
      !signature["signature"].is_string() || !signature.contains("public_key") ||
      !signature["public_key"].is_string())
    return refuse("malformed signature file");
  auto raw = base64_decode(signature["public_key"].get<std::string>());
  if (!raw || raw->size() != 32) return refuse("malformed public key");
  VerifyKey signer{};
  std::copy(raw->begin(), raw->end(), signer.begin());
  if (!trusted.empty() && std::find(trusted.begin(), trusted.end(), signer) == trusted.end())
    return refuse("signed by key " + key_id(signer) + ", which export.verify_keys does not list");
  if (!verify_detached(signer, manifest_text, signature["signature"].get<std::string>()))
    return refuse("the signature does not match datapackage.json");
  return key_id(signer);
}

}  // namespace dihya::package
