// Ops that run graphs of their own (scan's step, ifelse's branches,
// OpFromGraph's body) compile each one as a Function. Inside a function,
// they are compiled once per program step with that function's options, so
// the inner graphs get the same rewrites as the outer one, and their fused
// kernels are compiled to native code in the outer function's module;
// outside (constant folding) the op's own default compile serves.
#pragma once
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "backend/backend.hpp"
#include "theon/function.hpp"

namespace theon {

struct InnerFunctions final : KernelState {
  std::vector<std::shared_ptr<Function>> fns;
};

// The options of an inner function named `name`: the outer function's
// rewrites and native tier (defaults when there is no outer function); inner
// graphs may leave inputs unread.
FunctionOptions inner_options(const FunctionOptions* outer, std::string name);

// The inner function `i` the kernel's prepare step compiled, or null.
inline Function* prepared_inner(const Workspace& ws, size_t i) {
  const auto* s = static_cast<const InnerFunctions*>(ws.state);
  return s && i < s->fns.size() ? s->fns[i].get() : nullptr;
}

// The size along `axis` of `v`, a variable of an inner graph, as a graph
// outside it: `leaf` maps each inner input to the outer input it stands for
// and how many leading axes the outer one has more (a scan's sequence row:
// 1), whose sizes `input_size` gives. Null when the size depends on values
// the inner graph computes (an alloc to x.sum()).
using InnerLeaves = std::unordered_map<const Variable*, std::pair<int, int>>;
Var inner_size(const Var& value, int axis, const InnerLeaves& leaf, const Op::InputSize& input_size);

// Per output, per input: whether the output depends on the input
// differentiably, through each node's own connection pattern
// (Op::connected(input, output)), as Theano's io_connection_pattern.
std::vector<std::vector<bool>> inner_connection(const std::vector<Var>& inputs, const std::vector<Var>& outputs);

}  // namespace theon
