#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/error.hpp"
#include "core/data/db.hpp"
#include "core/privacy/locale_pack.hpp"

// The masking engine of the personal-data map (DESIGN.md §10, docs/masking.md): each
// strategy replaces a value by a pure function of the value and the tenant's masking key, so
// the same input gives the same output in every table, on every engine, run after run, and
// foreign keys and joins still match.
namespace dihya::masking {

enum class Kind { fake, hash, mask, null, redact, generalize, noise, shuffle, keep };
enum class Fake { name, first_name, last_name, email, phone, address, city, ip, text };
enum class Grain { year, month, range };

struct Strategy {
  Kind kind = Kind::keep;
  Fake fake = Fake::name;
  Grain grain = Grain::year;
  std::int64_t amount = 0;  // generalize:range=N, noise:pct=P, noise:days=D
  bool days = false;        // noise:days rather than noise:pct
  int keep_first = 0, keep_last = 0;

  // The map's text ("fake:email", "mask:keep_first=2,keep_last=2", …); nullopt if unknown.
  static std::optional<Strategy> parse(std::string_view text);
  std::string text() const;
  // Distinct inputs give distinct outputs (what a unique column needs).
  bool keeps_distinct() const;
  // A column of TYPE can hold what it gives.
  bool fits(ColumnType type) const;
};

// A tenant's masking key: 32 random bytes in a 0600 file ("dihya-mask-1:<base64>"), kept
// apart from the data. A new key gives new pseudonyms everywhere.
class MaskingKey {
 public:
  static MaskingKey generate();
  // 65 when malformed, 77 when the file is open to others, 66 when missing.
  static Result<MaskingKey> load(const std::filesystem::path& path);
  MaskingKey(const MaskingKey&) = delete;
  MaskingKey& operator=(const MaskingKey&) = delete;
  MaskingKey(MaskingKey&& other) noexcept;
  ~MaskingKey();

  std::string encode() const;  // the file's line
  // Names the key in audit records and reports without revealing it (16 hex digits).
  std::string id() const { return m_id; }

  // Keyed 64- and 128-bit functions of VALUE, one independent function per DOMAIN.
  std::uint64_t prf(std::uint8_t domain, std::string_view value) const;
  std::array<std::uint8_t, 16> prf128(std::uint8_t domain, std::string_view value) const;
  // A keyed permutation of [0, N) (N ≥ 2): distinct inputs stay distinct.
  std::uint64_t permute(std::uint8_t domain, std::uint64_t x, std::uint64_t n) const;

 private:
  MaskingKey();
  void derive();
  std::array<unsigned char, 32> m_key{};
  // SipHash keys derived from m_key, one per domain.
  std::array<std::array<unsigned char, 16>, 16> m_subkeys{};
  std::string m_id;
};

// Applies strategies under one key, drawing fakes from the locale packs.
class Masker {
 public:
  Masker(const MaskingKey& key, std::vector<const LocalePack*> packs);

  // VALUE, from a column of TYPE, masked by STRATEGY (any but shuffle, which moves whole
  // columns: see shuffle_key). Text is written to OUT, which the returned field points
  // into. 65 when VALUE does not fit TYPE (a date that is not a date, say).
  Result<Field> apply(const Strategy& strategy, ColumnType type, const Field& value,
                      std::string& out) const;

  // shuffle: sort the rows by this key (of the row's primary key within COLUMN, "t.c") and
  // give them the column's values in their primary-key order: a keyed permutation.
  std::uint64_t shuffle_key(std::string_view column, std::string_view row) const;

 private:
  Result<Field> fake(const Strategy& s, const Field& value, std::string& out) const;
  Result<Field> hash(ColumnType type, const Field& value, std::string& out) const;
  Result<Field> generalize(const Strategy& s, ColumnType type, const Field& value,
                           std::string& out) const;
  Result<Field> noise(const Strategy& s, ColumnType type, const Field& value,
                      std::string& out) const;

  const MaskingKey& m_key;
  std::vector<const LocalePack*> m_packs;
};

// shuffle, for one column: rows are added in their key order with their key's text (the
// canonical text of each key column, each followed by a NUL); deal() gives the value each row
// gets: the column's values in key order, handed out in the keyed order of the rows' keys.
class Shuffle {
 public:
  Shuffle(const Masker& masker, std::string column)
      : m_masker(masker), m_column(std::move(column)) {}
  void add(std::string_view row_key, const Field& value);
  std::vector<std::string> deal();
  // A dealt value as a field of TYPE (pointing into DEALT).
  static Field field(ColumnType type, const std::string& dealt);

 private:
  const Masker& m_masker;
  std::string m_column;
  std::vector<std::string> m_values;
  std::vector<std::pair<std::uint64_t, std::size_t>> m_order;
};

// A column's strategy in a stream of rows (none: the column as it is).
using ColumnMasks = std::vector<std::optional<Strategy>>;

// ROWS (a statement over the columns of DEF) seen through MASKS: each step masks the row's
// masked columns; reads of the others pass through. SHUFFLED holds, for each shuffle column,
// the value each row gets, in the statement's row order (see deal_shuffled). A value that
// does not fit its strategy fails the step (65), naming the column.
std::unique_ptr<Statement> masked_rows(Statement& rows, const TableDef& def,
                                       const ColumnMasks& masks, const Masker& masker,
                                       std::vector<std::vector<std::string>> shuffled = {});

// For each shuffle column of MASKS (others: empty), the values of ROWS (a statement over the
// columns of DEF, in the order the rows will be read again) dealt by the keyed order of
// their primary key: a keyed permutation of the column. NULL is kept as "\0NULL" (see
// masked_rows).
Result<std::vector<std::vector<std::string>>> deal_shuffled(Statement& rows, const TableDef& def,
                                                            const ColumnMasks& masks,
                                                            const Masker& masker);

// Mask COLUMNS (name and strategy, shuffle aside) of the rows of DEF where CONDITION holds
// (SQL over its columns, its `?` bound to PARAMS), in batches in primary-key order, in the
// caller's transaction. MARK, when given, gets the canonical text of each batch's keys
// (single-column keys) once the batch is written. Returns the rows updated.
Result<std::int64_t> mask_rows(
    Database& db, const Masker& masker, const TableDef& def,
    const std::vector<std::pair<std::string, Strategy>>& columns, const std::string& condition,
    const std::vector<Field>& params,
    const std::function<Status(const std::vector<std::string>&)>& mark = {});

// A value of column COLUMN (an index into the columns masked) and its mask, as they go by.
using MaskSeen = std::function<void(std::size_t column, const Field& original, const Field& masked)>;

// Mask COLUMNS (name and strategy, shuffle aside) of every row of DEF inside the engine
// (Database::rewrite_columns), in the caller's transaction: the same values as mask_rows.
// SEEN gets each value and its mask. nullopt when the engine offers no such path.
Result<std::optional<std::int64_t>> mask_in_engine(
    Database& db, const Masker& masker, const TableDef& def,
    const std::vector<std::pair<std::string, Strategy>>& columns, const MaskSeen& seen);

// The text of a non-null field as the masking functions see it (integers in decimal, reals
// in their shortest round-trip form), the same on every engine.
std::string canonical_text(const Field& value);

}  // namespace dihya::masking
