// The nnet ops: Softmax, LogSoftmax and LogSumExp over one axis. Each row
// is one pass to find the max, one SIMD exp pass and one scaling (or
// summing) pass while the row is in cache, so nothing overflows for large
// inputs and the data is read from memory once; the gradients are small
// elementwise graphs (they fuse), so every order of derivative exists.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "ops/op_info.hpp"
#include "backend/cpu/reduce_loop.hpp"
#include "ops/scalar_table.hpp"
#include "backend/cpu/vector_math.hpp"
#include "theon/ops.hpp"
#include "theon/runtime.hpp"

namespace theon {

namespace {

// The next row to prefetch while this one computes (null: none).
struct Next {
  const void* p = nullptr;
  int64_t bytes = 0;
};

// The kernels a row runs on, for one compute type: the SIMD row kernels
// when the CPU has them (exp_sum, max may be null), else block kernels.
struct RowKernels {
  BlockFn exp;
  ExpSumFn exp_sum;
  RowMaxFn max;
  explicit RowKernels(CT ct)
      : exp(vector_kernel(ScalarOpId::exp, ct)), exp_sum(exp_sum_kernel(ct)), max(row_max_kernel(ct)) {
    if (!exp) exp = scalar_def(ScalarOpId::exp).fn[static_cast<int>(ct)];
  }
  template <class C>
  C row_max(const C* b, int64_t n) const {
    return max ? static_cast<C>(max(b, n)) : max_of(b, n);
  }
};

// Softmax (or log-softmax) of one row in place; tmp holds n values.
template <class C>
void softmax_row(C* b, int64_t n, bool log_form, const RowKernels& k, C* tmp, Next next) {
  const C m = k.row_max(b, n);
  double s;
  if (k.exp_sum) {
    s = k.exp_sum(b, n, m, tmp, next.p, next.bytes);  // tmp = exp(b - m)
    if (log_form)
      for (int64_t i = 0; i < n; ++i) b[i] -= m;
  } else {
    for (int64_t i = 0; i < n; ++i) b[i] -= m;  // b = x - max
    const void* in[1] = {b};
    k.exp(n, in, tmp);
    s = sum_of(tmp, n);
  }
  if (log_form) {
    const C ls = static_cast<C>(std::log(s));
    for (int64_t i = 0; i < n; ++i) b[i] -= ls;
  } else {
    const C r = static_cast<C>(1.0 / s);
    for (int64_t i = 0; i < n; ++i) b[i] = tmp[i] * r;
  }
}

// The rows along `axis`: row r's offsets in x and in o (whose strides over
// the other axes are `o_strides`, in x's order without the axis).
struct Rows {
  std::vector<int64_t> sizes, xs, os;
  int64_t count = 1;
  Rows(const NDArray& x, int axis, const std::vector<int64_t>& o_strides) {
    for (int d = 0, j = 0; d < x.ndim(); ++d)
      if (d != axis) sizes.push_back(x.shape[d]), xs.push_back(x.strides[d]), os.push_back(o_strides[j++]);
    for (int64_t s : sizes) count *= s;
  }
  void offsets(int64_t r, int64_t* xo, int64_t* oo) const {
    *xo = *oo = 0;
    for (int k = static_cast<int>(sizes.size()) - 1; k >= 0; --k) {
      const int64_t i = r % sizes[k];
      r /= sizes[k];
      *xo += i * xs[k];
      *oo += i * os[k];
    }
  }
};

// log(sum(exp(b))) of one row (b is not written). An infinite max is the
// answer itself (log of a sum holding exp(inf), or of zeros); NaN stays NaN.
template <class C>
C logsumexp_row(const C* b, int64_t n, const RowKernels& k, C* tmp, Next next) {
  const C m = k.row_max(b, n);
  if (std::isnan(m) || std::isinf(m)) return m;
  double s;
  if (k.exp_sum) {
    s = k.exp_sum(b, n, m, nullptr, next.p, next.bytes);
  } else {
    for (int64_t i = 0; i < n; ++i) tmp[i] = b[i] - m;
    const void* in[1] = {tmp};
    k.exp(n, in, tmp);
    s = sum_of(tmp, n);
  }
  return static_cast<C>(m + std::log(s));
}

// Row r of x (r < 0: none) as a prefetch target, when its values are contiguous.
Next next_row(const Rows& rows, const NDArray& x, int64_t r, int64_t stride, int64_t n) {
  const int64_t isz = static_cast<int64_t>(itemsize(x.dtype));
  if (r < 0 || stride != isz) return {};
  int64_t xo, oo;
  rows.offsets(r, &xo, &oo);
  return {x.data + xo, n * isz};
}

// The one real input of a row op (Softmax, LogSumExp) with `axis` in range.
const TensorType& row_input_type(const std::string& op, const std::vector<Var>& in, int axis) {
  if (in.size() != 1) throw TypeError(op + " takes one input, got " + std::to_string(in.size()));
  const TensorType& t = in[0]->type;
  if (is_complex(t.dtype) || t.dtype == DType::Bool)
    throw TypeError(op + ": needs a real (float or integer) input, got " + t.str());
  if (axis >= t.ndim())
    throw IndexError(op + ": axis " + std::to_string(axis) + " is out of bounds for an input with " +
                     std::to_string(t.ndim()) + " dimensions");
  return t;
}

class Softmax final : public Op {
 public:
  Softmax(int axis, bool log_form) : axis_(axis), log_(log_form) {}
  OpKind kind() const override { return OpKind::Softmax; }
  int axis() const { return axis_; }
  bool log_form() const { return log_; }
  std::string name() const override {
    return std::string(log_ ? "LogSoftmax" : "Softmax") + "{axis=" + std::to_string(axis_) + "}";
  }
  bool equals(const Op& o) const override {
    auto* s = dynamic_cast<const Softmax*>(&o);
    return s && s->axis_ == axis_ && s->log_ == log_;
  }

  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override {
    const TensorType& t = row_input_type(name(), in, axis_);
    return {TensorType(upgrade_to_float(t.dtype), t.shape)};
  }

