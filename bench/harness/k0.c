/* K0 calibration kernels: STREAM copy/triad for a given thread count, the
   FP32/FP64 FMA peak and (with K0_MVEC: glibc's libmvec through the
   vectorizer, the best SIMD exp/tanh at hand) the throughput of float32 exp
   and tanh on cache-resident data, for the compute floor of transcendental
   kernels; on AVX-512 also theon's own float32 exp (expf_Gps is the faster). Built by calibrate.py with the host compiler
   (-O2 -march=native -fopenmp) and run as a child; prints one JSON line.
   Bytes are counted the STREAM way (no write-allocate). */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double best_of(double* times, int n) {
  double b = times[0];
  for (int i = 1; i < n; ++i)
    if (times[i] < b) b = times[i];
  return b;
}

/* 12 independent chains of vector FMAs in registers: enough to cover FMA
   latency x ports on current cores. The vector width is whatever -march gives. */
#define STEP(x) x = x * m + a
#define FMA_KERNEL(NAME, T, VEC_BYTES)                                                      \
  typedef T NAME##_v __attribute__((vector_size(VEC_BYTES)));                               \
  static double NAME(long iters) {                                                          \
    enum { LANES = VEC_BYTES / sizeof(T) };                                                 \
    double t0 = omp_get_wtime();                                                            \
    _Pragma("omp parallel") {                                                               \
      NAME##_v m, a;                                                                        \
      for (int l = 0; l < LANES; ++l) m[l] = (T)0.999999, a[l] = (T)1e-7;                   \
      NAME##_v c0 = a, c1 = a * 2, c2 = a * 3, c3 = a * 4, c4 = a * 5, c5 = a * 6;          \
      NAME##_v c6 = a * 7, c7 = a * 8, c8 = a * 9, c9 = a * 10, c10 = a * 11, c11 = a * 12; \
      for (long i = 0; i < iters; ++i) {                                                    \
        STEP(c0), STEP(c1), STEP(c2), STEP(c3), STEP(c4), STEP(c5);                         \
        STEP(c6), STEP(c7), STEP(c8), STEP(c9), STEP(c10), STEP(c11);                       \
      }                                                                                     \
      NAME##_v s = c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11;             \
      if (s[0] == (T)12345.678) printf("#");                                                \
    }                                                                                       \
    double t = omp_get_wtime() - t0;                                                        \
    return 2.0 * 12 * LANES * (double)iters * omp_get_max_threads() / t / 1e9;             \
  }

#if defined(__AVX512F__)
#define VB 64
#elif defined(__AVX__)
#define VB 32
#else
#define VB 16
#endif
FMA_KERNEL(fma_f32, float, VB)
FMA_KERNEL(fma_f64, double, VB)

#ifdef K0_MVEC
#include <math.h>
#pragma omp declare simd notinbranch
float expf(float);
#pragma omp declare simd notinbranch
float tanhf(float);

/* Elements per second (all threads) of f over an L1-resident block. */
#define TRANSC_KERNEL(NAME, F)                                   \
  static double NAME(long reps) {                                \
    double t0 = omp_get_wtime();                                 \
    _Pragma("omp parallel") {                                    \
      float x[2048], y[2048];                                    \
      for (int i = 0; i < 2048; ++i) x[i] = (i % 97) * 0.01f - 0.5f; \
      float acc = 0;                                             \
      for (long r = 0; r < reps; ++r) {                          \
        _Pragma("omp simd")                                      \
        for (int i = 0; i < 2048; ++i) y[i] = F(x[i]);           \
        acc += y[r & 2047];                                      \
      }                                                          \
      if (acc == 12345.678f) printf("#");                        \
    }                                                            \
    double t = omp_get_wtime() - t0;                             \
    return 2048.0 * reps * omp_get_max_threads() / t;            \
  }
TRANSC_KERNEL(rate_expf, expf)
TRANSC_KERNEL(rate_tanhf, tanhf)

#ifdef __AVX512F__
/* theon's own float32 exp (faster than libmvec's where it exists): the
   floor takes the faster of the two. */
#include <immintrin.h>
#include "../../src/theon/backend/cpu/simd_math.inc"
static double rate_theon_expf(long reps) {
  double t0 = omp_get_wtime();
#pragma omp parallel
  {
    float x[2048], y[2048];
    for (int i = 0; i < 2048; ++i) x[i] = (i % 97) * 0.01f - 0.5f;
    float acc = 0;
    for (long r = 0; r < reps; ++r) {
      for (int i = 0; i < 2048; i += 16) _mm512_storeu_ps(y + i, theon_exp16(_mm512_loadu_ps(x + i)));
      acc += y[r & 2047];
    }
    if (acc == 12345.678f) printf("#");
  }
  double t = omp_get_wtime() - t0;
  return 2048.0 * reps * omp_get_max_threads() / t;
}
#endif
#endif

int main(int argc, char** argv) {
  long n = argc > 1 ? atol(argv[1]) : (1L << 25);
  int reps = 10;
  float* a = aligned_alloc(64, n * sizeof(float));
  float* b = aligned_alloc(64, n * sizeof(float));
  float* c = aligned_alloc(64, n * sizeof(float));
  if (!a || !b || !c) return 1;
#pragma omp parallel for schedule(static)
  for (long i = 0; i < n; ++i) a[i] = 1.0f, b[i] = 2.0f, c[i] = 0.0f;
  double tc[10], tt[10];
  for (int r = 0; r < reps; ++r) {
    double t0 = omp_get_wtime();
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; ++i) c[i] = a[i];
    tc[r] = omp_get_wtime() - t0;
    t0 = omp_get_wtime();
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; ++i) a[i] = b[i] + 3.0f * c[i];
    tt[r] = omp_get_wtime() - t0;
  }
  double f32 = 0, f64 = 0;
  for (int r = 0; r < 3; ++r) {
    double x = fma_f32(20000000L), y = fma_f64(20000000L);
    if (x > f32) f32 = x;
    if (y > f64) f64 = y;
  }
  double e = 0, th = 0, e_mvec = 0, e_theon = 0;
#ifdef K0_MVEC
  for (int r = 0; r < 3; ++r) {
    double x = rate_expf(20000), y = rate_tanhf(20000);
    if (x > e_mvec) e_mvec = x;
    if (y > th) th = y;
#ifdef __AVX512F__
    double z = rate_theon_expf(20000);
    if (z > e_theon) e_theon = z;
#endif
  }
  e = e_mvec > e_theon ? e_mvec : e_theon;
#endif
  printf("{\"threads\": %d, \"stream_copy_GBs\": %.3f, \"stream_triad_GBs\": %.3f, "
         "\"fma_f32_GFLOPs\": %.3f, \"fma_f64_GFLOPs\": %.3f, \"expf_Gps\": %.4f, \"tanhf_Gps\": %.4f, "
         "\"expf_libmvec_Gps\": %.4f, \"expf_theon_Gps\": %.4f, "
         "\"vector_bytes\": %d, \"check\": %.1f}\n",
         omp_get_max_threads(), 2.0 * n * 4 / best_of(tc, reps) / 1e9,
         3.0 * n * 4 / best_of(tt, reps) / 1e9, f32, f64, e / 1e9, th / 1e9, e_mvec / 1e9, e_theon / 1e9, VB, (double)a[n / 2]);
  free(a);
  free(b);
  free(c);
  return 0;
}
