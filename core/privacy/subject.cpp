#include "core/privacy/subject.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <functional>
#include <set>
#include <sstream>

#include "core/base/clock.hpp"
#include "core/base/fs.hpp"
#include "core/privacy/locale_pack.hpp"

namespace dihya::personal {

namespace {

// The masking key's domain of subject pseudonyms (the strategies use 0–9, the leak check 15).
constexpr std::uint8_t k_pseudonym_domain = 14;
// Rows of the database recording the subjects it has erased (pseudonyms only).
constexpr const char* k_erased = "dihya_erasures";

std::string column_list(const std::vector<std::string>& columns) {
  std::string list;
  for (const auto& c : columns) list += (list.empty() ? "" : ", ") + quote_identifier(c);
  return list;
}

int count_marks(const std::string& sql) {
  return static_cast<int>(std::count(sql.begin(), sql.end(), '?'));
}

// The condition of one way to reach a table's rows, and what it came through.
struct Path {
  std::string condition, via, parent;
};

}  // namespace

const char* erase_action_name(EraseAction action) {
  switch (action) {
    case EraseAction::remove:
      return "delete";
    case EraseAction::anonymize:
      return "anonymize";
    default:
      return "keep";
  }
}

Result<std::map<std::string, TableDef>> describe_all(Database& db) {
  std::map<std::string, TableDef> defs;
  auto names = db.table_names();
  if (!names) return names.error();
  for (const auto& name : *names) {
    auto def = db.describe_table(name);
    if (!def) return def.error();
    defs[name] = std::move(*def);
  }
  return defs;
}

Result<std::vector<SubjectTable>> subject_tables(const PersonalMap& map,
                                                 const std::map<std::string, TableDef>& defs) {
  if (!map.subject_table)
    return make_error(ExitCode::config_error, "core.personal.no_subject", {{"path", map.path}});
  std::map<std::string, std::vector<Path>> paths;
  std::vector<std::string> order;  // tables in the order they were reached
  auto reach = [&](const std::string& table, Path path) {
    if (!paths.count(table)) order.push_back(table);
    paths[table].push_back(std::move(path));
  };
  reach(*map.subject_table, {quote_identifier(*map.subject_key) + " = ?",
                             *map.subject_table + "." + *map.subject_key, ""});
  for (const auto& t : map.tables)
    if (t.subject_column && defs.count(t.name) && t.name != *map.subject_table)
      reach(t.name,
            {quote_identifier(*t.subject_column) + " = ?", t.name + "." + *t.subject_column, ""});
  // Breadth first along the foreign keys that point at rows found: each table's condition is
  // the OR of its paths, built once its parents' conditions are complete enough to hold them
  // (a table reached again later keeps the paths it had: no cycle is followed).
  std::set<std::string> expanded;
  for (std::size_t i = 0; i < order.size(); ++i) {
    const std::string parent = order[i];
    expanded.insert(parent);
    std::string parent_condition;
    for (const auto& p : paths[parent])
      parent_condition += (parent_condition.empty() ? "(" : " OR (") + p.condition + ")";
    for (const auto& [name, def] : defs) {
      if (name == parent || expanded.count(name) || is_internal_table(name)) continue;
      for (const auto& fk : def.foreign_keys) {
        if (fk.ref_table != parent) continue;
        std::string lhs = fk.columns.size() == 1 ? quote_identifier(fk.columns[0])
                                                 : "(" + column_list(fk.columns) + ")";
        reach(name, {lhs + " IN (SELECT " + column_list(fk.ref_columns) + " FROM " +
                         quote_identifier(parent) + " WHERE " + parent_condition + ")",
                     name + "." + fk.columns[0] + " → " + parent, parent});
      }
    }
  }

  std::vector<SubjectTable> tables;
  std::map<std::string, std::size_t> index;
  for (const auto& name : order) {
    SubjectTable t;
    t.table = name;
    t.map = map.table(name);
    for (const auto& p : paths[name]) {
      t.condition += (t.condition.empty() ? "(" : " OR (") + p.condition + ")";
      t.via.push_back(p.via);
      if (!p.parent.empty() &&
          std::find(t.parents.begin(), t.parents.end(), p.parent) == t.parents.end())
        t.parents.push_back(p.parent);
    }
    t.placeholders = count_marks(t.condition);
    // Parents come first in ORDER, so their actions are known here.
    bool parent_removed = false;
    for (const auto& parent : t.parents)
      if (index.count(parent) && tables[index[parent]].action == EraseAction::remove)
        parent_removed = true;
    if (t.map) {
      bool anonymize =
          t.map->erase_anonymize.value_or(t.map->retention && t.map->retention->anonymize);
      t.action = anonymize ? EraseAction::anonymize : EraseAction::remove;
    } else if (name == *map.subject_table) {
      t.action = EraseAction::remove;
    } else {
      t.action = parent_removed ? EraseAction::remove : EraseAction::keep;
    }
    if (parent_removed && t.action != EraseAction::remove) {
      t.action = EraseAction::remove;
      t.forced = true;
    }
    index[name] = tables.size();
    tables.push_back(std::move(t));
  }
  return tables;
}

Result<Field> subject_field(const TableDef& subject_table, const std::string& key_column,
                            const std::string& text) {
  const ColumnDef* column = subject_table.column(key_column);
  if (column && column->type == ColumnType::integer) {
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size())
      return make_error(ExitCode::data_error, "core.subject.bad_key",
                        {{"value", text}, {"column", subject_table.name + "." + key_column}});
    return Field::of(value);
  }
  return Field::of(std::string_view(text));
}

