#pragma once

#include <exception>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "core/base/exit_code.hpp"

namespace dihya {

// Named parameters of a message, in the order they were given.
using MessageParams = std::vector<std::pair<std::string, std::string>>;

// A localizable failure: what exit code it maps to and which message explains it.
struct Error {
  ExitCode code = ExitCode::failure;
  std::string id;
  MessageParams params;
  // Finer errors behind this one (each problem found in a configuration, say).
  std::vector<Error> causes;

  // Return the value of parameter NAME, or an empty string.
  std::string param(const std::string& name) const;
};

Error make_error(ExitCode code, std::string id, MessageParams params = {});
// A usage error (64) with message ID: a bad option or argument.
inline Error usage_error(std::string id, MessageParams params = {}) {
  return make_error(ExitCode::usage, std::move(id), std::move(params));
}

// The value of an operation, or the Error that prevented it.
template <class T>
class Result {
 public:
  Result(T value) : m_state(std::move(value)) {}
  Result(Error error) : m_state(std::move(error)) {}

  bool ok() const { return m_state.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(m_state); }
  const T& value() const { return std::get<0>(m_state); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<1>(m_state); }

 private:
  std::variant<T, Error> m_state;
};

template <>
class Result<void> {
 public:
  Result() = default;
  Result(Error error) : m_error(std::move(error)) {}

  bool ok() const { return !m_error.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return *m_error; }

 private:
  std::optional<Error> m_error;
};

using Status = Result<void>;

// The exception that carries an Error up to the tool runner, and only there.
class Failure : public std::exception {
 public:
  explicit Failure(Error error) : m_error(std::move(error)) {}
  const Error& error() const { return m_error; }
  const char* what() const noexcept override { return m_error.id.c_str(); }

 private:
  Error m_error;
};

[[noreturn]] void fail(Error error);
[[noreturn]] void fail(ExitCode code, std::string id, MessageParams params = {});

// Return the value of RESULT, or throw its error as a Failure.
template <class T>
T take(Result<T> result) {
  if (!result) fail(result.error());
  return std::move(result.value());
}
inline void take(Status status) {
  if (!status) fail(status.error());
}

}  // namespace dihya
