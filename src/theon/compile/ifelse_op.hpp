// The IfElse op (include/theon/ifelse.hpp): two compiled branch functions
// over the same parameters; the kernel (backend/cpu/ifelse.cpp) runs the one
// the condition selects. Outer inputs are [cond, params...].
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

class IfElseOp final : public Op {
 public:
  IfElseOp(std::string label, std::vector<Var> params, std::vector<Var> then_out, std::vector<Var> else_out)
      : label_(std::move(label)), params_(std::move(params)), then_(std::move(then_out)), else_(std::move(else_out)) {}

  OpKind kind() const override { return OpKind::IfElse; }
  std::string name() const override { return "IfElse{" + label_ + "}"; }
  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override;
  // The condition is connected with a zero gradient (Theano's IfElse): a
  // parameter that reaches the cost only through a condition gets zeros, not
  // a DisconnectedInputError.
  bool connected(int) const override { return true; }
  // ifelse(cond, gradient through the then branch, gradient through the else branch).
  std::vector<Var> grad(const Apply& node, const std::vector<Var>& gouts) const override;
  std::vector<Var> rop(const Apply& node, const std::vector<Var>& tangents) const override;

  size_t n_outputs() const { return then_.size(); }
  const std::string& label() const { return label_; }
  // The branches' placeholders (one per outer input after the condition) and outputs.
  const std::vector<Var>& params() const { return params_; }
  const std::vector<Var>& then_outputs() const { return then_; }
  const std::vector<Var>& else_outputs() const { return else_; }
  // A branch as a function with the options of the function the op runs in
  // (inner_function.hpp): what the kernel runs inside a program.
  std::shared_ptr<Function> compile_branch(bool then_branch, const FunctionOptions* outer) const;
  // The same with default options, compiled when the branch first runs outside a program.
  Function& branch(bool then_branch) const;

 private:
  std::string label_;
  std::vector<Var> params_, then_, else_;
  mutable std::shared_ptr<Function> fn_[2];
  mutable std::mutex compile_mutex_;
};

}  // namespace ops

}  // namespace theon
