#include <catch2/catch.hpp>

#include "core/base/clock.hpp"
#include "core/base/crypto.hpp"
#include "core/testing/fuzz.hpp"
#include "core/testing/workspace.hpp"

using namespace dihya;
using namespace dihya::test;

TEST_CASE("time, base64 and key parsers survive mutated input", "[fuzz]") {
  std::mt19937 rng(7);
  TempDir dir;
  SigningKey key = generate_signing_key();
  const std::string key_text = encode_verify_key(key.public_key);
  for (int i = 0; i < fuzz_iterations(); ++i) {
    parse_rfc3339_ms(mutate("2026-11-24T10:00:00.123+01:00", rng));
    base64_decode(mutate("aGVsbG8gd29ybGQ=", rng));
    if (i % 20 == 0) {
      write_text(dir.path() / "pk", mutate(key_text, rng));
      auto loaded = load_verify_key(dir.path() / "pk");
      if (!loaded) CHECK(loaded.error().code == ExitCode::data_error);
    }
  }
  SUCCEED("no crash");
}
