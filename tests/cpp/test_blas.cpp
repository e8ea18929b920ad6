// Linear algebra: Dot (gemm/gemv and the C++ loop), matmul, outer, tensordot,
// their gradients and errors, and the run-time BLAS loader.
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <filesystem>
#include <unordered_map>

#include "backend/backend.hpp"
#include "backend/cpu/blas.hpp"
#include "backend/cpu/rank1.hpp"
#include "theon/theon.hpp"

using namespace theon;

namespace {

using Feed = std::vector<std::pair<Var, NDArray>>;

// Evaluates `outs` by running each node's CPU kernel in topological order.
std::vector<NDArray> eval(const std::vector<Var>& outs, const Feed& feed = {}) {
  std::unordered_map<const Variable*, NDArray> vals;
  for (const auto& [v, a] : feed) vals[v.get()] = a;
  auto value = [&](const Var& v) -> NDArray {
    if (const Constant* c = as_constant(v)) return c->value;
    if (v->kind() == VarKind::Shared) return static_cast<const SharedVariable*>(v.get())->value;
    auto it = vals.find(v.get());
    if (it == vals.end()) throw std::runtime_error("eval: no value for " + v->str());
    return it->second;
  };
  for (Apply* node : toposort(outs)) {
    std::vector<NDArray> in;
    for (const auto& v : node->inputs) in.push_back(value(v));
    std::vector<NDArray> out(node->num_outputs());
    Workspace ws;
    ws.node = node;
    cpu_backend().kernel_for (*node->op)(*node->op, in, out, ws);
    for (int i = 0; i < node->num_outputs(); ++i) vals[node->raw_output(i)] = out[i];
  }
  std::vector<NDArray> res;
  for (const auto& o : outs) res.push_back(value(o));
  return res;
}
NDArray eval1(const Var& out, const Feed& feed = {}) { return eval({out}, feed)[0]; }

// Element (C-order multi-index) of an array with arbitrary strides.
template <class T>
T at(const NDArray& a, const std::vector<int64_t>& idx) {
  const char* p = a.data;
  for (size_t d = 0; d < idx.size(); ++d) p += idx[d] * a.strides[d];
  return *reinterpret_cast<const T*>(p);
}

// Deterministic small values (exact in every dtype, so float results are exact too).
template <class T>
NDArray make(const Shape& shape, int seed) {
  NDArray a = NDArray::empty(dtype_of<T>(), shape);
  T* p = a.ptr<T>();
  for (int64_t i = 0; i < a.size(); ++i) {
    int v = static_cast<int>((i * 7 + seed * 13) % 9) - 4;
    if constexpr (std::is_same_v<T, std::complex<double>> || std::is_same_v<T, std::complex<float>>)
      p[i] = T(static_cast<typename T::value_type>(v), static_cast<typename T::value_type>((i + seed) % 3 - 1));
    else
      p[i] = static_cast<T>(v);
  }
  return a;
}

// A transposed (non-contiguous) view of a 2-D array.
NDArray transposed(const NDArray& a) {
  NDArray t = a;
  std::swap(t.shape[0], t.shape[1]);
  std::swap(t.strides[0], t.strides[1]);
  return t;
}

// numpy.dot for 1-D/2-D operands by naive loops.
template <class T>
std::vector<T> naive_dot(const NDArray& a, const NDArray& b) {
  const int64_t M = a.ndim() == 2 ? a.shape[0] : 1, K = a.shape.back(), N = b.ndim() == 2 ? b.shape[1] : 1;
  std::vector<T> c(M * N, T{});
  for (int64_t i = 0; i < M; ++i)
    for (int64_t j = 0; j < N; ++j) {
      T s{};
      for (int64_t k = 0; k < K; ++k) {
        T x = a.ndim() == 2 ? at<T>(a, {i, k}) : at<T>(a, {k});
        T y = b.ndim() == 2 ? at<T>(b, {k, j}) : at<T>(b, {k});
        s += x * y;
      }
      c[i * N + j] = s;
    }
  return c;
}

template <class T>
void expect_values(const NDArray& got, const std::vector<T>& want, const std::string& what) {
  ASSERT_EQ(got.dtype, dtype_of<T>()) << what;
  ASSERT_EQ(got.size(), static_cast<int64_t>(want.size())) << what;
  std::vector<int64_t> idx(got.ndim(), 0);
  for (size_t f = 0; f < want.size(); ++f) {
    T g = at<T>(got, idx);
    if constexpr (std::is_floating_point_v<T>) {
      EXPECT_NEAR(g, want[f], 1e-4 * (1 + std::abs(want[f]))) << what << " at " << f;
    } else if constexpr (std::is_integral_v<T>) {
      EXPECT_EQ(g, want[f]) << what << " at " << f;
    } else {
      EXPECT_NEAR(std::abs(g - want[f]), 0.0, 1e-4 * (1 + std::abs(want[f]))) << what << " at " << f;
    }
    for (int d = got.ndim() - 1; d >= 0; --d) {
      if (++idx[d] < got.shape[d]) break;
      idx[d] = 0;
    }
  }
}

Var input(DType d, int ndim, const char* name) { return variable(TensorType(d, std::vector<int64_t>(ndim, -1)), name); }

template <class T>
void check_all_cases() {
  const DType d = dtype_of<T>();
  const std::string dn(dtype_name(d));
  struct Case {
    Shape sa, sb;
  };
  for (const Case& c : {Case{{3, 4}, {4, 5}}, Case{{3, 4}, {4}}, Case{{4}, {4, 5}}, Case{{4}, {4}},
                        Case{{1, 4}, {4, 1}}, Case{{64, 33}, {33, 17}}, Case{{5, 1}, {1, 6}}, Case{{2, 7}, {7, 1}}}) {
    const std::string what = dn + " " + shape_str(c.sa) + "." + shape_str(c.sb);
    NDArray va = make<T>(c.sa, 1), vb = make<T>(c.sb, 2);
    Var a = input(d, va.ndim(), "a"), b = input(d, vb.ndim(), "b");
    Var out = dot(a, b);
    EXPECT_EQ(out->dtype(), d) << what;
    NDArray r = eval1(out, {{a, va}, {b, vb}});
    Shape want_shape;
    if (va.ndim() == 2) want_shape.push_back(c.sa[0]);
    if (vb.ndim() == 2) want_shape.push_back(c.sb[1]);
    EXPECT_EQ(r.shape, want_shape) << what;
    expect_values<T>(r, naive_dot<T>(va, vb), what);
  }
  // Transposed operands, as values (no copy: Trans flags) and through the graph.
  {
    NDArray va = make<T>({6, 5}, 3), vb = make<T>({7, 6}, 4);
    NDArray ta = transposed(va), tb = transposed(vb);  // (5, 6) and (6, 7)
    Var a = input(d, 2, "a"), b = input(d, 2, "b");
    expect_values<T>(eval1(dot(a, b), {{a, ta}, {b, tb}}), naive_dot<T>(ta, tb), dn + " transposed values");
    expect_values<T>(eval1(dot(dimshuffle(a, {1, 0}), dimshuffle(b, {1, 0})), {{a, va}, {b, vb}}), naive_dot<T>(ta, tb),
                     dn + " transposed in graph");
    // Strided: every other column of a wider array (no unit stride on one axis -> copy or strided BLAS).
    NDArray wide = make<T>({5, 12}, 5);
    NDArray strided = wide;
    strided.shape = {5, 6};
    strided.strides = {wide.strides[0], wide.strides[1] * 2};
    NDArray vc = make<T>({6, 4}, 6);
    expect_values<T>(eval1(dot(a, b), {{a, strided}, {b, vc}}), naive_dot<T>(strided, vc), dn + " strided");
    // Strided vector operands (gemv with inc != 1).
    NDArray v = make<T>({12}, 7);
    NDArray sv = v;
    sv.shape = {6};
    sv.strides = {v.strides[0] * 2};
    Var x = input(d, 1, "x");
    expect_values<T>(eval1(dot(a, x), {{a, strided}, {x, sv}}), naive_dot<T>(strided, sv), dn + " mv strided");
    expect_values<T>(eval1(dot(x, b), {{x, sv}, {b, tb}}), naive_dot<T>(sv, tb), dn + " vm strided");
    expect_values<T>(eval1(dot(x, x), {{x, sv}}), naive_dot<T>(sv, sv), dn + " vv strided");
  }
}

}  // namespace

