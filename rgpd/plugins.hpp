#pragma once

// Hook points of the rgpd module: anonymize.pre (may veto) and anonymize.post.
namespace dihya::rgpd::plugins {

inline constexpr const char* k_anonymize_point = "anonymize";

}  // namespace dihya::rgpd::plugins
