// Indexing ops (ops/subtensor.cpp): basic slicing (views), integer-array
// indexing, set/inc_subtensor and their gradients, evaluated through the CPU kernels.
#include <gtest/gtest.h>

#include <unordered_map>

#include "eval_kernels.hpp"
#include "theon/theon.hpp"

using namespace theon;

namespace {

using namespace theon::testing;

NDArray iota(DType d, const Shape& s) {
  NDArray a = NDArray::empty(DType::Float64, s);
  for (int64_t i = 0; i < a.size(); ++i) a.ptr<double>()[i] = static_cast<double>(i);
  return a.astype(d);
}

Var I(int64_t v) { return scalar_constant<int64_t>(v); }
IndexEntry at(int64_t v) { return IndexEntry::integer(I(v)); }
IndexEntry sl(std::optional<int64_t> a, std::optional<int64_t> b, std::optional<int64_t> c = std::nullopt) {
  return IndexEntry::slice(a ? I(*a) : nullptr, b ? I(*b) : nullptr, c ? I(*c) : nullptr);
}
IndexEntry all() { return IndexEntry::slice(); }
IndexEntry arr(std::vector<int64_t> v) {
  return IndexEntry::array(constant(NDArray::from_vector<int64_t>(v, {static_cast<int64_t>(v.size())})));
}

// Values of a (4, 5) iota matrix at (row, col) pairs.
std::vector<double> cells(const std::vector<std::pair<int, int>>& rc, int cols = 5) {
  std::vector<double> v;
  for (auto [r, c] : rc) v.push_back(r * cols + c);
  return v;
}

using V = std::vector<double>;

TEST(Subtensor, BasicSlicesMatchPython) {
  Var x = tensor(DType::Float64, {4, 5});
  NDArray vx = iota(DType::Float64, {4, 5});
  auto run = [&](std::vector<IndexEntry> idx) {
    Var o = subtensor(x, idx);
    NDArray r = eval1(o, {{x, vx}});
    EXPECT_EQ(o->type.shape, r.shape);  // static shape is exact for constant indices
    return r;
  };
  EXPECT_EQ(values(run({sl(1, 3)})), V({5, 6, 7, 8, 9, 10, 11, 12, 13, 14}));
  NDArray rev = run({sl({}, {}, -1)});
  EXPECT_EQ(rev.shape, Shape({4, 5}));
  EXPECT_EQ(rev.get_double(0), 15);
  EXPECT_EQ(rev.get_double(19), 4);
  EXPECT_EQ(values(run({sl({}, {}, -2), at(0)})), V({15, 5}));
  EXPECT_EQ(values(run({sl(3, 0, -1), at(0)})), V({15, 10, 5}));
  EXPECT_EQ(values(run({sl(-2, {}), at(1)})), V({11, 16}));
  EXPECT_EQ(values(run({sl({}, -1), at(4)})), V({4, 9, 14}));
  EXPECT_EQ(values(run({sl(1, {}, 2), at(2)})), V({7, 17}));
  EXPECT_EQ(run({sl(10, 20)}).shape, Shape({0, 5}));
  EXPECT_EQ(run({sl(-100, 100)}).shape, Shape({4, 5}));
  EXPECT_EQ(values(run({at(-1)})), V({15, 16, 17, 18, 19}));
  EXPECT_EQ(values(run({at(-1), at(-1)})), V({19}));
  EXPECT_EQ(run({at(0), at(2)}).ndim(), 0);
  EXPECT_EQ(values(run({at(1), sl({}, {}, -1)})), V({9, 8, 7, 6, 5}));
  EXPECT_EQ(values(run({sl(1, 3), sl({}, {}, -2)})), V({9, 7, 5, 14, 12, 10}));
  EXPECT_EQ(values(run({all(), at(1)})), V({1, 6, 11, 16}));
  EXPECT_EQ(values(run({sl(3, -100, -2), sl(4, 0, -3)})), V({19, 16, 9, 6}));
}

TEST(Subtensor, SymbolicBoundsAndStaticShapes) {
  Var x = tensor(DType::Float64, {-1}, "x");
  Var a = tensor(DType::Int64, {}, "a"), b = tensor(DType::Int64, {}, "b"), s = tensor(DType::Int32, {}, "s");
  Var o = subtensor(x, {IndexEntry::slice(a, b, s)});
  EXPECT_EQ(o->type.shape, std::vector<int64_t>({-1}));
  NDArray v = iota(DType::Float64, {10});
  auto run = [&](int64_t va, int64_t vb, int32_t vs) {
    return values(eval1(o, {{x, v}, {a, NDArray::scalar(va)}, {b, NDArray::scalar(vb)}, {s, NDArray::scalar(vs)}}));
  };
  EXPECT_EQ(run(1, 8, 2), V({1, 3, 5, 7}));
  EXPECT_EQ(run(8, 1, -3), V({8, 5, 2}));
  EXPECT_EQ(run(-3, -9, -1), V({7, 6, 5, 4, 3, 2}));
  EXPECT_EQ(run(0, 100, 3), V({0, 3, 6, 9}));
  EXPECT_EQ(run(9, -11, -1), V({9, 8, 7, 6, 5, 4, 3, 2, 1, 0}));
  EXPECT_EQ(run(5, 2, 1), V({}));
  EXPECT_THROW(run(0, 5, 0), ValueError);
  Var i = tensor(DType::Int64, {}, "i");
  Var xi = subtensor(x, {IndexEntry::integer(i)});
  EXPECT_EQ(eval1(xi, {{x, v}, {i, NDArray::scalar<int64_t>(-2)}}).get_double(0), 8);

  // Static shapes: unknown with symbolic components; a full slice keeps the size.
  Var m = tensor(DType::Float32, {3, -1, 1});
  EXPECT_EQ(subtensor(m, {sl(0, 2)})->type.shape, std::vector<int64_t>({2, -1, 1}));
  EXPECT_EQ(subtensor(m, {IndexEntry::slice(a), all(), sl({}, {}, -1)})->type.shape, std::vector<int64_t>({-1, -1, 1}));
  EXPECT_EQ(subtensor(m, {sl(1, 2), sl(0, 3)})->type.shape, std::vector<int64_t>({1, -1, 1}));
  EXPECT_EQ(subtensor(m, {at(1)})->type.shape, std::vector<int64_t>({-1, 1}));
  EXPECT_EQ(subtensor(m, {at(1)})->dtype(), DType::Float32);
  EXPECT_THROW(subtensor(m, {sl(0, 2, 0)}), ValueError);
}

TEST(Subtensor, IsAViewSharingMemory) {
  Var x = tensor(DType::Float64, {4, 5});
  Var o = subtensor(x, {sl(1, 3), sl({}, {}, -1)});
  EXPECT_EQ(o->owner->op->name(), "Subtensor");
  EXPECT_EQ(o->owner->op->view_of(0), 0);
  EXPECT_FALSE(o->owner->op->connected(1));
  NDArray vx = iota(DType::Float64, {4, 5});
  NDArray r = eval1(o, {{x, vx}});
  EXPECT_TRUE(r.shares_memory_with(vx));
  EXPECT_EQ(r.data, vx.data + (5 + 4) * 8);
  EXPECT_EQ(r.strides, Strides({40, -8}));
  // A view of a non-contiguous view.
  Var t = dimshuffle(x, {1, 0});
  Var o2 = subtensor(t, {sl({}, {}, -2), at(-1)});
  EXPECT_EQ(values(eval1(o2, {{x, vx}})), V({19, 17, 15}));
}

TEST(Subtensor, OutOfRangeIntRaisesIndexError) {
  Var x = tensor(DType::Float64, {-1});
  Var i = tensor(DType::Int64, {}, "i");
  Var o = subtensor(x, {IndexEntry::integer(i)});
  NDArray v = iota(DType::Float64, {5});
  for (int64_t k : {5, -6, 100}) {
    try {
      eval1(o, {{x, v}, {i, NDArray::scalar(k)}});
      ADD_FAILURE() << "no IndexError for " << k;
    } catch (const IndexError& e) {
      std::string msg = e.what();
      EXPECT_NE(msg.find("Subtensor"), std::string::npos) << msg;
      EXPECT_NE(msg.find(std::to_string(k)), std::string::npos) << msg;
      EXPECT_NE(msg.find("axis 0"), std::string::npos) << msg;
      EXPECT_NE(msg.find("size 5"), std::string::npos) << msg;
    }
  }
  // Known statically: an error while building.
  EXPECT_THROW(subtensor(tensor(DType::Float64, {3}), {at(7)}), IndexError);
}

TEST(Subtensor, BadIndicesRaiseTypeErrors) {
  Var x = tensor(DType::Float64, {-1, -1});
  EXPECT_THROW(subtensor(x, {IndexEntry::integer(tensor(DType::Float64, {}, "f"))}), TypeError);
  EXPECT_THROW(subtensor(x, {IndexEntry::integer(tensor(DType::Int64, {-1}, "v"))}), TypeError);
  EXPECT_THROW(subtensor(x, {IndexEntry::slice(tensor(DType::Float32, {}, "f"))}), TypeError);
  EXPECT_THROW(subtensor(x, {IndexEntry::slice(nullptr, tensor(DType::Int64, {2}, "v"))}), TypeError);
  EXPECT_THROW(subtensor(x, {IndexEntry::array(tensor(DType::Float64, {-1}, "fv"))}), TypeError);
  EXPECT_THROW(subtensor(x, {IndexEntry::array(tensor(DType::Bool, {-1}, "mask"))}), TypeError);
  EXPECT_THROW(subtensor(x, {at(0), at(0), at(0)}), IndexError);
  EXPECT_THROW(subtensor(x, {IndexEntry::integer(nullptr)}), TypeError);
}

TEST(AdvancedSubtensor, ArangePairs) {
  Var x = tensor(DType::Float64, {-1, -1});
  Var y = tensor(DType::Int32, {-1}, "y");
  Var n = shape_i(y, 0);
  Var r = arange(I(0), n, I(1), DType::Int64);
  Var o = subtensor(x, {IndexEntry::array(r), IndexEntry::array(y)});
  EXPECT_EQ(o->owner->op->name(), "AdvancedSubtensor");
  EXPECT_EQ(o->owner->op->view_of(0), -1);
  EXPECT_EQ(o->ndim(), 1);
  NDArray vx = iota(DType::Float64, {5, 3});
  NDArray vy = NDArray::from_vector<int32_t>({0, 2, 1, 1, 0}, {5});
  NDArray got = eval1(o, {{x, vx}, {y, vy}});
  EXPECT_FALSE(got.shares_memory_with(vx));
  EXPECT_EQ(values(got), V({0, 5, 7, 10, 12}));
}

TEST(AdvancedSubtensor, VectorIndexOnAxis0And1) {
  Var x = tensor(DType::Float64, {4, 5});
  NDArray vx = iota(DType::Float64, {4, 5});
  Var i = tensor(DType::Int64, {-1}, "i");
  NDArray vi = NDArray::from_vector<int64_t>({3, 0, 0, -1, 2}, {5});
  Var o = subtensor(x, {IndexEntry::array(i)});
  EXPECT_EQ(o->type.shape, std::vector<int64_t>({-1, 5}));
  NDArray r = eval1(o, {{x, vx}, {i, vi}});
  EXPECT_EQ(r.shape, Shape({5, 5}));
  const int rows[] = {3, 0, 0, 3, 2};
  for (int k = 0; k < 5; ++k)
    for (int c = 0; c < 5; ++c) EXPECT_EQ(r.get_double(k * 5 + c), rows[k] * 5 + c);

  Var o2 = subtensor(x, {all(), arr({2, 0, 2})});
  EXPECT_EQ(o2->type.shape, std::vector<int64_t>({4, 3}));
  EXPECT_EQ(values(eval1(o2, {{x, vx}})),
            cells({{0, 2}, {0, 0}, {0, 2}, {1, 2}, {1, 0}, {1, 2}, {2, 2}, {2, 0}, {2, 2}, {3, 2}, {3, 0}, {3, 2}}));
  // Non-contiguous x.
  Var o3 = subtensor(dimshuffle(x, {1, 0}), {arr({4, -5})});
  EXPECT_EQ(values(eval1(o3, {{x, vx}})), V({4, 9, 14, 19, 0, 5, 10, 15}));
  // Int32 index matrix on a vector: output takes the index's shape.
  Var v = tensor(DType::Float64, {-1});
  Var m = tensor(DType::Int32, {-1, -1}, "m");
  Var o4 = subtensor(v, {IndexEntry::array(m)});
  EXPECT_EQ(o4->ndim(), 2);
  NDArray r4 = eval1(o4, {{v, iota(DType::Float64, {6})}, {m, NDArray::from_vector<int32_t>({0, 5, 2, 2}, {2, 2})}});
  EXPECT_EQ(r4.shape, Shape({2, 2}));
  EXPECT_EQ(values(r4), V({0, 5, 2, 2}));
}

TEST(AdvancedSubtensor, MixedSlicesIntsAndPlacement) {
  Var x = tensor(DType::Float64, {3, 4, 5});
  NDArray vx = iota(DType::Float64, {3, 4, 5});
  auto val = [](int a, int b, int c) { return double(a * 20 + b * 5 + c); };
  // x[1:, [3, 1], ::-1] -> (2, 2, 5), adjacent: index dims in place.
  Var o = subtensor(x, {sl(1, {}), arr({3, 1}), sl({}, {}, -1)});
  EXPECT_EQ(o->type.shape, std::vector<int64_t>({2, 2, 5}));
  NDArray r = eval1(o, {{x, vx}});
  ASSERT_EQ(r.shape, Shape({2, 2, 5}));
  const int js[] = {3, 1};
  for (int a = 0; a < 2; ++a)
    for (int b = 0; b < 2; ++b)
      for (int c = 0; c < 5; ++c) EXPECT_EQ(r.get_double((a * 2 + b) * 5 + c), val(a + 1, js[b], 4 - c));
  // x[1, :, [0, 1]]: the int is part of the (non-adjacent) advanced group -> (2, 4).
  Var o2 = subtensor(x, {at(1), all(), arr({0, 1})});
  EXPECT_EQ(o2->type.shape, std::vector<int64_t>({2, 4}));
  NDArray r2 = eval1(o2, {{x, vx}});
  for (int k = 0; k < 2; ++k)
    for (int b = 0; b < 4; ++b) EXPECT_EQ(r2.get_double(k * 4 + b), val(1, b, k));
  // x[:, 2, [0, 4, 1]]: adjacent -> (3, 3).
  Var o3 = subtensor(x, {all(), at(2), arr({0, 4, 1})});
  EXPECT_EQ(o3->type.shape, std::vector<int64_t>({3, 3}));
  NDArray r3 = eval1(o3, {{x, vx}});
  const int cs[] = {0, 4, 1};
  for (int a = 0; a < 3; ++a)
    for (int k = 0; k < 3; ++k) EXPECT_EQ(r3.get_double(a * 3 + k), val(a, 2, cs[k]));
  // Broadcasting index arrays: (2,1) with (3,) -> (2,3) on axes 0, 2.
  Var col = constant(NDArray::from_vector<int64_t>({0, 2}, {2, 1}));
  Var o4 = subtensor(x, {IndexEntry::array(col), all(), arr({1, 2, 3})});
  EXPECT_EQ(o4->type.shape, std::vector<int64_t>({2, 3, 4}));
  NDArray r4 = eval1(o4, {{x, vx}});
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int b = 0; b < 4; ++b) EXPECT_EQ(r4.get_double((i * 3 + j) * 4 + b), val(i * 2, b, j + 1));
  EXPECT_THROW(subtensor(x, {arr({0, 1}), arr({0, 1, 2})}), IndexError);
}