TEST(Dot, ValuesFloat32) { check_all_cases<float>(); }
TEST(Dot, ValuesFloat64) { check_all_cases<double>(); }
TEST(Dot, ValuesInt32) { check_all_cases<int32_t>(); }
TEST(Dot, ValuesInt64) { check_all_cases<int64_t>(); }
TEST(Dot, ValuesComplex128) { check_all_cases<std::complex<double>>(); }
TEST(Dot, ValuesComplex64) { check_all_cases<std::complex<float>>(); }

TEST(Dot, LargeFloat64MatchesNaive) {
  NDArray va = make<double>({150, 97}, 1), vb = make<double>({97, 131}, 2);
  Var a = input(DType::Float64, 2, "a"), b = input(DType::Float64, 2, "b");
  expect_values<double>(eval1(dot(a, b), {{a, va}, {b, vb}}), naive_dot<double>(va, vb), "large");
}

TEST(Dot, PanelsOnTheQuietPoolAndOneCallOnAContendedOneAgree) {
  // 3.8 MFLOP: split into panels on the pool, one BLAS call while the pool is
  // contended (pool_contended(): cores oversubscribed). Exact either way.
  NDArray va = make<float>({150, 97}, 1), vb = make<float>({97, 131}, 2);
  Var a = input(DType::Float32, 2, "a"), b = input(DType::Float32, 2, "b");
  const auto want = naive_dot<float>(va, vb);
  const int saved = num_threads();
  set_num_threads(2);
  expect_values<float>(eval1(dot(a, b), {{a, va}, {b, vb}}), want, "panels");
  mark_pool_contended();
  EXPECT_TRUE(pool_contended());
  expect_values<float>(eval1(dot(a, b), {{a, va}, {b, vb}}), want, "contended");
  set_num_threads(saved);
}

