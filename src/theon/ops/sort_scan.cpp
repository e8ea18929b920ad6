// Ops that walk one axis at a time: Sort, ArgSort, CumOp (cumsum/cumprod),
// and Nonzero. Each works on 1-d lanes of a C-contiguous copy of its input:
// lane (o, j) of an array viewed as (outer, n, inner) holds the n values
// x[o, :, j] of the chosen axis.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <type_traits>

#include "theon/grad.hpp"
#include "theon/ops.hpp"

namespace theon {

namespace {

template <class T>
constexpr bool kOrdered = std::is_arithmetic_v<T>;  // every real dtype, not complex

// NumPy's order: NaN sorts after everything, including +inf.
template <class T>
bool less_nan_last(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a)) return false;
    if (std::isnan(b)) return true;
  }
  return a < b;
}

struct Lanes {
  int64_t outer = 1, n = 1, inner = 1;
  Lanes(const Shape& s, int axis) {
    for (int d = 0; d < static_cast<int>(s.size()); ++d) {
      if (d < axis)
        outer *= s[d];
      else if (d > axis)
        inner *= s[d];
      else
        n = s[d];
    }
  }
  // Calls f(first element offset, stride) for every lane, in elements.
  template <class F>
  void each(F&& f) const {
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t j = 0; j < inner; ++j) f(o * n * inner + j, inner);
  }
};

class AxisOp : public Op {
 public:
  explicit AxisOp(int axis) : axis_(axis) {}
  int axis() const { return axis_; }
  bool equals(const Op& o) const override { return typeid(*this) == typeid(o) && name() == o.name(); }

 protected:
  void check_input(const std::vector<Var>& in, bool allow_complex) const {
    if (in.size() != 1) throw TypeError(name() + " takes 1 input, got " + std::to_string(in.size()));
    if (axis_ < 0 || axis_ >= std::max(in[0]->ndim(), 1) || in[0]->ndim() == 0)
      throw IndexError(name() + ": axis " + std::to_string(axis_) + " is out of bounds for " + in[0]->type.str());
    if (!allow_complex && is_complex(in[0]->dtype()))
      throw TypeError(name() + ": complex values have no order, got " + in[0]->type.str());
  }
  int axis_;
};

// ---- Sort / ArgSort ---------------------------------------------------------------------

class Sort final : public AxisOp {
 public:
  OpKind kind() const override { return OpKind::Sort; }
  using AxisOp::AxisOp;
  std::string name() const override { return "Sort{axis=" + std::to_string(axis_) + "}"; }
  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override {
    check_input(in, false);
    return {in[0]->type};
  }
  void perform(const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws) const override {
    const NDArray x = in[0].contiguous();
    out[0] = ws.empty(x.dtype, x.shape);
    const Lanes lanes(x.shape, axis_);
    visit_dtype(x.dtype, [&]<class T>() {
      if constexpr (kOrdered<T>) {
        const T* src = x.ptr<T>();
        T* dst = out[0].ptr<T>();
        std::vector<T> buf(lanes.n);
        lanes.each([&](int64_t first, int64_t stride) {
          for (int64_t i = 0; i < lanes.n; ++i) buf[i] = src[first + i * stride];
          std::stable_sort(buf.begin(), buf.end(), less_nan_last<T>);
          for (int64_t i = 0; i < lanes.n; ++i) dst[first + i * stride] = buf[i];
        });
      }
    });
  }
  // d sort(x) / dx routes each output gradient back to where its value came
  // from: grad_x = g taken at the rank of each x value.
  std::vector<Var> grad(const Apply& node, const std::vector<Var>& g) const override {
    const Var& x = node.inputs[0];
    return {take_along_axis(g[0], argsort(argsort(x, axis_), axis_), axis_)};
  }
};

