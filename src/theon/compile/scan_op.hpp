// The Scan op (include/theon/scan.hpp): a compiled step graph run once per
// step. Outer inputs are [n_steps, sequences..., state inits..., params...];
// the step function takes [sequence rows..., state taps (per state, per
// tap)..., params...] and returns [state next values..., outputs..., until?].
// Builder and gradient in compile/scan_op.cpp, kernel in backend/cpu/scan.cpp.
#pragma once
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "theon/graph.hpp"

namespace theon {

class Function;
struct FunctionOptions;

namespace ops {

struct ScanStateInfo {
  std::vector<int> taps;  // negative, ascending
  bool keep_history = true;
  int lags() const { return -taps.front(); }  // rows of the initial value
};

class ScanOp final : public Op {
 public:
  ScanOp(std::string label, std::vector<Var> seq_inner, std::vector<ScanStateInfo> states, std::vector<Var> tap_inner,
         std::vector<Var> param_inner, std::vector<Var> step_outputs, int n_outputs, bool has_until,
         int64_t truncate_gradient = -1)
      : label_(std::move(label)),
        seq_inner_(std::move(seq_inner)),
        states_(std::move(states)),
        tap_inner_(std::move(tap_inner)),
        param_inner_(std::move(param_inner)),
        step_outputs_(std::move(step_outputs)),
        n_outputs_(n_outputs),
        has_until_(has_until),
        truncate_(truncate_gradient) {}

  OpKind kind() const override { return OpKind::Scan; }
  std::string name() const override { return "Scan{" + label_ + "}"; }
  // Two scans are equal when their steps compute the same values from the
  // same kinds of inputs (Theano's Scan equality): merge then makes two equal
  // loops over the same inputs one.
  bool equals(const Op& o) const override;
  size_t hash() const override;
  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override;
  bool connected(int input) const override { return input > 0; }
  // Through the recurrences: an output depends on the sequences, parameters
  // and initial values its step value reads, and on what the states whose
  // taps it reads depend on.
  bool connected(int input, int output) const override;
  // Backpropagation through time: a Scan over the reversed steps of the step
  // graph's vector-Jacobian product (compile/scan_op.cpp).
  std::vector<Var> grad(const Apply& node, const std::vector<Var>& gouts) const override;
  // Without running the loop: n_steps rows (unless an until may stop it
  // early), each shaped as the initial rows or as the step's shape inference
  // gives from the step inputs' sizes; null when a size depends on values.
  Var infer_shape(const Apply& node, int output, int axis, const InputSize& input_size) const override;

  const std::string& label() const { return label_; }
  size_t n_sequences() const { return seq_inner_.size(); }
  const std::vector<ScanStateInfo>& states() const { return states_; }
  size_t n_params() const { return param_inner_.size(); }
  int n_outputs() const { return n_outputs_; }
  bool has_until() const { return has_until_; }
  int64_t truncate_gradient() const { return truncate_; }
  // The step's inputs and outputs, in the order the step function takes and gives them.
  const std::vector<Var>& seq_inner() const { return seq_inner_; }
  const std::vector<Var>& tap_inner() const { return tap_inner_; }
  const std::vector<Var>& param_inner() const { return param_inner_; }
  const std::vector<Var>& step_outputs() const { return step_outputs_; }
  // Outer input positions.
  size_t first_init() const { return 1 + seq_inner_.size(); }
  size_t first_param() const { return first_init() + states_.size(); }

  // The step's products (Dot) that depend on states or sequences: the gradient
  // saves them in the forward loop instead of computing them again.
  std::vector<Var> saved_products() const;

  // The shapes of the stacked outputs' rows, as the step's graph gives them
  // from the step inputs (a loop of zero steps has no row to measure).
  Function& row_shape_function() const;

  // The step as a function with the options of the function the Scan runs in
  // (inner_function.hpp): what the kernel runs inside a program.
  std::shared_ptr<Function> compile_step(const FunctionOptions* outer) const;
  // The step function with default options, compiled when first asked for
  // (by a Scan run outside a program, as constant folding does). A failed
  // compile is tried again.
  Function& step_function() const;

 private:
  std::string label_;
  std::vector<Var> seq_inner_;
  std::vector<ScanStateInfo> states_;
  std::vector<Var> tap_inner_, param_inner_, step_outputs_;
  int n_outputs_;
  bool has_until_;
  int64_t truncate_;

  mutable std::shared_ptr<Function> fn_, shape_fn_;
  mutable std::vector<std::vector<bool>> pattern_;  // [output][input], made on first use
  mutable std::once_flag pattern_once_;
  mutable std::mutex compile_mutex_;
};

}  // namespace ops

// Do a and b compute the same value: the same ops over the same root
// variables (or equal constants), node by node.
bool same_value(const Var& a, const Var& b);

}  // namespace theon
