#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/error.hpp"

namespace dihya {

enum class OptionKind { flag, value, list };

struct OptionDef {
  std::string name;  // long name, without dashes
  char short_name = 0;
  OptionKind kind = OptionKind::flag;
  std::string arg_name;   // "PATH", "N"…
  std::string help_id;    // message id of the description
  bool personal = false;  // its value identifies a person: never written to the audit trail
};

// The options a tool declares, on top of the common ones.
class OptionSet {
 public:
  void flag(std::string name, std::string help_id, char short_name = 0);
  void value(std::string name, std::string arg_name, std::string help_id, char short_name = 0);
  void list(std::string name, std::string arg_name, std::string help_id);
  // A value that identifies a person (a subject id, an email): the audit record withholds it.
  void personal_value(std::string name, std::string arg_name, std::string help_id);
  // Name the positional arguments as they appear in the usage line ("COMMAND").
  void positional(std::string usage) { m_positional_usage = std::move(usage); }

  const std::vector<OptionDef>& defs() const { return m_defs; }
  const std::string& positional_usage() const { return m_positional_usage; }

 private:
  std::vector<OptionDef> m_defs;
  std::string m_positional_usage;
};

// Parsed command-line arguments.
class Arguments {
 public:
  bool flag(const std::string& name) const { return m_flags.count(name) > 0; }
  std::optional<std::string> value(const std::string& name) const;
  std::vector<std::string> values(const std::string& name) const;
  // The value of NAME as a duration ("7d") or a size ("100M", core/base/units.hpp): nullopt
  // when absent, a usage error (64) naming the option when it is neither.
  Result<std::optional<std::int64_t>> duration_ms(const std::string& name) const;
  Result<std::optional<std::uint64_t>> size(const std::string& name) const;
  const std::vector<std::string>& positional() const { return m_positional; }

  const std::map<std::string, bool>& flags() const { return m_flags; }
  const std::map<std::string, std::vector<std::string>>& all_values() const { return m_values; }

  void set_flag(const std::string& name) { m_flags[name] = true; }
  void add_value(const std::string& name, std::string value) {
    m_values[name].push_back(std::move(value));
  }
  void add_positional(std::string value) { m_positional.push_back(std::move(value)); }
  void mark_personal(const std::string& name) { m_personal[name] = true; }
  bool personal(const std::string& name) const { return m_personal.count(name) > 0; }

 private:
  std::map<std::string, bool> m_flags;
  std::map<std::string, std::vector<std::string>> m_values;
  std::vector<std::string> m_positional;
  std::map<std::string, bool> m_personal;
};

// Parse ARGV against the common options and TOOL's; a usage error is returned as 64.
// Levenshtein distance, and the candidate closest to NAME if it is close enough to be what
// was meant (a typo, a missing letter, a prefix): "did you mean" for options and tools.
std::size_t edit_distance(std::string_view a, std::string_view b);
std::optional<std::string> closest_name(std::string_view name,
                                        const std::vector<std::string>& candidates);

Result<Arguments> parse_arguments(const std::string& tool, const OptionSet& options, int argc,
                                  const char* const* argv, bool changes_data);

// The common options every tool accepts (DESIGN.md §2).
const std::vector<OptionDef>& common_option_defs(bool changes_data);

}  // namespace dihya
