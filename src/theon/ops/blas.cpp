// Linear algebra: Dot (the 1-D/2-D core, through the run-time BLAS's gemm/gemv
// for float and complex dtypes, a C++ loop otherwise), Matmul (batched, with
// broadcast batch dims) and the builders dot/matmul/outer/tensordot of ops.hpp.
#include <algorithm>
#include <climits>
#include <cstring>
#include <mutex>
#include <type_traits>

#include "ops/op_info.hpp"
#include "theon/backend/cpu/blas.hpp"
#include "theon/grad.hpp"
#include "theon/ops.hpp"

namespace theon {

namespace {

// ---- kernels ------------------------------------------------------------------------

// A 2-D operand: rows x cols with byte strides (any sign, 0 = broadcast).
struct Mat {
  const char* p;
  int64_t rows, cols, rs, cs;
};

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

bool blas_dtype(DType d) { return is_inexact(d); }

// Would BLAS need a copy of this operand? (Only asked for BLAS dtypes.)
bool needs_copy(const Mat& m, DType d) {
  Layout l;
  return !blas_layout(m, static_cast<int64_t>(itemsize(d)), blas_align(d), l);
}

// c (m x n, C-contiguous) = a (m x k) . b (k x n) through gemm, or gemv when one
// side is a vector. `gemv` is only called when `have_gemv`.
template <class T, class Gemm, class Gemv>
void run_blas(const T* a, Layout la, const T* b, Layout lb, T* c, int m, int n, int k, Gemm gemm, Gemv gemv,
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
  gemm(la.trans ? kCblasTrans : kCblasNoTrans, lb.trans ? kCblasTrans : kCblasNoTrans, m, n, k, a, la.ld, b, lb.ld,
       c, n);
}

template <class T, class Gemm, class Gemv>
void run_blas_complex(const Mat& A, Layout la, const Mat& B, Layout lb, char* C, int m, int n, int k, Gemm gemm,
                      Gemv gemv) {
  static const T one(1), zero(0);
  run_blas<T>(
      reinterpret_cast<const T*>(A.p), la, reinterpret_cast<const T*>(B.p), lb, reinterpret_cast<T*>(C), m, n, k,
      [&](int ta, int tb, int m_, int n_, int k_, const T* a, int lda, const T* b, int ldb, T* c, int ldc) {
        gemm(kCblasRowMajor, ta, tb, m_, n_, k_, &one, a, lda, b, ldb, &zero, c, ldc);
      },
      [&](int tr, int m_, int n_, const T* a, int lda, const T* x, int incx, T* y) {
        gemv(kCblasRowMajor, tr, m_, n_, &one, a, lda, x, incx, &zero, y, 1);
      },
      gemv != nullptr);
}

// The BLAS path, C = alpha A.B + beta C (beta = 0: C is not read); false if
// BLAS cannot take these operands as they are. Complex: alpha 1, beta 0 only.
bool blas_gemm(DType d, const Blas& bl, const Mat& A, const Mat& B, char* C, int64_t M, int64_t N, int64_t K,
               double alpha = 1, double beta = 0) {
  if (M > INT_MAX || N > INT_MAX || K > INT_MAX) return false;
  const int64_t isz = static_cast<int64_t>(itemsize(d)), al = blas_align(d);
  Layout la, lb;
  if (!blas_layout(A, isz, al, la) || !blas_layout(B, isz, al, lb)) return false;
  const int m = static_cast<int>(M), n = static_cast<int>(N), k = static_cast<int>(K);
  switch (d) {
    case DType::Float32: {
      auto a = reinterpret_cast<const float*>(A.p), b = reinterpret_cast<const float*>(B.p);
      auto c = reinterpret_cast<float*>(C);
      const float fa = static_cast<float>(alpha), fb = static_cast<float>(beta);
      if (m == 1 && n == 1 && bl.sdot) {
        const float r = fa * bl.sdot(k, a, la.trans ? la.ld : 1, b, lb.trans ? 1 : lb.ld);
        *c = fb == 0 ? r : r + fb * *c;
        return true;
      }
      run_blas<float>(
          a, la, b, lb, c, m, n, k,
          [&](int ta, int tb, int m_, int n_, int k_, const float* pa, int lda, const float* pb, int ldb, float* pc,
              int ldc) { bl.sgemm(kCblasRowMajor, ta, tb, m_, n_, k_, fa, pa, lda, pb, ldb, fb, pc, ldc); },
          [&](int tr, int m_, int n_, const float* pa, int lda, const float* x, int incx, float* y) {
            bl.sgemv(kCblasRowMajor, tr, m_, n_, fa, pa, lda, x, incx, fb, y, 1);
          },
          true);
      return true;
    }
    case DType::Float64: {
      auto a = reinterpret_cast<const double*>(A.p), b = reinterpret_cast<const double*>(B.p);
      auto c = reinterpret_cast<double*>(C);
      if (m == 1 && n == 1 && bl.ddot) {
        const double r = alpha * bl.ddot(k, a, la.trans ? la.ld : 1, b, lb.trans ? 1 : lb.ld);
        *c = beta == 0 ? r : r + beta * *c;
        return true;
      }
      run_blas<double>(
          a, la, b, lb, c, m, n, k,
          [&](int ta, int tb, int m_, int n_, int k_, const double* pa, int lda, const double* pb, int ldb, double* pc,
              int ldc) { bl.dgemm(kCblasRowMajor, ta, tb, m_, n_, k_, alpha, pa, lda, pb, ldb, beta, pc, ldc); },
          [&](int tr, int m_, int n_, const double* pa, int lda, const double* x, int incx, double* y) {
            bl.dgemv(kCblasRowMajor, tr, m_, n_, alpha, pa, lda, x, incx, beta, y, 1);
          },
          true);
      return true;
    }
    case DType::Complex64:
      if (alpha != 1 || beta != 0) return false;
      run_blas_complex<std::complex<float>>(A, la, B, lb, C, m, n, k, bl.cgemm, bl.cgemv);
      return true;
    case DType::Complex128:
      if (alpha != 1 || beta != 0) return false;
      run_blas_complex<std::complex<double>>(A, la, B, lb, C, m, n, k, bl.zgemm, bl.zgemv);
      return true;
    default:
      return false;
  }
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
    warn("theon: no BLAS library was found; dot/matmul on float and complex dtypes use a slow built-in loop "
         "(install OpenBLAS, or set THEON_BLAS=/path/to/libopenblas.so[:symbol_prefix])");
  });
}

