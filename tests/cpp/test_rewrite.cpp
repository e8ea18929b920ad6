// The rewriter through the C++ API: the incremental FunctionGraph stays
// consistent, rules fire, fusion makes one node, values do not change.
#include <gtest/gtest.h>

#include <cmath>

#include "theon/theon.hpp"

using namespace theon;

namespace {
Var fmat(const char* name) { return variable(TensorType(DType::Float32, {-1, -1}), name); }

std::vector<std::string> op_names(const Function& f) {
  std::vector<std::string> v;
  for (const auto& n : f.fgraph().nodes()) v.push_back(n->op->name());
  return v;
}
}  // namespace

TEST(Rewrite, ChainFusesIntoOneNodeAndGraphStaysConsistent) {
  Var x = fmat("x");
  Var y = add(tanh(mul(sin(x), scalar_like(0.9, x))), scalar_like(0.1, x));
  FunctionOptions o;
  o.rewrite.verify = true;
  Function f({x}, {y}, o);
  auto names = op_names(f);
  ASSERT_EQ(names.size(), 1u) << names[0] << " / " << (names.size() > 1 ? names[1] : "");
  EXPECT_EQ(names[0], "Composite{sin,mul,tanh,add}");
  NDArray a = NDArray::empty(DType::Float32, {2, 3});
  for (int i = 0; i < 6; ++i) a.ptr<float>()[i] = 0.1f * static_cast<float>(i);
  auto r = f({a})[0];
  for (int i = 0; i < 6; ++i) EXPECT_NEAR(r.get_double(i), std::tanh(std::sin(0.1 * i) * 0.9) + 0.1, 1e-6);
}

TEST(Rewrite, IncrementalReplaceKeepsClientsAndPrunes) {
  Var x = variable(TensorType(DType::Float64, {-1}), "x");
  Var e = exp(x);
  Var y = add(e, sin(e));
  FunctionGraph fg({x}, {y});
  EXPECT_EQ(fg.num_nodes(), 3u);
  Var c = cos(x);
  fg.replace(e, c);  // exp is pruned, cos imported, both users moved
  fg.verify();
  EXPECT_EQ(fg.num_nodes(), 3u);
  EXPECT_EQ(fg.clients(c.get()).size(), 2u);
  EXPECT_TRUE(fg.clients(e.get()).empty());
  EXPECT_THROW(fg.replace(c, add(c, x)), InternalError);  // would make a cycle
}

TEST(Rewrite, ModesAndReport) {
  Var x = variable(TensorType(DType::Float64, {-1}), "x");
  Var y = log(add(scalar_like(1, x), x));
  FunctionOptions none;
  none.rewrite.level = RewriteOptions::Level::None;
  Function f0({x}, {y}, none);
  EXPECT_EQ(op_names(f0), (std::vector<std::string>{"DimShuffle{x}", "Elemwise{add}", "Elemwise{log}"}));
  Function f1({x}, {y});
  EXPECT_EQ(op_names(f1), (std::vector<std::string>{"Elemwise{log1p}"}));
  EXPECT_EQ(f1.rewrite_report().fired.at("log1p"), 1);
  FunctionOptions ex;
  ex.rewrite.excluding = {"stability"};
  Function f2({x}, {y}, ex);
  EXPECT_EQ(f2.rewrite_report().fired.count("log1p"), 0u);
  FunctionOptions bad;
  bad.rewrite.including = {"no_such_rule"};
  EXPECT_THROW(Function({x}, {y}, bad), ValueError);
}

