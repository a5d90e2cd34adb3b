#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <random>

#include "core/base/fs.hpp"
#include "core/io/envelope.hpp"
#include "core/testing/workspace.hpp"

using namespace dihya;
using namespace dihya::test;

namespace {

std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string out(n, '\0');
  for (auto& c : out) c = static_cast<char>(rng());
  return out;
}

void seal(const fs::path& path, const std::string& data, const EnvelopeKeys& keys) {
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600));
  REQUIRE(fd.valid());
  auto writer = EnvelopeWriter::begin(fd.get(), keys, {{"id", "b-1"}, {"tenant", "demo"}});
  REQUIRE(writer.ok());
  // Odd-sized writes cross chunk boundaries.
  for (std::size_t at = 0; at < data.size(); at += 7777)
    REQUIRE(writer->write(std::string_view(data).substr(at, 7777)).ok());
  REQUIRE(writer->finish().ok());
}

// Open PATH and read it to the end: the plaintext, or the error that stopped it.
Result<std::string> unseal(const fs::path& path, const EnvelopeOpeners& openers) {
  Fd fd(::open(path.c_str(), O_RDONLY));
  auto reader = EnvelopeReader::open(fd.get(), openers);
  if (!reader) return reader.error();
  CHECK(reader->metadata()["id"] == "b-1");
  std::string out;
  for (;;) {
    auto chunk = reader->next();
    if (!chunk) return chunk.error();
    if (!*chunk) return out;
    out += **chunk;
  }
}

}  // namespace

TEST_CASE("an envelope opens with any of its recipients' identities", "[envelope]") {
  TempDir dir;
  IdentityKey alice = generate_identity(), bob = generate_identity(), eve = generate_identity();
  std::string data = random_bytes(300000, 1);
  seal(dir.path() / "e", data, {{alice.public_key, bob.public_key}, std::nullopt});
  CHECK(*unseal(dir.path() / "e", {{&alice}, std::nullopt}) == data);
  CHECK(*unseal(dir.path() / "e", {{&bob}, std::nullopt}) == data);
  auto refused = unseal(dir.path() / "e", {{&eve}, std::nullopt});
  CHECK(refused.error().code == ExitCode::no_permission);
  // The refusal names what opens it.
  CHECK(refused.error().param("keys") ==
        recipient_id(alice.public_key) + ", " + recipient_id(bob.public_key));
  Fd fd(::open((dir.path() / "e").c_str(), O_RDONLY));
  auto ids = envelope_recipient_ids(fd.get());
  REQUIRE(ids.ok());
  CHECK(*ids ==
        std::vector<std::string>{recipient_id(alice.public_key), recipient_id(bob.public_key)});
}

TEST_CASE("a passphrase envelope, and an empty one", "[envelope]") {
  TempDir dir;
  seal(dir.path() / "p", "secret notes", {{}, std::string("correct horse")});
  CHECK(*unseal(dir.path() / "p", {{}, std::string("correct horse")}) == "secret notes");
  auto wrong = unseal(dir.path() / "p", {{}, std::string("wrong horse")});
  CHECK(wrong.error().id == "core.envelope.no_key");
  CHECK(wrong.error().param("keys") == "passphrase");
  IdentityKey key = generate_identity();
  seal(dir.path() / "empty", "", {{key.public_key}, std::nullopt});
  CHECK(unseal(dir.path() / "empty", {{&key}, std::nullopt})->empty());
}

TEST_CASE("one flipped byte anywhere is detected", "[envelope]") {
  TempDir dir;
  IdentityKey key = generate_identity();
  std::string data = random_bytes(150000, 2);
  seal(dir.path() / "e", data, {{key.public_key}, std::nullopt});
  const std::string original = read_text(dir.path() / "e");
  std::mt19937 rng(3);
  for (int i = 0; i < 200; ++i) {
    std::string tampered = original;
    std::size_t at = i < 100 ? static_cast<std::size_t>(i) * 3 : rng() % tampered.size();
    tampered[at] = static_cast<char>(tampered[at] ^ (1 << (rng() % 8)));
    write_text(dir.path() / "t", tampered, 0600);
    auto result = unseal(dir.path() / "t", {{&key}, std::nullopt});
    INFO("byte " << at);
    REQUIRE_FALSE(result.ok());
    CHECK((result.error().code == ExitCode::data_error ||
           result.error().code == ExitCode::no_permission));
  }
}

TEST_CASE("truncation and trailing bytes are detected", "[envelope]") {
  TempDir dir;
  IdentityKey key = generate_identity();
  seal(dir.path() / "e", random_bytes(200000, 4), {{key.public_key}, std::nullopt});
  const std::string original = read_text(dir.path() / "e");
  for (std::size_t cut : {original.size() - 1, original.size() - 17, original.size() / 2,
                          std::size_t{65600}, std::size_t{40}}) {
    write_text(dir.path() / "t", original.substr(0, cut), 0600);
    auto result = unseal(dir.path() / "t", {{&key}, std::nullopt});
    INFO("cut at " << cut);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == ExitCode::data_error);
  }
  write_text(dir.path() / "t", original + "x", 0600);
  CHECK(unseal(dir.path() / "t", {{&key}, std::nullopt}).error().id ==
        "core.envelope.trailing_data");
  // Dropping a whole middle chunk is caught too (the stream's chunk order is authenticated).
  write_text(dir.path() / "t", std::string(4096, 'A'), 0600);
  CHECK(unseal(dir.path() / "t", {{&key}, std::nullopt}).error().id == "core.envelope.malformed");
}

TEST_CASE("keys: text forms round-trip and identity files must be private", "[envelope]") {
  TempDir dir;
  IdentityKey key = generate_identity();
  auto recipient = parse_recipient(encode_recipient(key.public_key));
  REQUIRE(recipient.ok());
  CHECK(*recipient == key.public_key);
  CHECK(parse_recipient("dihya-pub:nope").error().id == "core.key.bad_recipient");
  write_text(dir.path() / "id", encode_identity(key), 0600);
  auto loaded = load_identity(dir.path() / "id");
  REQUIRE(loaded.ok());
  CHECK(loaded->public_key == key.public_key);
  write_text(dir.path() / "open", encode_identity(key), 0644);
  CHECK(load_identity(dir.path() / "open").error().id == "core.secret.too_open");
}
