// Reductions (ops/reduce.cpp) and shape/construction ops (ops/shape.cpp),
// evaluated node by node through the CPU kernels.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <unordered_map>

#include "eval_kernels.hpp"
#include "theon/theon.hpp"

using namespace theon;

namespace {

using namespace theon::testing;

// 0..n-1 (or f(i)) as an array of dtype d.
NDArray iota(DType d, const Shape& s, double scale = 1.0, double offset = 0.0) {
  NDArray a = NDArray::empty(DType::Float64, s);
  for (int64_t i = 0; i < a.size(); ++i) a.ptr<double>()[i] = offset + scale * static_cast<double>(i);
  return a.astype(d);
}

// Reference reduction over a C-contiguous double copy.
std::vector<double> ref_reduce(const NDArray& x, const std::vector<int>& axes, double init,
                               double (*op)(double, double)) {
  NDArray c = x.astype(DType::Float64);
  Shape os;
  for (int d = 0; d < c.ndim(); ++d)
    if (std::find(axes.begin(), axes.end(), d) == axes.end()) os.push_back(c.shape[d]);
  int64_t on = 1;
  for (auto s : os) on *= s;
  std::vector<double> out(on, init);
  std::vector<int64_t> idx(c.ndim(), 0);
  for (int64_t f = 0; f < c.size(); ++f) {
    int64_t rem = f;
    for (int d = c.ndim() - 1; d >= 0; --d) idx[d] = rem % c.shape[d], rem /= c.shape[d];
    int64_t o = 0;
    for (int d = 0; d < c.ndim(); ++d)
      if (std::find(axes.begin(), axes.end(), d) == axes.end()) o = o * c.shape[d] + idx[d];
    out[o] = op(out[o], c.ptr<double>()[f]);
  }
  return out;
}
double add_d(double a, double b) { return a + b; }
double mul_d(double a, double b) { return a * b; }
double max_d(double a, double b) { return std::max(a, b); }
double min_d(double a, double b) { return std::min(a, b); }

void expect_near(const std::vector<double>& got, const std::vector<double>& want, double tol = 1e-12) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], tol * (1 + std::abs(want[i]))) << "at " << i;
}

template <class E, class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected an exception";
  return "";
}

}  // namespace

// ---- reductions -------------------------------------------------------------------

TEST(Reduce, SumProdMaxMinMatchReferenceOverAxes) {
  const std::vector<std::vector<int>> axes_list = {{0}, {1}, {2}, {0, 2}, {1, 2}, {0, 1, 2}, {}};
  for (DType d : {DType::Float64, DType::Float32, DType::Int32, DType::Int8, DType::UInt8}) {
    Var x = tensor(d, {-1, -1, -1});
    NDArray v = iota(d, {2, 3, 4}, 1.0, 1.0);
    if (is_float(d)) v = iota(d, {2, 3, 4}, 0.37, -3.0);
    for (const auto& axes : axes_list) {
      auto outs = eval({sum(x, axes), prod(x, axes), max(x, axes), min(x, axes)}, {{x, v}});
      double tol = d == DType::Float32 ? 1e-5 : 1e-12;
      expect_near(values(outs[0]), ref_reduce(v, axes, 0, add_d), tol);
      if (d != DType::Int8 && d != DType::UInt8 && d != DType::Int32)  // products overflow the small ints' range
        expect_near(values(outs[1]), ref_reduce(v, axes, 1, mul_d), tol);
      expect_near(values(outs[2]), ref_reduce(v, axes, -INFINITY, max_d), tol);
      expect_near(values(outs[3]), ref_reduce(v, axes, INFINITY, min_d), tol);
      EXPECT_EQ(outs[0].dtype, sum_dtype(d));
      EXPECT_EQ(outs[1].dtype, sum_dtype(d));
      EXPECT_EQ(outs[2].dtype, d);
    }
  }
}

TEST(Reduce, NoneAndNegativeAxesAndNames) {
  Var x = tensor(DType::Float64, {-1, -1});
  NDArray v = NDArray::from_vector<double>({1, 2, 3, 4, 5, 6}, {2, 3});
  EXPECT_EQ(values(eval1(sum(x), {{x, v}})), std::vector<double>({21}));
  EXPECT_EQ(values(eval1(sum(x, std::vector<int>{-1}), {{x, v}})), std::vector<double>({6, 15}));
  EXPECT_EQ(values(eval1(max(x, std::vector<int>{-2}), {{x, v}})), std::vector<double>({4, 5, 6}));
  EXPECT_EQ(sum(x)->ndim(), 0);
  EXPECT_EQ(sum(x, std::vector<int>{1})->owner->op->name(), "Sum{axis=[1]}");
  EXPECT_EQ(normalize_axes(std::vector<int>{-1, 0}, 3, "sum"), (std::vector<int>{0, 2}));
  EXPECT_EQ(normalize_axes(std::nullopt, 2, "sum"), (std::vector<int>{0, 1}));
}

