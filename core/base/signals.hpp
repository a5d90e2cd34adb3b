#pragma once

namespace dihya {

// Catch SIGINT and SIGTERM: the first sets the interrupted flag so work stops at the next
// safe point and cleans up; a second one ends the process at once with 130.
void install_interrupt_handlers();
bool interrupted();
// Throw a Failure with exit code 130 when an interruption is pending.
void check_interrupted();

// Stop the process (SIGSTOP) when $DIHYA_STOP_AT is NAME: how tests kill -9 a run at a known
// point of a long operation. Costs one getenv per call.
void stop_point(const char* name);

}  // namespace dihya
