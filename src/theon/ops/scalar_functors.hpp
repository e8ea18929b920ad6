// The scalar functions themselves, one struct each; `f` is instantiated for
// every compute type the table row enables.
#pragma once
#include <cmath>
#include <complex>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "core/convert.hpp"
#include "ops/special_functions.hpp"

namespace theon::sf {

template <class T>
inline constexpr bool is_cplx = is_complex_v<T>;
template <class T>
inline constexpr bool is_fp = std::is_floating_point_v<T>;

// c ? x : y for floats as a bit blend, never a branch. GCC (12) does not
// if-convert a loop that also calls a vector-math function, so one `?:` in
// a fused kernel with an exp would leave the whole loop scalar (10x slower).
template <class T>
inline T select_(bool c, T x, T y) {
  if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
    using U = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;
    const U m = U(0) - U(c);
    U xb, yb;
    std::memcpy(&xb, &x, sizeof x);
    std::memcpy(&yb, &y, sizeof y);
    const U r = (xb & m) | (yb & ~m);
    T out;
    std::memcpy(&out, &r, sizeof r);
    return out;
  } else {
    return c ? x : y;
  }
}

// exp for the functors below. A generated native module on an AVX-512 host
// defines THEON_OWN_FLOAT_MATH and declares theon_expf "simd" (theon's
// float32 kernel, simd_math.inc; see backend/cpu/native/emit.cpp); elsewhere libm's,
// vectorized through libmvec.
template <class T>
inline T exp_(T a) {
#ifdef THEON_OWN_FLOAT_MATH
  if constexpr (std::is_same_v<T, float>) return theon_expf(a);
#endif
  return std::exp(a);
}

struct Add {
  template <class T>
  static T f(T a, T b) {
    if constexpr (std::is_same_v<T, bool>)
      return a || b;
    else
      return a + b;
  }
};
struct Sub {
  template <class T>
  static T f(T a, T b) {
    return a - b;
  }
};
struct Mul {
  template <class T>
  static T f(T a, T b) {
    if constexpr (std::is_same_v<T, bool>)
      return a && b;
    else
      return a * b;
  }
};
struct TrueDiv {
  template <class T>
  static T f(T a, T b) {
    return a / b;
  }
};
struct IntDiv {
  template <class T>
  static T f(T a, T b) {
    if constexpr (is_fp<T>)
      return std::floor(a / b);
    else if constexpr (std::is_signed_v<T>) {
      if (b == 0) return 0;
      if (b == -1) return static_cast<T>(0 - static_cast<std::make_unsigned_t<T>>(a));  // no overflow trap
      T q = a / b;
      return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
    } else
      return b == 0 ? 0 : a / b;
  }
};
struct Mod {
  template <class T>
  static T f(T a, T b) {
    if constexpr (is_fp<T>) {
      T r = std::fmod(a, b);
      if (r != 0 && ((r < 0) != (b < 0))) r += b;
      return r;
    } else if constexpr (std::is_signed_v<T>) {
      if (b == 0 || b == -1) return 0;
      T r = a % b;
      return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
    } else
      return b == 0 ? 0 : a % b;
  }
};
struct Pow {
  template <class T>
  static T f(T a, T b) {
    if constexpr (is_fp<T> || is_cplx<T>)
      return std::pow(a, b);
    else {
      if constexpr (std::is_signed_v<T>)
        if (b < 0) return a == 1 ? 1 : (a == -1 ? ((b & 1) ? -1 : 1) : 0);
      // Square-and-multiply in unsigned arithmetic: wraps like NumPy.
      using U = std::make_unsigned_t<T>;
      U base = static_cast<U>(a), r = 1;
      for (U e = static_cast<U>(b); e; e >>= 1, base *= base)
        if (e & 1) r *= base;
      return static_cast<T>(r);
    }
  }
};
// NaN wins (NumPy's maximum/minimum): a NaN a, else a NaN b, else the larger/smaller.
struct Maximum {
  template <class T>
  static T f(T a, T b) {
    if constexpr (is_fp<T>)
      return select_(a != a, a, select_(b != b, b, select_(a < b, b, a)));
    else
      return a < b ? b : a;
  }
};
struct Minimum {
  template <class T>
  static T f(T a, T b) {
    if constexpr (is_fp<T>)
      return select_(a != a, a, select_(b != b, b, select_(b < a, b, a)));
    else
      return b < a ? b : a;
  }
};
struct ArcTan2 {
  template <class T>
  static T f(T a, T b) {
    return std::atan2(a, b);
  }
};
struct Lt {
  template <class T>
  static bool f(T a, T b) {
    return a < b;
  }
};
struct Gt {
  template <class T>
  static bool f(T a, T b) {
    return a > b;
  }
};
struct Le {
  template <class T>
  static bool f(T a, T b) {
    return a <= b;
  }
};
struct Ge {
  template <class T>
  static bool f(T a, T b) {
    return a >= b;
  }
};
struct Eq {
  template <class T>
  static bool f(T a, T b) {
    return a == b;
  }
};
struct Neq {
  template <class T>
  static bool f(T a, T b) {
    return a != b;
  }
};
struct And {
  template <class T>
  static T f(T a, T b) {
    if constexpr (std::is_same_v<T, bool>)
      return a && b;
    else
      return a & b;
  }
};
struct Or {
  template <class T>
  static T f(T a, T b) {
    if constexpr (std::is_same_v<T, bool>)
      return a || b;
    else
      return a | b;
  }
};
struct Xor {
  template <class T>
  static T f(T a, T b) {
    if constexpr (std::is_same_v<T, bool>)
      return a != b;
    else
      return a ^ b;
  }
};
struct Second {
  template <class T>
  static T f(T, T b) {
    return b;
  }
};

