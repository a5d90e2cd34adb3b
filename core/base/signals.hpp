#pragma once

namespace dihya {

// Catch SIGINT and SIGTERM: the first sets the interrupted flag so work stops at the next
// safe point and cleans up; a second one ends the process at once with 130.
void install_interrupt_handlers();
bool interrupted();
// Throw a Failure with exit code 130 when an interruption is pending.
void check_interrupted();

}  // namespace dihya
