// Stabilizing rewrites: forms that overflow, underflow or cancel in floating
// point are replaced by ones that do not. Users rely on these to avoid NaNs,
// so they run in FAST_COMPILE too.
#include <algorithm>

#include "rewrite/engine.hpp"

namespace theon::rw {

namespace {

bool is(const Var& v, ScalarOpId id) { return v && v->owner && is_op(*v->owner, id); }

// log(sigmoid(z)) -> -softplus(-z);  log(1 - sigmoid(z)) -> -softplus(z)
std::vector<Var> log_sigmoid(FunctionGraph&, Apply& node) {
  if (!is_op(node, ScalarOpId::log)) return {};
  if (Var r = stable_log_of_sigmoid(node.inputs[0])) return {r};
  return {};
}

// log(1 + x) -> log1p(x);  log(1 - x) -> log1p(-x)
std::vector<Var> log1p_rule(FunctionGraph&, Apply& node) {
  if (!is_op(node, ScalarOpId::log)) return {};
  const Var& a = node.inputs[0];
  if (!is_float(a->dtype())) return {};
  if (is(a, ScalarOpId::add) && a->owner->inputs.size() == 2)
    for (int k = 0; k < 2; ++k)
      if (is_scalar(a->owner->inputs[k], 1)) return {log1p(a->owner->inputs[1 - k])};
  if (is(a, ScalarOpId::sub) && is_scalar(a->owner->inputs[0], 1)) return {log1p(neg(a->owner->inputs[1]))};
  return {};
}

// exp(x) - 1 -> expm1(x)
std::vector<Var> expm1_rule(FunctionGraph&, Apply& node) {
  if (is_op(node, ScalarOpId::sub) && is(node.inputs[0], ScalarOpId::exp) && is_scalar(node.inputs[1], 1))
    return {expm1(node.inputs[0]->owner->inputs[0])};
  if (is_op(node, ScalarOpId::add))
    for (int k = 0; k < 2; ++k)
      if (is(node.inputs[k], ScalarOpId::exp) && is_scalar(node.inputs[1 - k], -1))
        return {expm1(node.inputs[k]->owner->inputs[0])};
  return {};
}

// log(sum(exp(x), a)) -> LogSumExp{a}(x) over one axis; over several,
// m + log(sum(exp(x - m), axes)) with m = max(x, axes) (0 where the max is
// infinite, so that all -inf rows stay -inf, not NaN).
// The max-shifted form written by hand, keepdims:
//   log(sum(exp(x - M), a, keepdims)) + M  with M = max(x, a, keepdims)
// -> logsumexp(x, a) with the same keepdims DimShuffle (one pass over x).
std::vector<Var> logsumexp_shifted(const Apply& node) {
  if (!is_op(node, ScalarOpId::add) || node.inputs.size() != 2) return {};
  for (int k = 0; k < 2; ++k) {
    const Var& l = node.inputs[k];
    const Var& m = node.inputs[1 - k];
    if (!is(l, ScalarOpId::log)) continue;
    const Var& sd = l->owner->inputs[0];
    if (!sd->owner || sd->owner->op->kind() != OpKind::DimShuffle) continue;
    if (!m->owner || m->owner->op->kind() != OpKind::DimShuffle) continue;
    const std::vector<int>& order = dimshuffle_order(*sd->owner->op);
    if (dimshuffle_order(*m->owner->op) != order) continue;
    const Var& s = sd->owner->inputs[0];
    const Var& mx = m->owner->inputs[0];
    if (!s->owner || s->owner->op->kind() != OpKind::Reduce || reduce_kind_of(*s->owner->op) != ReduceKind::Sum)
      continue;
    if (!mx->owner || mx->owner->op->kind() != OpKind::Reduce || reduce_kind_of(*mx->owner->op) != ReduceKind::Max)
      continue;
    const std::vector<int>& axes = reduce_axes(*s->owner->op);
    if (axes.size() != 1 || reduce_axes(*mx->owner->op) != axes) continue;
    const Var& e = s->owner->inputs[0];
    if (!is(e, ScalarOpId::exp) || !is_float(e->dtype())) continue;
    const Var& u = e->owner->inputs[0];
    if (!is(u, ScalarOpId::sub) || u->owner->inputs[1] != m) continue;
    const Var& x = u->owner->inputs[0];
    if (mx->owner->inputs[0] != x || x->dtype() != e->dtype()) continue;
    return {dimshuffle(logsumexp(x, axes[0]), order)};
  }
  return {};
}

std::vector<Var> logsumexp_rule(FunctionGraph& fg, Apply& node) {
  if (is_op(node, ScalarOpId::add)) return logsumexp_shifted(node);
  if (!is_op(node, ScalarOpId::log)) return {};
  // log(DimShuffle(sum(...))) (keepdims, or a lifted broadcast) is the same
  // pattern with the DimShuffle applied to the result.
  const Var& in = node.inputs[0];
  if (in->owner && in->owner->op->kind() == OpKind::DimShuffle) {
    const Var& inner = in->owner->inputs[0];
    if (!inner->owner || inner->owner->op->kind() != OpKind::Reduce) return {};
    Var l = log(inner);  // the log builder does not stabilize sums: the rule below does, on this node
    std::vector<Var> r = logsumexp_rule(fg, *l->owner);
    if (r.empty()) return {};
    return {dimshuffle(r[0], dimshuffle_order(*in->owner->op))};
  }
  const Var& s = in;
  if (!s->owner || s->owner->op->kind() != OpKind::Reduce || reduce_kind_of(*s->owner->op) != ReduceKind::Sum)
    return {};
  const Var& e = s->owner->inputs[0];
  if (!is(e, ScalarOpId::exp) || !is_float(e->dtype())) return {};
  const Var& x = e->owner->inputs[0];
  // Already stabilized: exp(x - switch(isinf(m), 0, m)) (this rule's form),
  // or shifted by hand: exp(a - max(a, axes)) has largest exponent 0.
  if (is(x, ScalarOpId::sub) && is(x->owner->inputs[1], ScalarOpId::switch_)) return {};
  const std::vector<int>& axes = reduce_axes(*s->owner->op);
  if (is(x, ScalarOpId::sub)) {
    Var m = x->owner->inputs[1];
    if (m->owner && m->owner->op->kind() == OpKind::DimShuffle) m = m->owner->inputs[0];
    if (m->owner && m->owner->op->kind() == OpKind::Reduce && reduce_kind_of(*m->owner->op) == ReduceKind::Max &&
        m->owner->inputs[0] == x->owner->inputs[0] && reduce_axes(*m->owner->op) == axes)
      return {};
  }
  // One axis: the one-pass op (a float x; logsumexp upgrades ints itself).
  if (axes.size() == 1 && is_float(x->dtype())) return {logsumexp(x, axes[0])};
  Var m = max(x, axes, /*keepdims=*/true);
  Var safe = switch_(isinf(m), zeros_like(m), m);
  Var shifted = log(sum(exp(sub(x, safe)), axes));
  std::vector<int> kept_axes;  // drop the reduced (now size-1) axes of the max
  for (int d = 0; d < x->ndim(); ++d)
    if (std::find(axes.begin(), axes.end(), d) == axes.end()) kept_axes.push_back(d);
  Var safe_dropped = dimshuffle(safe, kept_axes);
  return {add(shifted, safe_dropped)};
}

// Strips a max-shift from a softmax argument: x - max(x, axis, keepdims) -> x
// (the shift does not change the softmax, and the op shifts by itself).
Var unshifted(const Var& u, int axis) {
  if (!is(u, ScalarOpId::sub)) return u;
  const Var& m = u->owner->inputs[1];
  const Var& x = u->owner->inputs[0];
  if (!m->owner || m->owner->op->kind() != OpKind::DimShuffle) return u;
  const Var& r = m->owner->inputs[0];
  if (!r->owner || r->owner->op->kind() != OpKind::Reduce || reduce_kind_of(*r->owner->op) != ReduceKind::Max ||
      r->owner->inputs[0] != x || reduce_axes(*r->owner->op) != std::vector<int>{axis})
    return u;
  return x;
}

// exp(u) / sum(exp(u), axis, keepdims) -> softmax(u, axis)  (Theano's softmax_simplifier)
std::vector<Var> softmax_simplifier(FunctionGraph&, Apply& node) {
  if (!is_op(node, ScalarOpId::true_div)) return {};
  const Var& e = node.inputs[0];
  const Var& d = node.inputs[1];
  if (!is(e, ScalarOpId::exp) || !is_float(e->dtype())) return {};
  if (!d->owner || d->owner->op->kind() != OpKind::DimShuffle) return {};
  const Var& s = d->owner->inputs[0];
  if (!s->owner || s->owner->op->kind() != OpKind::Reduce || reduce_kind_of(*s->owner->op) != ReduceKind::Sum ||
      s->owner->inputs[0] != e)
    return {};
  const std::vector<int>& axes = reduce_axes(*s->owner->op);
  if (axes.size() != 1) return {};
  const int axis = axes[0];
  // The denominator must broadcast back exactly along the reduced axis.
  const std::vector<int>& order = dimshuffle_order(*d->owner->op);
  if (static_cast<int>(order.size()) != e->ndim()) return {};
  for (int k = 0, j = 0; k < e->ndim(); ++k)
    if (order[k] != (k == axis ? -1 : j++)) return {};
  Var r = softmax(unshifted(e->owner->inputs[0], axis), axis);
  return {r->dtype() == node.outputs()[0]->dtype() ? r : cast(r, node.outputs()[0]->dtype())};
}

// log(softmax(x)) -> log_softmax(x) (and through indexing, see log_of_softmax)
std::vector<Var> log_softmax_rule(FunctionGraph&, Apply& node) {
  if (!is_op(node, ScalarOpId::log)) return {};
  if (Var r = log_of_softmax(node.inputs[0])) return {r};
  return {};
}

// x - log(sum(exp(x), axis=1, keepdims=True)) written out (after a row-max
// shift or not) -> log_softmax(x): one pass per row.
std::vector<Var> log_softmax_written_out(FunctionGraph&, Apply& node) {
  if (!is_op(node, ScalarOpId::sub)) return {};
  const Var out = node.output(0);
  const Var x = log_softmax_logits(out);
  if (!x || !is_float(x->dtype()) || x->dtype() != out->dtype()) return {};
  return {log_softmax(x, 1)};
}

// L[arange(n), y] with L a log-softmax of logits x -> -crossentropy_softmax_1hot(x, y).nll:
// the tutorials' -mean(log(softmax(x))[arange(n), y]) as one op (its gradient,
// which grad() builds for this form, is CrossentropySoftmax1HotDx).
std::vector<Var> crossentropy_from_label_pick(FunctionGraph&, Apply& node) {
  LabelPick p;
  if (!label_pick(node, &p)) return {};
  return {label_pick_as_crossentropy(p)};
}

}  // namespace

const std::vector<NodeRule>& stability_rules() {
  static const std::vector<NodeRule> rules = {
      {"log_sigmoid", "stabilize", {OpKind::Elemwise}, {"fast_compile", "stability", "local"}, log_sigmoid},
      {"log1p", "stabilize", {OpKind::Elemwise}, {"fast_compile", "stability", "local"}, log1p_rule},
      {"expm1", "stabilize", {OpKind::Elemwise}, {"fast_compile", "stability", "local"}, expm1_rule},
      {"logsumexp", "stabilize", {OpKind::Elemwise}, {"fast_compile", "stability", "local"}, logsumexp_rule},
      {"softmax_simplifier",
       "stabilize",
       {OpKind::Elemwise},
       {"fast_compile", "stability", "local"},
       softmax_simplifier},
      {"log_softmax", "stabilize", {OpKind::Elemwise}, {"fast_compile", "stability", "local"}, log_softmax_rule},
      {"log_softmax_written_out",
       "stabilize",
       {OpKind::Elemwise},
       {"fast_compile", "stability", "local"},
       log_softmax_written_out},
      {"crossentropy_softmax_1hot",
       "stabilize",
       {OpKind::Subtensor},
       {"fast_compile", "stability", "local"},
       crossentropy_from_label_pick},
  };
  return rules;
}

}  // namespace theon::rw
