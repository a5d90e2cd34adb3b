#include "rgpd/detect.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "core/base/clock.hpp"
#include "core/base/signals.hpp"

namespace dihya::rgpd {

namespace {

// The values sampled from one column: non-null ones, as text.
struct ColumnSample {
  std::vector<std::string> values;
};

std::string column_list(const std::vector<const ColumnDef*>& columns) {
  std::string out;
  for (const ColumnDef* c : columns) out += (out.empty() ? "" : ", ") + quote_identifier(c->name);
  return out;
}

// Read the current row's columns into SAMPLES.
void keep_row(const Statement& rows, std::vector<ColumnSample>& samples, std::string& scratch) {
  for (std::size_t i = 0; i < samples.size(); ++i)
    if (!rows.is_null(static_cast<int>(i)))
      samples[i].values.emplace_back(rows.get_view(static_cast<int>(i), scratch));
}

// The single integer primary key of DEF, if it has one.
const ColumnDef* integer_key(const TableDef& def) {
  if (def.primary_key.size() != 1) return nullptr;
  const ColumnDef* key = def.column(def.primary_key.front());
  return key && key->type == ColumnType::integer ? key : nullptr;
}

// A spread sample of DEF's COLUMNS: runs of rows at evenly spaced points of the integer key's
// range, or every n-th row of a scan, within LIMITS.
Result<TableScan> sample_table(Database& db, const TableDef& def,
                               const std::vector<const ColumnDef*>& columns,
                               const SampleLimits& limits, std::vector<ColumnSample>& samples) {
  TableScan scan;
  scan.table = def.name;
  std::int64_t started = now_ms();
  auto count = db.count_rows(def.name);
  if (!count) return count.error();
  scan.rows = *count;
  samples.assign(columns.size(), {});
  if (columns.empty() || scan.rows == 0) {
    scan.method = "all";
    return scan;
  }
  std::string select = "SELECT " + column_list(columns) + " FROM " + quote_identifier(def.name);
  std::string scratch;
  auto out_of_time = [&] { return now_ms() - started > limits.millis; };
  const ColumnDef* key = integer_key(def);
  if (scan.rows <= limits.rows || !key) {
    bool all = scan.rows <= limits.rows;
    scan.method = all ? "all" : "stride";
    std::int64_t stride = all ? 1 : std::max<std::int64_t>(1, scan.rows / limits.rows);
    auto stmt = db.prepare(select);
    if (!stmt) return stmt.error();
    for (std::int64_t i = 0; scan.sampled < limits.rows; ++i) {
      auto row = (*stmt)->step();
      if (!row) return row.error();
      if (!*row) break;
      if (i % stride == 0) {
        keep_row(**stmt, samples, scratch);
        ++scan.sampled;
      }
      if ((i & 1023) == 1023 && out_of_time()) {
        scan.time_out = true;
        break;
      }
    }
    scan.millis = now_ms() - started;
    return scan;
  }
  scan.method = "ranges";
  std::string k = quote_identifier(key->name);
  std::int64_t low = 0, high = 0;
  {
    auto bounds =
        db.prepare("SELECT min(" + k + "), max(" + k + ") FROM " + quote_identifier(def.name));
    if (!bounds) return bounds.error();
    for (bool first = true;; first = false) {  // read to the end: the connection is free again
      auto got = (*bounds)->step();
      if (!got) return got.error();
      if (!*got) break;
      if (first) low = (*bounds)->get_integer(0), high = (*bounds)->get_integer(1);
    }
  }
  std::int64_t runs = std::min<std::int64_t>(limits.rows, 50);
  std::int64_t per_run = (limits.rows + runs - 1) / runs;
  auto stmt = db.prepare(select + " WHERE " + k + " >= ? ORDER BY " + k + " LIMIT " +
                         std::to_string(per_run));
  if (!stmt) return stmt.error();
  long double span = static_cast<long double>(high) - static_cast<long double>(low) + 1;
  for (std::int64_t run = 0; run < runs && scan.sampled < limits.rows; ++run) {
    auto start = static_cast<std::int64_t>(low + span * run / runs);
    if (Status ok = (*stmt)->reset(); !ok) return ok.error();
    if (Status ok = (*stmt)->bind(1, Field::of(start)); !ok) return ok.error();
    for (;;) {
      auto row = (*stmt)->step();
      if (!row) return row.error();
      if (!*row) break;
      keep_row(**stmt, samples, scratch);
      ++scan.sampled;
    }
    check_interrupted();
    if (out_of_time()) {
      scan.time_out = run + 1 < runs;
      break;
    }
  }
  scan.millis = now_ms() - started;
  return scan;
}

bool validated_kind(std::string_view kind) {
  return kind == "email" || kind == "ip" || kind == "mac" || kind == "iban" ||
         kind == "card_number" || kind == "national_id" || kind == "phone" || kind == "geolocation";
}

bool name_family(std::string_view kind) {
  return kind == "first_name" || kind == "last_name" || kind == "full_name" ||
         kind == "maiden_name" || kind == "nickname" || kind == "username";
}

bool address_part(std::string_view kind) {
  return kind == "street_address" || kind == "city" || kind == "postal_code" || kind == "country" ||
         kind == "region";
}

// Kinds that describe an organisation as well as a person: a store's phone, a supplier's city.
bool also_organisational(std::string_view kind) {
  return address_part(kind) || kind == "phone" || kind == "fax" || kind == "email" ||
         kind == "geolocation" || kind == "full_name" || kind == "photo" || kind == "free_text" ||
         kind == "tax_id" || kind == "iban" || kind == "bic" || kind == "bank_account";
}

std::int64_t today_year() {
  return std::stoll(format_rfc3339_ms(now_ms()).substr(0, 4));
}

// What the values of a column of TYPE are; POSTAL is set to the values of a postal-code shape.
ContentEvidence read_content(const ColumnSample& sample, ColumnType type,
                             const ValueRecognizer& recognizer, std::int64_t& postal) {
  ContentEvidence evidence;
  std::map<std::string, std::int64_t> whole, inside;
  std::map<std::string, std::set<std::string>> distinct;  // names and places: a few are words
  std::int64_t dates = 0, date_only = 0;
  std::vector<int> years;
  bool textual = type == ColumnType::text || type == ColumnType::json;
  for (const auto& value : sample.values) {
    if (value.empty() || std::all_of(value.begin(), value.end(), [](char c) { return c == ' '; }))
      continue;
    ++evidence.sampled;
    if (type == ColumnType::integer || textual)
      if (postal_code_shape(value)) ++postal;
    if (type == ColumnType::date || type == ColumnType::timestamp || textual)
      if (auto date = parse_value_date(value)) {
        ++dates;
        if (!date->time_of_day) ++date_only;
        years.push_back(date->year);
      }
    if (!textual) continue;
    if (std::string kind = recognizer.whole(value); !kind.empty()) {
      ++whole[kind];
      if (distinct[kind].size() < 8) distinct[kind].insert(value);
      continue;
    }
    for (const auto& kind : recognizer.inside(value)) ++inside[kind];
  }
  std::int64_t n = evidence.sampled;
  if (n == 0) return evidence;
  // The recognizer that matched most values, when it matched enough of them.
  std::string best;
  std::int64_t most = 0;
  for (const auto& [kind, count] : whole)
    if (count > most) {
      best = kind;
      most = count;
    }
  double share = static_cast<double>(most) / static_cast<double>(n);
  // "red, blue, white, black" are not four last names: names and places vary.
  if (!best.empty() && !validated_kind(best) &&
      static_cast<std::int64_t>(distinct[best].size()) < std::min<std::int64_t>(5, most))
    share = 0;
  double needed = validated_kind(best) ? 0.2 : best == "city" || best == "country" ? 0.5 : 0.4;
  if (!best.empty() && share >= needed && (most >= 2 || n == 1)) {
    evidence.kind = best;
    evidence.matches = most;
    return evidence;
  }
  // A mix of personal values: the values column of a key/value table (wp_usermeta).
  std::int64_t personal = 0;
  for (const auto& [kind, count] : whole)
    if (validated_kind(kind) || static_cast<std::int64_t>(distinct[kind].size()) >= 5)
      personal += count;
  if (personal * 2 >= n && whole.size() >= 2 && personal >= 4) {
    evidence.kind = "free_text";
    evidence.matches = personal;
    for (const auto& [kind, count] : whole) evidence.inside.emplace_back(kind, count);
    return evidence;
  }
  // Dates of birth: calendar dates without a time, of people of plausible ages, spread over
  // many years.
  if (dates * 10 >= n * 9 && date_only * 10 >= dates * 9 && years.size() >= 5) {
    std::sort(years.begin(), years.end());
    std::int64_t age = today_year() - years[years.size() / 2];
    std::int64_t span = years.back() - years.front();
    if (age >= 16 && age <= 90 && span >= 15 && years.front() > today_year() - 120) {
      evidence.kind = "birth_date";
      evidence.matches = date_only;
      return evidence;
    }
  }
  // Personal data inside texts or JSON documents: an email in notes, an IP in a payload.
  std::int64_t inside_total = 0;
  for (const auto& [kind, count] : inside) {
    evidence.inside.emplace_back(kind, count);
    inside_total = std::max(inside_total, count);
  }
  if (inside_total >= 2 || (inside_total >= 1 && n < 20)) {
    evidence.kind = "free_text";
    evidence.matches = inside_total;
  } else {
    evidence.inside.clear();
  }
  return evidence;
}

bool is_unique(const TableDef& def, const std::string& column) {
  std::vector<std::string> one = {column};
  if (def.primary_key == one) return true;
  for (const auto& key : def.unique_keys)
    if (key == one) return true;
  for (const auto& index : def.indexes)
    if (index.unique && index.columns == one) return true;
  return false;
}

// The columns at either end of a foreign key, as "table.column".
std::set<std::string> key_columns(const std::vector<const TableDef*>& defs) {
  std::set<std::string> keys;
  for (const TableDef* def : defs) {
    for (const auto& c : def->primary_key) keys.insert(def->name + "." + c);
    for (const auto& fk : def->foreign_keys) {
      for (const auto& c : fk.columns) keys.insert(def->name + "." + c);
      for (const auto& c : fk.ref_columns) keys.insert(fk.ref_table + "." + c);
    }
  }
  return keys;
}

// The verdicts on one table's columns.
struct TableJudge {
  const TableDef& def;
  TableRole role;
  const std::vector<NameMatch>& names;
  const std::vector<ContentEvidence>& contents;
  std::vector<std::int64_t> postal;

