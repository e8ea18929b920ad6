// Reverse-mode differentiation over the op table's vector-Jacobian products.
#include "theon/grad.hpp"

#include <unordered_map>
#include <unordered_set>

#include "ops/op_info.hpp"
#include "theon/function_graph.hpp"
#include "theon/ops.hpp"

namespace theon {

namespace {

std::string var_desc(const Var& v) {
  std::string s = v->name.empty() ? v->type.str() : "'" + v->name + "' (" + v->type.str() + ")";
  if (v->site.known()) s += ", created at " + v->site.str();
  return s;
}
}  // namespace

Var sum_to_like(const Var& g, const Var& like) {
  Var out = g;
  if (out->ndim() > like->ndim()) {
    std::vector<int> lead;
    for (int i = 0; i < out->ndim() - like->ndim(); ++i) lead.push_back(i);
    out = sum(out, lead);
  }
  std::vector<int> axes;
  for (int i = 0; i < like->ndim(); ++i)
    if (like->type.shape[i] == 1 && out->type.shape[i] != 1) axes.push_back(i);
  if (!axes.empty()) out = sum(out, axes, /*keepdims=*/true);
  return out;
}

std::vector<Var> grad(const Var& cost, const std::vector<Var>& wrt, const GradOptions& opts) {
  if (!cost && opts.known_grads.empty()) throw TypeError("grad: cost is None and known_grads is empty");
  if (cost && cost->ndim() != 0)
    throw TypeError("grad: cost must be a scalar (0-d), got " + var_desc(cost) +
                    "; reduce it first, e.g. cost.sum() or cost.mean()");
  for (const auto& w : wrt)
    if (!w) throw TypeError("grad: a wrt entry is None");

  std::unordered_set<const Variable*> blocked;
  for (const auto& v : opts.consider_constant) blocked.insert(v.get());

  std::vector<Var> roots;
  if (cost) roots.push_back(cost);
  for (const auto& [v, g] : opts.known_grads) roots.push_back(v);
  std::vector<Apply*> order = toposort(roots);

  // Forward: which variables depend on some wrt (through non-blocked paths).
  // A blocked (consider_constant) variable stops the gradient from going
  // past it to its own inputs; one that is itself a wrt still receives its
  // gradient, as in Theano.
  std::unordered_set<const Variable*> depends;
  for (const auto& w : wrt) {
    depends.insert(w.get());
    blocked.erase(w.get());  // receives; its owner is cut off below
  }
  std::unordered_set<const Variable*> cut;  // blocked wrt: nothing flows through their owners
  for (const auto& v : opts.consider_constant)
    if (depends.count(v.get())) cut.insert(v.get());
  for (Apply* node : order)
    for (int j = 0; j < node->num_outputs(); ++j) {
      bool any = false;
      for (size_t i = 0; i < node->inputs.size() && !any; ++i)
        any = node->op->connected(static_cast<int>(i), j) && depends.count(node->inputs[i].get());
      if (any && !blocked.count(node->raw_output(j))) depends.insert(node->raw_output(j));
    }

  std::unordered_map<const Variable*, Var> grads;
  // A null gradient absorbs anything added to it: the sum does not exist either.
  auto accumulate = [&](const Variable* v, const Var& g) {
    auto it = grads.find(v);
    if (it == grads.end())
      grads[v] = g;
    else if (is_null_grad(it->second))
      return;
    else if (is_null_grad(g))
      it->second = g;
    else
      it->second = add(it->second, g);
  };
  if (cost) {
    DType d = is_inexact(cost->dtype()) ? cost->dtype() : DType::Float64;
    accumulate(cost.get(), ones_like(cost, d));
  }
  // With known_grads_replace, a known gradient is the variable's whole
  // gradient (Theano's): what its readers would send back is not added.
  std::unordered_set<const Variable*> known;
  for (const auto& [v, g] : opts.known_grads) {
    if (opts.known_grads_replace) known.insert(v.get());
    if (!g) throw TypeError("grad: known_grads entry for " + var_desc(v) + " is None");
    if (g->ndim() != v->ndim())
      throw TypeError("grad: known_grads entry for " + var_desc(v) + " has " + std::to_string(g->ndim()) +
                      " dimensions, expected " + std::to_string(v->ndim()));
    accumulate(v.get(), g);
  }

  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    Apply* node = *it;
    bool has_grad = false, discrete_only = true;
    for (int j = 0; j < node->num_outputs(); ++j) {
      if (grads.count(node->raw_output(j)) && !cut.count(node->raw_output(j))) has_grad = true;
      if (is_inexact(node->raw_output(j)->dtype())) discrete_only = false;
    }
    // discrete outputs carry no gradient, unless the op has none at all
    if (!has_grad || (discrete_only && !node->op->gradient_undefined())) continue;
    bool needed = false;
    for (size_t i = 0; i < node->inputs.size(); ++i)
      if (node->op->connected(static_cast<int>(i)) && depends.count(node->inputs[i].get()) &&
          !blocked.count(node->inputs[i].get()))
        needed = true;
    if (!needed) continue;
    std::vector<Var> gouts;
    std::string null_why;
    for (int j = 0; j < node->num_outputs(); ++j) {
      auto g = grads.find(node->raw_output(j));
      Var out = node->output(j);
      gouts.push_back(g != grads.end() && !cut.count(out.get()) ? g->second : zeros_like(out));
      if (null_why.empty()) is_null_grad(gouts.back(), &null_why);
    }
    std::vector<Var> gins;
    // The crossentropy of a log-softmax picked by labels (the tutorials'
    // -log(softmax(x))[arange(n), y], or its log-softmax written out) is
    // differentiated as the crossentropy op: dx = -g * (onehot - softmax)
    // goes straight to the logits, in one op instead of the gradients of the
    // scatter, the log-softmax and its max shift (whose sum is zero anyway).
    LabelPick pick;
    if (null_why.empty() && label_pick(*node, &pick) && depends.count(pick.logits.get()) &&
        !blocked.count(pick.logits.get()) && !known.count(pick.logits.get())) {
      const Var sm = crossentropy_softmax_1hot(pick.logits, nullptr, pick.labels)[1];
      Var g = gouts[0]->dtype() == sm->dtype() ? gouts[0] : cast(gouts[0], sm->dtype());
      accumulate(pick.logits.get(), crossentropy_softmax_1hot_dx(check_label_pick_rows(neg(g), pick), sm, pick.labels));
      continue;
    }
    if (null_why.empty()) {
      try {
        gins = node->op->grad(*node, gouts);
      } catch (const NotImplementedError& e) {
        // Theano's grad_not_implemented: an error only if it reaches a wrt.
        null_why = e.what();
        if (null_why.find("built at") == std::string::npos && node->site.known())
          null_why += "\n  the node was built at " + node->site.str();
      }
    }
    if (!null_why.empty()) {  // nothing below a missing gradient has one either
      gins.assign(node->inputs.size(), nullptr);
      for (size_t i = 0; i < gins.size(); ++i)
        if (node->op->connected(static_cast<int>(i))) gins[i] = null_grad(node->inputs[i], null_why);
    }
    if (gins.size() != node->inputs.size())
      throw InternalError(node->op->name() + ".grad returned " + std::to_string(gins.size()) + " gradients for " +
                          std::to_string(node->inputs.size()) + " inputs");
    for (size_t i = 0; i < gins.size(); ++i) {
      const Var& x = node->inputs[i];
      if (!gins[i] || !depends.count(x.get()) || blocked.count(x.get()) || known.count(x.get())) continue;
      bool through = false;  // an output with a gradient depends on this input
      for (int j = 0; j < node->num_outputs() && !through; ++j)
        through = grads.count(node->raw_output(j)) && node->op->connected(static_cast<int>(i), j);
      if (!through) continue;
      Var g = gins[i];
      // An integer input's gradient is computed as if it were real (Theano 1.0): in a float dtype.
      const DType want = is_inexact(x->dtype()) ? x->dtype() : is_inexact(g->dtype()) ? g->dtype() : DType::Float64;
      if (g->dtype() != want) g = cast(g, want);
      accumulate(x.get(), g);
    }
  }