TEST(Reduce, IntegerSumsWidenAndDoNotOverflow) {
  Var b = tensor(DType::Int8, {-1});
  NDArray v = NDArray::from_vector<int8_t>(std::vector<int8_t>(100, 100), {100});
  NDArray s = eval1(sum(b), {{b, v}});
  EXPECT_EQ(s.dtype, DType::Int64);
  EXPECT_EQ(s.item_int(), 10000);
  Var u = tensor(DType::UInt8, {-1});
  EXPECT_EQ(sum(u)->dtype(), DType::UInt64);
  Var bo = tensor(DType::Bool, {-1});
  EXPECT_EQ(sum(bo)->dtype(), DType::Int64);
  NDArray bv = NDArray::from_vector<bool>({true, false, true, true}, {4});
  EXPECT_EQ(eval1(sum(bo), {{bo, bv}}).item_int(), 3);
  Var i16 = tensor(DType::Int16, {-1});
  NDArray pv = NDArray::from_vector<int16_t>({300, 300, 300}, {3});
  EXPECT_EQ(eval1(prod(i16), {{i16, pv}}).item_int(), 27000000);
  // Large int64 values stay exact (no detour through double).
  Var l = tensor(DType::Int64, {-1});
  const int64_t big = (int64_t(1) << 60) + 1;
  NDArray lv = NDArray::from_vector<int64_t>({big, 1, big - 5}, {3});
  EXPECT_EQ(eval1(max(l), {{l, lv}}).item_int(), big);
  EXPECT_EQ(eval1(sum(l), {{l, lv}}).get_int(0), 2 * big - 4);
}

TEST(Reduce, AllAny) {
  Var x = tensor(DType::Float64, {-1, -1});
  NDArray v = NDArray::from_vector<double>({1, 0, 2, 3, 4, NAN}, {2, 3});
  auto o = eval({all(x, std::vector<int>{1}), any(x, std::vector<int>{0}), all(x), any(x)}, {{x, v}});
  EXPECT_EQ(o[0].dtype, DType::Bool);
  EXPECT_EQ(values(o[0]), std::vector<double>({0, 1}));  // NaN is true, as in NumPy
  EXPECT_EQ(values(o[1]), std::vector<double>({1, 1, 1}));
  EXPECT_EQ(o[2].get_int(0), 0);
  EXPECT_EQ(o[3].get_int(0), 1);
  Var i = tensor(DType::Int32, {-1});
  EXPECT_EQ(eval1(all(i), {{i, NDArray::from_vector<int32_t>({1, -2, 3}, {3})}}).get_int(0), 1);
}

TEST(Reduce, EmptyAxes) {
  Var x = tensor(DType::Float64, {-1, -1});
  NDArray v = NDArray::zeros(DType::Float64, {3, 0});
  auto o = eval({sum(x, std::vector<int>{1}), prod(x, std::vector<int>{1}), all(x, std::vector<int>{1}),
                 any(x, std::vector<int>{1}), max(x, std::vector<int>{0})},
                {{x, v}});
  EXPECT_EQ(values(o[0]), std::vector<double>({0, 0, 0}));
  EXPECT_EQ(values(o[1]), std::vector<double>({1, 1, 1}));
  EXPECT_EQ(values(o[2]), std::vector<double>({1, 1, 1}));
  EXPECT_EQ(values(o[3]), std::vector<double>({0, 0, 0}));
  EXPECT_EQ(o[4].shape, Shape({0}));  // nothing to reduce into: no error
  std::string msg = error_of<ValueError>([&] { eval1(max(x, std::vector<int>{1}), {{x, v}}); });
  EXPECT_NE(msg.find("max of an empty axis"), std::string::npos) << msg;
  EXPECT_THROW(eval1(argmin(x, std::vector<int>{1}), {{x, v}}), ValueError);
  // sum over axis=() is the identity (a copy)
  NDArray w = iota(DType::Float64, {2, 3});
  NDArray id = eval1(sum(x, std::vector<int>{}), {{x, w}});
  EXPECT_EQ(values(id), values(w));
  EXPECT_FALSE(id.shares_memory_with(w));
}

TEST(Reduce, MaxMinPropagateNaN) {
  Var x = tensor(DType::Float64, {-1, -1});
  NDArray v = NDArray::from_vector<double>({1, NAN, 2, 3, 4, 5}, {2, 3});
  auto o = eval({max(x, std::vector<int>{1}), min(x, std::vector<int>{0}), max(x)}, {{x, v}});
  EXPECT_TRUE(std::isnan(o[0].get_double(0)));
  EXPECT_EQ(o[0].get_double(1), 5);
  EXPECT_EQ(o[1].get_double(0), 1);
  EXPECT_TRUE(std::isnan(o[1].get_double(1)));
  EXPECT_TRUE(std::isnan(o[2].get_double(0)));
}

TEST(Reduce, KeepdimsShapesAndStaticTypes) {
  Var x = tensor(DType::Float32, {2, -1, 4});
  Var k = sum(x, std::vector<int>{1}, true);
  EXPECT_EQ(k->type.shape, (std::vector<int64_t>{2, 1, 4}));
  EXPECT_EQ(sum(x, std::vector<int>{0})->type.shape, (std::vector<int64_t>{-1, 4}));
  EXPECT_EQ(max(x, std::nullopt, true)->type.shape, (std::vector<int64_t>{1, 1, 1}));
  NDArray v = iota(DType::Float32, {2, 3, 4});
  for (auto* f : {&sum, &prod, &max, &min, &all, &any, &mean, &var, &stddev, &argmax, &argmin}) {
    NDArray o = eval1((*f)(x, std::vector<int>{-1, 0}, true), {{x, v}});
    EXPECT_EQ(o.shape, Shape({1, 3, 1}));
  }
  Var r = tensor(DType::Float64, {1, -1});
  EXPECT_EQ(sum(r, std::vector<int>{0})->type.shape, (std::vector<int64_t>{-1}));
  EXPECT_EQ(sum(r, std::vector<int>{1}, true)->type.shape, (std::vector<int64_t>{1, 1}));
}