// The rank-1 kernel against a plain loop over every row length around the
// vector widths (1-40: masks, periods of lcm(n, W), overlapping last
// vectors), row gaps, strided a and b, and beta 0 (C holds NaN and must not be
// read), 1 and 0.5; nothing outside C's rows may change.
template <class T>
void check_rank1() {
  for (int64_t m = 1; m <= 35; m += 2)
    for (int64_t n = 1; n <= 40; ++n)
      for (int64_t gap : {0, 3})
        for (int64_t inc : {1, 2})
          for (T beta : {T(0), T(1), T(0.5)}) {
            const int64_t ldc = n + gap;
            std::vector<T> a(static_cast<size_t>(m * inc)), b(static_cast<size_t>(n * inc)),
                c(static_cast<size_t>(m * ldc + 7));
            for (size_t i = 0; i < a.size(); ++i) a[i] = T(int64_t(i * 7 % 11) - 5) / 4;
            for (size_t i = 0; i < b.size(); ++i) b[i] = T(int64_t(i * 5 % 13) - 6) / 8;
            for (size_t i = 0; i < c.size(); ++i) c[i] = beta == T(0) ? std::nan("") : T(int64_t(i % 7) - 3);
            std::vector<T> want = c;
            for (int64_t i = 0; i < m; ++i)
              for (int64_t j = 0; j < n; ++j) {
                T& w = want[static_cast<size_t>(i * ldc + j)];
                w = (beta == T(0) ? T(0) : beta * w) +
                    T(-0.75) * a[static_cast<size_t>(i * inc)] * b[static_cast<size_t>(j * inc)];
              }
            rank1_update(c.data(), ldc, a.data(), inc, b.data(), inc, m, n, T(-0.75), beta);
            for (size_t i = 0; i < c.size(); ++i) {
              if (std::isnan(want[i]) && std::isnan(c[i])) continue;
              ASSERT_EQ(c[i], want[i]) << "m=" << m << " n=" << n << " gap=" << gap << " inc=" << inc
                                       << " beta=" << beta << " at " << i;
            }
          }
}

TEST(Rank1, EveryRowLengthAndLayoutMatchesALoop) {
  check_rank1<float>();
  check_rank1<double>();
}

TEST(Dot, OuterProductsAsMatricesMatchALoopOnOneThreadAndInPanels) {
  // dot of (M, 1) and (1, N) matrices: K = 1 runs the rank-1 kernel; the larger
  // ones (over 1 MFLOP) are split into row panels (M >= N) or column panels.
  const int saved = num_threads();
  set_num_threads(2);
  for (auto [m, n] : {std::pair<int64_t, int64_t>{784, 10}, {10, 784}, {33, 17}, {1200, 500}, {500, 1200}}) {
    NDArray va = make<float>({m, 1}, 3), vb = make<float>({1, n}, 4);
    Var a = input(DType::Float32, 2, "a"), b = input(DType::Float32, 2, "b");
    expect_values<float>(eval1(dot(a, b), {{a, va}, {b, vb}}), naive_dot<float>(va, vb),
                         ("outer " + std::to_string(m) + "x" + std::to_string(n)).c_str());
  }
  set_num_threads(saved);
}

