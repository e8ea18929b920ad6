// The CPU kernels of the convolution ops (ops/conv.hpp): im2col + GEMM. Each
// image's receptive fields are laid out as columns (channels x filter taps by
// output positions) and multiplied by the filters through the run-time BLAS;
// the gradient with respect to the input multiplies back and scatters the
// columns (col2im). Images run in parallel over theon's pool. float32
// convolutions run on oneDNN when it is loaded (onednn_conv.cpp); these
// kernels are its fallback and the float64 path.
#include "ops/conv.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>

#include "backend/cpu/gemm.hpp"
#include "backend/cpu/kernels.hpp"
#include "backend/cpu/onednn.hpp"
#include "backend/cpu/onednn_kernels.hpp"
#include "backend/cpu/onednn_plan.hpp"
#include "theon/runtime.hpp"

namespace theon {

namespace {

// Sizes of one convolution, spatial dimensions padded to 3 with size 1.
struct Geometry {
  int64_t n = 0, c = 0, o = 0, groups = 1, cg = 0, og = 0;
  bool unshared = false;  // one filter per output position
  std::array<int64_t, 3> in{1, 1, 1}, k{1, 1, 1}, out{1, 1, 1}, pad{0, 0, 0}, pad_hi{0, 0, 0}, stride{1, 1, 1},
      dil{1, 1, 1};
  int64_t in_size() const { return in[0] * in[1] * in[2]; }
  int64_t k_size() const { return k[0] * k[1] * k[2]; }
  int64_t out_size() const { return out[0] * out[1] * out[2]; }
  int64_t col_rows() const { return cg * k_size(); }
  // Filters (each one output channel's taps over its group's channels): one per
  // output channel, or per output channel and position when unshared.
  int64_t filters() const { return unshared ? o * out_size() : o; }
};

[[noreturn]] void bad(const ops::Conv& op, const std::string& why, const std::vector<NDArray>& in) {
  std::string shapes;
  for (size_t i = 0; i < in.size() && i < 2; ++i) shapes += (i ? ", " : "") + shape_str(in[i].shape);
  throw ValueError(op.name() + ": " + why + " (shapes " + shapes + ")");
}

// x (N, C, *I) and w (O, C / g, *K) give the geometry; `out_spatial` checks
// against given output sizes (the gradients' gy) when not null.
Geometry geometry(const ops::Conv& op, const Shape& x, const Shape& w, const std::vector<NDArray>& in) {
  const ConvParams& p = op.params();
  Geometry g;
  g.n = x[0];
  g.c = x[1];
  g.o = w[0];
  g.groups = p.groups;
  const int64_t wc = w[static_cast<size_t>(p.filter_channel_axis())];
  if (g.c != wc * p.groups)
    bad(op,
        "the input has " + std::to_string(g.c) + " channels but the filters expect " + std::to_string(wc) + " x " +
            std::to_string(p.groups) + " groups",
        in);
  if (g.o % p.groups != 0)
    bad(op, std::to_string(g.o) + " filters do not split into " + std::to_string(p.groups) + " groups", in);
  g.unshared = p.unshared;
  g.cg = w[static_cast<size_t>(p.filter_channel_axis())];
  g.og = g.o / p.groups;
  const int off = 3 - p.nd;  // leading spatial dims of size 1
  for (int d = 0; d < p.nd; ++d) {
    const auto ud = static_cast<size_t>(d);
    const size_t a = static_cast<size_t>(d + off);
    g.in[a] = x[2 + ud];
    g.k[a] = w[static_cast<size_t>(p.filter_tap_axis(d))];
    g.pad[a] = p.pad_for(d, g.k[a]);  // before: where the windows start
    const int64_t pad_after = g.pad_hi[a] = p.pad_after(d, g.k[a]);
    g.stride[a] = p.stride[ud];
    g.dil[a] = p.dilation[ud];
    const int64_t dilated = (g.k[a] - 1) * g.dil[a] + 1;
    if (g.k[a] < 1) bad(op, "the filters are empty along spatial axis " + std::to_string(d), in);
    if (g.in[a] + g.pad[a] + pad_after < dilated)
      bad(op,
          "the filters (" + std::to_string(dilated) + " taps dilated along spatial axis " + std::to_string(d) +
              ") are larger than the padded input (" + std::to_string(g.in[a]) + " + " +
              std::to_string(g.pad[a] + pad_after) + ")",
          in);
    g.out[a] = conv_output_size(g.in[a], g.k[a], g.pad[a], pad_after, g.stride[a], g.dil[a]);
    if (p.unshared && w[1 + ud] != g.out[a])
      bad(op,
          "the unshared filters hold " + std::to_string(w[1 + ud]) + " positions along spatial axis " +
              std::to_string(d) + " but the output has " + std::to_string(g.out[a]),
          in);
  }
  // The column buffer (channels x taps by positions) and the filters' rows must be addressable.
  int64_t os = 0, cols = 0, wrows = 0;
  if (!mul_fits(g.out[0], g.out[1], &os) || !mul_fits(os, g.out[2], &os) || !mul_fits(g.col_rows(), os, &cols) ||
      !mul_fits(g.o, g.col_rows(), &wrows) || !mul_fits(wrows, os, &wrows) ||
      !mul_fits(cols, static_cast<int64_t>(sizeof(double)), &cols))
    bad(op, "the receptive fields are too large to lay out", in);
  return g;
}

// The filters with their taps reversed along every spatial axis (a contiguous copy).
template <class T>
std::vector<T> flipped(const T* w, const Geometry& g) {
  std::vector<T> f(static_cast<size_t>(g.filters() * g.cg * g.k_size()));
  const int64_t ks = g.k_size();
  for (int64_t oc = 0; oc < g.filters() * g.cg; ++oc)
    for (int64_t z = 0; z < g.k[0]; ++z)
      for (int64_t y = 0; y < g.k[1]; ++y)
        for (int64_t x = 0; x < g.k[2]; ++x)
          f[static_cast<size_t>(oc * ks + (z * g.k[1] + y) * g.k[2] + x)] =
              w[oc * ks + ((g.k[0] - 1 - z) * g.k[1] + (g.k[1] - 1 - y)) * g.k[2] + (g.k[2] - 1 - x)];
  return f;
}

// Visits every (column row, output position) of one image's group: the row
// is (channel, tap), `src` the input element it reads or -1 in the padding.
template <class F>
void for_each_tap(const Geometry& g, F&& f) {
  const int64_t os = g.out_size();
  for (int64_t c = 0; c < g.cg; ++c)
    for (int64_t kz = 0; kz < g.k[0]; ++kz)
      for (int64_t ky = 0; ky < g.k[1]; ++ky)
        for (int64_t kx = 0; kx < g.k[2]; ++kx) {
          const int64_t row = ((c * g.k[0] + kz) * g.k[1] + ky) * g.k[2] + kx;
          for (int64_t oz = 0; oz < g.out[0]; ++oz) {
            const int64_t iz = oz * g.stride[0] - g.pad[0] + kz * g.dil[0];
            const bool zin = iz >= 0 && iz < g.in[0];
            for (int64_t oy = 0; oy < g.out[1]; ++oy) {
              const int64_t iy = oy * g.stride[1] - g.pad[1] + ky * g.dil[1];
              const bool yin = zin && iy >= 0 && iy < g.in[1];
              const int64_t base = (c * g.in[0] + iz) * g.in[1] + iy;
              int64_t col = row * os + (oz * g.out[1] + oy) * g.out[2];
              for (int64_t ox = 0; ox < g.out[2]; ++ox, ++col) {
                const int64_t ix = ox * g.stride[2] - g.pad[2] + kx * g.dil[2];
                f(col, yin && ix >= 0 && ix < g.in[2] ? base * g.in[2] + ix : -1);
              }
            }
          }
        }
}

// cols (Cg * K, out) of one image's group, whose channels start at x.
template <class T>
void im2col(const T* x, const Geometry& g, T* cols) {
  for_each_tap(g, [&](int64_t col, int64_t src) { cols[col] = src >= 0 ? x[src] : T(0); });
}

// dx (the group's channels of one image) += the columns scattered back.
template <class T>
void col2im(const T* cols, const Geometry& g, T* dx) {
  for_each_tap(g, [&](int64_t col, int64_t src) {
    if (src >= 0) dx[src] += cols[col];
  });
}

Mat mat(const void* p, int64_t rows, int64_t cols, int64_t rs, int64_t cs, int64_t isz) {
  return {static_cast<const char*>(p), rows, cols, rs * isz, cs * isz};
}

// Images [0, n) split over the pool's threads: fn(first, last, chunk).
void over_images(int64_t n, const std::function<void(int64_t, int64_t, int64_t)>& fn, int64_t* chunks = nullptr) {
  const int64_t parts = std::max<int64_t>(1, std::min<int64_t>(num_threads(), n));
  const int64_t step = (n + parts - 1) / std::max<int64_t>(parts, 1);
  if (chunks) *chunks = parts;
  parallel_for(parts, 1, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) fn(p * step, std::min(n, (p + 1) * step), p);
  });
}

