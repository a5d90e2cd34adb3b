#pragma once

#include <string>

#include "core/base/fs.hpp"

namespace dihya {

// Where a tool's output file goes: a new file written beside its final name and linked in
// once complete (an existing file is never overwritten: 73), or standard output ("-", or no
// name while standard output is not a terminal). Unless committed, nothing is left behind.
// Failures are thrown (see fail()).
class OutputFile {
 public:
  explicit OutputFile(const std::string& target, unsigned mode = 0600);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  int fd() const { return m_fd; }
  bool is_stdout() const { return m_path.empty(); }
  std::string name() const { return is_stdout() ? "-" : m_path.string(); }
  // Make the file durable under its final name.
  void commit();

 private:
  fs::path m_path, m_temp;
  Fd m_owned;
  int m_fd = -1;
  bool m_done = false;
};

}  // namespace dihya
