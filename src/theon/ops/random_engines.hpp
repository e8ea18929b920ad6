// The random number engines behind theon's random ops, as plain arithmetic:
//  - MRG31k3p (L'Ecuyer and Touzin, 2000) with the multi-stream layout of
//    Theano's rng_mrg: a state is six int32 (x11 x12 x13 x21 x22 x23), streams
//    start 2^72 steps apart and generators 2^134 steps apart;
//  - MT19937 with the distributions of NumPy's legacy RandomState (uniform,
//    normal, binomial, randint, poisson, shuffles), which is what Theano's
//    RandomStreams drew from.
// The exact operation order is part of theon's contract: the same seed gives
// Theano 1.0.5's samples to the bit (tests/python/test_random_reference.py).
#pragma once
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace theon::rng {

// ---- MRG31k3p ------------------------------------------------------------------

inline constexpr int32_t kM1 = 2147483647;  // 2^31 - 1
inline constexpr int32_t kM2 = 2147462579;  // 2^31 - 21069

// int32 arithmetic that wraps as the 32-bit registers of the reference code do.
inline int32_t wrap32(int64_t v) { return static_cast<int32_t>(static_cast<uint32_t>(v)); }

// Advances one state (six int32) and returns the combined value in [1, M1].
inline int32_t mrg_next(int32_t* x) {
  const int32_t x11 = x[0], x12 = x[1], x13 = x[2], x21 = x[3], x22 = x[4], x23 = x[5];
  // First component: x13 * (2^7 + 1) + x12 * 2^22, mod M1, by shifts.
  int32_t y1 = wrap32(static_cast<int64_t>((x12 & 511) << 22) + (x12 >> 9) +
                      static_cast<int64_t>((x13 & 16777215) << 7) + (x13 >> 24));
  if (y1 < 0 || y1 >= kM1) y1 = wrap32(static_cast<int64_t>(y1) - kM1);
  y1 = wrap32(static_cast<int64_t>(y1) + x13);
  if (y1 < 0 || y1 >= kM1) y1 = wrap32(static_cast<int64_t>(y1) - kM1);
  // Second component: x21 * 2^15 + x23 * (2^15 + 1), mod M2, with 21069 = 2^31 - M2.
  int32_t z1 = wrap32(static_cast<int64_t>((x21 & 65535) << 15) + static_cast<int64_t>(21069) * (x21 >> 16));
  if (z1 < 0 || z1 >= kM2) z1 = wrap32(static_cast<int64_t>(z1) - kM2);
  int32_t z2 = wrap32(static_cast<int64_t>((x23 & 65535) << 15) + static_cast<int64_t>(21069) * (x23 >> 16));
  if (z2 < 0 || z2 >= kM2) z2 = wrap32(static_cast<int64_t>(z2) - kM2);
  z2 = wrap32(static_cast<int64_t>(z2) + x23);
  if (z2 < 0 || z2 >= kM2) z2 = wrap32(static_cast<int64_t>(z2) - kM2);
  z2 = wrap32(static_cast<int64_t>(z2) + z1);
  if (z2 < 0 || z2 >= kM2) z2 = wrap32(static_cast<int64_t>(z2) - kM2);
  x[0] = y1, x[1] = x11, x[2] = x12;
  x[3] = z2, x[4] = x21, x[5] = x22;
  return y1 <= z2 ? y1 - z2 + kM1 : y1 - z2;
}

// The unit-interval sample of a combined value, rounded as Theano's CPU code
// rounds it: float32 multiplies in float (the int rounded to float first),
// float64 in double; float16 keeps 15 bits plus one, as Theano's float16 did.
inline float mrg_float32(int32_t v) { return static_cast<float>(v) * 4.6566126e-10f; }
inline double mrg_float64(int32_t v) { return v * 4.656612873077392578125e-10; }
inline double mrg_float16_value(int32_t v) { return ((v & 0x7fff) + 1) * 3.0457973480224609375e-05; }

using Mat3 = std::array<std::array<int64_t, 3>, 3>;

inline Mat3 mat_mul_mod(const Mat3& a, const Mat3& b, int64_t m) {
  Mat3 c{};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) {
      __int128 s = 0;
      for (int k = 0; k < 3; ++k) s += static_cast<__int128>(a[i][k]) * b[k][j];
      c[i][j] = static_cast<int64_t>(s % m);
    }
  return c;
}

