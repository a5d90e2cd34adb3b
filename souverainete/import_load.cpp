// Loading a verified package in one transaction (SQLite, and appends on PostgreSQL).
#include "souverainete/loader.hpp"

namespace dihya::souverainete {

Error named_engine_error(const std::string& table, Error error) {
  if (!error.id.starts_with("core.db.")) return error;
  std::string id = table.empty()              ? "souverainete.import_failed"
                   : is_internal_table(table) ? "souverainete.load_failed_internal"
                                              : "souverainete.load_failed";
  Error named = make_error(error.code, id, {{"table", table}});
  named.causes.push_back(std::move(error));
  return named;
}

Result<Json> load_in_one_transaction(Database& db, const fs::path& path,
                                     const package::VerifiedPackage& verified,
                                     const EnvelopeOpeners& openers, ImportMode mode,
                                     const LoadProgress& progress, Log& log) {
  TableLoader loader(db, mode, progress);
  if (Status bulk = db.begin_bulk(); !bulk) return bulk.error();
  {
    auto transaction = Transaction::begin(db);
    if (!transaction) return transaction.error();
    if (mode == ImportMode::replace) {
      if (Status dropped = drop_views(db, verified.manifest, ""); !dropped) return dropped.error();
      auto order = package::foreign_key_order(verified.manifest.resources);
      for (auto it = order.rbegin(); it != order.rend(); ++it) {
        const std::string& name = verified.manifest.resources[*it].def.name;
        if (Status dropped = db.execute("DROP TABLE IF EXISTS " + quote_identifier(name)); !dropped)
          return named_engine_error(name, dropped.error());
      }
    }
    if (Status read = package::read_package(path, verified, openers, loader); !read)
      return named_engine_error(loader.table(), read.error());
    if (db.engine() == Engine::sqlite) {
      auto check = db.prepare("PRAGMA foreign_key_check");
      if (!check) return check.error();
      auto broken = (*check)->step();
      if (!broken) return broken.error();
      if (*broken)
        return make_error(ExitCode::data_error, "souverainete.foreign_key_broken",
                          {{"table", (*check)->get_text(0)}});
    }
    if (mode != ImportMode::append)
      if (Status views = create_views(db, verified.manifest, "", log); !views) return views.error();
    check_interrupted();
    if (Status committed = transaction->commit(); !committed) return committed.error();
  }
  if (Status bulk = db.end_bulk(); !bulk) return bulk.error();
  return loader.tables;
}

namespace {

std::vector<const SchemaObject*> views_on(const package::Manifest& manifest, Engine engine) {
  std::vector<const SchemaObject*> out;
  for (const auto& o : manifest.objects)
    if (o.kind == "view" && o.engine == engine) out.push_back(&o);
  return out;
}

std::string qualified(const std::string& schema, const std::string& name) {
  return (schema.empty() ? "" : quote_identifier(schema) + ".") + quote_identifier(name);
}

}  // namespace

Status drop_views(Database& db, const package::Manifest& manifest, const std::string& schema) {
  for (const auto* view : views_on(manifest, db.engine()))
    if (Status dropped = db.execute("DROP VIEW IF EXISTS " + qualified(schema, view->name));
        !dropped)
      return dropped;
  return {};
}

Status create_views(Database& db, const package::Manifest& manifest, const std::string& schema,
                    Log& log) {
  for (const auto* view : views_on(manifest, db.engine())) {
    // SQLite keeps the whole statement; PostgreSQL the query, ended by a semicolon.
    std::string sql = view->definition;
    if (db.engine() == Engine::postgresql) {
      while (!sql.empty() && (sql.back() == ';' || sql.back() == ' ' || sql.back() == '\n'))
        sql.pop_back();
      sql = "CREATE VIEW " + qualified(schema, view->name) + " AS " + sql;
      if (Status saved = db.execute("SAVEPOINT dihya_view"); !saved) return saved;
    }
    Status made = db.execute(sql);
    if (db.engine() == Engine::postgresql)
      if (Status back = db.execute(made ? "RELEASE SAVEPOINT dihya_view"
                                        : "ROLLBACK TO SAVEPOINT dihya_view");
          !back)
        return back;
    if (!made)
      log.warn(make_error(ExitCode::ok, "souverainete.view_not_recreated",
                          {{"name", view->name}, {"reason", made.error().param("reason")}}));
  }
  return {};
}

}  // namespace dihya::souverainete
