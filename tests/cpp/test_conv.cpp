// Convolutions from C++: the fused conv + bias + activation against the
// graph it replaces, unshared filters against a loop, and oneDNN (when the
// test command points THEON_ONEDNN at the wheel's library) against theon's
// own kernels; the run-time loader refuses what is not oneDNN 3.
#include <gtest/gtest.h>

#include <cmath>

#include "backend/cpu/onednn.hpp"
#include "theon/theon.hpp"

using namespace theon;

namespace {

NDArray ramp(const Shape& shape, double scale, double shift) {
  NDArray a = NDArray::empty(DType::Float32, shape);
  float* p = a.ptr<float>();
  for (int64_t i = 0; i < a.size(); ++i) p[i] = static_cast<float>(std::sin(scale * static_cast<double>(i)) + shift);
  return a;
}

std::vector<float> values(const NDArray& a) {
  const NDArray c = a.contiguous();
  return {c.ptr<float>(), c.ptr<float>() + c.size()};
}

void expect_close(const std::vector<float>& a, const std::vector<float>& b, float tol) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) ASSERT_NEAR(a[i], b[i], tol * (1 + std::fabs(b[i]))) << "at " << i;
}

ConvParams half_stride2() {
  ConvParams p;
  p.border = ConvBorder::Half;
  p.stride = {2, 1};
  return p;
}

// Runs `outs` with oneDNN on (when loaded) and off; returns both.
std::pair<std::vector<NDArray>, std::vector<NDArray>> both_ways(const std::vector<Var>& ins,
                                                                const std::vector<Var>& outs,
                                                                const std::vector<NDArray>& args) {
  Function f(ins, outs);
  auto on = f(args);
  dnnl::set_enabled(false);
  auto off = f(args);
  dnnl::set_enabled(true);
  return {on, off};
}

}  // namespace

TEST(Conv, OneDnnLoaderRefusesWhatIsNotOneDnn3) {
  std::string why;
  EXPECT_FALSE(dnnl::set_library("/nonexistent/libdnnl.so.3", &why));
  EXPECT_FALSE(why.empty());
  why.clear();
  EXPECT_FALSE(dnnl::set_library("libm.so.6", &why));
  EXPECT_NE(why.find("not oneDNN 3.x"), std::string::npos) << why;
  EXPECT_FALSE(dnnl::info().empty());
}

TEST(Conv, FusedBiasAndActivationEqualTheGraphTheyReplace) {
  auto t4 = [](const char* n) { return variable(TensorType(DType::Float32, {-1, -1, -1, -1}), n); };
  Var x = t4("x"), w = t4("w"), b = variable(TensorType(DType::Float32, {-1}), "b");
  const Var z = add(conv(x, w, half_stride2()), dimshuffle(b, {-1, 0, -1, -1}));
  const std::vector<NDArray> args{ramp({2, 3, 7, 6}, 0.37, 0), ramp({4, 3, 3, 3}, 0.11, -0.2), ramp({4}, 1.3, 0.1)};
  const std::pair<ConvActivation, Var> cases[] = {
      {ConvActivation::None, z},
      {ConvActivation::Tanh, tanh(z)},
      {ConvActivation::Sigmoid, sigmoid(z)},
      {ConvActivation::Relu, maximum(z, constant_like(0, DType::Float32))},
  };
  for (const auto& [act, composed] : cases) {
    const Var fused = conv_bias_act(x, w, b, half_stride2(), act);
    auto [on, off] = both_ways({x, w, b}, {fused, composed}, args);
    expect_close(values(on[0]), values(on[1]), 1e-5f);
    expect_close(values(off[0]), values(off[1]), 1e-5f);
    expect_close(values(on[0]), values(off[0]), 1e-5f);
  }
}

TEST(Conv, OneDnnAndTheFallbackAgreeOnEveryRole) {
  auto t = [](int rank, const char* n) { return variable(TensorType(DType::Float32, Shape(rank, -1)), n); };
  for (int nd : {1, 2, 3}) {
    Var x = t(nd + 2, "x"), w = t(nd + 2, "w");
    ConvParams p;
    p.nd = nd;
    p.border = ConvBorder::Full;
    p.groups = 2;
    p.dilation.assign(static_cast<size_t>(nd), 1);
    p.dilation[0] = 2;
    const Var y = conv(x, w, p);
    const Var cost = sum(mul(y, y));
    std::vector<Var> outs{y};
    for (const Var& g : grad(cost, {x, w})) outs.push_back(g);
    Shape xs{2, 4}, ws{6, 2};
    for (int d = 0; d < nd; ++d) xs.push_back(5 + d), ws.push_back(2 + (d % 2));
    auto [on, off] = both_ways({x, w}, outs, {ramp(xs, 0.21, 0), ramp(ws, 0.57, 0)});
    for (size_t i = 0; i < outs.size(); ++i) expect_close(values(on[i]), values(off[i]), 1e-4f);
  }
  SUCCEED() << dnnl::info();
}

TEST(Conv, UnsharedFiltersHaveOneFilterPerOutputPosition) {
  ConvParams p;
  p.unshared = true;
  Var x = variable(TensorType(DType::Float32, {-1, -1, -1, -1}), "x");
  Var w = variable(TensorType(DType::Float32, Shape(6, -1)), "w");
  const NDArray X = ramp({2, 2, 4, 5}, 0.3, 0), W = ramp({3, 3, 3, 2, 2, 3}, 0.7, 0);  // out 3 x 3, taps 2 x 3
  Function f({x, w}, {conv(x, w, p)});
  const auto y = values(f({X, W})[0]);
  const float* xp = X.ptr<float>();
  const float* wp = W.ptr<float>();
  for (int n = 0; n < 2; ++n)
    for (int o = 0; o < 3; ++o)
      for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) {
          double want = 0;
          for (int c = 0; c < 2; ++c)
            for (int a = 0; a < 2; ++a)
              for (int bb = 0; bb < 3; ++bb)  // flipped taps: a convolution
                want += wp[((((o * 3 + i) * 3 + j) * 2 + c) * 2 + (1 - a)) * 3 + (2 - bb)] *
                        xp[((n * 2 + c) * 4 + i + a) * 5 + j + bb];
          EXPECT_NEAR(y[static_cast<size_t>(((n * 3 + o) * 3 + i) * 3 + j)], want, 1e-5);
        }
}
