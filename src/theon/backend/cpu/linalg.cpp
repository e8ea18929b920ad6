// CPU kernels of the Linalg op (ops/linalg.hpp) on LAPACK (lapack.hpp).
//
// LAPACK is column-major and theon's arrays are row-major: a row-major
// matrix is the column-major buffer of its transpose. Where the result does
// not depend on that (inverse, determinant, Cholesky, the solves, with
// LAPACK's transpose flag) the kernels hand LAPACK the buffer as it is; the
// decompositions whose vectors carry a sign (eigh, eig, SVD, QR) and lstsq
// get a transposed copy, which is NumPy's call and so gives NumPy's signs. A stack of matrices is spread over theon's
// threads; one large matrix gives OpenBLAS theon's thread count for the call.
#include "ops/linalg.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <complex>
#include <cstring>
#include <limits>
#include <vector>

#include "backend/cpu/kernels.hpp"
#include "backend/cpu/lapack.hpp"
#include "theon/backend/cpu/blas.hpp"
#include "theon/error.hpp"
#include "theon/runtime.hpp"

namespace theon {

namespace {

using I = lapack_int;
using ops::Linalg;

// ---- shared helpers -------------------------------------------------------------------

struct Ctx {
  const Linalg& op;
  std::string name;
  [[noreturn]] void fail(const std::string& what, const NDArray& x) const {
    throw LinAlgError(name + ": " + what + " (input " + x.str() + ")");
  }
};

const Lapack& need_lapack(const Ctx& c) {
  std::string why;
  const Lapack* l = lapack(&why);
  if (!l)
    throw NotImplementedError(c.name + " needs LAPACK, which theon loads from the BLAS library, and there is none: " +
                              why + ". Install the scipy-openblas32 wheel (a dependency of theon) or set THEON_BLAS.");
  return *l;
}

I to_int(int64_t v, const Ctx& c) {
  if (v > INT_MAX)
    throw ValueError(c.name + ": a size of " + std::to_string(v) + " does not fit LAPACK's 32-bit integers");
  return static_cast<I>(v);
}

// A workspace size LAPACK asked for (returned as a float), checked.
I work_size(double w, const Ctx& c) {
  if (!(w >= 1)) return 1;
  if (w > static_cast<double>(INT_MAX)) throw ValueError(c.name + ": LAPACK asked for a workspace too large to give");
  return static_cast<I>(std::ceil(w));
}

// LAPACK's two-call idiom: call(work, lwork) with lwork = -1 asks for the
// workspace size, then runs with a workspace of that size.
template <class T, class Call>
void with_workspace(const Ctx& c, const Call& call) {
  T q{};
  I lwork = -1;
  call(&q, &lwork);
  lwork = work_size(std::real(q), c);
  std::vector<T> work(static_cast<size_t>(lwork));
  call(work.data(), &lwork);
}

int64_t rows_of(const NDArray& x) { return x.shape[x.shape.size() - 2]; }
int64_t cols_of(const NDArray& x) { return x.shape.back(); }

int64_t batch_count(const Shape& s, int core) {
  int64_t n = 1;
  for (size_t i = 0; i + static_cast<size_t>(core) < s.size(); ++i) n *= s[i];
  return n;
}

// For each batch index of `batch` (row-major), which matrix of x (whose batch
// axes are x.shape minus `core` trailing axes, right-aligned) it reads.
std::vector<int64_t> batch_sources(const NDArray& x, int core, const Shape& batch, const Ctx& c) {
  const int nb = static_cast<int>(batch.size()), nx = x.ndim() - core;
  const int64_t count = batch_count(batch, 0);
  std::vector<int64_t> src(static_cast<size_t>(count), 0);
  std::vector<int64_t> stride(static_cast<size_t>(nb), 0);
  int64_t s = 1;
  for (int i = nx - 1; i >= 0; --i) {
    const int j = i + (nb - nx);
    const int64_t xs = x.shape[static_cast<size_t>(i)], bs = batch[static_cast<size_t>(j)];
    if (xs != bs && xs != 1)
      throw ValueError(c.name + ": the batch shapes do not broadcast: " + x.str() + " against batch " +
                       shape_str(batch));
    stride[static_cast<size_t>(j)] = xs == 1 ? 0 : s;
    s *= xs;
  }
  for (int64_t k = 0; k < count; ++k) {
    int64_t rem = k, off = 0;
    for (int j = nb - 1; j >= 0; --j) {
      const int64_t bs = batch[static_cast<size_t>(j)];
      off += (rem % bs) * stride[static_cast<size_t>(j)];
      rem /= bs;
    }
    src[static_cast<size_t>(k)] = off;
  }
  return src;
}

// OpenBLAS runs with one thread (blas.hpp); one large factorization gets theon's count for its call.
class LapackThreads {
 public:
  explicit LapackThreads(bool big) {
    const Blas* b = blas();
    if (big && b && b->set_threads && num_threads() > 1) {
      set_ = b->set_threads;
      set_(num_threads());
    }
  }
  ~LapackThreads() {
    if (set_) set_(1);
  }
  LapackThreads(const LapackThreads&) = delete;
  LapackThreads& operator=(const LapackThreads&) = delete;

