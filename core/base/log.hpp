#pragma once

#include <string>

#include "core/base/i18n.hpp"

namespace dihya {

enum class Verbosity { quiet, normal, verbose };

// Diagnostics on stderr: localized text with the message id beside it, so an operator can
// search for it whatever the language. Colour only on a TTY, never with NO_COLOR.
class Log {
 public:
  Log(std::string tool, const Messages& messages, Verbosity verbosity);

  void set_messages(const Messages& messages) { m_messages = messages; }
  void set_verbosity(Verbosity verbosity) { m_verbosity = verbosity; }
  Verbosity verbosity() const { return m_verbosity; }

  void error(const Error& error);
  void warn(const Error& warning);
  void info(const std::string& id, const MessageParams& params = {});
  void debug(const std::string& id, const MessageParams& params = {});
  // Pass on the output of a child program (a hook), line by line, with its name.
  void relay(const std::string& source, const std::string& text);

 private:
  void emit(const char* level_id, const char* colour, const Error& error, int depth);

  std::string m_tool;
  Messages m_messages;
  Verbosity m_verbosity;
  bool m_colour;
};

}  // namespace dihya
