// The reduction loop and its accumulation kernels (see reduce_loop.hpp).
#include "backend/cpu/reduce_loop.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/convert.hpp"
#include "theon/runtime.hpp"

namespace theon {

namespace {

constexpr int64_t kBlock = 1024;  // values produced per block
constexpr int64_t kMaxPartitions = 64;

// ---- kernels ---------------------------------------------------------------------

template <class C, ReduceKind K>
inline C combine(C a, C v) {
  if constexpr (std::is_same_v<C, bool>) {  // only all/any run in bool
    if constexpr (K == ReduceKind::All || K == ReduceKind::Prod || K == ReduceKind::Min)
      return a && v;
    else
      return a || v;
  } else if constexpr (K == ReduceKind::All) {
    return static_cast<C>(a != C(0) && v != C(0));
  } else if constexpr (K == ReduceKind::Any) {
    return static_cast<C>(a != C(0) || v != C(0));
  } else if constexpr (K == ReduceKind::Sum) {
    if constexpr (std::is_same_v<C, int64_t>)  // wrap like NumPy instead of UB
      return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(v));
    else
      return a + v;
  } else if constexpr (K == ReduceKind::Prod) {
    if constexpr (std::is_same_v<C, int64_t>)
      return static_cast<int64_t>(static_cast<uint64_t>(a) * static_cast<uint64_t>(v));
    else
      return a * v;
  } else if constexpr (is_complex_v<C>) {
    return a;  // max/min of complex is rejected when the node is built
  } else if constexpr (K == ReduceKind::Max) {
    return (a >= v || a != a) ? a : v;  // NaN in either propagates
  } else {
    return (a <= v || a != a) ? a : v;
  }
}

template <class C>
C identity(ReduceKind k) {
  if constexpr (std::is_same_v<C, bool>) {
    return k == ReduceKind::All || k == ReduceKind::Prod || k == ReduceKind::Min;
  } else if constexpr (is_complex_v<C>) {
    return C(k == ReduceKind::Prod ? 1.0 : 0.0);
  } else {
    switch (k) {
      case ReduceKind::Sum:
        return C(0);
      case ReduceKind::Prod:
        return C(1);
      case ReduceKind::Max:
        return std::numeric_limits<C>::has_infinity ? -std::numeric_limits<C>::infinity()
                                                    : std::numeric_limits<C>::lowest();
      case ReduceKind::Min:
        return std::numeric_limits<C>::has_infinity ? std::numeric_limits<C>::infinity()
                                                    : std::numeric_limits<C>::max();
      case ReduceKind::All:
        return C(1);
      case ReduceKind::Any:
        return C(0);
    }
    return C(0);
  }
}

#if defined(__SSE2__)
// Max/min of floats with SSE2 (baseline on x86-64): maxps ignores a NaN in
// its first operand, so NaNs are tracked in a mask on the side and win at
// the end, as NumPy's do. The compiler does not vectorize the scalar form.
template <class V>
struct Sse;
template <>
struct Sse<float> {
  using R = __m128;
  static constexpr int W = 4;
  static R load(const float* p) { return _mm_loadu_ps(p); }
  static R max(R a, R b) { return _mm_max_ps(a, b); }
  static R min(R a, R b) { return _mm_min_ps(a, b); }
  static R unord(R a) { return _mm_cmpunord_ps(a, a); }
  static R bor(R a, R b) { return _mm_or_ps(a, b); }
  static R zero() { return _mm_setzero_ps(); }
  static void store(float* p, R v) { _mm_storeu_ps(p, v); }
};
template <>
struct Sse<double> {
  using R = __m128d;
  static constexpr int W = 2;
  static R load(const double* p) { return _mm_loadu_pd(p); }
  static R max(R a, R b) { return _mm_max_pd(a, b); }
  static R min(R a, R b) { return _mm_min_pd(a, b); }
  static R unord(R a) { return _mm_cmpunord_pd(a, a); }
  static R bor(R a, R b) { return _mm_or_pd(a, b); }
  static R zero() { return _mm_setzero_pd(); }
  static void store(double* p, R v) { _mm_storeu_pd(p, v); }
};

// Folds v[0, n) into *acc; returns the count handled (a multiple of 4 vectors).
template <class V, class C, ReduceKind K>
int64_t minmax_sse(const V* v, int64_t n, C* acc) {
  using S = Sse<V>;
  constexpr int W = S::W, U = 4;
  if (n < 2 * U * W) return 0;
  typename S::R m[U], nan = S::zero();
  for (int u = 0; u < U; ++u) m[u] = S::load(v + u * W);
  int64_t i = U * W;
  for (; i + U * W <= n; i += U * W)
    for (int u = 0; u < U; ++u) {
      const typename S::R x = S::load(v + i + u * W);
      nan = S::bor(nan, S::unord(x));
      m[u] = K == ReduceKind::Max ? S::max(x, m[u]) : S::min(x, m[u]);
    }
  for (int u = 0; u < U; ++u) nan = S::bor(nan, S::unord(m[u]));  // the first vectors, loaded unchecked
  V lanes[U * W], flags[W];
  for (int u = 0; u < U; ++u) S::store(lanes + u * W, m[u]);
  S::store(flags, nan);
  C a = *acc;
  for (V x : lanes) a = combine<C, K>(a, static_cast<C>(x));
  for (V f : flags)
    if (f != f || f != 0) a = std::numeric_limits<C>::quiet_NaN();  // an all-ones lane is a NaN bit pattern
  *acc = a;
  return i;
}
#endif

// Folds n values (type V) into the accumulator (type C): all into acc[0]
// when as == 0, else value i into acc[i * as].
using AccFn = void (*)(const void* v, int64_t n, void* acc, int64_t as);

template <class V, class C, ReduceKind K>
void accumulate(const void* vp, int64_t n, void* accp, int64_t as) {
  const V* __restrict v = static_cast<const V*>(vp);
  C* __restrict acc = static_cast<C*>(accp);
  constexpr int L = 8;
  if (as == 0) {
    C a = *acc;
    int64_t i = 0;
    if constexpr (std::is_floating_point_v<V> && (K == ReduceKind::Max || K == ReduceKind::Min)) {
#if defined(__SSE2__)
      if (const int64_t done = minmax_sse<V, C, K>(v, n, acc)) {
        a = *acc;
        for (i = done; i < n; ++i) a = combine<C, K>(a, static_cast<C>(v[i]));
        *acc = a;
        return;
      }
#endif
      // Plain compares; NaNs are tracked on the side.
      if (n >= 2 * L) {
        V lane[L];
        bool nan[L];
        for (int j = 0; j < L; ++j) lane[j] = v[j], nan[j] = v[j] != v[j];
        for (i = L; i + L <= n; i += L)
          for (int j = 0; j < L; ++j) {
            const V x = v[i + j];
            lane[j] = (K == ReduceKind::Max ? x > lane[j] : x < lane[j]) ? x : lane[j];
            nan[j] |= x != x;
          }
        bool any_nan = false;
        for (int j = 0; j < L; ++j) a = combine<C, K>(a, static_cast<C>(lane[j])), any_nan |= nan[j];
        if (any_nan) a = std::numeric_limits<C>::quiet_NaN();
      }
    } else if constexpr (std::is_arithmetic_v<C> && !std::is_same_v<C, bool>) {
      // Independent lanes break the dependency chain (and let the compiler vectorize).
      if (n >= 2 * L) {
        C lane[L];
        for (int j = 0; j < L; ++j) lane[j] = static_cast<C>(v[j]);
        for (i = L; i + L <= n; i += L)
          for (int j = 0; j < L; ++j) lane[j] = combine<C, K>(lane[j], static_cast<C>(v[i + j]));
        for (int j = 0; j < L; ++j) a = combine<C, K>(a, lane[j]);
      }
    }
    for (; i < n; ++i) a = combine<C, K>(a, static_cast<C>(v[i]));
    *acc = a;
  } else if (as == 1) {
    for (int64_t i = 0; i < n; ++i) acc[i] = combine<C, K>(acc[i], static_cast<C>(v[i]));
  } else {
    for (int64_t i = 0; i < n; ++i) acc[i * as] = combine<C, K>(acc[i * as], static_cast<C>(v[i]));
  }
}

#if defined(__SSE2__)
// Two values of V as two doubles.
inline __m128d load2(const double* p) { return _mm_loadu_pd(p); }
inline __m128d load2(const float* p) {
  return _mm_cvtps_pd(_mm_castsi128_ps(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p))));
}