// Z - 0.5 * dot(A, B) with Z an intermediate: one Gemm that overwrites Z's
// buffer, graph verified after every phase, values equal to the plain graph.
TEST(Rewrite, GemmFormsAndRunsInplaceOnAnIntermediate) {
  Var z = variable(TensorType(DType::Float64, {-1, -1}), "z");
  Var a = variable(TensorType(DType::Float64, {-1, -1}), "a");
  Var b = variable(TensorType(DType::Float64, {-1, -1}), "b");
  Var y = sub(mul(z, scalar_like(2, z)), mul(scalar_like(0.5, z), dot(a, b)));
  FunctionOptions o;
  o.rewrite.verify = true;
  Function f({z, a, b}, {y}, o);
  FunctionOptions plain;
  plain.rewrite.level = RewriteOptions::Level::None;
  Function g({z, a, b}, {y}, plain);
  auto names = op_names(f);
  EXPECT_NE(std::find(names.begin(), names.end(), "Gemm{inplace}"), names.end()) << names.size();
  EXPECT_EQ(std::find(names.begin(), names.end(), "Dot"), names.end());
  std::vector<double> zv(6), av(12), bv(8);
  for (size_t i = 0; i < zv.size(); ++i) zv[i] = std::sin(1.0 + i);
  for (size_t i = 0; i < av.size(); ++i) av[i] = std::cos(0.3 * i);
  for (size_t i = 0; i < bv.size(); ++i) bv[i] = 0.1 * i - 0.4;
  NDArray Z = NDArray::from_vector(zv, {3, 2}), A = NDArray::from_vector(av, {3, 4}),
          B = NDArray::from_vector(bv, {4, 2});
  auto r = f({Z, A, B})[0], s = g({Z, A, B})[0];
  for (int i = 0; i < 6; ++i) EXPECT_NEAR(r.get_double(i), s.get_double(i), 1e-13);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(Z.get_double(i), zv[i]);  // the caller's z is untouched
}

TEST(Rewrite, MutableInputIsReusedOnlyWhenAllowed) {
  Var x = variable(TensorType(DType::Float64, {-1}), "x");
  Var y = mul(exp(x), scalar_like(2, x));
  FunctionOptions o;
  o.mutable_inputs = {true};
  Function f({x}, {y}, o);
  Function g({x}, {y});
  auto fn = op_names(f), gn = op_names(g);
  ASSERT_EQ(fn.size(), 1u);
  EXPECT_NE(fn[0].find("[(0, 0)]"), std::string::npos) << fn[0];
  EXPECT_EQ(gn[0].find("[(0"), std::string::npos) << gn[0];
  NDArray a = NDArray::from_vector(std::vector<double>{0.0, 1.0, 2.0}, {3});
  auto r = f({a})[0];
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(r.get_double(i), 2 * std::exp(double(i)), 1e-14);
}

TEST(Rewrite, LogOfSoftmaxIsLogSoftmaxAndStaysExact) {
  Var x = variable(TensorType(DType::Float64, {-1, -1}), "x");
  // exp(x) / sum(exp(x), 1, keepdims) written out: the simplifier makes it a
  // Softmax, then log(Softmax) becomes LogSoftmax.
  Var e = exp(x);
  Var y = log(true_div(e, sum(e, std::vector<int>{1}, true)));
  Function f({x}, {y});
  EXPECT_EQ(op_names(f), (std::vector<std::string>{"LogSoftmax{axis=1}"}));
  NDArray a = NDArray::empty(DType::Float64, {1, 3});
  a.ptr<double>()[0] = 1000, a.ptr<double>()[1] = 0, a.ptr<double>()[2] = -1000;
  auto r = f({a})[0];
  EXPECT_EQ(r.get_double(0), 0.0);
  EXPECT_EQ(r.get_double(1), -1000.0);
  EXPECT_EQ(r.get_double(2), -2000.0);
}

TEST(Rewrite, ReductionOfAFusedChainIsOneNode) {
  Var x = fmat("x");
  Var m = max(x, std::vector<int>{1}, true);
  Var y = sum(exp(sub(x, m)), std::vector<int>{1});
  Function f({x}, {y});
  auto names = op_names(f);
  ASSERT_EQ(names.size(), 3u);
  EXPECT_EQ(names[2], "Composite{sub,exp}->Sum{axis=[1]}");
  NDArray a = NDArray::empty(DType::Float32, {3, 2000});
  for (int i = 0; i < 6000; ++i) a.ptr<float>()[i] = static_cast<float>((i * 37) % 101) * 0.01f;
  auto r = f({a})[0];
  for (int row = 0; row < 3; ++row) {
    double mx = -1e300, s = 0;
    for (int j = 0; j < 2000; ++j) mx = std::max(mx, static_cast<double>(a.ptr<float>()[row * 2000 + j]));
    for (int j = 0; j < 2000; ++j) s += std::exp(static_cast<double>(a.ptr<float>()[row * 2000 + j]) - mx);
    EXPECT_NEAR(r.get_double(row), s, s * 1e-5);
  }
}
