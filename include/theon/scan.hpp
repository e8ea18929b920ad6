// scan: a loop whose step is a graph. At step t the step reads row t of each
// sequence, earlier values of each recurrent state (its taps) and loop-
// invariant parameters, and computes each state's next value and outputs that
// are not fed back. It is differentiable (backpropagation through time, a
// scan itself, so to any order) in every sequence, initial state and
// parameter it reads.
#pragma once
#include <string>
#include <vector>

#include "theon/graph.hpp"

namespace theon {

// A sequence: row t of `outer` is the step's `inner` placeholder at step t.
struct ScanSequence {
  Var outer, inner;
};

// A recurrent state with taps (negative, ascending, e.g. {-2, -1}): `init`
// (outer) holds the L = -taps.front() values before step 0, oldest first;
// `inner` has the step's placeholder per tap; `next` (a graph of the
// placeholders) is the value of step t. keep_history returns all n values,
// else only the last one (shared-variable updates).
struct ScanState {
  Var init;
  std::vector<int> taps;
  std::vector<Var> inner;
  Var next;
  bool keep_history = true;
};

struct ScanArgs {
  Var n_steps;                          // integer scalar: at most this many steps
  std::vector<ScanSequence> sequences;  // each at least n_steps rows
  std::vector<ScanState> states;
  std::vector<Var> outputs;                 // computed each step, not fed back: stacked
  std::vector<std::pair<Var, Var>> params;  // (outer, inner placeholder), read by every step
  Var until;                                // a boolean scalar of the step: stop after the step where it holds
  std::string label = "scan";
  int64_t truncate_gradient = -1;  // >= 0: backpropagate through the last this many steps only
};

// Every other variable the step's graph reads (a shared variable, a variable
// of the enclosing graph) becomes a parameter too. Returns per state its
// history (n, ...) or last value, then per output its stack (n, ...); with
// `until`, the rows of the steps that ran.
std::vector<Var> scan(const ScanArgs& args);

}  // namespace theon