class ArgSort final : public AxisOp {
 public:
  OpKind kind() const override { return OpKind::ArgSort; }
  using AxisOp::AxisOp;
  std::string name() const override { return "ArgSort{axis=" + std::to_string(axis_) + "}"; }
  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override {
    check_input(in, false);
    return {TensorType(DType::Int64, in[0]->type.shape)};
  }
  void perform(const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws) const override {
    const NDArray x = in[0].contiguous();
    out[0] = ws.empty(DType::Int64, x.shape);
    const Lanes lanes(x.shape, axis_);
    int64_t* dst = out[0].ptr<int64_t>();
    visit_dtype(x.dtype, [&]<class T>() {
      if constexpr (kOrdered<T>) {
        const T* src = x.ptr<T>();
        std::vector<int64_t> idx(lanes.n);
        lanes.each([&](int64_t first, int64_t stride) {
          std::iota(idx.begin(), idx.end(), int64_t{0});
          std::stable_sort(idx.begin(), idx.end(), [&](int64_t a, int64_t b) {
            return less_nan_last(src[first + a * stride], src[first + b * stride]);
          });
          for (int64_t i = 0; i < lanes.n; ++i) dst[first + i * stride] = idx[i];
        });
      }
    });
  }
  std::vector<Var> grad(const Apply&, const std::vector<Var>&) const override { return {nullptr}; }
  bool connected(int) const override { return false; }
};

// ---- CumOp -------------------------------------------------------------------------------