 private:
  void (*set_)(int) = nullptr;
};

// Runs fn(k) for every matrix k of a batch: a stack spreads over theon's
// threads; a single large matrix runs with OpenBLAS's threads.
template <class F>
void for_each_matrix(int64_t count, int64_t n, const F& fn) {
  const bool big = n >= 160;
  if (count > 1 && !big) {
    parallel_for(count, 1, [&](int64_t b, int64_t e) {
      for (int64_t k = b; k < e; ++k) fn(k);
    });
    return;
  }
  LapackThreads threads(big);
  for (int64_t k = 0; k < count; ++k) fn(k);
}

template <class T>
void transpose_copy(const T* src, int64_t rows, int64_t cols, T* dst) {  // dst (cols x rows) = src^T
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) dst[j * rows + i] = src[i * cols + j];
}

// Zeroes the entries of a row-major n x n matrix outside its lower (upper) triangle.
template <class T>
void keep_triangle(T* a, int64_t n, bool lower) {
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j)
      if (lower ? j > i : j < i) a[i * n + j] = T(0);
}

// The uplo character LAPACK needs for a row-major matrix whose `lower` triangle is read.
char uplo_of(bool lower) { return lower ? 'U' : 'L'; }

// A matrix stored column by column (a transposed view of a C-contiguous
// one): its buffer is already what LAPACK reads.
bool column_major_matrix(const NDArray& x) {
  const auto item = static_cast<int64_t>(itemsize(x.dtype));
  return x.ndim() == 2 && x.shape[0] > 1 && x.shape[1] > 1 && x.strides[0] == item && x.strides[1] == x.shape[0] * item;
}

// ---- LU: inverse, determinants ---------------------------------------------------------

template <class T>
void inv_kernel(const Ctx& c, const NDArray& a, NDArray& out) {
  const auto& f = need_lapack(c).fns<T>();
  const int64_t n64 = rows_of(a);
  const I n = to_int(n64, c), ld = std::max<I>(1, n);
  const T* src = a.ptr<T>();
  T* dst = out.ptr<T>();
  for_each_matrix(batch_count(a.shape, 2), n64, [&](int64_t k) {
    T* m = dst + k * n64 * n64;
    std::memcpy(m, src + k * n64 * n64, sizeof(T) * static_cast<size_t>(n64 * n64));
    if (n == 0) return;
    std::vector<I> ipiv(static_cast<size_t>(n));
    I info = 0;
    f.getrf(&n, &n, m, &ld, ipiv.data(), &info);
    if (info > 0) c.fail("singular matrix", a);
    with_workspace<T>(c, [&](T* work, I* lwork) { f.getri(&n, m, &ld, ipiv.data(), work, lwork, &info); });
    if (info > 0) c.fail("singular matrix", a);
  });
}

// LU-factors each matrix of `a` and gives visit(k, U's diagonal, whether the
// row swaps were odd in number, whether U is singular).
template <class T, class Visit>
void for_each_lu_diagonal(const Ctx& c, const NDArray& a, const Visit& visit) {
  const auto& f = need_lapack(c).fns<T>();
  const int64_t n64 = rows_of(a);
  const I n = to_int(n64, c), ld = std::max<I>(1, n);
  const T* src = a.ptr<T>();
  for_each_matrix(batch_count(a.shape, 2), n64, [&](int64_t k) {
    std::vector<T> m(src + k * n64 * n64, src + (k + 1) * n64 * n64), diag(static_cast<size_t>(n64));
    std::vector<I> ipiv(static_cast<size_t>(std::max<I>(1, n)));
    I info = 0;
    if (n > 0) f.getrf(&n, &n, m.data(), &ld, ipiv.data(), &info);
    bool odd = false;
    for (I i = 0; i < n; ++i) {
      diag[static_cast<size_t>(i)] = m[static_cast<size_t>(i) * static_cast<size_t>(n64 + 1)];
      if (ipiv[static_cast<size_t>(i)] != i + 1) odd = !odd;
    }
    visit(k, diag, odd, info > 0);
  });
}

// sign and log|det| of each real matrix (sign 0, log -inf when singular).
template <class T>
void lu_det(const Ctx& c, const NDArray& a, T* sign, T* logabs) {
  for_each_lu_diagonal<T>(c, a, [&](int64_t k, const std::vector<T>& diag, bool odd, bool singular) {
    T s = odd ? -1 : 1, l = 0;
    for (const T d : diag) {
      if (d < 0) s = -s;
      l += std::log(std::abs(d));
    }
    if (singular || (std::isinf(l) && l < 0)) {
      s = 0;
      l = -std::numeric_limits<T>::infinity();
    }
    sign[k] = s;
    logabs[k] = l;
  });
}

// det of each complex matrix: the product of U's diagonal, negated for odd row swaps.
template <class C>
void complex_det(const Ctx& c, const NDArray& a, C* det) {
  for_each_lu_diagonal<C>(c, a, [&](int64_t k, const std::vector<C>& diag, bool odd, bool) {
    C d(odd ? -1 : 1);
    for (const C& x : diag) d *= x;
    det[k] = d;
  });
}

// ---- Cholesky and solves --------------------------------------------------------------

template <class T>
void cholesky_kernel(const Ctx& c, const NDArray& a, NDArray& out) {
  const auto& f = need_lapack(c).fns<T>();
  const bool lower = c.op.params().lower;
  const int64_t n64 = rows_of(a);
  const I n = to_int(n64, c), ld = std::max<I>(1, n);
  const char uplo = uplo_of(lower);
  const T* src = a.ptr<T>();
  T* dst = out.ptr<T>();
  for_each_matrix(batch_count(a.shape, 2), n64, [&](int64_t k) {
    T* m = dst + k * n64 * n64;
    std::memcpy(m, src + k * n64 * n64, sizeof(T) * static_cast<size_t>(n64 * n64));
    if (n == 0) return;
    I info = 0;
    f.potrf(&uplo, &n, m, &ld, &info, 1);
    if (info > 0) {
      if (!c.op.params().nan_on_error)
        c.fail("the matrix is not positive definite (leading minor " + std::to_string(info) + ")", a);
      std::fill(m, m + n64 * n64, std::numeric_limits<T>::quiet_NaN());
      return;
    }
    keep_triangle(m, n64, lower);
  });
}

