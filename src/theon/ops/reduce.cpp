// Reductions: Reduce (Theano's CAReduce: sum/prod/max/min/all/any over a set
// of axes, dropping them), Argmax/Argmin, and the builders of ops.hpp's
// "reductions" section (mean/var/std are compositions).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <typeinfo>

#include "core/convert.hpp"
#include "ops/op_info.hpp"
#include "backend/cpu/reduce_loop.hpp"
#include "ops/scalar_table.hpp"
#include "theon/grad.hpp"
#include "theon/ops.hpp"

namespace theon {

namespace {

constexpr int64_t kBlock = 1024;  // elements converted per block

// ---- strided iteration --------------------------------------------------------
// One input dimension: its size, the input byte stride, the accumulator element
// stride (0 on reduced axes) and the stride of the flat index within the reduced
// sub-space (argmax; 0 on kept axes).
struct Dim {
  int64_t n, in, acc, r;
};

// Drops size-1 dims, orders dims by decreasing input stride (memory order) and
// merges neighbours that walk all three operands uniformly.
std::vector<Dim> coalesce(std::vector<Dim> dims) {
  std::vector<Dim> d;
  for (auto& x : dims)
    if (x.n != 1) d.push_back(x);
  std::stable_sort(d.begin(), d.end(), [](const Dim& a, const Dim& b) { return std::llabs(a.in) > std::llabs(b.in); });
  std::vector<Dim> out;
  for (auto& x : d) {
    if (!out.empty()) {
      Dim& o = out.back();
      if (o.in == x.in * x.n && o.acc == x.acc * x.n && o.r == x.r * x.n) {
        o = {o.n * x.n, x.in, x.acc, x.r};
        continue;
      }
    }
    out.push_back(x);
  }
  if (out.empty()) out.push_back({1, 0, 0, 0});
  return out;
}

// Calls f(ptr, in_stride, acc_offset, acc_stride, r_offset, r_stride, n) per inner row.
template <class F>
void for_rows(const char* base, const std::vector<Dim>& d, F&& f) {
  const int nd = static_cast<int>(d.size());
  const Dim& inner = d.back();
  int64_t outer = 1;
  for (int i = 0; i + 1 < nd; ++i) outer *= d[i].n;
  std::vector<int64_t> idx(nd, 0);
  const char* p = base;
  int64_t a = 0, r = 0;
  for (int64_t row = 0; row < outer; ++row) {
    f(p, inner.in, a, inner.acc, r, inner.r, inner.n);
    for (int i = nd - 2; i >= 0; --i) {
      if (++idx[i] < d[i].n) {
        p += d[i].in;
        a += d[i].acc;
        r += d[i].r;
        break;
      }
      p -= d[i].in * (d[i].n - 1);
      a -= d[i].acc * (d[i].n - 1);
      r -= d[i].r * (d[i].n - 1);
      idx[i] = 0;
    }
  }
}

std::string axes_str(const std::vector<int>& axes) {
  std::vector<std::string> p;
  for (int a : axes) p.push_back(std::to_string(a));
  return "[" + join_strings(p, ", ") + "]";
}

// Structural equality for ops whose name spells out all their parameters.
class NamedOp : public Op {
 public:
  bool equals(const Op& o) const override { return typeid(*this) == typeid(o) && name() == o.name(); }
};

void check_axes_fit(const std::string& op, const std::vector<int>& axes, int ndim) {
  for (int a : axes)
    if (a >= ndim)
      throw IndexError(op + ": axis " + std::to_string(a) + " is out of bounds for an input with " +
                       std::to_string(ndim) + " dimensions");
}

// The order inserting 'x' at `axes` of an ndim tensor (keepdims / grad expansion).
std::vector<int> expand_order(const std::vector<int>& axes, int ndim) {
  std::vector<int> order;
  int k = 0;
  for (int d = 0; d < ndim; ++d) order.push_back(std::find(axes.begin(), axes.end(), d) != axes.end() ? -1 : k++);
  return order;
}

Shape kept_shape(const Shape& s, const std::vector<int>& axes) {
  Shape out;
  for (int d = 0; d < static_cast<int>(s.size()); ++d)
    if (std::find(axes.begin(), axes.end(), d) == axes.end()) out.push_back(s[d]);
  return out;
}

// ---- Reduce ----------------------------------------------------------------------

class Reduce final : public NamedOp {
 public:
  OpKind kind() const override { return OpKind::Reduce; }
  Reduce(ReduceKind k, std::vector<int> axes) : kind_(k), axes_(std::move(axes)) {}
  ReduceKind reduce_kind() const { return kind_; }
  const std::vector<int>& axes() const { return axes_; }