// Column max/min into float64 accumulators, NaN-sticky: maxpd(x, a) keeps a
// NaN a, and a NaN x is caught by the mask.
template <class V, ReduceKind K>
void minmax_rows_sse(const V* const* v, int64_t n, double* acc) {
  const __m128d qnan = _mm_set1_pd(std::numeric_limits<double>::quiet_NaN());
  int64_t i = 0;
  for (; i + 2 <= n; i += 2) {
    __m128d a = _mm_loadu_pd(acc + i), nan = _mm_setzero_pd();
    for (int k = 0; k < 4; ++k) {
      const __m128d x = load2(v[k] + i);
      nan = _mm_or_pd(nan, _mm_cmpunord_pd(x, x));
      a = K == ReduceKind::Max ? _mm_max_pd(x, a) : _mm_min_pd(x, a);
    }
    _mm_storeu_pd(acc + i, _mm_or_pd(_mm_andnot_pd(nan, a), _mm_and_pd(nan, qnan)));
  }
  for (; i < n; ++i)
    for (int k = 0; k < 4; ++k) acc[i] = combine<double, K>(acc[i], static_cast<double>(v[k][i]));
}
#endif

// Folds kRows blocks of n values into acc[0..n) (contiguous accumulators).
constexpr int kRows = 4;
using RowsFn = void (*)(const void* const* v, int64_t n, void* acc);

