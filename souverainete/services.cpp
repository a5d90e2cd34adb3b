// export: one consistent snapshot of the tenant's tables as a signed, open Data Package.
#include "souverainete/services.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <cstdio>

#include "core/base/clock.hpp"
#include "core/base/signals.hpp"
#include "core/io/output_file.hpp"
#include "souverainete/support.hpp"

namespace dihya::souverainete {

namespace {

using package::ExportTable;

// The tables to export, described and in foreign-key order, with the tenant filter of shared
// tables (export.tenant_column).
// What the package names but cannot carry to the other engine, each warned of once (the
// partial and expression indexes already are, as left out); CHECKs go on their tables.
std::vector<SchemaObject> named_objects(Database& db, std::vector<package::Resource>& described,
                                        Log& log) {
  std::vector<std::string> names;
  for (const auto& r : described) names.push_back(r.def.name);
  std::vector<SchemaObject> objects = take(db.schema_objects(names));
  for (const auto& o : objects) {
    if (o.kind == "check")
      for (auto& r : described)
        if (r.def.name == o.table) r.def.checks.push_back(o);
    if (o.kind != "index")
      log.warn(make_error(ExitCode::ok, "souverainete.not_carried_" + o.kind,
                          {{"name", o.name}, {"table", o.table}}));
  }
  return objects;
}

// The tables asked for: those named by --tables, else every table but the suite's own
// (dihya_*) unless --include-internal; those left out go to LEFT_OUT.
std::vector<std::string> chosen_tables(const std::vector<std::string>& all,
                                       const ExportOptions& options,
                                       std::vector<std::string>& left_out) {
  if (!options.tables.empty()) return options.tables;
  std::vector<std::string> names;
  for (const auto& name : all)
    (options.include_internal || !is_internal_table(name) ? names : left_out).push_back(name);
  return names;
}

std::vector<ExportTable> export_tables(Database& db, const ExportOptions& options,
                                       const TenantConfig& tenant, Log& log,
                                       std::vector<SchemaObject>& objects,
                                       std::vector<std::string>& internal_left_out) {
  std::vector<std::string> all = take(db.table_names());
  std::vector<std::string> names = chosen_tables(all, options, internal_left_out);
  std::vector<package::Resource> described;
  for (const auto& name : names) {
    if (std::find(all.begin(), all.end(), name) == all.end())
      fail(ExitCode::no_input, "souverainete.no_such_table", {{"table", name}});
    package::Resource r;
    r.def = take(db.describe_table(name));
    for (const auto& index : r.def.other_indexes)
      log.warn(make_error(ExitCode::ok, "souverainete.index_left_out",
                          {{"table", name}, {"index", index}}));
    described.push_back(std::move(r));
  }
  // A SQLite foreign key written without columns ("REFERENCES users") references the
  // primary key.
  for (auto& r : described)
    for (auto& fk : r.def.foreign_keys)
      for (const auto& other : described)
        if (other.def.name == fk.ref_table &&
            std::any_of(fk.ref_columns.begin(), fk.ref_columns.end(),
                        [](const std::string& c) { return c.empty(); }) &&
            other.def.primary_key.size() == fk.columns.size())
          fk.ref_columns = other.def.primary_key;
  // A foreign key to a table left out cannot be kept: the package would not be valid.
  for (auto& r : described) {
    auto& fks = r.def.foreign_keys;
    for (auto it = fks.begin(); it != fks.end();) {
      bool inside = std::any_of(described.begin(), described.end(),
                                [&](const auto& other) { return other.def.name == it->ref_table; });
      if (inside) {
        ++it;
        continue;
      }
      log.warn(make_error(ExitCode::ok, "souverainete.foreign_key_dropped",
                          {{"table", r.def.name}, {"referenced", it->ref_table}}));
      it = fks.erase(it);
    }
  }
  objects = named_objects(db, described, log);
  std::string column = tenant.export_settings.value("tenant_column", "");
  std::vector<ExportTable> out;
  for (std::size_t i : package::foreign_key_order(described)) {
    ExportTable table{std::move(described[i].def), {}, {}, {}};
    if (!column.empty() && table.def.column(column)) {
      table.where = quote_identifier(column) + " = ?";
      table.params.push_back(tenant_value(tenant));
    }
    out.push_back(std::move(table));
  }
  return out;
}

std::int64_t count_rows(Database& db, const ExportTable& table) {
  std::string sql = "SELECT COUNT(*) FROM " + quote_identifier(table.def.name);
  if (!table.where.empty()) sql += " WHERE " + table.where;
  auto statement = take(db.prepare(sql));
  for (std::size_t p = 0; p < table.params.size(); ++p)
    take(statement->bind(static_cast<int>(p + 1), Field::of(table.params[p])));
  take(statement->step());
  return statement->get_integer(0);
}

}  // namespace

int run_export(const ExportOptions& options, Context& ctx) {
  const TenantConfig& tenant = ctx.tenant();
  const Messages& m = ctx.messages();
  auto& details = ctx.audit_details();
  details["format"] = package::format_name(options.format);
  details["encrypted"] = options.encrypt;
  ctx.set_target(tenant.database);

  std::optional<SigningKey> signing;
  if (options.sign) signing.emplace(take(load_signing_key(signing_key_path(tenant))));
  package::ExportRequest request;
  request.name = package::resource_name(tenant.name + "-export", {});
  request.tenant = tenant.name;
  request.format = options.format;
  request.signing = signing ? &*signing : nullptr;
  request.compression_level =
      options.compression_level.value_or(tenant.export_settings.value("compression_level", 3));
  if (options.encrypt) {
    EnvelopeKeys keys;
    for (const auto& text : options.recipients) {
      // A key in clear, or the path of a file holding one.
      std::string key = text;
      if (key.rfind("dihya-pub:", 0) != 0) {
        key = take(read_file(text));
        key = key.substr(0, key.find('\n'));
      }
      keys.recipients.push_back(take(parse_recipient(key)));
    }
    if (options.passphrase_file) keys.passphrase = take(read_secret_line(*options.passphrase_file));
    request.encryption = std::move(keys);
    details["recipients"] = options.recipients.size();
  }

  auto db = take(open_database(tenant.database, {.must_exist = true}));
  // One snapshot for every table: a read transaction.
  take(db->execute(db->engine() == Engine::postgresql
                       ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
                       : "BEGIN"));
  std::vector<std::string> internal_left_out;
  request.tables =
      export_tables(*db, options, tenant, ctx.log(), request.objects, internal_left_out);
  details["internal_left_out"] = internal_left_out;
  ExportMasking masking;
  if (options.anonymize) {
    apply_personal_map(*db, tenant, request.tables, masking);
    request.masker = &*masking.masker;
    details["anonymized"] = true;
    details["masking_key_id"] = masking.key_id();
  }
  // The bar's total costs a scan of every table: only when a bar is drawn.
  std::int64_t total = 0;
  if (ctx.progress_shown())
    for (const auto& table : request.tables) total += count_rows(*db, table);
  if (!tenant.export_settings.value("tenant_column", "").empty())
    details["tenant_filter"] = tenant.export_settings["tenant_column"];

  OutputFile output(options.output);
  Progress bar = ctx.progress("souverainete.export_progress", static_cast<std::uint64_t>(total));
  request.progress = [&bar](std::int64_t rows) { bar.update(static_cast<std::uint64_t>(rows)); };
  std::int64_t started = now_ms();
  package::ExportOutcome outcome = take(package::write_package(*db, request, output.fd()));
  take(db->rollback());
  check_interrupted();
  output.commit();
  bar.finish();
  double seconds = static_cast<double>(now_ms() - started) / 1000.0;

  Json tables = Json::array();
  for (const auto& r : outcome.manifest.resources)
    tables.push_back({{"table", r.def.name},
                      {"resource", r.name},
                      {"rows", r.rows.value_or(0)},
                      {"bytes", r.bytes},
                      {"sha256", r.sha256}});
  details["tables"] = tables;
  details["rows"] = outcome.rows;
  details["bytes"] = outcome.file_bytes;
  details["package_sha256"] = outcome.file_sha256;
  details["manifest_sha256"] = outcome.manifest_sha256;
  details["output"] = output.name();
  if (outcome.signer) details["signer"] = *outcome.signer;

  auto& metrics = ctx.metrics();
  metrics.add("dihya_export_last_success_timestamp_seconds",
              "Time of the last export that completed.", MetricSet::Type::gauge,
              static_cast<double>(now_ms()) / 1000.0);
  metrics.add("dihya_export_rows", "Rows in the last export.", MetricSet::Type::gauge,
              static_cast<double>(outcome.rows));
  metrics.add("dihya_export_bytes", "Size of the last export package.", MetricSet::Type::gauge,
              static_cast<double>(outcome.file_bytes));
  metrics.add("dihya_export_duration_seconds", "Duration of the last export.",
              MetricSet::Type::gauge, seconds);

  ctx.result() = {{"output", output.name()},
                  {"format", package::format_name(options.format)},
                  {"tables", tables},
                  {"rows", outcome.rows},
                  {"bytes", outcome.file_bytes},
                  {"package_sha256", outcome.file_sha256},
                  {"manifest_sha256", outcome.manifest_sha256},
                  {"encrypted", options.encrypt},
                  {"anonymized", options.anonymize},
                  {"internal_left_out", internal_left_out},
                  {"signer", outcome.signer ? Json(*outcome.signer) : Json(nullptr)},
                  {"seconds", seconds}};
  ctx.set_summary("souverainete.exported", {{"rows", std::to_string(outcome.rows)},
                                            {"tables", std::to_string(tables.size())},
                                            {"output", output.name()}});
  std::string line = m.text("souverainete.exported", {{"rows", std::to_string(outcome.rows)},
                                                      {"tables", std::to_string(tables.size())},
                                                      {"output", output.name()}});
  std::string sums =
      m.text("souverainete.export_sums", {{"sha256", outcome.file_sha256},
                                          {"seconds", fmt::format("{:.2f}", seconds)},
                                          {"signer", outcome.signer.value_or("-")}});
  std::string left_out;
  for (const auto& name : internal_left_out) left_out += (left_out.empty() ? "" : ", ") + name;
  std::string internal =
      left_out.empty() ? "" : m.text("souverainete.internal_left_out", {{"tables", left_out}});
  if (output.is_stdout()) {
    if (!ctx.quiet()) std::fprintf(stderr, "%s\n  %s\n", line.c_str(), sums.c_str());
    if (!ctx.quiet() && !internal.empty()) std::fprintf(stderr, "  %s\n", internal.c_str());
  } else {
    ctx.print(line);
    ctx.print("  " + sums);
    if (!internal.empty()) ctx.print("  " + internal);
  }
  return 0;
}

}  // namespace dihya::souverainete