// The result's shape of a solve: a's batch and rows for one vector b; else
// the broadcast batch of a and b (checked by batch_sources), a's rows, b's columns.
Shape solve_shape(const NDArray& a, const NDArray& b) {
  const int na = a.ndim() - 2, nb = b.ndim() == 1 ? 0 : b.ndim() - 2, nbatch = std::max(na, nb);
  Shape shape(static_cast<size_t>(nbatch), 1);
  for (int i = 0; i < nbatch; ++i) {
    const int ia = i - (nbatch - na), ib = i - (nbatch - nb);
    const int64_t sa = ia >= 0 ? a.shape[static_cast<size_t>(ia)] : 1;
    const int64_t sb = ib >= 0 ? b.shape[static_cast<size_t>(ib)] : 1;
    shape[static_cast<size_t>(i)] = sa == 1 ? sb : sa;
  }
  shape.push_back(rows_of(a));
  if (b.ndim() != 1) shape.push_back(cols_of(b));
  return shape;
}

// Solve and ChoSolve: a (batch, n, n), b (n) or (batch, n, k).
template <class T>
void solve_kernel(const Ctx& c, const NDArray& a, const NDArray& b, NDArray& out) {
  const auto& f = need_lapack(c).fns<T>();
  const auto& p = c.op.params();
  const bool vec = b.ndim() == 1;
  const int64_t n64 = rows_of(a), k64 = vec ? 1 : cols_of(b);
  if ((vec ? b.shape[0] : rows_of(b)) != n64)
    throw ValueError(c.name + ": b has " + std::to_string(vec ? b.shape[0] : rows_of(b)) + " rows where a has " +
                     std::to_string(n64) + " (a " + a.str() + ", b " + b.str() + ")");
  const I n = to_int(n64, c), nrhs = to_int(k64, c), ld = std::max<I>(1, n);
  const Shape batch(out.shape.begin(), out.shape.end() - (vec ? 1 : 2));
  const auto src_a = batch_sources(a, 2, batch, c);
  const auto src_b = vec ? std::vector<int64_t>(src_a.size(), 0) : batch_sources(b, 2, batch, c);
  const T *pa = a.ptr<T>(), *pb = b.ptr<T>();
  T* px = out.ptr<T>();
  const bool b_column_major = column_major_matrix(b);  // one matrix, read as it lies
  const bool chol = p.fn == LinalgFn::ChoSolve;
  const char uplo = uplo_of(p.lower);
  for_each_matrix(static_cast<int64_t>(src_a.size()), n64, [&](int64_t kk) {
    const auto k = static_cast<size_t>(kk);
    const T* am = pa + src_a[k] * n64 * n64;
    const T* bm = pb + src_b[k] * n64 * k64;
    T* xm = px + kk * n64 * k64;
    if (n == 0 || nrhs == 0) return;
    std::vector<T> rhs(static_cast<size_t>(n64 * k64));  // column-major n x k
    if (vec || k64 == 1 || b_column_major)
      std::memcpy(rhs.data(), bm, sizeof(T) * rhs.size());
    else
      transpose_copy(bm, n64, k64, rhs.data());
    I info = 0;
    if (chol) {
      f.potrs(&uplo, &n, &nrhs, am, &ld, rhs.data(), &ld, &info, 1);
    } else if (p.structure == MatrixStructure::LowerTriangular || p.structure == MatrixStructure::UpperTriangular) {
      // The buffer is a^T, in the other triangle: op(a^T) = a unless a^T x = b is asked.
      const char tr = p.trans ? 'N' : 'T', diag = p.unit_diagonal ? 'U' : 'N';
      f.trtrs(&uplo, &tr, &diag, &n, &nrhs, am, &ld, rhs.data(), &ld, &info, 1, 1, 1);
      if (info > 0) c.fail("singular matrix (a zero on the diagonal of the triangular matrix)", a);
    } else {
      std::vector<T> m(am, am + n64 * n64);
      std::vector<I> ipiv(static_cast<size_t>(n));
      if (p.structure == MatrixStructure::PosDef) {
        f.potrf(&uplo, &n, m.data(), &ld, &info, 1);
        if (info > 0) c.fail("the matrix is not positive definite (assume_a='pos')", a);
        f.potrs(&uplo, &n, &nrhs, m.data(), &ld, rhs.data(), &ld, &info, 1);
      } else if (p.structure == MatrixStructure::Symmetric) {
        with_workspace<T>(c, [&](T* work, I* lwork) {
          f.sysv(&uplo, &n, &nrhs, m.data(), &ld, ipiv.data(), rhs.data(), &ld, work, lwork, &info, 1);
        });
        if (info > 0) c.fail("singular matrix", a);
      } else {
        f.getrf(&n, &n, m.data(), &ld, ipiv.data(), &info);
        if (info > 0) c.fail("singular matrix", a);
        const char tr = p.trans ? 'N' : 'T';  // the buffer is a^T
        f.getrs(&tr, &n, &nrhs, m.data(), &ld, ipiv.data(), rhs.data(), &ld, &info, 1);
      }
    }
    if (vec || k64 == 1)
      std::memcpy(xm, rhs.data(), sizeof(T) * rhs.size());
    else
      transpose_copy(rhs.data(), k64, n64, xm);
  });
}

