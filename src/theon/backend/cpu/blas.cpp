// The CPU kernels of the linear algebra ops (ops/blas.hpp): Dot and Matmul
// through the run-time BLAS's gemm/gemv for float and complex dtypes, a C++
// loop otherwise; Gemm's alpha/beta update in one BLAS call.
#include "ops/blas.hpp"

#include <algorithm>
#include <climits>
#include <cstring>
#include <mutex>
#include <type_traits>

#include "backend/cpu/gemm.hpp"
#include "backend/cpu/kernels.hpp"
#include "backend/cpu/rank1.hpp"
#include "theon/backend/cpu/blas.hpp"
#include "theon/runtime.hpp"

namespace theon {

namespace {

// ---- products -----------------------------------------------------------------------

// A 1-D/2-D array as the left (M x K) or right (K x N) operand of a product.
Mat as_left(const NDArray& a) {
  if (a.ndim() == 2) return {a.data, a.shape[0], a.shape[1], a.strides[0], a.strides[1]};
  return {a.data, 1, a.shape[0], 0, a.strides[0]};
}
Mat as_right(const NDArray& b) {
  if (b.ndim() == 2) return {b.data, b.shape[0], b.shape[1], b.strides[0], b.strides[1]};
  return {b.data, b.shape[0], 1, b.strides[0], 0};
}

// How BLAS sees an operand: row-major (trans=false) or column-major (trans=true,
// i.e. the transpose of a row-major matrix) with leading dimension ld.
struct Layout {
  bool trans;
  int ld;
};

// Can BLAS read `m` in place? The stride of a dim of size <= 1 does not matter.
bool blas_layout(const Mat& m, int64_t isz, int64_t align, Layout& out) {
  if (reinterpret_cast<uintptr_t>(m.p) % static_cast<uintptr_t>(align) != 0) return false;
  auto lead = [isz](int64_t stride, int64_t min) -> int64_t {
    if (stride <= 0 || stride % isz != 0) return -1;
    int64_t ld = stride / isz;
    return ld >= min && ld <= INT_MAX ? ld : -1;
  };
  const int64_t r1 = std::max<int64_t>(m.rows, 1), c1 = std::max<int64_t>(m.cols, 1);
  if (m.cols <= 1 || m.cs == isz) {
    int64_t ld = m.rows <= 1 ? c1 : lead(m.rs, c1);
    if (ld > 0 && ld <= INT_MAX) {
      out = {false, static_cast<int>(ld)};
      return true;
    }
  }
  if (m.rows <= 1 || m.rs == isz) {
    int64_t ld = m.cols <= 1 ? r1 : lead(m.cs, r1);
    if (ld > 0 && ld <= INT_MAX) {
      out = {true, static_cast<int>(ld)};
      return true;
    }
  }
  return false;
}

int64_t blas_align(DType d) { return static_cast<int64_t>(is_complex(d) ? itemsize(d) / 2 : itemsize(d)); }

bool blas_dtype(DType d) { return is_inexact(d) && d != DType::Float16; }

// Would BLAS need a copy of this operand? (Only asked for BLAS dtypes.)
bool needs_copy(const Mat& m, DType d) {
  Layout l;
  return !blas_layout(m, static_cast<int64_t>(itemsize(d)), blas_align(d), l);
}

// c (m x n, rows ldc apart) = a (m x k) . b (k x n) through gemm, or gemv when
// one side is a vector (then c's elements are contiguous). `gemv` is only
// called when `have_gemv`.
template <class T, class Gemm, class Gemv>
void run_blas(const T* a, Layout la, const T* b, Layout lb, T* c, int ldc, int m, int n, int k, Gemm gemm, Gemv gemv,
              bool have_gemv) {
  const int inc_a = la.trans ? la.ld : 1;  // step along a's (single) row
  const int inc_b = lb.trans ? 1 : lb.ld;  // step along b's (single) column
  if (n == 1 && have_gemv) {
    if (!la.trans)
      gemv(kCblasNoTrans, m, k, a, la.ld, b, inc_b, c);
    else
      gemv(kCblasTrans, k, m, a, la.ld, b, inc_b, c);
    return;
  }
  if (m == 1 && have_gemv) {
    if (!lb.trans)
      gemv(kCblasTrans, k, n, b, lb.ld, a, inc_a, c);
    else
      gemv(kCblasNoTrans, n, k, b, lb.ld, a, inc_a, c);
    return;
  }
  gemm(la.trans ? kCblasTrans : kCblasNoTrans, lb.trans ? kCblasTrans : kCblasNoTrans, m, n, k, a, la.ld, b, lb.ld, c,
       ldc);
}

template <class T, class Gemm, class Gemv>
void run_blas_complex(const Mat& A, Layout la, const Mat& B, Layout lb, char* C, int ldc, int m, int n, int k,
                      Gemm gemm, Gemv gemv) {
  static const T one(1), zero(0);
  run_blas<T>(
      reinterpret_cast<const T*>(A.p), la, reinterpret_cast<const T*>(B.p), lb, reinterpret_cast<T*>(C), ldc, m, n, k,
      [&](int ta, int tb, int m_, int n_, int k_, const T* a, int lda, const T* b, int ldb, T* c, int ldc) {
        gemm(kCblasRowMajor, ta, tb, m_, n_, k_, &one, a, lda, b, ldb, &zero, c, ldc);
      },
      [&](int tr, int m_, int n_, const T* a, int lda, const T* x, int incx, T* y) {
        gemv(kCblasRowMajor, tr, m_, n_, &one, a, lda, x, incx, &zero, y, 1);
      },
      gemv != nullptr);
}

// One BLAS call, C = alpha A.B + beta C with C's rows ldc elements apart
// (beta = 0: C is not read), on the calling thread; the operands' layouts
// were checked by blas_gemm.
void blas_gemm_serial(DType d, const Blas& bl, const Mat& A, Layout la, const Mat& B, Layout lb, char* C, int ldc,
                      int m, int n, int k, double alpha, double beta) {
  // A result 3-16 columns wide (a softmax layer's products: 256x784 by
  // 784x10, 784x256 by 256x10) runs 1.4-2x faster in OpenBLAS when its rows
  // of A come in blocks of at most 192 KB than as one call (float32,
  // scipy-openblas32's SkylakeX kernels on Zen 4: 86 -> 42-60 us on one core;
  // smaller A or wider results gain nothing, so they stay one call).
  constexpr int kNarrowCols = 16;
  constexpr int64_t kNarrowBlockBytes = 192 * 1024;
  const int64_t isz = static_cast<int64_t>(itemsize(d));
  const int64_t a_row_bytes = std::max(k, 1) * isz;
  const int rows = static_cast<int>(std::clamp<int64_t>(kNarrowBlockBytes / a_row_bytes, 16, INT_MAX));
  if (!is_complex(d) && n >= 3 && n <= kNarrowCols && k > 1 && m > rows) {
    for (int i0 = 0; i0 < m; i0 += rows) {
      Mat a = A;
      a.p += static_cast<int64_t>(i0) * A.rs;
      a.rows = std::min(rows, m - i0);
      blas_gemm_serial(d, bl, a, la, B, lb, C + static_cast<int64_t>(i0) * ldc * isz, ldc, static_cast<int>(a.rows), n,
                       k, alpha, beta);
    }
    return;
  }
  switch (d) {
    case DType::Float32: {
      auto a = reinterpret_cast<const float*>(A.p), b = reinterpret_cast<const float*>(B.p);
      auto c = reinterpret_cast<float*>(C);
      const float fa = static_cast<float>(alpha), fb = static_cast<float>(beta);
      if (m == 1 && n == 1 && bl.sdot) {
        const float r = fa * bl.sdot(k, a, la.trans ? la.ld : 1, b, lb.trans ? 1 : lb.ld);
        *c = fb == 0 ? r : r + fb * *c;
        return;
      }
      if (k == 1) {  // an outer product: theon's loop (rank1.hpp)
        rank1_update(c, ldc, a, la.trans ? 1 : la.ld, b, lb.trans ? lb.ld : 1, m, n, fa, fb);
        return;
      }
      run_blas<float>(
          a, la, b, lb, c, ldc, m, n, k,
          [&](int ta, int tb, int m_, int n_, int k_, const float* pa, int lda, const float* pb, int ldb, float* pc,
              int ldc) { bl.sgemm(kCblasRowMajor, ta, tb, m_, n_, k_, fa, pa, lda, pb, ldb, fb, pc, ldc); },
          [&](int tr, int m_, int n_, const float* pa, int lda, const float* x, int incx, float* y) {
            bl.sgemv(kCblasRowMajor, tr, m_, n_, fa, pa, lda, x, incx, fb, y, 1);
          },
          true);
      return;
    }
    case DType::Float64: {
      auto a = reinterpret_cast<const double*>(A.p), b = reinterpret_cast<const double*>(B.p);
      auto c = reinterpret_cast<double*>(C);
      if (m == 1 && n == 1 && bl.ddot) {
        const double r = alpha * bl.ddot(k, a, la.trans ? la.ld : 1, b, lb.trans ? 1 : lb.ld);
        *c = beta == 0 ? r : r + beta * *c;
        return;
      }
      if (k == 1) {
        rank1_update(c, ldc, a, la.trans ? 1 : la.ld, b, lb.trans ? lb.ld : 1, m, n, alpha, beta);
        return;
      }
      run_blas<double>(
          a, la, b, lb, c, ldc, m, n, k,
          [&](int ta, int tb, int m_, int n_, int k_, const double* pa, int lda, const double* pb, int ldb, double* pc,
              int ldc) { bl.dgemm(kCblasRowMajor, ta, tb, m_, n_, k_, alpha, pa, lda, pb, ldb, beta, pc, ldc); },
          [&](int tr, int m_, int n_, const double* pa, int lda, const double* x, int incx, double* y) {
            bl.dgemv(kCblasRowMajor, tr, m_, n_, alpha, pa, lda, x, incx, beta, y, 1);
          },
          true);
      return;
    }
    case DType::Complex64:
      run_blas_complex<std::complex<float>>(A, la, B, lb, C, ldc, m, n, k, bl.cgemm, bl.cgemv);
      return;
    case DType::Complex128:
      run_blas_complex<std::complex<double>>(A, la, B, lb, C, ldc, m, n, k, bl.zgemm, bl.zgemv);
      return;
    default:
      return;
  }
}

// The BLAS path, C (M x N, C-contiguous) = alpha A.B + beta C; false if BLAS
// cannot take these operands as they are. Complex: alpha 1, beta 0 only.
// Large products run as panels of rows (or columns) of C on theon's pool,
// each one single-threaded BLAS call: one thread budget for the process, and
// a panel the OS delays is taken by whichever thread is running (the pool's
// caller never waits for a worker that has not started).
bool blas_gemm(DType d, const Blas& bl, const Mat& A, const Mat& B, char* C, int64_t M, int64_t N, int64_t K,
               double alpha = 1, double beta = 0) {
  if (M > INT_MAX || N > INT_MAX || K > INT_MAX) return false;
  if (is_complex(d) && (alpha != 1 || beta != 0)) return false;
  if (!blas_dtype(d)) return false;
  const int64_t isz = static_cast<int64_t>(itemsize(d)), al = blas_align(d);
  Layout la, lb;
  if (!blas_layout(A, isz, al, la) || !blas_layout(B, isz, al, lb)) return false;
  const int m = static_cast<int>(M), n = static_cast<int>(N), k = static_cast<int>(K);
  constexpr double kParallelFlops = 1 << 20;  // ~15 us on one core: below, a pool dispatch is not worth it
  // On oversubscribed cores (pool_contended()), a panel whose worker loses its
  // core costs a time slice, so only products of about a millisecond or more
  // on one core are split (measured with two CPU-bound processes on two cores:
  // the MLP step at batch 20 made 1.1-1.9x the steps per second serial).
  constexpr double kContendedParallelFlops = 64e6;
  constexpr int64_t kMinPanel = 32;
  const int threads = num_threads();
  const bool by_rows = M >= N;
  const int64_t extent = by_rows ? M : N;
  const int64_t panels = std::min<int64_t>(threads, extent / kMinPanel);
  const double flops = 2.0 * static_cast<double>(M) * static_cast<double>(N) * static_cast<double>(K);
  if (threads < 2 || panels < 2 || flops < kParallelFlops || (flops < kContendedParallelFlops && pool_contended())) {
    blas_gemm_serial(d, bl, A, la, B, lb, C, n, m, n, k, alpha, beta);
    return true;
  }
  const int64_t step = (extent + panels - 1) / panels;
  parallel_for(panels, 1, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      const int64_t lo = p * step, hi = std::min(extent, lo + step);
      if (lo >= hi) continue;
      Mat a = A, b = B;
      char* c = C;
      if (by_rows) {
        a.p += lo * A.rs;
        a.rows = hi - lo;
        c += lo * N * isz;
      } else {
        b.p += lo * B.cs;
        b.cols = hi - lo;
        c += lo * isz;
      }
      blas_gemm_serial(d, bl, a, la, b, lb, c, n, static_cast<int>(a.rows), static_cast<int>(b.cols), k, alpha, beta);
    }
  });
  return true;
}

