#pragma once

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/error.hpp"
#include "core/base/json.hpp"

namespace dihya {

// Checks a JSON document piece by piece, recording every problem with the JSON path where it
// stands ("tenants.acme.backup.keep.daily"), so a user sees them all at once. Used for the
// config and for every other JSON input a tool reads.
class JsonChecker {
 public:
  static constexpr long long k_no_limit = std::numeric_limits<long long>::max();

  virtual ~JsonChecker() = default;
  const std::vector<Error>& issues() const { return m_issues; }

  // Record a problem at PATH (exit code CODE); PATH comes first among the parameters.
  void issue(const std::string& path, std::string id, MessageParams params = {});
  // Parse TEXT, rejecting malformed JSON (with line and column) and duplicate keys.
  bool parse(const std::string& text, Json& document);
  // VALUE must be an object whose keys are among ALLOWED (any key when ALLOWED is empty).
  bool expect_object(const Json& value, const std::string& path,
                     std::initializer_list<std::string_view> allowed) {
    return expect_object(value, path, std::span<const std::string_view>(allowed));
  }
  bool expect_object(const Json& value, const std::string& path,
                     std::span<const std::string_view> allowed);
  std::optional<std::string> get_string(const Json& object, const std::string& key,
                                        const std::string& path, bool required);
  std::optional<long long> get_integer(const Json& object, const std::string& key,
                                       const std::string& path, long long min, long long max);
  // A duration ("7d") or a size ("100M") at KEY, as core/base/units.hpp reads them; nullopt
  // when absent or wrong (recorded).
  std::optional<std::int64_t> get_duration_ms(const Json& object, const std::string& key,
                                              const std::string& path);
  std::optional<std::uint64_t> get_size(const Json& object, const std::string& key,
                                        const std::string& path);
  std::vector<std::string> get_strings(const Json& object, const std::string& key,
                                       const std::string& path);

  static std::string join(const std::string& path, const std::string& key);
  static std::string index_path(const std::string& path, std::size_t i);

 protected:
  explicit JsonChecker(ExitCode code) : m_code(code) {}
  // Keys another check reports more precisely (a secret in clear) are not "unknown".
  virtual bool reported_elsewhere(const std::string&) const { return false; }

 private:
  ExitCode m_code;
  std::vector<Error> m_issues;
};

}  // namespace dihya