TEST(AdvancedSubtensor, OutOfRangeRaisesIndexError) {
  Var x = tensor(DType::Float64, {-1, -1});
  Var i = tensor(DType::Int64, {-1}, "i");
  NDArray vx = iota(DType::Float64, {3, 2});
  EXPECT_THROW(eval1(subtensor(x, {IndexEntry::array(i)}), {{x, vx}, {i, NDArray::from_vector<int64_t>({0, 3}, {2})}}),
               IndexError);
  try {
    eval1(subtensor(x, {all(), IndexEntry::array(i)}), {{x, vx}, {i, NDArray::from_vector<int64_t>({-3}, {1})}});
    ADD_FAILURE() << "no IndexError";
  } catch (const IndexError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("AdvancedSubtensor"), std::string::npos) << msg;
    EXPECT_NE(msg.find("-3"), std::string::npos) << msg;
    EXPECT_NE(msg.find("axis 1"), std::string::npos) << msg;
    EXPECT_NE(msg.find("size 2"), std::string::npos) << msg;
  }
}

TEST(IncSubtensor, SetAndIncSlices) {
  Var x = tensor(DType::Float64, {4, 5});
  Var y = tensor(DType::Float64, {2, 5}, "y");
  NDArray vx = iota(DType::Float64, {4, 5});
  NDArray vy = NDArray::zeros(DType::Float64, {2, 5});
  for (int k = 0; k < 10; ++k) vy.ptr<double>()[k] = 100 + k;
  Var o = set_subtensor(subtensor(x, {sl(1, 3)}), y);
  EXPECT_EQ(o->owner->op->name(), "IncSubtensor");
  EXPECT_EQ(o->type, x->type);
  NDArray r = eval1(o, {{x, vx}, {y, vy}});
  EXPECT_FALSE(r.shares_memory_with(vx));
  for (int k = 0; k < 20; ++k) EXPECT_EQ(r.get_double(k), k >= 5 && k < 15 ? 100 + k - 5 : k);
  EXPECT_EQ(values(vx), values(iota(DType::Float64, {4, 5})));  // input untouched

  // Broadcast scalar with a negative step; int64 constant into a float matrix.
  Var o2 = set_subtensor(subtensor(x, {sl({}, {}, -2), at(1)}), I(9));
  NDArray r2 = eval1(o2, {{x, vx}});
  for (int k = 0; k < 20; ++k) EXPECT_EQ(r2.get_double(k), (k == 16 || k == 6) ? 9 : k);

  // inc x[-1] += row vector.
  Var row = tensor(DType::Float64, {5}, "row");
  Var o3 = inc_subtensor(subtensor(x, {at(-1)}), row);
  NDArray r3 = eval1(o3, {{x, vx}, {row, iota(DType::Float64, {5})}});
  for (int k = 0; k < 20; ++k) EXPECT_EQ(r3.get_double(k), k >= 15 ? k + (k - 15) : k);

  // Vector y left-padded over a (2, 5) region.
  Var o4 = inc_subtensor(subtensor(x, {sl({}, 2)}), row);
  NDArray r4 = eval1(o4, {{x, vx}, {row, iota(DType::Float64, {5})}});
  for (int k = 0; k < 20; ++k) EXPECT_EQ(r4.get_double(k), k < 10 ? k + k % 5 : k);

  // int x, int y of another width.
  Var xi = tensor(DType::Int32, {-1});
  Var o5 = inc_subtensor(subtensor(xi, {sl(1, {})}), I(3));
  EXPECT_EQ(o5->dtype(), DType::Int32);
  EXPECT_EQ(values(eval1(o5, {{xi, iota(DType::Int32, {3})}})), V({0, 4, 5}));
}

