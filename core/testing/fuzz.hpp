#pragma once

#include <random>
#include <string>

// Deterministic mutation fuzzing of the parsers of untrusted input (config, audit trail,
// times and keys, envelope, export package): fixed seeds so that a failure reproduces; run
// under ASan+UBSan by scripts/test.
namespace dihya::test {

// SEED with a few bytes flipped, inserted, deleted or duplicated.
std::string mutate(const std::string& seed, std::mt19937& rng);
// How many mutations a fuzz test tries: $DIHYA_FUZZ_ITERATIONS, default 2000.
int fuzz_iterations();

}  // namespace dihya::test