// ---- eigenvalues ----------------------------------------------------------------------

template <class T>
void eigh_kernel(const Ctx& c, const std::vector<NDArray>& in, std::vector<NDArray>& out) {
  const auto& f = need_lapack(c).fns<T>();
  const auto& p = c.op.params();
  const NDArray& a = in[0];
  const bool general = in.size() == 2, vectors = p.compute_v;
  const int64_t n64 = rows_of(a);
  const I n = to_int(n64, c), ld = std::max<I>(1, n), itype = 1;
  // A transposed copy read with NumPy's own uplo: the same LAPACK call as numpy.linalg.eigh, so the same vectors.
  const char jobz = vectors ? 'V' : 'N', uplo = p.lower ? 'L' : 'U';
  const Shape batch(out[0].shape.begin(), out[0].shape.end() - 1);
  const auto src_a = batch_sources(a, 2, batch, c);
  const auto src_b = general ? batch_sources(in[1], 2, batch, c) : src_a;
  for_each_matrix(static_cast<int64_t>(src_a.size()), n64, [&](int64_t kk) {
    const auto k = static_cast<size_t>(kk);
    const T* am = a.ptr<T>() + src_a[k] * n64 * n64;
    T* w = out[0].ptr<T>() + kk * n64;
    if (n == 0) return;
    std::vector<T> m(static_cast<size_t>(n64 * n64)), bm;
    transpose_copy(am, n64, n64, m.data());
    if (general) {
      bm.resize(m.size());
      transpose_copy(in[1].ptr<T>() + src_b[k] * n64 * n64, n64, n64, bm.data());
    }
    I info = 0, lwork = -1, liwork = -1, iq = 0;
    T q{};
    if (general)
      f.sygvd(&itype, &jobz, &uplo, &n, m.data(), &ld, bm.data(), &ld, w, &q, &lwork, &iq, &liwork, &info, 1, 1);
    else
      f.syevd(&jobz, &uplo, &n, m.data(), &ld, w, &q, &lwork, &iq, &liwork, &info, 1, 1);
    lwork = work_size(std::real(q), c);
    liwork = std::max<I>(1, iq);
    std::vector<T> work(static_cast<size_t>(lwork));
    std::vector<I> iwork(static_cast<size_t>(liwork));
    if (general)
      f.sygvd(&itype, &jobz, &uplo, &n, m.data(), &ld, bm.data(), &ld, w, work.data(), &lwork, iwork.data(), &liwork,
              &info, 1, 1);
    else
      f.syevd(&jobz, &uplo, &n, m.data(), &ld, w, work.data(), &lwork, iwork.data(), &liwork, &info, 1, 1);
    if (info > n && general) c.fail("b is not positive definite", in[1]);
    if (info > 0) c.fail("the eigenvalue computation did not converge", a);
    if (vectors) transpose_copy(m.data(), n64, n64, out[1].ptr<T>() + kk * n64 * n64);  // columns are vectors
  });
}

template <class T>
void eig_kernel(const Ctx& c, const NDArray& a, std::vector<NDArray>& out) {
  const auto& f = need_lapack(c).fns<T>();
  const int64_t n64 = rows_of(a);
  const I n = to_int(n64, c), ld = std::max<I>(1, n), one = 1;
  using C = std::complex<T>;
  for_each_matrix(batch_count(a.shape, 2), n64, [&](int64_t k) {
    if (n == 0) return;
    std::vector<T> m(static_cast<size_t>(n64 * n64)), wr(static_cast<size_t>(n)), wi(static_cast<size_t>(n)),
        vr(static_cast<size_t>(n64 * n64));
    transpose_copy(a.ptr<T>() + k * n64 * n64, n64, n64, m.data());
    I info = 0;
    T dummy{};
    const char jl = 'N', jr = 'V';
    with_workspace<T>(c, [&](T* work, I* lwork) {
      f.geev(&jl, &jr, &n, m.data(), &ld, wr.data(), wi.data(), &dummy, &one, vr.data(), &ld, work, lwork, &info, 1, 1);
    });
    if (info > 0) c.fail("the eigenvalue computation did not converge", a);
    C* w = out[0].ptr<C>() + k * n64;
    C* v = out[1].ptr<C>() + k * n64 * n64;
    for (int64_t j = 0; j < n64; ++j) {
      w[j] = C(wr[static_cast<size_t>(j)], wi[static_cast<size_t>(j)]);
      const bool pair = wi[static_cast<size_t>(j)] != 0 && j + 1 < n64;
      for (int64_t i = 0; i < n64; ++i) {
        const T re = vr[static_cast<size_t>(j * n64 + i)];
        if (!pair) {
          v[i * n64 + j] = C(re, 0);
          continue;
        }
        const T im = vr[static_cast<size_t>((j + 1) * n64 + i)];
        v[i * n64 + j] = C(re, im);
        v[i * n64 + j + 1] = C(re, -im);
      }
      if (pair) {
        ++j;
        w[j] = C(wr[static_cast<size_t>(j)], wi[static_cast<size_t>(j)]);
      }
    }
  });
}

// ---- SVD and what is built on it -------------------------------------------------------