TEST(IncSubtensor, AdvancedDuplicatesAccumulateAndSetLastWins) {
  Var x = tensor(DType::Float64, {-1});
  Var i = tensor(DType::Int64, {-1}, "i");
  Var y = tensor(DType::Float64, {-1}, "y");
  NDArray vx = NDArray::zeros(DType::Float64, {4});
  NDArray vi = NDArray::from_vector<int64_t>({1, 1, 3, 1}, {4});
  NDArray vy = NDArray::from_vector<double>({1, 2, 3, 4}, {4});
  Var inc = inc_subtensor(subtensor(x, {IndexEntry::array(i)}), y);
  EXPECT_EQ(inc->owner->op->name(), "AdvancedIncSubtensor");
  EXPECT_EQ(values(eval1(inc, {{x, vx}, {i, vi}, {y, vy}})), V({0, 7, 0, 3}));
  EXPECT_EQ(values(vx), V({0, 0, 0, 0}));
  Var set = set_subtensor(subtensor(x, {IndexEntry::array(i)}), y);
  EXPECT_EQ(values(eval1(set, {{x, vx}, {i, vi}, {y, vy}})), V({0, 4, 0, 3}));

  Var m = tensor(DType::Float64, {4, 3});
  NDArray vm = iota(DType::Float64, {4, 3});
  Var s0 = set_subtensor(subtensor(m, {arr({0, 2})}), constant_like(0, DType::Float64));
  EXPECT_EQ(values(eval1(s0, {{m, vm}})), V({0, 0, 0, 3, 4, 5, 0, 0, 0, 9, 10, 11}));
  Var s1 = inc_subtensor(subtensor(m, {all(), arr({2, 2})}), constant_like(1, DType::Float64));
  EXPECT_EQ(values(eval1(s1, {{m, vm}})), V({0, 1, 4, 3, 4, 7, 6, 7, 10, 9, 10, 13}));

  // x[arange(3), y] += 1
  Var z = tensor(DType::Float64, {3, 3});
  Var yy = tensor(DType::Int32, {-1}, "yy");
  Var pair =
      inc_subtensor(subtensor(z, {IndexEntry::array(arange(I(0), I(3), I(1), DType::Int64)), IndexEntry::array(yy)}),
                    constant_like(1, DType::Float64));
  EXPECT_EQ(values(eval1(pair, {{z, NDArray::zeros(DType::Float64, {3, 3})},
                                {yy, NDArray::from_vector<int32_t>({2, 0, 2}, {3})}})),
            V({0, 0, 1, 1, 0, 0, 0, 0, 1}));
}