struct Neg {
  template <class T>
  static T f(T a) {
    if constexpr (std::is_unsigned_v<T>)
      return static_cast<T>(0 - a);
    else
      return -a;
  }
};
struct Abs {
  template <class T>
  static auto f(T a) {
    if constexpr (is_cplx<T>)
      return std::abs(a);
    else if constexpr (std::is_unsigned_v<T> || std::is_same_v<T, bool>)
      return a;
    else if constexpr (std::is_integral_v<T>)
      return a < 0 ? static_cast<T>(0 - static_cast<std::make_unsigned_t<T>>(a)) : a;
    else
      return std::fabs(a);
  }
};
struct Sgn {
  template <class T>
  static T f(T a) {
    if constexpr (is_fp<T>) {
      if (a != a) return a;
    }
    if constexpr (std::is_unsigned_v<T> || std::is_same_v<T, bool>)
      return a > 0 ? 1 : 0;
    else
      return static_cast<T>((a > 0) - (a < 0));
  }
};
struct Sqr {
  template <class T>
  static T f(T a) {
    if constexpr (std::is_same_v<T, bool>)
      return a;
    else
      return a * a;
  }
};
struct Sqrt {
  template <class T>
  static T f(T a) {
    return std::sqrt(a);
  }
};
struct Inv {
  template <class T>
  static T f(T a) {
    return T(1) / a;
  }
};
struct Exp {
  template <class T>
  static T f(T a) {
    return exp_(a);
  }
};
struct Exp2 {
  template <class T>
  static T f(T a) {
    if constexpr (is_cplx<T>)
      return std::pow(T(2), a);
    else
      return std::exp2(a);
  }
};
struct Expm1 {
  template <class T>
  static T f(T a) {
    return std::expm1(a);
  }
};
struct Log {
  template <class T>
  static T f(T a) {
    return std::log(a);
  }
};
struct Log2 {
  template <class T>
  static T f(T a) {
    if constexpr (is_cplx<T>)
      return std::log(a) / std::log(T(2));
    else
      return std::log2(a);
  }
};
struct Log10 {
  template <class T>
  static T f(T a) {
    return std::log10(a);
  }
};
struct Log1p {
  template <class T>
  static T f(T a) {
    return std::log1p(a);
  }
};
struct Sin {
  template <class T>
  static T f(T a) {
    return std::sin(a);
  }
};
struct Cos {
  template <class T>
  static T f(T a) {
    return std::cos(a);
  }
};
struct Tan {
  template <class T>
  static T f(T a) {
    return std::tan(a);
  }
};
struct ArcSin {
  template <class T>
  static T f(T a) {
    return std::asin(a);
  }
};
struct ArcCos {
  template <class T>
  static T f(T a) {
    return std::acos(a);
  }
};
struct ArcTan {
  template <class T>
  static T f(T a) {
    return std::atan(a);
  }
};
struct Sinh {
  template <class T>
  static T f(T a) {
    return std::sinh(a);
  }
};
struct Cosh {
  template <class T>
  static T f(T a) {
    return std::cosh(a);
  }
};
struct Tanh {
  template <class T>
  static T f(T a) {
    return std::tanh(a);
  }
};
struct ArcSinh {
  template <class T>
  static T f(T a) {
    return std::asinh(a);
  }
};
struct ArcCosh {
  template <class T>
  static T f(T a) {
    return std::acosh(a);
  }
};
struct ArcTanh {
  template <class T>
  static T f(T a) {
    return std::atanh(a);
  }
};
struct Floor {
  template <class T>
  static T f(T a) {
    return std::floor(a);
  }
};
struct Ceil {
  template <class T>
  static T f(T a) {
    return std::ceil(a);
  }
};
struct Round {
  template <class T>
  static T f(T a) {
    return std::nearbyint(a);
  }
};  // half to even
struct Trunc {
  template <class T>
  static T f(T a) {
    return std::trunc(a);
  }
};
struct Invert {
  template <class T>
  static T f(T a) {
    if constexpr (std::is_same_v<T, bool>)
      return !a;
    else
      return static_cast<T>(~a);
  }
};
struct IsNan {
  template <class T>
  static bool f(T a) {
    if constexpr (is_fp<T>)
      return std::isnan(a);
    else if constexpr (is_cplx<T>)
      return std::isnan(a.real()) || std::isnan(a.imag());
    else
      return false;
  }
};
struct IsInf {
  template <class T>
  static bool f(T a) {
    if constexpr (is_fp<T>)
      return std::isinf(a);
    else if constexpr (is_cplx<T>)
      return std::isinf(a.real()) || std::isinf(a.imag());
    else
      return false;
  }
};
struct Identity {
  template <class T>
  static T f(T a) {
    return a;
  }
};
struct Sigmoid {
  template <class T>
  static T f(T a) {
    // Stable on both tails: never exponentiates a large positive number. One
    // exp and one division for both signs, selecting values, not operations
    // (see select_). NaN comes through e.
    const T e = exp_(-std::abs(a));
    return select_(a >= 0, T(1), e) / (T(1) + e);
  }
};
struct Softplus {
  template <class T>
  static T f(T a) {
    // log1p(exp(a)) without overflow: max(a, 0) + log1p(exp(-|a|)), one exp
    // and one log1p for both signs (as the VM's vector kernel); NaN comes through max.
    return select_(a < T(0), T(0), a) + std::log1p(exp_(-std::abs(a)));
  }
};
struct Erf {
  template <class T>
  static T f(T a) {
    return std::erf(a);
  }
};
struct Erfc {
  template <class T>
  static T f(T a) {
    return std::erfc(a);
  }
};
struct Gamma {
  template <class T>
  static T f(T a) {
    return std::tgamma(a);
  }
};
struct GammaLn {
  template <class T>
  static T f(T a) {
    return std::lgamma(a);
  }
};
struct Psi {
  // Digamma: reflection for negatives, recurrence up to 6, then the asymptotic series.
  template <class T>
  static T f(T x) {
    double v = static_cast<double>(x), r = 0;
    if (v <= 0 && std::floor(v) == v) return std::numeric_limits<T>::quiet_NaN();
    if (v < 0) {
      r = -M_PI / std::tan(M_PI * v);
      v = 1 - v;
    }
    while (v < 6) {
      r -= 1 / v;
      v += 1;
    }
    double f = 1 / (v * v);
    r += std::log(v) - 0.5 / v - f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f / 132))));
    return static_cast<T>(r);
  }
};
struct TriGamma {
  template <class T>
  static T f(T x) {
    double v = static_cast<double>(x), r = 0;
    if (v <= 0 && std::floor(v) == v) return std::numeric_limits<T>::infinity();
    if (v < 0) {  // reflection: psi1(1-x) + psi1(x) = pi^2 / sin^2(pi x)
      double s = std::sin(M_PI * v);
      return static_cast<T>(M_PI * M_PI / (s * s) - f(1 - v));
    }
    while (v < 6) {
      r += 1 / (v * v);
      v += 1;
    }
    double f2 = 1 / (v * v);
    r += 1 / v + f2 / 2 + (1 / (v * v * v)) * (1.0 / 6 - f2 * (1.0 / 30 - f2 * (1.0 / 42 - f2 / 30)));
    return static_cast<T>(r);
  }
};
// Complex parts (complex inputs only; `real`/`imag` of real tensors are
// handled in the Python layer) and complex construction from real parts.
struct Real {
  template <class T>
  static auto f(T a) {
    if constexpr (is_cplx<T>)
      return a.real();
    else
      return a;
  }
};
struct Imag {
  template <class T>
  static auto f(T a) {
    if constexpr (is_cplx<T>)
      return a.imag();
    else
      return T(0);
  }
};
struct Conj {
  template <class T>
  static T f(T a) {
    if constexpr (is_cplx<T>)
      return std::conj(a);
    else
      return a;
  }
};
struct Angle {
  template <class T>
  static auto f(T a) {
    if constexpr (is_cplx<T>)
      return std::arg(a);
    else
      return std::atan2(T(0), a);
  }
};
struct Complex {
  template <class T>
  static std::complex<T> f(T re, T im) {
    return {re, im};
  }
};