  void perform(const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws) const override {
    const NDArray& x = in[0];
    const DType od = upgrade_to_float(x.dtype);
    out[0] = ws.empty(od, x.shape);
    NDArray& o = out[0];
    const int64_t n = x.shape[axis_];
    if (o.size() == 0) return;
    const CT ct = compute_type(od);
    std::vector<int64_t> o_strides;
    for (int d = 0; d < o.ndim(); ++d)
      if (d != axis_) o_strides.push_back(o.strides[d]);
    const Rows rows(x, axis_, o_strides);
    const LoadFn load = block_loader(x.dtype, ct);
    const StoreFn store = block_storer(ct, od);
    const RowKernels kernels(ct);
    const int64_t isz = static_cast<int64_t>(itemsize(ct_dtype(ct)));
    const int64_t xstride = x.strides[axis_], ostride = o.strides[axis_];
    auto run = [&](int64_t r0, int64_t r1) {
      std::vector<char> buf(static_cast<size_t>(2 * n * isz));
      for (int64_t r = r0; r < r1; ++r) {
        int64_t xo, oo;
        rows.offsets(r, &xo, &oo);
        load(x.data + xo, xstride, n, buf.data());
        const Next next = next_row(rows, x, r + 1 < r1 ? r + 1 : -1, xstride, n);
        if (ct == CT::F32)
          softmax_row(reinterpret_cast<float*>(buf.data()), n, log_, kernels, reinterpret_cast<float*>(buf.data()) + n,
                      next);
        else
          softmax_row(reinterpret_cast<double*>(buf.data()), n, log_, kernels,
                      reinterpret_cast<double*>(buf.data()) + n, next);
        store(buf.data(), n, o.data + oo, ostride);
      }
    };
    parallel_for(rows.count, std::max<int64_t>(1, kParallelWork / std::max<int64_t>(1, 12 * n)), run);
  }

  std::vector<Var> grad(const Apply& node, const std::vector<Var>& gouts) const override {
    const Var& x = node.inputs[0];
    if (!is_float(x->dtype())) return {nullptr};
    return {vjp(node, gouts[0])};
  }
  std::vector<Var> rop(const Apply& node, const std::vector<Var>& t) const override {
    if (!t[0]) return {nullptr};
    const Var y = const_cast<Apply&>(node).output(0);
    Var dx = t[0]->dtype() == y->dtype() ? t[0] : cast(t[0], y->dtype());
    if (!log_) return {vjp(node, dx)};                                                   // the Jacobian is symmetric
    return {sub(dx, sum(mul(probabilities(node), dx), std::vector<int>{axis_}, true))};  // (I - 1 sm^T) dx
  }

