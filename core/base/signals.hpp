#pragma once

namespace dihya {

// Catch SIGINT and SIGTERM: the first sets the interrupted flag so work stops at the next
// safe point and cleans up; a second one ends the process at once with 130.
void install_interrupt_handlers();
bool interrupted();
// Throw a Failure with exit code 130 when an interruption is pending.
void check_interrupted();
// The signal that interrupted the run (SIGINT or SIGTERM), or 0.
int interrupting_signal();
// A long-running service that has drained after SIGTERM ends normally: forget the
// interruption so the run is recorded as a success (a second signal still ends it at once).
void acknowledge_interrupt();

// Stop the process (SIGSTOP) when $DIHYA_STOP_AT is NAME: how tests kill -9 a run at a known
// point of a long operation. Costs one getenv per call.
void stop_point(const char* name);

}  // namespace dihya