// Unshared filters: output position p of channel o reads its own filter
// w[o, p, :] (a row of col_rows() values), so each position is a dot product
// over its column instead of one GEMM for all positions.
template <class T>
void unshared_forward(const T* cols, const T* w, T* y, const Geometry& g) {  // y (Og, os) of a group
  const int64_t rows = g.col_rows(), os = g.out_size();
  for (int64_t o = 0; o < g.og; ++o)
    for (int64_t p = 0; p < os; ++p) {
      const T* f = w + (o * os + p) * rows;
      T acc = 0;
      for (int64_t r = 0; r < rows; ++r) acc += f[r] * cols[r * os + p];
      y[o * os + p] = acc;
    }
}

template <class T>
void unshared_grad_cols(const T* w, const T* gy, T* cols, const Geometry& g) {  // cols = sum_o w[o, p, :] gy[o, p]
  const int64_t rows = g.col_rows(), os = g.out_size();
  std::fill(cols, cols + rows * os, T(0));
  for (int64_t o = 0; o < g.og; ++o)
    for (int64_t p = 0; p < os; ++p) {
      const T* f = w + (o * os + p) * rows;
      const T d = gy[o * os + p];
      for (int64_t r = 0; r < rows; ++r) cols[r * os + p] += f[r] * d;
    }
}

