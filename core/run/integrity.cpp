// The database and audit checks of the integrity engine, and what every check shares.
#include "core/run/integrity.hpp"

#include <filesystem>

#include "core/base/clock.hpp"
#include "core/base/process.hpp"
#include "core/data/db.hpp"
#include "core/run/audit.hpp"

namespace dihya::integrity {
namespace {

// Every message of integrity_check: its argument is the most it reports (default 100).
constexpr const char* k_all_messages = "(2147483647)";

Json message_object(const Error& message) {
  Json params = Json::object();
  for (const auto& [key, value] : message.params) params[key] = value;
  return {{"id", message.id}, {"params", params}};
}

Finding finding(std::string kind, std::string subject, std::string id, MessageParams params) {
  Error message = make_error(ExitCode::data_error, std::move(id), std::move(params));
  return {std::move(kind), std::move(subject), std::move(message)};
}

// A data error (65) of the engine is a corruption; anything else keeps the check from running.
void record(CheckReport& report, const Error& error, const std::string& kind) {
  if (error.code == ExitCode::data_error)
    report.findings.push_back(finding(kind, "", "core.integrity.db_unreadable",
                                      {{"reason", error.param("reason")}}));
  else
    report.error = error;
}

// The rows of a one-column pragma or query, as text.
Result<std::vector<std::string>> text_rows(Database& db, const std::string& sql) {
  auto stmt = db.prepare(sql);
  if (!stmt) return stmt.error();
  std::vector<std::string> out;
  for (;;) {
    auto row = (*stmt)->step();
    if (!row) return row.error();
    if (!*row) return out;
    out.push_back((*stmt)->is_null(0) ? "" : (*stmt)->get_text(0));
  }
}

void check_sqlite(Database& db, Depth depth, CheckReport& report) {
  std::string pragma = depth == Depth::quick ? "PRAGMA quick_check" : "PRAGMA integrity_check";
  auto messages = text_rows(db, pragma + k_all_messages);
  if (!messages) return record(report, messages.error(), "sqlite_integrity");
  if (!(messages->size() == 1 && messages->front() == "ok"))
    for (const auto& message : *messages)
      report.findings.push_back(finding("sqlite_integrity", "", "core.integrity.sqlite_message",
                                        {{"message", message}}));
  report.facts["pragma"] = depth == Depth::quick ? "quick_check" : "integrity_check";
  auto stmt = db.prepare("PRAGMA foreign_key_check");
  if (!stmt) return record(report, stmt.error(), "foreign_key");
  std::int64_t dangling = 0;
  for (;;) {
    auto row = (*stmt)->step();
    if (!row) return record(report, row.error(), "foreign_key");
    if (!*row) break;
    ++dangling;
    std::string table = (*stmt)->get_text(0);
    std::string rowid = (*stmt)->is_null(1) ? "?" : (*stmt)->get_text(1);
    std::string parent = (*stmt)->get_text(2);
    report.findings.push_back(finding("foreign_key", table + " rowid=" + rowid,
                                      "core.integrity.dangling_reference",
                                      {{"table", table}, {"row", rowid}, {"parent", parent}}));
  }
  report.facts["dangling_references"] = dangling;
}

// pg_amcheck on PATH, else in the newest PostgreSQL installation.
std::string pg_amcheck_program() {
  std::error_code ec;
  std::string newest;
  for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
    auto candidate = entry.path() / "bin" / "pg_amcheck";
    if (std::filesystem::exists(candidate, ec) && candidate.string() > newest)
      newest = candidate.string();
  }
  return newest.empty() ? "pg_amcheck" : newest;
}

// pg_amcheck's report: a line naming the relation ("btree index "db.s.i":", "heap table
// "db.s.t", block 3, offset 7:") followed by indented lines saying what is wrong.
void parse_amcheck(const std::string& out, CheckReport& report) {
  std::string subject, text;
  auto flush = [&] {
    if (subject.empty()) return;
    report.findings.push_back(finding("amcheck", subject, "core.integrity.amcheck",
                                      {{"relation", subject}, {"message", text}}));
    subject.clear();
    text.clear();
  };
  std::size_t start = 0;
  while (start < out.size()) {
    std::size_t end = out.find('\n', start);
    if (end == std::string::npos) end = out.size();
    std::string line = out.substr(start, end - start);
    start = end + 1;
    if (line.empty()) continue;
    if (line[0] != ' ') {
      flush();
      subject = line.back() == ':' ? line.substr(0, line.size() - 1) : line;
    } else {
      auto first = line.find_first_not_of(' ');
      text += (text.empty() ? "" : " ") + line.substr(first);
    }
  }
  flush();
}

Status run_amcheck(const DatabaseUrl& url, Depth depth, CheckReport& report) {
  ProcessRequest request;
  request.argv = {pg_amcheck_program(), "--no-password", "--host=" + url.host,
                  "--port=" + std::to_string(url.port), "--username=" + url.user};
  if (depth == Depth::quick) request.argv.push_back("--index=*");
  if (depth == Depth::deep) request.argv.push_back("--heapallindexed");
  request.argv.push_back(url.database);
  request.unset_env = {"DIHYA_TOKEN"};
  auto ran = run_process(request);
  if (!ran) return ran.error();
  if (ran->exit_code == 2 || (ran->exit_code == 0 && !ran->out.empty())) {
    parse_amcheck(ran->out, report);
  } else if (ran->exit_code != 0) {
    std::string reason = ran->err.empty() ? ran->out : ran->err;
    ExitCode code = reason.find("permission denied") != std::string::npos ? ExitCode::no_permission
                    : reason.find("connection") != std::string::npos ? ExitCode::unavailable
                                                                     : ExitCode::failure;
    return make_error(code, "core.integrity.amcheck_failed",
                      {{"status", std::to_string(ran->exit_code)}, {"reason", reason}});
  }
  report.facts["amcheck"] = depth == Depth::deep    ? "btree+heap+heapallindexed"
                            : depth == Depth::quick ? "btree"
                                                    : "btree+heap";
  return {};
}

// The rows of each foreign key whose parent row is missing, counted by the server (deep).
Status check_foreign_keys(Database& db, CheckReport& report) {
  auto tables = db.table_names();
  if (!tables) return tables.error();
  std::int64_t checked = 0;
  for (const auto& table : *tables) {
    auto def = db.describe_table(table);
    if (!def) return def.error();
    for (const auto& fk : def->foreign_keys) {
      std::string not_null, match;
      for (std::size_t i = 0; i < fk.columns.size(); ++i) {
        std::string c = "c." + quote_identifier(fk.columns[i]);
        not_null += (i ? " AND " : "") + c + " IS NOT NULL";
        match += (i ? " AND " : "") + ("p." + quote_identifier(fk.ref_columns[i])) + " = " + c;
      }
      auto count = text_rows(db, "SELECT count(*) FROM " + quote_identifier(table) + " c WHERE " +
                                     not_null + " AND NOT EXISTS (SELECT 1 FROM " +
                                     quote_identifier(fk.ref_table) + " p WHERE " + match + ")");
      if (!count) return count.error();
      ++checked;
      if (count->front() != "0")
        report.findings.push_back(finding(
            "foreign_key", table + " → " + fk.ref_table, "core.integrity.dangling_references",
            {{"table", table}, {"parent", fk.ref_table}, {"count", count->front()}}));
    }
  }
  report.facts["foreign_keys_checked"] = checked;
  return {};
}

Status check_postgres(Database& db, const DatabaseUrl& url, Depth depth, CheckReport& report) {
  auto installed = text_rows(db, "SELECT extname FROM pg_extension WHERE extname = 'amcheck'");
  if (!installed) return installed.error();
  if (installed->empty())
    return make_error(ExitCode::failure, "core.integrity.no_amcheck", {{"database", url.display}});
  if (Status checked = run_amcheck(url, depth, report); !checked) return checked;
  auto not_valid = text_rows(db,
                             "SELECT conrelid::regclass::text || ' ' || conname FROM pg_constraint "
                             "WHERE NOT convalidated ORDER BY 1");
  if (!not_valid) return not_valid.error();
  for (const auto& constraint : *not_valid)
    report.notes.push_back(make_error(ExitCode::ok, "core.integrity.not_valid_constraint",
                                      {{"constraint", constraint}}));
  report.facts["not_valid_constraints"] = *not_valid;
  auto failures = text_rows(db,
                            "SELECT coalesce(checksum_failures, 0) FROM pg_stat_database "
                            "WHERE datname = current_database()");
  if (!failures) return failures.error();
  if (!failures->empty() && failures->front() != "0")
    report.findings.push_back(finding("checksum", url.database,
                                      "core.integrity.checksum_failures",
                                      {{"count", failures->front()}}));
  if (depth == Depth::deep) return check_foreign_keys(db, report);
  return {};
}

}  // namespace