  bool strong_neighbour(std::size_t self) const {
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (i == self) continue;
      const NameMatch& n = names[i];
      if (!n.kind.empty() && !n.contextual && !n.needs_address && !address_part(n.kind))
        return true;
      if (validated_kind(contents[i].kind) || name_family(contents[i].kind)) return true;
    }
    return false;
  }
  bool address_neighbour(std::size_t self) const {
    for (std::size_t i = 0; i < names.size(); ++i)
      if (i != self && (address_part(names[i].kind) || contents[i].kind == "city")) return true;
    return false;
  }
  bool city_neighbour(std::size_t self) const {
    for (std::size_t i = 0; i < names.size(); ++i)
      if (i != self && (names[i].kind == "city" || contents[i].kind == "city")) return true;
    return false;
  }
  // Why a contextual kind counts here ("" when it does not).
  std::string context_for(std::size_t i, const NameMatch& n, std::string_view kind) const {
    if (role == TableRole::organisation) return n.person_modifier ? "person" : "";
    if (n.person_modifier) return "person";
    if (n.billing) return "billing";
    if (role == TableRole::people) return "people";
    // A bare "name" is a person's only in a table about people.
    if (kind == "full_name" && n.kind == "full_name" && n.contextual) return "";
    if (role == TableRole::linked) return "linked";
    if (strong_neighbour(i)) return "neighbours";
    return "";
  }

