// The nnet ops: Softmax, LogSoftmax and LogSumExp over one axis. Their
// kernels (backend/cpu/nnet.cpp) work a row at a time, so nothing overflows
// for large inputs; the gradients are small elementwise graphs (they fuse),
// so every order of derivative exists.
#include "ops/nnet.hpp"

#include <string>
#include <vector>

#include "ops/op_info.hpp"
#include "theon/ops.hpp"

namespace theon {

namespace {

// The one real input of a row op (Softmax, LogSumExp) with `axis` in range.
const TensorType& row_input_type(const std::string& op, const std::vector<Var>& in, int axis) {
  if (in.size() != 1) throw TypeError(op + " takes one input, got " + std::to_string(in.size()));
  const TensorType& t = in[0]->type;
  if (is_complex(t.dtype) || t.dtype == DType::Bool)
    throw TypeError(op + ": needs a real (float or integer) input, got " + t.str());
  if (axis >= t.ndim())
    throw AxisError(op + ": axis " + std::to_string(axis) + " is out of bounds for an input with " +
                    std::to_string(t.ndim()) + " dimensions");
  return t;
}

}  // namespace

namespace ops {

std::vector<TensorType> Softmax::infer_types(const std::vector<Var>& in) const {
  const TensorType& t = row_input_type(name(), in, axis_);
  return {TensorType(upgrade_to_float(t.dtype), t.shape)};
}

std::vector<Var> Softmax::grad(const Apply& node, const std::vector<Var>& gouts) const {
  const Var& x = node.inputs[0];
  if (!is_float(x->dtype())) return {nullptr};
  return {vjp(node, gouts[0])};
}

std::vector<Var> Softmax::rop(const Apply& node, const std::vector<Var>& t) const {
  if (!t[0]) return {nullptr};
  const Var y = const_cast<Apply&>(node).output(0);
  Var dx = t[0]->dtype() == y->dtype() ? t[0] : cast(t[0], y->dtype());
  if (!log_) return {vjp(node, dx)};                                                   // the Jacobian is symmetric
  return {sub(dx, sum(mul(probabilities(node), dx), std::vector<int>{axis_}, true))};  // (I - 1 sm^T) dx
}

// softmax(x) for this node. The log form's Jacobian needs it; exp of the
// log-softmax would do, but is off by up to |log p| ulps, and those errors
// differ per column (exp(-log 5) is not 0.2), so rows that should stay
// symmetric under gradient steps drift apart.
Var Softmax::probabilities(const Apply& node) const {
  if (!log_) return const_cast<Apply&>(node).output(0);
  return softmax(node.inputs[0], axis_);
}

// The vector-Jacobian product of the node (softmax or log-softmax).
Var Softmax::vjp(const Apply& node, const Var& g) const {
  const std::vector<int> ax{axis_};
  const Var p = probabilities(node);
  if (log_) return sub(g, mul(p, sum(g, ax, true)));
  return mul(p, sub(g, sum(mul(g, p), ax, true)));
}

std::vector<TensorType> LogSumExp::infer_types(const std::vector<Var>& in) const {
  const TensorType& t = row_input_type(name(), in, axis_);
  Shape kept;
  for (int d = 0; d < t.ndim(); ++d)
    if (d != axis_) kept.push_back(t.shape[d]);
  return {TensorType(upgrade_to_float(t.dtype), kept)};
}

std::vector<Var> LogSumExp::grad(const Apply& node, const std::vector<Var>& gouts) const {
  const Var& x = node.inputs[0];
  if (!is_float(x->dtype())) return {nullptr};
  return {mul(softmax(x, axis_), expand(gouts[0], x->ndim()))};
}

std::vector<Var> LogSumExp::rop(const Apply& node, const std::vector<Var>& t) const {
  if (!t[0]) return {nullptr};
  const Var& x = node.inputs[0];
  Var dx = t[0]->dtype() == x->dtype() || !is_float(x->dtype()) ? t[0] : cast(t[0], x->dtype());
  return {sum(mul(softmax(x, axis_), dx), std::vector<int>{axis_})};
}

Var LogSumExp::expand(const Var& g, int ndim) const {
  std::vector<int> order;
  for (int d = 0, j = 0; d < ndim; ++d) order.push_back(d == axis_ ? -1 : j++);
  return dimshuffle(g, order);
}

}  // namespace ops

namespace {

const ops::Softmax& as_softmax(const Op& op) { return static_cast<const ops::Softmax&>(op); }

Var make_softmax(const Var& x, int axis, bool log_form) {
  const char* op = log_form ? "log_softmax" : "softmax";
  if (x->ndim() == 0)
    throw TypeError(std::string(op) + ": needs an input with at least one dimension, got " + x->type.str());
  const int a = normalize_axes(std::vector<int>{axis}, x->ndim(), op)[0];
  return apply1(std::make_shared<ops::Softmax>(a, log_form), {x});
}

}  // namespace

Var softmax(const Var& x, int axis) { return make_softmax(x, axis, false); }
Var log_softmax(const Var& x, int axis) { return make_softmax(x, axis, true); }

Var logsumexp(const Var& x, int axis) {
  if (x->ndim() == 0) throw TypeError("logsumexp: needs an input with at least one dimension, got " + x->type.str());
  const int a = normalize_axes(std::vector<int>{axis}, x->ndim(), "logsumexp")[0];
  return apply1(std::make_shared<ops::LogSumExp>(a), {x});
}

int softmax_axis(const Op& op) { return as_softmax(op).axis(); }
bool softmax_is_log(const Op& op) { return as_softmax(op).log_form(); }

}  // namespace theon
