// audit_rgpd: the compliance report of a tenant: personal data declared and detected, rows
// past retention, the consent register, and the record of processing activities (art. 30)
// generated from the map. Exit 1 on overdue or undeclared personal data.
#include <unistd.h>

#include <fmt/format.h>

#include <map>
#include <set>

#include "core/base/clock.hpp"
#include "core/io/output_file.hpp"
#include "core/privacy/overdue.hpp"
#include "core/privacy/subject.hpp"
#include "rgpd/consent.hpp"
#include "rgpd/detect.hpp"
#include "rgpd/services.hpp"

namespace dihya::rgpd {

namespace {

std::string text_of(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "-";
  if (value.is_array()) {
    std::string out;
    for (const auto& v : value) out += (out.empty() ? "" : ", ") + text_of(v);
    return out.empty() ? "-" : out;
  }
  return value.dump();
}

std::string html_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string md_cell(const std::string& text) {
  std::string out;
  for (char c : text) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

// A section: a title and a table (column keys of each row object, with their headings).
struct Section {
  std::string title;
  std::vector<std::pair<std::string, std::string>> columns;  // key, heading
  const Json* rows;
};

std::string render(const Json& report, const std::vector<Section>& sections, ReportFormat format,
                   const std::string& title) {
  std::string out;
  if (format == ReportFormat::html) {
    out += "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + html_escape(title) +
           "</title></head><body>\n<h1>" + html_escape(title) + "</h1>\n";
    out += "<p>" + html_escape(report["tenant"].get<std::string>()) + " · " +
           html_escape(report["generated"].get<std::string>()) + "</p>\n";
  } else {
    out += "# " + title + "\n\n" + report["tenant"].get<std::string>() + " · " +
           report["generated"].get<std::string>() + "\n";
  }
  for (const auto& s : sections) {
    if (format == ReportFormat::html) {
      out += "<h2>" + html_escape(s.title) + "</h2>\n<table>\n<tr>";
      for (const auto& [key, heading] : s.columns) out += "<th>" + html_escape(heading) + "</th>";
      out += "</tr>\n";
      for (const auto& row : *s.rows) {
        out += "<tr>";
        for (const auto& [key, heading] : s.columns)
          out += "<td>" + html_escape(text_of(row.value(key, Json()))) + "</td>";
        out += "</tr>\n";
      }
      out += "</table>\n";
      continue;
    }
    out += "\n## " + s.title + "\n\n|";
    for (const auto& [key, heading] : s.columns) out += " " + md_cell(heading) + " |";
    out += "\n|";
    for (std::size_t i = 0; i < s.columns.size(); ++i) out += "---|";
    out += "\n";
    for (const auto& row : *s.rows) {
      out += "|";
      for (const auto& [key, heading] : s.columns)
        out += " " + md_cell(text_of(row.value(key, Json()))) + " |";
      out += "\n";
    }
  }
  if (format == ReportFormat::html) out += "</body></html>\n";
  return out;
}

// What made FINDING personal, in words for a DPO: the name's words, the context, the
// recognizer and how many sampled values it matched. Never a value.
std::string evidence_text(const Finding& f, const Messages& m) {
  std::vector<std::string> parts;
  if (!f.words.empty()) {
    std::string words;
    for (const auto& w : f.words) words += (words.empty() ? "" : " ") + w;
    parts.push_back(m.text("rgpd.evidence.words", {{"words", words}}));
  }
  if (!f.context.empty()) parts.push_back(m.text("rgpd.evidence.context." + f.context));
  if (!f.content.kind.empty() && f.content.inside.empty())
    parts.push_back(m.text("rgpd.evidence.content",
                           {{"matches", std::to_string(f.content.matches)},
                            {"sampled", std::to_string(f.content.sampled)},
                            {"kind", f.content.kind}}));
  for (const auto& [kind, n] : f.content.inside)
    parts.push_back(m.text("rgpd.evidence.inside", {{"matches", std::to_string(n)},
                                                    {"sampled", std::to_string(f.content.sampled)},
                                                    {"kind", kind}}));
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "; ") + p;
  return out;
}

Json finding_row(const Finding& f, const Messages& m) {
  Json inside = Json::object();
  for (const auto& [kind, n] : f.content.inside) inside[kind] = n;
  Json suggestion = f.suggestion();
  std::string suggested = suggestion.is_null()
                              ? m.text("rgpd.suggest.quasi")
                              : suggestion["category"].get<std::string>() + ", " +
                                    suggestion["mask"].get<std::string>();
  return {{"table", f.table},
          {"column", f.column},
          {"kind", f.kind},
          {"by", f.by()},
          {"words", f.words},
          {"context", f.context.empty() ? Json() : Json(f.context)},
          {"content", f.content.kind.empty()
                          ? Json()
                          : Json{{"recognizer", f.content.kind},
                                 {"matches", f.content.matches},
                                 {"sampled", f.content.sampled},
                                 {"inside", inside}}},
          {"matches", f.content.kind.empty()
                          ? Json()
                          : Json(fmt::format("{}/{}", f.content.matches, f.content.sampled))},
          {"confidence", f.confidence},
          {"special", f.special},
          {"evidence", evidence_text(f, m)},
          {"suggestion", suggested},
          {"map_entry", suggestion}};
}

// The special categories of art. 9 and 10 found, declared or not: each is open until the
// map declares it with a special category.
Json special_rows(const Discovery& discovery, const personal::PersonalMap& map,
                  const Messages& m) {
  Json rows = Json::array();
  for (const auto& f : discovery.findings) {
    if (!f.special) continue;
    std::string category;
    if (const auto* t = map.table(f.table))
      for (const auto& c : t->columns)
        if (c.name == f.column) category = c.category;
    bool reviewed = false;
    for (const auto& q : map.not_personal) reviewed = reviewed || (q.table == f.table && q.column == f.column);
    if (reviewed) continue;
    bool declared = !category.empty() && is_special_category(category);
    std::string status = declared ? "declared" : category.empty() ? "undeclared" : "not_special";
    rows.push_back({{"table", f.table},
                    {"column", f.column},
                    {"kind", f.kind},
                    {"category", category.empty() ? Json() : Json(category)},
                    {"declared", declared},
                    {"status", m.text("rgpd.special." + status)}});
  }
  return rows;
}

}  // namespace

int run_audit_rgpd(const AuditRgpdOptions& options, Context& ctx) {
  const TenantConfig& tenant = ctx.tenant();
  const Messages& m = ctx.messages();
  ctx.set_target(tenant.database);
  personal::PersonalMap map = personal::personal_map(tenant);
  auto db = take(open_database(tenant.database, {.must_exist = true}));
  take(personal::check_against(map, *db));
  auto defs = take(personal::describe_all(*db));
  std::int64_t now = now_ms();

  // Declared.
  Json declared = Json::array();
  for (const auto& t : map.tables)
    for (const auto& c : t.columns)
      declared.push_back({{"table", t.name},
                          {"column", c.name},
                          {"category", c.category},
                          {"mask", c.strategy.text()}});
  // Detected but undeclared.
  std::vector<const TableDef*> all;
  for (const auto& [name, def] : defs) all.push_back(&def);
  Discovery discovery =
      take(discover(*db, map, all, {.rows = options.sample, .millis = options.sample_ms}));
  std::vector<Finding> missing = undeclared(discovery, map);
  if (options.suggest_map) {
    take(write_all(STDOUT_FILENO, suggested_map(missing).dump(2) + "\n", "-"));
    ctx.audit_details()["undeclared_columns"] = missing.size();
    ctx.set_summary("rgpd.map_suggested", {{"count", std::to_string(missing.size())}});
    return 0;
  }
  Json undeclared_rows = Json::array();
  for (const auto& f : missing) undeclared_rows.push_back(finding_row(f, m));
  Json special = special_rows(discovery, map, m);
  bool special_open = false;
  for (const auto& row : special) special_open = special_open || row["declared"] != true;
  Json sampling = Json::array();
  for (const auto& t : discovery.tables)
    sampling.push_back({{"table", t.table},
                        {"rows", t.rows},
                        {"sampled", t.sampled},
                        {"method", t.method},
                        {"time_out", t.time_out},
                        {"ms", t.millis}});
  Json reviewed = Json::array();
  for (const auto& q : map.not_personal)
    reviewed.push_back({{"table", q.table}, {"column", q.column}});
  // Retention.
  Json retention = Json::array();
  std::int64_t overdue = 0;
  for (const auto& o : take(personal::count_all_overdue(*db, map, defs, now))) {
    overdue += o.rows;
    retention.push_back({{"table", o.table},
                         {"column", o.column},
                         {"days", o.days},
                         {"then", o.anonymize ? "anonymize" : "delete"},
                         {"before", o.cutoff},
                         {"overdue", o.rows}});
  }
  // Consent.
  auto records = take(consent_records(*db, std::nullopt, std::nullopt));
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> by_purpose;  // active, withdrawn
  std::map<std::pair<std::string, std::string>, std::string> last;
  for (const auto& r : records) last[{r.subject, r.purpose}] = r.event;
  for (const auto& [key, event] : last)
    (event == "given" ? by_purpose[key.second].first : by_purpose[key.second].second)++;
  Json consent = Json::array();
  for (const auto& [purpose, n] : by_purpose)
    consent.push_back({{"purpose", purpose}, {"active", n.first}, {"withdrawn", n.second}});
  // Record of processing activities (art. 30(1)).
  Json processing = Json::array();
  for (const auto& p : map.purposes) {
    std::set<std::string> categories;
    std::vector<std::string> periods;
    Json tables = p.value("tables", Json::array());
    for (const auto& name : tables) {
      const auto* t = map.table(name.get<std::string>());
      if (!t) continue;
      for (const auto& c : t->columns) categories.insert(c.category);
      if (t->retention)
        periods.push_back(fmt::format("{}: {} d ({})", t->name, t->retention->days,
                                      t->retention->anonymize ? "anonymize" : "delete"));
    }
    processing.push_back(
        {{"purpose", p.value("name", "")},
         {"basis", p.value("basis", "")},
         {"description", p.contains("description") ? p["description"] : Json()},
         {"controller", map.controller.empty() ? Json() : Json(map.controller)},
         {"subjects", map.subject_table ? Json(*map.subject_table) : Json()},
         {"categories", Json(std::vector<std::string>(categories.begin(), categories.end()))},
         {"recipients", p.value("recipients", Json::array())},
         {"retention", Json(periods)},
         {"source",
          p.contains("source") ? p["source"] : (map.source.empty() ? Json() : Json(map.source))},
         {"transfers", Json()},
         {"security",
          "masking key " +
              std::string(fs::exists(personal::masking_key_path(tenant, map)) ? "present"
                                                                              : "absent") +
              "; audit trail; encrypted backups " +
              (tenant.backup.value("encryption", "") == "required" ? "required" : "optional")}});
  }

  Json report = {{"tenant", tenant.name},
                 {"generated", format_rfc3339_ms(now)},
                 {"declared", declared},
                 {"undeclared", undeclared_rows},
                 {"special_categories", special},
                 {"not_personal", reviewed},
                 {"sampling", sampling},
                 {"retention", retention},
                 {"consent", consent},
                 {"processing", processing},
                 {"overdue_rows", overdue},
                 {"undeclared_columns", undeclared_rows.size()},
                 {"compliant", overdue == 0 && undeclared_rows.empty() && !special_open}};
  std::string text;
  if (options.format == ReportFormat::json) {
    text = report.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
  } else {
    auto col = [&](const char* key) { return m.text(std::string("rgpd.report.col.") + key); };
    std::vector<Section> sections = {
        {m.text("rgpd.report.declared"),
         {{"table", col("table")},
          {"column", col("column")},
          {"category", col("category")},
          {"mask", col("mask")}},
         &report["declared"]},
        {m.text("rgpd.report.undeclared"),
         {{"table", col("table")},
          {"column", col("column")},
          {"kind", col("kind")},
          {"confidence", col("confidence")},
          {"evidence", col("evidence")},
          {"suggestion", col("suggestion")}},
         &report["undeclared"]},
        {m.text("rgpd.report.special"),
         {{"table", col("table")},
          {"column", col("column")},
          {"kind", col("kind")},
          {"category", col("category")},
          {"status", col("status")}},
         &report["special_categories"]},
        {m.text("rgpd.report.sampling"),
         {{"table", col("table")},
          {"rows", col("rows")},
          {"sampled", col("sampled")},
          {"method", col("method")}},
         &report["sampling"]},
        {m.text("rgpd.report.retention"),
         {{"table", col("table")},
          {"column", col("column")},
          {"days", col("days")},
          {"then", col("then")},
          {"overdue", col("overdue")}},
         &report["retention"]},
        {m.text("rgpd.report.consent"),
         {{"purpose", col("purpose")}, {"active", col("active")}, {"withdrawn", col("withdrawn")}},
         &report["consent"]},
        {m.text("rgpd.report.processing"),
         {{"purpose", col("purpose")},
          {"basis", col("basis")},
          {"description", col("description")},
          {"controller", col("controller")},
          {"subjects", col("subjects")},
          {"categories", col("categories")},
          {"recipients", col("recipients")},
          {"retention", col("retention")},
          {"source", col("source")},
          {"transfers", col("transfers")},
          {"security", col("security")}},
         &report["processing"]},
        {m.text("rgpd.report.not_personal"),
         {{"table", col("table")}, {"column", col("column")}},
         &report["not_personal"]}};
    text = render(report, sections, options.format, m.text("rgpd.report.title"));
  }
  if (options.output) {
    OutputFile output(*options.output, 0640);
    take(write_all(output.fd(), text, *options.output));
    output.commit();
  } else if (!ctx.json()) {
    take(write_all(STDOUT_FILENO, text, "-"));
  }

  auto& details = ctx.audit_details();
  details["overdue_rows"] = overdue;
  details["undeclared_columns"] = undeclared_rows.size();
  details["special_undeclared"] = special_open;
  details["declared_columns"] = declared.size();
  if (options.output) details["output"] = *options.output;
  ctx.result() = report;
  ctx.metrics().add("dihya_rgpd_overdue_rows", "Rows past their retention rule.",
                    MetricSet::Type::gauge, static_cast<double>(overdue));
  ctx.metrics().add("dihya_rgpd_undeclared_columns",
                    "Columns that look personal but are not in the map.", MetricSet::Type::gauge,
                    static_cast<double>(undeclared_rows.size()));
  MessageParams params = {{"overdue", std::to_string(overdue)},
                          {"undeclared", std::to_string(undeclared_rows.size())}};
  bool failed = overdue > 0 || !undeclared_rows.empty() || special_open;
  const char* id = failed ? "rgpd.audit_failed" : "rgpd.audit_clean";
  ctx.set_summary(id, params);
  if (failed) {
    ctx.log().error(make_error(ExitCode::failure, id, params));
    return to_int(ExitCode::failure);
  }
  return 0;
}

}  // namespace dihya::rgpd