  std::string name() const override { return std::string(reduce_kind_title(kind_)) + "{axis=" + axes_str(axes_) + "}"; }

  DType out_dtype(DType in) const {
    switch (kind_) {
      case ReduceKind::Sum:
      case ReduceKind::Prod:
        return sum_dtype(in);
      case ReduceKind::Max:
      case ReduceKind::Min:
        return in;
      default:
        return DType::Bool;
    }
  }
  RC compute(DType in) const {
    if (kind_ == ReduceKind::All || kind_ == ReduceKind::Any) return RC::Bool;
    return numeric_rc(kind_ == ReduceKind::Max || kind_ == ReduceKind::Min ? in : sum_dtype(in));
  }

  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override {
    if (in.size() != 1) throw TypeError(name() + " takes 1 input, got " + std::to_string(in.size()));
    const TensorType& t = in[0]->type;
    check_axes_fit(name(), axes_, t.ndim());
    if ((kind_ == ReduceKind::Max || kind_ == ReduceKind::Min) && is_complex(t.dtype))
      throw TypeError(name() + ": " + reduce_kind_name(kind_) + " is not defined for complex input of type " + t.str());
    return {TensorType(out_dtype(t.dtype), kept_shape(t.shape, axes_))};
  }

  void perform(const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws) const override {
    const NDArray& x = in[0];
    check_axes_fit(name(), axes_, x.ndim());
    const Shape oshape = kept_shape(x.shape, axes_);
    const DType od = out_dtype(x.dtype);
    const RC rc = compute(x.dtype);
    const DType cd = rc_dtype(rc);
    NDArray& o = out[0];
    o = ws.empty(od, oshape);
    const int64_t osize = o.size();
    int64_t rsize = 1;
    for (int a : axes_) rsize *= x.shape[a];
    if (rsize == 0 && osize > 0 && (kind_ == ReduceKind::Max || kind_ == ReduceKind::Min))
      throw ValueError(name() + ": " + reduce_kind_name(kind_) + " of an empty axis (input shape " + shape_str(x.shape) +
                       "): the reduction has no identity");
    if (osize == 0) return;

    // Accumulate straight into the output when its dtype is the compute type.
    NDArray acc = od == cd ? o : NDArray::empty(cd, oshape);
    fill_identity(kind_, rc, acc);
    // float32 (and float16) values accumulate in float64 without a widened copy.
    const CT values = rc == RC::F64 && compute_type(x.dtype) == CT::F32 ? CT::F32 : rc_ct(rc);
    const DType vd = ct_dtype(values);
    const int64_t vsz = static_cast<int64_t>(itemsize(vd));
    const LoadFn load = block_loader(x.dtype, values);
    reduce_loop({x}, x.shape, axes_, kind_, rc, values, acc,
                [&](const char* const* p, const int64_t* s, int64_t n, void* scratch) -> const void* {
                  if (x.dtype == vd && s[0] == vsz) return p[0];
                  load(p[0], s[0], n, scratch);
                  return scratch;
                });
    if (acc.data != o.data) block_storer(rc_ct(rc), od)(acc.data, osize, o.data, static_cast<int64_t>(itemsize(od)));
  }

