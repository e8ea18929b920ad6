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

std::vector<TensorType> CrossentropySoftmax1Hot::infer_types(const std::vector<Var>& in) const {
  const std::string op = name();
  const size_t want = bias_ ? 3 : 2;
  if (in.size() != want)
    throw TypeError(op + " takes " + std::to_string(want) + " inputs (x" + (bias_ ? ", b" : "") + ", y_idx), got " +
                    std::to_string(in.size()));
  const TensorType& x = in[0]->type;
  const TensorType& y = in.back()->type;
  if (x.ndim() != 2 || !is_float(x.dtype) || x.dtype == DType::Float16)
    throw TypeError(op + ": x must be a float32 or float64 matrix of logits, got " + x.str());
  if (bias_) {
    const TensorType& b = in[1]->type;
    if (b.ndim() != 1 || b.dtype != x.dtype)
      throw TypeError(op + ": b must be a vector of x's dtype " + std::string(dtype_name(x.dtype)) + ", got " +
                      b.str());
  }
  if (y.ndim() != 1 || !is_int(y.dtype))
    throw TypeError(op + ": y_idx must be a vector of integer labels, got " + y.str());
  return {TensorType(x.dtype, {x.shape[0]}), TensorType(x.dtype, x.shape), TensorType(DType::Int64, {x.shape[0]})};
}

Var CrossentropySoftmax1Hot::infer_shape(const Apply&, int output, int axis, const InputSize& input_size) const {
  return input_size(0, output == 1 ? axis : 0);
}

std::vector<Var> CrossentropySoftmax1Hot::grad(const Apply& node, const std::vector<Var>& gouts) const {
  const Var& x = node.inputs[0];
  const Var& y = node.inputs.back();
  Apply& n = const_cast<Apply&>(node);
  const Var sm = n.output(1);
  Var gx;
  if (gouts[0])
    gx = crossentropy_softmax_1hot_dx(gouts[0]->dtype() == x->dtype() ? gouts[0] : cast(gouts[0], x->dtype()), sm, y);
  if (gouts[1]) {  // softmax's own vector-Jacobian product
    const Var g = gouts[1]->dtype() == x->dtype() ? gouts[1] : cast(gouts[1], x->dtype());
    const Var t = mul(sm, sub(g, sum(mul(g, sm), std::vector<int>{1}, true)));
    gx = gx ? add(gx, t) : t;
  }
  if (!gx) gx = zeros_like(x);
  std::vector<Var> out{gx};
  if (bias_) out.push_back(sum(gx, std::vector<int>{0}));
  out.push_back(nullptr);
  return out;
}

std::vector<TensorType> CrossentropySoftmax1HotDx::infer_types(const std::vector<Var>& in) const {
  const std::string op = name();
  if (in.size() != 3) throw TypeError(op + " takes 3 inputs (dy, sm, y_idx), got " + std::to_string(in.size()));
  const TensorType &dy = in[0]->type, &sm = in[1]->type, &y = in[2]->type;
  if (sm.ndim() != 2 || !is_float(sm.dtype) || sm.dtype == DType::Float16)
    throw TypeError(op + ": sm must be a float32 or float64 matrix, got " + sm.str());
  if (dy.ndim() != 1 || dy.dtype != sm.dtype)
    throw TypeError(op + ": dy must be a vector of sm's dtype " + std::string(dtype_name(sm.dtype)) + ", got " +
                    dy.str());
  if (y.ndim() != 1 || !is_int(y.dtype))
    throw TypeError(op + ": y_idx must be a vector of integer labels, got " + y.str());
  return {TensorType(sm.dtype, sm.shape)};
}

Var CrossentropySoftmax1HotDx::infer_shape(const Apply&, int, int axis, const InputSize& input_size) const {
  return input_size(1, axis);
}

