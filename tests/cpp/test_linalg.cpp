// The Linalg op in C++: LAPACK found in the BLAS library, values of the
// factorizations and solves, a stack of matrices, gradients against finite
// differences, and the errors (class and message).
#include <gtest/gtest.h>

#include <cmath>

#include "backend/cpu/lapack.hpp"
#include "theon/theon.hpp"

using namespace theon;

namespace {

Var matrix(const char* name) { return std::make_shared<Variable>(TensorType(DType::Float64, {-1, -1}), name); }

NDArray mat(const std::vector<double>& v, int64_t r, int64_t c) { return NDArray::from_vector(v, {r, c}); }

double at(const NDArray& a, int64_t i) { return a.get_double(i); }

const std::vector<double> kSpd = {4, 2, 0.6, 2, 5, 1, 0.6, 1, 3};  // symmetric positive definite

}  // namespace

TEST(Linalg, LapackComesFromTheBlasLibrary) {
  std::string why;
  const Lapack* l = lapack(&why);
  ASSERT_NE(l, nullptr) << why;
  EXPECT_NE(l->d.potrf, nullptr);
  EXPECT_NE(l->s.gesdd, nullptr);
}

TEST(Linalg, InverseCholeskyAndSolve) {
  const Var a = matrix("a"), b = matrix("b");
  Function f({a, b}, {matrix_inverse(a), cholesky(a), solve(a, b), det(a)});
  const NDArray av = mat(kSpd, 3, 3), bv = mat({1, 2, 3}, 3, 1);
  auto out = f({av, bv});
  // a . inv(a) = I
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) {
      double s = 0;
      for (int k = 0; k < 3; ++k) s += at(av, i * 3 + k) * at(out[0], k * 3 + j);
      EXPECT_NEAR(s, i == j ? 1.0 : 0.0, 1e-12);
    }
  // L lower with L L^T = a
  EXPECT_EQ(at(out[1], 1), 0.0);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) {
      double s = 0;
      for (int k = 0; k < 3; ++k) s += at(out[1], i * 3 + k) * at(out[1], j * 3 + k);
      EXPECT_NEAR(s, at(av, i * 3 + j), 1e-12);
    }
  // a x = b
  for (int i = 0; i < 3; ++i) {
    double s = 0;
    for (int k = 0; k < 3; ++k) s += at(av, i * 3 + k) * at(out[2], k);
    EXPECT_NEAR(s, at(bv, i), 1e-12);
  }
  EXPECT_NEAR(at(out[3], 0), 4 * (15 - 1) - 2 * (6 - 0.6) + 0.6 * (2 - 3), 1e-12);
}

TEST(Linalg, StacksOfMatrices) {
  const Var a = std::make_shared<Variable>(TensorType(DType::Float32, {-1, 2, 2}), "a");
  Function f({a}, {det(a)});
  auto out = f({NDArray::from_vector(std::vector<float>{1, 2, 3, 4, 2, 0, 0, 2, 0, 1, 1, 0}, {3, 2, 2})});
  ASSERT_EQ(out[0].shape, (Shape{3}));
  EXPECT_NEAR(out[0].get_double(0), -2.0, 1e-6);
  EXPECT_NEAR(out[0].get_double(1), 4.0, 1e-6);
  EXPECT_NEAR(out[0].get_double(2), -1.0, 1e-6);
}

TEST(Linalg, LogDetGradientIsTheInverseTransposed) {
  const Var a = matrix("a");
  const Var g = grad(slogdet(a)[1], a);
  Function f({a}, {g, matrix_inverse(a)});
  const std::vector<double> m = {2, 1, 0.5, 3};
  auto out = f({mat(m, 2, 2)});
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j) EXPECT_NEAR(at(out[0], i * 2 + j), at(out[1], j * 2 + i), 1e-12);
}

TEST(Linalg, CholeskyGradientMatchesFiniteDifferences) {
  const Var a = matrix("a");
  const Var cost = sum(mul(cholesky(a), cholesky(a)));
  Function f({a}, {cost, grad(cost, a)});
  const auto base = f({mat(kSpd, 3, 3)});
  const double eps = 1e-6;
  for (int k = 0; k < 9; ++k) {
    std::vector<double> p = kSpd, m = kSpd;
    p[static_cast<size_t>(k)] += eps;
    m[static_cast<size_t>(k)] -= eps;
    const double num = (f({mat(p, 3, 3)})[0].get_double(0) - f({mat(m, 3, 3)})[0].get_double(0)) / (2 * eps);
    EXPECT_NEAR(at(base[1], k), num, 1e-6) << "entry " << k;  // zero above the diagonal: it is not read
  }
}

TEST(Linalg, ErrorsNameTheOpAndTheMatrix) {
  const Var a = matrix("a");
  Function inv({a}, {matrix_inverse(a)});
  try {
    inv({mat({1, 2, 2, 4}, 2, 2)});
    FAIL() << "a singular matrix was inverted";
  } catch (const LinAlgError& e) {
    EXPECT_NE(std::string(e.what()).find("MatrixInverse"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("singular"), std::string::npos) << e.what();
  }
  Function chol({a}, {cholesky(a)});
  EXPECT_THROW(chol({mat({1, 0, 0, -1}, 2, 2)}), LinAlgError);
  EXPECT_THROW(inv({mat({1, 2, 3, 4, 5, 6}, 2, 3)}), LinAlgError);
  Function nan({a}, {cholesky(a, true, true)});
  EXPECT_TRUE(std::isnan(nan({mat({1, 0, 0, -1}, 2, 2)})[0].get_double(0)));
  EXPECT_THROW(matrix_inverse(std::make_shared<Variable>(TensorType(DType::Float64, {3}), "v")), TypeError);
}
