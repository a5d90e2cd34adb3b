#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/crypto.hpp"
#include "core/config/config.hpp"
#include "core/data/db.hpp"
#include "core/io/envelope.hpp"
#include "core/privacy/masking.hpp"

// Export packages (docs/export-format.md): a Frictionless Data Package (v2) of database
// tables, one CSV or JSON Lines file per table (split into parts at row boundaries when it is
// large), `datapackage.json` last, in a tar.zst, optionally sealed in the envelope and signed
// with Ed25519 over the exact bytes of `datapackage.json`.
namespace dihya {

class ConfigChecker;

// Validate the tenant's "export" section at PATH for CHECKER and keep it in TENANT, its paths
// made absolute (a TenantSection of core/run/config_sections.cpp).
void check_export_section(ConfigChecker& checker, const Json& section, const std::string& path,
                          TenantConfig& tenant);

}  // namespace dihya

namespace dihya::package {

inline constexpr const char* k_manifest_name = "datapackage.json";
inline constexpr const char* k_signature_name = "datapackage.json.sig";
inline constexpr int k_format_version = 2;

enum class DataFormat { csv, jsonl };
const char* format_name(DataFormat format);
std::optional<DataFormat> parse_format(std::string_view name);

// One part of a resource's data: the parts concatenated in order are the resource.
struct Part {
  std::string path;
  std::int64_t bytes = 0;
  std::string sha256;
  std::int64_t rows = 0;  // data rows in this part (the header excluded)
};

// A table in the package.
struct Resource {
  std::string name;  // resource name: lowercase letters, digits, '-', '_', '.'
  DataFormat format = DataFormat::csv;
  TableDef def;  // the table: its name, columns in the common type map, keys
  std::vector<Part> parts;
  std::int64_t bytes = 0;
  std::string sha256;  // of the parts' concatenation
  std::optional<std::int64_t> rows;
  // Per field: its own missing values when they differ from the package's (an empty list
  // when a text column holds empty strings and no NULL).
  std::vector<std::optional<std::vector<std::string>>> missing;
  std::vector<std::string> missing_values{""};  // the schema's
};

struct Manifest {
  std::string name;
  std::string created;
  std::string tenant;
  std::string source;  // engine the data came from
  std::vector<Resource> resources;
  // What the package names but cannot carry to the other engine (dihya:objects); its CHECKs
  // are also on their resources' tables.
  std::vector<SchemaObject> objects;
};

// datapackage.json for MANIFEST, and back. Parsing refuses (65, naming the JSON path) what an
// import could not honour: an unknown field type, an unsafe or duplicate path, a foreign key
// to a resource or field that does not exist.
Json manifest_json(const Manifest& manifest);
Result<Manifest> parse_manifest(const Json& document);

// A resource name for TABLE that is unique among TAKEN.
std::string resource_name(std::string_view table, const std::vector<std::string>& taken);

// The resources' indexes in an order where every table comes after the tables its foreign
// keys reference (references to itself and cycles keep the given order).
std::vector<std::size_t> foreign_key_order(const std::vector<Resource>& resources);

// Writes one resource's rows as CSV or JSON Lines text (docs/export-format.md §3).
class RowEncoder {
 public:
  RowEncoder(const TableDef& def, DataFormat format);
  void header(std::string& out) const;
  // Append the current row of STATEMENT (its columns in DEF's order).
  void row(const Statement& statement, std::string& out);
  // Per field: missing values to declare on it (see Resource::missing).
  std::vector<std::optional<std::vector<std::string>>> field_missing() const;

 private:
  const TableDef& m_def;
  DataFormat m_format;
  std::vector<char> m_has_null, m_has_empty;
  std::vector<char> m_naive;  // per column: a timestamp without time zone, kept as it is
  std::string m_scratch, m_converted;
};

// Reads a resource's text back into fields, in blocks that end anywhere.
class RowDecoder {
 public:
  using Visit = std::function<Status(const Field* fields, std::size_t count)>;
  // CHECK_JSON false leaves JSON to the database, which checks it as it stores it.
  explicit RowDecoder(const Resource& resource, bool check_json = true);
  // Decode the complete rows of DATA (after what an earlier call left over) and hand each to
  // VISIT; the fields point into memory valid until the next call.
  Status feed(std::string_view data, const Visit& visit);
  // The end of the resource: a last row without a line end.
  Status finish(const Visit& visit);
  std::int64_t rows() const { return m_rows; }

 private:
  struct Cell {
    std::string_view text;
    bool quoted;
    bool doubled;  // holds "" for a quote, until the row is complete
  };
  Status decode(bool at_end, const Visit& visit);
  Status csv_row(const Visit& visit);
  Status jsonl_row(std::string_view line, const Visit& visit);
  Status cell(std::size_t field, std::string_view text, bool quoted);
  Status bad_value(std::size_t field, std::string_view text, const char* why) const;

  const Resource& m_resource;
  std::vector<char> m_naive;           // per field: a timestamp without time zone
  std::vector<std::size_t> m_columns;  // file column → field index
  std::vector<Field> m_fields;
  std::vector<Cell> m_cells;
  std::deque<std::string> m_storage;  // decoded text the fields point to
  std::string m_buffer;               // the block being decoded; fields point into it
  std::size_t m_used = 0;             // its bytes decoded so far
  bool m_header_pending;
  bool m_check_json;
  std::int64_t m_rows = 0;
  std::int64_t m_line = 0;
};

// Data rows in a block of CSV text that starts at a row boundary (quote-aware), and lines in
// JSON Lines text; a last row without a line end counts.
struct RowCounter {
  DataFormat format = DataFormat::csv;
  bool in_quotes = false;
  bool pending = false;  // bytes seen since the last line end
  std::int64_t lines = 0;
  void feed(std::string_view data);
  std::int64_t rows(bool has_header) const;
};

// The Ed25519 signature of a package: the key that made it and its signature of the exact
// bytes of datapackage.json.
Json signature_json(const SigningKey& key, std::string_view manifest_text);
// Check SIGNATURE (the parsed signature file) against MANIFEST_TEXT. With TRUSTED keys, the
// signer must be one of them. Returns the signer's key id; 65 when it does not verify.
Result<std::string> check_signature(const Json& signature, std::string_view manifest_text,
                                    const std::vector<VerifyKey>& trusted);

}  // namespace dihya::package

