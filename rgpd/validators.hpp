#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/options.hpp"

namespace dihya::rgpd {

struct AnonymizeOptions {
  std::optional<std::string> table;  // one table of the map; nullopt: all of them
  std::optional<std::int64_t> min_k;
  std::optional<std::string> reason;
  bool generate_key = false;
  bool yes = false;
  bool dry_run = false;
};

void declare_anonymize_options(OptionSet& options);
// Parse and check anonymize's arguments (64 on a bad value).
Result<AnonymizeOptions> parse_anonymize_options(const Arguments& args);

}  // namespace dihya::rgpd
