// The BLAS phase: Z + a * dot(X, Y) (and its sub/neg spellings) becomes one
// Gemm/Gemv/Ger call with alpha and beta, instead of a product, a scaling and
// an addition over the whole result.
#include "rewrite/engine.hpp"

namespace theon::rw {

namespace {

// A 0-d variable of dtype d with the value of a scalar-broadcast `v` (a
// constant, or a DimShuffle that only adds broadcastable axes to a 0-d value).
Var as_scalar(const Var& v, DType d) {
  double c;
  if (scalar_value(v, &c)) return constant_like(c, d);
  Var s = v;
  if (s->owner && s->owner->op->kind() == OpKind::DimShuffle) {
    for (int e : dimshuffle_order(*s->owner->op))
      if (e >= 0) return nullptr;
    s = s->owner->inputs[0];
  }
  if (s->ndim() != 0) return nullptr;
  return s->dtype() == d ? s : cast(s, d);
}

// -a, folded when a is a constant (the BLAS phase runs after constant folding).
Var negated(const Var& a) {
  double c;
  if (scalar_value(a, &c)) return constant_like(-c, a->dtype());
  return neg(a);
}

// term = [a *] dot(X, Y) or -dot(X, Y), each inner node read only here.
struct Scaled {
  Var alpha;  // 0-d
  Apply* dot = nullptr;
};
bool scaled_dot_root(FunctionGraph& fg, const Var& term, DType d, Scaled& out);
bool scaled_dot(FunctionGraph& fg, const Var& term, DType d, Scaled& out) {
  if (!term->owner || n_clients(fg, term) != 1) return false;
  return scaled_dot_root(fg, term, d, out);
}
// The same for a term read anywhere (the root of a rule's match).
bool scaled_dot_root(FunctionGraph& fg, const Var& term, DType d, Scaled& out) {
  if (!term->owner || term->dtype() != d) return false;
  Apply* n = term->owner;
  if (n->op->kind() == OpKind::Dot) {
    out = {constant_like(1, d), n};
    return true;
  }
  if (n->op->kind() == OpKind::DotScalar) {  // a * dot made first: its scale is the Gemm's alpha
    out = {n->inputs[2], n};
    return true;
  }
  if (is_op(*n, ScalarOpId::neg) && scaled_dot(fg, n->inputs[0], d, out)) {
    out.alpha = negated(out.alpha);
    return true;
  }
  if (!is_op(*n, ScalarOpId::mul) || n->inputs.size() != 2) return false;
  for (int k = 0; k < 2; ++k) {
    const Var& dv = n->inputs[k];
    if (!dv->owner || dv->owner->op->kind() != OpKind::Dot || n_clients(fg, dv) != 1 || dv->dtype() != d) continue;
    if (!fits(term->type, dv->type)) continue;  // the scalar must not broadcast the product
    if (Var a = as_scalar(n->inputs[1 - k], d)) {
      out = {a, dv->owner};
      return true;
    }
  }
  return false;
}

std::vector<Var> gemm_from_add(FunctionGraph& fg, Apply& node) {
  const bool is_add = is_op(node, ScalarOpId::add), is_sub = is_op(node, ScalarOpId::sub);
  if ((!is_add && !is_sub) || node.inputs.size() != 2) return {};
  const Var& out = node.output(0);
  const DType d = out->dtype();
  if (!is_float(d) || out->ndim() == 0) return {};
  for (int k = 0; k < 2; ++k) {
    Scaled s;
    if (!scaled_dot(fg, node.inputs[k], d, s)) continue;
    const Var& z = node.inputs[1 - k];
    // Z must already have the result's shape (no broadcasting into it).
    if (z->dtype() != d || z->ndim() != out->ndim() || !fits(out->type, z->type) || !fits(z->type, out->type)) continue;
    Var alpha = s.alpha, beta = constant_like(1, d);
    if (is_sub && k == 1) alpha = negated(alpha);       // z - a*dot
    if (is_sub && k == 0) beta = constant_like(-1, d);  // a*dot - z
    return {gemm(z, alpha, s.dot->inputs[0], s.dot->inputs[1], beta)};
  }
  return {};
}

// a * dot(X, Y) (or -dot(X, Y)) -> Dot22Scalar(X, Y, a): the scale becomes the
// BLAS call's alpha (Theano's local_dot22_to_dot22scalar), when the product is
// read only here and the scale does not broadcast it.
std::vector<Var> dot_scalar_from_mul(FunctionGraph& fg, Apply& node) {
  if (!is_op(node, ScalarOpId::mul) && !is_op(node, ScalarOpId::neg)) return {};
  const Var out = node.output(0);
  const DType d = out->dtype();
  if (!is_float(d) || out->ndim() == 0) return {};
  Scaled s;
  if (!scaled_dot_root(fg, out, d, s) || s.dot->op->kind() != OpKind::Dot) return {};
  return {dot_scalar(s.dot->inputs[0], s.dot->inputs[1], s.alpha)};
}

// dot(x, y).T -> dot(y.T, x.T) for matrices (Theano's
// local_lift_transpose_through_dot): the transposes move to the inputs,
// where they merge with other DimShuffles or fold into the BLAS call's flags.
std::vector<Var> lift_transpose_through_dot(FunctionGraph&, Apply& node) {
  const auto& order = dimshuffle_order(*node.op);
  if (order != std::vector<int>{1, 0}) return {};
  const Var& d = node.inputs[0];
  if (!d->owner || d->owner->op->kind() != OpKind::Dot) return {};
  const Var& x = d->owner->inputs[0];
  const Var& y = d->owner->inputs[1];
  if (x->ndim() != 2 || y->ndim() != 2) return {};
  return {dot(dimshuffle(y, {1, 0}), dimshuffle(x, {1, 0}))};
}

}  // namespace

const std::vector<NodeRule>& blas_rules() {
  static const std::vector<NodeRule> rules = {
      {"gemm_from_add", "blas", {OpKind::Elemwise}, {"local", "blas"}, gemm_from_add},
      {"dot22scalar", "blas", {OpKind::Elemwise}, {"local", "blas"}, dot_scalar_from_mul},
      {"lift_transpose_through_dot", "canonicalize", {OpKind::DimShuffle}, {"local"}, lift_transpose_through_dot},
  };
  return rules;
}

}  // namespace theon::rw
