#include "theon/dtype.hpp"

#include <array>

#include "theon/error.hpp"

namespace theon {

namespace {
constexpr std::array<std::string_view, kNumDTypes> kNames = {
#define X(e, t, s) s,
    THEON_DTYPES(X)
#undef X
};
constexpr std::array<size_t, kNumDTypes> kSizes = {
#define X(e, t, s) sizeof(t),
    THEON_DTYPES(X)
#undef X
};

// Promotion by category and width, as NumPy does for arrays.
int bits(DType d) { return static_cast<int>(kSizes[static_cast<int>(d)]) * 8; }

DType signed_of_bits(int b) {
  return b <= 8 ? DType::Int8 : b <= 16 ? DType::Int16 : b <= 32 ? DType::Int32 : DType::Int64;
}
DType float_of_bits(int b) { return b <= 16 ? DType::Float16 : b <= 32 ? DType::Float32 : DType::Float64; }
}  // namespace

size_t itemsize(DType d) { return kSizes[static_cast<int>(d)]; }
std::string_view dtype_name(DType d) { return kNames[static_cast<int>(d)]; }

std::optional<DType> dtype_from_name(std::string_view name) {
  for (int i = 0; i < kNumDTypes; ++i)
    if (kNames[i] == name) return static_cast<DType>(i);
  if (name == "floatX") return std::nullopt;
  return std::nullopt;
}

DType dtype_from_name_or_throw(std::string_view name) {
  auto d = dtype_from_name(name);
  if (!d)
    throw TypeError(
        "unknown dtype '" + std::string(name) +
        "'; expected one of bool, int8..int64, uint8..uint64, float16, float32, float64, complex64, complex128");
  return *d;
}

DType upcast(DType a, DType b) {
  if (a == b) return a;
  if (is_bool(a)) return b;
  if (is_bool(b)) return a;
  if (is_complex(a) || is_complex(b)) {
    // Width needed by the real part of each side.
    auto need = [](DType d) {
      if (is_complex(d)) return bits(d) / 2;
      if (is_float(d)) return bits(d);
      return bits(d) <= 16 ? 32 : 64;
    };
    return std::max(need(a), need(b)) <= 32 ? DType::Complex64 : DType::Complex128;
  }
  if (is_float(a) || is_float(b)) {
    auto need = [](DType d) {
      if (is_float(d)) return bits(d);
      // NumPy: 8-bit ints fit float16, 16-bit ones float32, wider ones float64.
      return bits(d) <= 8 ? 16 : bits(d) <= 16 ? 32 : 64;
    };
    return float_of_bits(std::max(need(a), need(b)));
  }
  // Both integers.
  if (is_signed_int(a) == is_signed_int(b)) return bits(a) >= bits(b) ? a : b;
  DType s = is_signed_int(a) ? a : b, u = is_signed_int(a) ? b : a;
  if (bits(s) > bits(u)) return s;
  if (bits(u) >= 64) return DType::Float64;  // NumPy: int64 + uint64 -> float64
  return signed_of_bits(bits(u) * 2);
}

DType upgrade_to_float(DType d) {
  if (is_inexact(d)) return d;
  if (is_bool(d)) return DType::Float32;
  return bits(d) <= 16 ? DType::Float32 : DType::Float64;
}

DType real_dtype(DType d) {
  if (d == DType::Complex64) return DType::Float32;
  if (d == DType::Complex128) return DType::Float64;
  return d;
}

DType sum_dtype(DType d) {
  if (is_bool(d) || is_signed_int(d)) return DType::Int64;
  if (is_unsigned_int(d)) return DType::UInt64;
  return d;
}

bool can_cast_safely(DType from, DType to) { return upcast(from, to) == to; }

}  // namespace theon