  std::optional<Finding> judge(std::size_t i) const {
    const ColumnDef& column = def.columns[i];
    const NameMatch& n = names[i];
    ContentEvidence content = contents[i];
    Finding f;
    f.table = def.name;
    f.column = column.name;
    f.type = column.type;
    f.nullable = column.nullable;
    bool by_name = false;
    if (!n.kind.empty()) {
      std::string context;
      bool applies = true;
      if (n.contextual || role == TableRole::organisation) {
        context = context_for(i, n, n.kind);
        applies = !context.empty() || (!n.contextual && !also_organisational(n.kind));
      }
      if (applies && n.needs_address) {
        applies = n.kind == "geolocation" ? strong_neighbour(i) : address_neighbour(i);
        if (applies && context.empty()) context = "neighbours";
      }
      if (applies) {
        by_name = true;
        f.kind = n.kind;
        f.words = n.words;
        f.context = n.contextual || n.needs_address ? context : "";
      }
    }
    // Postal codes by content need a city beside them.
    if (content.kind.empty() && postal[i] * 10 >= content.sampled * 9 && content.sampled >= 5 &&
        city_neighbour(i)) {
      content.kind = "postal_code";
      content.matches = postal[i];
    }
    // An organisation's own phone, address or email is not a person's.
    if (!by_name && role == TableRole::organisation && also_organisational(content.kind))
      return std::nullopt;
    if (!by_name && !content.kind.empty()) {
      // Places and names by content are contextual too: a store's city is not personal.
      bool weak = address_part(content.kind) || content.kind == "full_name";
      if (weak && context_for(i, n, content.kind).empty() &&
          !(content.kind == "full_name" && role != TableRole::organisation))
        return std::nullopt;
      f.kind = content.kind;
    }
    if (f.kind.empty()) return std::nullopt;
    // Values that pass a recognizer's checks say more than a name: IBANs in "notes".
    if (by_name && validated_kind(content.kind) && content.kind != f.kind &&
        content.matches * 2 >= content.sampled && !(f.kind == "fax" && content.kind == "phone"))
      f.kind = content.kind;
    f.content = content;
    const KindInfo* info = kind_info(f.kind);
    f.special = info && info->special;
    bool agrees = !content.kind.empty() &&
                  (content.kind == f.kind || (name_family(content.kind) && name_family(f.kind)));
    bool half = content.matches * 2 >= content.sampled;
    if (by_name && !n.contextual && agrees)
      f.confidence = "high";
    else if (!content.kind.empty() && validated_kind(content.kind) && half)
      f.confidence = "high";
    else if (by_name && n.contextual)
      f.confidence = agrees ? "medium" : "low";
    else
      f.confidence = by_name || content.kind != "city" ? "medium" : "low";
    if (!by_name) f.content.kind = content.kind;
    return f;
  }
};

}  // namespace