template <class V, class C, ReduceKind K>
void accumulate_rows(const void* const* vp, int64_t n, void* accp) {
  const V* __restrict v0 = static_cast<const V*>(vp[0]);
  const V* __restrict v1 = static_cast<const V*>(vp[1]);
  const V* __restrict v2 = static_cast<const V*>(vp[2]);
  const V* __restrict v3 = static_cast<const V*>(vp[3]);
  C* __restrict acc = static_cast<C*>(accp);
#if defined(__SSE2__)
  if constexpr (std::is_same_v<C, double> && (K == ReduceKind::Max || K == ReduceKind::Min)) {
    minmax_rows_sse<V, K>(reinterpret_cast<const V* const*>(vp), n, acc);
    return;
  }
#endif
  for (int64_t i = 0; i < n; ++i) {
    C a = combine<C, K>(acc[i], static_cast<C>(v0[i]));
    a = combine<C, K>(a, static_cast<C>(v1[i]));
    a = combine<C, K>(a, static_cast<C>(v2[i]));
    acc[i] = combine<C, K>(a, static_cast<C>(v3[i]));
  }
}

template <class V, class C>
RowsFn rows_of(ReduceKind k) {
  switch (k) {
    case ReduceKind::Sum:
      return &accumulate_rows<V, C, ReduceKind::Sum>;
    case ReduceKind::Prod:
      return &accumulate_rows<V, C, ReduceKind::Prod>;
    case ReduceKind::Max:
      return &accumulate_rows<V, C, ReduceKind::Max>;
    case ReduceKind::Min:
      return &accumulate_rows<V, C, ReduceKind::Min>;
    default:
      return nullptr;
  }
}

// Row-group kernels exist for the float accumulators (the common case).
RowsFn rows_kernel(ReduceKind k, CT values, RC rc) {
  if (rc != RC::F64) return nullptr;
  return values == CT::F32 ? rows_of<float, double>(k) : values == CT::F64 ? rows_of<double, double>(k) : nullptr;
}

template <class V, class C>
AccFn kernel_of(ReduceKind k) {
  switch (k) {
    case ReduceKind::Sum:
      return &accumulate<V, C, ReduceKind::Sum>;
    case ReduceKind::Prod:
      return &accumulate<V, C, ReduceKind::Prod>;
    case ReduceKind::Max:
      return &accumulate<V, C, ReduceKind::Max>;
    case ReduceKind::Min:
      return &accumulate<V, C, ReduceKind::Min>;
    case ReduceKind::All:
      return &accumulate<V, C, ReduceKind::All>;
    case ReduceKind::Any:
      return &accumulate<V, C, ReduceKind::Any>;
  }
  return nullptr;
}

AccFn acc_kernel(ReduceKind k, CT values, RC rc) {
  if (values == CT::F32 && rc == RC::F64) return kernel_of<float, double>(k);
  if (values != rc_ct(rc))
    throw InternalError("reduce_loop: values of compute type " + std::to_string(int(values)) +
                        " cannot accumulate into " + std::string(dtype_name(rc_dtype(rc))));
  AccFn f = nullptr;
  visit_rc(rc, [&]<class C>() { f = kernel_of<C, C>(k); });
  return f;
}

// ---- the loop ----------------------------------------------------------------------

// One loop dim: its size, the accumulator's element stride (0 = reduced) and
// each input's byte stride (0 = broadcast).
struct LoopDim {
  int64_t n, acc;
  std::vector<int64_t> in;
};

