#include "core/base/progress.hpp"

#include <unistd.h>

#include <cstdio>

namespace dihya {

bool progress_allowed(bool quiet, bool no_progress) {
  return !quiet && !no_progress && ::isatty(2);
}

Progress::Progress(bool enabled, std::string label, std::uint64_t total)
    : m_enabled(enabled), m_label(std::move(label)), m_total(total) {}

Progress::~Progress() {
  finish();
}

void Progress::update(std::uint64_t done) {
  m_done = done;
  if (!m_enabled) return;
  auto now = std::chrono::steady_clock::now();
  if (now - m_last_draw < std::chrono::milliseconds(100) && done < m_total) return;
  m_last_draw = now;
  draw();
}

void Progress::draw() {
  if (m_total > 0) {
    unsigned percent = static_cast<unsigned>(m_done * 100 / m_total);
    std::fprintf(stderr, "\r%s: %u%% (%llu/%llu)\x1b[K", m_label.c_str(), percent,
                 static_cast<unsigned long long>(m_done), static_cast<unsigned long long>(m_total));
  } else {
    std::fprintf(stderr, "\r%s: %llu\x1b[K", m_label.c_str(),
                 static_cast<unsigned long long>(m_done));
  }
  std::fflush(stderr);
}

void Progress::finish() {
  if (!m_enabled) return;
  draw();
  std::fputc('\n', stderr);
  m_enabled = false;
}

}  // namespace dihya