// The SVD of row-major a (m x n) by LAPACK's gesdd on a column-major copy
// (NumPy's call, so the same signs); u (m x m or m x k) and vt (n x n or
// k x n) come back row-major. u/vt null: values only.
template <class T>
void svd_one(const Ctx& c, const LapackFns<T>& f, const T* a, int64_t m64, int64_t n64, bool full, T* u, T* s, T* vt) {
  const I m = to_int(m64, c), n = to_int(n64, c);
  const int64_t k64 = std::min(m64, n64);
  if (k64 == 0) {  // nothing to factor: identities where the factors are square
    if (u && full)
      for (int64_t i = 0; i < m64; ++i) u[i * m64 + i] = T(1);
    if (vt && full)
      for (int64_t i = 0; i < n64; ++i) vt[i * n64 + i] = T(1);
    return;
  }
  std::vector<T> work_a(static_cast<size_t>(m64 * n64));
  transpose_copy(a, m64, n64, work_a.data());
  const char jobz = !u ? 'N' : full ? 'A' : 'S';
  const int64_t ucols = full ? m64 : k64, vrows = full ? n64 : k64;
  std::vector<T> ubuf(u ? static_cast<size_t>(m64 * ucols) : 1), vtbuf(u ? static_cast<size_t>(vrows * n64) : 1);
  const I ldu = u ? m : 1, ldvt = u ? static_cast<I>(vrows) : 1;
  std::vector<I> iwork(static_cast<size_t>(8 * k64));
  I info = 0;
  with_workspace<T>(c, [&](T* work, I* lwork) {
    f.gesdd(&jobz, &m, &n, work_a.data(), &m, s, ubuf.data(), &ldu, vtbuf.data(), &ldvt, work, lwork, iwork.data(),
            &info, 1);
  });
  if (info > 0) throw LinAlgError(c.name + ": the SVD did not converge");
  if (info < 0) throw ValueError(c.name + ": LAPACK rejected argument " + std::to_string(-info) + " of gesdd");
  if (!u) return;
  transpose_copy(ubuf.data(), ucols, m64, u);    // column-major m x ucols -> row-major
  transpose_copy(vtbuf.data(), n64, vrows, vt);  // column-major vrows x n -> row-major
}

template <class T>
void svd_kernel(const Ctx& c, const NDArray& a, std::vector<NDArray>& out) {
  const auto& f = need_lapack(c).fns<T>();
  const auto& p = c.op.params();
  const int64_t m = rows_of(a), n = cols_of(a), k = std::min(m, n);
  const bool uv = p.compute_uv, full = p.full_matrices;
  const int64_t ucols = full ? m : k, vrows = full ? n : k;
  for_each_matrix(batch_count(a.shape, 2), std::max(m, n), [&](int64_t b) {
    T* s = (uv ? out[1] : out[0]).ptr<T>() + b * k;
    T* u = uv ? out[0].ptr<T>() + b * m * ucols : nullptr;
    T* vt = uv ? out[2].ptr<T>() + b * vrows * n : nullptr;
    if (uv && k == 0) {
      std::fill(u, u + m * ucols, T(0));
      std::fill(vt, vt + vrows * n, T(0));
    }
    svd_one(c, f, a.ptr<T>() + b * m * n, m, n, full, u, s, vt);
  });
}

template <class T>
void pinv_kernel(const Ctx& c, const NDArray& a, NDArray& out) {
  const auto& f = need_lapack(c).fns<T>();
  const int64_t m = rows_of(a), n = cols_of(a), k = std::min(m, n);
  const double rcond = c.op.params().rcond;
  for_each_matrix(batch_count(a.shape, 2), std::max(m, n), [&](int64_t b) {
    T* pm = out.ptr<T>() + b * n * m;  // (n x m)
    std::fill(pm, pm + n * m, T(0));
    if (k == 0) return;
    std::vector<T> u(static_cast<size_t>(m * k)), s(static_cast<size_t>(k)), vt(static_cast<size_t>(k * n));
    svd_one(c, f, a.ptr<T>() + b * m * n, m, n, false, u.data(), s.data(), vt.data());
    const T cut = static_cast<T>(rcond) * s[0];
    // pinv = V diag(1/s) U^T: sum over l of vt[l, i] / s[l] * u[j, l]
    for (int64_t l = 0; l < k; ++l) {
      if (!(s[static_cast<size_t>(l)] > cut)) continue;
      const T inv = T(1) / s[static_cast<size_t>(l)];
      for (int64_t i = 0; i < n; ++i) {
        const T vi = vt[static_cast<size_t>(l * n + i)] * inv;
        if (vi == T(0)) continue;
        T* row = pm + i * m;
        for (int64_t j = 0; j < m; ++j) row[j] += vi * u[static_cast<size_t>(j * k + l)];
      }
    }
  });
}

// ---- QR and least squares ------------------------------------------------------------