TEST(Reduce, StridedInputs) {
  Var x = tensor(DType::Float64, {-1, -1});
  NDArray base = iota(DType::Float64, {4, 6}, 1.5, -7);
  // Transposed view (6, 4) and a every-other-column view (4, 3).
  NDArray t = NDArray::wrap(base.data, base.dtype, {6, 4}, {base.strides[1], base.strides[0]}, base.base);
  NDArray s = NDArray::wrap(base.data + 8, base.dtype, {4, 3}, {base.strides[0], 16}, base.base);
  // Negative stride: rows reversed.
  NDArray n = NDArray::wrap(base.data + 3 * base.strides[0], base.dtype, {4, 6}, {-base.strides[0], 8}, base.base);
  for (const NDArray& v : {t, s, n}) {
    for (std::vector<int> axes : {std::vector<int>{0}, std::vector<int>{1}, std::vector<int>{0, 1}}) {
      auto o = eval({sum(x, axes), max(x, axes), argmax(x, axes), argmin(x, axes)}, {{x, v}});
      expect_near(values(o[0]), ref_reduce(v, axes, 0, add_d));
      expect_near(values(o[1]), ref_reduce(v, axes, -INFINITY, max_d));
      NDArray c = v.copy();
      auto o2 = eval({argmax(x, axes), argmin(x, axes)}, {{x, c}});
      EXPECT_EQ(values(o[2]), values(o2[0]));
      EXPECT_EQ(values(o[3]), values(o2[1]));
    }
  }
  // Float32 strided with conversion on load.
  Var f = tensor(DType::Float32, {-1, -1});
  NDArray tf = t.astype(DType::Float32);
  NDArray tv = NDArray::wrap(tf.data, tf.dtype, {4, 6}, {tf.strides[1], tf.strides[0]}, tf.base);
  expect_near(values(eval1(sum(f, std::vector<int>{0}), {{f, tv}})), ref_reduce(tv, {0}, 0, add_d), 1e-6);
}

TEST(Reduce, LongRowsUseTheBlockedKernels) {
  // Rows longer than the kernels' lanes and blocks (1024), odd lengths.
  for (DType d : {DType::Float64, DType::Float32, DType::Int64, DType::UInt16}) {
    Var x = tensor(d, {-1, -1});
    NDArray v = NDArray::empty(DType::Float64, {3, 2051});
    for (int64_t i = 0; i < v.size(); ++i) v.ptr<double>()[i] = static_cast<double>((i * 7919) % 1009);
    v = v.astype(d);
    for (std::vector<int> axes : {std::vector<int>{0}, std::vector<int>{1}, std::vector<int>{0, 1}}) {
      auto o = eval({sum(x, axes), max(x, axes), min(x, axes), argmax(x, axes), argmin(x, axes)}, {{x, v}});
      expect_near(values(o[0]), ref_reduce(v, axes, 0, add_d), 1e-7);
      expect_near(values(o[1]), ref_reduce(v, axes, -INFINITY, max_d));
      expect_near(values(o[2]), ref_reduce(v, axes, INFINITY, min_d));
      if (axes == std::vector<int>{1}) {
        for (int r = 0; r < 3; ++r) {
          int64_t am = 0, an = 0;
          for (int64_t j = 0; j < 2051; ++j) {
            if (v.get_double(r * 2051 + j) > v.get_double(r * 2051 + am)) am = j;
            if (v.get_double(r * 2051 + j) < v.get_double(r * 2051 + an)) an = j;
          }
          EXPECT_EQ(o[3].get_int(r), am);
          EXPECT_EQ(o[4].get_int(r), an);
        }
      }
    }
  }
  Var x = tensor(DType::Float64, {-1});
  NDArray v = iota(DType::Float64, {100});
  v.ptr<double>()[37] = NAN;
  v.ptr<double>()[60] = NAN;
  auto o = eval({max(x), min(x), argmax(x), argmin(x)}, {{x, v}});
  EXPECT_TRUE(std::isnan(o[0].item_double()));
  EXPECT_TRUE(std::isnan(o[1].item_double()));
  EXPECT_EQ(o[2].item_int(), 37);
  EXPECT_EQ(o[3].item_int(), 37);
}

TEST(Reduce, MeanVarStd) {
  Var i = tensor(DType::Int32, {-1});
  Var mi = mean(i);
  EXPECT_EQ(mi->dtype(), DType::Float64);
  EXPECT_DOUBLE_EQ(eval1(mi, {{i, NDArray::from_vector<int32_t>({1, 2}, {2})}}).item_double(), 1.5);
  Var f = tensor(DType::Float32, {-1, 3});
  EXPECT_EQ(mean(f)->dtype(), DType::Float32);
  EXPECT_EQ(var(f)->dtype(), DType::Float32);
  Var x = tensor(DType::Float64, {-1, -1});
  NDArray v = NDArray::from_vector<double>({1, 2, 3, 4, 6, 8}, {2, 3});
  auto o =
      eval({mean(x, std::vector<int>{1}), var(x, std::vector<int>{1}), stddev(x), mean(x, std::vector<int>{0}, true)},
           {{x, v}});
  expect_near(values(o[0]), {2, 6});
  expect_near(values(o[1]), {2.0 / 3, 8.0 / 3});
  double s2 = (9 + 4 + 1 + 0 + 4 + 16) / 6.0;  // mean 4
  expect_near(values(o[2]), {std::sqrt(s2)});
  EXPECT_EQ(o[3].shape, Shape({1, 3}));
  expect_near(values(o[3]), {2.5, 4, 5.5});
  NDArray fv = iota(DType::Float32, {2, 3});
  expect_near(values(eval1(mean(f, std::vector<int>{0}), {{f, fv}})), {1.5, 2.5, 3.5}, 1e-6);
}