template <class T>
void unshared_grad_weights(const T* cols, const T* gy, T* dw,
                           const Geometry& g) {  // dw[o, p, :] += gy[o, p] cols[:, p]
  const int64_t rows = g.col_rows(), os = g.out_size();
  for (int64_t o = 0; o < g.og; ++o)
    for (int64_t p = 0; p < os; ++p) {
      T* f = dw + (o * os + p) * rows;
      const T d = gy[o * os + p];
      for (int64_t r = 0; r < rows; ++r) f[r] += d * cols[r * os + p];
    }
}

template <class T>
void forward(const ops::Conv& op, const NDArray& xa, const NDArray& wa, NDArray& y, const Geometry& g) {
  const T* x = xa.ptr<T>();
  std::vector<T> wf;
  const T* w = wa.ptr<T>();
  if (op.params().flip) w = (wf = flipped(w, g)).data();
  T* out = y.ptr<T>();
  const int64_t isz = sizeof(T), rows = g.col_rows(), os = g.out_size(), is = g.in_size();
  over_images(g.n, [&](int64_t n0, int64_t n1, int64_t) {
    std::vector<T> cols(static_cast<size_t>(rows * os));
    for (int64_t n = n0; n < n1; ++n)
      for (int64_t gr = 0; gr < g.groups; ++gr) {
        im2col(x + (n * g.c + gr * g.cg) * is, g, cols.data());
        if (g.unshared) {
          unshared_forward(cols.data(), w + gr * g.og * os * rows, out + (n * g.o + gr * g.og) * os, g);
          continue;
        }
        gemm_acc(dtype_of<T>(), mat(w + gr * g.og * rows, g.og, rows, rows, 1, isz),
                 mat(cols.data(), rows, os, os, 1, isz), reinterpret_cast<char*>(out + (n * g.o + gr * g.og) * os), 1,
                 0);
      }
  });
}