int CheckReport::exit_code() const {
  if (!findings.empty()) return to_int(ExitCode::data_error);
  if (error) return to_int(error->code);
  return 0;
}

Json CheckReport::to_json() const {
  Json out = {{"check", check}, {"ok", ok()}, {"duration_ms", duration_ms}, {"facts", facts}};
  out["findings"] = Json::array();
  for (const auto& f : findings)
    out["findings"].push_back({{"kind", f.kind},
                               {"subject", f.subject},
                               {"message", message_object(f.message)}});
  out["notes"] = Json::array();
  for (const auto& note : notes) out["notes"].push_back(message_object(note));
  if (error) out["error"] = message_object(*error);
  return out;
}

CheckReport check_database(const TenantConfig& tenant, Depth depth) {
  CheckReport report("db");
  std::int64_t started = now_ms();
  auto url = parse_database_url(tenant.database);
  if (!url) {
    report.error = url.error();
    return report;
  }
  report.facts["engine"] = url->engine == Engine::sqlite ? "sqlite" : "postgresql";
  report.facts["database"] = url->display;
  auto db = open_database(tenant.database, {.must_exist = true, .whole_tables = true});
  if (!db) {
    record(report, db.error(), "sqlite_integrity");
  } else if (url->engine == Engine::sqlite) {
    check_sqlite(**db, depth, report);
  } else if (Status checked = check_postgres(**db, *url, depth, report); !checked) {
    report.error = checked.error();
  }
  report.duration_ms = now_ms() - started;
  return report;
}

CheckReport check_audit(const TenantConfig& tenant) {
  CheckReport report("audit");
  std::int64_t started = now_ms();
  auto verified = verify_tenant_trail(tenant);
  if (!verified) {
    report.error = verified.error();
  } else {
    report.facts["records"] = verified->records;
    report.facts["checkpoints"] = verified->checkpoints;
    report.facts["unsigned_tail"] = verified->unsigned_tail;
    if (!verified->intact) {
      std::string seq = verified->broken_seq ? std::to_string(*verified->broken_seq) : "?";
      Error message = verified->reason;
      message.code = ExitCode::data_error;
      report.findings.push_back({"audit_chain", "seq=" + seq, message});
    }
  }
  report.duration_ms = now_ms() - started;
  return report;
}

}  // namespace dihya::integrity