TEST(Reduce, ArgmaxArgmin) {
  Var x = tensor(DType::Float64, {-1});
  NDArray v = NDArray::from_vector<double>({1, 3, 3, 0, 0}, {5});
  auto o = eval({argmax(x), argmin(x)}, {{x, v}});
  EXPECT_EQ(o[0].dtype, DType::Int64);
  EXPECT_EQ(o[0].item_int(), 1);
  EXPECT_EQ(o[1].item_int(), 3);
  NDArray nv = NDArray::from_vector<double>({1, NAN, 5, NAN}, {4});
  auto on = eval({argmax(x), argmin(x)}, {{x, nv}});
  EXPECT_EQ(on[0].item_int(), 1);
  EXPECT_EQ(on[1].item_int(), 1);
  // Several axes: index into the C-order flattening of the reduced axes.
  Var t = tensor(DType::Int16, {-1, -1, -1});
  NDArray tv = NDArray::from_vector<int16_t>({5, 1, 9, 2, 7, 7, 0, 3, 4, 8, 6, 8}, {2, 3, 2});
  EXPECT_EQ(values(eval1(argmax(t, std::vector<int>{0, 2}), {{t, tv}})), std::vector<double>({0, 0, 3}));
  EXPECT_EQ(values(eval1(argmax(t, std::vector<int>{2, 0}), {{t, tv}})), std::vector<double>({0, 0, 3}));
  EXPECT_EQ(values(eval1(argmin(t, std::vector<int>{1}), {{t, tv}})), std::vector<double>({0, 0, 0, 0}));
  EXPECT_EQ(values(eval1(argmin(t, std::vector<int>{0}), {{t, tv}})), std::vector<double>({1, 0, 1, 0, 1, 0}));
  EXPECT_EQ(values(eval1(argmax(t), {{t, tv}})), std::vector<double>({2}));
  NDArray k = eval1(argmax(t, std::vector<int>{1}, true), {{t, tv}});
  EXPECT_EQ(k.shape, Shape({2, 1, 2}));
  EXPECT_EQ(values(k), std::vector<double>({1, 2, 2, 1}));  // (1, 1): 3, 8, 8 -> first 8
  EXPECT_EQ(argmax(t, std::vector<int>{1})->owner->op->name(), "Argmax{axis=[1]}");
}

TEST(Reduce, BadAxesRaise) {
  Var x = tensor(DType::Float64, {-1, -1});
  std::string msg = error_of<IndexError>([&] { sum(x, std::vector<int>{2}); });
  EXPECT_NE(msg.find("sum"), std::string::npos);
  EXPECT_NE(msg.find("2"), std::string::npos);
  EXPECT_THROW(max(x, std::vector<int>{-3}), IndexError);
  msg = error_of<ValueError>([&] { max(x, std::vector<int>{0, 0}); });
  EXPECT_NE(msg.find("max"), std::string::npos);
  EXPECT_THROW(argmax(x, std::vector<int>{1, -1}), ValueError);
  EXPECT_THROW(max(tensor(DType::Complex128, {-1}), std::nullopt), TypeError);
}

TEST(Reduce, Gradients) {
  Var x = tensor(DType::Float64, {-1, -1});
  NDArray v = NDArray::from_vector<double>({1, 5, 2, 4, 3, 6}, {2, 3});
  Var w = constant(NDArray::from_vector<double>({1, 2, 3}, {3}));
  auto gs = grad(sum(mul(sum(x, std::vector<int>{0}), w)), std::vector<Var>{x});
  EXPECT_EQ(values(eval1(gs[0], {{x, v}})), std::vector<double>({1, 2, 3, 1, 2, 3}));
  Var gp = grad(sum(prod(x, std::vector<int>{1})), x);
  expect_near(values(eval1(gp, {{x, v}})), {10, 2, 5, 18, 24, 12});
  Var gm = grad(sum(max(x, std::vector<int>{1})), x);
  EXPECT_EQ(values(eval1(gm, {{x, v}})), std::vector<double>({0, 1, 0, 0, 0, 1}));
  Var gmin = grad(min(x), x);
  EXPECT_EQ(values(eval1(gmin, {{x, v}})), std::vector<double>({1, 0, 0, 0, 0, 0}));
  Var gmean = grad(mean(x), x);
  expect_near(values(eval1(gmean, {{x, v}})), std::vector<double>(6, 1.0 / 6));
  Var gk = grad(sum(mul(sum(x, std::vector<int>{1}, true), x)), x);
  expect_near(values(eval1(gk, {{x, v}})), {16, 16, 16, 26, 26, 26});  // 2 * row sums
  Var gv = grad(var(x), x);                                            // d var / dx = 2 (x - mean) / n
  std::vector<double> want;
  for (double e : values(v)) want.push_back(2 * (e - 3.5) / 6);
  expect_near(values(eval1(gv, {{x, v}})), want);
  Var f = tensor(DType::Float32, {-1});
  Var gf = grad(sum(f), f);
  EXPECT_EQ(gf->dtype(), DType::Float32);
}

