// Element types and Theano's type-promotion rules.
#pragma once
#include <complex>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "theon/half.hpp"

namespace theon {

// The order matters only for tables indexed by DType.
#define THEON_DTYPES(X)                          \
  X(Bool, bool, "bool")                          \
  X(Int8, int8_t, "int8")                        \
  X(Int16, int16_t, "int16")                     \
  X(Int32, int32_t, "int32")                     \
  X(Int64, int64_t, "int64")                     \
  X(UInt8, uint8_t, "uint8")                     \
  X(UInt16, uint16_t, "uint16")                  \
  X(UInt32, uint32_t, "uint32")                  \
  X(UInt64, uint64_t, "uint64")                  \
  X(Float16, half, "float16")                    \
  X(Float32, float, "float32")                   \
  X(Float64, double, "float64")                  \
  X(Complex64, std::complex<float>, "complex64") \
  X(Complex128, std::complex<double>, "complex128")

enum class DType : uint8_t {
#define X(e, t, s) e,
  THEON_DTYPES(X)
#undef X
};
inline constexpr int kNumDTypes = 0
#define X(e, t, s) +1
    THEON_DTYPES(X)
#undef X
    ;

size_t itemsize(DType d);
std::string_view dtype_name(DType d);
std::optional<DType> dtype_from_name(std::string_view name);
DType dtype_from_name_or_throw(std::string_view name);

inline bool is_bool(DType d) { return d == DType::Bool; }
inline bool is_signed_int(DType d) { return d >= DType::Int8 && d <= DType::Int64; }
inline bool is_unsigned_int(DType d) { return d >= DType::UInt8 && d <= DType::UInt64; }
inline bool is_int(DType d) { return is_signed_int(d) || is_unsigned_int(d); }
inline bool is_discrete(DType d) { return is_bool(d) || is_int(d); }
inline bool is_float(DType d) { return d == DType::Float16 || d == DType::Float32 || d == DType::Float64; }
inline bool is_complex(DType d) { return d == DType::Complex64 || d == DType::Complex128; }
inline bool is_inexact(DType d) { return is_float(d) || is_complex(d); }
// float16 is a storage dtype: kernels load it as float32, compute, and round
// each op's result back (NumPy's and Theano's semantics). Fusion, which would
// skip the rounding of intermediate results, and native code leave it alone.
inline bool is_storage_only(DType d) { return d == DType::Float16; }

// NumPy's promotion of two array dtypes (what Theano's scalar.upcast computes).
DType upcast(DType a, DType b);
// Theano's upgrade_to_float: ints of <= 16 bits -> float32, wider -> float64.
DType upgrade_to_float(DType d);
// complex64 -> float32, complex128 -> float64, others unchanged.
DType real_dtype(DType d);
// The dtype Theano's sum/prod accumulate and return in: ints widen to 64 bits.
DType sum_dtype(DType d);
// Can every value of `from` be represented exactly in `to`? (Theano's downcast test.)
bool can_cast_safely(DType from, DType to);

template <DType D>
struct dtype_traits;
#define X(e, t, s)                \
  template <>                     \
  struct dtype_traits<DType::e> { \
    using type = t;               \
  };
THEON_DTYPES(X)
#undef X

// Calls f.template operator()<T>() with T the C++ type of `d`.
template <class F>
decltype(auto) visit_dtype(DType d, F&& f) {
  switch (d) {
#define X(e, t, s) \
  case DType::e:   \
    return f.template operator()<t>();
    THEON_DTYPES(X)
#undef X
  }
  return f.template operator()<double>();  // unreachable
}

template <class T>
constexpr DType dtype_of();
#define X(e, t, s)                \
  template <>                     \
  constexpr DType dtype_of<t>() { \
    return DType::e;              \
  }
THEON_DTYPES(X)
#undef X

}  // namespace theon