Status bind_subject(Statement& statement, const SubjectTable& t, const Field& key, int first) {
  for (int i = 0; i < t.placeholders; ++i)
    if (Status bound = statement.bind(first + i, key); !bound) return bound;
  return {};
}

std::vector<std::pair<std::string, masking::Strategy>> row_masks(const PersonalTable& table,
                                                                 const TableDef& def) {
  std::vector<std::pair<std::string, masking::Strategy>> masks;
  std::set<std::string> links(def.primary_key.begin(), def.primary_key.end());
  for (const auto& fk : def.foreign_keys) links.insert(fk.columns.begin(), fk.columns.end());
  if (table.subject_column) links.insert(*table.subject_column);
  for (const auto& c : table.columns) {
    if (c.strategy.kind == masking::Kind::keep || links.count(c.name)) continue;
    masking::Strategy s = c.strategy;
    if (s.kind == masking::Kind::shuffle) {
      const ColumnDef* column = def.column(c.name);
      s.kind = column && !column->nullable ? masking::Kind::redact : masking::Kind::null;
      if (column && !column->nullable && column->type != ColumnType::text) continue;
    }
    masks.emplace_back(c.name, s);
  }
  return masks;
}

std::string subject_pseudonym(const masking::MaskingKey& key, const Field& subject) {
  auto bytes = key.prf128(k_pseudonym_domain, masking::canonical_text(subject));
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (auto b : bytes) {
    out += hex[b >> 4];
    out += hex[b & 15];
  }
  return out;
}

Result<std::vector<ErasedTable>> erase_subject(Database& db,
                                               const std::vector<SubjectTable>& tables,
                                               const std::map<std::string, TableDef>& defs,
                                               const masking::Masker* masker, const Field& key,
                                               const std::string& pseudonym) {
  const bool dry_run = masker == nullptr;
  std::vector<ErasedTable> done(tables.size());
  // Children first: a row is gone before the row it refers to.
  for (std::size_t i = tables.size(); i-- > 0;) {
    const SubjectTable& t = tables[i];
    done[i] = {t.table, t.action, 0};
    std::string from = " FROM " + quote_identifier(t.table) + " WHERE " + t.condition;
    if (dry_run || t.action == EraseAction::keep) {
      auto count = db.prepare("SELECT count(*)" + from);
      if (!count) return count.error();
      if (Status bound = bind_subject(**count, t, key); !bound) return bound.error();
      auto row = (*count)->step();
      if (!row) return row.error();
      done[i].rows = (*count)->get_integer(0);
      continue;
    }
    if (t.action == EraseAction::remove) {
      auto del = db.prepare("DELETE" + from);
      if (!del) return del.error();
      if (Status bound = bind_subject(**del, t, key); !bound) return bound.error();
      if (auto ran = (*del)->step(); !ran) return ran.error();
      done[i].rows = (*del)->changes();
      continue;
    }
    const TableDef& def = defs.at(t.table);
    std::vector<Field> params(static_cast<std::size_t>(t.placeholders), key);
    if (!t.map) continue;
    auto masked = masking::mask_rows(db, *masker, def, row_masks(*t.map, def), t.condition, params);
    if (!masked) return masked.error();
    done[i].rows = *masked;
  }
  if (dry_run) return done;
  if (Status made = db.execute(std::string("CREATE TABLE IF NOT EXISTS ") + k_erased +
                               " (subject TEXT PRIMARY KEY, erased_at TEXT NOT NULL)");
      !made)
    return made.error();
  auto record = db.prepare(std::string("INSERT INTO ") + k_erased +
                           " (subject, erased_at) SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM " +
                           k_erased + " WHERE subject = ?)");
  if (!record) return record.error();
  std::string at = format_rfc3339_ms(now_ms());
  (*record)->bind(1, Field::of(pseudonym));
  (*record)->bind(2, Field::of(at));
  (*record)->bind(3, Field::of(pseudonym));
  if (auto ran = (*record)->step(); !ran) return ran.error();
  return done;
}