// ---- shape ops ------------------------------------------------------------------------

TEST(Shape, DimShufflePatternsAndViews) {
  Var x = tensor(DType::Float64, {2, -1, 4});
  NDArray v = iota(DType::Float64, {2, 3, 4});
  Var t = dimshuffle(x, {2, 0, 1});
  EXPECT_EQ(t->owner->op->name(), "DimShuffle{2,0,1}");
  EXPECT_EQ(t->type.shape, (std::vector<int64_t>{4, 2, -1}));
  NDArray o = eval1(t, {{x, v}});
  EXPECT_EQ(o.shape, Shape({4, 2, 3}));
  EXPECT_EQ(o.data, v.data);
  EXPECT_TRUE(o.shares_memory_with(v));
  EXPECT_EQ(o.get_double(1 * 6 + 1 * 3 + 2), v.get_double(1 * 12 + 2 * 4 + 1));
  EXPECT_EQ(t->owner->op->view_of(0), 0);
  Var e = dimshuffle(x, {-1, 0, 1, 2});
  EXPECT_EQ(e->owner->op->name(), "DimShuffle{x,0,1,2}");
  EXPECT_EQ(e->type.shape, (std::vector<int64_t>{1, 2, -1, 4}));
  EXPECT_EQ(eval1(e, {{x, v}}).shape, Shape({1, 2, 3, 4}));
  // Dropping a broadcastable dim
  Var r = tensor(DType::Float64, {1, -1});
  NDArray rv = iota(DType::Float64, {1, 5});
  Var d = dimshuffle(r, {1});
  EXPECT_EQ(d->ndim(), 1);
  EXPECT_EQ(values(eval1(d, {{r, rv}})), values(rv));
  Var dx = dimshuffle(r, {1, -1});
  EXPECT_EQ(dx->type.shape, (std::vector<int64_t>{-1, 1}));
  EXPECT_EQ(eval1(dx, {{r, rv}}).shape, Shape({5, 1}));
}

TEST(Shape, DimShuffleErrors) {
  Var m = tensor(DType::Float64, {-1, -1});
  std::string msg = error_of<TypeError>([&] { dimshuffle(m, {1}); });
  EXPECT_NE(msg.find("DimShuffle{1}"), std::string::npos) << msg;
  EXPECT_NE(msg.find("broadcastable"), std::string::npos) << msg;
  EXPECT_THROW(dimshuffle(m, {0, 0}), ValueError);
  EXPECT_THROW(dimshuffle(m, {0, 2}), ValueError);
}

TEST(Shape, Transpose) {
  Var m = tensor(DType::Float64, {-1, 1});
  NDArray v = iota(DType::Float64, {3, 1});
  Var t = transpose(m);
  EXPECT_EQ(t->owner->op->name(), "DimShuffle{1,0}");
  EXPECT_EQ(t->type.shape, (std::vector<int64_t>{1, -1}));
  EXPECT_EQ(values(eval1(t, {{m, v}})), std::vector<double>({0, 1, 2}));
  Var x = tensor(DType::Float64, {-1, -1, -1});
  EXPECT_EQ(transpose(x, std::vector<int>{1, -1, 0})->owner->op->name(), "DimShuffle{1,2,0}");
  EXPECT_THROW(transpose(x, std::vector<int>{1, 0}), ValueError);
}

TEST(Shape, ReshapeValuesViewsAndErrors) {
  Var x = tensor(DType::Float64, {-1, -1});
  NDArray v = iota(DType::Float64, {4, 6});
  for (std::vector<int64_t> s : {std::vector<int64_t>{6, 4}, {24}, {2, 3, 4}, {-1, 4}, {4, -1, 2}, {1, 24}}) {
    Var r = reshape(x, s);
    EXPECT_EQ(r->ndim(), static_cast<int>(s.size()));
    NDArray o = eval1(r, {{x, v}});
    EXPECT_EQ(values(o), values(v));
    EXPECT_EQ(o.data, v.data);  // a view of a contiguous input
    if (std::find(s.begin(), s.end(), -1) == s.end()) {
      EXPECT_EQ(o.shape, Shape(s.begin(), s.end()));
    }
  }
  EXPECT_EQ(reshape(x, std::vector<int64_t>{1, -1})->type.shape, (std::vector<int64_t>{1, -1}));
  Var known = tensor(DType::Float64, {4, 6});
  EXPECT_EQ(reshape(known, std::vector<int64_t>{3, -1})->type.shape, (std::vector<int64_t>{3, 8}));
  // Non-contiguous input: copied.
  NDArray t = NDArray::wrap(v.data, v.dtype, {6, 4}, {v.strides[1], v.strides[0]}, v.base);
  NDArray o = eval1(reshape(x, std::vector<int64_t>{24}), {{x, t}});
  EXPECT_FALSE(o.shares_memory_with(v));
  EXPECT_EQ(values(o), values(t.copy()));
  // Symbolic shape through make_vector: static entries from its constants.
  Var n = tensor(DType::Int64, {}, "n");
  Var y = tensor(DType::Float64, {-1});
  Var r = reshape(y, make_vector({n, scalar_constant<int64_t>(-1)}), 2);
  Var r2 = reshape(y, make_vector({scalar_constant<int64_t>(3), n}), 2);
  EXPECT_EQ(r2->type.shape, (std::vector<int64_t>{3, -1}));
  NDArray yv = iota(DType::Float64, {12});
  EXPECT_EQ(eval1(r, {{y, yv}, {n, NDArray::scalar<int64_t>(3)}}).shape, Shape({3, 4}));
  // reshape to another tensor's shape
  Var m = tensor(DType::Float64, {-1, -1}, "m");
  EXPECT_EQ(eval1(reshape(y, shape(m), 2), {{y, yv}, {m, NDArray::zeros(DType::Float64, {2, 6})}}).shape,
            Shape({2, 6}));
  // Run-time size mismatch names the shapes.
  std::string msg = error_of<ValueError>([&] { eval1(reshape(y, std::vector<int64_t>{5, -1}), {{y, yv}}); });
  EXPECT_NE(msg.find("cannot reshape array of shape (12,)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(5, ?)"), std::string::npos) << msg;
  msg = error_of<ValueError>([&] { eval1(reshape(y, std::vector<int64_t>{5, 2}), {{y, yv}}); });
  EXPECT_NE(msg.find("(5, 2)"), std::string::npos) << msg;
  EXPECT_THROW(eval1(r, {{y, yv}, {n, NDArray::scalar<int64_t>(-3)}}), ValueError);
  EXPECT_THROW(reshape(y, std::vector<int64_t>{-1, -1}), ValueError);
  // 0-d
  NDArray s = eval1(reshape(y, std::vector<int64_t>{}), {{y, NDArray::from_vector<double>({7}, {1})}});
  EXPECT_EQ(s.ndim(), 0);
  EXPECT_EQ(s.item_double(), 7);
}

