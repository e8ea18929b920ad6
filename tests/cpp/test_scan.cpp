// scan, ifelse and graph ops through the C++ API: values, gradients, errors.
#include <gtest/gtest.h>

#include <cmath>

#include "theon/theon.hpp"

using namespace theon;

namespace {
Var dvec(const char* name) { return variable(TensorType(DType::Float64, {-1}), name); }
Var dscalar(const char* name) { return variable(TensorType(DType::Float64, {}), name); }
NDArray vec(std::vector<double> v) { return NDArray::from_vector(v, {static_cast<int64_t>(v.size())}); }
}  // namespace

TEST(Scan, CumulativeProductAndItsGradient) {
  // h[t] = h[t-1] * x[t]; the gradient of sum(h) with respect to x and h0.
  Var x = dvec("x"), h0 = dscalar("h0");
  Var xt = dscalar("xt"), h = dscalar("h");
  ScanArgs a;
  a.n_steps = shape_i(x, 0);
  a.sequences = {{x, xt}};
  a.states = {{dimshuffle(h0, {-1}), {-1}, {h}, mul(h, xt), true}};
  Var hs = scan(a)[0];
  Var cost = sum(hs);
  auto g = grad(cost, {x, h0});
  Function f({x, h0}, {hs, g[0], g[1]});
  auto r = f({vec({2, 3, 4}), NDArray::scalar<double>(1.5)});
  EXPECT_DOUBLE_EQ(r[0].get_double(2), 1.5 * 2 * 3 * 4);
  // d/dx0 of (1.5*x0 + 1.5*x0*x1 + 1.5*x0*x1*x2) = 1.5 * (1 + x1 + x1*x2)
  EXPECT_DOUBLE_EQ(r[1].get_double(0), 1.5 * (1 + 3 + 12));
  EXPECT_DOUBLE_EQ(r[2].item_double(), 2 + 6 + 24);
}

TEST(Scan, ErrorsAreUserErrors) {
  Var x = dvec("x"), xt = dscalar("xt"), h = dscalar("h");
  ScanArgs a;
  a.n_steps = scalar_constant<int64_t>(5);
  a.sequences = {{x, xt}};
  a.states = {{variable(TensorType(DType::Float64, {1}), "h0"), {-1}, {h}, add(h, xt), true}};
  Var hs = scan(a)[0];
  Function f({x, a.states[0].init}, {hs});
  EXPECT_THROW(f({vec({1, 2}), vec({0})}), ValueError);  // fewer rows than steps
  ScanArgs bad = a;
  bad.states[0].taps = {0};
  EXPECT_THROW(scan(bad), ValueError);
  bad = a;
  bad.states[0].next = cast(add(h, xt), DType::Float32);
  EXPECT_THROW(scan(bad), TypeError);
}

TEST(IfElse, TakesOneBranchAndDifferentiates) {
  Var a = dscalar("a"), b = dscalar("b");
  Var z = ifelse(lt(a, b), {mul(a, a)}, {mul(b, scalar_constant<double>(3.0))})[0];
  auto g = grad(z, {a, b});
  Function f({a, b}, {z, g[0], g[1]});
  auto r = f({NDArray::scalar<double>(2.0), NDArray::scalar<double>(5.0)});
  EXPECT_DOUBLE_EQ(r[0].item_double(), 4.0);
  EXPECT_DOUBLE_EQ(r[1].item_double(), 4.0);
  EXPECT_DOUBLE_EQ(r[2].item_double(), 0.0);
  r = f({NDArray::scalar<double>(6.0), NDArray::scalar<double>(5.0)});
  EXPECT_DOUBLE_EQ(r[0].item_double(), 15.0);
  EXPECT_DOUBLE_EQ(r[2].item_double(), 3.0);
  EXPECT_THROW(ifelse(a, {a}, {cast(a, DType::Float32)}), TypeError);
}

TEST(GraphOp, AppliesAGraphAndItsGradient) {
  Var x = dscalar("x");
  GraphOpSpec s;
  s.inputs = {x};
  s.outputs = {mul(x, sin(x))};
  Var a = dscalar("a");
  Var y = apply_graph_op(s, {a})[0];
  Function f({a}, {y, grad(y, std::vector<Var>{a})[0]});
  auto r = f({NDArray::scalar<double>(0.5)});
  EXPECT_DOUBLE_EQ(r[0].item_double(), 0.5 * std::sin(0.5));
  EXPECT_NEAR(r[1].item_double(), std::sin(0.5) + 0.5 * std::cos(0.5), 1e-15);
  EXPECT_THROW(apply_graph_op(s, {a, a}), TypeError);
}

TEST(Scan, RewritesMoveTheInputProductAndTheWeightGradientOutOfTheLoop) {
  // h[t] = tanh(x[t] @ W + h[t-1] @ U): x[t] @ W runs as one product over all
  // steps, and the gradient's accumulation of x[t].T @ delta[t] after the loop.
  auto dmat = [](const char* n) { return variable(TensorType(DType::Float64, {-1, -1}), n); };
  Var X = variable(TensorType(DType::Float64, {-1, -1, -1}), "X"), W = dmat("W"), U = dmat("U"), h0 = dmat("h0");
  Var xt = dmat("xt"), h = dmat("h");
  ScanArgs a;
  a.n_steps = shape_i(X, 0);
  a.sequences = {{X, xt}};
  a.states = {{dimshuffle(h0, {-1, 0, 1}), {-1}, {h}, tanh(add(dot(xt, W), dot(h, U))), true}};
  Var hs = scan(a)[0];
  Var cost = sum(subtensor(hs, {IndexEntry::integer(scalar_constant<int64_t>(-1))}));
  Var gW = grad(cost, std::vector<Var>{W})[0];
  FunctionOptions plain;
  plain.rewrite.level = RewriteOptions::Level::None;
  Function f({X, W, U, h0}, {cost, gW}), g({X, W, U, h0}, {cost, gW}, plain);
  for (const char* rule : {"scan_pushout_seqs", "scan_pushout_add", "scan_merge"})
    EXPECT_GE(f.rewrite_report().fired.count(rule), 1u) << rule;
  std::vector<double> xs(4 * 2 * 3), ws(3 * 2), us(2 * 2), hv(2 * 2);
  for (size_t i = 0; i < xs.size(); ++i) xs[i] = std::sin(0.7 * static_cast<double>(i));
  for (size_t i = 0; i < ws.size(); ++i) ws[i] = std::cos(0.3 * static_cast<double>(i));
  for (size_t i = 0; i < us.size(); ++i) us[i] = 0.2 * std::sin(static_cast<double>(i));
  std::vector<NDArray> in{NDArray::from_vector(xs, {4, 2, 3}), NDArray::from_vector(ws, {3, 2}),
                          NDArray::from_vector(us, {2, 2}), NDArray::from_vector(hv, {2, 2})};
  auto r = f(in), q = g(in);
  EXPECT_NEAR(r[0].item_double(), q[0].item_double(), 1e-12);
  for (int64_t i = 0; i < 6; ++i) EXPECT_NEAR(r[1].get_double(i), q[1].get_double(i), 1e-12);
}
