#include "core/base/log.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace dihya {

Log::Log(std::string tool, const Messages& messages, Verbosity verbosity)
    : m_tool(std::move(tool)),
      m_messages(messages),
      m_verbosity(verbosity),
      m_colour(::isatty(2) && !std::getenv("NO_COLOR")) {}

void Log::emit(const char* level_id, const char* colour, const Error& error, int depth) {
  std::string line;
  if (depth == 0) {
    std::string level = m_messages.text(level_id);
    if (m_colour && colour) level = std::string(colour) + level + "\x1b[0m";
    line = m_tool + ": " + level + " " + m_messages.text(error) + " [" + error.id + "]";
  } else {
    line = std::string(static_cast<std::size_t>(depth) * 2, ' ') + "- " + m_messages.text(error) +
           " [" + error.id + "]";
  }
  std::fprintf(stderr, "%s\n", line.c_str());
  for (const auto& cause : error.causes) emit(level_id, colour, cause, depth + 1);
}

void Log::error(const Error& error) {
  emit("core.log.error", "\x1b[1;31m", error, 0);
}

void Log::warn(const Error& warning) {
  if (m_verbosity != Verbosity::quiet) emit("core.log.warning", "\x1b[1;33m", warning, 0);
}

void Log::info(const std::string& id, const MessageParams& params) {
  if (m_verbosity != Verbosity::quiet)
    std::fprintf(stderr, "%s: %s [%s]\n", m_tool.c_str(), m_messages.text(id, params).c_str(),
                 id.c_str());
}

void Log::debug(const std::string& id, const MessageParams& params) {
  if (m_verbosity == Verbosity::verbose)
    std::fprintf(stderr, "%s: %s [%s]\n", m_tool.c_str(), m_messages.text(id, params).c_str(),
                 id.c_str());
}

void Log::relay(const std::string& source, const std::string& text) {
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::fprintf(stderr, "%s: [%s] %s\n", m_tool.c_str(), source.c_str(),
                 text.substr(start, end - start).c_str());
    start = end + 1;
  }
}

}  // namespace dihya
