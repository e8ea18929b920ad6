// The Map op (compile/map_op.hpp): its type, its gradient (itself a Map), the
// lazily compiled inner function and the map_index builder. The kernel that
// runs it row by row is in backend/cpu/map.cpp.
#include "compile/map_op.hpp"

#include "theon/function.hpp"
#include "theon/grad.hpp"
#include "theon/map.hpp"
#include "theon/ops.hpp"

namespace theon {

namespace ops {

std::vector<TensorType> MapOp::infer_types(const std::vector<Var>& in) const {
  if (in.size() != params_.size() + 1)
    throw TypeError(name() + ": expected " + std::to_string(params_.size() + 1) + " inputs, got " +
                    std::to_string(in.size()));
  if (in[0]->ndim() != 0 || !is_int(in[0]->dtype()))
    throw TypeError(name() + ": the length must be an integer scalar, got " + in[0]->type.str());
  for (size_t j = 0; j < params_.size(); ++j)
    if (!params_[j]->type.accepts(in[j + 1]->type))
      throw TypeError(name() + ": input " + std::to_string(j + 1) + " has type " + in[j + 1]->type.str() +
                      " where the inner graph expects " + params_[j]->type.str());
  double n_static = -1;
  bool known = get_constant_scalar(in[0], &n_static);
  std::vector<TensorType> types;
  for (const auto& o : outputs_) {
    std::vector<int64_t> shape{known ? static_cast<int64_t>(n_static) : -1};
    shape.insert(shape.end(), o->type.shape.begin(), o->type.shape.end());
    types.emplace_back(o->dtype(), shape);
  }
  return types;
}

std::vector<Var> MapOp::grad(const Apply& node, const std::vector<Var>& gouts) const {
  std::vector<std::pair<Var, Var>> known;
  std::vector<std::pair<Var, Var>> to_outer;  // inner placeholder -> outer variable
  for (size_t k = 0; k < outputs_.size(); ++k) {
    if (!gouts[k] || !is_float(outputs_[k]->dtype())) continue;
    Var g = variable(gouts[k]->type, "g" + std::to_string(k));
    known.push_back({outputs_[k], subtensor(g, {IndexEntry::integer(index_)})});
    to_outer.push_back({g, gouts[k]});
  }
  std::vector<Var> result(node.inputs.size());
  if (known.empty()) return result;
  std::vector<Var> wrt;
  std::vector<size_t> which;
  for (size_t j = 0; j < params_.size(); ++j)
    if (is_float(params_[j]->dtype())) {
      wrt.push_back(params_[j]);
      which.push_back(j);
    }
  if (wrt.empty()) return result;
  GradOptions o;
  o.known_grads = known;
  o.disconnected_inputs = DisconnectedPolicy::Ignore;
  o.null_gradients_raise = false;
  std::vector<Var> inner = theon::grad(nullptr, wrt, o);
  for (size_t j = 0; j < params_.size(); ++j) to_outer.push_back({params_[j], node.inputs[j + 1]});
  std::vector<Var> outer_graph = clone_replace(inner, to_outer);
  std::vector<Var> like;
  for (size_t j : which) like.push_back(node.inputs[j + 1]);
  std::vector<Var> stacked = map_index(node.inputs[0], index_, outer_graph, like, "grad of " + label_);
  for (size_t m = 0; m < which.size(); ++m) {
    std::string why;
    const Var& outer = node.inputs[which[m] + 1];
    result[which[m] + 1] = is_null_grad(inner[m], &why) ? null_grad(outer, why) : sum(stacked[m], std::vector<int>{0});
  }
  return result;
}

Function& MapOp::inner_function() const {
  std::call_once(*compiled_, [this] {
    std::vector<Var> fn_inputs{index_};
    fn_inputs.insert(fn_inputs.end(), params_.begin(), params_.end());
    FunctionOptions o;
    o.on_unused_input = UnusedInputPolicy::Ignore;
    o.name = "Map{" + label_ + "} inner function";
    fn_ = std::make_shared<Function>(fn_inputs, outputs_, o);
  });
  return *fn_;
}

}  // namespace ops

std::vector<Var> map_index(const Var& n, const Var& index, const std::vector<Var>& outputs,
                           const std::vector<Var>& row_like, const std::string& label) {
  if (!n || !index) throw TypeError(label + ": the length and the index must not be None");
  if (n->ndim() != 0 || !is_int(n->dtype()))
    throw TypeError(label + ": the length must be an integer scalar, got " + n->type.str());
  if (index->owner || index->ndim() != 0 || !is_int(index->dtype()))
    throw TypeError(label + ": the index must be an integer 0-d root variable, got " + index->type.str());
  if (!row_like.empty() && row_like.size() != outputs.size())
    throw ValueError(label + ": row_like needs one entry per output");
  for (const auto& o : outputs)
    if (!o) throw TypeError(label + ": an output is None");

  // Every free variable the inner graph reads becomes a parameter: the inner
  // function sees a placeholder, the outer node the variable itself.
  std::vector<std::pair<Var, Var>> to_inner;
  Var inner_index = variable(TensorType(DType::Int64, {}), index->name.empty() ? "i" : index->name);
  to_inner.push_back({index, index->dtype() == DType::Int64 ? inner_index : cast(inner_index, index->dtype())});
  std::vector<Var> outer_params, inner_params;
  for (const Var& v : graph_inputs(outputs)) {
    if (v == index || v->kind() == VarKind::Constant) continue;
    Var p = variable(v->type, v->name);
    to_inner.push_back({v, p});
    outer_params.push_back(v);
    inner_params.push_back(p);
  }
  std::vector<int> like_index(outputs.size(), -1);
  for (size_t k = 0; k < row_like.size(); ++k) {
    if (!row_like[k]) continue;
    for (size_t j = 0; j < outer_params.size(); ++j)
      if (outer_params[j] == row_like[k]) like_index[k] = static_cast<int>(j + 1);
    if (like_index[k] < 0) {  // not read by the graph: pass it along anyway
      Var p = variable(row_like[k]->type, row_like[k]->name);
      outer_params.push_back(row_like[k]);
      inner_params.push_back(p);
      like_index[k] = static_cast<int>(outer_params.size());
    }
  }
  std::vector<Var> inner_outputs = clone_replace(outputs, to_inner);
  auto op = std::make_shared<ops::MapOp>(label, inner_index, inner_params, inner_outputs, like_index);
  std::vector<Var> node_inputs{n->dtype() == DType::Int64 ? n : cast(n, DType::Int64)};
  node_inputs.insert(node_inputs.end(), outer_params.begin(), outer_params.end());
  return make_apply(op, node_inputs)->outputs();
}

}  // namespace theon