// c += a * b with NumPy's result for the dtype: bool is or-of-ands, ints wrap.
template <class T>
inline T madd(T c, T a, T b) {
  if constexpr (std::is_same_v<T, bool>) {
    return c || (a && b);
  } else if constexpr (std::is_integral_v<T>) {
    // Unsigned arithmetic at least as wide as unsigned int: wraps, never overflows.
    using U = std::conditional_t<(sizeof(T) < sizeof(unsigned)), unsigned, std::make_unsigned_t<T>>;
    return static_cast<T>(static_cast<U>(c) + static_cast<U>(a) * static_cast<U>(b));
  } else {
    return c + a * b;
  }
}

// The portable path: i-k-j order, blocked over k and j so a tile of b stays in cache.
template <class T>
void loop_gemm(const Mat& A, const Mat& B, char* C, int64_t M, int64_t N, int64_t K) {
  T* c = reinterpret_cast<T*>(C);
  std::fill(c, c + M * N, T{});
  constexpr int64_t kKB = 128, kJB = 512;
  const bool b_unit = B.cs == static_cast<int64_t>(sizeof(T));
  for (int64_t k0 = 0; k0 < K; k0 += kKB) {
    const int64_t k1 = std::min(K, k0 + kKB);
    for (int64_t j0 = 0; j0 < N; j0 += kJB) {
      const int64_t j1 = std::min(N, j0 + kJB);
      for (int64_t i = 0; i < M; ++i) {
        T* ci = c + i * N;
        for (int64_t k = k0; k < k1; ++k) {
          const T aik = *reinterpret_cast<const T*>(A.p + i * A.rs + k * A.cs);
          const char* bk = B.p + k * B.rs;
          if (b_unit) {
            const T* bp = reinterpret_cast<const T*>(bk);
            for (int64_t j = j0; j < j1; ++j) ci[j] = madd(ci[j], aik, bp[j]);
          } else {
            for (int64_t j = j0; j < j1; ++j) ci[j] = madd(ci[j], aik, *reinterpret_cast<const T*>(bk + j * B.cs));
          }
        }
      }
    }
  }
}

