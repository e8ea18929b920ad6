// CPU kernels of the random ops (ops/random.hpp): MRG31k3p uniforms over the
// thread pool (streams are independent, so the split never changes a value),
// Theano's multinomial/choice from uniforms, and NumPy's legacy RandomState
// distributions on MT19937. This file is compiled with -ffp-contract=off:
// a fused multiply-add would change the last bit of Theano's samples.
#include "ops/random.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

#include "backend/cpu/kernels.hpp"
#include "ops/random_engines.hpp"
#include "ops/scalar_table.hpp"
#include "theon/runtime.hpp"

namespace theon {

namespace {

// The sample shape from a size vector: every entry >= 0 and the count fits.
Shape read_size(const std::string& op, const NDArray& size, DType dtype) {
  Shape shape;
  for (int64_t i = 0; i < size.shape[0]; ++i) {
    bool too_big = false;
    NDArray e = NDArray::wrap(size.data + i * size.strides[0], size.dtype, {}, {}, size.base);
    const int64_t v = e.item_index(&too_big);
    if (v < 0 || too_big)
      throw ValueError(op + ": size " + std::to_string(i) + " is " + (too_big ? "too large" : std::to_string(v)) +
                       "; sizes must be non-negative");
    shape.push_back(v);
  }
  checked_element_count(shape, dtype, op + " samples");
  return shape;
}

// ---- MRG31k3p --------------------------------------------------------------------

// One MRG31k3p step of n streams held as six arrays (x11 .. x23), writing each stream's combined value to v. The same
// arithmetic as rng::mrg_next, in uint32 and without branches so that it vectorises: every state value is in [0, 2^31),
// no sum reaches 2^32, and "v < 0 or v >= m" on the wrapped int32 is "v >= m" on the uint32.
__attribute__((target_clones("avx2", "default"))) void mrg_step_streams(
    uint32_t* __restrict x11, uint32_t* __restrict x12, uint32_t* __restrict x13, uint32_t* __restrict x21,
    uint32_t* __restrict x22, uint32_t* __restrict x23, int64_t n, uint32_t* __restrict v) {
  constexpr uint32_t m1 = rng::kM1, m2 = rng::kM2;
  for (int64_t i = 0; i < n; ++i) {
    const uint32_t a11 = x11[i], a12 = x12[i], a13 = x13[i], a21 = x21[i], a22 = x22[i], a23 = x23[i];
    uint32_t y1 = ((a12 & 511u) << 22) + (a12 >> 9) + ((a13 & 16777215u) << 7) + (a13 >> 24);
    y1 = y1 >= m1 ? y1 - m1 : y1;
    y1 += a13;
    y1 = y1 >= m1 ? y1 - m1 : y1;
    uint32_t z1 = ((a21 & 65535u) << 15) + 21069u * (a21 >> 16);
    z1 = z1 >= m2 ? z1 - m2 : z1;
    uint32_t z2 = ((a23 & 65535u) << 15) + 21069u * (a23 >> 16);
    z2 = z2 >= m2 ? z2 - m2 : z2;
    z2 += a23;
    z2 = z2 >= m2 ? z2 - m2 : z2;
    z2 += z1;
    z2 = z2 >= m2 ? z2 - m2 : z2;
    x13[i] = a12, x12[i] = a11, x11[i] = y1;
    x23[i] = a22, x22[i] = a21, x21[i] = z2;
    const uint32_t d = y1 + m1 - z2;
    v[i] = d > m1 ? d - m1 : d;
  }
}

template <class T>
void mrg_store(const uint32_t* v, int64_t n, T* out) {
  for (int64_t i = 0; i < n; ++i) {
    if constexpr (std::is_same_v<T, float>)
      out[i] = rng::mrg_float32(static_cast<int32_t>(v[i]));
    else if constexpr (std::is_same_v<T, double>)
      out[i] = rng::mrg_float64(static_cast<int32_t>(v[i]));
    else
      out[i] = T(rng::mrg_float16_value(static_cast<int32_t>(v[i])));
  }
}

// Streams [s0, s1) fill their samples (sample i from stream i % streams), a
// block of streams at a time, row by row: the states stay in L1 as six arrays
// and each row's writes are contiguous.
template <class T>
void mrg_fill(int32_t* states, int64_t streams, int64_t total, T* out, int64_t s0, int64_t s1) {
  constexpr int64_t kBlock = 256;
  uint32_t soa[6 * kBlock], v[kBlock];
  for (int64_t b0 = s0; b0 < s1; b0 += kBlock) {
    const int64_t nb = std::min(s1, b0 + kBlock) - b0;
    for (int64_t i = 0; i < nb; ++i)
      for (int c = 0; c < 6; ++c) soa[c * nb + i] = static_cast<uint32_t>(states[(b0 + i) * 6 + c]);
    for (int64_t base = 0; base + b0 < total; base += streams) {
      const int64_t n = std::min(nb, total - base - b0);  // the last row may end inside the block
      mrg_step_streams(soa, soa + nb, soa + 2 * nb, soa + 3 * nb, soa + 4 * nb, soa + 5 * nb, n, v);
      mrg_store(v, n, out + base + b0);
    }
    for (int64_t i = 0; i < nb; ++i)
      for (int c = 0; c < 6; ++c) states[(b0 + i) * 6 + c] = static_cast<int32_t>(soa[c * nb + i]);
  }
}

void mrg_uniform_kernel(const ops::MRGUniform& op, const std::vector<NDArray>& in, std::vector<NDArray>& out,
                        Workspace& ws) {
  const NDArray& rs = in[0];
  if (rs.shape[1] != 6) throw ValueError(op.name() + ": rstate must have 6 columns, got " + shape_str(rs.shape));
  const int64_t streams = rs.shape[0];
  if (in[1].shape[0] != op.ndim())
    throw ValueError(op.name() + ": size has " + std::to_string(in[1].shape[0]) + " entries for " +
                     std::to_string(op.ndim()) + " dimensions");
  const Shape shape = read_size(op.name(), in[1], op.dtype());
  int64_t total = 1;
  for (auto d : shape) total *= d;
  if (total > rng::kM1)
    throw ValueError(op.name() + ": cannot draw more than 2^31 - 1 samples, asked for " + std::to_string(total) + " " +
                     shape_str(shape));
  if (streams < 1 && total > 0) throw ValueError(op.name() + ": rstate has no stream " + shape_str(rs.shape));
  out[0] = ws.empty(DType::Int32, rs.shape);
  copy_into(rs, out[0]);
  out[1] = ws.empty(op.dtype(), shape);
  int32_t* states = out[0].ptr<int32_t>();
  for (int64_t i = 0; i < std::min(streams, total); ++i)
    for (int c = 0; c < 2; ++c) {
      const int32_t m = c == 0 ? rng::kM1 : rng::kM2;
      for (int k = 0; k < 3; ++k)
        if (states[i * 6 + 3 * c + k] < 0 || states[i * 6 + 3 * c + k] >= m)
          throw ValueError(op.name() + ": rstate row " + std::to_string(i) + " is not an MRG31k3p state (value " +
                           std::to_string(states[i * 6 + 3 * c + k]) + " outside [0, " + std::to_string(m) + "))");
    }
  const int64_t used = std::min(streams, total);
  const int64_t grain = std::max<int64_t>(256, used * kParallelWork / std::max<int64_t>(1, 8 * total));
  auto run = [&](int64_t s0, int64_t s1) {
    switch (op.dtype()) {
      case DType::Float32:
        mrg_fill(states, streams, total, out[1].ptr<float>(), s0, s1);
        break;
      case DType::Float64:
        mrg_fill(states, streams, total, out[1].ptr<double>(), s0, s1);
        break;
      default:
        mrg_fill(states, streams, total, out[1].ptr<half>(), s0, s1);
    }
  };
  parallel_for(used, grain, run);
}

// ---- Box-Muller steps --------------------------------------------------------------

// Scalar C library calls on purpose (see ops/random.hpp); cos and sin of the
// same angle compile to one sincos call, which glibc rounds as cos and sin.
template <class T>
void box_muller(ops::BoxMullerPart part, const T* x, std::vector<NDArray>& out, int64_t half, int64_t i0, int64_t i1) {
  const T minus_two = static_cast<T>(-2.0), two_pi = static_cast<T>(2.0 * M_PI);
  switch (part) {
    case ops::BoxMullerPart::Radius: {
      T* r = out[0].ptr<T>();
      for (int64_t i = i0; i < i1; ++i) r[i] = std::sqrt(minus_two * std::log(x[i]));
      break;
    }
    case ops::BoxMullerPart::Angle: {
      T *c = out[0].ptr<T>(), *s = out[1].ptr<T>();
      for (int64_t i = i0; i < i1; ++i) {
        const T t = two_pi * x[i];
        c[i] = std::cos(t);
        s[i] = std::sin(t);
      }
      break;
    }
    case ops::BoxMullerPart::Normal: {
      T* z = out[0].ptr<T>();
      for (int64_t i = i0; i < i1; ++i) {
        const T r = std::sqrt(minus_two * std::log(x[i])), t = two_pi * x[half + i];
        z[i] = r * std::cos(t);
        z[half + i] = r * std::sin(t);
      }
      break;
    }
  }
}

void box_muller_kernel(const ops::BoxMuller& op, const std::vector<NDArray>& in, std::vector<NDArray>& out,
                       Workspace& ws) {
  const NDArray u = in[0].contiguous();
  for (size_t k = 0; k < out.size(); ++k) out[k] = ws.empty(u.dtype, u.shape);
  const bool pairs = op.part() == ops::BoxMullerPart::Normal;
  if (pairs && u.shape[0] % 2 != 0)
    throw ValueError(op.name() + ": needs an even number of uniforms, got " + std::to_string(u.shape[0]));
  const int64_t n = pairs ? u.shape[0] / 2 : u.size();
  parallel_for(n, 4096, [&](int64_t i0, int64_t i1) {
    if (u.dtype == DType::Float32)
      box_muller<float>(op.part(), u.ptr<float>(), out, n, i0, i1);
    else
      box_muller<double>(op.part(), u.ptr<double>(), out, n, i0, i1);
  });
}

// ---- multinomial and choice from uniforms -----------------------------------------

template <class T>
void store_as(const NDArray& a, int64_t flat, T v) {
  visit_dtype(a.dtype, [&]<class U>() {
    if constexpr (std::is_arithmetic_v<U> || std::is_same_v<U, half>) a.ptr<U>()[flat] = static_cast<U>(v);
  });
}

void from_uniform_kernel(const ops::FromUniform& op, const std::vector<NDArray>& in, std::vector<NDArray>& out,
                         Workspace& ws) {
  const NDArray pvals = in[0].astype(DType::Float64);
  const NDArray unis = in[1].astype(DType::Float64);
  bool too_big = false;
  const int64_t n = in[2].item_index(&too_big);
  const int64_t m = pvals.shape[0], k = pvals.shape[1];
  if (n < 0 || too_big) throw ValueError(op.name() + ": n must be a non-negative count, got " + in[2].str());
  int64_t want = 0;
  if (!mul_fits(m, n, &want) || unis.shape[0] != want)
    throw ValueError(op.name() + ": unis has " + std::to_string(unis.shape[0]) + " values; pvals " +
                     shape_str(pvals.shape) + " and n = " + std::to_string(n) + " need pvals.shape[0] * n");
  if (op.choice() && !op.replace() && n > k)
    throw ValueError(op.name() + ": cannot draw " + std::to_string(n) + " samples without replacement from " +
                     std::to_string(k) + " outcomes (pvals " + shape_str(pvals.shape) + ")");
  const double* p = pvals.ptr<double>();
  const double* u = unis.ptr<double>();
  if (!op.choice()) {
    // Counts: the first outcome whose running sum (in double) passes the uniform.
    out[0] = ws.empty(op.odtype(), {m, k});
    std::vector<int64_t> counts(static_cast<size_t>(m * k), 0);
    for (int64_t c = 0; c < n; ++c)
      for (int64_t r = 0; r < m; ++r) {
        double cum = 0;
        for (int64_t j = 0; j < k; ++j) {
          cum += p[r * k + j];
          if (cum > u[c * m + r]) {
            ++counts[r * k + j];
            break;
          }
        }
      }
    for (int64_t i = 0; i < m * k; ++i) store_as(out[0], i, counts[i]);
    return;
  }
  // Choice: row r's c-th index; without replacement the chosen outcome's
  // probability goes to zero and the row is renormalised in pvals' dtype.
  out[0] = ws.empty(op.odtype(), {m, n});
  const bool f32 = in[0].dtype != DType::Float64;
  std::vector<double> row(static_cast<size_t>(k));
  std::vector<int64_t> picks(static_cast<size_t>(m * n), -1);
  for (int64_t r = 0; r < m; ++r) {
    for (int64_t j = 0; j < k; ++j) row[j] = p[r * k + j];
    for (int64_t c = 0; c < n; ++c) {
      double cum = 0;
      const double uc = u[c * m + r];
      for (int64_t j = 0; j < k; ++j) {
        cum += row[j];
        if (cum > uc) {
          picks[r * n + c] = j;
          if (c == n - 1 || op.replace()) break;
          if (f32) {
            float sum = static_cast<float>(cum - row[j]);
            row[j] = 0;
            for (int64_t q = j; q < k; ++q) sum = sum + static_cast<float>(row[q]);
            for (int64_t q = 0; q < k; ++q) row[q] = static_cast<float>(static_cast<float>(row[q]) / sum);
          } else {
            double sum = cum - row[j];
            row[j] = 0;
            for (int64_t q = j; q < k; ++q) sum += row[q];
            for (int64_t q = 0; q < k; ++q) row[q] /= sum;
          }
          break;
        }
      }
    }
  }
  for (int64_t i = 0; i < m * n; ++i) store_as(out[0], i, picks[i]);
}

// ---- NumPy's legacy RandomState ------------------------------------------------

// A parameter broadcast against the output shape: its values as double (or
// int64) and, per output axis, its stride in elements (0 where it broadcasts).
struct Param {
  std::vector<double> d;
  std::vector<int64_t> i;
  std::vector<int64_t> stride;
  Shape shape;
};

Param read_param(const NDArray& a, bool as_int) {
  Param p;
  p.shape = a.shape;
  const NDArray c = a.contiguous();
  const int64_t n = c.size();
  if (as_int)
    for (int64_t k = 0; k < n; ++k) p.i.push_back(c.get_int(k));
  else
    for (int64_t k = 0; k < n; ++k) p.d.push_back(c.get_double(k));
  return p;
}

// NumPy's broadcast of the parameters' shapes (the output shape when size is empty).
Shape broadcast_shapes(const std::string& op, const std::vector<Shape>& shapes) {
  size_t nd = 0;
  for (auto& s : shapes) nd = std::max(nd, s.size());
  Shape out(nd, 1);
  for (auto& s : shapes)
    for (size_t k = 0; k < s.size(); ++k) {
      int64_t& o = out[nd - s.size() + k];
      if (s[k] != 1 && o != 1 && s[k] != o) throw ValueError(op + ": the parameters' shapes do not broadcast together");
      if (s[k] != 1) o = s[k];
    }
  return out;
}

// Sets p.stride for reading p (shape `ps`) at the indices of `out`.
void align(const std::string& op, const char* what, Param& p, const Shape& ps, const Shape& out) {
  if (ps.size() > out.size())
    throw ValueError(op + ": " + what + " has shape " + shape_str(ps) + ", more dimensions than the sample shape " +
                     shape_str(out));
  p.stride.assign(out.size(), 0);
  int64_t st = 1;
  for (size_t k = ps.size(); k-- > 0;) {
    const size_t o = out.size() - ps.size() + k;
    if (ps[k] != 1 && ps[k] != out[o])
      throw ValueError(op + ": " + what + " of shape " + shape_str(ps) + " does not broadcast to the sample shape " +
                       shape_str(out));
    p.stride[o] = ps[k] == 1 ? 0 : st;
    st *= ps[k];
  }
}

// Calls fn(flat, offsets of each param) over `shape` in C order.
template <class F>
void for_each_index(const Shape& shape, std::vector<Param*> params, F&& fn) {
  const int64_t total = checked_element_count(shape, DType::Int8);
  std::vector<int64_t> idx(shape.size(), 0), off(params.size(), 0);
  for (int64_t flat = 0; flat < total; ++flat) {
    fn(flat, off);
    for (size_t d = shape.size(); d-- > 0;) {
      for (size_t j = 0; j < params.size(); ++j) off[j] += params[j]->stride[d];
      if (++idx[d] < shape[d]) break;
      for (size_t j = 0; j < params.size(); ++j) off[j] -= params[j]->stride[d] * shape[d];
      idx[d] = 0;
    }
  }
}

[[noreturn]] void bad_param(const std::string& op, const std::string& msg, const Shape& at) {
  throw ValueError(op + ": " + msg + (at.empty() ? "" : " (sample shape " + shape_str(at) + ")"));
}

double kahan_sum(const double* p, int64_t n) {
  double s = 0, c = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double y = p[i] - c, t = s + y;
    c = (t - s) - y;
    s = t;
  }
  return s;
}

// The legacy RandomState.choice(a, size, replace, p) over `count` draws.
void draw_choice(const std::string& op, rng::MT19937& g, const NDArray& a, bool replace, const NDArray& pa,
                 int64_t count, std::vector<int64_t>& idx, std::vector<int64_t>& values) {
  const bool scalar_a = a.ndim() == 0;
  if (a.ndim() > 1) throw ValueError(op + ": a must be a scalar or a vector, got " + a.str());
  const int64_t pop = scalar_a ? a.item_int() : a.shape[0];
  if (pop <= 0 && count > 0)
    throw ValueError(op + (scalar_a ? ": a must be greater than 0 unless no samples are taken"
                                    : ": a cannot be empty unless no samples are taken"));
  if (pa.ndim() != 1) throw ValueError(op + ": p must be a vector, got " + pa.str());
  std::vector<double> p;
  if (pa.shape[0] > 0) {
    if (pa.shape[0] != pop)
      throw ValueError(op + ": a and p must have the same size, got " + std::to_string(pop) + " and " +
                       std::to_string(pa.shape[0]));
    const NDArray pc = pa.astype(DType::Float64);
    p.assign(pc.ptr<double>(), pc.ptr<double>() + pop);
    for (double v : p)
      if (!(v >= 0)) throw ValueError(op + ": probabilities are not non-negative");
    const double atol = std::max(std::sqrt(2.220446049250313e-16),
                                 pa.dtype == DType::Float64 ? 0.0 : std::sqrt(1.1920928955078125e-07));
    if (std::fabs(kahan_sum(p.data(), pop) - 1.0) > atol) throw ValueError(op + ": probabilities do not sum to 1");
  }
  idx.assign(static_cast<size_t>(count), 0);
  auto cdf_of = [&](const std::vector<double>& w) {
    std::vector<double> cdf(w.size());
    std::partial_sum(w.begin(), w.end(), cdf.begin());
    for (auto& c : cdf) c /= cdf.back();
    return cdf;
  };
  auto search_right = [](const std::vector<double>& cdf, double x) {
    return static_cast<int64_t>(std::upper_bound(cdf.begin(), cdf.end(), x) - cdf.begin());
  };
  if (replace) {
    if (!p.empty()) {
      const auto cdf = cdf_of(p);
      for (auto& v : idx) v = search_right(cdf, g.next_double());
    } else {
      for (auto& v : idx) v = g.bounded(0, static_cast<uint64_t>(pop - 1));
    }
  } else {
    if (count > pop)
      throw ValueError(op + ": cannot take a larger sample (" + std::to_string(count) + ") than the population (" +
                       std::to_string(pop) + ") without replacement");
    if (!p.empty()) {
      if (std::count_if(p.begin(), p.end(), [](double v) { return v > 0; }) < count)
        throw ValueError(op + ": fewer non-zero entries in p than the sample size");
      int64_t found = 0;
      while (found < count) {
        std::vector<double> x(static_cast<size_t>(count - found));
        for (auto& v : x) v = g.next_double();
        for (int64_t j = 0; j < found; ++j) p[idx[j]] = 0;
        const auto cdf = cdf_of(p);
        // The distinct new indices, in the order of their first appearance.
        std::vector<int64_t> fresh;
        for (double v : x) {
          const int64_t s = search_right(cdf, v);
          if (std::find(fresh.begin(), fresh.end(), s) == fresh.end()) fresh.push_back(s);
        }
        for (int64_t s : fresh) idx[found++] = s;
      }
    } else {
      std::vector<int64_t> perm(static_cast<size_t>(pop));
      std::iota(perm.begin(), perm.end(), 0);
      g.shuffle(perm.data(), pop);
      std::copy(perm.begin(), perm.begin() + count, idx.begin());
    }
  }
  values = idx;
  if (!scalar_a) {
    const NDArray ac = a.contiguous();
    for (auto& v : values) v = ac.get_int(v);
  }
}

void random_state_kernel(const ops::RandomStateDraw& op, const std::vector<NDArray>& in, std::vector<NDArray>& out,
                         Workspace& ws) {
  using ops::RandomDist;
  const std::string name = op.name();
  const NDArray& st = in[0];
  if (st.shape[0] != rng::kRandomStateWords)
    throw ValueError(name + ": the state has " + std::to_string(st.shape[0]) + " words, expected " +
                     std::to_string(rng::kRandomStateWords));
  out[0] = ws.empty(DType::UInt32, st.shape);
  copy_into(st, out[0]);
  rng::MT19937 g;
  g.load(out[0].ptr<uint32_t>());
  if (g.pos < 0 || g.pos > rng::kMTWords) throw ValueError(name + ": the state's position is out of range");
  const RandomDist dist = op.dist();
  const Shape size = read_size(name, in[1], op.dtype());

  // The sample shape (before any added axis): size, else the broadcast parameters.
  std::vector<Shape> pshapes;
  if (dist == RandomDist::Multinomial) {
    if (in[3].ndim() < 1) throw ValueError(name + ": pvals must have at least one dimension, got " + in[3].str());
    pshapes = {in[2].shape, Shape(in[3].shape.begin(), in[3].shape.end() - 1)};
  } else if (dist != RandomDist::Permutation && dist != RandomDist::Choice) {
    for (int i = 0; i < ops::random_dist_params(dist); ++i) pshapes.push_back(in[2 + i].shape);
  }
  const Shape shape = !size.empty() ? size : broadcast_shapes(name, pshapes);
  const int64_t count = checked_element_count(shape, op.dtype(), name + " samples");
  Shape oshape = shape;
  if (dist == RandomDist::Permutation) {
    if (in[2].size() != 1) throw ValueError(name + ": n must be a scalar, got " + in[2].str());
    const int64_t n = in[2].item_int();
    if (n < 0) throw ValueError(name + ": n must be non-negative, got " + std::to_string(n));
    oshape.push_back(n);
  } else if (dist == RandomDist::Multinomial) {
    oshape.push_back(in[3].shape.back());
  }
  if (static_cast<int>(oshape.size()) != op.ndim())
    throw ValueError(name + ": the samples have shape " + shape_str(oshape) + " but the output has " +
                     std::to_string(op.ndim()) + " dimensions");
  out[1] = ws.empty(op.dtype(), oshape);
  const NDArray& o = out[1];
  auto put = [&](int64_t flat, auto v) { store_as(o, flat, v); };

  switch (dist) {
    case RandomDist::Uniform:
    case RandomDist::Normal: {
      Param a = read_param(in[2], false), b = read_param(in[3], false);
      align(name, dist == RandomDist::Uniform ? "low" : "avg", a, in[2].shape, shape);
      align(name, dist == RandomDist::Uniform ? "high" : "std", b, in[3].shape, shape);
      if (dist == RandomDist::Normal)
        for (double s : b.d)
          if (s < 0) bad_param(name, "std < 0 (got " + std::to_string(s) + ")", shape);
      for_each_index(shape, {&a, &b}, [&](int64_t flat, const std::vector<int64_t>& off) {
        const double lo = a.d[off[0]], hi = b.d[off[1]];
        put(flat, dist == RandomDist::Uniform ? lo + (hi - lo) * g.next_double() : lo + hi * g.gaussian());
      });
      break;
    }
    case RandomDist::Binomial: {
      Param n = read_param(in[2], true), p = read_param(in[3], false);
      align(name, "n", n, in[2].shape, shape);
      align(name, "p", p, in[3].shape, shape);
      for (auto v : n.i)
        if (v < 0) bad_param(name, "n < 0 (got " + std::to_string(v) + ")", shape);
      for (double v : p.d)
        if (!(v >= 0 && v <= 1)) bad_param(name, "p must be in [0, 1], got " + std::to_string(v), shape);
      for_each_index(shape, {&n, &p}, [&](int64_t flat, const std::vector<int64_t>& off) {
        put(flat, g.binomial(p.d[off[1]], n.i[off[0]]));
      });
      break;
    }
    case RandomDist::RandomIntegers: {
      Param lo = read_param(in[2], true), hi = read_param(in[3], true);
      align(name, "low", lo, in[2].shape, shape);
      align(name, "high", hi, in[3].shape, shape);
      for_each_index(shape, {&lo, &hi}, [&](int64_t flat, const std::vector<int64_t>& off) {
        const int64_t l = lo.i[off[0]], h = hi.i[off[1]];
        if (l > h) bad_param(name, "low > high (" + std::to_string(l) + " > " + std::to_string(h) + ")", shape);
        put(flat, g.bounded(l, static_cast<uint64_t>(h) - static_cast<uint64_t>(l)));
      });
      break;
    }
    case RandomDist::Poisson: {
      Param lam = read_param(in[2], false);
      align(name, "lam", lam, in[2].shape, shape);
      for (double v : lam.d)
        if (!(v >= 0) || v > 9.223372006484771e+18)
          bad_param(name, "lam must be in [0, 9.2e18], got " + std::to_string(v), shape);
      for_each_index(shape, {&lam},
                     [&](int64_t flat, const std::vector<int64_t>& off) { put(flat, g.poisson(lam.d[off[0]])); });
      break;
    }
    case RandomDist::Permutation: {
      const int64_t n = oshape.back();
      std::vector<int64_t> perm(static_cast<size_t>(n));
      for (int64_t r = 0; r < count; ++r) {
        std::iota(perm.begin(), perm.end(), 0);
        g.shuffle(perm.data(), n);
        for (int64_t j = 0; j < n; ++j) put(r * n + j, perm[j]);
      }
      break;
    }
    case RandomDist::Multinomial: {
      Param n = read_param(in[2], true);
      align(name, "n", n, in[2].shape, shape);
      const int64_t k = oshape.back();
      // pvals' rows, broadcast like a parameter of shape pvals.shape[:-1].
      const NDArray pv = in[3].astype(DType::Float64);
      Param rows;
      rows.i.resize(static_cast<size_t>(pv.size() / std::max<int64_t>(k, 1)));
      std::iota(rows.i.begin(), rows.i.end(), 0);
      align(name, "pvals", rows, pshapes[1], shape);
      for (auto v : n.i)
        if (v < 0) bad_param(name, "n < 0 (got " + std::to_string(v) + ")", shape);
      std::vector<double> row(static_cast<size_t>(k));
      for_each_index(shape, {&n, &rows}, [&](int64_t flat, const std::vector<int64_t>& off) {
        const double* src = pv.ptr<double>() + rows.i[off[1]] * k;
        std::copy(src, src + k, row.begin());
        // Theano's adjustment for rows whose sum rounds just above one.
        double s = std::accumulate(row.begin(), row.end(), 0.0);
        for (double v : row)
          if (!(v >= 0)) bad_param(name, "pvals must be non-negative", shape);
        if ((s > 1.0 && s < 1.0 + 1e-5) || (k > 0 && row[k - 1] < 5e-5))
          for (auto& v : row) v *= (1.0 - 5e-5);
        if (k > 0 && kahan_sum(row.data(), k - 1) > 1.0 + 1e-12)
          bad_param(name, "pvals must sum to at most 1, got a row summing to " + std::to_string(s), shape);
        int64_t dn = n.i[off[0]];
        double remaining = 1.0;
        std::vector<int64_t> counts(static_cast<size_t>(k), 0);
        for (int64_t j = 0; j + 1 < k; ++j) {
          const double pj = row[j] / remaining;
          counts[j] = (dn == 0 || pj == 0.0) ? 0 : g.binomial(pj, dn);
          dn -= counts[j];
          if (dn <= 0) break;
          remaining -= row[j];
        }
        if (dn > 0 && k > 0) counts[k - 1] = dn;
        for (int64_t j = 0; j < k; ++j) put(flat * k + j, counts[j]);
      });
      break;
    }
    case RandomDist::Choice: {
      if (in[3].size() != 1) throw ValueError(name + ": replace must be a scalar, got " + in[3].str());
      std::vector<int64_t> idx, values;
      draw_choice(name, g, in[2], in[3].item_int() != 0, in[4], count, idx, values);
      for (int64_t i = 0; i < count; ++i) put(i, values[i]);
      break;
    }
  }
  g.store(out[0].ptr<uint32_t>());
}

}  // namespace

void add_random_kernels(Backend& cpu) {
  cpu.add(OpKind::MRGUniform, &typed_kernel<ops::MRGUniform, mrg_uniform_kernel>);
  cpu.add(OpKind::FromUniform, &typed_kernel<ops::FromUniform, from_uniform_kernel>);
  cpu.add(OpKind::BoxMuller, &typed_kernel<ops::BoxMuller, box_muller_kernel>);
  cpu.add(OpKind::RandomStateDraw, &typed_kernel<ops::RandomStateDraw, random_state_kernel>);
}

}  // namespace theon