TEST(Dot, NarrowResultsInBlocksOfRowsMatchALoop) {
  // 3-16 columns from an A over 192 KB run as calls on blocks of A's rows
  // (blas_gemm_serial); row-major and transposed A, float and double, a K
  // large enough for the 16-row minimum block.
  const int saved = num_threads();
  set_num_threads(1);
  for (auto [m, k, n] : {std::tuple<int64_t, int64_t, int64_t>{300, 800, 10}, {130, 401, 3}, {40, 20000, 16}}) {
    const std::string what = std::to_string(m) + "x" + std::to_string(k) + "x" + std::to_string(n);
    NDArray va = make<float>({m, k}, 1), vb = make<float>({k, n}, 2);
    NDArray da = make<double>({k, m}, 3), db = make<double>({k, n}, 4);
    Var a = input(DType::Float32, 2, "a"), b = input(DType::Float32, 2, "b");
    Var at = input(DType::Float64, 2, "at"), bd = input(DType::Float64, 2, "bd");
    expect_values<float>(eval1(dot(a, b), {{a, va}, {b, vb}}), naive_dot<float>(va, vb), "narrow " + what);
    NDArray r = eval1(dot(dimshuffle(at, {1, 0}), bd), {{at, da}, {bd, db}});
    expect_values<double>(r, naive_dot<double>(transposed(da), db), "narrow transposed " + what);
  }
  set_num_threads(saved);
}

TEST(Dot, BoolIsOrOfAnds) {
  NDArray va = NDArray::from_vector<bool>({true, false, false, false}, {2, 2});
  NDArray vb = NDArray::from_vector<bool>({true, false, true, false}, {2, 2});
  Var a = input(DType::Bool, 2, "a"), b = input(DType::Bool, 2, "b");
  NDArray r = eval1(dot(a, b), {{a, va}, {b, vb}});
  ASSERT_EQ(r.dtype, DType::Bool);
  EXPECT_EQ(r.get_int(0), 1);
  EXPECT_EQ(r.get_int(1), 0);
  EXPECT_EQ(r.get_int(2), 0);
  EXPECT_EQ(r.get_int(3), 0);
}

TEST(Dot, EmptyInnerDimGivesZeros) {
  for (DType d : {DType::Float64, DType::Int32, DType::Complex64}) {
    Var a = input(d, 2, "a"), b = input(d, 2, "b");
    NDArray r = eval1(dot(a, b), {{a, NDArray::empty(d, {3, 0})}, {b, NDArray::empty(d, {0, 4})}});
    EXPECT_EQ(r.shape, (Shape{3, 4}));
    for (int64_t i = 0; i < r.size(); ++i) EXPECT_EQ(r.get_double(i), 0.0);
    NDArray e = eval1(dot(a, b), {{a, NDArray::empty(d, {0, 3})}, {b, NDArray::empty(d, {3, 4})}});
    EXPECT_EQ(e.shape, (Shape{0, 4}));
  }
  Var x = input(DType::Float32, 1, "x");
  NDArray s = eval1(dot(x, x), {{x, NDArray::empty(DType::Float32, {0})}});
  EXPECT_EQ(s.ndim(), 0);
  EXPECT_EQ(s.get_double(0), 0.0);
}

TEST(Dot, MixedDtypesUpcast) {
  Var a = input(DType::Int32, 2, "a"), b = input(DType::Float64, 2, "b");
  Var f = input(DType::Float32, 2, "f");
  EXPECT_EQ(dot(a, b)->dtype(), DType::Float64);
  EXPECT_EQ(dot(f, b)->dtype(), DType::Float64);
  EXPECT_EQ(dot(a, f)->dtype(), DType::Float64);  // int32 with float32 -> float64 (NumPy)
  NDArray va = make<int32_t>({2, 3}, 1), vb = make<double>({3, 2}, 2);
  NDArray r = eval1(dot(a, b), {{a, va}, {b, vb}});
  expect_values<double>(r, naive_dot<double>(va.astype(DType::Float64), vb), "int32.float64");
}

TEST(Dot, ScalarOperandMultiplies) {
  Var s = input(DType::Float64, 0, "s"), m = input(DType::Float64, 2, "m");
  NDArray vm = make<double>({2, 3}, 1);
  NDArray r = eval1(dot(s, m), {{s, NDArray::scalar<double>(2.0)}, {m, vm}});
  ASSERT_EQ(r.shape, (Shape{2, 3}));
  for (int64_t i = 0; i < 6; ++i) EXPECT_EQ(r.get_double(i), 2.0 * vm.get_double(i));
}

