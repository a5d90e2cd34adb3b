#pragma once

// Exit codes shared by every tool (sysexits.h), mapped in one place.
namespace dihya {

enum class ExitCode : int {
  ok = 0,
  failure = 1,
  usage = 64,
  data_error = 65,
  no_input = 66,
  unavailable = 69,
  cant_create = 73,
  io_error = 74,
  temp_failure = 75,
  no_permission = 77,
  config_error = 78,
  interrupted = 130,
};

constexpr int to_int(ExitCode code) {
  return static_cast<int>(code);
}

// Every code with the message id that explains it, in --help order.
struct ExitCodeRow {
  ExitCode code;
  const char* message_id;
};
inline constexpr ExitCodeRow k_exit_code_table[] = {
    {ExitCode::ok, "core.exit.ok"},
    {ExitCode::failure, "core.exit.failure"},
    {ExitCode::usage, "core.exit.usage"},
    {ExitCode::data_error, "core.exit.data_error"},
    {ExitCode::no_input, "core.exit.no_input"},
    {ExitCode::unavailable, "core.exit.unavailable"},
    {ExitCode::cant_create, "core.exit.cant_create"},
    {ExitCode::io_error, "core.exit.io_error"},
    {ExitCode::temp_failure, "core.exit.temp_failure"},
    {ExitCode::no_permission, "core.exit.no_permission"},
    {ExitCode::config_error, "core.exit.config_error"},
    {ExitCode::interrupted, "core.exit.interrupted"},
};

}  // namespace dihya
