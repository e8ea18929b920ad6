// Rank-1 products on theon's own loop (see rank1.hpp), C = alpha a b^T + beta C.
//
// Rows shorter than a vector (a 784 x 10 weight gradient) are where BLAS is
// slow and where a row-by-row loop is too: its scalar remainder runs every
// row, and a vector that spills into the next row stalls that row's load
// (store forwarding). So when C's rows are contiguous, C is updated as one
// flat array: within a period of lcm(n, W) values the column pattern of b
// and the row of each lane repeat, so each vector of C is a permute of W
// values of a, times a stored vector of b's pattern. Rows of W values or more
// run as whole vectors and a last, overlapping vector computed from the
// values as they were before the row's other stores.
//
// The vector width is simd_level()'s (vector_math.hpp): AVX-512, AVX2 + FMA,
// or a plain loop. The kernels use GCC's vector extensions inside functions
// compiled for each instruction set (`flatten` puts the shared template into
// them), so the -Wpsabi note about passing vectors between such functions
// does not apply: no vector crosses a call.
#include "backend/cpu/rank1.hpp"

#include <cstdint>
#include <cstring>
#include <numeric>
#include <vector>

#include "backend/cpu/vector_math.hpp"

#pragma GCC diagnostic ignored "-Wpsabi"

namespace theon {

namespace {

template <class T>
void rank1_plain(T* c, int64_t ldc, const T* a, int64_t inc_a, const T* __restrict b, int64_t m, int64_t n, T alpha,
                 T beta) {
  for (int64_t i = 0; i < m; ++i) {
    T* __restrict r = c + i * ldc;
    const T s = alpha * a[i * inc_a];
    if (beta == T(0)) {
      for (int64_t j = 0; j < n; ++j) r[j] = s * b[j];
    } else {
      for (int64_t j = 0; j < n; ++j) r[j] = beta * r[j] + s * b[j];
    }
  }
}

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)

template <class V>
inline V vload(const void* p) {
  V v;
  std::memcpy(&v, p, sizeof(V));
  return v;
}
template <class V>
inline void vstore(void* p, V v) {
  std::memcpy(p, &v, sizeof(V));
}

// W lanes of T in V, lane indices in I (same lane width, for __builtin_shuffle).
template <class T, class V, class I, int W>
inline void rank1_vec(T* c, int64_t ldc, const T* a, int64_t inc_a, const T* b, int64_t m, int64_t n, T alpha, T beta) {
  const V valpha = V{} + alpha, vbeta = V{} + beta;
  auto update = [&](V ab, T* p) { vstore(p, beta == T(0) ? ab : ab + vbeta * vload<V>(p)); };
  if (n >= W) {
    const int64_t last = n - W;
    const V blast = vload<V>(b + last);
    for (int64_t i = 0; i < m; ++i) {
      T* r = c + i * ldc;
      const V s = V{} + alpha * a[i * inc_a];
      const V tail = beta == T(0) ? s * blast : s * blast + vbeta * vload<V>(r + last);  // before the row's stores
      for (int64_t j = 0; j + W <= n; j += W) update(s * vload<V>(b + j), r + j);
      vstore(r + last, tail);
    }
    return;
  }
  if (ldc != n || inc_a != 1) return rank1_plain(c, ldc, a, inc_a, b, m, n, alpha, beta);
  // One period: `vecs` vectors of C covering `rows` whole rows.
  const int64_t g = std::gcd(n, static_cast<int64_t>(W)), rows = W / g, vecs = n / g;
  V bpat[W];
  I lane_row[W];
  for (int64_t v = 0; v < vecs; ++v)
    for (int l = 0; l < W; ++l) {
      const int64_t t = v * W + l;
      bpat[v][l] = b[t % n];
      lane_row[v][l] = static_cast<typename std::remove_reference_t<decltype(lane_row[0][0])>>(t / n);
    }
  int64_t i = 0;
  for (; i + W <= m; i += rows) {  // W values of a readable from row i
    const V av = valpha * vload<V>(a + i);
    T* p = c + i * n;
    for (int64_t v = 0; v < vecs; ++v) update(__builtin_shuffle(av, lane_row[v]) * bpat[v], p + v * W);
  }
  rank1_plain(c + i * n, n, a + i, 1, b, m - i, n, alpha, beta);
}

typedef float f32x16 __attribute__((vector_size(64)));
typedef int32_t i32x16 __attribute__((vector_size(64)));
typedef double f64x8 __attribute__((vector_size(64)));
typedef int64_t i64x8 __attribute__((vector_size(64)));
typedef float f32x8 __attribute__((vector_size(32)));
typedef int32_t i32x8 __attribute__((vector_size(32)));
typedef double f64x4 __attribute__((vector_size(32)));
typedef int64_t i64x4 __attribute__((vector_size(32)));

template <class T>
using Rank1Fn = void (*)(T*, int64_t, const T*, int64_t, const T*, int64_t, int64_t, T, T);

#define THEON_RANK1_KERNEL(name, isa, T, V, I, W)                                                                      \
  __attribute__((target(isa), flatten)) void name(T* c, int64_t ldc, const T* a, int64_t inc_a, const T* b, int64_t m, \
                                                  int64_t n, T alpha, T beta) {                                        \
    rank1_vec<T, V, I, W>(c, ldc, a, inc_a, b, m, n, alpha, beta);                                                     \
  }
THEON_RANK1_KERNEL(rank1_f32_avx512, "avx512f", float, f32x16, i32x16, 16)
THEON_RANK1_KERNEL(rank1_f64_avx512, "avx512f", double, f64x8, i64x8, 8)
THEON_RANK1_KERNEL(rank1_f32_avx2, "avx2,fma", float, f32x8, i32x8, 8)
THEON_RANK1_KERNEL(rank1_f64_avx2, "avx2,fma", double, f64x4, i64x4, 4)
#undef THEON_RANK1_KERNEL

template <class T>
Rank1Fn<T> pick(Rank1Fn<T> avx512, Rank1Fn<T> avx2) {
  switch (simd_level()) {
    case SimdLevel::AVX512:
      return avx512;
    case SimdLevel::AVX2:
      return avx2;
    default:
      return &rank1_plain<T>;
  }
}

Rank1Fn<float> rank1_f32() {
  static const Rank1Fn<float> fn = pick<float>(&rank1_f32_avx512, &rank1_f32_avx2);
  return fn;
}
Rank1Fn<double> rank1_f64() {
  static const Rank1Fn<double> fn = pick<double>(&rank1_f64_avx512, &rank1_f64_avx2);
  return fn;
}

#else

Rank1Fn<float> rank1_f32() { return &rank1_plain<float>; }
Rank1Fn<double> rank1_f64() { return &rank1_plain<double>; }

#endif

// b as a contiguous row: itself, or a copy in `buf`.
template <class T>
const T* contiguous_row(const T* b, int64_t inc_b, int64_t n, std::vector<T>& buf) {
  if (inc_b == 1) return b;
  buf.resize(static_cast<size_t>(n));
  for (int64_t j = 0; j < n; ++j) buf[static_cast<size_t>(j)] = b[j * inc_b];
  return buf.data();
}

}  // namespace

void rank1_update(float* c, int64_t ldc, const float* a, int64_t inc_a, const float* b, int64_t inc_b, int64_t m,
                  int64_t n, float alpha, float beta) {
  std::vector<float> buf;
  rank1_f32()(c, ldc, a, inc_a, contiguous_row(b, inc_b, n, buf), m, n, alpha, beta);
}

void rank1_update(double* c, int64_t ldc, const double* a, int64_t inc_a, const double* b, int64_t inc_b, int64_t m,
                  int64_t n, double alpha, double beta) {
  std::vector<double> buf;
  rank1_f64()(c, ldc, a, inc_a, contiguous_row(b, inc_b, n, buf), m, n, alpha, beta);
}

}  // namespace theon
