// Reverse-mode symbolic differentiation.
#pragma once
#include <utility>
#include <vector>

#include "theon/graph.hpp"

namespace theon {

enum class DisconnectedPolicy : uint8_t { Raise, Warn, Ignore };

struct GradOptions {
  std::vector<Var> consider_constant;  // treated as constants
  DisconnectedPolicy disconnected_inputs = DisconnectedPolicy::Raise;
  std::vector<std::pair<Var, Var>> known_grads;  // (variable, its gradient)
  // A gradient that does not exist (undefined_grad, an op without a
  // gradient) reaching a wrt: raise NullTypeGradError, or return the null
  // gradient (is_null_grad tells it apart).
  bool null_gradients_raise = true;
  // A known gradient replaces what the variable's readers send back
  // (Theano's theano.grad), or adds to it (what an inner graph's
  // vector-Jacobian product needs when one output reads another).
  bool known_grads_replace = false;
};

// d cost / d wrt[i] for a scalar cost; a gradient has its wrt's type (float
// wrt) and is zero for a disconnected wrt unless the policy raises.
std::vector<Var> grad(const Var& cost, const std::vector<Var>& wrt, const GradOptions& opts = {});
Var grad(const Var& cost, const Var& wrt, const GradOptions& opts = {});

// Forward mode: R[i] = sum_j (d f[i] / d wrt[j]) eval_points[j]. A
// disconnected output raises DisconnectedInputError or (Warn/Ignore) gives nullptr.
std::vector<Var> Rop(const std::vector<Var>& f, const std::vector<Var>& wrt, const std::vector<Var>& eval_points,
                     DisconnectedPolicy disconnected_outputs = DisconnectedPolicy::Raise);
// Reverse mode from given output gradients: L[j] = sum_i eval_points[i] . (d f[i] / d wrt[j]).
std::vector<Var> Lop(const std::vector<Var>& f, const std::vector<Var>& wrt, const std::vector<Var>& eval_points,
                     GradOptions opts = {});

// d expression[i] / d wrt[j] for a scalar or vector expression: one tensor per
// wrt of shape expression.shape + wrt.shape. The length may be symbolic.
std::vector<Var> jacobian(const Var& expression, const std::vector<Var>& wrt, const GradOptions& opts = {});
// The Hessian of a scalar cost with respect to each vector in wrt.
std::vector<Var> hessian(const Var& cost, const std::vector<Var>& wrt, const GradOptions& opts = {});

// Sums `g` over the axes that `like` broadcast, so g gets like's shape.
Var sum_to_like(const Var& g, const Var& like);

}  // namespace theon
