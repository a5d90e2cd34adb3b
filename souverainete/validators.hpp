#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/backup/backup.hpp"
#include "core/base/options.hpp"
#include "core/package/datapackage.hpp"

// Argument rules of the souverainete module's tools.
namespace dihya::souverainete {

struct ExportOptions {
  std::vector<std::string> tables;  // empty: every table
  package::DataFormat format = package::DataFormat::csv;
  bool encrypt = false;
  std::vector<std::string> recipients;
  std::optional<fs::path> passphrase_file;
  bool sign = false;
  std::string output;  // a path, "-" for stdout, empty when not given
  std::optional<int> compression_level;
  bool anonymize = false;         // mask the copy per the personal-data map
  bool include_internal = false;  // also the tool suite's own tables (dihya_*)
};
void declare_export_options(OptionSet& options);
Result<ExportOptions> parse_export_options(const Arguments& args);

enum class ImportMode { create, append, replace };
const char* import_mode_name(ImportMode mode);

struct ImportOptions {
  std::string file;  // "-" for stdin
  ImportMode mode = ImportMode::create;
  bool verify_only = false;
  KeyOptions keys;
};
void declare_import_options(OptionSet& options);
Result<ImportOptions> parse_import_options(const Arguments& args);

}  // namespace dihya::souverainete
