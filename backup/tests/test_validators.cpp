#include <catch2/catch.hpp>

#include "backup/services.hpp"
#include "backup/validators.hpp"

using namespace dihya;
using namespace dihya::backup;

namespace {

Arguments args_of(std::vector<std::string> positional,
                  std::vector<std::pair<std::string, std::string>> values,
                  std::vector<std::string> flags = {}) {
  Arguments args;
  for (auto& p : positional) args.add_positional(p);
  for (auto& [k, v] : values) args.add_value(k, v);
  for (auto& f : flags) args.set_flag(f);
  return args;
}

}  // namespace

TEST_CASE("backup options: target, level, tag", "[backup_validators]") {
  auto defaults = parse_backup_options(args_of({}, {}));
  REQUIRE(defaults.ok());
  CHECK(defaults->target == BackupTarget::all);
  CHECK_FALSE(defaults->encrypt);
  auto db = parse_backup_options(
      args_of({}, {{"target", "db"}, {"compression-level", "19"}}, {"encrypt"}));
  REQUIRE(db.ok());
  CHECK(db->target == BackupTarget::db);
  CHECK(*db->compression_level == 19);
  CHECK(parse_backup_options(args_of({}, {{"target", "everything"}})).error().id ==
        "backup.bad_target");
  for (const char* level : {"0", "20", "3x", ""})
    CHECK(parse_backup_options(args_of({}, {{"compression-level", level}})).error().code ==
          ExitCode::usage);
  CHECK(parse_backup_options(args_of({}, {{"tag", "a\"b"}})).error().id == "backup.bad_tag");
  CHECK(parse_backup_options(args_of({}, {{"passphrase-file", "p"}})).error().id ==
        "backup.passphrase_needs_encrypt");
  CHECK(parse_backup_options(args_of({"extra"}, {})).error().code == ExitCode::usage);
}

TEST_CASE("restore options: an id or --latest, a part, --include only with --to",
          "[backup_validators]") {
  auto ok = parse_restore_options(args_of({"20261124T231500Z-db-1a2b3c4d"}, {{"target", "db"}}));
  REQUIRE(ok.ok());
  CHECK(ok->id == "20261124T231500Z-db-1a2b3c4d");
  auto latest = parse_restore_options(
      args_of({}, {{"target", "files"}, {"to", "/x"}, {"include", "*.pdf"}}, {"latest"}));
  REQUIRE(latest.ok());
  CHECK(latest->id == "latest");
  CHECK(latest->request.include == std::vector<std::string>{"*.pdf"});
  CHECK(parse_restore_options(args_of({}, {{"target", "db"}})).error().id == "backup.id_or_latest");
  CHECK(parse_restore_options(args_of({"x"}, {{"target", "db"}}, {"latest"})).error().id ==
        "backup.id_or_latest");
  CHECK(parse_restore_options(args_of({"x"}, {})).error().id == "backup.target_required");
  CHECK(parse_restore_options(args_of({"x"}, {{"target", "all"}})).error().id ==
        "backup.bad_target");
  CHECK(parse_restore_options(args_of({"x"}, {{"target", "files"}, {"include", "*"}})).error().id ==
        "core.backup.include_needs_to");
}

TEST_CASE("verify options: at most one of an id, --latest, --all", "[backup_validators]") {
  CHECK(parse_verify_options(args_of({}, {}))->which == VerifyOptions::Which::latest);
  CHECK(parse_verify_options(args_of({}, {}, {"all"}))->which == VerifyOptions::Which::all);
  CHECK(parse_verify_options(args_of({"x"}, {}))->which == VerifyOptions::Which::one);
  CHECK(parse_verify_options(args_of({"x"}, {}, {"all"})).error().id == "backup.id_latest_or_all");
  CHECK(parse_verify_options(args_of({}, {}, {"all", "latest"})).error().code == ExitCode::usage);
}

TEST_CASE("human sizes", "[backup_validators]") {
  CHECK(human_bytes(0) == "0 B");
  CHECK(human_bytes(1023) == "1023 B");
  CHECK(human_bytes(1536) == "1.5 KiB");
  CHECK(human_bytes(std::int64_t{3} << 30) == "3.0 GiB");
}
