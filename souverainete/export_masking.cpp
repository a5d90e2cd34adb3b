// export --anonymize: the tenant's personal-data map applied to the exported copy.
#include <algorithm>

#include "core/base/fs.hpp"
#include "core/privacy/locale_pack.hpp"
#include "core/privacy/personal_map.hpp"
#include "souverainete/support.hpp"

namespace dihya::souverainete {

namespace {

int column_index(const TableDef& def, const std::string& name) {
  for (std::size_t i = 0; i < def.columns.size(); ++i)
    if (def.columns[i].name == name) return static_cast<int>(i);
  return -1;
}

const package::ExportTable* table_named(const std::vector<package::ExportTable>& tables,
                                        const std::string& name) {
  for (const auto& t : tables)
    if (t.def.name == name) return &t;
  return nullptr;
}

}  // namespace

std::string ExportMasking::key_id() const {
  return key ? key->id() : std::string();
}

void apply_personal_map(Database& db, const TenantConfig& tenant,
                        std::vector<package::ExportTable>& tables, ExportMasking& out) {
  personal::PersonalMap map = personal::personal_map(tenant);
  if (map.tables.empty())
    fail(ExitCode::config_error, "core.personal.no_tables", {{"path", map.path}});
  take(personal::check_against(map, db));
  fs::path key_path = personal::masking_key_path(tenant, map);
  if (!fs::exists(key_path))
    fail(ExitCode::no_input, "core.masking.no_key", {{"path", key_path.string()}});
  out.key.emplace(take(masking::MaskingKey::load(key_path)));
  out.masker.emplace(*out.key, take(select_locale_packs("mixed")));

  for (auto& t : tables) {
    t.masks.assign(t.def.columns.size(), std::nullopt);
    const personal::PersonalTable* mapped = map.table(t.def.name);
    if (!mapped) continue;
    for (const auto& c : mapped->columns) {
      int i = column_index(t.def, c.name);
      if (i < 0 || c.strategy.kind == masking::Kind::keep) continue;
      // A key must stay a key: its values distinct.
      bool key = std::find(t.def.primary_key.begin(), t.def.primary_key.end(), c.name) !=
                 t.def.primary_key.end();
      for (const auto& u : t.def.unique_keys) key = key || u == std::vector<std::string>{c.name};
      if (key && !c.strategy.keeps_distinct())
        fail(ExitCode::config_error, "core.config.mask_not_distinct",
             {{"path", c.path + ".mask"}, {"value", c.strategy.text()}});
      t.masks[static_cast<std::size_t>(i)] = c.strategy;
    }
  }
  // A foreign key takes the strategy of the key it references, so the package still joins;
  // repeated until nothing changes, for chains of references.
  for (bool changed = true; changed;) {
    changed = false;
    for (auto& t : tables)
      for (const auto& fk : t.def.foreign_keys) {
        const package::ExportTable* ref = table_named(tables, fk.ref_table);
        if (!ref) continue;
        for (std::size_t k = 0; k < fk.columns.size() && k < fk.ref_columns.size(); ++k) {
          int i = column_index(t.def, fk.columns[k]);
          int j = column_index(ref->def, fk.ref_columns[k]);
          if (i < 0 || j < 0) continue;
          auto& mine = t.masks[static_cast<std::size_t>(i)];
          const auto& theirs = ref->masks[static_cast<std::size_t>(j)];
          // A shuffled key is no function of its value: what refers to it cannot follow.
          if (theirs && theirs->kind == masking::Kind::shuffle)
            fail(ExitCode::config_error, "souverainete.mask_breaks_key",
                 {{"column", t.def.name + "." + fk.columns[k]},
                  {"referenced", fk.ref_table + "." + fk.ref_columns[k]}});
          if (theirs && !mine) {
            mine = theirs;
            changed = true;
          } else if ((mine && !theirs) || (mine && theirs && mine->text() != theirs->text())) {
            fail(ExitCode::config_error, "souverainete.mask_breaks_key",
                 {{"column", t.def.name + "." + fk.columns[k]},
                  {"referenced", fk.ref_table + "." + fk.ref_columns[k]}});
          }
        }
      }
  }
}

}  // namespace dihya::souverainete