void warn_no_blas() {
  static std::once_flag once;
  std::call_once(once, [] {
    warn(
        "theon: no BLAS library was found; dot/matmul on float and complex dtypes use a slow built-in loop "
        "(install OpenBLAS, or set THEON_BLAS=/path/to/libopenblas.so[:symbol_prefix])");
  });
}

// float16 products run in float32 (as NumPy's, which accumulate float16 dots
// in float): a float32 copy of a float16 operand, C-contiguous.
Mat widen_half(const Mat& m, std::vector<float>& buf) {
  buf.resize(static_cast<size_t>(m.rows * m.cols));
  for (int64_t i = 0; i < m.rows; ++i)
    for (int64_t j = 0; j < m.cols; ++j)
      buf[static_cast<size_t>(i * m.cols + j)] = *reinterpret_cast<const half*>(m.p + i * m.rs + j * m.cs);
  const int64_t fs = static_cast<int64_t>(sizeof(float));
  return {reinterpret_cast<const char*>(buf.data()), m.rows, m.cols, m.cols * fs, fs};
}

void gemm_any(DType d, const Mat& A, const Mat& B, char* C);

// C (float16, M x N, C-contiguous) = alpha A.B + beta C, computed in float32 and rounded once.
void gemm_half(const Mat& A, const Mat& B, char* C, double alpha, double beta) {
  std::vector<float> a, b, c(static_cast<size_t>(A.rows * B.cols));
  gemm_any(DType::Float32, widen_half(A, a), widen_half(B, b), reinterpret_cast<char*>(c.data()));
  half* out = reinterpret_cast<half*>(C);
  for (size_t i = 0; i < c.size(); ++i)
    out[i] = static_cast<float>(alpha) * c[i] + (beta == 0 ? 0.0f : static_cast<float>(beta) * out[i]);
}