TEST(Dot, StaticShapes) {
  Var a = variable(TensorType(DType::Float64, {3, 4}), "a");
  Var b = variable(TensorType(DType::Float64, {4, -1}), "b");
  Var v = variable(TensorType(DType::Float64, {4}), "v");
  EXPECT_EQ(dot(a, b)->type.shape, (std::vector<int64_t>{3, -1}));
  EXPECT_EQ(dot(a, v)->type.shape, (std::vector<int64_t>{3}));
  EXPECT_EQ(dot(v, b)->type.shape, (std::vector<int64_t>{-1}));
  EXPECT_EQ(dot(v, v)->ndim(), 0);
  EXPECT_EQ(outer(v, v)->type.shape, (std::vector<int64_t>{4, 4}));
}

TEST(Dot, StaticShapeMismatchIsValueError) {
  Var a = variable(TensorType(DType::Float64, {3, 4}), "a");
  Var b = variable(TensorType(DType::Float64, {5, 2}), "b");
  try {
    dot(a, b);
    FAIL() << "expected ValueError";
  } catch (const ValueError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("Dot"), std::string::npos) << msg;
    EXPECT_NE(msg.find("4"), std::string::npos) << msg;
    EXPECT_NE(msg.find("5"), std::string::npos) << msg;
  }
  EXPECT_THROW(matmul(a, b), ValueError);
  EXPECT_THROW(tensordot(a, b, 1), ValueError);
}

TEST(Dot, RunTimeMismatchNamesShapesAndDtypes) {
  Var a = input(DType::Float64, 2, "a"), b = input(DType::Float64, 2, "b");
  try {
    eval1(dot(a, b), {{a, NDArray::zeros(DType::Float64, {2, 3})}, {b, NDArray::zeros(DType::Float64, {4, 2})}});
    FAIL() << "expected ValueError";
  } catch (const ValueError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("Dot"), std::string::npos) << msg;
    EXPECT_NE(msg.find("(2, 3)"), std::string::npos) << msg;
    EXPECT_NE(msg.find("(4, 2)"), std::string::npos) << msg;
    EXPECT_NE(msg.find("float64"), std::string::npos) << msg;
  }
}

TEST(Dot, WrongNdimIsTypeError) {
  Var m = input(DType::Float64, 2, "m"), t3 = input(DType::Float64, 3, "t"), s = input(DType::Float64, 0, "s");
  Var mm = dot(m, m);
  OpPtr core = mm->owner->op;
  EXPECT_THROW(apply1(core, {t3, m}), TypeError);
  EXPECT_THROW(apply1(core, {s, m}), TypeError);
  EXPECT_THROW(matmul(s, m), TypeError);
}

TEST(Dot, NdDotFollowsNumPy) {
  // (2,3,4).(4,5) -> (2,3,5); (2,3,4).(4) -> (2,3); (2,3).(4,3,5) -> (2,4,5)
  NDArray va = make<double>({2, 3, 4}, 1), vb = make<double>({4, 5}, 2), vv = make<double>({4}, 3);
  NDArray vc = make<double>({2, 3}, 4), vd = make<double>({4, 3, 5}, 5);
  Var a = input(DType::Float64, 3, "a"), b = input(DType::Float64, 2, "b"), v = input(DType::Float64, 1, "v");
  Var c = input(DType::Float64, 2, "c"), dd = input(DType::Float64, 3, "d");
  NDArray r = eval1(dot(a, b), {{a, va}, {b, vb}});
  ASSERT_EQ(r.shape, (Shape{2, 3, 5}));
  std::vector<double> want;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int n = 0; n < 5; ++n) {
        double s = 0;
        for (int k = 0; k < 4; ++k) s += at<double>(va, {i, j, k}) * at<double>(vb, {k, n});
        want.push_back(s);
      }
  expect_values<double>(r, want, "3d.2d");
  r = eval1(dot(a, v), {{a, va}, {v, vv}});
  ASSERT_EQ(r.shape, (Shape{2, 3}));
  want.clear();
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j) {
      double s = 0;
      for (int k = 0; k < 4; ++k) s += at<double>(va, {i, j, k}) * at<double>(vv, {k});
      want.push_back(s);
    }
  expect_values<double>(r, want, "3d.1d");
  r = eval1(dot(c, dd), {{c, vc}, {dd, vd}});
  ASSERT_EQ(r.shape, (Shape{2, 4, 5}));
  want.clear();
  for (int i = 0; i < 2; ++i)
    for (int p = 0; p < 4; ++p)
      for (int n = 0; n < 5; ++n) {
        double s = 0;
        for (int k = 0; k < 3; ++k) s += at<double>(vc, {i, k}) * at<double>(vd, {p, k, n});
        want.push_back(s);
      }
  expect_values<double>(r, want, "2d.3d");
}

