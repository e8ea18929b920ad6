// The GraphOp (compile/graph_op.hpp): type, compiled function, derived or
// overridden gradient and R-op, and the apply_graph_op builder.
#include "compile/graph_op.hpp"

#include <unordered_set>

#include "compile/inner_function.hpp"
#include "theon/function.hpp"
#include "theon/function_graph.hpp"
#include "theon/grad.hpp"
#include "theon/ops.hpp"

namespace theon {

std::vector<Var> inner_vjp(const std::vector<Var>& outs, const std::vector<Var>& params,
                           const std::vector<Var>& gouts) {
  std::vector<std::pair<Var, Var>> known;
  for (size_t k = 0; k < outs.size(); ++k)
    if (gouts[k] && is_float(outs[k]->dtype()))
      known.push_back({outs[k], gouts[k]->dtype() == outs[k]->dtype() ? gouts[k] : cast(gouts[k], outs[k]->dtype())});
  std::vector<Var> wrt, result(params.size());
  std::vector<size_t> which;
  for (size_t j = 0; j < params.size(); ++j)
    if (is_float(params[j]->dtype())) wrt.push_back(params[j]), which.push_back(j);
  if (known.empty() || wrt.empty()) return result;
  GradOptions o;
  o.known_grads = known;
  o.disconnected_inputs = DisconnectedPolicy::Ignore;
  o.null_gradients_raise = false;
  std::vector<Var> g = theon::grad(nullptr, wrt, o);
  for (size_t m = 0; m < which.size(); ++m) result[which[m]] = g[m];
  return result;
}

namespace ops {

std::vector<TensorType> GraphOp::infer_types(const std::vector<Var>& in) const {
  if (in.size() != spec_.inputs.size())
    throw TypeError(name() + ": takes " + std::to_string(spec_.inputs.size()) + " inputs, got " +
                    std::to_string(in.size()));
  for (size_t j = 0; j < in.size(); ++j)
    if (!spec_.inputs[j]->type.accepts(in[j]->type))
      throw TypeError(name() + ": input " + std::to_string(j) + " has type " + in[j]->type.str() +
                      " where the graph's input is " + spec_.inputs[j]->type.str());
  std::vector<TensorType> types;
  for (const auto& o : spec_.outputs) types.push_back(o->type);
  return types;
}

Function& GraphOp::function() const {
  std::lock_guard<std::mutex> lock(compile_mutex_);
  if (!fn_) fn_ = compile(nullptr);
  return *fn_;
}

bool GraphOp::connected(int input, int output) const {
  std::call_once(pattern_once_, [this] {
    if (spec_.connection.empty()) {
      pattern_ = inner_connection(spec_.inputs, spec_.outputs);
      return;
    }
    pattern_.assign(spec_.outputs.size(), std::vector<bool>(spec_.inputs.size()));
    for (size_t i = 0; i < spec_.inputs.size(); ++i)
      for (size_t j = 0; j < spec_.outputs.size(); ++j) pattern_[j][i] = spec_.connection[i][j];
  });
  return pattern_[static_cast<size_t>(output)][static_cast<size_t>(input)];
}

Var GraphOp::infer_shape(const Apply&, int output, int axis, const InputSize& input_size) const {
  InnerLeaves leaf;
  for (size_t i = 0; i < spec_.inputs.size(); ++i) leaf[spec_.inputs[i].get()] = {static_cast<int>(i), 0};
  return inner_size(spec_.outputs[static_cast<size_t>(output)], axis, leaf, input_size);
}

std::shared_ptr<Function> GraphOp::compile(const FunctionOptions* outer) const {
  return std::make_shared<Function>(spec_.inputs, spec_.outputs, inner_options(outer, name()));
}

std::vector<Var> GraphOp::grad(const Apply& node, const std::vector<Var>& gouts) const {
  const size_t n_in = spec_.inputs.size(), n_out = spec_.outputs.size();
  std::vector<Var> result(n_in, nullptr);
  // Placeholders for the output gradients (zeros where the outside has none).
  std::vector<Var> g_in(n_out), g_out(n_out);
  for (size_t k = 0; k < n_out; ++k) {
    const Var& o = spec_.outputs[k];
    g_in[k] = spec_.output_grads.empty() ? variable(o->type, "g" + std::to_string(k)) : spec_.output_grads[k];
    Var outer = gouts[k] ? gouts[k] : zeros_like(const_cast<Apply&>(node).output(k));
    g_out[k] = outer->dtype() == o->dtype() ? outer : cast(outer, o->dtype());
  }
  const std::vector<Var> grads =
      spec_.grad_overrides.empty() ? inner_vjp(spec_.outputs, spec_.inputs, g_in) : spec_.grad_overrides;
  // The gradient graphs, applied as a graph op of (inputs, output gradients).
  std::vector<size_t> which;
  std::vector<Var> outs;
  for (size_t j = 0; j < n_in; ++j) {
    if (!grads[j]) continue;
    std::string why;
    if (is_null_grad(grads[j], &why)) {
      result[j] = null_grad(node.inputs[j], why);
      continue;
    }
    which.push_back(j);
    outs.push_back(grads[j]->dtype() == spec_.inputs[j]->dtype() ? grads[j] : cast(grads[j], spec_.inputs[j]->dtype()));
  }
  if (outs.empty()) return result;
  GraphOpSpec g;
  g.inputs = spec_.inputs;
  g.inputs.insert(g.inputs.end(), g_in.begin(), g_in.end());
  g.outputs = outs;
  g.name = "grad of " + name();
  std::vector<Var> args = node.inputs;
  args.insert(args.end(), g_out.begin(), g_out.end());
  std::vector<Var> applied = apply_graph_op(g, args);
  for (size_t m = 0; m < which.size(); ++m) result[which[m]] = applied[m];
  return result;
}

std::vector<Var> GraphOp::rop(const Apply& node, const std::vector<Var>& tangents) const {
  const size_t n_in = spec_.inputs.size();
  std::vector<Var> pts(n_in), args = node.inputs;
  for (size_t j = 0; j < n_in; ++j) {
    pts[j] =
        spec_.eval_points.empty() ? variable(spec_.inputs[j]->type, "t" + std::to_string(j)) : spec_.eval_points[j];
    args.push_back(tangents[j] ? tangents[j] : zeros_like(node.inputs[j]));
  }
  std::vector<Var> r;
  if (!spec_.rop_overrides.empty()) {
    r = spec_.rop_overrides;
  } else {
    std::vector<Var> wrt, ev;
    for (size_t j = 0; j < n_in; ++j)
      if (is_float(spec_.inputs[j]->dtype())) wrt.push_back(spec_.inputs[j]), ev.push_back(pts[j]);
    r = Rop(spec_.outputs, wrt, ev, DisconnectedPolicy::Ignore);
  }
  for (size_t k = 0; k < r.size(); ++k)
    if (!r[k]) r[k] = zeros_like(spec_.outputs[k]);
  GraphOpSpec s;
  s.inputs = spec_.inputs;
  s.inputs.insert(s.inputs.end(), pts.begin(), pts.end());
  s.outputs = r;
  s.name = "R-op of " + name();
  return apply_graph_op(s, args);
}

}  // namespace ops

std::vector<Var> apply_graph_op(const GraphOpSpec& spec, const std::vector<Var>& args) {
  const std::string& name = spec.name;
  if (args.size() != spec.inputs.size())
    throw TypeError(name + ": takes " + std::to_string(spec.inputs.size()) + " inputs, got " +
                    std::to_string(args.size()));
  std::unordered_set<const Variable*> declared;
  for (const auto& v : spec.inputs) {
    if (!v || v->owner || v->kind() == VarKind::Constant)
      throw TypeError(name + ": the graph's inputs must be root variables");
    declared.insert(v.get());
  }
  if (!spec.grad_overrides.empty() && spec.grad_overrides.size() != spec.inputs.size())
    throw ValueError(name + ": grad_overrides needs one gradient per input");
  if (!spec.rop_overrides.empty() && spec.rop_overrides.size() != spec.outputs.size())
    throw ValueError(name + ": rop_overrides needs one R-op per output");
  // Fresh copies of the graphs, closed over their inputs: another variable they
  // read (a shared variable) becomes an extra input.
  GraphOpSpec s = spec;
  std::vector<Var> all_outs = spec.outputs;
  for (const auto* list : {&spec.grad_overrides, &spec.rop_overrides})
    for (const auto& v : *list)
      if (v) all_outs.push_back(v);
  for (const auto& v : spec.output_grads) declared.insert(v.get());
  for (const auto& v : spec.eval_points) declared.insert(v.get());
  std::vector<Var> extra;
  for (const Var& v : graph_inputs(all_outs))
    if (v->kind() != VarKind::Constant && !declared.count(v.get())) extra.push_back(v), declared.insert(v.get());
  std::vector<std::pair<Var, Var>> fresh;
  s.inputs.clear();
  for (const auto& v : spec.inputs)
    s.inputs.push_back(variable(v->type, v->name)), fresh.push_back({v, s.inputs.back()});
  for (const auto& v : extra) s.inputs.push_back(variable(v->type, v->name)), fresh.push_back({v, s.inputs.back()});
  auto renew = [&](std::vector<Var>& vs) {
    for (auto& v : vs) {
      Var p = variable(v->type, v->name);
      fresh.push_back({v, p});
      v = p;
    }
  };
  renew(s.output_grads);
  renew(s.eval_points);
  s.outputs = clone_replace(spec.outputs, fresh);
  auto clone_list = [&](const std::vector<Var>& in) {
    std::vector<Var> nonnull, out(in.size());
    for (const auto& v : in)
      if (v) nonnull.push_back(v);
    std::vector<Var> c = clone_replace(nonnull, fresh);
    for (size_t i = 0, k = 0; i < in.size(); ++i)
      if (in[i]) out[i] = c[k++];
    return out;
  };
  s.grad_overrides = clone_list(spec.grad_overrides);
  s.rop_overrides = clone_list(spec.rop_overrides);
  if (!extra.empty()) {
    // The extra inputs get no overridden gradient (zeros) and a zero tangent.
    for (size_t i = 0; i < extra.size() && !s.grad_overrides.empty(); ++i) s.grad_overrides.push_back(nullptr);
    for (size_t i = 0; i < extra.size() && !s.eval_points.empty(); ++i)
      s.eval_points.push_back(variable(extra[i]->type, extra[i]->name));
  }
  std::vector<Var> in = args;
  in.insert(in.end(), extra.begin(), extra.end());
  return make_apply(std::make_shared<ops::GraphOp>(s), in)->outputs();
}

}  // namespace theon
