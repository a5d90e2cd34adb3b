#include "core/base/signals.hpp"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>

#include "core/base/error.hpp"

namespace dihya {
namespace {

std::atomic<int> g_interrupts{0};
std::atomic<int> g_signal{0};
std::atomic<bool> g_acknowledged{false};

extern "C" void on_interrupt(int signal) {
  if (g_acknowledged.load()) ::_exit(130);
  g_signal.store(signal);
  if (g_interrupts.fetch_add(1) >= 1) ::_exit(130);
}

}  // namespace

void install_interrupt_handlers() {
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
}

bool interrupted() {
  return g_interrupts.load() > 0;
}

void check_interrupted() {
  if (interrupted()) fail(ExitCode::interrupted, "core.interrupted");
}

void stop_point(const char* name) {
  const char* wanted = std::getenv("DIHYA_STOP_AT");
  if (wanted && std::strcmp(wanted, name) == 0) ::raise(SIGSTOP);
}

int interrupting_signal() {
  return g_signal.load();
}

void acknowledge_interrupt() {
  g_acknowledged.store(true);
  g_interrupts.store(0);
}

}  // namespace dihya
