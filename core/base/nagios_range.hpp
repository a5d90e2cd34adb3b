#pragma once

#include <limits>
#include <string>
#include <string_view>

#include "core/base/error.hpp"

namespace dihya {

// A threshold range of the Monitoring Plugins API: `10` (alert outside 0..10), `10:` (below
// 10), `~:10` (above 10), `10:20` (outside 10..20), `@10:20` (inside 10..20, inclusive).
struct NagiosRange {
  static constexpr double k_infinity = std::numeric_limits<double>::infinity();
  double start = 0;
  double end = k_infinity;
  bool inside = false;  // the `@` form: alert when the value lies in the range
  std::string text;     // as written, for perfdata

  // Whether VALUE raises the alert this range stands for.
  bool alerts(double value) const;
};

// Parse TEXT as a range; a bad one is 64 with message id core.range.invalid.
Result<NagiosRange> parse_nagios_range(std::string_view text);

}  // namespace dihya
