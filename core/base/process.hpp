#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "core/base/error.hpp"

namespace dihya {

struct ProcessRequest {
  std::vector<std::string> argv;
  std::string stdin_data;
  // Variables added to (or replacing those of) the current environment.
  std::vector<std::pair<std::string, std::string>> env;
  // Variables removed from the child's environment (secrets such as $DIHYA_TOKEN).
  std::vector<std::string> unset_env;
  std::chrono::milliseconds timeout{0};  // 0: no limit
  bool capture_stdout = true;
  bool capture_stderr = true;  // else inherited (our stderr)
};

struct ProcessOutcome {
  int exit_code = -1;      // when the process exited
  int term_signal = 0;     // when a signal ended it
  bool timed_out = false;  // killed because it ran past the timeout
  bool interrupted = false;
  std::string out;
  std::string err;
};

// Run a program to completion; it gets its own process group, killed on timeout or
// on interruption (SIGTERM, then SIGKILL after a short grace).
Result<ProcessOutcome> run_process(const ProcessRequest& request);

// A program whose standard output we read (or whose standard input we write) as a stream:
// pg_dump into a backup, a backup into pg_restore. Its stderr is kept (bounded) for the
// error message. It runs in its own process group, killed if still running on destruction.
class StreamingProcess {
 public:
  enum class Direction { read_stdout, write_stdin };
  static Result<StreamingProcess> start(const ProcessRequest& request, Direction direction);
  StreamingProcess(StreamingProcess&&) noexcept;
  ~StreamingProcess();

  // Read from its stdout (0 at the end) / write all of DATA to its stdin.
  Result<std::size_t> read(char* buffer, std::size_t size);
  Status write(std::string_view data);
  // Close our end of the pipe, wait for the exit, and return how it ended.
  Result<ProcessOutcome> finish();

 private:
  StreamingProcess() = default;
  int m_pid = -1;
  int m_pipe = -1;
  int m_err = -1;  // memfd holding its stderr
  std::string m_program;
};

}  // namespace dihya
