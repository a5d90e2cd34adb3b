#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace dihya {

// A progress line on stderr, drawn only when stderr is a TTY and the user did not ask for
// --quiet or --no-progress. It says the numbers in words and digits, never by colour alone.
class Progress {
 public:
  Progress(bool enabled, std::string label, std::uint64_t total);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void update(std::uint64_t done);
  void finish();
  bool drawing() const { return m_enabled; }

 private:
  void draw();

  bool m_enabled;
  std::string m_label;
  std::uint64_t m_total;
  std::uint64_t m_done = 0;
  std::chrono::steady_clock::time_point m_last_draw{};
};

// Whether progress may be drawn: stderr is a TTY and neither flag says otherwise.
bool progress_allowed(bool quiet, bool no_progress);

}  // namespace dihya