// C (M x N, C-contiguous, of dtype d) = A (M x K) . B (K x N).
void gemm_any(DType d, const Mat& A, const Mat& B, char* C) {
  const int64_t M = A.rows, K = A.cols, N = B.cols;
  if (M == 0 || N == 0) return;
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

// C = alpha A.B + beta C for the float dtypes (the Gemm op): BLAS when it can
// read the operands, else the product into a temporary and an update loop.
void gemm_acc(DType d, const Mat& A, const Mat& B, char* C, double alpha, double beta) {
  const int64_t M = A.rows, K = A.cols, N = B.cols;
  if (M == 0 || N == 0) return;
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
      for (int64_t i = 0; i < M * N; ++i) c[i] = static_cast<T>(alpha) * t[i] + (beta == 0 ? T(0) : static_cast<T>(beta) * c[i]);
    }
  });
}

// ---- errors -------------------------------------------------------------------------

// A builder-level error: names the user's call site like make_apply does.
[[noreturn]] void build_error(std::string msg) {
  SourceSite site = current_site();
  if (site.known()) msg += "\n  built at " + site.str();
  throw ValueError(msg);
}

[[noreturn]] void not_aligned(const std::string& op, const NDArray& a, const NDArray& b, int ax_a, int ax_b) {
  throw ValueError(op + ": shapes " + shape_str(a.shape) + " and " + shape_str(b.shape) + " not aligned: " +
                   std::to_string(a.shape[ax_a]) + " (dim " + std::to_string(ax_a) + ") != " +
                   std::to_string(b.shape[ax_b]) + " (dim " + std::to_string(ax_b) + ") (dtypes " +
                   std::string(dtype_name(a.dtype)) + ", " + std::string(dtype_name(b.dtype)) + ")");
}