template <class T>
void qr_kernel(const Ctx& c, const NDArray& a, std::vector<NDArray>& out) {
  const auto& f = need_lapack(c).fns<T>();
  const QRMode mode = c.op.params().qr_mode;
  const int64_t m64 = rows_of(a), n64 = cols_of(a), k64 = std::min(m64, n64);
  const I m = to_int(m64, c), n = to_int(n64, c), k = static_cast<I>(k64), ld = std::max<I>(1, m);
  for_each_matrix(batch_count(a.shape, 2), std::max(m64, n64), [&](int64_t b) {
    const int64_t qcols = mode == QRMode::Complete ? m64 : k64;
    std::vector<T> h(static_cast<size_t>(m64 * std::max(n64, qcols)));  // column-major, ld m
    transpose_copy(a.ptr<T>() + b * m64 * n64, m64, n64, h.data());
    std::vector<T> tau(static_cast<size_t>(std::max<int64_t>(1, k64)));
    I info = 0;
    if (k > 0)
      with_workspace<T>(c, [&](T* work, I* lwork) { f.geqrf(&m, &n, h.data(), &ld, tau.data(), work, lwork, &info); });
    if (mode == QRMode::Raw) {  // NumPy's h is LAPACK's array, (n, m) row-major
      std::memcpy(out[0].ptr<T>() + b * m64 * n64, h.data(), sizeof(T) * static_cast<size_t>(m64 * n64));
      std::memcpy(out[1].ptr<T>() + b * k64, tau.data(), sizeof(T) * static_cast<size_t>(k64));
      return;
    }
    const int64_t rrows = mode == QRMode::Complete ? m64 : k64;
    NDArray& r_out = mode == QRMode::R ? out[0] : out[1];
    T* r = r_out.ptr<T>() + b * rrows * n64;
    for (int64_t i = 0; i < rrows; ++i)
      for (int64_t j = 0; j < n64; ++j) r[i * n64 + j] = j >= i && i < m64 ? h[static_cast<size_t>(j * m64 + i)] : T(0);
    if (mode == QRMode::R) return;
    T* qo = out[0].ptr<T>() + b * m64 * qcols;
    if (qcols == 0 || m == 0) return;
    const I qc = static_cast<I>(qcols);
    if (k > 0) {
      with_workspace<T>(
          c, [&](T* work, I* lwork) { f.orgqr(&m, &qc, &k, h.data(), &ld, tau.data(), work, lwork, &info); });
    } else {  // no reflectors: Q is the identity
      std::fill(h.begin(), h.end(), T(0));
      for (int64_t i = 0; i < std::min(m64, qcols); ++i) h[static_cast<size_t>(i * m64 + i)] = T(1);
    }
    transpose_copy(h.data(), qcols, m64, qo);
  });
}

template <class T>
void lstsq_kernel(const Ctx& c, const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws) {
  const auto& f = need_lapack(c).fns<T>();
  const NDArray &a = in[0], &b = in[1];
  const bool vec = b.ndim() == 1;
  const int64_t m64 = rows_of(a), n64 = cols_of(a), k64 = vec ? 1 : cols_of(b), mn = std::min(m64, n64);
  if (b.shape[0] != m64)
    throw LinAlgError(c.name + ": a has " + std::to_string(m64) + " rows and b " + std::to_string(b.shape[0]) +
                      " (incompatible dimensions; a " + a.str() + ", b " + b.str() + ")");
  const I m = to_int(m64, c), n = to_int(n64, c), nrhs = to_int(k64, c), lda = std::max<I>(1, m),
          ldb = std::max<I>(1, std::max(m, n));
  const T rcond = static_cast<T>(in[2].item_double());
  checked_element_count(Shape{ldb, k64}, a.dtype, c.name + " workspace");  // b padded to max(m, n) rows
  std::vector<T> am(static_cast<size_t>(m64 * n64)), bm(static_cast<size_t>(ldb) * static_cast<size_t>(k64));
  transpose_copy(a.ptr<T>(), m64, n64, am.data());
  for (int64_t i = 0; i < m64; ++i)
    for (int64_t j = 0; j < k64; ++j) bm[static_cast<size_t>(j * ldb + i)] = b.ptr<T>()[i * k64 + j];
  std::vector<T> s(static_cast<size_t>(std::max<int64_t>(1, mn)));
  I rank = 0, info = 0;
  if (mn > 0 && k64 > 0) {
    I lwork = -1, iq = 0;
    T q{};
    f.gelsd(&m, &n, &nrhs, am.data(), &lda, bm.data(), &ldb, s.data(), &rcond, &rank, &q, &lwork, &iq, &info);
    lwork = work_size(std::real(q), c);
    std::vector<T> work(static_cast<size_t>(lwork));
    std::vector<I> iwork(static_cast<size_t>(std::max<I>(1, iq)));
    f.gelsd(&m, &n, &nrhs, am.data(), &lda, bm.data(), &ldb, s.data(), &rcond, &rank, work.data(), &lwork, iwork.data(),
            &info);
    if (info > 0) c.fail("the SVD did not converge in least squares", a);
  }
  out[0] = ws.empty(a.dtype, vec ? Shape{n64} : Shape{n64, k64});
  for (int64_t i = 0; i < n64; ++i)
    for (int64_t j = 0; j < k64; ++j) out[0].ptr<T>()[i * k64 + j] = bm[static_cast<size_t>(j * ldb + i)];
  const bool residuals = rank == n && m64 > n64;  // NumPy's rule
  out[1] = ws.empty(a.dtype, Shape{residuals ? k64 : 0});
  if (residuals)
    for (int64_t j = 0; j < k64; ++j) {
      T acc = 0;
      for (int64_t i = n64; i < m64; ++i)
        acc += bm[static_cast<size_t>(j * ldb + i)] * bm[static_cast<size_t>(j * ldb + i)];
      out[1].ptr<T>()[j] = acc;
    }
  out[2] = ws.empty(DType::Int32, {});
  *out[2].ptr<int32_t>() = rank;
  out[3] = ws.empty(a.dtype, Shape{mn});
  std::copy(s.begin(), s.begin() + mn, out[3].ptr<T>());
}

// ---- expm ---------------------------------------------------------------------------