// Writing and reading whole packages (core/package_write.cpp, core/package_read.cpp).
namespace dihya::package {

// A table to export: its definition, an optional row filter (SQL with `?` parameters,
// bound as text), and the masks of an anonymized export.
struct ExportTable {
  TableDef def;
  std::string where;
  std::vector<std::string> params;
  masking::ColumnMasks masks;  // per column; empty: the rows as they are
};

struct ExportRequest {
  std::string name;  // package name
  std::string tenant;
  DataFormat format = DataFormat::csv;
  std::vector<ExportTable> tables;  // in foreign-key order
  std::vector<SchemaObject> objects;  // views, CHECKs, triggers… (dihya:objects)
  std::optional<EnvelopeKeys> encryption;
  const SigningKey* signing = nullptr;
  const masking::Masker* masker = nullptr;  // applies the tables' masks
  int compression_level = 3;
  int threads = 2;
  std::size_t part_bytes = std::size_t{16} << 20;
  std::function<void(std::int64_t rows)> progress;  // rows written so far
};

struct ExportOutcome {
  Manifest manifest;
  std::string manifest_sha256;
  std::optional<std::string> signer;  // key id
  std::int64_t rows = 0;
  std::int64_t data_bytes = 0;  // of the tables' text
  std::int64_t file_bytes = 0;
  std::string file_sha256;
};

// Write the package of REQUEST's tables, read from DB (in the caller's snapshot transaction),
// to FD.
Result<ExportOutcome> write_package(Database& db, const ExportRequest& request, int fd);

// What pass one of an import found: the manifest checked against every byte of the package.
struct VerifiedPackage {
  Manifest manifest;
  std::string manifest_sha256;
  bool encrypted = false;
  std::optional<std::string> signer;
  std::int64_t file_bytes = 0;
  std::string file_sha256;
  std::int64_t rows = 0;
  // Data files whose header starts a zstd frame (a plain package): the frame's offset in
  // the file. Pass two reads such a file on its own.
  std::map<std::string, std::int64_t> frames;
};

struct VerifyRequest {
  EnvelopeOpeners openers;
  std::vector<VerifyKey> trusted;  // signers accepted; any valid signer when empty
  bool require_signed = false;
  std::function<void(std::int64_t bytes)> progress;
};

// True when the package at PATH is sealed in the envelope (it needs a key to be read).
Result<bool> package_encrypted(const fs::path& path);

// Pass one: read the package at PATH and check its signature, every part's size and SHA-256,
// every resource's size, SHA-256 and row count, and that it holds nothing else. 65 for a
// tampered, malformed or unsafe package, 77 when it cannot be opened with OPENERS.
Result<VerifiedPackage> verify_package(const fs::path& path, const VerifyRequest& request);

// Where pass two puts the rows of each resource, in foreign-key order.
class RowConsumer {
 public:
  virtual ~RowConsumer() = default;
  virtual Status begin(const Resource& resource) = 0;
  virtual Status row(const Field* fields, std::size_t count) = 0;
  // The fields handed to row() so far may be reused after this.
  virtual Status flush() = 0;
  // True when the consumer takes RESOURCE's text as it is (text() instead of row(); after
  // begin()); its rows are then counted by the consumer and end() gets -1.
  virtual bool takes_text(const Resource&) { return false; }
  virtual Status text(std::string_view) { return {}; }
  virtual Status end(const Resource& resource, std::int64_t rows) = 0;
};

// Pass two: read the rows of the verified package at PATH in foreign-key order into CONSUMER;
// with ONLY, the rows of those resources (by name) alone. Fails (65) when the file changed
// since pass one.
Status read_package(const fs::path& path, const VerifiedPackage& package,
                    const EnvelopeOpeners& openers, RowConsumer& consumer,
                    const std::vector<std::string>* only = nullptr);

// Where pass two puts the stored text of each part, for a consumer that loads part by part
// (the staged PostgreSQL load, a COPY per part). Only a CSV part 0 starts with the header.
class PartConsumer {
 public:
  virtual ~PartConsumer() = default;
  // Whether this consumer loads PART of RESOURCE (it is read past otherwise).
  virtual bool take_part(const Resource&, std::size_t) { return true; }
  virtual Status begin_part(const Resource& resource, std::size_t part) = 0;
  virtual Status data(std::string_view block) = 0;
  virtual Status end_part(const Resource& resource, std::size_t part) = 0;
  // After the resource's last part, once its whole SHA-256 is checked.
  virtual Status end_resource(const Resource& resource) = 0;
};

// Pass two, part by part: the resources of the package at PATH (those of ONLY) in
// foreign-key order, each resource's whole SHA-256 checked. Fails (65) when the file changed
// since pass one. When every part starts a zstd frame and has its own SHA-256, each part
// taken is read from its frame and checked against its own hash, and a part not taken is
// not read at all.
Status read_package_parts(const fs::path& path, const VerifiedPackage& package,
                          const EnvelopeOpeners& openers, PartConsumer& consumer,
                          const std::vector<std::string>* only = nullptr);

}  // namespace dihya::package