template <class T>
void grad_inputs(const ops::Conv& op, const NDArray& wa, const NDArray& gya, NDArray& dx, const Geometry& g) {
  std::vector<T> wf;
  const T* w = wa.ptr<T>();
  if (op.params().flip) w = (wf = flipped(w, g)).data();
  const T* gy = gya.ptr<T>();
  T* out = dx.ptr<T>();
  std::memset(out, 0, static_cast<size_t>(dx.nbytes()));
  const int64_t isz = sizeof(T), rows = g.col_rows(), os = g.out_size(), is = g.in_size();
  over_images(g.n, [&](int64_t n0, int64_t n1, int64_t) {
    std::vector<T> cols(static_cast<size_t>(rows * os));
    for (int64_t n = n0; n < n1; ++n)
      for (int64_t gr = 0; gr < g.groups; ++gr) {
        if (g.unshared) {
          unshared_grad_cols(w + gr * g.og * os * rows, gy + (n * g.o + gr * g.og) * os, cols.data(), g);
          col2im(cols.data(), g, out + (n * g.c + gr * g.cg) * is);
          continue;
        }
        // cols = W_g^T (Cg*K x Og) . gy_g (Og x out)
        gemm_acc(dtype_of<T>(), mat(w + gr * g.og * rows, rows, g.og, 1, rows, isz),
                 mat(gy + (n * g.o + gr * g.og) * os, g.og, os, os, 1, isz), reinterpret_cast<char*>(cols.data()), 1,
                 0);
        col2im(cols.data(), g, out + (n * g.c + gr * g.cg) * is);
      }
  });
}

template <class T>
void grad_weights(const ops::Conv& op, const NDArray& xa, const NDArray& gya, NDArray& dw, const Geometry& g) {
  const T* x = xa.ptr<T>();
  const T* gy = gya.ptr<T>();
  const int64_t isz = sizeof(T), rows = g.col_rows(), os = g.out_size(), is = g.in_size();
  const int64_t wsize = g.filters() * rows;
  // One accumulator per chunk of images, summed after.
  const int64_t parts = std::max<int64_t>(1, std::min<int64_t>(num_threads(), g.n));
  std::vector<std::vector<T>> acc(static_cast<size_t>(parts), std::vector<T>(static_cast<size_t>(wsize), T(0)));
  over_images(g.n, [&](int64_t n0, int64_t n1, int64_t part) {
    std::vector<T> cols(static_cast<size_t>(rows * os));
    T* a = acc[static_cast<size_t>(part)].data();
    for (int64_t n = n0; n < n1; ++n)
      for (int64_t gr = 0; gr < g.groups; ++gr) {
        im2col(x + (n * g.c + gr * g.cg) * is, g, cols.data());
        if (g.unshared) {
          unshared_grad_weights(cols.data(), gy + (n * g.o + gr * g.og) * os, a + gr * g.og * os * rows, g);
          continue;
        }
        // dW_g (Og x Cg*K) += gy_g (Og x out) . cols^T (out x Cg*K)
        gemm_acc(dtype_of<T>(), mat(gy + (n * g.o + gr * g.og) * os, g.og, os, os, 1, isz),
                 mat(cols.data(), os, rows, 1, os, isz), reinterpret_cast<char*>(a + gr * g.og * rows), 1, 1);
      }
  });
  std::vector<T>& sum = acc[0];
  for (size_t p = 1; p < acc.size(); ++p)
    for (int64_t i = 0; i < wsize; ++i) sum[static_cast<size_t>(i)] += acc[p][static_cast<size_t>(i)];
  T* out = dw.ptr<T>();
  if (op.params().flip) {
    const std::vector<T> f = flipped(sum.data(), g);
    std::copy(f.begin(), f.end(), out);
  } else {
    std::copy(sum.begin(), sum.end(), out);
  }
}

