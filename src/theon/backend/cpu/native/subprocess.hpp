// Runs a program with an argv and no shell (the native tier's compiler and
// its probes): nothing in the arguments is ever interpreted as shell syntax.
#pragma once
#include <string>
#include <vector>

namespace theon {

struct ProcessResult {
  bool started = false;  // false: the program could not be run (start_error says why)
  int exit_code = -1;    // its exit status when it exited
  int signal = 0;        // the signal that killed it (0 when it exited)
  std::string output;    // stdout and stderr, interleaved as written
  std::string start_error;
  bool succeeded() const { return started && signal == 0 && exit_code == 0; }
  // "exited with status 1", "was killed by signal 9 (Killed)", "could not be run: ..."
  std::string describe() const;
};

// Runs argv[0] (searched on PATH when it has no '/') with `argv`; its stdin
// reads `stdin_fd`, or /dev/null when it is -1.
ProcessResult run_process(const std::vector<std::string>& argv, int stdin_fd = -1);

// `text` split on whitespace (compiler flags become argv entries; no quoting).
std::vector<std::string> split_on_whitespace(const std::string& text);

}  // namespace theon