// C (M x N, C-contiguous, of dtype d) = A (M x K) . B (K x N).
void gemm_any(DType d, const Mat& A, const Mat& B, char* C) {
  const int64_t M = A.rows, K = A.cols, N = B.cols;
  if (M == 0 || N == 0) return;
  if (d == DType::Float16 && K > 0) return gemm_half(A, B, C, 1, 0);
  if (K == 0) {
    std::memset(C, 0, static_cast<size_t>(M * N) * itemsize(d));
    return;
  }
  if (blas_dtype(d)) {
    if (const Blas* bl = blas()) {
      if (blas_gemm(d, *bl, A, B, C, M, N, K)) return;
    } else {
      warn_no_blas();
    }
  }
  visit_dtype(d, [&]<class T>() { loop_gemm<T>(A, B, C, M, N, K); });
}

[[noreturn]] void not_aligned(const std::string& op, const NDArray& a, const NDArray& b, int ax_a, int ax_b) {
  throw ValueError(op + ": shapes " + shape_str(a.shape) + " and " + shape_str(b.shape) +
                   " not aligned: " + std::to_string(a.shape[ax_a]) + " (dim " + std::to_string(ax_a) +
                   ") != " + std::to_string(b.shape[ax_b]) + " (dim " + std::to_string(ax_b) + ") (dtypes " +
                   std::string(dtype_name(a.dtype)) + ", " + std::string(dtype_name(b.dtype)) + ")");
}

