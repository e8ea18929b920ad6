// Special functions of the scalar table that libm lacks: inverse error
// functions, the scaled complementary error function, regularized incomplete
// gamma functions and Bessel functions of real order. Computed in double
// (float32 callers narrow the result). Header-only: generated native code
// includes it through scalar_functors.hpp.
#pragma once
#include <cmath>
#include <limits>

namespace theon::special {

inline constexpr double kPi = 3.14159265358979323846;
inline constexpr double kSqrtPi = 1.77245385090551602730;
inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
inline constexpr double kInf = std::numeric_limits<double>::infinity();

// exp(x^2) erfc(x), without overflow for large x: direct below 4 (where
// exp(x^2) is accurate to ~16 ulp), else its continued fraction.
inline double erfcx(double x) {
  if (std::isnan(x)) return x;
  if (x < 4) return std::exp(x * x) * std::erfc(x);
  if (std::isinf(x)) return 0;
  double f = x;  // x + (1/2)/(x + 1/(x + (3/2)/(x + ...))), evaluated from the tail
  for (int n = 60; n >= 1; --n) f = x + 0.5 * n / f;
  return 1 / (kSqrtPi * f);
}

// Halley steps for f(x) = erf(x) - y or erfc(x) - c: both have f'' = -2x f',
// so the step is (f/f') / (1 + x f/f').
inline double halley_erf_step(double x, double f) {
  const double fp = 2 / kSqrtPi * std::exp(-x * x);
  const double r = f / fp;
  return x - r / (1 + x * r);
}

// Winitzki's closed form (relative error ~2e-3) as the start; t = log(1 - y^2).
inline double erfinv_start(double t) {
  constexpr double a = 0.147;
  const double u = 2 / (kPi * a) + t / 2;
  return std::sqrt(std::sqrt(u * u - t / a) - u);
}

// The x with erfc(x) = c, 0 <= c <= 2.
inline double erfcinv(double c) {
  if (std::isnan(c) || c < 0 || c > 2) return kNaN;
  if (c == 0) return kInf;
  if (c == 2) return -kInf;
  if (c > 1) return -erfcinv(2 - c);  // 2 - c is exact here
  double x = erfinv_start(std::log(c) + std::log(2 - c));
  for (int i = 0; i < 3; ++i) x = halley_erf_step(x, -(std::erfc(x) - c));
  return x;
}

// The x with erf(x) = y, -1 <= y <= 1; near +-1 through erfcinv(1 - |y|).
inline double erfinv(double y) {
  if (std::isnan(y) || y < -1 || y > 1) return kNaN;
  if (std::fabs(y) > 0.5) return std::copysign(erfcinv(1 - std::fabs(y)), y);
  if (y == 0) return y;
  double x = std::copysign(erfinv_start(std::log1p(-y * y)), y);
  for (int i = 0; i < 3; ++i) x = halley_erf_step(x, std::erf(x) - y);
  return x;
}

// Regularized incomplete gamma: P(a, x) by its series where x < a + 1, else
// Q(a, x) by its continued fraction (modified Lentz); returns {P, Q}.
struct GammaPQ {
  double p, q;
};
inline GammaPQ gamma_pq(double a, double x) {
  if (std::isnan(a) || std::isnan(x) || a < 0 || x < 0 || (a == 0 && x == 0)) return {kNaN, kNaN};
  if (a == 0) return {1, 0};  // the limit a -> 0+, as SciPy
  if (x == 0) return {0, 1};
  if (std::isinf(x)) return {1, 0};
  const double log_front = -x + a * std::log(x) - std::lgamma(a);
  constexpr double eps = 1e-16;
  if (x < a + 1) {
    double term = 1 / a, sum = term;
    for (int n = 1; n < 10000; ++n) {
      term *= x / (a + n);
      sum += term;
      if (std::fabs(term) < std::fabs(sum) * eps) break;
    }
    const double p = sum * std::exp(log_front);
    return {p, 1 - p};
  }
  constexpr double tiny = 1e-300;
  double b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
  for (int i = 1; i < 10000; ++i) {
    const double an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (std::fabs(d) < tiny) d = tiny;
    c = b + an / c;
    if (std::fabs(c) < tiny) c = tiny;
    d = 1 / d;
    const double step = d * c;
    h *= step;
    if (std::fabs(step - 1) < eps) break;
  }
  const double q = std::exp(log_front) * h;
  return {1 - q, q};
}

// Below this, Bessel series are their first term (x/2)^v / gamma(v + 1)
// (libstdc++'s evaluation returns NaN for denormal x).
inline constexpr double kTinyBesselArg = 1e-100;

// libstdc++'s special functions throw std::domain_error outside their domain
// (and for some huge orders); an elementwise kernel answers NaN instead.
template <class F>
double nan_on_throw(F&& f) noexcept {
  try {
    return f();
  } catch (...) {
    return kNaN;
  }
}
inline double cyl_j(double v, double x) {
  return nan_on_throw([&] { return std::cyl_bessel_j(v, x); });
}
inline double cyl_y(double v, double x) {
  return nan_on_throw([&] { return std::cyl_neumann(v, x); });
}
inline double cyl_i(double v, double x) {
  return nan_on_throw([&] { return std::cyl_bessel_i(v, x); });
}
inline double cyl_k(double v, double x) {
  return nan_on_throw([&] { return std::cyl_bessel_k(v, x); });
}

inline bool is_integer(double v) { return std::isfinite(v) && std::floor(v) == v; }
inline double parity_sign(double n) { return std::fmod(std::fabs(n), 2) == 1 ? -1 : 1; }

// Bessel J of real order: libstdc++'s std::cyl_bessel_j for v, x >= 0; a
// negative order by reflection (J_-v = cos(v pi) J_v - sin(v pi) Y_v), a
// negative x for integer orders by parity (NaN otherwise, as SciPy).
inline double bessel_j(double v, double x) {
  if (std::isnan(v) || std::isnan(x) || std::isinf(v)) return kNaN;
  if (std::isinf(x)) return 0;
  if (x < 0) return is_integer(v) ? parity_sign(v) * bessel_j(v, -x) : kNaN;
  if (v < 0) {
    if (is_integer(v)) return parity_sign(v) * bessel_j(-v, x);
    if (x == 0) return std::copysign(kInf, std::tgamma(1 + v));  // (x/2)^v / gamma(1 + v)
    if (x < kTinyBesselArg) return std::pow(x / 2, v) / std::tgamma(v + 1);
    return std::cos(-v * kPi) * cyl_j(-v, x) - std::sin(-v * kPi) * cyl_y(-v, x);
  }
  if (x < kTinyBesselArg) return v == 0 ? 1.0 : std::pow(x / 2, v) / std::tgamma(v + 1);
  return cyl_j(v, x);
}

// Modified Bessel I of real order: I_-v = I_v + (2/pi) sin(v pi) K_v.
inline double bessel_i(double v, double x) {
  if (std::isnan(v) || std::isnan(x) || std::isinf(v)) return kNaN;
  if (x < 0) return is_integer(v) ? parity_sign(v) * bessel_i(v, -x) : kNaN;
  if (std::isinf(x)) return kInf;
  if (v < 0) {
    if (is_integer(v)) return bessel_i(-v, x);
    if (x == 0) return std::copysign(kInf, std::tgamma(1 + v));
    if (x < kTinyBesselArg) return std::pow(x / 2, v) / std::tgamma(v + 1);
    return cyl_i(-v, x) + 2 / kPi * std::sin(-v * kPi) * cyl_k(-v, x);
  }
  if (x < kTinyBesselArg) return v == 0 ? 1.0 : std::pow(x / 2, v) / std::tgamma(v + 1);
  const double r = cyl_i(v, x);
  return std::isnan(r) && x > 700 ? kInf : r;  // libstdc++ fails where e^x / sqrt(2 pi x) overflows
}

}  // namespace theon::special