  bool linear() const override { return kind_ == ReduceKind::Sum; }

  // d prod / d x_i: the product of the other factors, broadcast back by
  // `order`. prod / x_i is 0/0 where x_i is a zero, so the zeros are set
  // aside: with p the product of the nonzero factors and k the number of
  // zeros among the others, it is p / x_i (k = 0) or 0 (k >= 1). For k = 1
  // the 0 is written as (p / x_i) * (the other zero), which is 0 in value
  // but differentiates to the right second derivative.
  Var prod_of_others(const Var& x, const std::vector<int>& order) const {
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
  std::vector<Var> grad(const Apply& node, const std::vector<Var>& gouts) const override {
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

 private:
  ReduceKind kind_;
  std::vector<int> axes_;
};

// ---- Argmax / Argmin -------------------------------------------------------------

using ArgFn = void (*)(const void* v, int64_t n, void* val, int64_t* idx, int64_t as, int64_t r0, int64_t rs);

template <class C, bool Max>
inline bool better(C x, int64_t r, C cur, int64_t ci) {
  if (ci < 0) return true;
  if constexpr (std::is_floating_point_v<C>) {
    const bool xn = x != x, cn = cur != cur;
    if (cn) return xn && r < ci;  // NaN is the extreme; the first one wins
    if (xn) return true;
  }
  if (Max ? x > cur : x < cur) return true;
  return x == cur && r < ci;  // ties: first in C order of the reduced axes
}

template <class C, bool Max>
void arg_block(const void* vp, int64_t n, void* valp, int64_t* idx, int64_t as, int64_t r0, int64_t rs) {
  const C* v = static_cast<const C*>(vp);
  C* val = static_cast<C*>(valp);
  if (as == 0 && n > 0) {
    // One output: find the block's first extreme (or first NaN), then merge.
    int64_t bi = 0;
    C best = v[0];
    bool nan = false;
    if constexpr (std::is_floating_point_v<C>) nan = best != best;
    for (int64_t i = 1; i < n && !nan; ++i) {
      const C x = v[i];
      if constexpr (std::is_floating_point_v<C>) {
        if (x != x) {
          best = x, bi = i, nan = true;
          break;
        }
      }
      if (Max ? x > best : x < best) best = x, bi = i;
    }
    const int64_t r = r0 + bi * rs;
    if (better<C, Max>(best, r, *val, *idx)) *val = best, *idx = r;
    return;
  }
  for (int64_t i = 0; i < n; ++i) {
    const int64_t r = r0 + i * rs;
    C& cur = val[i * as];
    int64_t& ci = idx[i * as];
    if (better<C, Max>(v[i], r, cur, ci)) {
      cur = v[i];
      ci = r;
    }
  }
}

class ArgReduce final : public NamedOp {
 public:
  OpKind kind() const override { return OpKind::ArgReduce; }
  ArgReduce(bool is_max, std::vector<int> axes) : max_(is_max), axes_(std::move(axes)) {}
  bool is_max() const { return max_; }
  const std::vector<int>& axes() const { return axes_; }
  std::string name() const override {
    return std::string(max_ ? "Argmax" : "Argmin") + "{axis=" + axes_str(axes_) + "}";
  }

  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override {
    if (in.size() != 1) throw TypeError(name() + " takes 1 input, got " + std::to_string(in.size()));
    const TensorType& t = in[0]->type;
    check_axes_fit(name(), axes_, t.ndim());
    if (is_complex(t.dtype)) throw TypeError(name() + " is not defined for complex input of type " + t.str());
    return {TensorType(DType::Int64, kept_shape(t.shape, axes_))};
  }

  void perform(const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws) const override {
    const NDArray& x = in[0];
    check_axes_fit(name(), axes_, x.ndim());
    const Shape oshape = kept_shape(x.shape, axes_);
    NDArray& o = out[0];
    o = ws.empty(DType::Int64, oshape);
    const int64_t osize = o.size();
    if (osize == 0) return;
    if (x.size() == 0)
      throw ValueError(name() + ": attempt to get " + (max_ ? "argmax" : "argmin") +
                       " of an empty sequence (input shape " + shape_str(x.shape) + ")");
    const RC rc = numeric_rc(x.dtype);
    const DType cd = rc_dtype(rc);
    NDArray val = NDArray::empty(cd, oshape);
    int64_t* idx = o.ptr<int64_t>();
    std::fill(idx, idx + osize, int64_t(-1));

    Shape rshape;
    for (int a : axes_) rshape.push_back(x.shape[a]);
    Strides rst = c_strides(rshape, 1), ast = c_strides(oshape, 1);
    std::vector<Dim> dims;
    int k = 0, j = 0;
    for (int d = 0; d < x.ndim(); ++d) {
      bool red = std::find(axes_.begin(), axes_.end(), d) != axes_.end();
      if (red)
        dims.push_back({x.shape[d], x.strides[d], 0, rst[j++]});
      else
        dims.push_back({x.shape[d], x.strides[d], ast[k++], 0});
    }
    dims = coalesce(std::move(dims));
    ArgFn fn = nullptr;
    visit_rc(rc, [&]<class C>() {
      if constexpr (!is_complex_v<C> && !std::is_same_v<C, bool>)
        fn = max_ ? &arg_block<C, true> : &arg_block<C, false>;
    });
    THEON_CHECK(fn != nullptr, "argmax compute type");
    LoadFn load = block_loader(x.dtype, rc_ct(rc));
    const int64_t csz = static_cast<int64_t>(itemsize(cd));
    std::vector<int64_t> scratch(kBlock);
    for_rows(x.data, dims, [&](const char* p, int64_t s, int64_t a, int64_t as, int64_t r, int64_t rs, int64_t n) {
      for (int64_t start = 0; start < n; start += kBlock) {
        const int64_t m = std::min(kBlock, n - start);
        const char* src = p + start * s;
        const void* buf = src;
        if (!(x.dtype == cd && s == csz)) {
          load(src, s, m, scratch.data());
          buf = scratch.data();
        }
        const int64_t off = a + start * as;
        fn(buf, m, val.data + off * csz, idx + off, as, r + start * rs, rs);
      }
    });
  }

  std::vector<Var> grad(const Apply&, const std::vector<Var>&) const override { return {nullptr}; }

 private:
  bool max_;
  std::vector<int> axes_;
};

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
      throw IndexError(std::string(op) + ": axis " + std::to_string(a) +
                       " is out of bounds for an array of dimension " + std::to_string(ndim));
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
  Var r = apply1(std::make_shared<Reduce>(kind, ax), {x});
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
  Var r = apply1(std::make_shared<ArgReduce>(true, ax), {x});
  return keep(r, ax, x->ndim(), keepdims);
}

Var argmin(const Var& x, const Axes& axes, bool keepdims) {
  check_input(x, "argmin");
  std::vector<int> ax = normalize_axes(axes, x->ndim(), "argmin");
  Var r = apply1(std::make_shared<ArgReduce>(false, ax), {x});
  return keep(r, ax, x->ndim(), keepdims);
}

ReduceKind reduce_kind_of(const Op& op) {
  if (op.kind() == OpKind::ArgReduce)
    return static_cast<const ArgReduce&>(op).is_max() ? ReduceKind::Max : ReduceKind::Min;
  return static_cast<const Reduce&>(op).reduce_kind();
}
const std::vector<int>& reduce_axes(const Op& op) {
  if (op.kind() == OpKind::ArgReduce) return static_cast<const ArgReduce&>(op).axes();
  return static_cast<const Reduce&>(op).axes();
}

}  // namespace theon
