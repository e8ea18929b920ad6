// Core: dtypes, types, graph construction, FunctionGraph, function(), grad, errors.
#include <gtest/gtest.h>

#include <cmath>

#include "theon/test_values.hpp"
#include "theon/theon.hpp"

using namespace theon;

namespace {
Var fvec(const char* name = "v", DType d = DType::Float64) { return variable(TensorType(d, {-1}), name); }
Var fmat(const char* name = "m", DType d = DType::Float64) { return variable(TensorType(d, {-1, -1}), name); }
NDArray vec(std::vector<double> v) { return NDArray::from_vector(v, {static_cast<int64_t>(v.size())}); }
}  // namespace

TEST(DType, UpcastFollowsNumPy) {
  EXPECT_EQ(upcast(DType::Int8, DType::UInt8), DType::Int16);
  EXPECT_EQ(upcast(DType::Int64, DType::UInt64), DType::Float64);
  EXPECT_EQ(upcast(DType::Float32, DType::Int8), DType::Float32);
  EXPECT_EQ(upcast(DType::Float32, DType::Int32), DType::Float64);
  EXPECT_EQ(upcast(DType::Complex64, DType::Float64), DType::Complex128);
  EXPECT_EQ(upcast(DType::Bool, DType::Int8), DType::Int8);
  EXPECT_EQ(upgrade_to_float(DType::Int16), DType::Float32);
  EXPECT_EQ(upgrade_to_float(DType::Int32), DType::Float64);
  EXPECT_EQ(sum_dtype(DType::Int8), DType::Int64);
  EXPECT_EQ(dtype_from_name("complex64"), DType::Complex64);
  EXPECT_THROW(dtype_from_name_or_throw("float128"), TypeError);
}

TEST(Types, StrAndCheck) {
  TensorType m(DType::Float32, {-1, -1});
  EXPECT_EQ(m.str(), "TensorType(float32, matrix)");
  EXPECT_EQ(TensorType::from_broadcastable(DType::Float64, {true, false}).str(), "TensorType(float64, row)");
  EXPECT_NE(m.check_value(NDArray::zeros(DType::Float64, {2, 2})).find("expected dtype float32"), std::string::npos);
  EXPECT_NE(m.check_value(NDArray::zeros(DType::Float32, {2})).find("expected 2 dimensions"), std::string::npos);
  EXPECT_EQ(m.check_value(NDArray::zeros(DType::Float32, {2, 3})), "");
}

TEST(Graph, ApplyOwnershipAndSites) {
  SiteScope here;
  Var x = fvec("x");
  Var y = exp(x);
  ASSERT_NE(y->owner, nullptr);
  EXPECT_EQ(y->owner->inputs[0], x);
  EXPECT_EQ(y->owner->op->name(), "Elemwise{exp}");
  EXPECT_NE(y->site.file().find("test_core.cpp"), std::string::npos);
  // The output keeps its Apply alive through the aliasing pointer.
  Var z = sum(mul(y, y));
  Apply* node = y->owner;
  y.reset();
  EXPECT_EQ(node->inputs[0], x);
  EXPECT_EQ(toposort({z}).size(), 3u);
}

TEST(Graph, StaticShapeAndUpcastInference) {
  Var x = variable(TensorType(DType::Float32, {-1, 3}));
  Var r = variable(TensorType(DType::Float32, {1, 3}));
  EXPECT_EQ(add(x, r)->type.shape, (std::vector<int64_t>{-1, 3}));
  EXPECT_EQ(mul(x, scalar_constant<int8_t>(2))->dtype(), DType::Float32);
  EXPECT_EQ(mul(x, scalar_constant<double>(2))->dtype(), DType::Float64);
  EXPECT_EQ(exp(fvec("i", DType::Int16))->dtype(), DType::Float32);
  EXPECT_EQ(lt(x, x)->dtype(), DType::Bool);
  Var bad = variable(TensorType(DType::Float32, {-1, 4}));
  EXPECT_THROW(add(r, bad), ValueError);
  EXPECT_THROW(floor(variable(TensorType(DType::Complex64, {-1}))), TypeError);
}

