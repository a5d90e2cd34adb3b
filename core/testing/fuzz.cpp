#include "core/testing/fuzz.hpp"

#include <cstdlib>

namespace dihya::test {

std::string mutate(const std::string& seed, std::mt19937& rng) {
  std::string out = seed;
  std::uniform_int_distribution<int> op(0, 4), byte(0, 255);
  int edits = 1 + static_cast<int>(rng() % 8);
  for (int i = 0; i < edits && !out.empty(); ++i) {
    std::size_t at = rng() % out.size();
    switch (op(rng)) {
      case 0:
        out[at] = static_cast<char>(byte(rng));
        break;
      case 1:
        out.insert(at, 1, static_cast<char>(byte(rng)));
        break;
      case 2:
        out.erase(at, 1);
        break;
      case 3:
        out.insert(at, out.substr(at, rng() % 32));
        break;
      case 4:
        out.insert(at, std::string(1, "{}[]\":,\\\n0"[rng() % 11]));
        break;
    }
  }
  return out;
}

int fuzz_iterations() {
  const char* env = std::getenv("DIHYA_FUZZ_ITERATIONS");
  return env ? std::atoi(env) : 2000;
}

}  // namespace dihya::test
