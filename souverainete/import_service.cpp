// import: check a package completely, then load it in one transaction.
#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include "core/base/clock.hpp"
#include "core/base/signals.hpp"
#include "core/data/types.hpp"
#include "souverainete/loader.hpp"
#include "souverainete/services.hpp"
#include "souverainete/support.hpp"

namespace dihya::souverainete {

namespace {

// Standard input copied to a private file first: a package is read twice, checked before
// anything is loaded.
class Spool {
 public:
  Spool(const std::string& file, const TenantConfig& tenant) {
    if (file != "-") {
      m_path = file;
      return;
    }
    fs::path dir = tenant.state_dir / "import";
    take(make_directories(dir, 0700));
    m_path = dir / fmt::format("stdin-{}-{}.package", ::getpid(), now_ms());
    Fd fd(::open(m_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!fd.valid()) take(Status(io_error(m_path, errno)));
    m_owned = true;
    try {
      copy_stdin(fd.get());
    } catch (...) {
      ::unlink(m_path.c_str());  // the destructor does not run for a constructor that throws
      throw;
    }
  }
  ~Spool() {
    if (m_owned) ::unlink(m_path.c_str());
  }
  const fs::path& path() const { return m_path; }

 private:
  void copy_stdin(int fd) {
    std::vector<char> buffer(1 << 20);
    for (;;) {
      check_interrupted();
      ssize_t got = ::read(STDIN_FILENO, buffer.data(), buffer.size());
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) take(Status(io_error("-", errno)));
      if (got == 0) break;
      take(write_all(fd, std::string_view(buffer.data(), static_cast<std::size_t>(got)), m_path));
    }
  }

