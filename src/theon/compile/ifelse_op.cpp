// The IfElse op (compile/ifelse_op.hpp): its type, the ifelse() builder, the
// lazily compiled branches and the gradient and R-op (each an ifelse).
#include "compile/ifelse_op.hpp"

#include <unordered_set>

#include "compile/graph_op.hpp"
#include "compile/inner_function.hpp"
#include "ops/op_info.hpp"
#include "theon/function.hpp"
#include "theon/function_graph.hpp"
#include "theon/grad.hpp"
#include "theon/ifelse.hpp"
#include "theon/ops.hpp"

namespace theon {

namespace ops {

std::vector<TensorType> IfElseOp::infer_types(const std::vector<Var>& in) const {
  if (in.size() != params_.size() + 1)
    throw TypeError(name() + ": expected " + std::to_string(params_.size() + 1) + " inputs, got " +
                    std::to_string(in.size()));
  if (in[0]->ndim() != 0 || !(is_bool(in[0]->dtype()) || is_int(in[0]->dtype()) || is_float(in[0]->dtype())))
    throw TypeError(name() + ": the condition must be a scalar, got " + in[0]->type.str());
  for (size_t j = 0; j < params_.size(); ++j)
    if (!params_[j]->type.accepts(in[j + 1]->type))
      throw TypeError(name() + ": input " + std::to_string(j + 1) + " has type " + in[j + 1]->type.str() +
                      " where a branch expects " + params_[j]->type.str());
  std::vector<TensorType> types;
  for (size_t k = 0; k < then_.size(); ++k) {
    const TensorType &a = then_[k]->type, &b = else_[k]->type;
    std::vector<int64_t> shape(a.ndim());
    for (int d = 0; d < a.ndim(); ++d) shape[d] = a.shape[d] == b.shape[d] ? a.shape[d] : -1;
    types.emplace_back(a.dtype, shape);
  }
  return types;
}

Function& IfElseOp::branch(bool then_branch) const {
  std::lock_guard<std::mutex> lock(compile_mutex_);
  auto& fn = fn_[then_branch ? 0 : 1];
  if (!fn) fn = compile_branch(then_branch, nullptr);
  return *fn;
}

std::shared_ptr<Function> IfElseOp::compile_branch(bool then_branch, const FunctionOptions* outer) const {
  return std::make_shared<Function>(params_, then_branch ? then_ : else_,
                                    inner_options(outer, name() + (then_branch ? " then" : " else")));
}

std::vector<Var> IfElseOp::grad(const Apply& node, const std::vector<Var>& gouts) const {
  std::vector<Var> result(node.inputs.size(), nullptr);
  std::vector<std::pair<Var, Var>> to_outer;
  for (size_t j = 0; j < params_.size(); ++j) to_outer.push_back({params_[j], node.inputs[j + 1]});
  std::vector<Var> gt = inner_vjp(then_, params_, gouts), ge = inner_vjp(else_, params_, gouts);
  std::vector<size_t> which;
  std::vector<Var> then_g, else_g;
  for (size_t j = 0; j < params_.size(); ++j) {
    if (!gt[j] && !ge[j]) continue;
    std::string why;
    if ((gt[j] && is_null_grad(gt[j], &why)) || (ge[j] && is_null_grad(ge[j], &why))) {
      result[j + 1] = null_grad(node.inputs[j + 1], why);
      continue;
    }
    which.push_back(j);
    then_g.push_back(gt[j] ? gt[j] : zeros_like(params_[j]));
    else_g.push_back(ge[j] ? ge[j] : zeros_like(params_[j]));
  }
  if (which.empty()) return result;
  std::vector<Var> t = clone_replace(then_g, to_outer), e = clone_replace(else_g, to_outer);
  std::vector<Var> g = ifelse(node.inputs[0], t, e, "grad of " + label_);
  for (size_t m = 0; m < which.size(); ++m) result[which[m] + 1] = g[m];
  return result;
}

std::vector<Var> IfElseOp::rop(const Apply& node, const std::vector<Var>& tangents) const {
  std::vector<Var> wrt, points;
  std::vector<std::pair<Var, Var>> to_outer;
  for (size_t j = 0; j < params_.size(); ++j) {
    to_outer.push_back({params_[j], node.inputs[j + 1]});
    if (tangents[j + 1] && is_float(params_[j]->dtype())) {
      Var p = variable(tangents[j + 1]->type, "t" + std::to_string(j));
      wrt.push_back(params_[j]);
      points.push_back(p);
      to_outer.push_back({p, tangents[j + 1]});
    }
  }
  std::vector<Var> out(then_.size());
  if (wrt.empty()) return out;
  auto branch_rop = [&](const std::vector<Var>& outs) {
    std::vector<Var> r = Rop(outs, wrt, points, DisconnectedPolicy::Ignore);
    for (size_t k = 0; k < r.size(); ++k)
      if (!r[k]) r[k] = zeros_like(outs[k]);
    return clone_replace(r, to_outer);
  };
  return ifelse(node.inputs[0], branch_rop(then_), branch_rop(else_), "R-op of " + label_);
}

}  // namespace ops

std::vector<Var> ifelse(const Var& cond, const std::vector<Var>& then_, const std::vector<Var>& else_,
                        const std::string& name) {
  if (!cond || cond->ndim() != 0)
    throw TypeError(name + ": the condition must be a scalar" + (cond ? ", got " + cond->type.str() : ""));
  if (then_.size() != else_.size())
    throw ValueError(name + ": the then branch has " + std::to_string(then_.size()) + " outputs and the else branch " +
                     std::to_string(else_.size()));
  for (size_t k = 0; k < then_.size(); ++k) {
    if (!then_[k] || !else_[k]) throw TypeError(name + ": output " + std::to_string(k) + " is None");
    if (then_[k]->dtype() != else_[k]->dtype() || then_[k]->ndim() != else_[k]->ndim())
      throw TypeError(name + ": output " + std::to_string(k) + " is " + then_[k]->type.str() + " in the then branch " +
                      "and " + else_[k]->type.str() + " in the else branch; both branches must give the same dtype " +
                      "and number of dimensions");
  }
  std::vector<Var> all = then_;
  all.insert(all.end(), else_.begin(), else_.end());
  std::vector<std::pair<Var, Var>> to_inner;
  std::vector<Var> outer{cond}, params;
  for (const Var& v : graph_inputs(all)) {
    if (v->kind() == VarKind::Constant) continue;
    Var p = variable(v->type, v->name);
    to_inner.push_back({v, p});
    params.push_back(p);
    outer.push_back(v);
  }
  std::vector<Var> inner = clone_replace(all, to_inner);
  std::vector<Var> t(inner.begin(), inner.begin() + then_.size()), e(inner.begin() + then_.size(), inner.end());
  auto op = std::make_shared<ops::IfElseOp>(name, params, t, e);
  return make_apply(op, outer)->outputs();
}

int ifelse_n_outputs(const Op& op) { return static_cast<int>(static_cast<const ops::IfElseOp&>(op).n_outputs()); }

}  // namespace theon
