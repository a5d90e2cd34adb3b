#include "core/base/nagios_range.hpp"

#include <charconv>
#include <cmath>

namespace dihya {
namespace {

// A finite number filling TEXT entirely.
bool parse_number(std::string_view text, double& out) {
  if (text.empty()) return false;
  if (text.front() == '+') text.remove_prefix(1);
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && std::isfinite(out);
}

Error invalid(std::string_view text) {
  return usage_error("core.range.invalid", {{"range", std::string(text)}});
}

}  // namespace

bool NagiosRange::alerts(double value) const {
  bool within = value >= start && value <= end;
  return inside ? within : !within;
}

Result<NagiosRange> parse_nagios_range(std::string_view text) {
  NagiosRange range;
  range.text = std::string(text);
  std::string_view rest = text;
  if (!rest.empty() && rest.front() == '@') {
    range.inside = true;
    rest.remove_prefix(1);
  }
  if (rest.empty()) return invalid(text);
  auto colon = rest.find(':');
  if (colon == std::string_view::npos) {
    if (!parse_number(rest, range.end)) return invalid(text);
  } else {
    std::string_view low = rest.substr(0, colon), high = rest.substr(colon + 1);
    if (low == "~")
      range.start = -NagiosRange::k_infinity;
    else if (!low.empty() && !parse_number(low, range.start))
      return invalid(text);
    else if (low.empty())
      return invalid(text);
    if (!high.empty() && !parse_number(high, range.end)) return invalid(text);
  }
  if (range.start > range.end) return invalid(text);
  return range;
}

}  // namespace dihya
