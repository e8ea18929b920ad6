// Forward mode, the L-op and the gradient controls through the C++ API.
#include <gtest/gtest.h>

#include <cmath>

#include "theon/theon.hpp"

using namespace theon;

namespace {
Var fvec(const char* name) { return variable(TensorType(DType::Float64, {-1}), name); }
NDArray vec(std::vector<double> v) { return NDArray::from_vector(v, {static_cast<int64_t>(v.size())}); }
}  // namespace

TEST(Rop, ElementwiseDotAndReduction) {
  Var x = fvec("x"), v = fvec("v");
  Var A = constant(NDArray::from_vector<double>({1, 2, 3, 4, 5, 6}, {2, 3}));
  Var y = sum(tanh(dot(A, x)));  // d/dx = A^T (1 - tanh^2(Ax))
  Var jv = Rop({y}, {x}, {v})[0];
  Function f({x, v}, {jv});
  std::vector<double> xs = {0.1, -0.2, 0.05}, vs = {1, 0.5, -1};
  double want = 0;
  double a[2][3] = {{1, 2, 3}, {4, 5, 6}};
  for (int i = 0; i < 2; ++i) {
    double z = 0, dz = 0;
    for (int j = 0; j < 3; ++j) z += a[i][j] * xs[j], dz += a[i][j] * vs[j];
    want += (1 - std::tanh(z) * std::tanh(z)) * dz;
  }
  EXPECT_NEAR(f({vec(xs), vec(vs)})[0].get_double(0), want, 1e-12);
}

TEST(Rop, HessianVectorProductOfAGradient) {
  Var x = fvec("x"), v = fvec("v");
  Var g = grad(sum(mul(exp(x), x)), x);  // g = e^x (1 + x), H = diag(e^x (2 + x))
  Function f({x, v}, Rop({g}, {x}, {v}));
  auto out = f({vec({0.5, -1.0}), vec({2.0, 3.0})})[0];
  EXPECT_NEAR(out.get_double(0), std::exp(0.5) * 2.5 * 2.0, 1e-12);
  EXPECT_NEAR(out.get_double(1), std::exp(-1.0) * 1.0 * 3.0, 1e-12);
}

TEST(Rop, DisconnectedAndBadInputs) {
  Var x = fvec("x"), y = fvec("y"), v = fvec("v");
  EXPECT_THROW(Rop({mul(y, y)}, {x}, {v}), DisconnectedInputError);
  EXPECT_EQ(Rop({mul(y, y)}, {x}, {v}, DisconnectedPolicy::Ignore)[0], nullptr);
  Var m = variable(TensorType(DType::Float64, {-1, -1}), "m");
  EXPECT_THROW(Rop({mul(x, x)}, {x}, {m}), ValueError);
}

TEST(Lop, MatchesGradWithKnownOutputGradient) {
  Var x = fvec("x"), u = fvec("u");
  Var y = sin(x);
  Function f({x, u}, Lop({y}, {x}, {u}));
  auto out = f({vec({0.3, 1.2}), vec({2.0, -1.0})})[0];
  EXPECT_NEAR(out.get_double(0), std::cos(0.3) * 2.0, 1e-12);
  EXPECT_NEAR(out.get_double(1), -std::cos(1.2), 1e-12);
}

TEST(GradControls, ScaleClipZeroUndefined) {
  Var x = fvec("x");
  Function f({x}, {grad(sum(grad_scale(sin(x), 3.0)), x), grad(sum(sqr(grad_clip(x, -1.0, 1.0))), x),
                   grad(sum(mul(zero_grad(x), x)), x)});
  auto out = f({vec({0.25, 2.0})});
  EXPECT_NEAR(out[0].get_double(0), 3 * std::cos(0.25), 1e-12);
  EXPECT_NEAR(out[1].get_double(0), 0.5, 1e-12);
  EXPECT_NEAR(out[1].get_double(1), 1.0, 1e-12);  // 2x = 4 clipped to 1
  EXPECT_NEAR(out[2].get_double(1), 2.0, 1e-12);
  EXPECT_THROW(grad(sum(undefined_grad(x)), x), NullTypeGradError);
  GradOptions keep;
  keep.null_gradients_raise = false;
  EXPECT_TRUE(is_null_grad(grad(sum(undefined_grad(x)), x, keep)));
  EXPECT_THROW(grad(sum(disconnected_grad(x)), x), DisconnectedInputError);
}