TEST(IncSubtensor, BuildAndRunErrors) {
  Var x = tensor(DType::Float64, {-1, -1});
  Var sc = tensor(DType::Float64, {}, "s");
  try {
    set_subtensor(add(x, sc), sc);
    ADD_FAILURE() << "no TypeError";
  } catch (const TypeError& e) {
    EXPECT_NE(std::string(e.what()).find("must be the result of indexing"), std::string::npos);
  }
  Var row = subtensor(x, {at(0)});
  EXPECT_THROW(set_subtensor(row, tensor(DType::Float64, {-1, -1}, "big")), TypeError);
  Var xi = tensor(DType::Int64, {-1});
  EXPECT_THROW(inc_subtensor(subtensor(xi, {at(0)}), sc), TypeError);  // float into int
  EXPECT_THROW(
      set_subtensor(subtensor(tensor(DType::Float64, {4, 5}), {sl(0, 2)}), tensor(DType::Float64, {3, 5}, "y")),
      ValueError);
  // Run time: y's non-broadcastable dims must match the region.
  Var y = tensor(DType::Float64, {-1}, "y");
  Var o = set_subtensor(row, y);
  EXPECT_THROW(eval1(o, {{x, iota(DType::Float64, {2, 3})}, {y, iota(DType::Float64, {2})}}), ValueError);
  EXPECT_THROW(eval1(o, {{x, iota(DType::Float64, {2, 3})}, {y, iota(DType::Float64, {1})}}), ValueError);
  EXPECT_EQ(values(eval1(o, {{x, iota(DType::Float64, {2, 3})}, {y, iota(DType::Float64, {3})}})),
            V({0, 1, 2, 3, 4, 5}));
}

