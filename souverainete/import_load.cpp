// Loading a verified package in one transaction (SQLite, and appends on PostgreSQL).
#include "souverainete/loader.hpp"

namespace dihya::souverainete {

Result<Json> load_in_one_transaction(Database& db, const fs::path& path,
                                     const package::VerifiedPackage& verified,
                                     const EnvelopeOpeners& openers, ImportMode mode,
                                     const LoadProgress& progress) {
  TableLoader loader(db, mode, progress);
  if (Status bulk = db.begin_bulk(); !bulk) return bulk.error();
  {
    auto transaction = Transaction::begin(db);
    if (!transaction) return transaction.error();
    if (mode == ImportMode::replace) {
      auto order = package::foreign_key_order(verified.manifest.resources);
      for (auto it = order.rbegin(); it != order.rend(); ++it)
        if (Status dropped =
                db.execute("DROP TABLE IF EXISTS " +
                           quote_identifier(verified.manifest.resources[*it].def.name));
            !dropped)
          return dropped.error();
    }
    if (Status read = package::read_package(path, verified, openers, loader); !read)
      return read.error();
    if (db.engine() == Engine::sqlite) {
      auto check = db.prepare("PRAGMA foreign_key_check");
      if (!check) return check.error();
      auto broken = (*check)->step();
      if (!broken) return broken.error();
      if (*broken)
        return make_error(ExitCode::data_error, "souverainete.foreign_key_broken",
                          {{"table", (*check)->get_text(0)}});
    }
    check_interrupted();
    if (Status committed = transaction->commit(); !committed) return committed.error();
  }
  if (Status bulk = db.end_bulk(); !bulk) return bulk.error();
  return loader.tables;
}

}  // namespace dihya::souverainete