TEST(FunctionGraph, CloneReplaceAndVerify) {
  Var x = fvec("x"), y = fvec("y");
  Var out = add(exp(x), y);
  auto cloned = clone_replace({out}, {{y, x}});
  FunctionGraph fg({x}, cloned);
  EXPECT_TRUE(fg.missing_inputs().empty());
  fg.verify();
  EXPECT_EQ(fg.nodes().size(), 2u);
  EXPECT_NE(cloned[0]->owner, out->owner);  // never shares nodes with the user graph
  Var z = fvec("z");
  FunctionGraph fg2({x, y}, {add(x, z)});
  ASSERT_EQ(fg2.missing_inputs().size(), 1u);
  EXPECT_EQ(fg2.missing_inputs()[0], z);
  // replace() redirects clients
  Var a = exp(x);
  FunctionGraph fg3({x}, {add(a, a)});
  fg3.replace(fg3.nodes()[0]->output(0), x);
  fg3.verify();
  EXPECT_EQ(fg3.nodes().size(), 1u);
}

TEST(Function, RunsAndBroadcasts) {
  Var x = fmat("x");
  Var r = variable(TensorType(DType::Float64, {1, -1}), "r");
  Function f({x, r}, {sub(x, r)});
  NDArray X = NDArray::from_vector<double>({1, 2, 3, 4, 5, 6}, {2, 3});
  NDArray R = NDArray::from_vector<double>({1, 1, 1}, {1, 3});
  NDArray out = f({X, R})[0];
  EXPECT_EQ(out.shape, (Shape{2, 3}));
  EXPECT_DOUBLE_EQ(out.get_double(5), 5.0);
  // Non-broadcastable size-1 dims do not broadcast (Theano's rule).
  Var y = fmat("y");
  Function g({x, y}, {add(x, y)});
  NDArray Y = NDArray::from_vector<double>({1, 1, 1}, {1, 3});
  try {
    g({X, Y});
    FAIL() << "expected a shape error";
  } catch (const ValueError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("Elemwise{add}"), std::string::npos);
    EXPECT_NE(msg.find("(2, 3), (1, 3)"), std::string::npos);
  }
}

TEST(Function, WrongArgumentsAreTypeErrors) {
  Var x = fvec("x");
  Function f({x}, {exp(x)});
  EXPECT_THROW(f({}), TypeError);
  EXPECT_THROW(f({NDArray::zeros(DType::Float32, {3})}), TypeError);
  EXPECT_THROW(f({NDArray::zeros(DType::Float64, {3, 1})}), TypeError);
  Var z = fvec("z");
  EXPECT_THROW(Function({x}, {add(x, z)}), MissingInputError);
  EXPECT_THROW(Function({x, z}, {exp(x)}), UnusedInputError);
}

TEST(Function, UpdatesAreAtomic) {
  auto w = shared(vec({1, 2, 3}), "w");
  Var x = fvec("x");
  FunctionOptions o;
  o.updates = {{w, add(w, x)}};
  Function f({x}, {sum(mul(w, x))}, o);
  double r = f({vec({1, 1, 1})})[0].item_double();
  EXPECT_DOUBLE_EQ(r, 6.0);
  EXPECT_DOUBLE_EQ(w->value.get_double(2), 4.0);
  // A failing call (shape mismatch) leaves the shared value unchanged.
  EXPECT_THROW(f({vec({1, 1})}), ValueError);
  EXPECT_DOUBLE_EQ(w->value.get_double(2), 4.0);
  // Update type mismatch is rejected at compile time.
  FunctionOptions bad;
  bad.updates = {{w, cast(x, DType::Float32)}};
  EXPECT_THROW(Function({x}, {x}, bad), TypeError);
}

