// subject_export: every row of one subject (art. 15 access, art. 20 portability) as a JSON
// document and CSV files in a tar.zst, with the art. 15(1) information drawn from the map.
#include <fmt/format.h>

#include <set>

#include "core/base/clock.hpp"
#include "core/io/archive.hpp"
#include "core/io/output_file.hpp"
#include "core/io/stream.hpp"
#include "core/package/datapackage.hpp"
#include "rgpd/consent.hpp"
#include "rgpd/detect.hpp"
#include "rgpd/services.hpp"
#include "rgpd/subjects.hpp"

namespace dihya::rgpd {

namespace {

struct TableRows {
  std::string csv;
  Json rows = Json::array();
};

TableRows read_rows(Database& db, const personal::SubjectTable& t, const TableDef& def,
                    const Field& key) {
  std::string list;
  for (const auto& c : def.columns) list += (list.empty() ? "" : ", ") + quote_identifier(c.name);
  std::string order;
  for (const auto& k : def.primary_key) order += (order.empty() ? "" : ", ") + quote_identifier(k);
  auto stmt = take(db.prepare("SELECT " + list + " FROM " + quote_identifier(t.table) + " WHERE " +
                              t.condition + (order.empty() ? "" : " ORDER BY " + order)));
  take(personal::bind_subject(*stmt, t, key));
  TableRows out;
  package::RowEncoder csv(def, package::DataFormat::csv), jsonl(def, package::DataFormat::jsonl);
  csv.header(out.csv);
  std::string line;
  while (take(stmt->step())) {
    csv.row(*stmt, out.csv);
    line.clear();
    jsonl.row(*stmt, line);
    out.rows.push_back(Json::parse(line, nullptr, false));
  }
  return out;
}

// The art. 15(1) information the map gives for the subject's tables.
Json information(const personal::PersonalMap& map, const std::set<std::string>& tables) {
  Json purposes = Json::array(), recipients = Json::array(), retention = Json::array();
  std::set<std::string> seen_recipients;
  for (const auto& p : map.purposes) {
    bool concerns = !p.contains("tables") || p["tables"].empty();
    for (const auto& t : p.value("tables", Json::array()))
      concerns = concerns || tables.count(t.get<std::string>());
    if (!concerns) continue;
    Json one = {{"name", p.value("name", "")}, {"lawful_basis", p.value("basis", "")}};
    if (p.contains("description")) one["description"] = p["description"];
    if (p.contains("source")) one["source"] = p["source"];
    one["recipients"] = p.value("recipients", Json::array());
    for (const auto& r : one["recipients"])
      if (seen_recipients.insert(r.get<std::string>()).second) recipients.push_back(r);
    purposes.push_back(one);
  }
  std::map<std::string, Json> categories;
  for (const auto& t : map.tables) {
    if (!tables.count(t.name)) continue;
    for (const auto& c : t.columns) {
      if (!categories.count(c.category)) categories[c.category] = Json::array();
      categories[c.category].push_back(t.name + "." + c.name);
    }
    if (t.retention)
      retention.push_back({{"table", t.name},
                           {"column", t.retention->column},
                           {"days", t.retention->days},
                           {"then", t.retention->anonymize ? "anonymize" : "delete"}});
  }
  Json cats = Json::array();
  for (const auto& [name, columns] : categories)
    cats.push_back({{"category", name}, {"columns", columns}});
  Json info = {{"purposes", purposes},
               {"categories", cats},
               {"recipients", recipients},
               {"retention", retention},
               {"source", map.source.empty() ? Json() : Json(map.source)},
               {"rights",
                {"access", "rectification", "erasure", "restriction", "portability", "objection",
                 "complaint to the supervisory authority"}}};
  if (!map.controller.empty()) info["controller"] = map.controller;
  return info;
}

}  // namespace

int run_subject_export(const SubjectOptions& options, Context& ctx) {
  const TenantConfig& tenant = ctx.tenant();
  const Messages& m = ctx.messages();
  ctx.set_target(tenant.database);
  SubjectScope scope = open_subject_scope(ctx);
  auto found = find_subject(scope, options.subject, options.email);
  if (!found) fail(ExitCode::no_input, "rgpd.no_subject", {{"table", *scope.map.subject_table}});
  Field key = found->field();
  std::string key_text = masking::canonical_text(key);

  // Read everything first: the output file is only created once the data is in hand.
  std::int64_t started = now_ms();
  Json data = Json::object(), counts = Json::array();
  std::vector<std::pair<std::string, std::string>> csv_files;
  std::set<std::string> names;
  std::vector<const TableDef*> defs;
  std::int64_t total = 0;
  {
    auto transaction = take(Transaction::begin(*scope.db));  // one consistent read
    for (const auto& t : scope.tables) {
      const TableDef& def = scope.defs.at(t.table);
      TableRows rows = read_rows(*scope.db, t, def, key);
      std::int64_t n = static_cast<std::int64_t>(rows.rows.size());
      total += n;
      counts.push_back({{"table", t.table}, {"rows", n}, {"via", t.via}});
      names.insert(t.table);
      defs.push_back(&def);
      data[t.table] = std::move(rows.rows);
      csv_files.emplace_back("data/" + t.table + ".csv", std::move(rows.csv));
    }
    Json consent = Json::array();
    for (const auto& r : take(consent_records(*scope.db, key_text, std::nullopt)))
      consent.push_back(r.json());
    data["consent"] = consent;
  }
  auto suspected = undeclared(take(discover(*scope.db, scope.map, defs, {.rows = 200})), scope.map);
  Json suspects = Json::array();
  for (const auto& d : suspected)
    suspects.push_back(
        {{"table", d.table}, {"column", d.column}, {"kind", d.kind}, {"by", d.by()}});

  Json document = {
      {"format", "dihya-subject-export-1"},
      {"generated", format_rfc3339_ms(started)},
      {"tenant", tenant.name},
      {"subject",
       {{"table", *scope.map.subject_table}, {"key", *scope.map.subject_key}, {"value", key_text}}},
      {"information", information(scope.map, names)},
      {"tables", counts},
      {"consent", data["consent"]},
      {"data", data},
      {"undeclared_personal_columns", suspects}};
  document["data"].erase("consent");

  OutputFile output(options.output.value_or(""));
  auto sink = zstd_sink(fd_sink(output.fd()), 9, 1);
  {
    ArchiveWriter archive(*sink);
    std::int64_t mtime = started / 1000;
    take(archive.add_bytes("subject.json",
                           document.dump(2, ' ', false, Json::error_handler_t::replace) + "\n",
                           0600, mtime));
    for (const auto& [name, csv] : csv_files) take(archive.add_bytes(name, csv, 0600, mtime));
    take(archive.close());
  }
  take(sink->finish());
  output.commit();

  auto& details = ctx.audit_details();
  details["tables"] = counts;
  details["rows"] = total;
  details["output"] = output.name();
  details["undeclared"] = suspects.size();
  for (const auto& d : suspected)
    ctx.log().warn(make_error(ExitCode::failure, "rgpd.undeclared_column",
                              {{"table", d.table}, {"column", d.column}, {"kind", d.kind}}));
  for (const auto& c : counts)
    if (!output.is_stdout())  // the archive is on standard output
      ctx.print(
          m.text("rgpd.export_table", {{"table", c["table"].get<std::string>()},
                                       {"count", std::to_string(c["rows"].get<std::int64_t>())}}));
  ctx.result() = {{"output", output.name()},
                  {"tables", counts},
                  {"rows", total},
                  {"undeclared_personal_columns", suspects}};
  MessageParams params = {{"rows", std::to_string(total)},
                          {"tables", std::to_string(counts.size())},
                          {"output", output.name()}};
  ctx.set_summary("rgpd.subject_exported", params);
  if (!output.is_stdout()) ctx.print(m.text("rgpd.subject_exported", params));
  return 0;
}

}  // namespace dihya::rgpd