std::vector<LoopDim> loop_dims(const std::vector<NDArray>& inputs, const Shape& shape, const std::vector<int>& axes) {
  Shape kept;
  for (int d = 0; d < static_cast<int>(shape.size()); ++d)
    if (std::find(axes.begin(), axes.end(), d) == axes.end()) kept.push_back(shape[d]);
  const Strides ast = c_strides(kept, 1);
  std::vector<LoopDim> dims;
  for (int d = 0, k = 0; d < static_cast<int>(shape.size()); ++d) {
    const bool red = std::find(axes.begin(), axes.end(), d) != axes.end();
    LoopDim L{shape[d], red ? 0 : ast[k], {}};
    if (!red) ++k;
    if (shape[d] == 1) continue;
    for (const auto& x : inputs) L.in.push_back(x.shape[d] == 1 ? 0 : x.strides[d]);
    dims.push_back(std::move(L));
  }
  // Memory order of the first full-size input: its smallest stride runs innermost.
  size_t lead = 0;
  for (size_t i = 0; i < inputs.size(); ++i)
    if (inputs[i].shape == shape) {
      lead = i;
      break;
    }
  if (!inputs.empty())
    std::stable_sort(dims.begin(), dims.end(), [&](const LoopDim& a, const LoopDim& b) {
      return std::llabs(a.in[lead]) > std::llabs(b.in[lead]);
    });
  std::vector<LoopDim> out;
  for (auto& x : dims) {
    if (!out.empty()) {
      LoopDim& o = out.back();
      bool ok = o.acc == x.acc * x.n;
      for (size_t i = 0; ok && i < x.in.size(); ++i) ok = o.in[i] == x.in[i] * x.n;
      if (ok) {
        o.n *= x.n;
        o.acc = x.acc;
        o.in = x.in;
        continue;
      }
    }
    out.push_back(std::move(x));
  }
  if (out.empty()) out.push_back({1, 0, std::vector<int64_t>(inputs.size(), 0)});
  return out;
}

}  // namespace

CT rc_ct(RC c) {
  switch (c) {
    case RC::I64:
      return CT::I64;
    case RC::U64:
      return CT::U64;
    case RC::F64:
      return CT::F64;
    case RC::C128:
      return CT::C128;
    case RC::Bool:
      return CT::Bool;
  }
  return CT::F64;
}

// An accumulator is held in the dtype of its compute type.
DType rc_dtype(RC c) { return ct_dtype(rc_ct(c)); }

RC numeric_rc(DType d) {
  if (is_complex(d)) return RC::C128;
  if (is_float(d)) return RC::F64;
  if (is_unsigned_int(d)) return RC::U64;
  return RC::I64;
}

void fill_identity(ReduceKind kind, RC rc, NDArray& acc) {
  visit_rc(rc, [&]<class C>() { std::fill(acc.ptr<C>(), acc.ptr<C>() + acc.size(), identity<C>(kind)); });
}