Result<bool> erased_before(Database& db, const std::string& pseudonym) {
  auto exists = db.table_exists(k_erased);
  if (!exists || !*exists) return exists;
  auto stmt = db.prepare(std::string("SELECT count(*) FROM ") + k_erased + " WHERE subject = ?");
  if (!stmt) return stmt.error();
  if (Status bound = (*stmt)->bind(1, Field::of(pseudonym)); !bound) return bound.error();
  auto row = (*stmt)->step();
  if (!row) return row.error();
  return (*stmt)->get_integer(0) > 0;
}

std::filesystem::path erasure_journal_path(const TenantConfig& tenant) {
  return tenant.state_dir / "rgpd" / "erasures.jsonl";
}

Status append_erasure(const TenantConfig& tenant, const Json& entry) {
  fs::path path = erasure_journal_path(tenant);
  if (Status made = make_directories(path.parent_path(), 0700); !made) return made;
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
  if (!fd.valid()) return io_error(path, errno);
  if (Status written = write_all(fd.get(), entry.dump() + "\n", path); !written) return written;
  if (::fsync(fd.get()) != 0) return io_error(path, errno);
  return fsync_directory(path.parent_path());
}

Result<std::vector<Json>> read_erasures(const TenantConfig& tenant) {
  std::vector<Json> entries;
  fs::path path = erasure_journal_path(tenant);
  std::error_code ec;
  if (!fs::exists(path, ec)) return entries;
  auto text = read_file(path);
  if (!text) return text.error();
  std::istringstream lines(*text);
  std::string line;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    if (line.empty()) continue;
    Json entry = Json::parse(line, nullptr, false);
    if (!entry.is_object() || !entry.contains("subject") || !entry["subject"].is_string())
      return make_error(ExitCode::data_error, "core.subject.bad_journal",
                        {{"path", path.string()}, {"line", std::to_string(number)}});
    entries.push_back(std::move(entry));
  }
  return entries;
}

Result<std::int64_t> replay_erasures(const TenantConfig& tenant, const std::string& url) {
  auto journal = read_erasures(tenant);
  if (!journal) return journal.error();
  if (journal->empty()) return 0;
  auto db = open_database(url, {.must_exist = true});
  if (!db) return db.error();
  std::set<std::string> pending;
  for (const auto& entry : *journal) pending.insert(entry["subject"].get<std::string>());
  auto exists = (*db)->table_exists(k_erased);
  if (!exists) return exists.error();
  if (*exists) {
    auto stmt = (*db)->prepare(std::string("SELECT subject FROM ") + k_erased);
    if (!stmt) return stmt.error();
    for (;;) {
      auto row = (*stmt)->step();
      if (!row) return row.error();
      if (!*row) break;
      pending.erase((*stmt)->get_text(0));
    }
  }
  if (pending.empty()) return 0;

  PersonalMap map = personal_map(tenant);
  if (!map.subject_table)
    return make_error(ExitCode::config_error, "core.personal.no_subject", {{"path", map.path}});
  fs::path key_path = masking_key_path(tenant, map);
  if (!fs::exists(key_path))
    return make_error(ExitCode::no_input, "core.masking.no_key", {{"path", key_path.string()}});
  auto key = masking::MaskingKey::load(key_path);
  if (!key) return key.error();
  auto packs = select_locale_packs("mixed");
  if (!packs) return packs.error();
  masking::Masker masker(*key, *packs);
  auto defs = describe_all(**db);
  if (!defs) return defs.error();
  if (!defs->count(*map.subject_table)) return 0;
  auto tables = subject_tables(map, *defs);
  if (!tables) return tables.error();

  // The subjects of the restored database whose pseudonym the journal holds.
  const TableDef& subject_def = defs->at(*map.subject_table);
  const ColumnDef* key_column = subject_def.column(*map.subject_key);
  if (!key_column)
    return make_error(ExitCode::config_error, "core.personal.unknown_column",
                      {{"path", map.path + ".subject.key"},
                       {"table", *map.subject_table},
                       {"column", *map.subject_key}});
  std::vector<OwnedField> found;
  {
    auto stmt = (*db)->prepare("SELECT " + quote_identifier(*map.subject_key) + " FROM " +
                               quote_identifier(*map.subject_table));
    if (!stmt) return stmt.error();
    for (;;) {
      auto row = (*stmt)->step();
      if (!row) return row.error();
      if (!*row) break;
      OwnedField value = OwnedField::read(**stmt, 0, key_column->type);
      if (value.kind != Field::Kind::null && pending.count(subject_pseudonym(*key, value.field())))
        found.push_back(std::move(value));
    }
  }
  if (found.empty()) return 0;
  auto transaction = Transaction::begin(**db);
  if (!transaction) return transaction.error();
  for (const auto& subject : found) {
    auto erased = erase_subject(**db, *tables, *defs, &masker, subject.field(),
                                subject_pseudonym(*key, subject.field()));
    if (!erased) return erased.error();
  }
  if (Status committed = transaction->commit(); !committed) return committed.error();
  return static_cast<std::int64_t>(found.size());
}

}  // namespace dihya::personal
