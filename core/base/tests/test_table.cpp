#include <catch2/catch.hpp>

#include "core/base/table.hpp"

using namespace dihya;

TEST_CASE("tables: a header, columns aligned by characters, numbers on the right", "[table]") {
  auto lines = render_table({{"Identifiant"}, {"Taille", true}, {"Étiquette"}},
                            {{"a", "10 KiB", "nightly"}, {"bbbbbbbbbbbbb", "2 MiB", ""}});
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] == "Identifiant    Taille  Étiquette");
  CHECK(lines[1] == "a              10 KiB  nightly");
  CHECK(lines[2] == "bbbbbbbbbbbbb   2 MiB");  // no trailing spaces
  CHECK(display_width("Étiquette") == 9);
  CHECK(display_width("المعرّف") == 7);
}
