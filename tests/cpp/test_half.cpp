// float16 storage: the conversions every float16 value goes through, checked
// exhaustively, and the dtype rules around it.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "core/convert.hpp"
#include "theon/dtype.hpp"
#include "theon/ndarray.hpp"

using namespace theon;

namespace {
double as_double(uint16_t bits) { return static_cast<float>(half::from_bits(bits)); }
}  // namespace

TEST(Half, EveryValueRoundTripsThroughFloatAndDouble) {
  for (uint32_t b = 0; b < 65536; ++b) {
    const uint16_t bits = static_cast<uint16_t>(b);
    const double v = as_double(bits);
    const bool nan = ((bits >> 10) & 0x1f) == 0x1f && (bits & 0x3ff);
    if (nan) {
      EXPECT_TRUE(std::isnan(v)) << b;
      EXPECT_TRUE(std::isnan(static_cast<float>(half(v)))) << b;
      continue;
    }
    EXPECT_EQ(half(v).bits, bits) << b;
    EXPECT_EQ(half(static_cast<float>(v)).bits, bits) << b;
  }
}

TEST(Half, DecodesKnownValues) {
  EXPECT_EQ(as_double(0x3c00), 1.0);
  EXPECT_EQ(as_double(0xc000), -2.0);
  EXPECT_EQ(as_double(0x7bff), 65504.0);
  EXPECT_EQ(as_double(0x0001), std::ldexp(1.0, -24));  // smallest subnormal
  EXPECT_EQ(as_double(0x0400), std::ldexp(1.0, -14));  // smallest normal
  EXPECT_TRUE(std::isinf(as_double(0x7c00)) && as_double(0x7c00) > 0);
  EXPECT_TRUE(std::signbit(as_double(0x8000)));
}

// Rounding to nearest, ties to even, checked at every midpoint between two
// neighbouring float16 values and just either side of it.
TEST(Half, RoundsToNearestEvenAtEveryMidpoint) {
  for (uint32_t b = 0; b < 0x7bff; ++b) {
    const double lo = as_double(static_cast<uint16_t>(b)), hi = as_double(static_cast<uint16_t>(b + 1));
    const double mid = (lo + hi) / 2;  // exact in double
    const uint16_t even = (b & 1) ? static_cast<uint16_t>(b + 1) : static_cast<uint16_t>(b);
    EXPECT_EQ(half(mid).bits, even) << b;
    EXPECT_EQ(half(std::nextafter(mid, 0.0)).bits, b) << b;
    EXPECT_EQ(half(std::nextafter(mid, 1e9)).bits, b + 1) << b;
    EXPECT_EQ(half(-mid).bits, even | 0x8000) << b;
  }
  // Past the largest finite value's upper midpoint: infinity; just below it: 65504.
  EXPECT_EQ(half(65520.0).bits, 0x7c00);
  EXPECT_EQ(half(std::nextafter(65520.0, 0.0)).bits, 0x7bff);
  EXPECT_EQ(half(1e300).bits, 0x7c00);
  EXPECT_EQ(half(-1e300).bits, 0xfc00);
  // Below half the smallest subnormal: zero, keeping the sign.
  EXPECT_EQ(half(std::ldexp(1.0, -25)).bits, 0x0000);
  EXPECT_EQ(half(std::ldexp(1.0, -25) * 1.0000001).bits, 0x0001);
  EXPECT_EQ(half(-1e-30).bits, 0x8000);
}

#ifdef __FLT16_MAX__
// Against the compiler's own binary16 conversion, on random doubles of every magnitude.
TEST(Half, MatchesTheCompilersFloat16Conversion) {
  std::mt19937_64 gen(7);
  std::uniform_real_distribution<double> mant(-2, 2);
  std::uniform_int_distribution<int> ex(-30, 18);
  for (int i = 0; i < 200000; ++i) {
    const double v = std::ldexp(mant(gen), ex(gen));
    const _Float16 ref = static_cast<_Float16>(v);
    uint16_t rb;
    std::memcpy(&rb, &ref, 2);
    ASSERT_EQ(half(v).bits, rb) << v;
  }
}
#endif

TEST(Half, ConvertValueGivesNumpysIntegerResults) {
  EXPECT_EQ(convert_value<int32_t>(half(-3.75)), -3);
  EXPECT_EQ(convert_value<uint8_t>(half(200.5)), 200);
  EXPECT_EQ(convert_value<int64_t>(half::from_bits(0x7e00)), std::numeric_limits<int64_t>::min());  // NaN
  EXPECT_EQ(convert_value<half>(int64_t{1} << 40).bits, 0x7c00);                                    // overflow: inf
  EXPECT_EQ(convert_value<half>(std::complex<double>(2.5, 9)).bits, half(2.5).bits);
  EXPECT_TRUE(convert_value<bool>(half(0.001)));
  EXPECT_FALSE(convert_value<bool>(half(-0.0)));
}

TEST(Half, DTypeRulesAreNumpys) {
  EXPECT_EQ(itemsize(DType::Float16), 2u);
  EXPECT_EQ(dtype_name(DType::Float16), "float16");
  EXPECT_EQ(dtype_from_name("float16"), DType::Float16);
  EXPECT_TRUE(is_float(DType::Float16) && is_storage_only(DType::Float16) && !is_storage_only(DType::Float32));
  EXPECT_EQ(upcast(DType::Float16, DType::Int8), DType::Float16);
  EXPECT_EQ(upcast(DType::UInt8, DType::Float16), DType::Float16);
  EXPECT_EQ(upcast(DType::Float16, DType::Int16), DType::Float32);
  EXPECT_EQ(upcast(DType::Float16, DType::Int32), DType::Float64);
  EXPECT_EQ(upcast(DType::Float16, DType::Float32), DType::Float32);
  EXPECT_EQ(upcast(DType::Float16, DType::Complex64), DType::Complex64);
  EXPECT_EQ(upcast(DType::Bool, DType::Float16), DType::Float16);
  EXPECT_EQ(upgrade_to_float(DType::Int8), DType::Float32);  // Theano's rule, not NumPy's
  EXPECT_EQ(upgrade_to_float(DType::Float16), DType::Float16);
  EXPECT_EQ(sum_dtype(DType::Float16), DType::Float16);
}

TEST(Half, ArraysConvertThroughFloat16) {
  NDArray a = NDArray::empty(DType::Float64, {3});
  a.ptr<double>()[0] = 0.1;
  a.ptr<double>()[1] = 1e6;
  a.ptr<double>()[2] = -2.5;
  NDArray h = a.astype(DType::Float16);
  ASSERT_EQ(h.dtype, DType::Float16);
  EXPECT_EQ(h.nbytes(), 6u);
  EXPECT_EQ(h.get_double(0), static_cast<double>(static_cast<float>(half(0.1))));
  EXPECT_TRUE(std::isinf(h.get_double(1)));
  EXPECT_EQ(h.astype(DType::Int32).ptr<int32_t>()[2], -2);
}
