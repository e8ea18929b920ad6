// Loops over an index (map_index, a scan over arange(n)): jacobian and hessian with a
// symbolic length, and the gradient of the loop itself.
#include <gtest/gtest.h>

#include <cmath>

#include "theon/theon.hpp"

using namespace theon;

namespace {
Var fvec(const char* name) { return variable(TensorType(DType::Float64, {-1}), name); }
NDArray vec(std::vector<double> v) { return NDArray::from_vector(v, {static_cast<int64_t>(v.size())}); }
}  // namespace

TEST(MapIndex, StacksRowsOfAnIndexedGraph) {
  Var x = fvec("x");
  Var i = variable(TensorType(DType::Int64, {}), "i");
  // row i = x * i + x[i]
  Var row = add(mul(x, cast(i, DType::Float64)), subtensor(x, {IndexEntry::integer(i)}));
  Var out = map_index(shape_i(x, 0), i, {row})[0];
  ASSERT_EQ(out->ndim(), 2);
  Function f({x}, {out});
  auto r = f({vec({1, 2, 3})})[0];
  ASSERT_EQ(r.shape, (Shape{3, 3}));
  for (int a = 0; a < 3; ++a)
    for (int b = 0; b < 3; ++b) EXPECT_DOUBLE_EQ(r.get_double(a * 3 + b), (b + 1) * a + (a + 1));
}

TEST(MapIndex, JacobianAndHessianOfSymbolicLength) {
  Var x = fvec("x");
  Var J = jacobian(exp(mul(x, x)), {x})[0];      // diag(2 x e^{x^2})
  Var H = hessian(sum(mul(exp(x), x)), {x})[0];  // diag(e^x (2 + x))
  Function f({x}, {J, H});
  auto out = f({vec({0.5, -1.0, 0.25})});
  std::vector<double> xs = {0.5, -1.0, 0.25};
  for (int a = 0; a < 3; ++a)
    for (int b = 0; b < 3; ++b) {
      double j = a == b ? 2 * xs[a] * std::exp(xs[a] * xs[a]) : 0;
      double h = a == b ? std::exp(xs[a]) * (2 + xs[a]) : 0;
      EXPECT_NEAR(out[0].get_double(a * 3 + b), j, 1e-12);
      EXPECT_NEAR(out[1].get_double(a * 3 + b), h, 1e-12);
    }
}

TEST(MapIndex, GradientThroughTheLoop) {
  // sum of the Jacobian of x^3 is sum(3 x^2); its gradient is 6 x.
  Var x = fvec("x");
  Var g = grad(sum(jacobian(mul(mul(x, x), x), {x})[0]), x);
  Function f({x}, {g});
  auto r = f({vec({1.0, -2.0})})[0];
  EXPECT_NEAR(r.get_double(0), 6.0, 1e-12);
  EXPECT_NEAR(r.get_double(1), -12.0, 1e-12);
}

TEST(MapIndex, RejectsABadLengthAndRaggedRows) {
  Var x = fvec("x");
  Var i = variable(TensorType(DType::Int64, {}), "i");
  EXPECT_THROW(map_index(x, i, {x}), TypeError);
  Var n = variable(TensorType(DType::Int64, {}), "n");
  // Row i has i elements: rows differ in shape.
  Var ragged = map_index(n, i, {subtensor(x, {IndexEntry::slice(nullptr, i)})})[0];
  Function f({x, n}, {ragged});
  EXPECT_THROW(f({vec({1, 2, 3}), NDArray::scalar<int64_t>(2)}), ValueError);
  EXPECT_THROW(f({vec({1, 2, 3}), NDArray::scalar<int64_t>(-1)}), ValueError);
}
