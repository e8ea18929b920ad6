// The scalar functions taken from glibc's libmvec, listed once, by theon's
// name and libm's: X(op, libm). The VM's vector kernels (backend/cpu/vector_math.cpp)
// and the "declare simd" prototypes of generated native modules
// (backend/cpu/native/emit.cpp) derive from these lists.
#pragma once

// clang-format off
#define THEON_MVEC_UNARY(X)  \
  X(exp, exp)                \
  X(exp2, exp2)              \
  X(expm1, expm1)            \
  X(log, log)                \
  X(log2, log2)              \
  X(log10, log10)            \
  X(log1p, log1p)            \
  X(sin, sin)                \
  X(cos, cos)                \
  X(tan, tan)                \
  X(arcsin, asin)            \
  X(arccos, acos)            \
  X(arctan, atan)            \
  X(sinh, sinh)              \
  X(cosh, cosh)              \
  X(tanh, tanh)              \
  X(arcsinh, asinh)          \
  X(arccosh, acosh)          \
  X(arctanh, atanh)          \
  X(erf, erf)                \
  X(erfc, erfc)
// clang-format on
#define THEON_MVEC_BINARY(X) X(pow, pow) X(arctan2, atan2)
