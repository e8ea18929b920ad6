// The nnet ops: Softmax and LogSoftmax over one axis. Each row is one pass
// to find the max, one SIMD exp pass and one scaling pass, so neither
// overflows for large inputs; the gradients are small elementwise graphs
// (they fuse), so every order of derivative exists.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "ops/op_info.hpp"
#include "ops/scalar_table.hpp"
#include "ops/vector_math.hpp"
#include "theon/ops.hpp"
#include "theon/runtime.hpp"

namespace theon {

namespace {

template <class C>
void softmax_row(C* b, int64_t n, bool log_form, BlockFn exp_fn, C* tmp) {
  C m = -std::numeric_limits<C>::infinity();
  bool nan = false;
  for (int64_t i = 0; i < n; ++i) {
    m = b[i] > m ? b[i] : m;
    nan |= b[i] != b[i];
  }
  if (nan) m = std::numeric_limits<C>::quiet_NaN();
  for (int64_t i = 0; i < n; ++i) b[i] -= m;  // b = x - max
  const void* in[1] = {b};
  exp_fn(n, in, tmp);
  double s = 0;
  for (int64_t i = 0; i < n; ++i) s += tmp[i];
  if (log_form) {
    const C ls = static_cast<C>(std::log(s));
    for (int64_t i = 0; i < n; ++i) b[i] -= ls;
  } else {
    const C r = static_cast<C>(1.0 / s);
    for (int64_t i = 0; i < n; ++i) b[i] = tmp[i] * r;
  }
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
    if (in.size() != 1) throw TypeError(name() + " takes one input, got " + std::to_string(in.size()));
    const TensorType& t = in[0]->type;
    if (is_complex(t.dtype) || t.dtype == DType::Bool)
      throw TypeError(name() + ": needs a real (float or integer) input, got " + t.str());
    if (axis_ >= t.ndim())
      throw IndexError(name() + ": axis " + std::to_string(axis_) + " is out of bounds for an input with " +
                       std::to_string(t.ndim()) + " dimensions");
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
    // The rows: every index of the other axes, walked by division.
    std::vector<int64_t> sizes, xs, os;
    for (int d = 0; d < x.ndim(); ++d)
      if (d != axis_) sizes.push_back(x.shape[d]), xs.push_back(x.strides[d]), os.push_back(o.strides[d]);
    int64_t rows = 1;
    for (int64_t s : sizes) rows *= s;
    const LoadFn load = block_loader(x.dtype, ct);
    const StoreFn store = block_storer(ct, od);
    BlockFn exp_fn = vector_kernel(ScalarOpId::exp, ct);
    if (!exp_fn) exp_fn = scalar_def(ScalarOpId::exp).fn[static_cast<int>(ct)];
    const int64_t isz = static_cast<int64_t>(itemsize(ct_dtype(ct)));
    const int64_t xstride = x.strides[axis_], ostride = o.strides[axis_];
    auto run = [&](int64_t r0, int64_t r1) {
      std::vector<char> buf(static_cast<size_t>(2 * n * isz));
      for (int64_t r = r0; r < r1; ++r) {
        int64_t xo = 0, oo = 0, rem = r;
        for (int k = static_cast<int>(sizes.size()) - 1; k >= 0; --k) {
          const int64_t i = rem % sizes[k];
          rem /= sizes[k];
          xo += i * xs[k];
          oo += i * os[k];
        }
        load(x.data + xo, xstride, n, buf.data());
        if (ct == CT::F32)
          softmax_row(reinterpret_cast<float*>(buf.data()), n, log_, exp_fn, reinterpret_cast<float*>(buf.data()) + n);
        else
          softmax_row(reinterpret_cast<double*>(buf.data()), n, log_, exp_fn,
                      reinterpret_cast<double*>(buf.data()) + n);
        store(buf.data(), n, o.data + oo, ostride);
      }
    };
    parallel_for(rows, std::max<int64_t>(1, kParallelWork / std::max<int64_t>(1, 12 * n)), run);
  }

  std::vector<Var> grad(const Apply& node, const std::vector<Var>& gouts) const override {
    const Var& x = node.inputs[0];
    if (!is_float(x->dtype())) return {nullptr};
    return {vjp(const_cast<Apply&>(node).output(0), gouts[0])};
  }
  std::vector<Var> rop(const Apply& node, const std::vector<Var>& t) const override {
    if (!t[0]) return {nullptr};
    const Var y = const_cast<Apply&>(node).output(0);
    Var dx = t[0]->dtype() == y->dtype() ? t[0] : cast(t[0], y->dtype());
    if (!log_) return {vjp(y, dx)};                                         // the softmax Jacobian is symmetric
    return {sub(dx, sum(mul(exp(y), dx), std::vector<int>{axis_}, true))};  // (I - 1 sm^T) dx
  }

 private:
  // The vector-Jacobian product at output y (softmax or log-softmax).
  Var vjp(const Var& y, const Var& g) const {
    const std::vector<int> ax{axis_};
    if (log_) return sub(g, mul(exp(y), sum(g, ax, true)));
    return mul(y, sub(g, sum(mul(g, y), ax, true)));
  }
  int axis_;
  bool log_;
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

int softmax_axis(const Op& op) { return as_softmax(op).axis(); }
bool softmax_is_log(const Op& op) { return as_softmax(op).log_form(); }

}  // namespace theon
