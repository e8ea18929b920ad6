// Forward mode (R-op) and the L-op. Every op has a Jacobian-vector product:
// linear ops apply themselves to the tangents, others transpose their
// vector-Jacobian product (grad) with a second reverse pass, and ops override
// rop() where a direct form is cheaper (the elementwise table, dot).
#include <unordered_map>

#include "theon/function_graph.hpp"
#include "theon/grad.hpp"
#include "theon/ops.hpp"

namespace theon {

namespace {

bool any_tangent(const std::vector<Var>& t) {
  for (const auto& v : t)
    if (v) return true;
  return false;
}

// J v from the VJP: g(u) = J^T u is linear in u, so J v = d<g(u), v>/du at any
// u; u is a fresh variable per output, then replaced by zeros.
std::vector<Var> rop_by_transposing_grad(const Apply& node, const std::vector<Var>& tangents) {
  std::vector<Var> us, outs;
  for (int j = 0; j < node.num_outputs(); ++j) {
    Var out = const_cast<Apply&>(node).output(j);
    outs.push_back(out);
    us.push_back(variable(out->type, "u"));
  }
  std::vector<Var> gins = node.op->grad(node, us);
  Var s;
  for (size_t i = 0; i < gins.size() && i < tangents.size(); ++i) {
    if (!gins[i] || !tangents[i] || !is_inexact(gins[i]->dtype())) continue;
    Var term = sum(mul(gins[i], tangents[i]));
    s = s ? add(s, term) : term;
  }
  std::vector<Var> res(node.num_outputs());
  if (!s) return res;
  GradOptions opts;
  opts.disconnected_inputs = DisconnectedPolicy::Ignore;
  std::vector<Var> float_us;
  std::vector<int> idx;
  for (int j = 0; j < node.num_outputs(); ++j)
    if (is_inexact(us[j]->dtype())) float_us.push_back(us[j]), idx.push_back(j);
  std::vector<Var> jv = grad(s, float_us, opts);
  std::vector<std::pair<Var, Var>> repl;
  for (size_t k = 0; k < idx.size(); ++k) repl.emplace_back(us[idx[k]], zeros_like(outs[idx[k]]));
  jv = clone_replace(jv, repl);
  for (size_t k = 0; k < idx.size(); ++k) res[idx[k]] = jv[k];
  return res;
}

}  // namespace

std::vector<Var> Op::rop(const Apply& node, const std::vector<Var>& tangents) const {
  bool any_float_out = false;
  for (int j = 0; j < node.num_outputs(); ++j) any_float_out |= is_inexact(node.raw_output(j)->dtype());
  if (!any_float_out || !any_tangent(tangents)) return std::vector<Var>(node.num_outputs());
  if (linear()) {
    std::vector<Var> ins = node.inputs;
    for (size_t i = 0; i < ins.size(); ++i) {
      if (!connected(static_cast<int>(i)) || !is_inexact(ins[i]->dtype())) continue;
      ins[i] = tangents[i] ? tangents[i] : zeros_like(ins[i]);
    }
    return make_apply(node.op, ins)->outputs();
  }
  return rop_by_transposing_grad(node, tangents);
}

std::vector<Var> Rop(const std::vector<Var>& f, const std::vector<Var>& wrt, const std::vector<Var>& eval_points,
                     DisconnectedPolicy disconnected_outputs) {
  if (wrt.size() != eval_points.size())
    throw ValueError("Rop: " + std::to_string(wrt.size()) + " wrt variables but " + std::to_string(eval_points.size()) +
                     " eval_points; give one eval point per wrt");
  std::unordered_map<const Variable*, Var> tangent;
  for (size_t i = 0; i < wrt.size(); ++i) {
    const Var& w = wrt[i];
    Var v = eval_points[i];
    if (!w || !v) throw TypeError("Rop: a wrt or eval_points entry is None");
    if (w->ndim() != v->ndim())
      throw ValueError("Rop: element " + std::to_string(i) +
                       " of wrt/eval_point have mismatched dimensionality: " + std::to_string(w->ndim()) + " versus " +
                       std::to_string(v->ndim()) + " (wrt " + w->type.str() + ", eval_point " + v->type.str() + ")");
    if (v->dtype() != w->dtype()) v = cast(v, w->dtype());
    tangent[w.get()] = v;
  }
  for (Apply* node : toposort(f)) {
    std::vector<Var> ts;
    bool any = false;
    for (size_t i = 0; i < node->inputs.size(); ++i) {
      auto it = tangent.find(node->inputs[i].get());
      bool use =
          it != tangent.end() && node->op->connected(static_cast<int>(i)) && is_inexact(node->inputs[i]->dtype());
      ts.push_back(use ? it->second : nullptr);
      any |= use;
    }
    if (!any) continue;
    std::vector<Var> outs;
    try {
      outs = node->op->rop(*node, ts);
    } catch (const NotImplementedError& e) {
      std::string msg = std::string("Rop: ") + e.what();
      if (node->site.known() && msg.find("built at") == std::string::npos)
        msg += "\n  the node was built at " + node->site.str();
      throw NotImplementedError(msg);
    }
    for (int j = 0; j < node->num_outputs() && j < static_cast<int>(outs.size()); ++j) {
      Variable* o = node->raw_output(j);
      if (!outs[j] || !is_inexact(o->dtype())) continue;
      Var t = outs[j];
      if (t->dtype() != o->dtype()) t = cast(t, o->dtype());
      if (t->ndim() == o->ndim() && t->type.shape != o->type.shape) t = fill(node->output(j), t);
      tangent[o] = t;
    }
  }
  std::vector<Var> res;
  for (const auto& out : f) {
    auto it = tangent.find(out.get());
    if (it != tangent.end()) {
      res.push_back(it->second);
      continue;
    }
    std::string msg =
        "Rop method was asked to compute the gradient with respect to a variable that is not part of "
        "the computational graph of variables in wrt, or is used only by a non-differentiable "
        "operator: " +
        out->str();
    if (out->site.known()) msg += " (created at " + out->site.str() + ")";
    if (disconnected_outputs == DisconnectedPolicy::Raise) throw DisconnectedInputError(msg);
    if (disconnected_outputs == DisconnectedPolicy::Warn) warn(msg);
    res.push_back(nullptr);
  }
  return res;
}

std::vector<Var> Lop(const std::vector<Var>& f, const std::vector<Var>& wrt, const std::vector<Var>& eval_points,
                     GradOptions opts) {
  if (f.size() != eval_points.size())
    throw ValueError("Lop: " + std::to_string(f.size()) + " outputs but " + std::to_string(eval_points.size()) +
                     " eval_points; give one eval point per output");
  for (size_t i = 0; i < f.size(); ++i) opts.known_grads.emplace_back(f[i], eval_points[i]);
  return grad(nullptr, wrt, opts);
}

}  // namespace theon