// A^(2^e) mod m: the transition that jumps 2^e steps ahead.
inline Mat3 mat_pow2_mod(Mat3 a, int e, int64_t m) {
  for (int i = 0; i < e; ++i) a = mat_mul_mod(a, a, m);
  return a;
}

// The one-step transitions of the two components, on (x_n, x_{n-1}, x_{n-2}).
inline constexpr Mat3 kA1 = {{{0, 4194304, 129}, {1, 0, 0}, {0, 1, 0}}};
inline constexpr Mat3 kA2 = {{{32768, 0, 32769}, {1, 0, 0}, {0, 1, 0}}};

// The state 2^e steps after x (each component jumps on its own).
inline void mrg_jump(const Mat3& a1, const Mat3& a2, const int32_t* x, int32_t* out) {
  int32_t r[6];
  for (int c = 0; c < 2; ++c) {
    const Mat3& a = c == 0 ? a1 : a2;
    const int64_t m = c == 0 ? kM1 : kM2;
    for (int i = 0; i < 3; ++i) {
      int64_t s = 0;
      for (int k = 0; k < 3; ++k) s = (s + a[i][k] * static_cast<int64_t>(x[3 * c + k]) % m) % m;
      r[3 * c + i] = static_cast<int32_t>((s + m) % m);
    }
  }
  std::memcpy(out, r, sizeof r);
}

// ---- MT19937 and NumPy's legacy distributions ------------------------------------

// The state of a NumPy RandomState as theon stores it, 628 uint32: the 624
// key words, the position, has_gauss, and the cached gaussian's 8 bytes.
inline constexpr int kMTWords = 624;
inline constexpr int kRandomStateWords = 628;

struct MT19937 {
  uint32_t key[kMTWords];
  int pos;
  bool has_gauss;
  double gauss;

  void load(const uint32_t* w) {
    std::memcpy(key, w, sizeof key);
    pos = static_cast<int>(w[624]);
    has_gauss = w[625] != 0;
    std::memcpy(&gauss, w + 626, sizeof gauss);
  }
  void store(uint32_t* w) const {
    std::memcpy(w, key, sizeof key);
    w[624] = static_cast<uint32_t>(pos);
    w[625] = has_gauss ? 1u : 0u;
    std::memcpy(w + 626, &gauss, sizeof gauss);
  }

  void reload() {
    constexpr uint32_t kUpper = 0x80000000u, kLower = 0x7fffffffu, kMatrix = 0x9908b0dfu;
    auto twist = [&](int i, int next, int far) {
      const uint32_t y = (key[i] & kUpper) | (key[next] & kLower);
      key[i] = key[far] ^ (y >> 1) ^ ((y & 1u) ? kMatrix : 0u);
    };
    int i = 0;
    for (; i < kMTWords - 397; ++i) twist(i, i + 1, i + 397);
    for (; i < kMTWords - 1; ++i) twist(i, i + 1, i + 397 - kMTWords);
    twist(kMTWords - 1, 0, 396);
    pos = 0;
  }