TEST(Dot, TensordotAxes) {
  // np.tensordot(a(2,3,4), b(4,3,5), axes=[[1,2],[1,0]]) -> (2,5)
  NDArray va = make<int64_t>({2, 3, 4}, 1), vb = make<int64_t>({4, 3, 5}, 2);
  Var a = input(DType::Int64, 3, "a"), b = input(DType::Int64, 3, "b");
  NDArray r = eval1(tensordot(a, b, {1, 2}, {1, 0}), {{a, va}, {b, vb}});
  ASSERT_EQ(r.shape, (Shape{2, 5}));
  std::vector<int64_t> want;
  for (int i = 0; i < 2; ++i)
    for (int n = 0; n < 5; ++n) {
      int64_t s = 0;
      for (int j = 0; j < 3; ++j)
        for (int k = 0; k < 4; ++k) s += at<int64_t>(va, {i, j, k}) * at<int64_t>(vb, {k, j, n});
      want.push_back(s);
    }
  expect_values<int64_t>(r, want, "tensordot [[1,2],[1,0]]");
  // axes=2 over (2,3,4).(3,4,5) -> (2,5); axes=0 -> outer (2,3,4,3,4,5)
  NDArray vc = make<int64_t>({3, 4, 5}, 3);
  Var c = input(DType::Int64, 3, "c");
  r = eval1(tensordot(a, c, 2), {{a, va}, {c, vc}});
  ASSERT_EQ(r.shape, (Shape{2, 5}));
  want.clear();
  for (int i = 0; i < 2; ++i)
    for (int n = 0; n < 5; ++n) {
      int64_t s = 0;
      for (int j = 0; j < 3; ++j)
        for (int k = 0; k < 4; ++k) s += at<int64_t>(va, {i, j, k}) * at<int64_t>(vc, {j, k, n});
      want.push_back(s);
    }
  expect_values<int64_t>(r, want, "tensordot 2");
  Var m = input(DType::Int64, 2, "m"), w = input(DType::Int64, 2, "w");
  NDArray vm = make<int64_t>({2, 3}, 1), vw = make<int64_t>({4, 5}, 2);
  r = eval1(tensordot(m, w, 0), {{m, vm}, {w, vw}});
  ASSERT_EQ(r.shape, (Shape{2, 3, 4, 5}));
  EXPECT_EQ(r.get_int(2 * 3 * 4 * 5 - 1), vm.get_int(5) * vw.get_int(19));
  // Static size mismatch on a summed axis, bad axes.
  Var s1 = variable(TensorType(DType::Float64, {2, 3}), "s1"), s2 = variable(TensorType(DType::Float64, {4, 2}), "s2");
  EXPECT_THROW(tensordot(s1, s2, {1}, {1}), ValueError);
  EXPECT_NO_THROW(tensordot(s1, s2, {0}, {1}));
  EXPECT_THROW(tensordot(s1, s2, {3}, {0}), ValueError);
  EXPECT_THROW(tensordot(s1, s2, {0, 0}, {0, 1}), ValueError);
  EXPECT_THROW(tensordot(s1, s2, 3), ValueError);
}

