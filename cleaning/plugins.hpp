#pragma once

// Hook points of the cleaning module: <point>.pre runs before the tool acts (a non-zero exit
// vetoes the run), <point>.post after it with the outcome and the result document.
namespace dihya::cleaning::plugins {

inline constexpr const char* k_clean_tmp_point = "clean_tmp";
inline constexpr const char* k_clean_logs_point = "clean_logs";
inline constexpr const char* k_clean_orphans_point = "clean_orphans";

}  // namespace dihya::cleaning::plugins