// The shape of dot(a, b) for vectors and matrices; raises what a product of
// these shapes must (shared by Dot, Gemm and Dot22Scalar).
Shape dot_shape(const std::string& op, const NDArray& a, const NDArray& b) {
  if (a.ndim() < 1 || a.ndim() > 2 || b.ndim() < 1 || b.ndim() > 2)
    throw ValueError(op + ": expected vectors or matrices, got shapes " + shape_str(a.shape) + " and " +
                     shape_str(b.shape));
  if (a.shape.back() != b.shape[0]) not_aligned(op, a, b, a.ndim() - 1, 0);
  Shape shape;
  if (a.ndim() == 2) shape.push_back(a.shape[0]);
  if (b.ndim() == 2) shape.push_back(b.shape[1]);
  return shape;
}

// ---- Dot ----------------------------------------------------------------------------

void dot_kernel(const ops::Dot& op, const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws) {
  NDArray a = in[0], b = in[1];
  if (a.dtype != b.dtype)
    throw TypeError("Dot: inputs must have the same dtype, got " + std::string(dtype_name(a.dtype)) + " and " +
                    std::string(dtype_name(b.dtype)));
  out[0] = ws.empty(a.dtype, dot_shape(op.name(), a, b));
  THEON_CHECK(out[0].is_c_contiguous(), "Dot: the workspace returned a non-contiguous output");
  if (blas_dtype(a.dtype) && out[0].size() > 0 && a.shape.back() > 0) {
    // BLAS reads transposed/strided operands in place; anything else is copied once.
    if (needs_copy(as_left(a), a.dtype)) a = a.contiguous();
    if (needs_copy(as_right(b), b.dtype)) b = b.contiguous();
  }
  gemm_any(a.dtype, as_left(a), as_right(b), out[0].data);
}

