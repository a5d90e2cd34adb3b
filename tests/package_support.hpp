#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tests/backup_support.hpp"

// Export packages in end-to-end tests.
namespace dihya::test {

// The default workspace plus a second tenant "dest" (its own SQLite file), an Ed25519 key
// pair for signing (export.signing_key, export.verify_keys on both tenants) and an X25519 key
// pair for encryption.
class PackageWorkspace : public Workspace {
 public:
  PackageWorkspace();
  fs::path source_db() const { return dir() / "data/demo/app.db"; }
  fs::path dest_db() const { return dir() / "data/dest/app.db"; }
  fs::path recipient() const { return dir() / "keys/export.pub"; }
  fs::path identity() const { return dir() / "keys/export.key"; }
  fs::path package(const std::string& name) const { return dir() / name; }
};

// Create the table "edge" holding every type of the common map with its edge values (NULL
// and empty strings, extreme integers, 30-digit numerics, infinities, timestamps in several
// time zones, NUL bytes, Arabic, Tifinagh, emoji) in the database at URL. NaN is added where
// the engine keeps it (PostgreSQL). Also "edge_text", without binary columns, whose CSV
// PostgreSQL reads as it is: empty strings, NULLs, "\N", quotes, line ends, infinities.
void create_edge_table(const std::string& url);

// Resource name → "sha256:…" of each resource of the package file (plain tar.zst).
std::map<std::string, std::string> resource_hashes(const fs::path& package);

// The entries of a plain package (tar.zst), and a package written from such entries.
std::vector<CraftedEntry> read_package_entries(const fs::path& package);
// The tar stream of a plain PACKAGE, or nothing when zstd finds it corrupt.
std::optional<std::string> package_plain_bytes(const fs::path& package);
void write_package_entries(const fs::path& package, const std::vector<CraftedEntry>& entries);
// The entry named NAME of ENTRIES.
CraftedEntry& entry_named(std::vector<CraftedEntry>& entries, const std::string& name);

}  // namespace dihya::test
