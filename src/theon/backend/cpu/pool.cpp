// The CPU kernels of the pooling ops (ops/pool.hpp): each window's bounds are
// computed once per axis, then every image (the leading axes) is pooled
// independently, in parallel over theon's pool.
#include "ops/pool.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>

#include "backend/cpu/kernels.hpp"
#include "theon/runtime.hpp"

namespace theon {

namespace {

// A window along one axis: the input range it reads [lo, hi) and how many
// taps it counts (with the padding for average_inc_pad).
struct Window {
  int64_t lo, hi, count;
};

// Sizes of one pooling, axes padded to 3 with size 1 (one window of one tap).
struct Geometry {
  int64_t images = 1;
  std::array<int64_t, 3> in{1, 1, 1}, out{1, 1, 1};
  std::array<std::vector<Window>, 3> win;
  int64_t in_size() const { return in[0] * in[1] * in[2]; }
  int64_t out_size() const { return out[0] * out[1] * out[2]; }
};

Geometry geometry(const PoolParams& p, const Shape& x) {
  Geometry g;
  const int lead = static_cast<int>(x.size()) - p.nd;
  for (int a = 0; a < lead; ++a) g.images *= x[static_cast<size_t>(a)];
  for (size_t a = 0; a < 3; ++a) g.win[a] = {{0, 1, 1}};
  for (int d = 0; d < p.nd; ++d) {
    const auto ud = static_cast<size_t>(d), a = static_cast<size_t>(3 - p.nd + d);
    const int64_t n = x[static_cast<size_t>(lead + d)], pad = p.pad[ud], padded = n + 2 * pad;
    g.in[a] = n;
    g.out[a] = pool_output_size(n, p.ws[ud], p.stride[ud], pad, p.ignore_border);
    g.win[a].clear();
    for (int64_t o = 0; o < g.out[a]; ++o) {
      const int64_t s = o * p.stride[ud], e = std::min(s + p.ws[ud], padded);
      const int64_t lo = std::max<int64_t>(s - pad, 0), hi = std::min<int64_t>(e - pad, n);
      g.win[a].push_back(
          {lo, std::max(lo, hi), p.mode == PoolMode::AverageIncPad ? e - s : std::max<int64_t>(0, hi - lo)});
    }
  }
  return g;
}

// Visits every output position o of one image with its window along each axis.
template <class F>
void for_each_window(const Geometry& g, F&& f) {
  int64_t o = 0;
  for (const Window& z : g.win[0])
    for (const Window& y : g.win[1])
      for (const Window& x : g.win[2]) f(o++, z, y, x);
}

template <class F>
void for_each_tap(const Geometry& g, const Window& z, const Window& y, const Window& x, F&& f) {
  for (int64_t i = z.lo; i < z.hi; ++i)
    for (int64_t j = y.lo; j < y.hi; ++j)
      for (int64_t k = x.lo; k < x.hi; ++k) f((i * g.in[1] + j) * g.in[2] + k);
}

void over_images(int64_t n, const std::function<void(int64_t)>& fn) {
  parallel_for(n, 1, [&](int64_t a, int64_t b) {
    for (int64_t i = a; i < b; ++i) fn(i);
  });
}

template <class T>
void forward(const ops::Pool& op, const T* x, T* y, const Geometry& g) {
  const PoolMode mode = op.params().mode;
  over_images(g.images, [&](int64_t im) {
    const T* xi = x + im * g.in_size();
    T* yi = y + im * g.out_size();
    for_each_window(g, [&](int64_t o, const Window& wz, const Window& wy, const Window& wx) {
      if (mode == PoolMode::Max) {
        T m = std::numeric_limits<T>::lowest();
        if constexpr (std::numeric_limits<T>::has_infinity) m = -std::numeric_limits<T>::infinity();
        for_each_tap(g, wz, wy, wx, [&](int64_t s) { m = std::max(m, xi[s]); });
        yi[o] = m;
        return;
      }
      double acc = 0;
      for_each_tap(g, wz, wy, wx, [&](int64_t s) { acc += static_cast<double>(xi[s]); });
      const int64_t count = wz.count * wy.count * wx.count;
      yi[o] = static_cast<T>(mode == PoolMode::Sum ? acc : count > 0 ? acc / static_cast<double>(count) : 0.0);
    });
  });
}

// gx from gy: max pooling to every tap equal to the window's maximum, the
// others spread over the window (divided by its count for the averages).
template <class T>
void backward(const ops::Pool& op, const T* x, const T* y, const T* gy, T* gx, const Geometry& g) {
  const PoolMode mode = op.params().mode;
  std::memset(gx, 0, static_cast<size_t>(g.images * g.in_size()) * sizeof(T));
  over_images(g.images, [&](int64_t im) {
    const T* xi = x + im * g.in_size();
    const T* yi = y + im * g.out_size();
    const T* gyi = gy + im * g.out_size();
    T* gxi = gx + im * g.in_size();
    for_each_window(g, [&](int64_t o, const Window& wz, const Window& wy, const Window& wx) {
      if (mode == PoolMode::Max) {
        for_each_tap(g, wz, wy, wx, [&](int64_t s) {
          if (xi[s] == yi[o]) gxi[s] += gyi[o];
        });
        return;
      }
      const int64_t count = wz.count * wy.count * wx.count;
      const T share = mode == PoolMode::Sum ? gyi[o]
                      : count > 0           ? static_cast<T>(gyi[o] / static_cast<T>(count))
                                            : T(0);
      for_each_tap(g, wz, wy, wx, [&](int64_t s) { gxi[s] += share; });
    });
  });
}

// ggy from gg (shaped as x): the sum of gg over each window's maxima.
template <class T>
void grad_grad(const T* x, const T* y, const T* gg, T* out, const Geometry& g) {
  over_images(g.images, [&](int64_t im) {
    const T* xi = x + im * g.in_size();
    const T* yi = y + im * g.out_size();
    const T* ggi = gg + im * g.in_size();
    T* oi = out + im * g.out_size();
    for_each_window(g, [&](int64_t o, const Window& wz, const Window& wy, const Window& wx) {
      T acc = 0;
      for_each_tap(g, wz, wy, wx, [&](int64_t s) {
        if (xi[s] == yi[o]) acc += ggi[s];
      });
      oi[o] = acc;
    });
  });
}

void pool_kernel(const ops::Pool& op, const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws) {
  const NDArray x = in[0].contiguous();
  // Run-time parameters (Theano's symbolic ws, stride, pad) follow the role's inputs.
  const size_t base = op.role() == ops::PoolRole::Forward ? 1 : 3;
  const PoolParams p = op.params().dynamic
                           ? resolve_pool_params(op.params(), in[base], in[base + 1], in[base + 2], op.name())
                           : op.params();
  const int lead = x.ndim() - p.nd;
  Shape ys(x.shape.begin(), x.shape.begin() + lead);
  for (int d = 0; d < p.nd; ++d) {
    const auto ud = static_cast<size_t>(d);
    ys.push_back(
        pool_output_size(x.shape[static_cast<size_t>(lead + d)], p.ws[ud], p.stride[ud], p.pad[ud], p.ignore_border));
  }
  const auto need = [&](const NDArray& a, const Shape& s, const char* what) {
    if (a.shape != s)
      throw ValueError(op.name() + ": " + what + " has shape " + shape_str(a.shape) + " but pooling " +
                       shape_str(x.shape) + " gives " + shape_str(s));
  };
  // The pooled shape is an allocated output or a given input's before the
  // windows (one per output position along each axis) are laid out.
  NDArray y, third;
  if (op.role() == ops::PoolRole::Forward) {
    out[0] = ws.empty(x.dtype, ys);
  } else {
    y = in[1].contiguous();
    third = in[2].contiguous();
    need(y, ys, "the pooled input");
    need(third, op.role() == ops::PoolRole::Grad ? ys : x.shape,
         op.role() == ops::PoolRole::Grad ? "the output gradient" : "the gradient's gradient");
    out[0] = ws.empty(x.dtype, op.role() == ops::PoolRole::Grad ? x.shape : ys);
  }
  if (out[0].size() == 0) return;
  const Geometry g = geometry(p, x.shape);
  visit_dtype(x.dtype, [&]<class T>() {
    if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) {
      if (op.role() == ops::PoolRole::Forward) return forward<T>(op, x.ptr<T>(), out[0].ptr<T>(), g);
      if constexpr (std::is_floating_point_v<T>) {
        if (op.role() == ops::PoolRole::Grad)
          return backward<T>(op, x.ptr<T>(), y.ptr<T>(), third.ptr<T>(), out[0].ptr<T>(), g);
        grad_grad<T>(x.ptr<T>(), y.ptr<T>(), third.ptr<T>(), out[0].ptr<T>(), g);
      }
    }
  });
}

}  // namespace

void add_pool_kernels(Backend& cpu) {
  cpu.add(OpKind::Pool, &typed_kernel<ops::Pool, pool_kernel>);
  cpu.add(OpKind::PoolGrad, &typed_kernel<ops::Pool, pool_kernel>);
  cpu.add(OpKind::PoolGradGrad, &typed_kernel<ops::Pool, pool_kernel>);
}

}  // namespace theon
