#pragma once

#include <cstddef>

// The message catalogs of every module, embedded at build time by embed_catalogs.py.
namespace dihya::i18n_data {

struct Blob {
  const char* module;
  const char* lang;
  const char* json;
};

extern const Blob k_blobs[];
extern const std::size_t k_blob_count;

}  // namespace dihya::i18n_data
