#pragma once

// Hook points of the seed module: seed.pre (may veto) and seed.post (gets the result).
namespace dihya::seed::plugins {

inline constexpr const char* k_seed_point = "seed";

}  // namespace dihya::seed::plugins