TEST(Dot, MatmulBatchedAndBroadcast) {
  const DType d = DType::Float64;
  // (2,3,4) @ (4,5)
  NDArray va = make<double>({2, 3, 4}, 1), vb = make<double>({4, 5}, 2);
  Var a = input(d, 3, "a"), b = input(d, 2, "b");
  NDArray r = eval1(matmul(a, b), {{a, va}, {b, vb}});
  ASSERT_EQ(r.shape, (Shape{2, 3, 5}));
  std::vector<double> want;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int n = 0; n < 5; ++n) {
        double s = 0;
        for (int k = 0; k < 4; ++k) s += at<double>(va, {i, j, k}) * at<double>(vb, {k, n});
        want.push_back(s);
      }
  expect_values<double>(r, want, "(2,3,4)@(4,5)");
  // (1,3,4) [broadcastable] @ (2,4,2)
  Var a1 = variable(TensorType(d, {1, -1, -1}), "a1"), b3 = input(d, 3, "b3");
  NDArray va1 = make<double>({1, 3, 4}, 3), vb3 = make<double>({2, 4, 2}, 4);
  r = eval1(matmul(a1, b3), {{a1, va1}, {b3, vb3}});
  ASSERT_EQ(r.shape, (Shape{2, 3, 2}));
  want.clear();
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int n = 0; n < 2; ++n) {
        double s = 0;
        for (int k = 0; k < 4; ++k) s += at<double>(va1, {0, j, k}) * at<double>(vb3, {i, k, n});
        want.push_back(s);
      }
  expect_values<double>(r, want, "(1,3,4)@(2,4,2)");
  // vector @ (2,4,2) -> (2,2); (2,3,4) @ vector -> (2,3)
  Var v = input(d, 1, "v");
  NDArray vv = make<double>({4}, 5);
  r = eval1(matmul(v, b3), {{v, vv}, {b3, vb3}});
  ASSERT_EQ(r.shape, (Shape{2, 2}));
  want.clear();
  for (int i = 0; i < 2; ++i)
    for (int n = 0; n < 2; ++n) {
      double s = 0;
      for (int k = 0; k < 4; ++k) s += at<double>(vv, {k}) * at<double>(vb3, {i, k, n});
      want.push_back(s);
    }
  expect_values<double>(r, want, "(4)@(2,4,2)");
  r = eval1(matmul(a, v), {{a, va}, {v, vv}});
  ASSERT_EQ(r.shape, (Shape{2, 3}));
  // int32 batched goes through the loop.
  Var ia = input(DType::Int32, 3, "ia"), ib = input(DType::Int32, 3, "ib");
  NDArray via = make<int32_t>({2, 3, 4}, 1), vib = make<int32_t>({2, 4, 5}, 2);
  r = eval1(matmul(ia, ib), {{ia, via}, {ib, vib}});
  ASSERT_EQ(r.shape, (Shape{2, 3, 5}));
  std::vector<int32_t> iwant;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int n = 0; n < 5; ++n) {
        int32_t s = 0;
        for (int k = 0; k < 4; ++k) s += at<int32_t>(via, {i, j, k}) * at<int32_t>(vib, {i, k, n});
        iwant.push_back(s);
      }
  expect_values<int32_t>(r, iwant, "int32 batched");
  // Mismatched batch dims at run time.
  EXPECT_THROW(eval1(matmul(ia, ib), {{ia, via}, {ib, make<int32_t>({3, 4, 5}, 2)}}), ValueError);
}

TEST(Dot, Outer) {
  Var a = input(DType::Int32, 1, "a"), b = input(DType::Int32, 1, "b");
  NDArray va = make<int32_t>({3}, 1), vb = make<int32_t>({5}, 2);
  NDArray r = eval1(outer(a, b), {{a, va}, {b, vb}});
  ASSERT_EQ(r.shape, (Shape{3, 5}));
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 5; ++j) EXPECT_EQ(r.get_int(i * 5 + j), va.get_int(i) * vb.get_int(j));
}