  uint32_t next32() {
    if (pos >= kMTWords) reload();
    uint32_t y = key[pos++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
  }
  uint64_t next64() {
    const uint64_t hi = next32();
    return (hi << 32) | next32();
  }
  // 53 random bits in [0, 1).
  double next_double() {
    const int32_t a = static_cast<int32_t>(next32() >> 5), b = static_cast<int32_t>(next32() >> 6);
    return (a * 67108864.0 + b) / 9007199254740992.0;
  }

  // The polar method, one value kept for the next call.
  double gaussian() {
    if (has_gauss) {
      const double t = gauss;
      has_gauss = false;
      gauss = 0.0;
      return t;
    }
    double x1, x2, r2;
    do {
      x1 = 2.0 * next_double() - 1.0;
      x2 = 2.0 * next_double() - 1.0;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1.0 || r2 == 0.0);
    const double f = std::sqrt(-2.0 * std::log(r2) / r2);
    gauss = f * x1;
    has_gauss = true;
    return f * x2;
  }

  // Uniform in [0, max] by masked rejection, 32-bit draws while they suffice.
  uint64_t interval(uint64_t max) {
    if (max == 0) return 0;
    uint64_t mask = max;
    for (int s = 1; s <= 32; s <<= 1) mask |= mask >> s;
    uint64_t v;
    if (max <= 0xffffffffu) {
      while ((v = (next32() & mask)) > max) {
      }
    } else {
      while ((v = (next64() & mask)) > max) {
      }
    }
    return v;
  }

  // randint(low, high + 1) for one value (the range is high - low).
  int64_t bounded(int64_t low, uint64_t range) {
    if (range == 0) return low;
    if (range == 0xffffffffu) return low + static_cast<int64_t>(next32());
    return low + static_cast<int64_t>(interval(range));
  }

  int64_t binomial(double p, int64_t n) {
    if (p <= 0.5) return p * n <= 30.0 ? binomial_inversion(n, p) : binomial_btpe(n, p);
    const double q = 1.0 - p;
    return n - (q * n <= 30.0 ? binomial_inversion(n, q) : binomial_btpe(n, q));
  }

  int64_t binomial_inversion(int64_t n, double p) {
    const double q = 1.0 - p, qn = std::exp(n * std::log(q)), np = n * p;
    const int64_t bound = static_cast<int64_t>(std::fmin(static_cast<double>(n), np + 10.0 * std::sqrt(np * q + 1)));
    int64_t x = 0;
    double px = qn, u = next_double();
    while (u > px) {
      ++x;
      if (x > bound) {
        x = 0;
        px = qn;
        u = next_double();
      } else {
        u -= px;
        px = ((n - x + 1) * p * px) / (x * q);
      }
    }
    return x;
  }

  // Kachitvichyanukul and Schmeiser's BTPE, for n * min(p, 1 - p) > 30.
  int64_t binomial_btpe(int64_t n, double p) {
    const double r = std::fmin(p, 1.0 - p), q = 1.0 - r, fm = n * r + r;
    const int64_t m = static_cast<int64_t>(std::floor(fm));
    const double p1 = std::floor(2.195 * std::sqrt(n * r * q) - 4.6 * q) + 0.5;
    const double xm = m + 0.5, xl = xm - p1, xr = xm + p1, c = 0.134 + 20.5 / (15.3 + m);
    double a = (fm - xl) / (fm - xl * r);
    const double laml = a * (1.0 + a / 2.0);
    a = (xr - fm) / (xr * q);
    const double lamr = a * (1.0 + a / 2.0);
    const double p2 = p1 * (1.0 + 2.0 * c), p3 = p2 + c / laml, p4 = p3 + c / lamr;
    int64_t y;
    for (;;) {
      const double nrq = n * r * q;
      const double u = next_double() * p4;
      double v = next_double();
      if (u <= p1) {
        y = static_cast<int64_t>(std::floor(xm - p1 * v + u));
        break;
      }
      if (u <= p2) {
        const double x = xl + (u - p1) / c;
        v = v * c + 1.0 - std::fabs(m - x + 0.5) / p1;
        if (v > 1.0) continue;
        y = static_cast<int64_t>(std::floor(x));
      } else if (u <= p3) {
        if (v == 0.0) continue;  // rejected before the cast, which would be undefined
        y = static_cast<int64_t>(std::floor(xl + std::log(v) / laml));
        if (y < 0) continue;
        v = v * (u - p2) * laml;
      } else {
        if (v == 0.0) continue;
        y = static_cast<int64_t>(std::floor(xr - std::log(v) / lamr));
        if (y > n) continue;
        v = v * (u - p3) * lamr;
      }
      const int64_t k = y > m ? y - m : m - y;
      if (k <= 20 || k >= nrq / 2.0 - 1) {
        // Explicit evaluation of f(y) / f(m).
        const double s = r / q, aa = s * (n + 1);
        double f = 1.0;
        if (m < y)
          for (int64_t i = m + 1; i <= y; ++i) f *= (aa / i - s);
        else if (m > y)
          for (int64_t i = y + 1; i <= m; ++i) f /= (aa / i - s);
        if (v > f) continue;
        break;
      }
      // Squeezing with Stirling's formula.
      const double rho = (k / nrq) * ((k * (k / 3.0 + 0.625) + 0.16666666666666666) / nrq + 0.5);
      const double t = -k * k / (2 * nrq);
      const double big_a = std::log(v);
      if (big_a < t - rho) break;
      if (big_a > t + rho) continue;
      const double x1 = y + 1, f1 = m + 1, z = n + 1 - m, w = n - y + 1;
      const double x2 = x1 * x1, f2 = f1 * f1, z2 = z * z, w2 = w * w;
      auto corr = [](double v2, double v1) {
        return (13680. - (462. - (132. - (99. - 140. / v2) / v2) / v2) / v2) / v1 / 166320.;
      };
      if (big_a > (xm * std::log(f1 / x1) + (n - m + 0.5) * std::log(z / w) + (y - m) * std::log(w * r / (x1 * q)) +
                   corr(f2, f1) + corr(z2, z) + corr(x2, x1) + corr(w2, w)))
        continue;
      break;
    }
    if (p > 0.5) y = n - y;
    return y;
  }

  int64_t poisson(double lam) {
    if (lam >= 10) return poisson_ptrs(lam);
    if (lam == 0) return 0;
    const double enlam = std::exp(-lam);
    int64_t x = 0;
    double prod = 1.0;
    for (;;) {
      prod *= next_double();
      if (prod > enlam)
        ++x;
      else
        return x;
    }
  }

  // Hormann's PTRS, for lam >= 10.
  int64_t poisson_ptrs(double lam) {
    const double slam = std::sqrt(lam), loglam = std::log(lam);
    const double b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b;
    const double invalpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const double u = next_double() - 0.5, v = next_double();
      const double us = 0.5 - std::fabs(u);
      // us = 0 (a uniform of exactly 0) makes the candidate infinite: rejected below, as a negative k.
      const double kd = std::floor((2 * a / us + b) * u + lam + 0.43);
      const int64_t k = kd >= -9.2e18 && kd <= 9.2e18 ? static_cast<int64_t>(kd) : -1;
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (std::log(v) + std::log(invalpha) - std::log(a / (us * us) + b) <= -lam + k * loglam - loggam(k + 1)) return k;
    }
  }