TEST(Shape, Flatten) {
  Var x = tensor(DType::Float64, {-1, 3, -1});
  NDArray v = iota(DType::Float64, {2, 3, 4});
  EXPECT_EQ(eval1(flatten(x), {{x, v}}).shape, Shape({24}));
  EXPECT_EQ(eval1(flatten(x, 2), {{x, v}}).shape, Shape({2, 12}));
  EXPECT_EQ(eval1(flatten(x, 3), {{x, v}}).shape, Shape({2, 3, 4}));
  EXPECT_EQ(values(eval1(flatten(x, 2), {{x, v}})), values(v));
  Var k = tensor(DType::Float64, {2, 3, 4});
  EXPECT_EQ(flatten(k, 2)->type.shape, (std::vector<int64_t>{2, 12}));
  EXPECT_EQ(flatten(x, 3)->type.shape, (std::vector<int64_t>{-1, 3, -1}));
  EXPECT_THROW(flatten(x, 0), ValueError);
  EXPECT_THROW(flatten(x, 4), ValueError);
}

TEST(Shape, ShapeShapeIMakeVector) {
  Var x = tensor(DType::Float32, {-1, -1, 5});
  NDArray v = NDArray::zeros(DType::Float32, {2, 3, 5});
  Var s = shape(x);
  EXPECT_EQ(s->type, TensorType(DType::Int64, {3}));
  EXPECT_EQ(values(eval1(s, {{x, v}})), std::vector<double>({2, 3, 5}));
  Var s1 = shape_i(x, -2);
  EXPECT_EQ(s1->owner->op->name(), "Shape_i{1}");
  EXPECT_EQ(s1->ndim(), 0);
  EXPECT_EQ(eval1(s1, {{x, v}}).item_int(), 3);
  EXPECT_THROW(shape_i(x, 3), IndexError);
  EXPECT_FALSE(s->owner->op->connected(0));
  Var f = tensor(DType::Float64, {}, "f");
  Var mv = make_vector({f, scalar_constant<int32_t>(4), s1}, DType::Float32);
  EXPECT_EQ(mv->type, TensorType(DType::Float32, {3}));
  EXPECT_EQ(values(eval1(mv, {{x, v}, {f, NDArray::scalar<double>(1.5)}})), std::vector<double>({1.5, 4, 3}));
  EXPECT_THROW(make_vector({x}), TypeError);
  EXPECT_EQ(eval1(make_vector({}), {}).shape, Shape({0}));
}

TEST(Shape, AllocZerosOnes) {
  Var v = tensor(DType::Float64, {-1}, "v");
  Var n = tensor(DType::Int64, {}, "n");
  Var a = alloc(v, {n, scalar_constant<int64_t>(3)});
  EXPECT_EQ(a->type.shape, (std::vector<int64_t>{-1, 3}));
  NDArray o = eval1(a, {{v, NDArray::from_vector<double>({1, 2, 3}, {3})}, {n, NDArray::scalar<int64_t>(2)}});
  EXPECT_EQ(o.shape, Shape({2, 3}));
  EXPECT_EQ(values(o), std::vector<double>({1, 2, 3, 1, 2, 3}));
  Var s = tensor(DType::Float64, {}, "s");
  Var as = alloc(s, {scalar_constant<int64_t>(2), scalar_constant<int32_t>(1)});
  EXPECT_EQ(as->type.shape, (std::vector<int64_t>{2, 1}));
  EXPECT_EQ(values(eval1(as, {{s, NDArray::scalar<double>(5)}})), std::vector<double>({5, 5}));
  // Broadcasting a size-1 dim of the value; errors
  Var c = tensor(DType::Float64, {-1, 1}, "c");
  NDArray ob = eval1(alloc(c, {scalar_constant<int64_t>(2), scalar_constant<int64_t>(3)}),
                     {{c, NDArray::from_vector<double>({7, 8}, {2, 1})}});
  EXPECT_EQ(values(ob), std::vector<double>({7, 7, 7, 8, 8, 8}));
  EXPECT_THROW(eval1(a, {{v, NDArray::from_vector<double>({1, 2}, {2})}, {n, NDArray::scalar<int64_t>(2)}}),
               ValueError);
  EXPECT_THROW(alloc(tensor(DType::Float64, {4}), {scalar_constant<int64_t>(3)}), ValueError);
  EXPECT_THROW(alloc(v, {}), TypeError);
  Var z = zeros({n, scalar_constant<int64_t>(3)}, DType::Float64);
  Var one = ones({scalar_constant<int64_t>(2), n}, DType::Int32);
  EXPECT_EQ(one->dtype(), DType::Int32);
  auto zo = eval({z, one}, {{n, NDArray::scalar<int64_t>(4)}});
  EXPECT_EQ(values(zo[0]), std::vector<double>(12, 0.0));
  EXPECT_EQ(zo[1].shape, Shape({2, 4}));
  EXPECT_EQ(values(zo[1]), std::vector<double>(8, 1.0));
}

