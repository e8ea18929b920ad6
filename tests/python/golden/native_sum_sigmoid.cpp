// theon native module: generated from the scalar table; do not edit.
#include <cmath>
#include <cstdint>

#ifdef THEON_VECTOR_MATH
extern "C" {
#pragma omp declare simd notinbranch
double exp(double);
#pragma omp declare simd notinbranch
float expf(float);
#pragma omp declare simd notinbranch
double exp2(double);
#pragma omp declare simd notinbranch
float exp2f(float);
#pragma omp declare simd notinbranch
double expm1(double);
#pragma omp declare simd notinbranch
float expm1f(float);
#pragma omp declare simd notinbranch
double log(double);
#pragma omp declare simd notinbranch
float logf(float);
#pragma omp declare simd notinbranch
double log2(double);
#pragma omp declare simd notinbranch
float log2f(float);
#pragma omp declare simd notinbranch
double log10(double);
#pragma omp declare simd notinbranch
float log10f(float);
#pragma omp declare simd notinbranch
double log1p(double);
#pragma omp declare simd notinbranch
float log1pf(float);
#pragma omp declare simd notinbranch
double sin(double);
#pragma omp declare simd notinbranch
float sinf(float);
#pragma omp declare simd notinbranch
double cos(double);
#pragma omp declare simd notinbranch
float cosf(float);
#pragma omp declare simd notinbranch
double tan(double);
#pragma omp declare simd notinbranch
float tanf(float);
#pragma omp declare simd notinbranch
double asin(double);
#pragma omp declare simd notinbranch
float asinf(float);
#pragma omp declare simd notinbranch
double acos(double);
#pragma omp declare simd notinbranch
float acosf(float);
#pragma omp declare simd notinbranch
double atan(double);
#pragma omp declare simd notinbranch
float atanf(float);
#pragma omp declare simd notinbranch
double sinh(double);
#pragma omp declare simd notinbranch
float sinhf(float);
#pragma omp declare simd notinbranch
double cosh(double);
#pragma omp declare simd notinbranch
float coshf(float);
#pragma omp declare simd notinbranch
double tanh(double);
#pragma omp declare simd notinbranch
float tanhf(float);
#pragma omp declare simd notinbranch
double asinh(double);
#pragma omp declare simd notinbranch
float asinhf(float);
#pragma omp declare simd notinbranch
double acosh(double);
#pragma omp declare simd notinbranch
float acoshf(float);
#pragma omp declare simd notinbranch
double atanh(double);
#pragma omp declare simd notinbranch
float atanhf(float);
#pragma omp declare simd notinbranch
double erf(double);
#pragma omp declare simd notinbranch
float erff(float);
#pragma omp declare simd notinbranch
double erfc(double);
#pragma omp declare simd notinbranch
float erfcf(float);
#pragma omp declare simd notinbranch
double pow(double, double);
#pragma omp declare simd notinbranch
float powf(float, float);
#pragma omp declare simd notinbranch
double atan2(double, double);
#pragma omp declare simd notinbranch
float atan2f(float, float);
}
#endif

#if defined(__AVX512F__) && defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define THEON_SIMD_BUILTINS 1
#include "backend/cpu/simd_math.inc"
#define THEON_OWN_FLOAT_MATH 1
typedef float theon_v8sf __attribute__((vector_size(32)));
typedef float theon_v4sf __attribute__((vector_size(16)));
extern "C" {
#pragma omp declare simd notinbranch
float theon_expf(float);
__attribute__((visibility("hidden"))) theon_v16sf _ZGVeN16v_theon_expf(theon_v16sf x) { return theon_exp16(x); }
__attribute__((visibility("hidden"))) theon_v8sf _ZGVdN8v_theon_expf(theon_v8sf x) {
  const theon_v16sf y = theon_exp16(__builtin_shufflevector(x, x, 0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7));
  return __builtin_shufflevector(y, y, 0, 1, 2, 3, 4, 5, 6, 7);
}
__attribute__((visibility("hidden"))) theon_v8sf _ZGVcN8v_theon_expf(theon_v8sf x) { return _ZGVdN8v_theon_expf(x); }
__attribute__((visibility("hidden"))) theon_v4sf _ZGVbN4v_theon_expf(theon_v4sf x) {
  const theon_v16sf y = theon_exp16(__builtin_shufflevector(x, x, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3));
  return __builtin_shufflevector(y, y, 0, 1, 2, 3);
}
__attribute__((visibility("hidden"))) float theon_expf_lane(float x) { return theon_exp16(theon_set1(x))[0]; }
}
asm(".globl theon_expf\n.hidden theon_expf\n.set theon_expf, theon_expf_lane");
#endif

#include "ops/scalar_functors.hpp"

// theon_k0: 2 instructions over 1 inputs
extern "C" void theon_k0(int64_t n, const void* const* in, void* out) {
  using T = double;
  const T* __restrict i0 = static_cast<const T*>(in[0]);
  T* __restrict o = static_cast<T*>(out);
#pragma omp simd
  for (int64_t k = 0; k < n; ++k) {
    const T r0 = i0[k];
    const T r1 = static_cast<T>(theon::sf::Sigmoid::f<T>(r0));  // sigmoid
    const T r2 = static_cast<T>(theon::sf::Mul::f<T>(r1, r0));  // mul
    o[k] = r2;
  }
}

