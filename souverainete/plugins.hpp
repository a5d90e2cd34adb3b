#pragma once

// Hook points of the souverainete module: export.pre/post around an export, import.pre/post
// around an import (a pre hook may veto; post gets the outcome).
namespace dihya::souverainete::plugins {

inline constexpr const char* k_export_point = "export";
inline constexpr const char* k_import_point = "import";

}  // namespace dihya::souverainete::plugins