TEST(Shape, ArangeAndEye) {
  auto c = [](int64_t v) { return scalar_constant<int64_t>(v); };
  struct Case {
    int64_t a, b, s;
    std::vector<double> want;
  };
  for (const Case& k : {Case{0, 5, 1, {0, 1, 2, 3, 4}}, Case{2, 7, 2, {2, 4, 6}}, Case{10, 1, -2, {10, 8, 6, 4, 2}},
                        Case{0, 0, 1, {}}, Case{3, 3, 1, {}}, Case{5, 0, 1, {}}, Case{1, 10, 3, {1, 4, 7}}}) {
    Var r = arange(c(k.a), c(k.b), c(k.s), DType::Int64);
    EXPECT_EQ(r->type.shape[0], static_cast<int64_t>(k.want.size()));
    EXPECT_EQ(values(eval1(r)), k.want);
  }
  Var st = tensor(DType::Float64, {}, "start");
  Var rf = arange(st, scalar_constant<double>(2.0), scalar_constant<double>(0.25), DType::Float64);
  EXPECT_EQ(rf->type.shape[0], -1);
  expect_near(values(eval1(rf, {{st, NDArray::scalar<double>(0.5)}})), {0.5, 0.75, 1, 1.25, 1.5, 1.75});
  EXPECT_EQ(values(eval1(arange(c(0), c(3), c(1), DType::Float32))), std::vector<double>({0, 1, 2}));
  EXPECT_THROW(arange(c(0), c(3), c(0), DType::Int64), ValueError);
  Var sv = tensor(DType::Int64, {}, "s");
  EXPECT_THROW(eval1(arange(c(0), c(3), sv, DType::Int64), {{sv, NDArray::scalar<int64_t>(0)}}), ValueError);

  NDArray e = eval1(eye(c(3), c(4), c(1), DType::Float64));
  EXPECT_EQ(e.shape, Shape({3, 4}));
  EXPECT_EQ(values(e), std::vector<double>({0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1}));
  EXPECT_EQ(values(eval1(eye(c(3), c(2), c(-1), DType::Int32))), std::vector<double>({0, 0, 1, 0, 0, 1}));
  EXPECT_EQ(values(eval1(eye(c(2), c(2), c(3), DType::Float64))), std::vector<double>(4, 0.0));
  Var n = tensor(DType::Int64, {}, "n");
  Var en = eye(n, n, c(0), DType::Float32);
  EXPECT_EQ(en->type.shape, (std::vector<int64_t>{-1, -1}));
  EXPECT_EQ(values(eval1(en, {{n, NDArray::scalar<int64_t>(2)}})), std::vector<double>({1, 0, 0, 1}));
}

