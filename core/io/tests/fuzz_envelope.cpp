#include <fcntl.h>

#include <catch2/catch.hpp>

#include "core/base/crypto.hpp"
#include "core/base/fs.hpp"
#include "core/io/envelope.hpp"
#include "core/testing/fuzz.hpp"
#include "core/testing/workspace.hpp"

using namespace dihya;
using namespace dihya::test;

TEST_CASE("the envelope reader survives mutated files", "[fuzz]") {
  TempDir dir;
  IdentityKey key = generate_identity();
  fs::path path = dir.path() / "e";
  {
    Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600));
    auto writer = EnvelopeWriter::begin(fd.get(), {{key.public_key}, std::nullopt}, {{"id", "x"}});
    REQUIRE(writer.ok());
    REQUIRE(writer->write(std::string(100000, 'q')).ok());
    REQUIRE(writer->finish().ok());
  }
  const std::string seed = read_text(path);
  std::mt19937 rng(5);
  int opened_intact = 0;
  for (int i = 0; i < fuzz_iterations() / 10; ++i) {
    std::string mutated = mutate(seed, rng);
    write_text(path, mutated, 0600);
    Fd fd(::open(path.c_str(), O_RDONLY));
    auto reader = EnvelopeReader::open(fd.get(), {{&key}, std::nullopt});
    if (!reader) continue;
    std::string plain;
    bool failed = false;
    for (;;) {
      auto chunk = reader->next();
      if (!chunk) {
        failed = true;
        break;
      }
      if (!*chunk) break;
      plain += **chunk;
    }
    // Whatever reads to the end without an error is exactly what was written.
    if (!failed) {
      CHECK(mutated == seed);
      CHECK(plain == std::string(100000, 'q'));
      ++opened_intact;
    }
  }
  SUCCEED("no crash");
}