Var swap_last(const Var& x) {
  std::vector<int> order;
  for (int i = 0; i < x->ndim(); ++i) order.push_back(i);
  std::swap(order[order.size() - 1], order[order.size() - 2]);
  return dimshuffle(x, order);
}

Var grad_like(Var g, const Var& x) {
  if (g->dtype() != x->dtype()) g = cast(g, x->dtype());
  return g;
}

// ---- Dot ----------------------------------------------------------------------------

// numpy.dot for vectors and matrices: (m,k).(k,n), (m,k).(k), (k).(k,n), (k).(k).
class Dot final : public Op {
 public:
  OpKind kind() const override { return OpKind::Dot; }
  std::string name() const override { return "Dot"; }
  bool equals(const Op& o) const override { return dynamic_cast<const Dot*>(&o) != nullptr; }

  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override {
    if (in.size() != 2) throw TypeError("Dot takes 2 inputs, got " + std::to_string(in.size()));
    for (int i = 0; i < 2; ++i)
      if (in[i]->ndim() < 1 || in[i]->ndim() > 2)
        throw TypeError("Dot: input " + std::to_string(i) + " must be a vector or a matrix, got " +
                        in[i]->type.str() + " (use dot() or tensordot() for other ranks)");
    const TensorType &a = in[0]->type, &b = in[1]->type;
    if (a.dtype != b.dtype)
      throw TypeError("Dot: inputs must have the same dtype, got " + a.str() + " and " + b.str() +
                      " (the dot() builder casts them)");
    const int64_t ka = a.shape.back(), kb = b.shape[0];
    if (ka >= 0 && kb >= 0 && ka != kb)
      throw ValueError("Dot: shapes are not aligned: " + a.str() + " and " + b.str() + ": dim " +
                       std::to_string(a.ndim() - 1) + " of the first has size " + std::to_string(ka) +
                       " but dim 0 of the second has size " + std::to_string(kb));
    std::vector<int64_t> shape;
    if (a.ndim() == 2) shape.push_back(a.shape[0]);
    if (b.ndim() == 2) shape.push_back(b.shape[1]);
    return {TensorType(a.dtype, shape)};
  }

  void perform(const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws) const override {
    NDArray a = in[0], b = in[1];
    if (a.ndim() < 1 || a.ndim() > 2 || b.ndim() < 1 || b.ndim() > 2)
      throw ValueError("Dot: expected vectors or matrices, got shapes " + shape_str(a.shape) + " and " +
                       shape_str(b.shape));
    if (a.dtype != b.dtype)
      throw TypeError("Dot: inputs must have the same dtype, got " + std::string(dtype_name(a.dtype)) + " and " +
                      std::string(dtype_name(b.dtype)));
    if (a.shape.back() != b.shape[0]) not_aligned(name(), a, b, a.ndim() - 1, 0);
    Shape shape;
    if (a.ndim() == 2) shape.push_back(a.shape[0]);
    if (b.ndim() == 2) shape.push_back(b.shape[1]);
    out[0] = ws.empty(a.dtype, shape);
    THEON_CHECK(out[0].is_c_contiguous(), "Dot: the workspace returned a non-contiguous output");
    if (blas_dtype(a.dtype) && out[0].size() > 0 && a.shape.back() > 0) {
      // BLAS reads transposed/strided operands in place; anything else is copied once.
      if (needs_copy(as_left(a), a.dtype)) a = a.contiguous();
      if (needs_copy(as_right(b), b.dtype)) b = b.contiguous();
    }
    gemm_any(a.dtype, as_left(a), as_right(b), out[0].data);
  }