  static double loggam(double x) {
    static constexpr double a[10] = {8.333333333333333e-02,  -2.777777777777778e-03, 7.936507936507937e-04,
                                     -5.952380952380952e-04, 8.417508417508418e-04,  -1.917526917526918e-03,
                                     6.410256410256410e-03,  -2.955065359477124e-02, 1.796443723688307e-01,
                                     -1.39243221690590e+00};
    if (x == 1.0 || x == 2.0) return 0.0;
    const int64_t n = x < 7.0 ? static_cast<int64_t>(7 - x) : 0;
    double x0 = x + n;
    const double x2 = (1.0 / x0) * (1.0 / x0);
    double gl0 = a[9];
    for (int k = 8; k >= 0; --k) gl0 = gl0 * x2 + a[k];
    double gl = gl0 / x0 + 0.5 * 1.8378770664093453e+00 + (x0 - 0.5) * std::log(x0) - x0;
    if (x < 7.0)
      for (int64_t k = 1; k <= n; ++k) {
        gl -= std::log(x0 - 1.0);
        x0 -= 1.0;
      }
    return gl;
  }

  // Fisher-Yates from the end, as RandomState.shuffle does.
  template <class T>
  void shuffle(T* v, int64_t n) {
    for (int64_t i = n - 1; i >= 1; --i) {
      const int64_t j = static_cast<int64_t>(interval(static_cast<uint64_t>(i)));
      const T t = v[i];
      v[i] = v[j];
      v[j] = t;
    }
  }
};

}  // namespace theon::rng