// Higham's scaling and squaring with the degree-13 Pade approximant (2005),
// computed in double.
void expm_one(const Ctx& c, const LapackFns<double>& f, const Blas* bl, const double* a, int64_t n64, double* out) {
  static constexpr double b[] = {64764752532480000.0,
                                 32382376266240000.0,
                                 7771770303897600.0,
                                 1187353796428800.0,
                                 129060195264000.0,
                                 10559470521600.0,
                                 670442572800.0,
                                 33522128640.0,
                                 1323241920.0,
                                 40840800.0,
                                 960960.0,
                                 16380.0,
                                 182.0,
                                 1.0};
  const size_t nn = static_cast<size_t>(n64 * n64);
  const I n = to_int(n64, c);
  double norm1 = 0;
  for (int64_t j = 0; j < n64; ++j) {
    double col = 0;
    for (int64_t i = 0; i < n64; ++i) col += std::abs(a[i * n64 + j]);
    norm1 = std::max(norm1, col);
  }
  if (!std::isfinite(norm1)) {
    std::fill(out, out + nn, std::numeric_limits<double>::quiet_NaN());
    return;
  }
  const double theta13 = 5.371920351148152;
  const int s = norm1 > theta13 ? static_cast<int>(std::ceil(std::log2(norm1 / theta13))) : 0;
  const double scale = std::ldexp(1.0, -s);
  std::vector<double> A(a, a + nn), A2(nn), A4(nn), A6(nn), U(nn), V(nn), T1(nn);
  for (double& x : A) x *= scale;
  auto gemm = [&](const std::vector<double>& x, const std::vector<double>& y, std::vector<double>& z) {
    bl->dgemm(kCblasRowMajor, kCblasNoTrans, kCblasNoTrans, n, n, n, 1.0, x.data(), n, y.data(), n, 0.0, z.data(), n);
  };
  gemm(A, A, A2);
  gemm(A2, A2, A4);
  gemm(A4, A2, A6);
  for (size_t i = 0; i < nn; ++i) T1[i] = b[13] * A6[i] + b[11] * A4[i] + b[9] * A2[i];
  gemm(A6, T1, U);
  for (size_t i = 0; i < nn; ++i) U[i] += b[7] * A6[i] + b[5] * A4[i] + b[3] * A2[i];
  for (int64_t i = 0; i < n64; ++i) U[static_cast<size_t>(i * n64 + i)] += b[1];
  gemm(A, U, T1);
  std::swap(U, T1);  // U = A (...)
  for (size_t i = 0; i < nn; ++i) T1[i] = b[12] * A6[i] + b[10] * A4[i] + b[8] * A2[i];
  gemm(A6, T1, V);
  for (size_t i = 0; i < nn; ++i) V[i] += b[6] * A6[i] + b[4] * A4[i] + b[2] * A2[i];
  for (int64_t i = 0; i < n64; ++i) V[static_cast<size_t>(i * n64 + i)] += b[0];
  // (V - U) R = (V + U); V and U commute, so the row-major buffers solve as they are.
  std::vector<double> P(nn), Q(nn);
  for (size_t i = 0; i < nn; ++i) {
    P[i] = V[i] - U[i];
    Q[i] = V[i] + U[i];
  }
  std::vector<I> ipiv(static_cast<size_t>(n));
  I info = 0;
  f.getrf(&n, &n, P.data(), &n, ipiv.data(), &info);
  if (info > 0) throw LinAlgError(c.name + ": the Pade denominator is singular (the matrix's entries are too large)");
  const char tr = 'N';
  f.getrs(&tr, &n, &n, P.data(), &n, ipiv.data(), Q.data(), &n, &info, 1);
  for (int i = 0; i < s; ++i) {
    gemm(Q, Q, T1);
    std::swap(Q, T1);
  }
  std::copy(Q.begin(), Q.end(), out);
}

template <class T>
void expm_kernel(const Ctx& c, const NDArray& a, NDArray& out) {
  const auto& f = need_lapack(c).fns<double>();
  const Blas* bl = blas();
  const int64_t n = rows_of(a);
  for_each_matrix(batch_count(a.shape, 2), n, [&](int64_t k) {
    if (n == 0) return;
    const size_t nn = static_cast<size_t>(n * n);
    std::vector<double> x(a.ptr<T>() + k * n * n, a.ptr<T>() + (k + 1) * n * n), y(nn);
    expm_one(c, f, bl, x.data(), n, y.data());
    std::copy(y.begin(), y.end(), out.ptr<T>() + k * n * n);
  });
}

// ---- dispatch -----------------------------------------------------------------------

void check_square(const Ctx& c, const NDArray& x) {
  if (x.ndim() < 2 || rows_of(x) != cols_of(x))
    c.fail("last 2 dimensions of the array must be square, got shape " + shape_str(x.shape), x);
}

