#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/data/db.hpp"
#include "core/privacy/masking.hpp"
#include "core/privacy/personal_map.hpp"

// Masking a table in place, and the checks that follow (docs/masking.md, rgpd/README.md).
namespace dihya::rgpd {

// The masked columns of one table of the map, with the table's definition.
struct TableMasking {
  const personal::PersonalTable* table = nullptr;
  const TableDef* def = nullptr;
  std::vector<const personal::MaskedColumn*> columns;  // every strategy but keep
};

// Keyed fingerprints of the original text values of the masked columns and of what replaced
// them. A value found after masking is suspect when it is an original that no masked output
// explains (fakes drawn from lists may equal another row's original by chance).
class LeakWitness {
 public:
  explicit LeakWitness(const masking::MaskingKey& key) : m_key(key) {}
  void original(std::string_view value) { m_originals.push_back(fingerprint(value)); }
  void output(std::string_view value) { m_outputs.push_back(fingerprint(value)); }
  // Sort both lists: call once, before suspect.
  void seal();
  std::uint64_t fingerprint(std::string_view value) const;
  // How many times the masked columns held FINGERPRINT, when it is suspect; else 0.
  std::int64_t suspect(std::uint64_t fingerprint) const;
  // Ask for the memory suspect(FINGERPRINT) reads first, ahead of the call.
  void prefetch(std::uint64_t fingerprint) const;
  bool empty() const { return m_originals.empty(); }

 private:
  const masking::MaskingKey& m_key;
  std::vector<std::uint64_t> m_originals, m_outputs;
  // One bit per fingerprint of an original (its low bits): most values scanned miss here,
  // before any search.
  std::vector<std::uint64_t> m_filter;
  std::uint64_t m_filter_mask = 0;
};

// Whether the leak check covers a column masked by STRATEGY: the text values it replaces
// must be gone (generalize, noise and shuffle give values that may equal originals; lone
// first names, last names and cities name no one). Originals under 4 bytes are not sought.
bool leak_checked(const masking::Strategy& strategy, ColumnType type);

// Mask every row of T with MASKER, in batches (the caller holds the transaction). Returns
// the rows updated.
Result<std::int64_t> mask_table(Database& db, const masking::Masker& masker, const TableMasking& t,
                                LeakWitness& witness,
                                const std::function<void(std::int64_t rows)>& progress);

struct Finding {
  std::string table, column;
  std::int64_t count = 0;
};

// Every text and json column of every table of DEFS (but dihya_* ones): the rows holding a
// leak, counted per column. A suspect value is a leak in a column that holds it at most as
// often as the masked columns did: a copy of personal data, not a common word that happens
// to equal one (a town called like someone).
Result<std::vector<Finding>> find_leaks(Database& db, const std::map<std::string, TableDef>& defs,
                                        const LeakWitness& witness);

// Values held more than once in COLUMN of TABLE (NULLs aside): distinct groups so affected.
Result<std::int64_t> duplicated_values(Database& db, const std::string& table,
                                       const std::string& column);
// SQLite: the rows of TABLE whose foreign keys point nowhere (PRAGMA foreign_key_check);
// PostgreSQL enforces them as rows change, so 0.
Result<std::int64_t> broken_references(Database& db, const std::string& table);

// The size of the smallest group of rows of TABLE sharing the same values of COLUMNS.
Result<std::int64_t> smallest_group(Database& db, const std::string& table,
                                    const std::vector<std::string>& columns);

}  // namespace dihya::rgpd