  // Bilinear: d(a.b) = da.b + a.db.
  std::vector<Var> rop(const Apply& node, const std::vector<Var>& t) const override {
    const Var &a = node.inputs[0], &b = node.inputs[1];
    Var r;
    if (t[0]) r = dot(t[0], b);
    if (t[1]) r = r ? add(r, dot(a, t[1])) : dot(a, t[1]);
    return {r};
  }
  std::vector<Var> grad(const Apply& node, const std::vector<Var>& gouts) const override {
    const Var &a = node.inputs[0], &b = node.inputs[1];
    if (!is_inexact(a->dtype()) || !gouts[0]) return {nullptr, nullptr};
    const Var gz = grad_like(gouts[0], a);
    Var ga, gb;
    if (a->ndim() == 2 && b->ndim() == 2) {
      ga = dot(gz, dimshuffle(b, {1, 0}));
      gb = dot(dimshuffle(a, {1, 0}), gz);
    } else if (a->ndim() == 2) {  // (m,k).(k) -> (m)
      ga = outer(gz, b);
      gb = dot(dimshuffle(a, {1, 0}), gz);
    } else if (b->ndim() == 2) {  // (k).(k,n) -> (n)
      ga = dot(b, gz);
      gb = outer(a, gz);
    } else {  // (k).(k) -> ()
      ga = mul(gz, b);
      gb = mul(gz, a);
    }
    return {grad_like(ga, a), grad_like(gb, b)};
  }
};

const OpPtr& dot_op() {
  static const OpPtr op = std::make_shared<Dot>();
  return op;
}

// ---- Gemm -------------------------------------------------------------------------
// out = beta * Z + alpha * dot(X, Y) in one BLAS call (Theano's Gemm, Gemv and
// Ger by the operands' shapes): made by the BLAS phase from Z + a * dot(X, Y).
// Inputs (Z, alpha, X, Y, beta); alpha and beta are 0-d. The inplace variant
// writes into Z's buffer when the runtime hands it over (destroys input 0).
class Gemm final : public Op {
 public:
  explicit Gemm(bool inplace) : inplace_(inplace) {}
  OpKind kind() const override { return OpKind::Gemm; }
  std::string name() const override { return base_name_ + (inplace_ ? "{inplace}" : "{no_inplace}"); }
  bool equals(const Op& o) const override {
    auto* g = dynamic_cast<const Gemm*>(&o);
    return g && g->inplace_ == inplace_ && g->base_name_ == base_name_;
  }
  int destroys() const override { return inplace_ ? 0 : -1; }

  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override {
    if (in.size() != 5) throw TypeError("Gemm takes (Z, alpha, X, Y, beta), got " + std::to_string(in.size()) + " inputs");
    TensorType t = dot_op()->infer_types({in[2], in[3]})[0];
    const DType d = t.dtype;
    if (!is_float(d)) throw TypeError("Gemm: X and Y must be float32 or float64, got " + describe_types(in));
    if (in[0]->dtype() != d || in[0]->ndim() != t.ndim() || in[1]->ndim() != 0 || in[4]->ndim() != 0 ||
        in[1]->dtype() != d || in[4]->dtype() != d)
      throw TypeError("Gemm: Z must match dot(X, Y) and alpha, beta must be scalars of its dtype, got " + describe_types(in));
    for (int k = 0; k < t.ndim(); ++k)
      if (t.shape[k] < 0) t.shape[k] = in[0]->type.shape[k] == 1 ? -1 : in[0]->type.shape[k];
    return {t};
  }