// y = act(y + bias[channel]) in place, for a fused forward convolution.
template <class T>
void epilogue(const ops::Conv& op, const T* bias, NDArray& y, const Geometry& g) {
  const ConvActivation act = op.activation();
  if (!bias && act == ConvActivation::None) return;
  T* out = y.ptr<T>();
  const int64_t os = g.out_size();
  parallel_for(g.n * g.o, 1, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const T add = bias ? bias[r % g.o] : T(0);
      T* row = out + r * os;
      for (int64_t i = 0; i < os; ++i) {
        const T v = row[i] + add;
        switch (act) {
          case ConvActivation::Relu:
            row[i] = v > T(0) ? v : T(0);
            break;
          case ConvActivation::Tanh:
            row[i] = std::tanh(v);
            break;
          case ConvActivation::Sigmoid:
            row[i] = T(1) / (T(1) + std::exp(-v));
            break;
          case ConvActivation::None:
            row[i] = v;
            break;
        }
      }
    }
  });
}

// The spatial sizes in a shape input, checked against the op's dimensions.
Shape given_spatial(const ops::Conv& op, const NDArray& s, const std::vector<NDArray>& in) {
  const int nd = op.params().nd;
  if (s.ndim() != 1 || s.shape[0] != nd)
    bad(op, "the shape input must hold " + std::to_string(nd) + " sizes, got " + shape_str(s.shape), in);
  Shape r;
  for (int d = 0; d < nd; ++d) {
    const int64_t v = s.get_int(d);
    if (v < 1) bad(op, "the shape input holds a non-positive size " + std::to_string(v), in);
    r.push_back(v);
  }
  return r;
}

void check_out(const ops::Conv& op, const Geometry& g, const Shape& gy, const std::vector<NDArray>& in) {
  Shape want{g.n, g.o};
  for (int d = 0; d < op.params().nd; ++d) want.push_back(g.out[static_cast<size_t>(3 - op.params().nd + d)]);
  if (gy != want)
    bad(op, "the output gradient has shape " + shape_str(gy) + " but the convolution gives " + shape_str(want), in);
}

// The convolution on oneDNN (float32), the filters flipped first (or the
// filter gradient after) for a convolution; false when oneDNN is not in use.
bool run_onednn(const ops::Conv& op, const NDArray& a, const NDArray& b, const NDArray* bias, NDArray& out,
                const Geometry& g, Workspace& ws) {
  if (!dnnl::enabled() || op.params().unshared) return false;  // oneDNN has no locally connected convolution
  if (!dnnl::api()) {
    dnnl::warn_fallback(op.name().c_str());
    return false;
  }
  const ConvParams& p = op.params();
  dnnl::ConvSpec s;
  s.role = op.role();
  s.groups = g.groups;
  s.bias = bias != nullptr;
  s.act = op.activation();
  s.x = {g.n, g.c};
  s.w = {g.o, g.cg};
  s.y = {g.n, g.o};
  for (int d = 3 - p.nd; d < 3; ++d) {
    const auto u = static_cast<size_t>(d);
    s.x.push_back(g.in[u]);
    s.w.push_back(g.k[u]);
    s.y.push_back(g.out[u]);
    s.stride.push_back(g.stride[u]);
    s.dilation.push_back(g.dil[u]);
    s.pad_l.push_back(g.pad[u]);
    s.pad_r.push_back(g.pad_hi[u]);
  }
  std::vector<float> wf;
  const void* in0 = a.data;
  const void* in1 = b.data;
  if (p.flip && op.role() == ops::ConvRole::Forward) in1 = (wf = flipped(b.ptr<float>(), g)).data();
  if (p.flip && op.role() == ops::ConvRole::GradInputs) in0 = (wf = flipped(a.ptr<float>(), g)).data();
  if (!dnnl::conv(s, in0, in1, bias ? bias->data : nullptr, out.data, ws.state)) return false;
  if (p.flip && op.role() == ops::ConvRole::GradWeights) {
    const std::vector<float> f = flipped(out.ptr<float>(), g);
    std::copy(f.begin(), f.end(), out.ptr<float>());
  }
  return true;
}