  // Variables the cost depends on at all: a wrt reached only through
  // non-differentiable paths (comparisons, integer casts) gets zeros, as in
  // Theano; only a wrt the cost does not depend on is disconnected.
  std::unordered_set<const Variable*> ancestors;
  for (const auto& r : roots) ancestors.insert(r.get());
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    Apply* node = *it;
    for (int j = 0; j < node->num_outputs(); ++j) {
      if (!ancestors.count(node->raw_output(j))) continue;
      for (size_t i = 0; i < node->inputs.size(); ++i)
        if (node->op->connected(static_cast<int>(i), j) && !blocked.count(node->inputs[i].get()))
          ancestors.insert(node->inputs[i].get());
    }
  }

  std::vector<Var> out;
  for (size_t i = 0; i < wrt.size(); ++i) {
    const Var& w = wrt[i];
    auto it = grads.find(w.get());
    std::string why;
    if (it != grads.end() && is_null_grad(it->second, &why) && opts.null_gradients_raise)
      throw NullTypeGradError("grad: the gradient with respect to " + var_desc(w) + " does not exist: " + why +
                              " (pass null_gradients='return' to get it as a NullType variable)");
    if (it != grads.end()) {  // an integer wrt too: its gradient as if it were real
      out.push_back(it->second);
      continue;
    }
    if (it == grads.end() && is_inexact(w->dtype()) && !ancestors.count(w.get())) {
      std::string msg =
          "grad method was asked to compute the gradient with respect to a variable that is not part "
          "of the computational graph of the cost, or is used only by a non-differentiable operator: " +
          var_desc(w);
      if (opts.disconnected_inputs == DisconnectedPolicy::Raise)
        throw DisconnectedInputError(msg + " (pass disconnected_inputs='ignore' or 'warn' to get zeros instead)");
      if (opts.disconnected_inputs == DisconnectedPolicy::Warn) warn(msg);
    }
    // A wrt reached only through non-differentiable paths, or ignored when disconnected: zeros.
    out.push_back(zeros_like(w, is_inexact(w->dtype()) ? w->dtype() : DType::Float64));
  }
  return out;
}

Var grad(const Var& cost, const Var& wrt, const GradOptions& opts) {
  return grad(cost, std::vector<Var>{wrt}, opts)[0];
}

}  // namespace theon
