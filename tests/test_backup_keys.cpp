// End-to-end tests of the backup keys: which key material opens a backup, and passphrases
// typed on a terminal (a pseudo-terminal drives the tools).
#include <catch2/catch.hpp>

#include "core/base/crypto.hpp"
#include "core/base/fs.hpp"
#include "tests/backup_support.hpp"

using namespace dihya;
using namespace dihya::test;
using Json = nlohmann::json;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("key material given on the command line is the only one tried", "[backup_tool]") {
  BackupWorkspace ws;
  auto backup = ws.run("backup", {"--target", "db", "--encrypt", "--json"});
  INFO(backup.err);
  REQUIRE(backup.code == 0);
  std::string key_id = Json::parse(backup.out)["recipients"][0];
  fs::path bad = ws.dir() / "bad.pass";
  write_text(bad, "not it\n", 0600);

  // The configured identity would open it; a wrong --passphrase-file must not pass for it.
  auto verify = ws.run("verify_backup", {"--latest", "--passphrase-file", bad.string()});
  INFO(verify.out << verify.err);
  CHECK(verify.code == 77);
  CHECK(contains(verify.err, "core.envelope.no_key"));
  CHECK(contains(verify.err, key_id));  // what opens it
  CHECK(contains(verify.out, key_id));
  fs::path to = ws.dir() / "copy.db";
  auto restore = ws.run("restore", {"--latest", "--target", "db", "--passphrase-file", bad.string(),
                                    "--to", to.string()});
  CHECK(restore.code == 77);
  CHECK(contains(restore.err, key_id));
  CHECK_FALSE(fs::exists(to));
  // The right key given explicitly opens it.
  CHECK(ws.run("verify_backup", {"--latest", "--identity", ws.identity().string()}).code == 0);

  // Sealed for the key and a passphrase: a wrong --identity names both.
  fs::path pass = ws.dir() / "backup.pass";
  write_text(pass, "correct horse battery staple\n", 0600);
  ws.config()["tenants"]["demo"]["backup"]["passphrase_file"] = pass.string();
  ws.save();
  REQUIRE(ws.run("backup", {"--target", "db", "--encrypt"}).code == 0);
  fs::path other = ws.dir() / "other.key";
  write_text(other, encode_identity(generate_identity()), 0600);
  auto wrong = ws.run("verify_backup", {"--latest", "--identity", other.string()});
  INFO(wrong.err);
  CHECK(wrong.code == 77);
  CHECK(contains(wrong.err, key_id + ", passphrase"));
  CHECK(ws.run("verify_backup", {"--latest", "--passphrase-file", pass.string()}).code == 0);
  CHECK(ws.run("verify_backup", {"--latest"}).code == 0);
}

TEST_CASE("a new backup passphrase is asked twice on a terminal and an existing one once",
          "[backup_tool]") {
  BackupWorkspace ws;
  ws.config()["tenants"]["demo"]["backup"].erase("recipients");
  ws.config()["tenants"]["demo"]["backup"].erase("identity");
  ws.save();
  std::vector<std::string> args = {"--target", "db", "--encrypt", "--no-progress"};

  auto typo = ws.run_on_terminal("backup", args,
                                 {{"Backup passphrase: ", "correct horse battery staple"},
                                  {"Backup passphrase (again): ", "correct hrose battery staple"}});
  INFO(typo.out);
  CHECK(typo.code == 64);
  CHECK(contains(typo.out, "core.backup.passphrase_mismatch"));
  CHECK_FALSE(fs::exists(ws.repository()));  // nothing written, not even the repository

  auto made = ws.run_on_terminal("backup", args,
                                 {{"Backup passphrase: ", "correct horse battery staple"},
                                  {"Backup passphrase (again): ", "correct horse battery staple"}});
  INFO(made.out);
  REQUIRE(made.code == 0);
  CHECK_FALSE(contains(made.out, "correct horse"));  // never echoed

  // Opening it asks once.
  auto verify = ws.run_on_terminal("verify_backup", {"--latest", "--no-progress"},
                                   {{"Backup passphrase: ", "correct horse battery staple"}});
  INFO(verify.out);
  CHECK(verify.code == 0);
  CHECK_FALSE(contains(verify.out, "(again)"));
}

TEST_CASE("rotate_keys --protect asks for the new key's passphrase twice", "[backup_tool]") {
  BackupWorkspace ws(false);
  auto typo = ws.run_on_terminal("rotate_keys", {"--generate", "--protect"},
                                 {{"Passphrase of the private key: ", "open sesame"},
                                  {"Passphrase of the private key (again): ", "open sesam"}});
  INFO(typo.out);
  CHECK(typo.code == 64);
  CHECK(contains(typo.out, "core.backup.passphrase_mismatch"));
  CHECK_FALSE(fs::exists(ws.identity()));

  auto made = ws.run_on_terminal("rotate_keys", {"--generate", "--protect"},
                                 {{"Passphrase of the private key: ", "open sesame"},
                                  {"Passphrase of the private key (again): ", "open sesame"}});
  INFO(made.out);
  REQUIRE(made.code == 0);
  CHECK(identity_file_protected(ws.identity()));
}
