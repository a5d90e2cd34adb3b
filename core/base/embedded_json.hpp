#pragma once

#include <cstddef>

// JSON data embedded at build time by core/embed_json.py.
namespace dihya::embedded {

struct Blob {
  const char* module;  // the folder that owns the file
  const char* name;    // its file name without .json ("fr", "kab"…)
  const char* json;
};

// Message catalogs of every module (<module>/i18n/<lang>.json).
extern const Blob k_blobs[];
extern const std::size_t k_blobs_count;
// Locale packs for fake data (core/locales/<code>.json).
extern const Blob k_locale_blobs[];
extern const std::size_t k_locale_blobs_count;

}  // namespace dihya::embedded
