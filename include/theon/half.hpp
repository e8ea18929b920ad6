// IEEE 754 binary16, theon's float16 storage type. Arithmetic happens in
// float: a half converts to float implicitly (exactly), and any arithmetic
// value converts to half with one rounding to nearest-even (as NumPy's
// npy_double_to_half), so `h = a + b` on halves computes in float and rounds
// the result once, which is NumPy's and Theano's float16 semantics.
#pragma once
#include <bit>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace theon {

namespace half_bits {

// Rounds a double to the nearest binary16 (ties to even), overflow to
// infinity, NaN kept NaN with its sign.
constexpr uint16_t from_double(double v) {
  const uint64_t d = std::bit_cast<uint64_t>(v);
  const uint16_t sign = static_cast<uint16_t>((d >> 48) & 0x8000u);
  const int exp = static_cast<int>((d >> 52) & 0x7ff);
  uint64_t mant = d & 0xfffffffffffffull;
  if (exp == 0x7ff) return static_cast<uint16_t>(sign | (mant ? 0x7e00u : 0x7c00u));
  const int e = exp - 1023 + 15;  // the binary16 biased exponent
  if (e >= 31) return static_cast<uint16_t>(sign | 0x7c00u);
  if (e <= 0) {
    // Subnormal (or zero) in binary16: shift the full significand right.
    if (e < -10) return sign;  // below half the smallest subnormal: rounds to zero
    mant |= 1ull << 52;
    const int shift = 42 + 1 - e;  // 52 - 10 bits kept, plus the exponent deficit
    uint64_t h = mant >> shift;
    const uint64_t rem = mant & ((1ull << shift) - 1), halfway = 1ull << (shift - 1);
    if (rem > halfway || (rem == halfway && (h & 1))) ++h;
    return static_cast<uint16_t>(sign | h);
  }
  uint64_t h = (static_cast<uint64_t>(e) << 10) | (mant >> 42);
  const uint64_t rem = mant & ((1ull << 42) - 1), halfway = 1ull << 41;
  if (rem > halfway || (rem == halfway && (h & 1))) ++h;  // a carry into the exponent is right, up to infinity
  return static_cast<uint16_t>(sign | h);
}

constexpr float to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1f, mant = h & 0x3ffu;
  if (exp == 0x1f) return std::bit_cast<float>(sign | 0x7f800000u | (mant << 13));
  if (exp != 0) return std::bit_cast<float>(sign | ((exp + 112) << 23) | (mant << 13));
  if (mant == 0) return std::bit_cast<float>(sign);
  // Subnormal: mant * 2^-24, exact in float.
  const float m = static_cast<float>(mant) * (1.0f / 16777216.0f);
  return sign ? -m : m;
}

}  // namespace half_bits

struct half {
  uint16_t bits = 0;

  half() = default;
  template <class T, std::enable_if_t<std::is_arithmetic_v<T>, int> = 0>
  constexpr half(T v) : bits(half_bits::from_double(static_cast<double>(v))) {}  // NOLINT: NumPy converts implicitly
  static constexpr half from_bits(uint16_t b) {
    half h;
    h.bits = b;
    return h;
  }
  constexpr operator float() const { return half_bits::to_float(bits); }  // NOLINT
};
static_assert(sizeof(half) == 2 && std::is_trivially_copyable_v<half>);

// std::is_floating_point_v, with half: the test kernels written over storage types use.
template <class T>
inline constexpr bool is_floating_v = std::is_floating_point_v<T> || std::is_same_v<T, half>;

}  // namespace theon

template <>
class std::numeric_limits<theon::half> {
 public:
  static constexpr bool is_specialized = true;
  static constexpr bool is_signed = true;
  static constexpr bool is_integer = false;
  static constexpr bool is_exact = false;
  static constexpr bool has_infinity = true;
  static constexpr bool has_quiet_NaN = true;
  static constexpr int digits = 11;
  static constexpr theon::half min() { return theon::half::from_bits(0x0400); }
  static constexpr theon::half max() { return theon::half::from_bits(0x7bff); }
  static constexpr theon::half lowest() { return theon::half::from_bits(0xfbff); }
  static constexpr theon::half epsilon() { return theon::half::from_bits(0x1400); }
  static constexpr theon::half infinity() { return theon::half::from_bits(0x7c00); }
  static constexpr theon::half quiet_NaN() { return theon::half::from_bits(0x7e00); }
  static constexpr theon::half denorm_min() { return theon::half::from_bits(0x0001); }
};