 private:
  // softmax(x) for this node. The log form's Jacobian needs it; exp of the
  // log-softmax would do, but is off by up to |log p| ulps, and those errors
  // differ per column (exp(-log 5) is not 0.2), so rows that should stay
  // symmetric under gradient steps drift apart.
  Var probabilities(const Apply& node) const {
    if (!log_) return const_cast<Apply&>(node).output(0);
    return softmax(node.inputs[0], axis_);
  }
  // The vector-Jacobian product of the node (softmax or log-softmax).
  Var vjp(const Apply& node, const Var& g) const {
    const std::vector<int> ax{axis_};
    const Var p = probabilities(node);
    if (log_) return sub(g, mul(p, sum(g, ax, true)));
    return mul(p, sub(g, sum(mul(g, p), ax, true)));
  }
  int axis_;
  bool log_;
};

// log(sum(exp(x), axis)) in one pass over the data (the row stays in cache
// between its max, exp and sum); the stabilize phase makes it from the
// written-out forms.
class LogSumExp final : public Op {
 public:
  explicit LogSumExp(int axis) : axis_(axis) {}
  OpKind kind() const override { return OpKind::LogSumExp; }
  std::string name() const override { return "LogSumExp{axis=" + std::to_string(axis_) + "}"; }
  bool equals(const Op& o) const override {
    auto* l = dynamic_cast<const LogSumExp*>(&o);
    return l && l->axis_ == axis_;
  }
  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override {
    const TensorType& t = row_input_type(name(), in, axis_);
    Shape kept;
    for (int d = 0; d < t.ndim(); ++d)
      if (d != axis_) kept.push_back(t.shape[d]);
    return {TensorType(upgrade_to_float(t.dtype), kept)};
  }
  void perform(const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws) const override {
    const NDArray& x = in[0];
    const DType od = upgrade_to_float(x.dtype);
    Shape kept;
    for (int d = 0; d < x.ndim(); ++d)
      if (d != axis_) kept.push_back(x.shape[d]);
    out[0] = ws.empty(od, kept);
    NDArray& o = out[0];
    if (o.size() == 0) return;
    const int64_t n = x.shape[axis_];
    const CT ct = compute_type(od);
    const Rows rows(x, axis_, std::vector<int64_t>(o.strides.begin(), o.strides.end()));
    const LoadFn load = block_loader(x.dtype, ct);
    const StoreFn store = block_storer(ct, od);
    const RowKernels kernels(ct);
    const int64_t isz = static_cast<int64_t>(itemsize(ct_dtype(ct)));
    const bool direct = x.dtype == ct_dtype(ct) && (x.strides[axis_] == isz || n == 1);
    auto run = [&](int64_t r0, int64_t r1) {
      std::vector<char> buf(static_cast<size_t>(2 * std::max<int64_t>(n, 1) * isz));
      for (int64_t r = r0; r < r1; ++r) {
        int64_t xo, oo;
        rows.offsets(r, &xo, &oo);
        // A contiguous row of the compute dtype is read in place (the only
        // pass over memory); others are gathered and converted first.
        const char* row = x.data + xo;
        if (!direct) {
          load(row, x.strides[axis_], n, buf.data() + n * isz);
          row = buf.data() + n * isz;
        }
        const Next next = next_row(rows, x, r + 1 < r1 ? r + 1 : -1, x.strides[axis_], n);
        if (ct == CT::F32) {
          float v = logsumexp_row(reinterpret_cast<const float*>(row), n, kernels, reinterpret_cast<float*>(buf.data()),
                                  next);
          store(&v, 1, o.data + oo, 0);
        } else {
          double v = logsumexp_row(reinterpret_cast<const double*>(row), n, kernels,
                                   reinterpret_cast<double*>(buf.data()), next);
          store(&v, 1, o.data + oo, 0);
        }
      }
    };
    parallel_for(rows.count, std::max<int64_t>(1, kParallelWork / std::max<int64_t>(1, 10 * n)), run);
  }
  // d/dx = softmax(x) * gz broadcast along the axis; the R-op is its dual.
  std::vector<Var> grad(const Apply& node, const std::vector<Var>& gouts) const override {
    const Var& x = node.inputs[0];
    if (!is_float(x->dtype())) return {nullptr};
    return {mul(softmax(x, axis_), expand(gouts[0], x->ndim()))};
  }
  std::vector<Var> rop(const Apply& node, const std::vector<Var>& t) const override {
    if (!t[0]) return {nullptr};
    const Var& x = node.inputs[0];
    Var dx = t[0]->dtype() == x->dtype() || !is_float(x->dtype()) ? t[0] : cast(t[0], x->dtype());
    return {sum(mul(softmax(x, axis_), dx), std::vector<int>{axis_})};
  }

 private:
  Var expand(const Var& g, int ndim) const {
    std::vector<int> order;
    for (int d = 0, j = 0; d < ndim; ++d) order.push_back(d == axis_ ? -1 : j++);
    return dimshuffle(g, order);
  }
  int axis_;
};

const Softmax& as_softmax(const Op& op) { return static_cast<const Softmax&>(op); }

Var make_softmax(const Var& x, int axis, bool log_form) {
  const char* op = log_form ? "log_softmax" : "softmax";
  if (x->ndim() == 0)
    throw TypeError(std::string(op) + ": needs an input with at least one dimension, got " + x->type.str());
  const int a = normalize_axes(std::vector<int>{axis}, x->ndim(), op)[0];
  return apply1(std::make_shared<Softmax>(a, log_form), {x});
}

}  // namespace

Var softmax(const Var& x, int axis) { return make_softmax(x, axis, false); }
Var log_softmax(const Var& x, int axis) { return make_softmax(x, axis, true); }

Var logsumexp(const Var& x, int axis) {
  if (x->ndim() == 0) throw TypeError("logsumexp: needs an input with at least one dimension, got " + x->type.str());
  const int a = normalize_axes(std::vector<int>{axis}, x->ndim(), "logsumexp")[0];
  return apply1(std::make_shared<LogSumExp>(a), {x});
}

int softmax_axis(const Op& op) { return as_softmax(op).axis(); }
bool softmax_is_log(const Op& op) { return as_softmax(op).log_form(); }

}  // namespace theon