std::vector<Var> CrossentropySoftmax1HotDx::grad(const Apply& node, const std::vector<Var>& gouts) const {
  const Var &dy = node.inputs[0], &sm = node.inputs[1], &y = node.inputs[2];
  const Var& g = gouts[0];
  // dx[i, j] = dy[i] * (sm[i, j] - [j == y[i]]): linear in dy, and dy[i] * g in sm.
  const Var unit = crossentropy_softmax_1hot_dx(ones_like(dy), sm, y);  // sm - onehot(y)
  return {sum(mul(g, unit), std::vector<int>{1}), mul(g, dimshuffle(dy, {0, -1})), nullptr};
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

std::vector<Var> crossentropy_softmax_1hot(const Var& x, const Var& b, const Var& y) {
  auto op = std::make_shared<ops::CrossentropySoftmax1Hot>(b != nullptr);
  return make_apply(op, b ? std::vector<Var>{x, b, y} : std::vector<Var>{x, y})->outputs();
}

Var crossentropy_softmax_1hot_dx(const Var& dy, const Var& sm, const Var& y) {
  return apply1(std::make_shared<ops::CrossentropySoftmax1HotDx>(), {dy, sm, y});
}

namespace {
// x when v = DimShuffle{0,x}(reduce(x, axis=[1])) of the given kind.
Var row_reduced(const Var& v, ReduceKind kind) {
  if (!v->owner || v->owner->op->kind() != OpKind::DimShuffle) return nullptr;
  if (dimshuffle_order(*v->owner->op) != std::vector<int>{0, -1}) return nullptr;
  const Var& r = v->owner->inputs[0];
  if (!r->owner || r->owner->op->kind() != OpKind::Reduce || reduce_kind_of(*r->owner->op) != kind) return nullptr;
  if (reduce_axes(*r->owner->op) != std::vector<int>{1}) return nullptr;
  return r->owner->inputs[0];
}

// The same computation: one variable, or equal ops over the same inputs (a
// user's graph spells z - max(z) twice before the merge phase unifies them).
bool same_value(const Var& a, const Var& b, int depth = 0) {
  if (a == b) return true;
  if (!a || !b || depth > 8 || !a->owner || !b->owner || a->index != b->index) return false;
  const Apply &p = *a->owner, &q = *b->owner;
  if (p.inputs.size() != q.inputs.size() || !p.op->equals(*q.op)) return false;
  for (size_t i = 0; i < p.inputs.size(); ++i)
    if (!same_value(p.inputs[i], q.inputs[i], depth + 1)) return false;
  return true;
}

bool is_elemwise(const Var& v, ScalarOpId id) {
  return v->owner && v->owner->op->kind() == OpKind::Elemwise && elemwise_id(*v->owner->op) == id;
}
}  // namespace

Var log_softmax_logits(const Var& v) {
  if (!v || v->ndim() != 2 || !v->owner) return nullptr;
  const Apply& n = *v->owner;
  if (n.op->kind() == OpKind::Softmax) return softmax_is_log(*n.op) && softmax_axis(*n.op) == 1 ? n.inputs[0] : nullptr;
  if (is_elemwise(v, ScalarOpId::log)) {  // log(softmax(x))
    const Var& s = n.inputs[0];
    if (s->owner && s->owner->op->kind() == OpKind::Softmax && !softmax_is_log(*s->owner->op) &&
        softmax_axis(*s->owner->op) == 1)
      return s->owner->inputs[0];
    return nullptr;
  }
  // z - log(sum(exp(z), axis=1, keepdims=True)), z = x or x - max(x, axis=1, keepdims=True)
  if (!is_elemwise(v, ScalarOpId::sub)) return nullptr;
  const Var& z = n.inputs[0];
  const Var& l = n.inputs[1];
  // log(sum(exp(z), axis=1, keepdims)), or the LogSumExp op the stabilize phase makes of it
  const bool lse = l->owner && l->owner->op->kind() == OpKind::DimShuffle &&
                   dimshuffle_order(*l->owner->op) == std::vector<int>{0, -1} && l->owner->inputs[0]->owner &&
                   l->owner->inputs[0]->owner->op->kind() == OpKind::LogSumExp &&
                   logsumexp_axis(*l->owner->inputs[0]->owner->op) == 1 &&
                   same_value(l->owner->inputs[0]->owner->inputs[0], z);
  if (!lse) {
    if (!is_elemwise(l, ScalarOpId::log)) return nullptr;
    const Var e = row_reduced(l->owner->inputs[0], ReduceKind::Sum);
    if (!e || !is_elemwise(e, ScalarOpId::exp) || !same_value(e->owner->inputs[0], z)) return nullptr;
  }
  if (is_elemwise(z, ScalarOpId::sub)) {
    const Var& x = z->owner->inputs[0];
    if (same_value(row_reduced(z->owner->inputs[1], ReduceKind::Max), x)) return x;
  }
  return z;
}

bool label_pick(const Apply& node, LabelPick* out) {
  if (node.op->kind() != OpKind::Subtensor || !index_advanced(*node.op) || node.inputs[0]->ndim() != 2) return false;
  const std::vector<IndexEntry> idx = index_entries(node);
  if (idx.size() != 2 || idx[0].kind != IndexEntry::Array || idx[1].kind != IndexEntry::Array) return false;
  const Var &rows = idx[0].index, &labels = idx[1].index;
  if (labels->ndim() != 1 || !is_int(labels->dtype())) return false;
  if (!rows->owner || rows->owner->op->kind() != OpKind::ARange) return false;
  double start, step;
  if (!get_constant_scalar(rows->owner->inputs[0], &start) || start != 0 ||
      !get_constant_scalar(rows->owner->inputs[2], &step) || step != 1)
    return false;
  const Var x = log_softmax_logits(node.inputs[0]);
  if (!x || (x->dtype() != DType::Float32 && x->dtype() != DType::Float64) || x->dtype() != node.inputs[0]->dtype())
    return false;
  *out = {x, labels, rows->owner->inputs[1]};
  return true;
}

namespace {
// Is `rows` the length of v (v.shape[0], as Shape_i or as Shape(v)[0])?
bool is_length_of(const Var& rows, const Var& v) {
  if (!rows->owner) return false;
  const Apply& n = *rows->owner;
  if (n.op->kind() == OpKind::ShapeI) return shape_i_axis(*n.op) == 0 && same_value(n.inputs[0], v);
  if (n.op->kind() != OpKind::Subtensor || index_advanced(*n.op) || n.inputs.size() != 2) return false;
  const Var& s = n.inputs[0];
  double k;
  return s->owner && s->owner->op->kind() == OpKind::Shape && same_value(s->owner->inputs[0], v) &&
         get_constant_scalar(n.inputs[1], &k) && k == 0;
}
}  // namespace

bool label_pick_rows_implied(const LabelPick& p) {
  // The op checks one label per row itself: arange(len(labels)) or
  // arange(len(logits)) needs nothing more.
  return is_length_of(p.rows, p.labels) || is_length_of(p.rows, p.logits);
}

Var check_label_pick_rows(const Var& v, const LabelPick& p) {
  if (label_pick_rows_implied(p)) return v;
  const Var rows = p.rows->dtype() == DType::Int64 ? p.rows : cast(p.rows, DType::Int64);
  return assert_op(v, {eq(rows, shape_i(p.logits, 0))},
                   "the crossentropy of a log-softmax picked with arange(n) rows needs n equal to the number of "
                   "rows of the logits (one label per row)",
                   CheckFailure::Value);
}

Var label_pick_as_crossentropy(const LabelPick& p) {
  return neg(check_label_pick_rows(crossentropy_softmax_1hot(p.logits, nullptr, p.labels)[0], p));
}

int softmax_axis(const Op& op) { return as_softmax(op).axis(); }
int logsumexp_axis(const Op& op) { return static_cast<const ops::LogSumExp&>(op).axis(); }
bool softmax_is_log(const Op& op) { return as_softmax(op).log_form(); }

}  // namespace theon
