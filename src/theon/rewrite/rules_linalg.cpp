// Linear algebra rewrites: an inverse that only multiplies becomes a solve,
// solves learn the structure of their matrix (a Cholesky factor is
// triangular; a transposed matrix is LAPACK's transpose flag), and
// determinants of factors and their logarithms are read off the diagonal or
// computed as slogdet (no overflow where det would overflow).
#include <limits>

#include "ops/linalg.hpp"
#include "ops/op_info.hpp"
#include "rewrite/engine.hpp"
#include "theon/linalg.hpp"

namespace theon::rw {

namespace {

// The Linalg op computing v with function f (null otherwise).
const ops::Linalg* linalg_of(const Var& v, LinalgFn f) {
  if (!v || !v->owner || v->owner->op->kind() != OpKind::Linalg) return nullptr;
  const auto* l = static_cast<const ops::Linalg*>(v->owner->op.get());
  return l->fn() == f ? l : nullptr;
}

const ops::Linalg* linalg_node(const Apply& node, LinalgFn f) {
  if (node.op->kind() != OpKind::Linalg) return nullptr;
  const auto* l = static_cast<const ops::Linalg*>(node.op.get());
  return l->fn() == f ? l : nullptr;
}

// x when v is x with its last two axes swapped (a DimShuffle).
Var swapped_of(const Var& v) {
  if (!v->owner || v->owner->op->kind() != OpKind::DimShuffle) return nullptr;
  const std::vector<int>& order = dimshuffle_order(*v->owner->op);
  const int n = static_cast<int>(order.size());
  if (n < 2 || v->owner->inputs[0]->ndim() != n) return nullptr;
  for (int i = 0; i < n - 2; ++i)
    if (order[static_cast<size_t>(i)] != i) return nullptr;
  if (order[static_cast<size_t>(n - 2)] != n - 1 || order[static_cast<size_t>(n - 1)] != n - 2) return nullptr;
  return v->owner->inputs[0];
}

// dot(inv(a), b) / matmul(inv(a), b) -> solve(a, b) when nothing else reads
// inv(a): one LU and a triangular solve instead of LU, an inverse and a product.
std::vector<Var> inv_to_solve(FunctionGraph& fg, Apply& node) {
  if ((node.op->kind() != OpKind::Dot && node.op->kind() != OpKind::Matmul) || node.inputs.size() != 2) return {};
  const Var& inv = node.inputs[0];
  const Var& b = node.inputs[1];
  if (!linalg_of(inv, LinalgFn::Inv) || n_clients(fg, inv) != 1 || b->ndim() < 1) return {};
  const Var& a = inv->owner->inputs[0];
  if (b->ndim() == 1 && a->ndim() != 2) return {};  // a stack of inverses times one vector: leave it
  Var x = solve(a, b);
  return {x->dtype() == node.output(0)->dtype() ? x : cast(x, node.output(0)->dtype())};
}

// solve(a^T, b) -> solve(a, b, trans): the transpose is LAPACK's flag (a
// triangular structure flips with it).
std::vector<Var> solve_transpose(FunctionGraph&, Apply& node) {
  const ops::Linalg* l = linalg_node(node, LinalgFn::Solve);
  if (!l) return {};
  const Var a = swapped_of(node.inputs[0]);
  if (!a) return {};
  LinalgParams p = l->params();
  p.trans = !p.trans;
  if (p.structure == MatrixStructure::LowerTriangular)
    p.structure = MatrixStructure::UpperTriangular;
  else if (p.structure == MatrixStructure::UpperTriangular)
    p.structure = MatrixStructure::LowerTriangular;
  if (p.structure == MatrixStructure::LowerTriangular || p.structure == MatrixStructure::UpperTriangular)
    p.lower = p.structure == MatrixStructure::LowerTriangular;
  else if (p.structure != MatrixStructure::General)
    p.lower = !p.lower;  // the same entries, read from a
  return {linalg(p, {a, node.inputs[1]})[0]};
}

// solve(cholesky(x), b) -> solve_triangular(cholesky(x), b): a Cholesky factor
// is triangular, so no LU is needed.
std::vector<Var> solve_cholesky_factor(FunctionGraph&, Apply& node) {
  const ops::Linalg* l = linalg_node(node, LinalgFn::Solve);
  if (!l || l->params().structure != MatrixStructure::General) return {};
  const ops::Linalg* c = linalg_of(node.inputs[0], LinalgFn::Cholesky);
  if (!c || c->params().nan_on_error) return {};
  LinalgParams p = l->params();
  p.lower = c->params().lower;
  p.structure = p.lower ? MatrixStructure::LowerTriangular : MatrixStructure::UpperTriangular;
  return {linalg(p, {node.inputs[0], node.inputs[1]})[0]};
}

// The Cholesky factor c and its triangle when v = c c^T (lower) or c^T c
// (upper) of a factor made by cholesky(): a Dot or Matmul of the factor and
// its transpose, in that order.
bool cholesky_product(const Var& v, Var* c, bool* lower) {
  if (!v->owner || (v->owner->op->kind() != OpKind::Dot && v->owner->op->kind() != OpKind::Matmul)) return false;
  const Var &x = v->owner->inputs[0], &y = v->owner->inputs[1];
  if (x->ndim() < 2 || y->ndim() < 2) return false;
  if (const ops::Linalg* l = linalg_of(x, LinalgFn::Cholesky); l && l->params().lower && swapped_of(y) == x) {
    *c = x;
    *lower = true;
    return !l->params().nan_on_error;
  }
  if (const ops::Linalg* u = linalg_of(y, LinalgFn::Cholesky); u && !u->params().lower && swapped_of(x) == y) {
    *c = y;
    *lower = false;
    return !u->params().nan_on_error;
  }
  return false;
}

// solve(c c^T, b) with c a Cholesky factor -> cho_solve((c, lower), b): two
// triangular solves instead of a product and an LU.
std::vector<Var> solve_cholesky_product(FunctionGraph&, Apply& node) {
  const ops::Linalg* l = linalg_node(node, LinalgFn::Solve);
  if (!l || l->params().trans) return {};
  const MatrixStructure s = l->params().structure;
  if (s != MatrixStructure::General && s != MatrixStructure::Symmetric && s != MatrixStructure::PosDef) return {};
  Var c;
  bool lower = true;
  if (!cholesky_product(node.inputs[0], &c, &lower)) return {};
  return {cho_solve(c, node.inputs[1], lower)};
}

// The product of the last axis of the diagonal of x (..., n, n).
Var diagonal_product(const Var& x) {
  const Var n = shape_i(x, x->ndim() - 1);
  const Var eye_n = eye(n, n, scalar_constant<int64_t>(0), x->dtype());
  const Var diag = sum(mul(x, eye_n), std::vector<int>{x->ndim() - 1});
  return prod(diag, std::vector<int>{x->ndim() - 2});
}

// det(cholesky(x)) -> the product of the factor's diagonal (triangular);
// det(c c^T) -> its square.
std::vector<Var> det_triangular(FunctionGraph&, Apply& node) {
  if (!linalg_node(node, LinalgFn::Det)) return {};
  Var c;
  bool lower = true;
  if (cholesky_product(node.inputs[0], &c, &lower)) return {sqr(diagonal_product(c))};
  const ops::Linalg* ch = linalg_of(node.inputs[0], LinalgFn::Cholesky);
  if (!ch || ch->params().nan_on_error) return {};
  return {diagonal_product(node.inputs[0])};
}

// log(det(x)) -> slogdet's log|det| where the sign is not negative (log of a
// negative number is NaN), without the overflow of det for large matrices.
std::vector<Var> log_det(FunctionGraph& fg, Apply& node) {
  if (!is_op(node, ScalarOpId::log) || node.inputs.size() != 1) return {};
  const Var& d = node.inputs[0];
  if (!linalg_of(d, LinalgFn::Det) || n_clients(fg, d) != 1) return {};
  const std::vector<Var> sl = slogdet(d->owner->inputs[0]);
  const Var nan = scalar_like(std::numeric_limits<double>::quiet_NaN(), sl[1]);
  return {switch_(lt(sl[0], scalar_like(0.0, sl[0])), nan, sl[1])};
}

}  // namespace

const std::vector<NodeRule>& linalg_rules() {
  static const std::vector<NodeRule> rules = {
      {"inv_to_solve", "stabilize", {OpKind::Dot, OpKind::Matmul}, {"local", "linalg"}, inv_to_solve},
      {"solve_transpose", "specialize", {OpKind::Linalg}, {"local", "linalg"}, solve_transpose},
      {"solve_cholesky_factor", "specialize", {OpKind::Linalg}, {"local", "linalg"}, solve_cholesky_factor},
      {"solve_cholesky_product", "specialize", {OpKind::Linalg}, {"local", "linalg"}, solve_cholesky_product},
      {"det_triangular", "specialize", {OpKind::Linalg}, {"local", "linalg"}, det_triangular},
      {"log_det", "stabilize", {OpKind::Elemwise}, {"local", "linalg"}, log_det},
  };
  return rules;
}

}  // namespace theon::rw