TEST(Dot, Gradients) {
  const DType d = DType::Float64;
  NDArray vA = make<double>({3, 4}, 1), vB = make<double>({4, 5}, 2), vx = make<double>({4}, 3),
          vy = make<double>({3}, 4);
  Var A = input(d, 2, "A"), B = input(d, 2, "B"), x = input(d, 1, "x"), y = input(d, 1, "y");
  Feed feed{{A, vA}, {B, vB}, {x, vx}, {y, vy}};
  // sum(A.B): dA[i,k] = sum_j B[k,j]; dB[k,j] = sum_i A[i,k]
  auto g = grad(sum(dot(A, B)), {A, B});
  auto r = eval({g[0], g[1]}, feed);
  ASSERT_EQ(r[0].shape, (Shape{3, 4}));
  ASSERT_EQ(r[1].shape, (Shape{4, 5}));
  for (int i = 0; i < 3; ++i)
    for (int k = 0; k < 4; ++k) {
      double s = 0;
      for (int j = 0; j < 5; ++j) s += at<double>(vB, {k, j});
      EXPECT_DOUBLE_EQ(r[0].get_double(i * 4 + k), s);
    }
  for (int k = 0; k < 4; ++k)
    for (int j = 0; j < 5; ++j) {
      double s = 0;
      for (int i = 0; i < 3; ++i) s += at<double>(vA, {i, k});
      EXPECT_DOUBLE_EQ(r[1].get_double(k * 5 + j), s);
    }
  // sum(A.x): dA[i,k] = x[k]; dx[k] = sum_i A[i,k]
  g = grad(sum(dot(A, x)), {A, x});
  r = eval({g[0], g[1]}, feed);
  ASSERT_EQ(r[0].shape, (Shape{3, 4}));
  ASSERT_EQ(r[1].shape, (Shape{4}));
  for (int i = 0; i < 3; ++i)
    for (int k = 0; k < 4; ++k) EXPECT_DOUBLE_EQ(r[0].get_double(i * 4 + k), vx.get_double(k));
  for (int k = 0; k < 4; ++k) {
    double s = 0;
    for (int i = 0; i < 3; ++i) s += at<double>(vA, {i, k});
    EXPECT_DOUBLE_EQ(r[1].get_double(k), s);
  }
  // sum(y.A): dy[i] = sum_k A[i,k]; dA[i,k] = y[i]
  g = grad(sum(dot(y, A)), {y, A});
  r = eval({g[0], g[1]}, feed);
  ASSERT_EQ(r[0].shape, (Shape{3}));
  ASSERT_EQ(r[1].shape, (Shape{3, 4}));
  for (int i = 0; i < 3; ++i) {
    double s = 0;
    for (int k = 0; k < 4; ++k) s += at<double>(vA, {i, k});
    EXPECT_DOUBLE_EQ(r[0].get_double(i), s);
    for (int k = 0; k < 4; ++k) EXPECT_DOUBLE_EQ(r[1].get_double(i * 4 + k), vy.get_double(i));
  }
  // x.x: d/dx = 2x
  g = grad(dot(x, x), std::vector<Var>{x});
  r = eval({g[0]}, feed);
  for (int k = 0; k < 4; ++k) EXPECT_DOUBLE_EQ(r[0].get_double(k), 2 * vx.get_double(k));
  // Batched matmul with a broadcast operand: d sum(T @ B)/dB[k,j] = sum over batch and rows of T[.., k]
  Var T3 = input(d, 3, "T");
  NDArray vT = make<double>({2, 3, 4}, 5);
  g = grad(sum(matmul(T3, B)), {T3, B});
  r = eval({g[0], g[1]}, {{T3, vT}, {B, vB}});
  ASSERT_EQ(r[0].shape, (Shape{2, 3, 4}));
  ASSERT_EQ(r[1].shape, (Shape{4, 5}));
  for (int k = 0; k < 4; ++k) {
    double s = 0;
    for (int b = 0; b < 2; ++b)
      for (int i = 0; i < 3; ++i) s += at<double>(vT, {b, i, k});
    EXPECT_DOUBLE_EQ(r[1].get_double(k * 5), s);
  }
  // Integer inputs get no gradient.
  Var ia = input(DType::Int32, 2, "ia");
  Var di = dot(ia, ia);  // keeps its Apply alive
  Apply* node = di->owner;
  auto gi = node->op->grad(*node, {input(DType::Int32, 2, "gz")});
  EXPECT_EQ(gi[0], nullptr);
  EXPECT_EQ(gi[1], nullptr);
}

TEST(Blas, LoaderReportsLibrary) {
  EXPECT_FALSE(set_blas_library("/nonexistent/libnothing.so", ""));
  EXPECT_FALSE(set_blas_library("", "scipy_"));
  std::string info = blas_info();
  EXPECT_FALSE(info.empty());
  // A library without the prefixed symbols is rejected and the current one kept.
  const Blas* before = blas();
  if (before) {
    EXPECT_FALSE(set_blas_library(before->path, "no_such_prefix_"));
    EXPECT_EQ(blas(), before);
  }
  for (const char* p : {"/usr/lib/x86_64-linux-gnu/libopenblas.so.0", "/usr/lib/aarch64-linux-gnu/libopenblas.so.0"}) {
    if (!std::filesystem::exists(p)) continue;
    EXPECT_TRUE(set_blas_library(p, ""));
    ASSERT_NE(blas(), nullptr);
    EXPECT_EQ(blas()->path, p);
    EXPECT_NE(blas_info().find(p), std::string::npos);
  }
  std::cout << "BLAS: " << blas_info() << "\n";
}
