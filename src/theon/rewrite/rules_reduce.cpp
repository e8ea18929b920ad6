// Rules on reductions: chains of one reduction merged into one, and scalar
// factors pulled out of sums and products (the scaling runs on the result).
#include <algorithm>
#include <cmath>

#include "ops/scalar_table.hpp"
#include "rewrite/engine.hpp"

namespace theon::rw {

namespace {

// ---- reductions ---------------------------------------------------------------------

// sum(sum(x, a), b) -> sum(x, a + b) (also prod, max, min), when the inner
// result is read only here and keeps x's dtype.
std::vector<Var> reduce_chain(FunctionGraph& fg, Apply& node) {
  const Var& mid = node.inputs[0];
  if (!mid->owner || mid->owner->op->kind() != OpKind::Reduce || n_clients(fg, mid) != 1) return {};
  const ReduceKind k = reduce_kind_of(*node.op);
  if (reduce_kind_of(*mid->owner->op) != k) return {};
  const Var& x = mid->owner->inputs[0];
  if (mid->dtype() != x->dtype() && !(k == ReduceKind::Sum || k == ReduceKind::Prod)) return {};
  const auto& inner = reduce_axes(*mid->owner->op);
  std::vector<int> kept;  // x's axes that survive the inner reduction, in order
  for (int d = 0; d < x->ndim(); ++d)
    if (std::find(inner.begin(), inner.end(), d) == inner.end()) kept.push_back(d);
  std::vector<int> all = inner;
  for (int b : reduce_axes(*node.op)) all.push_back(kept[b]);
  std::sort(all.begin(), all.end());
  Var r = reduce(k, x, all);
  const DType d = node.raw_output(0)->dtype();
  return {r->dtype() == d ? r : cast(r, d)};
}

// sum(c * x) -> c * sum(x) for a scalar c; sum(-x) -> -sum(x): the scaling runs
// on the (smaller) result.
// prod(c * x) -> c**n * prod(x), n the number of elements each product takes.
std::vector<Var> sum_scalar_mul(FunctionGraph& fg, Apply& node) {
  const ReduceKind kind = reduce_kind_of(*node.op);
  if (kind != ReduceKind::Sum && kind != ReduceKind::Prod) return {};
  const Var& x = node.inputs[0];
  const DType d = node.raw_output(0)->dtype();
  if (!x->owner || !is_float(d) || x->dtype() != d || n_clients(fg, x) != 1) return {};
  const auto& axes = reduce_axes(*node.op);
  if (kind == ReduceKind::Sum && is_elemwise_var(x, ScalarOpId::neg)) return {neg(sum(x->owner->inputs[0], axes))};
  if (!is_elemwise_var(x, ScalarOpId::mul) || x->owner->inputs.size() != 2) return {};
  for (int k = 0; k < 2; ++k) {
    const Var& c = x->owner->inputs[k];
    const Var& rest = x->owner->inputs[1 - k];
    bool scalar =
        c->ndim() == 0 || std::all_of(c->type.shape.begin(), c->type.shape.end(), [](int64_t s) { return s == 1; });
    if (!scalar || c->dtype() != d || rest->dtype() != d || rest->ndim() != x->ndim()) continue;
    // rest must have x's shape (no broadcasting by c's side beyond size 1)
    if (!fits(x->type, rest->type)) continue;
    Var c0 = c->ndim() == 0 ? c : dimshuffle(c, {});
    Var s;
    if (kind == ReduceKind::Sum) {
      s = sum(rest, axes);
    } else {
      Var n;
      for (int a : axes) n = n ? mul(n, shape_i(rest, a)) : shape_i(rest, a);
      c0 = pow(c0, cast(n, d));
      s = prod(rest, axes);
    }
    if (s->ndim() == 0) return {mul(c0, s)};
    std::vector<int> bc(s->ndim(), -1);
    return {mul(dimshuffle(c0, bc), s)};
  }
  return {};
}

}  // namespace

const std::vector<NodeRule>& reduce_rules() {
  static const std::vector<NodeRule> rules = {
      {"reduce_chain", "canonicalize", {OpKind::Reduce}, {"local", "algebra"}, reduce_chain},
      {"sum_scalar_mul", "canonicalize", {OpKind::Reduce}, {"local", "algebra"}, sum_scalar_mul},
  };
  return rules;
}

}  // namespace theon::rw
