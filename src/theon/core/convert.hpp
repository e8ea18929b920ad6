// Value conversion between element types with NumPy's results where C++
// leaves them undefined (NaN or out-of-range float to int).
#pragma once
#include <complex>
#include <limits>
#include <type_traits>

namespace theon {

// float16 storage (theon/half.hpp); declared only, so that native modules,
// which include this header alone, compile without it.
struct half;

template <class T>
inline constexpr bool is_complex_v = std::is_same_v<T, std::complex<float>> || std::is_same_v<T, std::complex<double>>;

template <class To, class From>
To convert_value(From v) {
  if constexpr (std::is_same_v<From, half>) {
    return convert_value<To>(static_cast<float>(v));  // exact; NaN and range handled as float's
  } else if constexpr (std::is_same_v<To, half>) {
    if constexpr (is_complex_v<From>)
      return To(v.real());
    else
      return To(v);  // one rounding from the source value (ints and doubles included)
  } else if constexpr (std::is_same_v<To, bool>) {
    return v != From(0);
  } else if constexpr (is_complex_v<From>) {
    if constexpr (is_complex_v<To>)
      return To(v.real(), v.imag());
    else
      return convert_value<To>(v.real());
  } else if constexpr (std::is_integral_v<To> && std::is_floating_point_v<From>) {
    // Out-of-range float -> int is undefined in C++; give NumPy's usual result.
    if (!(v == v)) return std::numeric_limits<To>::min();
    if (v >= static_cast<From>(std::numeric_limits<To>::max())) return std::numeric_limits<To>::max();
    if (v <= static_cast<From>(std::numeric_limits<To>::min())) return std::numeric_limits<To>::min();
    return static_cast<To>(v);
  } else {
    return static_cast<To>(v);
  }
}

}  // namespace theon
