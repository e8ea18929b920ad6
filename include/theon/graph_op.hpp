// A graph used as one op (Theano's OpFromGraph): `outputs` are computed from
// `inputs` (root variables) by a function compiled when the op first runs.
// Its gradient is derived from the graph, or given: `grad_overrides` are
// graphs of the inputs and of `output_grads` (one placeholder per output),
// one per input (null: no gradient). `rop_overrides` likewise, of the inputs
// and `eval_points` (one placeholder per input), one per output.
// `connection` overrides which outputs depend on which inputs (Theano's
// connection_pattern argument), as gradients see it.
#pragma once
#include <string>
#include <vector>

#include "theon/graph.hpp"

namespace theon {

struct GraphOpSpec {
  std::vector<Var> inputs, outputs;
  std::vector<Var> output_grads, grad_overrides;  // empty: derived
  std::vector<Var> eval_points, rop_overrides;    // empty: derived
  std::vector<std::vector<bool>> connection;      // [input][output] differentiable dependence; empty: the graph's
  std::string name = "OpFromGraph";
};

// Applies the graph op to `args` (one per input): the op's outputs.
std::vector<Var> apply_graph_op(const GraphOpSpec& spec, const std::vector<Var>& args);

}  // namespace theon