// ---- Gemm ---------------------------------------------------------------------------

// Gemm's shape checks (what the kernel raises before it writes anything).
void gemm_check(const ops::Gemm& op, const std::vector<NDArray>& in, const Apply*) {
  const NDArray& z = in[0];
  const Shape shape = dot_shape(op.name(), in[2], in[3]);
  if (z.shape != shape)
    throw ValueError(op.name() + ": Z has shape " + shape_str(z.shape) + " but dot(X, Y) has shape " +
                     shape_str(shape));
}

void gemm_kernel(const ops::Gemm& op, const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws) {
  gemm_check(op, in, ws.node);
  const NDArray &z = in[0], &x = in[2], &y = in[3];
  const DType d = z.dtype;
  const Shape& shape = z.shape;
  if (ws.destroy_ok && z.is_c_contiguous()) {
    out[0] = z;  // the runtime owns this buffer and nothing reads it later
  } else {
    out[0] = ws.empty(d, shape);
    copy_into(z, out[0]);
  }
  NDArray a = x, b = y;
  if (needs_copy(as_left(a), d)) a = a.contiguous();
  if (needs_copy(as_right(b), d)) b = b.contiguous();
  gemm_acc(d, as_left(a), as_right(b), out[0].data, in[1].get_double(0), in[4].get_double(0));
}

// ---- Dot22Scalar ---------------------------------------------------------------------

void dot_scalar_kernel(const ops::DotScalar& op, const std::vector<NDArray>& in, std::vector<NDArray>& out,
                       Workspace& ws) {
  NDArray a = in[0], b = in[1];
  out[0] = ws.empty(a.dtype, dot_shape(op.name(), a, b));
  if (needs_copy(as_left(a), a.dtype)) a = a.contiguous();
  if (needs_copy(as_right(b), b.dtype)) b = b.contiguous();
  gemm_acc(a.dtype, as_left(a), as_right(b), out[0].data, in[2].get_double(0), 0);  // beta 0: the output is not read
}

// ---- Matmul -------------------------------------------------------------------------

