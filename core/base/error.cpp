#include "core/base/error.hpp"

namespace dihya {

std::string Error::param(const std::string& name) const {
  for (const auto& [key, value] : params)
    if (key == name) return value;
  return {};
}

Error make_error(ExitCode code, std::string id, MessageParams params) {
  return Error{code, std::move(id), std::move(params), {}};
}

void fail(Error error) {
  throw Failure(std::move(error));
}

void fail(ExitCode code, std::string id, MessageParams params) {
  throw Failure(make_error(code, std::move(id), std::move(params)));
}

}  // namespace dihya