  void perform(const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws) const override {
    const NDArray &z = in[0], &x = in[2], &y = in[3];
    const DType d = z.dtype;
    if (x.shape.back() != y.shape[0]) not_aligned(name(), x, y, x.ndim() - 1, 0);
    Shape shape;
    if (x.ndim() == 2) shape.push_back(x.shape[0]);
    if (y.ndim() == 2) shape.push_back(y.shape[1]);
    if (z.shape != shape)
      throw ValueError(name() + ": Z has shape " + shape_str(z.shape) + " but dot(X, Y) has shape " + shape_str(shape));
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

  std::vector<Var> grad(const Apply& node, const std::vector<Var>&) const override {
    throw NotImplementedError(name() + " is made by the BLAS phase after gradients exist (node " + node.str() + ")");
  }

  void set_base_name(std::string n) { base_name_ = std::move(n); }

 private:
  bool inplace_;
  std::string base_name_ = "Gemm";
};

// ---- Matmul -------------------------------------------------------------------------

// numpy.matmul on two tensors of the same rank >= 2: a stack of matrix products
// over broadcast leading dims (only statically broadcastable dims broadcast,
// Theano's rule, so that the gradient can sum them back).
class Matmul final : public Op {
 public:
  OpKind kind() const override { return OpKind::Matmul; }
  std::string name() const override { return "Matmul"; }
  bool equals(const Op& o) const override { return dynamic_cast<const Matmul*>(&o) != nullptr; }

  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override {
    if (in.size() != 2) throw TypeError("Matmul takes 2 inputs, got " + std::to_string(in.size()));
    const TensorType &a = in[0]->type, &b = in[1]->type;
    const int nd = a.ndim();
    if (nd < 2 || b.ndim() != nd)
      throw TypeError("Matmul: inputs must have the same number of dimensions (>= 2), got " + a.str() + " and " +
                      b.str() + " (the matmul() builder pads them)");
    if (a.dtype != b.dtype)
      throw TypeError("Matmul: inputs must have the same dtype, got " + a.str() + " and " + b.str());
    std::vector<int64_t> shape;
    for (int d = 0; d < nd - 2; ++d) {
      const int64_t sa = a.shape[d], sb = b.shape[d];
      if (sa == 1) shape.push_back(sb);
      else if (sb == 1) shape.push_back(sa);
      else if (sa >= 0 && sb >= 0 && sa != sb)
        throw ValueError("Matmul: batch dimension " + std::to_string(d) + " does not match: " + a.str() + " and " +
                         b.str());
      else shape.push_back(sa >= 0 ? sa : sb);
    }
    const int64_t ka = a.shape[nd - 1], kb = b.shape[nd - 2];
    if (ka >= 0 && kb >= 0 && ka != kb)
      throw ValueError("Matmul: shapes are not aligned: " + a.str() + " and " + b.str() + ": the last dim of the first (" +
                       std::to_string(ka) + ") differs from the second-to-last of the second (" + std::to_string(kb) +
                       ")");
    shape.push_back(a.shape[nd - 2]);
    shape.push_back(b.shape[nd - 1]);
    return {TensorType(a.dtype, shape)};
  }