std::string Finding::by() const {
  if (!words.empty() && !content.kind.empty()) return "name+content";
  return words.empty() ? "content" : "name";
}

Json Finding::suggestion() const {
  auto mask = key ? masking::Strategy::parse("keep") : suggested_mask(kind, type, unique, nullable);
  if (!mask) return Json();
  const KindInfo* info = kind_info(kind);
  Json entry = {{"category", info ? info->category : "personal"}, {"mask", mask->text()}};
  if (unique && mask->keeps_distinct()) entry["unique"] = true;
  return entry;
}

Result<Discovery> discover(Database& db, const personal::PersonalMap& map,
                           const std::vector<const TableDef*>& defs, const SampleLimits& limits) {
  Discovery discovery;
  ValueRecognizer recognizer;
  std::set<std::string> keys = key_columns(defs);
  for (const TableDef* def : defs) {
    if (is_internal_table(def->name)) continue;
    TableRole role = map.subject_table == def->name ? TableRole::people : table_role(def->name);
    std::vector<NameMatch> names;
    std::vector<const ColumnDef*> sampled;
    std::vector<int> sample_index;
    for (const auto& column : def->columns) {
      names.push_back(match_column_name(column.name, column.type));
      bool readable = column.type != ColumnType::blob && column.type != ColumnType::boolean;
      sample_index.push_back(readable ? static_cast<int>(sampled.size()) : -1);
      if (readable) sampled.push_back(&column);
    }
    std::vector<ColumnSample> samples;
    auto scan = sample_table(db, *def, sampled, limits, samples);
    if (!scan) return scan.error();
    discovery.tables.push_back(*scan);
    std::vector<ContentEvidence> contents;
    std::vector<std::int64_t> postal;
    for (std::size_t i = 0; i < def->columns.size(); ++i) {
      std::int64_t p = 0;
      contents.push_back(sample_index[i] < 0
                             ? ContentEvidence{}
                             : read_content(samples[static_cast<std::size_t>(sample_index[i])],
                                            def->columns[i].type, recognizer, p));
      postal.push_back(p);
    }
    TableJudge judge{*def, role, names, contents, postal};
    for (std::size_t i = 0; i < def->columns.size(); ++i) {
      auto finding = judge.judge(i);
      if (!finding) continue;
      finding->unique = is_unique(*def, finding->column);
      finding->key = keys.count(def->name + "." + finding->column) > 0;
      discovery.findings.push_back(std::move(*finding));
    }
  }
  return discovery;
}

bool declared_in(const personal::PersonalMap& map, const std::string& table,
                 const std::string& column) {
  if (map.subject_table == table && map.subject_key == column) return true;
  if (const auto* t = map.table(table)) {
    if (t->subject_column == column) return true;
    for (const auto& c : t->columns)
      if (c.name == column) return true;
  }
  for (const auto& q : map.quasi_identifiers)
    if (q.table == table && q.column == column) return true;
  for (const auto& q : map.not_personal)
    if (q.table == table && q.column == column) return true;
  return false;
}

std::vector<Finding> undeclared(const Discovery& discovery, const personal::PersonalMap& map) {
  std::vector<Finding> out;
  for (const auto& f : discovery.findings)
    if (!declared_in(map, f.table, f.column)) out.push_back(f);
  return out;
}

Json suggested_map(const std::vector<Finding>& findings) {
  Json tables = Json::object(), quasi = Json::array();
  for (const auto& f : findings) {
    Json entry = f.suggestion();
    if (entry.is_null())
      quasi.push_back(f.table + "." + f.column);
    else
      tables[f.table]["columns"][f.column] = entry;
  }
  return {{"tables", tables}, {"quasi_identifiers", quasi}};
}

}  // namespace dihya::rgpd