class CumOp final : public AxisOp {
 public:
  OpKind kind() const override { return OpKind::CumOp; }
  CumOp(int axis, bool mul) : AxisOp(axis), mul_(mul) {}
  std::string name() const override {
    return std::string(mul_ ? "CumProd" : "CumSum") + "{axis=" + std::to_string(axis_) + "}";
  }
  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override {
    check_input(in, true);
    // Theano keeps the input's dtype; bool counts, as NumPy's default int.
    const DType d = in[0]->dtype() == DType::Bool ? DType::Int64 : in[0]->dtype();
    return {TensorType(d, in[0]->type.shape)};
  }
  void perform(const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws) const override {
    const DType d = in[0].dtype == DType::Bool ? DType::Int64 : in[0].dtype;
    const NDArray x = in[0].dtype == d ? in[0].contiguous() : in[0].astype(d);
    out[0] = ws.empty(d, x.shape);
    const Lanes lanes(x.shape, axis_);
    visit_dtype(d, [&]<class T>() {
      if constexpr (!std::is_same_v<T, bool>) {
        const T* src = x.ptr<T>();
        T* dst = out[0].ptr<T>();
        lanes.each([&](int64_t first, int64_t stride) {
          T acc = mul_ ? T(1) : T(0);  // accumulated in the dtype itself, in order, as NumPy
          for (int64_t i = 0; i < lanes.n; ++i) {
            const T v = src[first + i * stride];
            acc = mul_ ? static_cast<T>(acc * v) : static_cast<T>(acc + v);
            dst[first + i * stride] = acc;
          }
        });
      }
    });
  }
  // cumsum: each x_i feeds every later output, so grad = reversed cumsum of
  // reversed g. cumprod: the same over fx * g, divided by x, which is 0/0
  // at a zero; see cumprod_grad.
  std::vector<Var> grad(const Apply& node, const std::vector<Var>& g) const override {
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
  bool linear() const override { return !mul_; }

 private:
  // d/dx_i of sum_k g_k y_k, y = cumprod(x): sum_{k>=i} g_k prod_{j<=k, j!=i} x_j.
  // With z the first zero of a lane: before z it is the usual
  // sum_{k>=i} g_k y_k / x_i (y_k is 0 from z on, so no later term counts);
  // at z it is prod_{j<z} x_j * sum_{k>=z} g_k prod_{z<j<=k} x_j; after z, 0.
  template <class Reverse>
  Var cumprod_grad(const Var& x, const Var& y, const Var& g, const Reverse& reverse) const {
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
  bool mul_;
};

// ---- SearchSorted ------------------------------------------------------------------------

// Where each value of v would go in the sorted vector a (NumPy's order: NaN last).
class SearchSorted final : public Op {
 public:
  OpKind kind() const override { return OpKind::SearchSorted; }
  explicit SearchSorted(bool right) : right_(right) {}
  std::string name() const override { return std::string("SearchSorted{side=") + (right_ ? "right" : "left") + "}"; }
  bool equals(const Op& o) const override {
    auto* s = dynamic_cast<const SearchSorted*>(&o);
    return s && s->right_ == right_;
  }
  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override {
    if (in.size() != 2) throw TypeError(name() + " takes 2 inputs, got " + std::to_string(in.size()));
    if (in[0]->ndim() != 1) throw TypeError(name() + ": the sorted array must be a vector, got " + in[0]->type.str());
    if (is_complex(in[0]->dtype()) || is_complex(in[1]->dtype()))
      throw TypeError(name() + ": complex values have no order, got " + in[0]->type.str() + " and " +
                      in[1]->type.str());
    return {TensorType(DType::Int64, in[1]->type.shape)};
  }
  void perform(const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws) const override {
    const NDArray a = in[0].contiguous(), v = in[1].contiguous();  // one dtype: the builder casts
    out[0] = ws.empty(DType::Int64, v.shape);
    int64_t* o = out[0].ptr<int64_t>();
    const int64_t n = a.size(), m = v.size();
    visit_dtype(a.dtype, [&]<class T>() {
      if constexpr (kOrdered<T>) {
        const T* pa = a.ptr<T>();
        const T* pv = v.ptr<T>();
        for (int64_t i = 0; i < m; ++i) {
          const T* at = right_ ? std::upper_bound(pa, pa + n, pv[i], less_nan_last<T>)
                               : std::lower_bound(pa, pa + n, pv[i], less_nan_last<T>);
          o[i] = at - pa;
        }
      }
    });
  }
  std::vector<Var> grad(const Apply&, const std::vector<Var>&) const override { return {nullptr, nullptr}; }
  bool connected(int) const override { return false; }

 private:
  bool right_;
};

// ---- Nonzero -----------------------------------------------------------------------------

class Nonzero final : public Op {
 public:
  OpKind kind() const override { return OpKind::Nonzero; }
  std::string name() const override { return "Nonzero"; }
  bool equals(const Op& o) const override { return typeid(*this) == typeid(o); }
  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override {
    if (in.size() != 1) throw TypeError(name() + " takes 1 input, got " + std::to_string(in.size()));
    if (in[0]->ndim() == 0)
      throw ValueError(name() + ": a 0-d input has no positions; index it with a 1-d array instead (got " +
                       in[0]->type.str() + ")");
    return std::vector<TensorType>(in[0]->ndim(), TensorType(DType::Int64, {-1}));
  }
  void perform(const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws) const override {
    const NDArray x = in[0].contiguous();
    const int nd = x.ndim();
    const int64_t n = x.size();
    std::vector<int64_t> hits;
    visit_dtype(x.dtype, [&]<class T>() {
      const T* p = x.ptr<T>();
      for (int64_t i = 0; i < n; ++i)
        if (p[i] != T{}) hits.push_back(i);
    });
    const int64_t m = static_cast<int64_t>(hits.size());
    for (int d = 0; d < nd; ++d) out[d] = ws.empty(DType::Int64, {m});
    for (int64_t k = 0; k < m; ++k) {  // unravel each flat position, last axis fastest
      int64_t r = hits[k];
      for (int d = nd - 1; d >= 0; --d) {
        out[d].ptr<int64_t>()[k] = r % x.shape[d];
        r /= x.shape[d];
      }
    }
  }
  std::vector<Var> grad(const Apply&, const std::vector<Var>&) const override { return {nullptr}; }
  bool connected(int) const override { return false; }
};

int one_axis(int axis, int ndim, const char* op) { return normalize_axes(std::vector<int>{axis}, ndim, op)[0]; }

}  // namespace

Var sort(const Var& x, std::optional<int> axis) {
  if (!axis) return sort(flatten(x, 1), 0);
  return apply1(std::make_shared<Sort>(one_axis(*axis, std::max(x->ndim(), 1), "sort")), {x});
}

Var argsort(const Var& x, std::optional<int> axis) {
  if (!axis) return argsort(flatten(x, 1), 0);
  return apply1(std::make_shared<ArgSort>(one_axis(*axis, std::max(x->ndim(), 1), "argsort")), {x});
}

Var cumsum(const Var& x, std::optional<int> axis) {
  if (!axis) return cumsum(flatten(x, 1), 0);
  return apply1(std::make_shared<CumOp>(one_axis(*axis, std::max(x->ndim(), 1), "cumsum"), false), {x});
}

Var cumprod(const Var& x, std::optional<int> axis) {
  if (!axis) return cumprod(flatten(x, 1), 0);
  return apply1(std::make_shared<CumOp>(one_axis(*axis, std::max(x->ndim(), 1), "cumprod"), true), {x});
}

Var searchsorted(const Var& a, const Var& v, bool right) {
  const DType d = upcast(a->dtype(), v->dtype());  // compared in one dtype, exactly
  return apply1(std::make_shared<SearchSorted>(right),
                {a->dtype() == d ? a : cast(a, d), v->dtype() == d ? v : cast(v, d)});
}

std::vector<Var> nonzero(const Var& x) {
  ApplyPtr node = make_apply(std::make_shared<Nonzero>(), {x});
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