TEST(Function, StepHookSeesEveryNodeAndAThrowChangesNoSharedVariable) {
  auto w = shared(vec({1, 2, 3}), "w");
  Var x = fvec("x");
  FunctionOptions o;
  o.updates = {{w, add(w, x)}};
  Function f({x}, {sum(mul(w, x))}, o);
  const size_t n = f.fgraph().nodes().size();
  std::vector<std::pair<size_t, bool>> events;  // (step, after)
  auto hook = std::make_shared<StepHook>();
  hook->fn = [&](const StepEvent& e) {
    EXPECT_EQ(e.inputs.size(), e.node->inputs.size());
    if (e.outputs) {
      EXPECT_EQ(e.outputs->size(), static_cast<size_t>(e.node->num_outputs()));
    }
    EXPECT_EQ(e.interpreted, nullptr);  // compare_native is off
    events.emplace_back(e.index, e.outputs != nullptr);
  };
  f.set_step_hook(hook);
  EXPECT_DOUBLE_EQ(f({vec({1, 1, 1})})[0].item_double(), 6.0);
  ASSERT_EQ(events.size(), 2 * n);
  for (size_t k = 0; k < n; ++k) {
    EXPECT_EQ(events[2 * k], std::make_pair(k, false));
    EXPECT_EQ(events[2 * k + 1], std::make_pair(k, true));
  }
  // A hook that throws after the last step: the update was computed, and must not land.
  auto failing = std::make_shared<StepHook>();
  failing->fn = [n](const StepEvent& e) {
    if (e.outputs && e.index + 1 == n) throw ValueError("stop");
  };
  f.set_step_hook(failing);
  EXPECT_THROW(f({vec({1, 1, 1})}), ValueError);
  EXPECT_DOUBLE_EQ(w->value.get_double(2), 4.0);
  f.set_step_hook(nullptr);
  f({vec({1, 1, 1})});
  EXPECT_DOUBLE_EQ(w->value.get_double(2), 5.0);
}

TEST(Graph, AVeryDeepGraphIsFreedWithoutRecursion) {
  // One stack frame per node would overflow the stack long before this depth.
  Var x = fvec("x");
  Var y = x;
  for (int i = 0; i < 300000; ++i) y = add(y, x);
  EXPECT_EQ(y->owner->inputs[1], x);
  y.reset();
  EXPECT_EQ(x.use_count(), 1);  // every node that read x is gone
}

TEST(Function, TestValues) {
  set_test_value_mode(TestValueMode::Raise);
  Var x = fvec("x");
  x->test_value = vec({1, 2, 3});
  Var y = mul(exp(x), x);
  ASSERT_TRUE(y->test_value.defined());
  EXPECT_NEAR(y->test_value.get_double(2), 3 * std::exp(3.0), 1e-9);
  Var z = fvec("z");
  z->test_value = vec({1, 2});
  EXPECT_THROW(add(x, z), ValueError);  // lengths 3 and 2: only the values show it
  Var none = fvec("none");
  EXPECT_THROW(neg(none), ValueError);  // no value for an input
  set_test_value_mode(TestValueMode::Ignore);
  EXPECT_FALSE(neg(none)->test_value.defined());
  {
    const TestValuesPaused paused;
    EXPECT_FALSE(neg(x)->test_value.defined());
  }
  set_test_value_mode(TestValueMode::Off);
  EXPECT_FALSE(neg(x)->test_value.defined());
}

TEST(Function, OutputsNeverAliasInputsOrShared) {
  Var x = fvec("x");
  Function f({x}, {x});
  NDArray a = vec({1, 2});
  NDArray out = f({a})[0];
  EXPECT_FALSE(out.shares_memory_with(a));
  auto s = shared(vec({5, 6}), "s");
  Function g({}, {s, s});
  auto outs = g({});
  EXPECT_FALSE(outs[0].shares_memory_with(s->value));
  EXPECT_FALSE(outs[0].shares_memory_with(outs[1]));
}

