// Reductions: Reduce (Theano's CAReduce: sum/prod/max/min/all/any over a set
// of axes, dropping them), Argmax/Argmin, and the builders of ops.hpp's
// "reductions" section (mean/var/std are compositions). The kernels live in
// backend/cpu/reduce.cpp.
#include "ops/reduce.hpp"

#include <algorithm>

#include "ops/fused_ops.hpp"
#include "ops/op_info.hpp"
#include "theon/grad.hpp"
#include "theon/ops.hpp"

namespace theon {

namespace {

std::string axes_str(const std::vector<int>& axes) {
  std::vector<std::string> p;
  for (int a : axes) p.push_back(std::to_string(a));
  return "[" + join_strings(p, ", ") + "]";
}

// The order inserting 'x' at `axes` of an ndim tensor (keepdims / grad expansion).
std::vector<int> expand_order(const std::vector<int>& axes, int ndim) {
  std::vector<int> order;
  int k = 0;
  for (int d = 0; d < ndim; ++d) order.push_back(std::find(axes.begin(), axes.end(), d) != axes.end() ? -1 : k++);
  return order;
}

}  // namespace

namespace ops {

void check_axes_fit(const std::string& op, const std::vector<int>& axes, int ndim) {
  for (int a : axes)
    if (a >= ndim)
      throw AxisError(op + ": axis " + std::to_string(a) + " is out of bounds for an input with " +
                      std::to_string(ndim) + " dimensions");
}

Shape kept_shape(const Shape& s, const std::vector<int>& axes) {
  Shape out;
  for (int d = 0; d < static_cast<int>(s.size()); ++d)
    if (std::find(axes.begin(), axes.end(), d) == axes.end()) out.push_back(s[d]);
  return out;
}

// ---- Reduce ----------------------------------------------------------------------

std::string Reduce::name() const { return std::string(reduce_kind_title(kind_)) + "{axis=" + axes_str(axes_) + "}"; }

std::vector<TensorType> Reduce::infer_types(const std::vector<Var>& in) const {
  if (in.size() != 1) throw TypeError(name() + " takes 1 input, got " + std::to_string(in.size()));
  const TensorType& t = in[0]->type;
  check_axes_fit(name(), axes_, t.ndim());
  if ((kind_ == ReduceKind::Max || kind_ == ReduceKind::Min) && is_complex(t.dtype))
    throw TypeError(name() + ": " + reduce_kind_name(kind_) + " is not defined for complex input of type " + t.str());
  return {TensorType(out_dtype(t.dtype), kept_shape(t.shape, axes_))};
}

// d prod / d x_i: the product of the other factors, broadcast back by
// `order`. prod / x_i is 0/0 where x_i is a zero, so the zeros are set
// aside: with p the product of the nonzero factors and k the number of
// zeros among the others, it is p / x_i (k = 0) or 0 (k >= 1). For k = 1
// the 0 is written as (p / x_i) * (the other zero), which is 0 in value
// but differentiates to the right second derivative.
Var Reduce::prod_of_others(const Var& x, const std::vector<int>& order) const {
  const Var zero = scalar_like(0, x);
  const Var is_zero = eq(x, zero);
  const Var safe = switch_(is_zero, scalar_like(1, x), x);
  const Var nonzero_prod = dimshuffle(prod(safe, axes_), order);
  const Var zero_count = cast(is_zero, DType::Int64);
  const Var other_zeros = sub(dimshuffle(sum(zero_count, axes_), order), zero_count);
  const Var zeros_only = switch_(is_zero, x, zero);
  const Var other_zero = sub(dimshuffle(sum(zeros_only, axes_), order), zeros_only);
  const Var others = true_div(nonzero_prod, safe);
  const Var int_zero = scalar_constant<int64_t>(0);
  return switch_(eq(other_zeros, int_zero), others,
                 switch_(eq(other_zeros, scalar_constant<int64_t>(1)), mul(others, other_zero), zero));
}

std::vector<Var> Reduce::grad(const Apply& node, const std::vector<Var>& gouts) const {
  const Var& x = node.inputs[0];
  if (!is_inexact(x->dtype()) || kind_ == ReduceKind::All || kind_ == ReduceKind::Any) return {nullptr};
  const std::vector<int> order = expand_order(axes_, x->ndim());
  Var gz = dimshuffle(gouts[0], order);
  Var g;
  switch (kind_) {
    case ReduceKind::Sum:
      g = fill(x, gz);
      break;
    case ReduceKind::Prod:
      g = mul(gz, prod_of_others(x, order));
      break;
    default: {
      Var m = dimshuffle(const_cast<Apply&>(node).output(0), order);
      g = mul(cast(eq(x, m), x->dtype()), gz);
      break;
    }
  }
  if (g->dtype() != x->dtype()) g = cast(g, x->dtype());
  return {g};
}

// ---- Argmax / Argmin -------------------------------------------------------------

std::string ArgReduce::name() const {
  return std::string(max_ ? "Argmax" : "Argmin") + "{axis=" + axes_str(axes_) + "}";
}

std::vector<TensorType> ArgReduce::infer_types(const std::vector<Var>& in) const {
  if (in.size() != 1) throw TypeError(name() + " takes 1 input, got " + std::to_string(in.size()));
  const TensorType& t = in[0]->type;
  check_axes_fit(name(), axes_, t.ndim());
  if (is_complex(t.dtype)) throw TypeError(name() + " is not defined for complex input of type " + t.str());
  return {TensorType(DType::Int64, kept_shape(t.shape, axes_))};
}

}  // namespace ops

namespace {

Var keep(const Var& r, const std::vector<int>& axes, int ndim, bool keepdims) {
  if (!keepdims) return r;
  return dimshuffle(r, expand_order(axes, ndim));
}

Var check_input(const Var& x, const char* op) {
  if (!x) throw TypeError(std::string(op) + ": input is None");
  return x;
}

// The element count of x over `axes` as a 0-d constant of `d` when statically
// known, else a product of Shape_i's cast to d.
Var count_of(const Var& x, const std::vector<int>& axes, DType d) {
  int64_t n = 1;
  bool known = true;
  for (int a : axes) {
    if (x->type.shape[a] < 0)
      known = false;
    else
      n *= x->type.shape[a];
  }
  if (known) return constant_like(static_cast<double>(n), d);
  Var c;
  for (int a : axes) {
    Var s = x->type.shape[a] >= 0 ? constant_like(static_cast<double>(x->type.shape[a]), DType::Int64) : shape_i(x, a);
    c = c ? mul(c, s) : s;
  }
  return cast(c, d);
}

}  // namespace

std::vector<int> normalize_axes(const Axes& axes, int ndim, const char* op) {
  std::vector<int> out;
  if (!axes) {
    for (int i = 0; i < ndim; ++i) out.push_back(i);
    return out;
  }
  for (int a : *axes) {
    if (a < -ndim || a >= ndim)
      throw AxisError(std::string(op) + ": axis " + std::to_string(a) + " is out of bounds for an array of dimension " +
                      std::to_string(ndim));
    int n = a < 0 ? a + ndim : a;
    if (std::find(out.begin(), out.end(), n) != out.end()) {
      std::vector<std::string> p;
      for (int b : *axes) p.push_back(std::to_string(b));
      throw ValueError(std::string(op) + ": duplicate value in axis (" + join_strings(p, ", ") +
                       ") for an array of dimension " + std::to_string(ndim));
    }
    out.push_back(n);
  }
  std::sort(out.begin(), out.end());
  return out;
}

const char* reduce_kind_title(ReduceKind k) {
  static const char* const titles[] = {
#define THEON_REDUCE_KIND_TITLE(kind, name) #kind,
      THEON_REDUCE_KINDS(THEON_REDUCE_KIND_TITLE)
#undef THEON_REDUCE_KIND_TITLE
  };
  return titles[static_cast<int>(k)];
}

const char* reduce_kind_name(ReduceKind k) {
  static const char* const names[] = {
#define THEON_REDUCE_KIND_NAME(kind, name) name,
      THEON_REDUCE_KINDS(THEON_REDUCE_KIND_NAME)
#undef THEON_REDUCE_KIND_NAME
  };
  return names[static_cast<int>(k)];
}

ReduceKind reduce_kind_from_name(const std::string& name) {
#define THEON_REDUCE_KIND_MATCH(kind, spelled) \
  if (name == spelled) return ReduceKind::kind;
  THEON_REDUCE_KINDS(THEON_REDUCE_KIND_MATCH)
#undef THEON_REDUCE_KIND_MATCH
  throw ValueError("unknown reduction '" + name + "'");
}

Var reduce(ReduceKind kind, const Var& x, const Axes& axes, bool keepdims) {
  check_input(x, reduce_kind_name(kind));
  std::vector<int> ax = normalize_axes(axes, x->ndim(), reduce_kind_name(kind));
  Var r = apply1(std::make_shared<ops::Reduce>(kind, ax), {x});
  return keep(r, ax, x->ndim(), keepdims);
}

Var sum(const Var& x, const Axes& axes, bool keepdims) { return reduce(ReduceKind::Sum, x, axes, keepdims); }
Var prod(const Var& x, const Axes& axes, bool keepdims) { return reduce(ReduceKind::Prod, x, axes, keepdims); }
Var max(const Var& x, const Axes& axes, bool keepdims) { return reduce(ReduceKind::Max, x, axes, keepdims); }
Var min(const Var& x, const Axes& axes, bool keepdims) { return reduce(ReduceKind::Min, x, axes, keepdims); }
Var all(const Var& x, const Axes& axes, bool keepdims) { return reduce(ReduceKind::All, x, axes, keepdims); }
Var any(const Var& x, const Axes& axes, bool keepdims) { return reduce(ReduceKind::Any, x, axes, keepdims); }

Var mean(const Var& x, const Axes& axes, bool keepdims) {
  check_input(x, "mean");
  std::vector<int> ax = normalize_axes(axes, x->ndim(), "mean");
  // float16, as Theano: summed in float32 (float16 overflows at 65504), divided, rounded once.
  if (x->dtype() == DType::Float16) return cast(mean(cast(x, DType::Float32), ax, keepdims), DType::Float16);
  Var s = sum(x, ax, keepdims);
  // Theano: divide by the count cast to float32 for float32/complex64 sums, else float64.
  DType cd = (s->dtype() == DType::Float32 || s->dtype() == DType::Complex64) ? DType::Float32 : DType::Float64;
  return true_div(s, count_of(x, ax, cd));
}

Var var(const Var& x, const Axes& axes, bool keepdims) {
  check_input(x, "var");
  std::vector<int> ax = normalize_axes(axes, x->ndim(), "var");
  Var m = mean(x, ax, /*keepdims=*/true);
  return mean(sqr(sub(x, m)), ax, keepdims);
}

Var stddev(const Var& x, const Axes& axes, bool keepdims) { return sqrt(var(x, axes, keepdims)); }

Var argmax(const Var& x, const Axes& axes, bool keepdims) {
  check_input(x, "argmax");
  std::vector<int> ax = normalize_axes(axes, x->ndim(), "argmax");
  Var r = apply1(std::make_shared<ops::ArgReduce>(true, ax), {x});
  return keep(r, ax, x->ndim(), keepdims);
}

Var argmin(const Var& x, const Axes& axes, bool keepdims) {
  check_input(x, "argmin");
  std::vector<int> ax = normalize_axes(axes, x->ndim(), "argmin");
  Var r = apply1(std::make_shared<ops::ArgReduce>(false, ax), {x});
  return keep(r, ax, x->ndim(), keepdims);
}

bool arg_reduce_is_max(const Op& op) { return static_cast<const ops::ArgReduce&>(op).is_max(); }

ReduceKind reduce_kind_of(const Op& op) {
  if (op.kind() == OpKind::FusedReduce) return static_cast<const ops::FusedReduce&>(op).reduce_kind();
  if (op.kind() == OpKind::ArgReduce)
    return static_cast<const ops::ArgReduce&>(op).is_max() ? ReduceKind::Max : ReduceKind::Min;
  return static_cast<const ops::Reduce&>(op).reduce_kind();
}
const std::vector<int>& reduce_axes(const Op& op) {
  if (op.kind() == OpKind::FusedReduce) return static_cast<const ops::FusedReduce&>(op).axes();
  if (op.kind() == OpKind::ArgReduce) return static_cast<const ops::ArgReduce&>(op).axes();
  return static_cast<const ops::Reduce&>(op).axes();
}

// The size of the input axis that is the output's `axis`-th kept one.
Var ops::Reduce::infer_shape(const Apply& node, int, int axis, const InputSize& input_size) const {
  int kept = 0;
  for (int d = 0; d < node.inputs[0]->ndim(); ++d) {
    if (std::find(axes_.begin(), axes_.end(), d) != axes_.end()) continue;
    if (kept++ == axis) return input_size(0, d);
  }
  return nullptr;
}

}  // namespace theon