void matmul_kernel(const ops::Matmul& op, const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws) {
  NDArray a = in[0], b = in[1];
  const int nd = a.ndim();
  if (nd < 2 || b.ndim() != nd || a.dtype != b.dtype)
    throw ValueError("Matmul: bad inputs " + a.str() + " and " + b.str());
  if (a.shape[nd - 1] != b.shape[nd - 2]) not_aligned(op.name(), a, b, nd - 1, nd - 2);
  const Apply* node = ws.node;
  Shape shape;
  for (int d = 0; d < nd - 2; ++d) {
    const int64_t sa = a.shape[d], sb = b.shape[d];
    const bool ba = node ? node->inputs[0]->type.shape[d] == 1 : sa == 1;
    const bool bb = node ? node->inputs[1]->type.shape[d] == 1 : sb == 1;
    if (ba)
      shape.push_back(sb);
    else if (bb)
      shape.push_back(sa);
    else if (sa != sb)
      throw ValueError("Matmul: batch dimension " + std::to_string(d) + " does not match: shapes " +
                       shape_str(a.shape) + " and " + shape_str(b.shape) + " (dtypes " +
                       std::string(dtype_name(a.dtype)) + ", " + std::string(dtype_name(b.dtype)) +
                       "; only dimensions whose type is broadcastable broadcast)");
    else
      shape.push_back(sa);
  }
  const int64_t M = a.shape[nd - 2], K = a.shape[nd - 1], N = b.shape[nd - 1];
  shape.push_back(M);
  shape.push_back(N);
  NDArray& o = out[0];
  o = ws.empty(a.dtype, shape);
  THEON_CHECK(o.is_c_contiguous(), "Matmul: the workspace returned a non-contiguous output");
  if (o.size() == 0) return;
  auto inner = [nd](const NDArray& x) {
    return Mat{x.data, x.shape[nd - 2], x.shape[nd - 1], x.strides[nd - 2], x.strides[nd - 1]};
  };
  if (blas_dtype(a.dtype) && K > 0) {
    if (needs_copy(inner(a), a.dtype)) a = a.contiguous();
    if (needs_copy(inner(b), b.dtype)) b = b.contiguous();
  }
  const int64_t batch = o.size() / (M * N);
  const size_t step = static_cast<size_t>(M * N) * itemsize(o.dtype);
  std::vector<int64_t> idx(nd - 2, 0);
  Mat ma = inner(a), mb = inner(b);
  for (int64_t i = 0; i < batch; ++i) {
    const char *pa = a.data, *pb = b.data;
    for (int d = 0; d < nd - 2; ++d) {
      if (a.shape[d] != 1) pa += idx[d] * a.strides[d];
      if (b.shape[d] != 1) pb += idx[d] * b.strides[d];
    }
    ma.p = pa;
    mb.p = pb;
    gemm_any(o.dtype, ma, mb, o.data + static_cast<size_t>(i) * step);
    for (int d = nd - 3; d >= 0; --d) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
}

}  // namespace

// C = alpha A.B + beta C for the float dtypes (the Gemm op): BLAS when it can
// read the operands, else the product into a temporary and an update loop.
void gemm_acc(DType d, const Mat& A, const Mat& B, char* C, double alpha, double beta) {
  const int64_t M = A.rows, K = A.cols, N = B.cols;
  if (M == 0 || N == 0) return;
  if (d == DType::Float16) return gemm_half(A, B, C, alpha, beta);
  if (K > 0) {
    if (const Blas* bl = blas())
      if (blas_gemm(d, *bl, A, B, C, M, N, K, alpha, beta)) return;
  }
  std::vector<char> tmp(static_cast<size_t>(M * N) * itemsize(d));
  gemm_any(d, A, B, tmp.data());
  visit_dtype(d, [&]<class T>() {
    if constexpr (std::is_floating_point_v<T>) {
      T* c = reinterpret_cast<T*>(C);
      const T* t = reinterpret_cast<const T*>(tmp.data());
      for (int64_t i = 0; i < M * N; ++i)
        c[i] = static_cast<T>(alpha) * t[i] + (beta == 0 ? T(0) : static_cast<T>(beta) * c[i]);
    }
  });
}

void add_blas_kernels(Backend& cpu) {
  cpu.add(OpKind::Dot, &typed_kernel<ops::Dot, dot_kernel>);
  cpu.add(OpKind::Matmul, &typed_kernel<ops::Matmul, matmul_kernel>);
  cpu.add(OpKind::Gemm, &typed_kernel<ops::Gemm, gemm_kernel>);
  cpu.add(OpKind::DotScalar, &typed_kernel<ops::DotScalar, dot_scalar_kernel>);
  cpu.set_preflight(OpKind::Gemm, &typed_preflight<ops::Gemm, gemm_check>);
}

}  // namespace theon