TEST(Grad, ElementwiseChainMatchesNumeric) {
  Var x = fvec("x");
  Var cost = sum(mul(tanh(x), exp(mul(x, scalar_constant<double>(0.5)))));
  Var g = grad(cost, x);
  Function f({x}, {cost}), fg({x}, {g});
  NDArray X = vec({0.1, -0.7, 1.3});
  NDArray G = fg({X})[0];
  for (int i = 0; i < 3; ++i) {
    const double eps = 1e-6;
    NDArray Xp = X.copy(), Xm = X.copy();
    Xp.ptr<double>()[i] += eps;
    Xm.ptr<double>()[i] -= eps;
    double num = (f({Xp})[0].item_double() - f({Xm})[0].item_double()) / (2 * eps);
    EXPECT_NEAR(G.get_double(i), num, 1e-6);
  }
}

TEST(Grad, ErrorsAndPolicies) {
  Var x = fvec("x"), y = fvec("y");
  EXPECT_THROW(grad(exp(x), x), TypeError);  // non-scalar cost
  EXPECT_THROW(grad(sum(x), y), DisconnectedInputError);
  GradOptions ignore;
  ignore.disconnected_inputs = DisconnectedPolicy::Ignore;
  Var gy = grad(sum(x), y, ignore);
  Function f({y}, {gy});
  EXPECT_DOUBLE_EQ(f({vec({1, 2})})[0].get_double(1), 0.0);
  // consider_constant stops the gradient.
  GradOptions cc;
  Var e = exp(x);
  cc.consider_constant = {e};
  Var g = grad(sum(mul(e, x)), x, cc);
  Function h({x}, {g});
  EXPECT_NEAR(h({vec({0.0})})[0].get_double(0), 1.0, 1e-12);
  // An op without a gradient names itself (when its missing gradient reaches a wrt).
  SiteScope here;
  try {
    grad(sum(tri_gamma(x)), x);
    FAIL() << "expected NullTypeGradError";
  } catch (const NullTypeGradError& ex) {
    std::string msg = ex.what();
    EXPECT_NE(msg.find("Elemwise{tri_gamma}"), std::string::npos);
    EXPECT_NE(msg.find("test_core.cpp"), std::string::npos);
  }
}

TEST(Dims, BehavesLikeAVectorInlineAndOnTheHeap) {
  Dims d{1, 2, 3};
  EXPECT_EQ(d.size(), 3u);
  d.insert(d.begin() + 1, 9);
  EXPECT_EQ(d, (std::vector<int64_t>{1, 9, 2, 3}));
  d.erase(d.begin());
  EXPECT_EQ(d, (Dims{9, 2, 3}));
  for (int i = 0; i < 20; ++i) d.push_back(i);  // grows past the inline storage
  EXPECT_EQ(d.size(), 23u);
  EXPECT_EQ(d.back(), 19);
  Dims copy = d, moved = std::move(copy);
  EXPECT_EQ(moved, d);
  EXPECT_TRUE(copy.empty());
  d.insert(d.begin(), d.begin(), d.begin() + 3);  // a range of itself
  EXPECT_EQ(d[0], 9);
  EXPECT_EQ(d[3], 9);
  Dims small{4, 5};
  Dims small_moved = std::move(small);  // inline storage is copied, not stolen
  EXPECT_EQ(small_moved, (Dims{4, 5}));
  std::vector<int64_t> back = small_moved;
  EXPECT_EQ(back.size(), 2u);
  small_moved.resize(8, 7);
  EXPECT_EQ(small_moved[7], 7);
  EXPECT_TRUE(Dims({1, 2}) < Dims({1, 3}));
  EXPECT_THROW(small_moved.at(8), std::out_of_range);
}