template <class T>
void run(const Ctx& c, const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws) {
  const NDArray& a = in[0];
  const auto& p = c.op.params();
  auto alloc_like_types = [&](const std::vector<Shape>& shapes) {
    // Eig's results are complex; every other output has the input's dtype.
    const DType d = p.fn != LinalgFn::Eig ? a.dtype : a.dtype == DType::Float32 ? DType::Complex64 : DType::Complex128;
    for (size_t i = 0; i < shapes.size(); ++i) out[i] = ws.empty(d, shapes[i]);
  };
  const Shape batch(a.shape.begin(), a.shape.end() - 2);
  auto with = [&](Shape s, std::initializer_list<int64_t> tail) {
    for (int64_t t : tail) s.push_back(t);
    return s;
  };
  const int64_t m = rows_of(a), n = cols_of(a), k = std::min(m, n);
  switch (p.fn) {
    case LinalgFn::Inv:
      check_square(c, a);
      alloc_like_types({a.shape});
      inv_kernel<T>(c, a, out[0]);
      return;
    case LinalgFn::Det:
    case LinalgFn::SlogDet: {
      check_square(c, a);
      const int64_t count = batch_count(a.shape, 2);
      std::vector<T> sign(static_cast<size_t>(count)), logabs(static_cast<size_t>(count));
      lu_det<T>(c, a, sign.data(), logabs.data());
      if (p.fn == LinalgFn::Det) {
        alloc_like_types({batch});
        for (int64_t i = 0; i < count; ++i)
          out[0].ptr<T>()[i] = sign[static_cast<size_t>(i)] * std::exp(logabs[static_cast<size_t>(i)]);
      } else {
        alloc_like_types({batch, batch});
        std::copy(sign.begin(), sign.end(), out[0].ptr<T>());
        std::copy(logabs.begin(), logabs.end(), out[1].ptr<T>());
      }
      return;
    }
    case LinalgFn::Cholesky:
      check_square(c, a);
      alloc_like_types({a.shape});
      cholesky_kernel<T>(c, a, out[0]);
      return;
    case LinalgFn::Solve:
    case LinalgFn::ChoSolve: {
      check_square(c, a);
      const NDArray& b = in[1];
      const Shape shape = solve_shape(a, b);
      alloc_like_types({shape});
      solve_kernel<T>(c, a, b, out[0]);
      return;
    }
    case LinalgFn::Eigh: {
      check_square(c, a);
      if (in.size() == 2) {
        check_square(c, in[1]);
        if (in[1].shape != a.shape)
          throw ValueError(c.name + ": a " + a.str() + " and b " + in[1].str() + " must have the same shape");
      }
      if (p.compute_v)
        alloc_like_types({with(batch, {m}), a.shape});
      else
        alloc_like_types({with(batch, {m})});
      eigh_kernel<T>(c, in, out);
      return;
    }
    case LinalgFn::Eig:
      check_square(c, a);
      alloc_like_types({with(batch, {m}), a.shape});
      eig_kernel<T>(c, a, out);
      return;
    case LinalgFn::SVD:
      if (!p.compute_uv)
        alloc_like_types({with(batch, {k})});
      else if (p.full_matrices)
        alloc_like_types({with(batch, {m, m}), with(batch, {k}), with(batch, {n, n})});
      else
        alloc_like_types({with(batch, {m, k}), with(batch, {k}), with(batch, {k, n})});
      svd_kernel<T>(c, a, out);
      return;
    case LinalgFn::QR:
      switch (p.qr_mode) {
        case QRMode::Reduced:
          alloc_like_types({with(batch, {m, k}), with(batch, {k, n})});
          break;
        case QRMode::Complete:
          alloc_like_types({with(batch, {m, m}), with(batch, {m, n})});
          break;
        case QRMode::R:
          alloc_like_types({with(batch, {k, n})});
          break;
        case QRMode::Raw:
          alloc_like_types({with(batch, {n, m}), with(batch, {k})});
          break;
      }
      qr_kernel<T>(c, a, out);
      return;
    case LinalgFn::Lstsq:
      lstsq_kernel<T>(c, in, out, ws);
      return;
    case LinalgFn::Pinv:
      alloc_like_types({with(batch, {n, m})});
      pinv_kernel<T>(c, a, out[0]);
      return;
    case LinalgFn::Expm:
      check_square(c, a);
      alloc_like_types({a.shape});
      expm_kernel<T>(c, a, out[0]);
      return;
  }
}

// Complex matrices: the LU functions (inverse, determinant, general solve).
template <class C>
void run_complex(const Ctx& c, const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws) {
  const NDArray& a = in[0];
  check_square(c, a);
  switch (c.op.params().fn) {
    case LinalgFn::Inv:
      out[0] = ws.empty(a.dtype, a.shape);
      inv_kernel<C>(c, a, out[0]);
      return;
    case LinalgFn::Det:
      out[0] = ws.empty(a.dtype, Shape(a.shape.begin(), a.shape.end() - 2));
      complex_det<C>(c, a, out[0].ptr<C>());
      return;
    case LinalgFn::Solve: {
      const NDArray& b = in[1];
      const Shape shape = solve_shape(a, b);
      out[0] = ws.empty(a.dtype, shape);
      solve_kernel<C>(c, a, b, out[0]);
      return;
    }
    default:
      throw NotImplementedError(c.name + ": complex matrices are not supported yet");
  }
}

void linalg_kernel(const Linalg& op, const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws) {
  const Ctx c{op, op.name()};
  std::vector<NDArray> cin;
  cin.reserve(in.size());
  const bool solve = op.fn() == LinalgFn::Solve || op.fn() == LinalgFn::ChoSolve;
  for (size_t i = 0; i < in.size(); ++i)
    cin.push_back(solve && i == 1 && column_major_matrix(in[i]) ? in[i] : in[i].contiguous());
  if (cin[0].ndim() < 2) c.fail("the matrix must have at least 2 dimensions", cin[0]);
  for (const NDArray& x : cin) checked_element_count(x.shape, x.dtype, c.name + " input");
  switch (cin[0].dtype) {
    case DType::Float32:
      run<float>(c, cin, out, ws);
      break;
    case DType::Complex64:
      run_complex<std::complex<float>>(c, cin, out, ws);
      break;
    case DType::Complex128:
      run_complex<std::complex<double>>(c, cin, out, ws);
      break;
    default:
      run<double>(c, cin, out, ws);
      break;
  }
}

}  // namespace

void add_linalg_kernels(Backend& cpu) { cpu.add(OpKind::Linalg, &typed_kernel<Linalg, linalg_kernel>); }

}  // namespace theon
