// The GraphOp (include/theon/graph_op.hpp): a graph compiled as one op. Its
// kernel (backend/cpu/graph_op.cpp) calls the compiled function.
#pragma once
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "theon/graph.hpp"
#include "theon/graph_op.hpp"

namespace theon {

class Function;
struct FunctionOptions;

// The vector-Jacobian product of an inner graph: per parameter (a root of
// `outs`), the gradient given `gouts` (one per output, graphs of the enclosing
// graph, null for none), or null where it is disconnected or not a float.
std::vector<Var> inner_vjp(const std::vector<Var>& outs, const std::vector<Var>& params, const std::vector<Var>& gouts);

namespace ops {

class GraphOp final : public Op {
 public:
  explicit GraphOp(GraphOpSpec spec) : spec_(std::move(spec)) {}
  OpKind kind() const override { return OpKind::OpFromGraph; }
  std::string name() const override { return spec_.name; }
  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override;
  std::vector<Var> grad(const Apply& node, const std::vector<Var>& gouts) const override;
  std::vector<Var> rop(const Apply& node, const std::vector<Var>& tangents) const override;
  // Through the graph: output j depends on input i as the graph's nodes say.
  bool connected(int input, int output) const override;
  // The graph's shape inference over the inputs' sizes (null where a size
  // depends on values the graph computes).
  Var infer_shape(const Apply& node, int output, int axis, const InputSize& input_size) const override;
  const GraphOpSpec& spec() const { return spec_; }
  // The graph as a function with the options of the function the op runs in
  // (inner_function.hpp): what the kernel runs inside a program.
  std::shared_ptr<Function> compile(const FunctionOptions* outer) const;
  // The same with default options, compiled when first asked for (outside a program).
  Function& function() const;

 private:
  GraphOpSpec spec_;
  mutable std::shared_ptr<Function> fn_;
  mutable std::mutex compile_mutex_;
  mutable std::vector<std::vector<bool>> pattern_;  // [output][input], made on first use
  mutable std::once_flag pattern_once_;
};

}  // namespace ops

}  // namespace theon