void reduce_loop(const std::vector<NDArray>& inputs, const Shape& shape, const std::vector<int>& axes, ReduceKind kind,
                 RC rc, CT values, NDArray& acc, const ValueSource& source, int64_t cost) {
  int64_t total = 1;
  for (int64_t s : shape) total *= s;
  if (total == 0) return;
  const AccFn kern = acc_kernel(kind, values, rc);
  const std::vector<LoopDim> dims = loop_dims(inputs, shape, axes);
  const int nd = static_cast<int>(dims.size());
  const int nin = static_cast<int>(inputs.size());
  const LoopDim& inner = dims.back();
  const int64_t nblocks = (inner.n + kBlock - 1) / kBlock;
  const int64_t csz = static_cast<int64_t>(itemsize(rc_dtype(rc)));
  const int64_t osize = acc.size();

  // Partitions cut the outermost dim (or the blocks of a single dim); they
  // share accumulators when that dim is reduced, and then each gets its own.
  const bool cut_outer = nd >= 2;
  const int64_t span = cut_outer ? dims[0].n : nblocks;
  const bool shared = (cut_outer ? dims[0].acc : inner.acc) == 0;
  int64_t parts = std::clamp<int64_t>(total * std::max<int64_t>(cost, 1) / kParallelWork, 1, kMaxPartitions);
  parts = std::min(parts, span);
  if (shared)
    parts = std::min(parts, std::max<int64_t>(1, std::min(total / (4 * osize), int64_t(1 << 18) / (osize * csz))));
  const bool partials = shared && parts > 1;
  NDArray partial;
  if (partials) {
    partial = NDArray::empty(rc_dtype(rc), {parts, osize});
    fill_identity(kind, rc, partial);
  }

  // Column-wise reductions (inner dim kept, the next one reduced) fold
  // kRows rows per pass over the accumulator block, so it is loaded and
  // stored once per kRows rows instead of once per row.
  const RowsFn rows_kern = nd >= 2 && inner.acc == 1 && dims[nd - 2].acc == 0 ? rows_kernel(kind, values, rc) : nullptr;

  auto run_part = [&](int64_t p) {
    const int64_t lo = span * p / parts, hi = span * (p + 1) / parts;
    char* accbase = partials ? partial.data + p * osize * csz : acc.data;
    std::vector<std::complex<double>> scratch(kBlock * kRows);
    std::vector<const char*> ptrs(nin), at(nin);
    auto block = [&](const std::vector<const char*>& base, int64_t b, int k) {
      const int64_t start = b * kBlock, m = std::min(kBlock, inner.n - start);
      for (int i = 0; i < nin; ++i) ptrs[i] = base[i] + start * inner.in[i];
      return source(ptrs.data(), inner.in.data(), m, scratch.data() + k * kBlock);
    };
    auto fold = [&](const std::vector<const char*>& base, int64_t aoff, int64_t b0, int64_t b1) {
      for (int64_t b = b0; b < b1; ++b) {
        const int64_t start = b * kBlock;
        kern(block(base, b, 0), std::min(kBlock, inner.n - start), accbase + (aoff + start * inner.acc) * csz,
             inner.acc);
      }
    };
    for (int i = 0; i < nin; ++i) at[i] = inputs[i].data;
    if (!cut_outer) {
      fold(at, 0, lo, hi);
      return;
    }
    // An odometer over the outer dims [0, nd - 2) and, inside, the rows of
    // dim nd - 2; dim 0 is restricted to [lo, hi).
    const int rd = nd - 2;
    auto lim = [&](int d) { return d == 0 ? hi - lo : dims[d].n; };
    int64_t aoff = lo * dims[0].acc;
    for (int i = 0; i < nin; ++i) at[i] += lo * dims[0].in[i];
    int64_t outer = 1;
    for (int d = 0; d < rd; ++d) outer *= lim(d);
    std::vector<int64_t> idx(std::max(rd, 1), 0);
    std::vector<const char*> row(nin);
    const void* vals[kRows];
    for (int64_t o = 0; o < outer; ++o) {
      const int64_t nr = lim(rd);
      int64_t r = 0;
      if (rows_kern) {
        for (; r + kRows <= nr; r += kRows)
          for (int64_t b = 0; b < nblocks; ++b) {
            for (int k = 0; k < kRows; ++k) {
              for (int i = 0; i < nin; ++i) row[i] = at[i] + (r + k) * dims[rd].in[i];
              vals[k] = block(row, b, k);
            }
            rows_kern(vals, std::min(kBlock, inner.n - b * kBlock), accbase + (aoff + b * kBlock) * csz);
          }
      }
      for (; r < nr; ++r) {
        for (int i = 0; i < nin; ++i) row[i] = at[i] + r * dims[rd].in[i];
        fold(row, aoff + r * dims[rd].acc, 0, nblocks);
      }
      for (int d = rd - 1; d >= 0; --d) {
        if (++idx[d] < lim(d)) {
          aoff += dims[d].acc;
          for (int i = 0; i < nin; ++i) at[i] += dims[d].in[i];
          break;
        }
        aoff -= dims[d].acc * (lim(d) - 1);
        for (int i = 0; i < nin; ++i) at[i] -= dims[d].in[i] * (lim(d) - 1);
        idx[d] = 0;
      }
    }
  };
  parallel_for(parts, 1, [&](int64_t b, int64_t e) {
    for (int64_t p = b; p < e; ++p) run_part(p);
  });
  if (partials) {
    const AccFn merge = acc_kernel(kind, rc_ct(rc), rc);
    for (int64_t p = 0; p < parts; ++p) merge(partial.data + p * osize * csz, osize, acc.data, 1);
  }
}

float max_of(const float* v, int64_t n) {
  float m = -std::numeric_limits<float>::infinity();
  accumulate<float, float, ReduceKind::Max>(v, n, &m, 0);
  return m;
}
double max_of(const double* v, int64_t n) {
  double m = -std::numeric_limits<double>::infinity();
  accumulate<double, double, ReduceKind::Max>(v, n, &m, 0);
  return m;
}
double sum_of(const float* v, int64_t n) {
  double s = 0;
  accumulate<float, double, ReduceKind::Sum>(v, n, &s, 0);
  return s;
}
double sum_of(const double* v, int64_t n) {
  double s = 0;
  accumulate<double, double, ReduceKind::Sum>(v, n, &s, 0);
  return s;
}

}  // namespace theon