// Special functions (ops/special_functions.hpp), evaluated in double.
#define THEON_SPECIAL1(Name, expr)             \
  struct Name {                                \
    template <class T>                         \
    static T f(T a) {                          \
      const double x = static_cast<double>(a); \
      return static_cast<T>(expr);             \
    }                                          \
  };
#define THEON_SPECIAL2(Name, expr)                                         \
  struct Name {                                                            \
    template <class T>                                                     \
    static T f(T a, T b) {                                                 \
      const double x = static_cast<double>(a), y = static_cast<double>(b); \
      return static_cast<T>(expr);                                         \
    }                                                                      \
  };
THEON_SPECIAL1(ErfInv, special::erfinv(x))
THEON_SPECIAL1(ErfcInv, special::erfcinv(x))
THEON_SPECIAL1(Erfcx, special::erfcx(x))
THEON_SPECIAL1(J0, special::bessel_j(0, x))
THEON_SPECIAL1(J1, special::bessel_j(1, x))
THEON_SPECIAL1(I0, special::bessel_i(0, x))
THEON_SPECIAL1(I1, special::bessel_i(1, x))
THEON_SPECIAL2(GammaInc, special::gamma_pq(x, y).p)                       // P(k, x)
THEON_SPECIAL2(GammaIncC, special::gamma_pq(x, y).q)                      // Q(k, x)
THEON_SPECIAL2(GammaL, special::gamma_pq(x, y).p* std::tgamma(x))         // lower incomplete gamma
THEON_SPECIAL2(GammaU, special::gamma_pq(x, y).q* std::tgamma(x))         // upper incomplete gamma
THEON_SPECIAL2(Chi2Sf, x <= 0 ? 1.0 : special::gamma_pq(y / 2, x / 2).q)  // (x, k); NaN x: the fraction's NaN
THEON_SPECIAL2(Jv, special::bessel_j(x, y))                               // (v, x)
THEON_SPECIAL2(Iv, special::bessel_i(x, y))                               // (v, x)
#undef THEON_SPECIAL1
#undef THEON_SPECIAL2

struct Clip {
  template <class T>
  static T f(T x, T lo, T hi) {
    return select_(x < lo, lo, select_(hi < x, hi, x));
  }
};
struct Switch {
  template <class T>
  static T f(T c, T a, T b) {
    return select_(c != T(0), a, b);
  }
};

}  // namespace theon::sf