TEST(Subtensor, EqualsAndHashAreStructural) {
  Var x = tensor(DType::Float64, {-1, -1});
  auto op = [](const Var& v) { return v->owner->op; };
  Var a = subtensor(x, {sl(1, 3), at(0)});
  Var b = subtensor(x, {sl(0, 2), at(1)});
  Var c = subtensor(x, {sl(1, {}), at(0)});
  EXPECT_TRUE(op(a)->equals(*op(b)));
  EXPECT_EQ(op(a)->hash(), op(b)->hash());
  EXPECT_FALSE(op(a)->equals(*op(c)));
  Var s1 = set_subtensor(a, I(1)), s2 = set_subtensor(b, I(2)), i1 = inc_subtensor(a, I(1));
  EXPECT_TRUE(op(s1)->equals(*op(s2)));
  EXPECT_FALSE(op(s1)->equals(*op(i1)));
  EXPECT_FALSE(op(a)->equals(*op(s1)));
}

TEST(Subtensor, Gradients) {
  Var x = tensor(DType::Float64, {4, 3});
  NDArray vx = iota(DType::Float64, {4, 3});
  // d sum(x[1:3, ::-1] * 2) / dx
  Var g = grad(sum(mul(subtensor(x, {sl(1, 3), sl({}, {}, -1)}), constant_like(2, DType::Float64))), x);
  EXPECT_EQ(values(eval1(g, {{x, vx}})), V({0, 0, 0, 2, 2, 2, 2, 2, 2, 0, 0, 0}));
  // Duplicated array indices accumulate: d sum(x[[2, 0, 2, 2]]) / dx.
  Var g2 = grad(sum(subtensor(x, {arr({2, 0, 2, 2})})), x);
  EXPECT_EQ(values(eval1(g2, {{x, vx}})), V({1, 1, 1, 0, 0, 0, 3, 3, 3, 0, 0, 0}));
  // d sum(x[:, [1, 1, 0]]) / dx.
  Var g3 = grad(sum(subtensor(x, {all(), arr({1, 1, 0})})), x);
  EXPECT_EQ(values(eval1(g3, {{x, vx}})), V({1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0}));

  // set: the region gets no gradient wrt x; y gets the region's (summed over broadcast dims).
  Var y = tensor(DType::Float64, {3}, "y");
  Var w = constant(iota(DType::Float64, {4, 3}));
  Var set = set_subtensor(subtensor(x, {sl(1, 3)}), y);
  auto gs = grad(sum(mul(set, w)), {x, y});
  EXPECT_EQ(values(eval1(gs[0], {{x, vx}, {y, iota(DType::Float64, {3})}})), V({0, 1, 2, 0, 0, 0, 0, 0, 0, 9, 10, 11}));
  EXPECT_EQ(values(eval1(gs[1], {{x, vx}, {y, iota(DType::Float64, {3})}})), V({3 + 6, 4 + 7, 5 + 8}));
  // inc with duplicates: gx = gz, gy = gz[idx].
  Var z = tensor(DType::Float64, {3, 3}, "z");
  Var inc = inc_subtensor(subtensor(x, {arr({0, 2, 0})}), z);
  auto gi = grad(sum(mul(inc, w)), {x, z});
  EXPECT_EQ(values(eval1(gi[0], {{x, vx}, {z, iota(DType::Float64, {3, 3})}})), values(iota(DType::Float64, {4, 3})));
  EXPECT_EQ(values(eval1(gi[1], {{x, vx}, {z, iota(DType::Float64, {3, 3})}})), V({0, 1, 2, 6, 7, 8, 0, 1, 2}));
  // A scalar y broadcast over the region: the gradient sums it.
  Var s = tensor(DType::Float64, {}, "s");
  Var gsc = grad(sum(mul(inc_subtensor(subtensor(x, {all(), at(1)}), s), w)), s);
  EXPECT_EQ(gsc->ndim(), 0);
  EXPECT_EQ(eval1(gsc, {{x, vx}, {s, NDArray::scalar(1.0)}}).get_double(0), 1 + 4 + 7 + 10);
}

}  // namespace