  fs::path m_path;
  bool m_owned = false;
};

// What the import will do to each table; refuses what the mode does not allow before the
// database is changed.
Json plan(Database& db, const package::Manifest& manifest, ImportMode mode) {
  std::vector<std::string> existing = take(named_engine_error("", db.table_names()));
  Json out = Json::array();
  for (std::size_t i : package::foreign_key_order(manifest.resources)) {
    const auto& r = manifest.resources[i];
    bool exists = std::find(existing.begin(), existing.end(), r.def.name) != existing.end();
    if (mode == ImportMode::create && exists)
      fail(ExitCode::cant_create, "souverainete.table_exists", {{"table", r.def.name}});
    if (mode == ImportMode::append) {
      if (!exists) fail(ExitCode::no_input, "souverainete.no_such_table", {{"table", r.def.name}});
      TableDef current = take(named_engine_error(r.def.name, db.describe_table(r.def.name)));
      for (const auto& column : r.def.columns)
        if (!current.column(column.name))
          fail(ExitCode::data_error, "souverainete.column_mismatch",
               {{"table", r.def.name}, {"column", column.name}});
    }
    std::string action = mode == ImportMode::append ? "append" : exists ? "replace" : "create";
    out.push_back({{"table", r.def.name}, {"action", action}, {"rows", r.rows.value_or(-1)}});
  }
  return out;
}

}  // namespace

int run_import(const ImportOptions& options, Context& ctx) {
  const TenantConfig& tenant = ctx.tenant();
  const Messages& m = ctx.messages();
  auto& details = ctx.audit_details();
  details["mode"] = import_mode_name(options.mode);
  details["verify_only"] = options.verify_only;
  ctx.set_target(tenant.database);
  Spool spool(options.file, tenant);
  details["package"] = options.file;

  BackupKeys keys;
  if (take(package::package_encrypted(spool.path())))
    keys = take(backup_decryption_keys(tenant, key_sources(options.keys, m)));
  package::VerifyRequest request;
  request.openers = keys.openers();
  request.trusted = trusted_keys(tenant);
  request.require_signed = tenant.export_settings.value("require_signed", false);
  Progress check_bar = ctx.progress("souverainete.verify_progress", 0);
  request.progress = [&check_bar](std::int64_t bytes) {
    check_bar.update(static_cast<std::uint64_t>(bytes));
  };
  package::VerifiedPackage verified = take(package::verify_package(spool.path(), request));
  check_bar.finish();
  if (verified.signer && request.trusted.empty())
    ctx.log().warn(
        make_error(ExitCode::ok, "souverainete.signer_not_pinned", {{"key", *verified.signer}}));
  details["package_sha256"] = verified.file_sha256;
  details["manifest_sha256"] = verified.manifest_sha256;
  details["encrypted"] = verified.encrypted;
  details["signer"] = verified.signer ? Json(*verified.signer) : Json(nullptr);
  ctx.print(m.text("souverainete.verified",
                   {{"tables", std::to_string(verified.manifest.resources.size())},
                    {"rows", std::to_string(verified.rows)},
                    {"signer", verified.signer.value_or(m.text("souverainete.unsigned"))},
                    {"sha256", verified.file_sha256}}));
  Json result = {{"package_sha256", verified.file_sha256},
                 {"manifest_sha256", verified.manifest_sha256},
                 {"encrypted", verified.encrypted},
                 {"signer", details["signer"]},
                 {"rows", verified.rows}};
  if (options.verify_only) {
    Json tables = Json::array();
    for (const auto& r : verified.manifest.resources)
      tables.push_back({{"table", r.def.name}, {"rows", r.rows.value_or(-1)}});
    result["tables"] = tables;
    details["tables"] = tables;
    ctx.result() = result;
    ctx.set_summary("souverainete.verified_only", {{"sha256", verified.file_sha256}});
    return 0;
  }

  // A dry run creates nothing, not even a missing SQLite file.
  auto sqlite = tenant.sqlite_path();
  bool fresh = ctx.dry_run() && sqlite && !fs::exists(*sqlite);
  auto db = take(open_database(fresh ? "sqlite::memory:" : tenant.database));
  Json planned = plan(*db, verified.manifest, options.mode);
  if (ctx.dry_run()) {
    for (const auto& step : planned)
      ctx.print(m.text(
          "souverainete.plan_" + step["action"].get<std::string>(),
          {{"table", step["table"]}, {"rows", std::to_string(step["rows"].get<std::int64_t>())}}));
    result["dry_run"] = true;
    result["plan"] = planned;
    ctx.result() = result;
    details["dry_run"] = true;
    return 0;
  }

  if (options.mode != ImportMode::append)
    for (const auto& r : verified.manifest.resources)
      for (const auto& c : r.def.columns)
        if (!c.declared.empty() && numeric_kept_as_text(c, db->engine()))
          ctx.log().warn(make_error(ExitCode::ok, "souverainete.numeric_as_text",
                                    {{"table", r.def.name}, {"column", c.name}}));
  std::int64_t started = now_ms();
  Progress bar =
      ctx.progress("souverainete.import_progress", static_cast<std::uint64_t>(verified.rows));
  auto progress = [&bar](std::int64_t rows) { bar.update(static_cast<std::uint64_t>(rows)); };
  Json tables;
  if (db->engine() == Engine::postgresql && options.mode != ImportMode::append) {
    db.reset();  // the staged load opens its own connections
    tables = take(named_engine_error(
        "", load_postgres_staged({tenant.database, spool.path(), verified, request.openers,
                                  options.mode, progress, ctx.log()})));
  } else {
    tables = take(
        named_engine_error("", load_in_one_transaction(*db, spool.path(), verified, request.openers,
                                                       options.mode, progress, ctx.log())));
  }
  bar.finish();
  double seconds = static_cast<double>(now_ms() - started) / 1000.0;

  details["tables"] = tables;
  details["rows"] = verified.rows;
  auto& metrics = ctx.metrics();
  metrics.add("dihya_import_last_success_timestamp_seconds",
              "Time of the last import that completed.", MetricSet::Type::gauge,
              static_cast<double>(now_ms()) / 1000.0);
  metrics.add("dihya_import_rows", "Rows loaded by the last import.", MetricSet::Type::gauge,
              static_cast<double>(verified.rows));
  metrics.add("dihya_import_duration_seconds", "Duration of the last import's load.",
              MetricSet::Type::gauge, seconds);
  result["mode"] = import_mode_name(options.mode);
  result["tables"] = tables;
  result["seconds"] = seconds;
  ctx.result() = result;
  MessageParams params = {{"rows", std::to_string(verified.rows)},
                          {"tables", std::to_string(tables.size())},
                          {"seconds", fmt::format("{:.2f}", seconds)}};
  ctx.set_summary("souverainete.imported", params);
  ctx.print(m.text("souverainete.imported", params));
  return 0;
}

}  // namespace dihya::souverainete
