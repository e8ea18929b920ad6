// Ops that walk one axis at a time: Sort, ArgSort, CumOp (cumsum/cumprod),
// SearchSorted and Nonzero: their builders and gradients. The kernels live in
// backend/cpu/sort_scan.cpp.
#include "ops/sort_scan.hpp"

#include <algorithm>
#include <cmath>

#include "ops/op_info.hpp"
#include "theon/grad.hpp"
#include "theon/ops.hpp"

namespace theon {

namespace ops {

// d sort(x) / dx routes each output gradient back to where its value came
// from: grad_x = g taken at the rank of each x value.
std::vector<Var> Sort::grad(const Apply& node, const std::vector<Var>& g) const {
  const Var& x = node.inputs[0];
  return {take_along_axis(g[0], argsort(argsort(x, axis_), axis_), axis_)};
}

std::string TopK::name() const {
  std::string s = "TopK{axis=" + std::to_string(axis_);
  if (values_) s += ",values";
  if (indices_) s += ",indices:" + std::string(dtype_name(idx_dtype_));
  return s + "}";
}

std::vector<TensorType> TopK::infer_types(const std::vector<Var>& in) const {
  if (in.size() != 2) throw TypeError(name() + " takes 2 inputs (x, k), got " + std::to_string(in.size()));
  check_input({in[0]}, false);
  if (in[1]->ndim() != 0 || !is_int(in[1]->dtype()))
    throw TypeError(name() + ": k must be an integer scalar, got " + in[1]->type.str());
  Shape shape = in[0]->type.shape;
  double k = 0;
  shape[axis_] = get_constant_scalar(in[1], &k) ? static_cast<int64_t>(std::fabs(k)) : -1;
  if (shape[axis_] == 0) throw ValueError(name() + ": k must not be 0");
  if (shape[axis_] > 0 && in[0]->type.shape[axis_] >= 0 && shape[axis_] > in[0]->type.shape[axis_])
    throw ValueError(name() + ": |k| = " + std::to_string(shape[axis_]) + " exceeds the length " +
                     std::to_string(in[0]->type.shape[axis_]) + " of axis " + std::to_string(axis_) + " of " +
                     in[0]->type.str());
  std::vector<TensorType> out;
  if (values_) out.emplace_back(in[0]->dtype(), shape);
  if (indices_) out.emplace_back(idx_dtype_, shape);
  return out;
}

Var TopK::infer_shape(const Apply& node, int, int axis, const InputSize& input_size) const {
  if (axis != axis_) return input_size(0, axis);
  const Var& k = node.inputs[1];
  return cast(abs(k), DType::Int64);
}

// The values' gradient goes back to the positions they came from: zeros with
// g added at [arange, ..., positions, ..., arange] (take_along_axis's index).
std::vector<Var> TopK::grad(const Apply& node, const std::vector<Var>& g) const {
  const Var& x = node.inputs[0];
  if (!values_ || !g[0]) return {nullptr, nullptr};
  const Var pos =
      indices_ ? const_cast<Apply&>(node).output(1) : topk(x, node.inputs[1], axis_, false, true, idx_dtype_)[0];
  return {inc_subtensor(take_along_axis(zeros_like(x), pos, axis_), g[0]), nullptr};
}

// d/dx_i of sum_k g_k y_k, y = cumprod(x): sum_{k>=i} g_k prod_{j<=k, j!=i} x_j.
// With z the first zero of a lane: before z it is the usual
// sum_{k>=i} g_k y_k / x_i (y_k is 0 from z on, so no later term counts);
// at z it is prod_{j<z} x_j * sum_{k>=z} g_k prod_{z<j<=k} x_j; after z, 0.
template <class Reverse>
Var CumOp::cumprod_grad(const Var& x, const Var& y, const Var& g, const Reverse& reverse) const {
  const std::vector<int> ax{axis_};
  const Var zero = scalar_like(0, x), one = scalar_like(1, x);
  const Var is_zero = eq(x, zero);
  const Var zero_int = cast(is_zero, DType::Int64);
  const Var count = cumsum(zero_int, axis_);  // zeros up to and including i
  const Var int0 = scalar_constant<int64_t>(0);
  const Var before_first = eq(count, int0);
  const Var first = and_(is_zero, eq(count, scalar_constant<int64_t>(1)));
  const Var safe = switch_(is_zero, one, x);
  const Var usual = true_div(reverse(cumsum(reverse(mul(y, g)), axis_)), safe);
  // Ones up to and including z, then the running product of the x's after it.
  const Var after = cumprod(switch_(eq(sub(count, zero_int), int0), one, x), axis_);
  const Var tail = sum(switch_(before_first, zero, mul(g, after)), ax, true);
  const Var head = prod(switch_(before_first, x, one), ax, true);
  const Var r = switch_(before_first, usual, switch_(first, mul(head, tail), zero));
  return r->dtype() == x->dtype() ? r : cast(r, x->dtype());
}

// cumsum: each x_i feeds every later output, so grad = reversed cumsum of
// reversed g. cumprod: the same over fx * g, divided by x, which is 0/0
// at a zero; see cumprod_grad.
std::vector<Var> CumOp::grad(const Apply& node, const std::vector<Var>& g) const {
  const Var& x = node.inputs[0];
  if (!is_float(x->dtype()) && !is_complex(x->dtype())) return {nullptr};
  auto reverse = [&](const Var& v) {
    std::vector<IndexEntry> idx(axis_ + 1, IndexEntry::slice());
    idx[axis_] = IndexEntry::slice(nullptr, nullptr, scalar_constant<int64_t>(-1));
    return subtensor(v, idx);
  };
  if (!mul_) return {reverse(cumsum(reverse(g[0]), axis_))};
  return {cumprod_grad(x, const_cast<Apply&>(node).output(0), g[0], reverse)};
}

}  // namespace ops

namespace {

int one_axis(int axis, int ndim, const char* op) { return normalize_axes(std::vector<int>{axis}, ndim, op)[0]; }

}  // namespace

Var sort(const Var& x, std::optional<int> axis) {
  if (!axis) return sort(flatten(x, 1), 0);
  return apply1(std::make_shared<ops::Sort>(one_axis(*axis, std::max(x->ndim(), 1), "sort")), {x});
}

Var argsort(const Var& x, std::optional<int> axis) {
  if (!axis) return argsort(flatten(x, 1), 0);
  return apply1(std::make_shared<ops::ArgSort>(one_axis(*axis, std::max(x->ndim(), 1), "argsort")), {x});
}

std::vector<Var> topk(const Var& x, const Var& k, std::optional<int> axis, bool values, bool indices, DType idx_dtype) {
  if (!axis) return topk(flatten(x, 1), k, 0, values, indices, idx_dtype);
  if (!values && !indices) throw ValueError("topk: asks for neither the values nor the indices");
  if (!is_int(idx_dtype))
    throw TypeError("topk: idx_dtype must be an integer dtype, got " + std::string(dtype_name(idx_dtype)));
  const int ax = one_axis(*axis, std::max(x->ndim(), 1), "topk");
  ApplyPtr node = make_apply(std::make_shared<ops::TopK>(ax, values, indices, idx_dtype), {x, k});
  return node->outputs();
}

int sort_scan_axis(const Op& op) { return static_cast<const ops::AxisOp&>(op).axis(); }

TopKOutputs topk_outputs(const Op& op) {
  const auto& t = static_cast<const ops::TopK&>(op);
  return {t.returns_values(), t.returns_indices(), t.idx_dtype()};
}

Var cumsum(const Var& x, std::optional<int> axis) {
  if (!axis) return cumsum(flatten(x, 1), 0);
  return apply1(std::make_shared<ops::CumOp>(one_axis(*axis, std::max(x->ndim(), 1), "cumsum"), false), {x});
}

Var cumprod(const Var& x, std::optional<int> axis) {
  if (!axis) return cumprod(flatten(x, 1), 0);
  return apply1(std::make_shared<ops::CumOp>(one_axis(*axis, std::max(x->ndim(), 1), "cumprod"), true), {x});
}

Var searchsorted(const Var& a, const Var& v, bool right) {
  const DType d = upcast(a->dtype(), v->dtype());  // compared in one dtype, exactly
  return apply1(std::make_shared<ops::SearchSorted>(right),
                {a->dtype() == d ? a : cast(a, d), v->dtype() == d ? v : cast(v, d)});
}

std::vector<Var> nonzero(const Var& x) {
  ApplyPtr node = make_apply(std::make_shared<ops::Nonzero>(), {x});
  std::vector<Var> out;
  for (int i = 0; i < node->num_outputs(); ++i) out.push_back(node->output(i));
  return out;
}

// x[i0, ..., idx, ..., in] with each other axis indexed by a broadcast arange:
// advanced indexing whose gradient (an increment) already exists.
Var take_along_axis(const Var& x, const Var& idx, int axis) {
  const int nd = x->ndim();
  if (idx->ndim() != nd)
    throw ValueError("take_along_axis: the indices need the array's " + std::to_string(nd) + " dimensions, got " +
                     idx->type.str() + " for " + x->type.str());
  axis = one_axis(axis, nd, "take_along_axis");
  std::vector<IndexEntry> index;
  for (int d = 0; d < nd; ++d) {
    if (d == axis) {
      index.push_back(IndexEntry::array(idx));
      continue;
    }
    Var r = arange(scalar_constant<int64_t>(0), shape_i(x, d), scalar_constant<int64_t>(1), DType::Int64);
    std::vector<int> order(nd, -1);
    order[d] = 0;
    index.push_back(IndexEntry::array(dimshuffle(r, order)));
  }
  return subtensor(x, index);
}

}  // namespace theon
