// Unit tests of the pieces the backup engine adds to core: key re-wrapping, SHA-256,
// protected identities, digest streams and sidecars.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "core/backup/backup.hpp"
#include "core/io/stream.hpp"
#include "core/testing/workspace.hpp"

using namespace dihya;
using namespace dihya::test;

namespace {

void seal(const fs::path& path, const std::string& data, const EnvelopeKeys& keys) {
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600));
  auto writer = EnvelopeWriter::begin(fd.get(), keys, {{"id", "b-1"}});
  REQUIRE(writer.ok());
  REQUIRE(writer->write(data).ok());
  REQUIRE(writer->finish().ok());
}

Result<std::string> unseal(const fs::path& path, const IdentityKey& key) {
  Fd fd(::open(path.c_str(), O_RDONLY));
  EnvelopeOpeners openers;
  openers.identities.push_back(&key);
  auto reader = EnvelopeReader::open(fd.get(), openers);
  if (!reader) return reader.error();
  std::string out;
  for (;;) {
    auto chunk = reader->next();
    if (!chunk) return chunk.error();
    if (!*chunk) return out;
    out += **chunk;
  }
}

Status rewrap(const fs::path& in, const fs::path& out, const IdentityKey& key,
              const SlotChange& change) {
  Fd from(::open(in.c_str(), O_RDONLY));
  Fd to(::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600));
  EnvelopeOpeners openers;
  openers.identities.push_back(&key);
  return envelope_rewrap(from.get(), to.get(), openers, change);
}

}  // namespace

TEST_CASE("SHA-256 matches the FIPS 180-2 vectors, streamed or not", "[backup_engine]") {
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  Sha256 hasher;
  hasher.update("a");
  hasher.update("bc");
  CHECK(hasher.hex() == sha256_hex("abc"));
  hasher.update("abc");  // starts over after hex()
  CHECK(hasher.hex() == sha256_hex("abc"));
}

TEST_CASE("envelope_rewrap adds and removes recipients without touching the data",
          "[backup_engine]") {
  TempDir dir;
  IdentityKey old_key = generate_identity(), new_key = generate_identity(),
              offsite = generate_identity();
  std::string data(300000, 'x');
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 31 % 251);
  fs::path a = dir.path() / "a", b = dir.path() / "b";
  seal(a, data, {{old_key.public_key, offsite.public_key}, std::nullopt});
  SlotChange change;
  change.add.push_back(new_key.public_key);
  change.remove_ids.push_back(recipient_id(old_key.public_key));
  REQUIRE(rewrap(a, b, old_key, change).ok());
  CHECK(*unseal(b, new_key) == data);
  CHECK(*unseal(b, offsite) == data);
  CHECK(unseal(b, old_key).error().code == ExitCode::no_permission);
  // The ciphertext after the key slots is byte for byte the same.
  std::string before = read_text(a), after = read_text(b);
  std::size_t tail = before.size() - 1000;
  CHECK(before.substr(tail) == after.substr(after.size() - 1000));
  // A key that is not in the slots cannot re-wrap.
  IdentityKey stranger = generate_identity();
  CHECK(rewrap(b, dir.path() / "c", stranger, change).error().code == ExitCode::no_permission);
  // Removing every slot is refused.
  SlotChange empty_all;
  empty_all.remove_ids = {recipient_id(new_key.public_key), recipient_id(offsite.public_key)};
  CHECK(rewrap(b, dir.path() / "d", new_key, empty_all).error().code == ExitCode::usage);
  // A changed slot is caught by the slots MAC.
  std::string bad = after;
  std::size_t at = bad.find("\"key_id\"");
  REQUIRE(at != std::string::npos);
  bad.insert(at, "\"extra\":1,");
  write_text(b, bad, 0600);
  CHECK(unseal(b, new_key).error().code == ExitCode::data_error);
}

TEST_CASE("a passphrase-protected identity opens only with its passphrase", "[backup_engine]") {
  TempDir dir;
  IdentityKey key = generate_identity();
  fs::path file = dir.path() / "id.key";
  write_text(file, encode_identity_protected(key, "horse staple"), 0600);
  CHECK(identity_file_protected(file));
  CHECK(load_identity(file).error().id == "core.key.needs_passphrase");
  CHECK(load_identity(file, std::string("wrong")).error().id == "core.key.wrong_passphrase");
  auto loaded = load_identity(file, std::string("horse staple"));
  REQUIRE(loaded.ok());
  CHECK(loaded->public_key == key.public_key);
  ::chmod(file.c_str(), 0644);
  CHECK(load_identity(file, std::string("horse staple")).error().code == ExitCode::no_permission);
}

TEST_CASE("digest sinks and sources count and hash what passes", "[backup_engine]") {
  TempDir dir;
  fs::path file = dir.path() / "f";
  StreamDigest written;
  {
    Fd fd(::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600));
    auto sink = digest_sink(zstd_sink(fd_sink(fd.get()), 3, 2), written);
    REQUIRE(sink->write("hello ").ok());
    REQUIRE(sink->write("world").ok());
    REQUIRE(sink->finish().ok());
  }
  CHECK(written.bytes == 11);
  CHECK(written.sha.hex() == sha256_hex("hello world"));
  StreamDigest read;
  Fd fd(::open(file.c_str(), O_RDONLY));
  auto source = digest_source(fd_source(fd.get()), read);
  char buffer[64];
  while (*source->read(buffer, sizeof buffer) > 0) {
  }
  CHECK(read.sha.hex() == sha256_hex(read_text(file)));
}

TEST_CASE("sidecars: round trip, and refusal of unsafe ids and files", "[backup_engine]") {
  BackupInfo info;
  info.id = "20261124T231500Z-db-1a2b3c4d";
  info.tenant = "demo";
  info.target = "db";
  info.created_ms = 1795562100000;
  info.file = info.id + ".tar.zst";
  info.file_sha256 = std::string(64, 'a');
  info.manifest_sha256 = std::string(64, 'b');
  auto back = BackupInfo::from_json(info.to_json());
  REQUIRE(back.ok());
  CHECK(back->to_json() == info.to_json());
  for (auto mutate : std::vector<std::function<void(Json&)>>{
           [](Json& j) { j["id"] = "../../etc/passwd"; },
           [](Json& j) { j["file"] = "/etc/passwd"; }, [](Json& j) { j["target"] = "everything"; },
           [](Json& j) { j["version"] = 99; }, [](Json& j) { j.erase("file_sha256"); },
           [](Json& j) { j["created"] = "yesterday"; }}) {
    Json j = info.to_json();
    mutate(j);
    CHECK(BackupInfo::from_json(j).error().code == ExitCode::data_error);
  }
}
