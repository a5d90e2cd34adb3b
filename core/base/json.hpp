#pragma once

#include <nlohmann/json.hpp>

namespace dihya {

// The JSON document type of every config, manifest, sidecar and --json output.
using Json = nlohmann::json;

}  // namespace dihya