TEST(Shape, JoinConcatenateStack) {
  Var a = tensor(DType::Float64, {-1, 3}, "a"), b = tensor(DType::Float64, {-1, -1}, "b");
  NDArray va = iota(DType::Float64, {2, 3}), vb = iota(DType::Float64, {1, 3}, 1, 100);
  Var j = join(0, {a, b});
  EXPECT_EQ(j->type.shape, (std::vector<int64_t>{-1, 3}));
  EXPECT_EQ(values(eval1(j, {{a, va}, {b, vb}})), std::vector<double>({0, 1, 2, 3, 4, 5, 100, 101, 102}));
  Var jc = concatenate({a, b}, -1);
  NDArray vb2 = iota(DType::Float64, {2, 1}, 1, 100);
  EXPECT_EQ(values(eval1(jc, {{a, va}, {b, vb2}})), std::vector<double>({0, 1, 2, 100, 3, 4, 5, 101}));
  // Run-time mismatch names all shapes.
  std::string msg = error_of<ValueError>([&] { eval1(j, {{a, va}, {b, iota(DType::Float64, {2, 4})}}); });
  EXPECT_NE(msg.find("(2, 3)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(2, 4)"), std::string::npos) << msg;
  // Build-time static mismatch
  EXPECT_THROW(join(0, {a, tensor(DType::Float64, {2, 4})}), ValueError);
  EXPECT_THROW(join(0, {a, tensor(DType::Float64, {-1})}), TypeError);
  EXPECT_THROW(join(2, {a, b}), IndexError);
  // Mixed dtypes upcast
  Var i = tensor(DType::Int32, {-1}, "i"), d = tensor(DType::Float64, {-1}, "d");
  Var m = concatenate({i, d});
  EXPECT_EQ(m->dtype(), DType::Float64);
  EXPECT_EQ(values(eval1(
                m, {{i, NDArray::from_vector<int32_t>({1, 2}, {2})}, {d, NDArray::from_vector<double>({0.5}, {1})}})),
            std::vector<double>({1, 2, 0.5}));
  // stack
  Var p = tensor(DType::Float64, {2, 3}, "p"), q = tensor(DType::Float64, {2, 3}, "q");
  NDArray vp = iota(DType::Float64, {2, 3}), vq = iota(DType::Float64, {2, 3}, 1, 10);
  NDArray s0 = eval1(stack({p, q}), {{p, vp}, {q, vq}});
  EXPECT_EQ(s0.shape, Shape({2, 2, 3}));
  EXPECT_EQ(values(s0), std::vector<double>({0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15}));
  EXPECT_EQ(stack({p, q}, 1)->type.shape, (std::vector<int64_t>{2, 2, 3}));
  NDArray s2 = eval1(stack({p, q}, -1), {{p, vp}, {q, vq}});
  EXPECT_EQ(s2.shape, Shape({2, 3, 2}));
  EXPECT_EQ(values(s2), std::vector<double>({0, 10, 1, 11, 2, 12, 3, 13, 4, 14, 5, 15}));
  Var x = tensor(DType::Float64, {}, "x"), y = tensor(DType::Float64, {}, "y");
  NDArray ss = eval1(stack({x, y, mul(x, y)}), {{x, NDArray::scalar<double>(2)}, {y, NDArray::scalar<double>(3)}});
  EXPECT_EQ(values(ss), std::vector<double>({2, 3, 6}));
  EXPECT_THROW(stack({p, q}, 3), IndexError);
  EXPECT_THROW(join(0, {x, y}), ValueError);
}

TEST(Shape, Gradients) {
  Var x = tensor(DType::Float64, {-1, -1}, "x");
  NDArray v = iota(DType::Float64, {2, 3}, 1, 1);
  Var w = constant(iota(DType::Float64, {3, 2}, 1, 10));
  // dimshuffle
  Var g = grad(sum(mul(transpose(x), w)), x);
  EXPECT_EQ(values(eval1(g, {{x, v}})), std::vector<double>({10, 12, 14, 11, 13, 15}));
  Var ge = grad(sum(dimshuffle(x, {-1, 1, 0})), x);
  EXPECT_EQ(values(eval1(ge, {{x, v}})), std::vector<double>(6, 1.0));
  // reshape / flatten
  Var wf = constant(iota(DType::Float64, {6}, 1, 1));
  Var gr = grad(sum(mul(flatten(x), wf)), x);
  NDArray grv = eval1(gr, {{x, v}});
  EXPECT_EQ(grv.shape, Shape({2, 3}));
  EXPECT_EQ(values(grv), std::vector<double>({1, 2, 3, 4, 5, 6}));
  // join
  Var y = tensor(DType::Float64, {-1, -1}, "y");
  Var wj = constant(iota(DType::Float64, {3, 3}, 1, 0));
  auto gj = grad(sum(mul(join(0, {x, y}), wj)), {x, y});
  auto gjv = eval(gj, {{x, v}, {y, iota(DType::Float64, {1, 3})}});
  EXPECT_EQ(values(gjv[0]), std::vector<double>({0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(values(gjv[1]), std::vector<double>({6, 7, 8}));
  // stack
  auto gs = grad(sum(mul(stack({x, y}, 2), constant(iota(DType::Float64, {2, 3, 2})))), {x, y});
  auto gsv = eval(gs, {{x, v}, {y, iota(DType::Float64, {2, 3})}});
  EXPECT_EQ(values(gsv[0]), std::vector<double>({0, 2, 4, 6, 8, 10}));
  EXPECT_EQ(values(gsv[1]), std::vector<double>({1, 3, 5, 7, 9, 11}));
  // alloc: gradient sums over the broadcast axes
  Var r = tensor(DType::Float64, {-1}, "r");
  Var w23 = constant(iota(DType::Float64, {2, 3}, 1, 1));
  Var ga2 = grad(sum(mul(alloc(r, {scalar_constant<int64_t>(2), scalar_constant<int64_t>(3)}), w23)), r);
  EXPECT_EQ(values(eval1(ga2, {{r, NDArray::from_vector<double>({1, 1, 1}, {3})}})), std::vector<double>({5, 7, 9}));
  // shape ops carry no gradient
  Var sx = shape(x);
  EXPECT_EQ(sx->owner->op->grad(*sx->owner, {nullptr})[0], nullptr);
}

TEST(Shape, MakeVectorGradient) {
  Var a = tensor(DType::Float64, {}, "a"), b = tensor(DType::Float64, {}, "b");
  Var w = constant(NDArray::from_vector<double>({3, 5}, {2}));
  auto gs = grad(sum(mul(make_vector({a, b}, DType::Float64), w)), {a, b});
  auto gv = eval(gs, {{a, NDArray::scalar<double>(1)}, {b, NDArray::scalar<double>(2)}});
  EXPECT_EQ(gv[0].item_double(), 3);
  EXPECT_EQ(gv[1].item_double(), 5);
}
