// Bad input from C++: sizes that overflow int64 or the address space are
// errors (never a wrap-around, a crash or a silently empty result), empty
// arrays are contiguous, added context keeps an error's class, and functions
// may share any part of a user graph.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "theon/theon.hpp"

using namespace theon;

namespace {
Var lscalar(const char* name) { return variable(TensorType(DType::Int64, {}), name); }
NDArray int_value(int64_t v) { return NDArray::scalar<int64_t>(v); }
constexpr int64_t kBig = (int64_t(1) << 61) + 1;  // * 8 bytes wraps to 8 in int64

template <class E>
std::string message_of(auto&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  return "<no error>";
}
}  // namespace

TEST(Sizes, ElementCountChecksOverflowAndBytes) {
  EXPECT_EQ(element_count_or_minus1({3, 4}, 8), 12);
  EXPECT_EQ(element_count_or_minus1({}, 8), 1);
  EXPECT_EQ(element_count_or_minus1({0, 5}, 8), 0);
  // As NumPy, an empty array whose other dims would overflow is too big (its strides would).
  EXPECT_EQ(element_count_or_minus1({0, int64_t(1) << 62}, 8), -1);
  EXPECT_EQ(element_count_or_minus1({-1, 5}, 8), 5);  // unknown static dims are skipped
  EXPECT_EQ(element_count_or_minus1({kBig, 8}, 8), -1);
  EXPECT_EQ(element_count_or_minus1({int64_t(1) << 32, int64_t(1) << 32}, 1), -1);
  EXPECT_EQ(element_count_or_minus1({int64_t(1) << 60}, 8), -1);  // 2**63 bytes
  EXPECT_EQ(element_count_or_minus1({(int64_t(1) << 60) - 1}, 8), (int64_t(1) << 60) - 1);
  EXPECT_NE(message_of<ValueError>([] {
              NDArray::empty(DType::Float64, {kBig, 8});
            }).find("array is too big"),
            std::string::npos);
  EXPECT_NE(message_of<ValueError>([] {
              NDArray::empty(DType::Float64, {3, -2});
            }).find("negative"),
            std::string::npos);
  // Within int64 but not allocatable: a MemoryError, not a crash.
  EXPECT_THROW(NDArray::empty(DType::Float64, {int64_t(1) << 58}), MemoryError);
}

TEST(Sizes, EmptyArraysAreContiguous) {
  NDArray a = NDArray::empty(DType::Float64, {7, 0});
  EXPECT_TRUE(a.is_c_contiguous());
  a.strides = {0, 123};
  EXPECT_TRUE(a.is_c_contiguous());
}

TEST(Sizes, RunTimeSizesAreChecked) {
  Var n = lscalar("n");
  Function f_alloc({n}, {alloc(scalar_constant<double>(1.0), {n, scalar_constant<int64_t>(8)})});
  EXPECT_THROW(f_alloc({int_value(kBig)}), ValueError);
  EXPECT_THROW(f_alloc({int_value(-1)}), ValueError);
  EXPECT_EQ(f_alloc({int_value(3)})[0].size(), 24);

  Function f_arange({n}, {arange(scalar_constant<int64_t>(0), n, scalar_constant<int64_t>(1), DType::Int64)});
  EXPECT_THROW(f_arange({int_value(int64_t(1) << 61)}), ValueError);

  Var a = lscalar("a"), b = lscalar("b");
  Function f_span({a, b}, {arange(a, b, scalar_constant<int64_t>(1), DType::Int64)});
  EXPECT_NE(message_of<ValueError>([&] {
              f_span({int_value(INT64_MIN), int_value(INT64_MAX)});
            }).find("maximum allowed size exceeded"),
            std::string::npos);
  NDArray tail = f_span({int_value(INT64_MAX - 3), int_value(INT64_MAX)})[0];
  ASSERT_EQ(tail.size(), 3);
  EXPECT_EQ(tail.get_int(2), INT64_MAX - 1);

  Function f_eye({n}, {eye(n, n, scalar_constant<int64_t>(0), DType::Float64)});
  EXPECT_THROW(f_eye({int_value(int64_t(1) << 32)}), ValueError);

  Var x = variable(TensorType(DType::Float64, {-1}), "x");
  Var s = variable(TensorType(DType::Int64, {2}), "s");
  Function f_reshape({x, s}, {reshape(x, s, 2)});
  EXPECT_THROW(f_reshape({NDArray::zeros(DType::Float64, {8}), NDArray::from_vector<int64_t>({kBig, 8}, {2})}),
               ValueError);
  EXPECT_THROW(f_reshape({NDArray::zeros(DType::Float64, {8}), NDArray::from_vector<int64_t>({kBig, -1}, {2})}),
               ValueError);
}

TEST(Sizes, StaticTypesTooBigAreBuildTimeErrors) {
  EXPECT_THROW(
      zeros({scalar_constant<int64_t>(int64_t(1) << 32), scalar_constant<int64_t>(int64_t(1) << 32)}, DType::Float64),
      ValueError);
  EXPECT_THROW(arange(scalar_constant<int64_t>(INT64_MIN), scalar_constant<int64_t>(INT64_MAX),
                      scalar_constant<int64_t>(1), DType::Int64),
               ValueError);
  EXPECT_THROW(variable(TensorType(DType::Float64, {kBig, 8}), "x"), ValueError);
  Var x = variable(TensorType(DType::Float64, {-1}), "x");
  EXPECT_THROW(reshape(x, std::vector<int64_t>{kBig, 8}), ValueError);
}

TEST(Errors, ContextKeepsTheErrorClass) {
  auto again = [](const UserError& e) { rethrow_with_message(e, std::string(e.what()) + " (more)"); };
  EXPECT_THROW(again(IndexError("i")), IndexError);
  EXPECT_THROW(again(MemoryError("m")), MemoryError);
  EXPECT_THROW(again(MissingInputError("m")), MissingInputError);
  EXPECT_THROW(again(NullTypeGradError("n")), NullTypeGradError);
  EXPECT_THROW(again(AssertionError("a")), AssertionError);
  try {
    again(OSError(2, "o"));
  } catch (const OSError& e) {
    EXPECT_EQ(e.error_number, 2);
    EXPECT_EQ(std::string(e.what()), "o (more)");
  }
}

TEST(Graphs, FunctionsShareGivensSubexpressions) {
  Var i = lscalar("i");
  Var x = variable(TensorType(DType::Float64, {-1}), "x");
  Var data = variable(TensorType(DType::Float64, {-1}), "data");
  Var start = mul(i, scalar_constant<int64_t>(2));
  Var window = subtensor(data, {IndexEntry::slice(start, add(start, scalar_constant<int64_t>(2)), nullptr)});
  FunctionOptions o;
  o.givens = {{x, window}};
  Function f1({i, data}, {sum(x)}, o);
  Function f2({i, data}, {sum(x)}, o);  // used to fail: the window's nodes belonged to f1's graph
  NDArray d = NDArray::from_vector<double>({0, 1, 2, 3, 4, 5}, {6});
  EXPECT_EQ(f1({int_value(1), d})[0].item_double(), 5.0);
  EXPECT_EQ(f2({int_value(2), d})[0].item_double(), 9.0);
}
