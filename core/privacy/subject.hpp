#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/data/db.hpp"
#include "core/privacy/masking.hpp"
#include "core/privacy/personal_map.hpp"

// A data subject's rows across the database, found from the personal-data map and the
// database's foreign keys; their erasure, and the erasure journal that keeps an erased
// subject from coming back with an older backup (DESIGN.md §10, rgpd/README.md).
namespace dihya::personal {

// What erasing a subject does to its rows of one table.
enum class EraseAction { remove, anonymize, keep };
const char* erase_action_name(EraseAction action);

// The rows of one table that belong to the subject.
struct SubjectTable {
  std::string table;
  // SQL over the table's own columns; each `?` is the subject's key.
  std::string condition;
  int placeholders = 0;
  std::vector<std::string> via;      // how they are reached: "users.id", "events.user_id → users"
  std::vector<std::string> parents;  // the tables whose subject rows these refer to
  const PersonalTable* map = nullptr;
  EraseAction action = EraseAction::keep;
  bool forced = false;  // removed because rows it refers to are removed
};

// Every table holding rows of the subject, parents before the tables that refer to them: the
// subject table (its key), the map's tables with a subject_column, and the tables whose
// foreign keys lead to rows already found. Each gets its erase action: the map's `erase`,
// else its retention's `then`, else remove; a table outside the map is removed with the rows
// it refers to and kept otherwise. DEFS holds every table of the database.
Result<std::vector<SubjectTable>> subject_tables(const PersonalMap& map,
                                                 const std::map<std::string, TableDef>& defs);

// Every table of DB described.
Result<std::map<std::string, TableDef>> describe_all(Database& db);

// The subject key given on the command line as a field of the subject key's column type
// (TEXT keeps its bytes; 65 when an integer key is not one).
Result<Field> subject_field(const TableDef& subject_table, const std::string& key_column,
                            const std::string& text);

// Bind every placeholder of T's condition to KEY, from FIRST.
Status bind_subject(Statement& statement, const SubjectTable& t, const Field& key, int first = 1);

// The masks of some rows of TABLE (a subject's, or those past retention): the map's columns
// but keep, key columns and the subject column (they hold the links); shuffle, which deals a
// whole column, withdraws the value instead (null, or redact in a NOT NULL text column).
std::vector<std::pair<std::string, masking::Strategy>> row_masks(const PersonalTable& table,
                                                                 const TableDef& def);

// The keyed pseudonym of a subject key (32 hex digits): what the journal records.
std::string subject_pseudonym(const masking::MaskingKey& key, const Field& subject);

struct ErasedTable {
  std::string table;
  EraseAction action = EraseAction::keep;
  std::int64_t rows = 0;
};

// Erase the subject KEY's rows of TABLES, children first, in the caller's transaction, and
// record its pseudonym in the database's dihya_erasures table. Without MASKER (a dry run),
// only count the rows each table would lose or have masked.
Result<std::vector<ErasedTable>> erase_subject(Database& db,
                                               const std::vector<SubjectTable>& tables,
                                               const std::map<std::string, TableDef>& defs,
                                               const masking::Masker* masker, const Field& key,
                                               const std::string& pseudonym);
// Whether DB records PSEUDONYM as erased.
Result<bool> erased_before(Database& db, const std::string& pseudonym);

// The erasure journal of a tenant: <state_dir>/rgpd/erasures.jsonl, one JSON line per
// erasure ({at, subject (pseudonym), key_id, tables}), appended and synced.
std::filesystem::path erasure_journal_path(const TenantConfig& tenant);
Status append_erasure(const TenantConfig& tenant, const Json& entry);
Result<std::vector<Json>> read_erasures(const TenantConfig& tenant);

// After a restore: erase again, in the database at URL, every subject of TENANT's journal
// that the database does not record as erased. Returns how many were erased again. Fails
// (and the caller keeps the restore from being swapped in) when the journal has entries to
// replay and the masking key or the map is missing.
Result<std::int64_t> replay_erasures(const TenantConfig& tenant, const std::string& url);

}  // namespace dihya::personal