  void perform(const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws) const override {
    NDArray a = in[0], b = in[1];
    const int nd = a.ndim();
    if (nd < 2 || b.ndim() != nd || a.dtype != b.dtype)
      throw ValueError("Matmul: bad inputs " + a.str() + " and " + b.str());
    if (a.shape[nd - 1] != b.shape[nd - 2]) not_aligned(name(), a, b, nd - 1, nd - 2);
    const Apply* node = ws.node;
    Shape shape;
    for (int d = 0; d < nd - 2; ++d) {
      const int64_t sa = a.shape[d], sb = b.shape[d];
      const bool ba = node ? node->inputs[0]->type.shape[d] == 1 : sa == 1;
      const bool bb = node ? node->inputs[1]->type.shape[d] == 1 : sb == 1;
      if (ba) shape.push_back(sb);
      else if (bb) shape.push_back(sa);
      else if (sa != sb)
        throw ValueError("Matmul: batch dimension " + std::to_string(d) + " does not match: shapes " +
                         shape_str(a.shape) + " and " + shape_str(b.shape) + " (dtypes " +
                         std::string(dtype_name(a.dtype)) + ", " + std::string(dtype_name(b.dtype)) +
                         "; only dimensions whose type is broadcastable broadcast)");
      else shape.push_back(sa);
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

  std::vector<Var> rop(const Apply& node, const std::vector<Var>& t) const override {
    const Var &a = node.inputs[0], &b = node.inputs[1];
    Var r;
    if (t[0]) r = matmul(t[0], b);
    if (t[1]) r = r ? add(r, matmul(a, t[1])) : matmul(a, t[1]);
    return {r};
  }
  std::vector<Var> grad(const Apply& node, const std::vector<Var>& gouts) const override;
};

const OpPtr& matmul_op() {
  static const OpPtr op = std::make_shared<Matmul>();
  return op;
}

std::vector<Var> Matmul::grad(const Apply& node, const std::vector<Var>& gouts) const {
  const Var &a = node.inputs[0], &b = node.inputs[1];
  if (!is_inexact(a->dtype()) || !gouts[0]) return {nullptr, nullptr};
  const Var gz = grad_like(gouts[0], a);
  Var ga = sum_to_like(apply1(matmul_op(), {gz, swap_last(b)}), a);
  Var gb = sum_to_like(apply1(matmul_op(), {swap_last(a), gz}), b);
  return {grad_like(ga, a), grad_like(gb, b)};
}

// ---- builder helpers ----------------------------------------------------------------

void check_inputs(const Var& a, const Var& b, const char* op) {
  if (!a || !b) throw TypeError(std::string(op) + ": input " + (a ? "1" : "0") + " is None");
}

// Casts both to their common (upcast) dtype.
std::pair<Var, Var> common_dtype(const Var& a, const Var& b) {
  const DType d = upcast(a->dtype(), b->dtype());
  return {cast(a, d), cast(b, d)};
}

// Left-pads x with broadcastable dims up to nd.
Var pad_to(const Var& x, int nd) {
  if (x->ndim() >= nd) return x;
  std::vector<int> order(nd - x->ndim(), -1);
  for (int i = 0; i < x->ndim(); ++i) order.push_back(i);
  return dimshuffle(x, order);
}

// A target dimension of a reshape: the product of some dims of some variables.
using DimParts = std::vector<std::pair<const Var*, int>>;

Var reshape_to(const Var& x, const std::vector<DimParts>& dims) {
  std::vector<int64_t> statics;
  bool all_static = true;
  for (const auto& parts : dims) {
    int64_t n = 1;
    for (const auto& [v, ax] : parts) {
      const int64_t s = (*v)->type.shape[ax];
      if (s < 0) all_static = false;
      else n *= s;
    }
    statics.push_back(n);
  }
  if (all_static) return reshape(x, statics);
  std::vector<Var> scalars;
  for (const auto& parts : dims) {
    Var p;
    int64_t known = 1;
    for (const auto& [v, ax] : parts) {
      const int64_t s = (*v)->type.shape[ax];
      if (s >= 0) {
        known *= s;
        continue;
      }
      Var si = shape_i(*v, ax);
      p = p ? mul(p, si) : si;
    }
    if (!p) p = scalar_constant<int64_t>(known);
    else if (known != 1) p = mul(p, scalar_constant<int64_t>(known));
    scalars.push_back(p);
  }
  return reshape(x, make_vector(scalars, DType::Int64), static_cast<int>(dims.size()));
}

std::string ints_str(const std::vector<int>& v) {
  std::vector<std::string> p;
  for (int x : v) p.push_back(std::to_string(x));
  return "(" + join_strings(p, ", ") + ")";
}

}  // namespace

// ---- builders -------------------------------------------------------------------------

Var dot(const Var& a, const Var& b) {
  check_inputs(a, b, "dot");
  if (a->ndim() == 0 || b->ndim() == 0) return mul(a, b);  // numpy.dot with a scalar
  auto [x, y] = common_dtype(a, b);
  if (x->ndim() <= 2 && y->ndim() <= 2) return apply1(dot_op(), {x, y});
  // numpy.dot: sum over the last axis of a and the second-to-last of b.
  return tensordot(x, y, {x->ndim() - 1}, {y->ndim() >= 2 ? y->ndim() - 2 : 0});
}

Var matmul(const Var& a, const Var& b) {
  check_inputs(a, b, "matmul");
  if (a->ndim() == 0 || b->ndim() == 0)
    throw TypeError("matmul: input operand " + std::string(a->ndim() == 0 ? "0" : "1") +
                    " is a scalar (0-d); matmul needs at least 1 dimension (use mul for scalars)");
  auto [x, y] = common_dtype(a, b);
  if (x->ndim() <= 2 && y->ndim() <= 2) return apply1(dot_op(), {x, y});
  const bool va = x->ndim() == 1, vb = y->ndim() == 1;
  if (va) x = dimshuffle(x, {-1, 0});  // (k) -> (1, k)
  if (vb) y = dimshuffle(y, {0, -1});  // (k) -> (k, 1)
  const int nd = std::max(x->ndim(), y->ndim());
  Var out = apply1(matmul_op(), {pad_to(x, nd), pad_to(y, nd)});
  if (va || vb) {  // drop the axis the vector gained
    const int drop = va ? nd - 2 : nd - 1;
    std::vector<int> order;
    for (int i = 0; i < nd; ++i)
      if (i != drop) order.push_back(i);
    out = dimshuffle(out, order);
  }
  return out;
}

Var outer(const Var& a, const Var& b) {
  check_inputs(a, b, "outer");
  auto [x, y] = common_dtype(a, b);
  if (x->ndim() != 1) x = flatten(x, 1);
  if (y->ndim() != 1) y = flatten(y, 1);
  return apply1(dot_op(), {dimshuffle(x, {0, -1}), dimshuffle(y, {-1, 0})});
}

Var tensordot(const Var& a, const Var& b, const std::vector<int>& axes_a, const std::vector<int>& axes_b) {
  check_inputs(a, b, "tensordot");
  if (axes_a.size() != axes_b.size())
    build_error("tensordot: the axes lists must have the same length, got " + ints_str(axes_a) + " and " +
                ints_str(axes_b));
  const int na = a->ndim(), nb = b->ndim();
  auto normalize = [](std::vector<int> axes, int nd, const char* which) {
    std::vector<bool> seen(nd, false);
    for (int& ax : axes) {
      if (ax < -nd || ax >= nd)
        build_error(std::string("tensordot: axis ") + std::to_string(ax) + " of " + which +
                    " is out of bounds for a tensor of dimension " + std::to_string(nd));
      if (ax < 0) ax += nd;
      if (seen[ax]) build_error(std::string("tensordot: repeated axis ") + std::to_string(ax) + " for " + which);
      seen[ax] = true;
    }
    return axes;
  };
  const std::vector<int> aa = normalize(axes_a, na, "a"), ab = normalize(axes_b, nb, "b");
  for (size_t i = 0; i < aa.size(); ++i) {
    const int64_t sa = a->type.shape[aa[i]], sb = b->type.shape[ab[i]];
    if (sa >= 0 && sb >= 0 && sa != sb)
      build_error("tensordot: shape mismatch for sum: axis " + std::to_string(aa[i]) + " of " + a->type.str() +
                  " has size " + std::to_string(sa) + " but axis " + std::to_string(ab[i]) + " of " + b->type.str() +
                  " has size " + std::to_string(sb));
  }
  auto [x, y] = common_dtype(a, b);
  if (aa.empty()) {  // no summed axes: the outer product of all elements
    if (na == 0 || nb == 0) return mul(x, y);
    std::vector<int> ox, oy(na, -1);
    for (int i = 0; i < na; ++i) ox.push_back(i);
    for (int i = 0; i < nb; ++i) {
      ox.push_back(-1);
      oy.push_back(i);
    }
    return mul(dimshuffle(x, ox), dimshuffle(y, oy));
  }
  std::vector<int> free_a, free_b;
  for (int i = 0; i < na; ++i)
    if (std::find(aa.begin(), aa.end(), i) == aa.end()) free_a.push_back(i);
  for (int i = 0; i < nb; ++i)
    if (std::find(ab.begin(), ab.end(), i) == ab.end()) free_b.push_back(i);

  // x -> (free_a..., summed...) -> (Ma, K) or (K); y -> (summed..., free_b...) -> (K, Nb) or (K).
  std::vector<int> perm_a = free_a, perm_b = ab;
  perm_a.insert(perm_a.end(), aa.begin(), aa.end());
  perm_b.insert(perm_b.end(), free_b.begin(), free_b.end());
  auto identity = [](const std::vector<int>& p) {
    for (size_t i = 0; i < p.size(); ++i)
      if (p[i] != static_cast<int>(i)) return false;
    return true;
  };
  Var xt = identity(perm_a) ? x : dimshuffle(x, perm_a);
  Var yt = identity(perm_b) ? y : dimshuffle(y, perm_b);

  DimParts k_parts, ma_parts, nb_parts;
  for (int ax : aa) k_parts.push_back({&x, ax});
  for (int ax : free_a) ma_parts.push_back({&x, ax});
  for (int ax : free_b) nb_parts.push_back({&y, ax});
  if (free_a.size() > 1 || aa.size() > 1) {
    std::vector<DimParts> dims;
    if (!free_a.empty()) dims.push_back(ma_parts);
    dims.push_back(k_parts);
    xt = reshape_to(xt, dims);
  }
  if (free_b.size() > 1 || ab.size() > 1) {
    std::vector<DimParts> dims{k_parts};
    if (!free_b.empty()) dims.push_back(nb_parts);
    yt = reshape_to(yt, dims);
  }
  Var out = apply1(dot_op(), {xt, yt});
  if (free_a.size() <= 1 && free_b.size() <= 1) return out;
  std::vector<DimParts> dims;
  for (int ax : free_a) dims.push_back({{&x, ax}});
  for (int ax : free_b) dims.push_back({{&y, ax}});
  return reshape_to(out, dims);
}

Var tensordot(const Var& a, const Var& b, int n_axes) {
  check_inputs(a, b, "tensordot");
  if (n_axes < 0) build_error("tensordot: the number of axes must be >= 0, got " + std::to_string(n_axes));
  if (n_axes > a->ndim() || n_axes > b->ndim())
    build_error("tensordot: cannot sum over " + std::to_string(n_axes) + " axes of " + a->type.str() + " and " +
                b->type.str());
  std::vector<int> aa, ab;
  for (int i = 0; i < n_axes; ++i) {
    aa.push_back(a->ndim() - n_axes + i);
    ab.push_back(i);
  }
  return tensordot(a, b, aa, ab);
}

Var gemm(const Var& z, const Var& alpha, const Var& x, const Var& y, const Var& beta, bool inplace) {
  auto op = std::make_shared<Gemm>(inplace);
  // Theano's names by shape: Ger for an outer product, Gemv for matrix-vector.
  const bool outer = x->ndim() == 2 && y->ndim() == 2 && x->type.shape[1] == 1 && y->type.shape[0] == 1;
  op->set_base_name(outer ? "Ger" : (x->ndim() == 1 || y->ndim() == 1) ? "Gemv" : "Gemm");
  return apply1(op, {z, alpha, x, y, beta});
}

}  // namespace theon
