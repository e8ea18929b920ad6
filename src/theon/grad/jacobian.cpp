// Jacobians and Hessians: one gradient per row of the expression, looped by
// scan (map_index), so the expression's length may be symbolic.
#include "theon/grad.hpp"
#include "theon/map.hpp"
#include "theon/ops.hpp"

namespace theon {

std::vector<Var> jacobian(const Var& expression, const std::vector<Var>& wrt, const GradOptions& opts) {
  if (!expression) throw TypeError("jacobian: the expression is None");
  if (expression->ndim() > 1)
    throw ValueError("jacobian: the expression must be a scalar or a vector, got " + expression->type.str() +
                     "; flatten it first");
  if (expression->ndim() == 0) return grad(expression, wrt, opts);
  Var index = variable(TensorType(DType::Int64, {}), "i");
  std::vector<Var> rows = grad(subtensor(expression, {IndexEntry::integer(index)}), wrt, opts);
  int64_t len = expression->type.shape[0];
  Var n = len >= 0 ? scalar_constant<int64_t>(len) : shape_i(expression, 0);
  return map_index(n, index, rows, "jacobian");
}

std::vector<Var> hessian(const Var& cost, const std::vector<Var>& wrt, const GradOptions& opts) {
  if (!cost) throw TypeError("hessian: cost is None");
  if (cost->ndim() != 0) throw TypeError("hessian: cost must be a scalar, got " + cost->type.str());
  std::vector<Var> out;
  for (const auto& w : wrt) {
    if (!w || w->ndim() != 1)
      throw TypeError("hessian: every wrt must be a vector, got " + (w ? w->type.str() : std::string("None")));
    Var g = grad(cost, w, opts);
    out.push_back(jacobian(g, {w}, opts)[0]);
  }
  return out;
}

}  // namespace theon