void conv_kernel(const ops::Conv& op, const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws) {
  const NDArray a = in[0].contiguous(), b = in[1].contiguous();
  const ConvParams& p = op.params();
  // The result's shape and the convolution's geometry, by role.
  Shape result;
  Geometry g;
  switch (op.role()) {
    case ops::ConvRole::Forward:  // (x, w)
      g = geometry(op, a.shape, b.shape, in);
      result = {g.n, g.o};
      for (int d = 0; d < p.nd; ++d) result.push_back(g.out[static_cast<size_t>(3 - p.nd + d)]);
      break;
    case ops::ConvRole::GradInputs: {  // (w, gy, input spatial shape)
      int64_t channels = 0;
      if (!mul_fits(a.shape[static_cast<size_t>(p.filter_channel_axis())], p.groups, &channels))
        bad(op, "the input's channel count overflows", in);
      result = {b.shape[0], channels};
      for (int64_t v : given_spatial(op, in[2], in)) result.push_back(v);
      g = geometry(op, result, a.shape, in);
      check_out(op, g, b.shape, in);
      break;
    }
    case ops::ConvRole::GradWeights:  // (x, gy, filter spatial shape)
      if (a.shape[1] % p.groups != 0)
        bad(op,
            std::to_string(a.shape[1]) + " input channels do not split into " + std::to_string(p.groups) + " groups",
            in);
      result = {b.shape[1]};
      if (p.unshared) result.insert(result.end(), b.shape.begin() + 2, b.shape.end());  // gy's positions
      result.push_back(a.shape[1] / p.groups);
      for (int64_t v : given_spatial(op, in[2], in)) result.push_back(v);
      g = geometry(op, a.shape, result, in);
      check_out(op, g, b.shape, in);
      break;
  }
  out[0] = ws.empty(a.dtype, result);
  if (out[0].size() == 0) return;
  if (op.role() == ops::ConvRole::GradWeights && (g.n == 0 || g.out_size() == 0)) {
    std::memset(out[0].data, 0, static_cast<size_t>(out[0].nbytes()));
    return;
  }
  NDArray bias;
  if (op.bias()) {
    bias = in[2].contiguous();
    if (bias.ndim() != 1 || bias.shape[0] != g.o)
      bad(op, "the bias has shape " + shape_str(bias.shape) + " for " + std::to_string(g.o) + " filters", in);
  }
  if (a.dtype == DType::Float32 && run_onednn(op, a, b, op.bias() ? &bias : nullptr, out[0], g, ws)) return;
  visit_dtype(a.dtype, [&]<class T>() {
    if constexpr (std::is_floating_point_v<T>) {
      switch (op.role()) {
        case ops::ConvRole::Forward:
          forward<T>(op, a, b, out[0], g);
          return epilogue<T>(op, op.bias() ? bias.ptr<T>() : nullptr, out[0], g);
        case ops::ConvRole::GradInputs:
          return grad_inputs<T>(op, a, b, out[0], g);
        case ops::ConvRole::GradWeights:
          return grad_weights<T>(op, a, b, out[0], g);
      }
    }
  });
}

}  // namespace

void add_conv_kernels(Backend& cpu) {
  for (OpKind k : {OpKind::Conv, OpKind::ConvGradInputs, OpKind::ConvGradWeights})
    cpu.add(k, &typed_kernel<ops::Conv, conv_kernel>, &dnnl::prepare_plans);
}

}  // namespace theon
