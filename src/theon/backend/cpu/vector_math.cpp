// SIMD transcendentals: libmvec's `_ZGVdN8v_expf`-style entry points (the x86
// vector function ABI, AVX2 'd' variants, <= 4 ulp, special values handled
// by their scalar fallback) wrapped into block kernels of the scalar table.
// Only the kernels are compiled for AVX2; the loader runs on any CPU.
#include "backend/cpu/vector_math.hpp"

#include <dlfcn.h>
#include <immintrin.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>

#include "backend/cpu/vector_math_list.hpp"
#include "ops/scalar_functors.hpp"
#include "theon/ops.hpp"
#include "theon/runtime.hpp"

namespace theon {

namespace {

// Slots of the functions taken from libmvec (backend/cpu/vector_math_list.hpp).
enum Slot : int {
#define X(op, c) k_##op,
  THEON_MVEC_UNARY(X) THEON_MVEC_BINARY(X)
#undef X
      kNumSlots
};

// Resolved entry points, as untyped pointers: their vector types exist only
// inside the AVX2 region below.
void* g_f32[kNumSlots];
void* g_f64[kNumSlots];
// The AVX-512 variants (16 floats / 8 doubles), where the CPU has AVX-512F.
void* g_f32_512[kNumSlots];
void* g_f64_512[kNumSlots];
bool g_have_512 = false;
std::string g_info = "scalar kernels";

constexpr int64_t kExpSumChunk = 256;  // values per chunk of exp_sum (1 KB of float32)

// The scalar remainder of a row maximum: folds v[i, n) into m, NaN wins.
template <class T>
double row_max_tail(const T* v, int64_t i, int64_t n, T m, bool nan) {
  for (; i < n; ++i) {
    nan = nan || v[i] != v[i];
    m = v[i] > m ? v[i] : m;
  }
  return nan ? std::numeric_limits<double>::quiet_NaN() : static_cast<double>(m);
}

}  // namespace

#pragma GCC push_options
#pragma GCC target("avx2,fma")
namespace {

using VF1 = __m256 (*)(__m256);
using VD1 = __m256d (*)(__m256d);

// sigmoid and softplus from the vector exp and log1p, stable on both tails
// like the scalar rows: e = exp(-|x|) never overflows.
template <class V>
struct Ops;
template <>
struct Ops<float> {
  using R = __m256;
  static constexpr int W = 8;
  static R load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, R v) { _mm256_storeu_ps(p, v); }
  static R abs(R x) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), x); }
  static R neg(R x) { return _mm256_xor_ps(_mm256_set1_ps(-0.0f), x); }
  static R one() { return _mm256_set1_ps(1.0f); }
  static R zero() { return _mm256_setzero_ps(); }
  static R add(R a, R b) { return _mm256_add_ps(a, b); }
  static R div(R a, R b) { return _mm256_div_ps(a, b); }
  static R max(R a, R b) { return _mm256_max_ps(a, b); }
  static R select_ge0(R x, R a, R b) {
    return _mm256_blendv_ps(b, a, _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_GE_OQ));
  }
  static R isnan_keep(R x, R r) { return _mm256_blendv_ps(r, x, _mm256_cmp_ps(x, x, _CMP_UNORD_Q)); }
  static void* const* table() { return g_f32; }
  static R exp(R x) { return reinterpret_cast<VF1>(g_f32[k_exp])(x); }
  static R log1p(R x) { return reinterpret_cast<VF1>(g_f32[k_log1p])(x); }
};
template <>
struct Ops<double> {
  using R = __m256d;
  static constexpr int W = 4;
  static R load(const double* p) { return _mm256_loadu_pd(p); }
  static void store(double* p, R v) { _mm256_storeu_pd(p, v); }
  static R abs(R x) { return _mm256_andnot_pd(_mm256_set1_pd(-0.0), x); }
  static R neg(R x) { return _mm256_xor_pd(_mm256_set1_pd(-0.0), x); }
  static R one() { return _mm256_set1_pd(1.0); }
  static R zero() { return _mm256_setzero_pd(); }
  static R add(R a, R b) { return _mm256_add_pd(a, b); }
  static R div(R a, R b) { return _mm256_div_pd(a, b); }
  static R max(R a, R b) { return _mm256_max_pd(a, b); }
  static R select_ge0(R x, R a, R b) {
    return _mm256_blendv_pd(b, a, _mm256_cmp_pd(x, _mm256_setzero_pd(), _CMP_GE_OQ));
  }
  static R isnan_keep(R x, R r) { return _mm256_blendv_pd(r, x, _mm256_cmp_pd(x, x, _CMP_UNORD_Q)); }
  static void* const* table() { return g_f64; }
  static R exp(R x) { return reinterpret_cast<VD1>(g_f64[k_exp])(x); }
  static R log1p(R x) { return reinterpret_cast<VD1>(g_f64[k_log1p])(x); }
};

template <class T>
struct SigmoidV {
  using O = Ops<T>;
  static typename O::R f(typename O::R x) {
    auto e = O::exp(O::neg(O::abs(x)));
    auto d = O::add(O::one(), e);
    return O::isnan_keep(x, O::select_ge0(x, O::div(O::one(), d), O::div(e, d)));
  }
};
template <class T>
struct SoftplusV {
  using O = Ops<T>;
  static typename O::R f(typename O::R x) {
    auto r = O::add(O::max(x, O::zero()), O::log1p(O::exp(O::neg(O::abs(x)))));
    return O::isnan_keep(x, r);
  }
};

// A libmvec entry point (slot S) as a one- or two-argument vector function.
template <class T, int S>
struct Mvec {
  using R = typename Ops<T>::R;
  static R f(R x) { return reinterpret_cast<R (*)(R)>(Ops<T>::table()[S])(x); }
  static R f(R x, R y) { return reinterpret_cast<R (*)(R, R)>(Ops<T>::table()[S])(x, y); }
};

// Runs F::f over whole vectors; the ragged tail goes through one padded
// vector (zeros: no lane traps, since floating-point exceptions stay masked).
template <class F, class T, int Arity>
void vec_block(int64_t n, const void* const* in, void* out) {
  using O = Ops<T>;
  const T* a = static_cast<const T*>(in[0]);
  const T* b = Arity == 2 ? static_cast<const T*>(in[1]) : nullptr;
  T* o = static_cast<T*>(out);
  auto apply = [](const T* pa, const T* pb, T* po) {
    if constexpr (Arity == 1)
      O::store(po, F::f(O::load(pa)));
    else
      O::store(po, F::f(O::load(pa), O::load(pb)));
  };
  int64_t i = 0;
  for (; i + O::W <= n; i += O::W) apply(a + i, Arity == 2 ? b + i : nullptr, o + i);
  if (i < n) {
    T t[O::W] = {}, u[O::W] = {};
    std::memcpy(t, a + i, (n - i) * sizeof(T));
    if (Arity == 2) std::memcpy(u, b + i, (n - i) * sizeof(T));
    apply(t, u, t);
    std::memcpy(o + i, t, (n - i) * sizeof(T));
  }
}

// The cheap arithmetic rows, recompiled for AVX2 (the table's own copies are
// built for the baseline x86-64 and vectorize only 4 floats wide).
template <class F, class T>
void arith1(int64_t n, const void* const* in, void* out) {
  const T* __restrict a = static_cast<const T*>(in[0]);
  T* __restrict o = static_cast<T*>(out);
  for (int64_t i = 0; i < n; ++i) o[i] = F::f(a[i]);
}
template <class F, class T>
void arith2(int64_t n, const void* const* in, void* out) {
  const T* __restrict a = static_cast<const T*>(in[0]);
  const T* __restrict b = static_cast<const T*>(in[1]);
  T* __restrict o = static_cast<T*>(out);
  for (int64_t i = 0; i < n; ++i) o[i] = F::f(a[i], b[i]);
}
template <class F, class T>
void arith3(int64_t n, const void* const* in, void* out) {
  const T* __restrict a = static_cast<const T*>(in[0]);
  const T* __restrict b = static_cast<const T*>(in[1]);
  const T* __restrict c = static_cast<const T*>(in[2]);
  T* __restrict o = static_cast<T*>(out);
  for (int64_t i = 0; i < n; ++i) o[i] = F::f(a[i], b[i], c[i]);
}

// The lanes of the row kernels (row_kernels.inc) over 256-bit vectors.
template <class T>
struct Lanes256;
template <>
struct Lanes256<float> {
  using T = float;
  using R = __m256;
  using Acc = __m256d;
  using Nan = __m256;
  static constexpr int W = 8;
  static R load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, R v) { _mm256_storeu_ps(p, v); }
  static R set1(float v) { return _mm256_set1_ps(v); }
  static R sub(R a, R b) { return _mm256_sub_ps(a, b); }
  static R max(R a, R b) { return _mm256_max_ps(a, b); }
  static R exp(R x) { return Ops<float>::exp(x); }
  static Acc zero() { return _mm256_setzero_pd(); }
  static void acc(Acc& s0, Acc& s1, R v) {
    s0 = _mm256_add_pd(s0, _mm256_cvtps_pd(_mm256_castps256_ps128(v)));
    s1 = _mm256_add_pd(s1, _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)));
  }
  static double hsum(Acc s0, Acc s1) {
    alignas(32) double l[4];
    _mm256_store_pd(l, _mm256_add_pd(s0, s1));
    return (l[0] + l[1]) + (l[2] + l[3]);
  }
  static Nan nan_none() { return _mm256_setzero_ps(); }
  static void nan_add(Nan& n, R x) { n = _mm256_or_ps(n, _mm256_cmp_ps(x, x, _CMP_UNORD_Q)); }
  static bool any(Nan n) { return _mm256_movemask_ps(n) != 0; }
};
template <>
struct Lanes256<double> {
  using T = double;
  using R = __m256d;
  using Acc = __m256d;
  using Nan = __m256d;
  static constexpr int W = 4;
  static R load(const double* p) { return _mm256_loadu_pd(p); }
  static void store(double* p, R v) { _mm256_storeu_pd(p, v); }
  static R set1(double v) { return _mm256_set1_pd(v); }
  static R sub(R a, R b) { return _mm256_sub_pd(a, b); }
  static R max(R a, R b) { return _mm256_max_pd(a, b); }
  static R exp(R x) { return Ops<double>::exp(x); }
  static Acc zero() { return _mm256_setzero_pd(); }
  static void acc(Acc& s0, Acc&, R v) { s0 = _mm256_add_pd(s0, v); }
  static double hsum(Acc s0, Acc s1) { return Lanes256<float>::hsum(s0, s1); }
  static Nan nan_none() { return _mm256_setzero_pd(); }
  static void nan_add(Nan& n, R x) { n = _mm256_or_pd(n, _mm256_cmp_pd(x, x, _CMP_UNORD_Q)); }
  static bool any(Nan n) { return _mm256_movemask_pd(n) != 0; }
};

namespace avx2 {
#include "backend/cpu/row_kernels.inc"
}  // namespace avx2

}  // namespace
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx512f")
namespace {

// GCC 12's AVX-512 intrinsics pass an undefined vector as the unused
// merge source, which -Wuninitialized reports under a target pragma.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#include "backend/cpu/simd_math.inc"
#pragma GCC diagnostic pop

// theon's own float32 exp (simd_math.inc) in libmvec's slot.
__m512 own_exp16(__m512 x) { return theon_exp16(x); }
void use_own_float_kernels() { g_f32_512[k_exp] = reinterpret_cast<void*>(&own_exp16); }

// The plain libmvec functions over 512-bit vectors (sigmoid and softplus,
// built from blends, stay on the AVX2 path).
template <class T>
struct Ops512;
template <>
struct Ops512<float> {
  using R = __m512;
  static constexpr int W = 16;
  static R load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, R v) { _mm512_storeu_ps(p, v); }
  static void* const* table() { return g_f32_512; }
};
template <>
struct Ops512<double> {
  using R = __m512d;
  static constexpr int W = 8;
  static R load(const double* p) { return _mm512_loadu_pd(p); }
  static void store(double* p, R v) { _mm512_storeu_pd(p, v); }
  static void* const* table() { return g_f64_512; }
};

template <class T, int S, int Arity>
void vec_block512(int64_t n, const void* const* in, void* out) {
  using O = Ops512<T>;
  using R = typename O::R;
  const T* a = static_cast<const T*>(in[0]);
  const T* b = Arity == 2 ? static_cast<const T*>(in[1]) : nullptr;
  T* o = static_cast<T*>(out);
  auto apply = [](const T* pa, const T* pb, T* po) {
    if constexpr (Arity == 1)
      O::store(po, reinterpret_cast<R (*)(R)>(O::table()[S])(O::load(pa)));
    else
      O::store(po, reinterpret_cast<R (*)(R, R)>(O::table()[S])(O::load(pa), O::load(pb)));
  };
  int64_t i = 0;
  for (; i + O::W <= n; i += O::W) apply(a + i, Arity == 2 ? b + i : nullptr, o + i);
  if (i < n) {  // the ragged tail through one zero-padded vector
    T t[O::W] = {}, u[O::W] = {};
    std::memcpy(t, a + i, (n - i) * sizeof(T));
    if (Arity == 2) std::memcpy(u, b + i, (n - i) * sizeof(T));
    apply(t, u, t);
    std::memcpy(o + i, t, (n - i) * sizeof(T));
  }
}

// The lanes of the row kernels over 512-bit vectors. The masked forms of
// max and the float64 conversions: the plain ones trip GCC 12's
// -Wmaybe-uninitialized.
template <class T>
struct Lanes512;
template <>
struct Lanes512<float> {
  using T = float;
  using R = __m512;
  using Acc = __m512d;
  using Nan = unsigned;
  static constexpr int W = 16;
  static R load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, R v) { _mm512_storeu_ps(p, v); }
  static R set1(float v) { return _mm512_set1_ps(v); }
  static R sub(R a, R b) { return _mm512_sub_ps(a, b); }
  static R max(R a, R b) { return _mm512_maskz_max_ps(0xFFFF, a, b); }
  static R exp(R x) { return reinterpret_cast<R (*)(R)>(g_f32_512[k_exp])(x); }
  static Acc zero() { return _mm512_setzero_pd(); }
  static void acc(Acc& s0, Acc& s1, R v) {
    const __m256 lo = _mm256_castpd_ps(_mm512_maskz_extractf64x4_pd(0xF, _mm512_castps_pd(v), 0));
    const __m256 hi = _mm256_castpd_ps(_mm512_maskz_extractf64x4_pd(0xF, _mm512_castps_pd(v), 1));
    s0 = _mm512_add_pd(s0, _mm512_maskz_cvtps_pd(0xFF, lo));
    s1 = _mm512_add_pd(s1, _mm512_maskz_cvtps_pd(0xFF, hi));
  }
  static double hsum(Acc s0, Acc s1) {
    alignas(64) double l[8];
    _mm512_store_pd(l, _mm512_add_pd(s0, s1));
    return ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]));
  }
  static Nan nan_none() { return 0; }
  static void nan_add(Nan& n, R x) { n |= _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q); }
  static bool any(Nan n) { return n != 0; }
};
template <>
struct Lanes512<double> {
  using T = double;
  using R = __m512d;
  using Acc = __m512d;
  using Nan = unsigned;
  static constexpr int W = 8;
  static R load(const double* p) { return _mm512_loadu_pd(p); }
  static void store(double* p, R v) { _mm512_storeu_pd(p, v); }
  static R set1(double v) { return _mm512_set1_pd(v); }
  static R sub(R a, R b) { return _mm512_sub_pd(a, b); }
  static R max(R a, R b) { return _mm512_maskz_max_pd(0xFF, a, b); }
  static R exp(R x) { return reinterpret_cast<R (*)(R)>(g_f64_512[k_exp])(x); }
  static Acc zero() { return _mm512_setzero_pd(); }
  static void acc(Acc& s0, Acc&, R v) { s0 = _mm512_add_pd(s0, v); }
  static double hsum(Acc s0, Acc s1) { return Lanes512<float>::hsum(s0, s1); }
  static Nan nan_none() { return 0; }
  static void nan_add(Nan& n, R x) { n |= _mm512_cmp_pd_mask(x, x, _CMP_UNORD_Q); }
  static bool any(Nan n) { return n != 0; }
};

namespace avx512 {
#include "backend/cpu/row_kernels.inc"
}  // namespace avx512

}  // namespace
#pragma GCC pop_options

// Rows whose functor is plain arithmetic: (op, functor, arity).
// clang-format off
#define THEON_AVX2_ARITH(X)  \
  X(add, Add, 2)             \
  X(sub, Sub, 2)             \
  X(mul, Mul, 2)             \
  X(true_div, TrueDiv, 2)    \
  X(maximum, Maximum, 2)     \
  X(minimum, Minimum, 2)     \
  X(second, Second, 2)       \
  X(neg, Neg, 1)             \
  X(sqr, Sqr, 1)             \
  X(sqrt, Sqrt, 1)           \
  X(inv, Inv, 1)             \
  X(abs, Abs, 1)             \
  X(identity, Identity, 1)   \
  X(clip, Clip, 3)           \
  X(switch_, Switch, 3)
// clang-format on

namespace {

const char* simd_env() { return std::getenv("THEON_SIMD_MATH"); }

bool simd_enabled() {
  static const bool ok = [] {
    if (simd_level() != SimdLevel::Scalar) return true;
    const char* env = simd_env();
    g_info = env && std::string(env) == "0" ? "scalar kernels (THEON_SIMD_MATH=0)" : "scalar kernels (no AVX2+FMA)";
    return false;
  }();
  return ok;
}

// libm's name of each slot and its arity, in slot order.
struct SlotName {
  const char* c;
  int arity;
};
constexpr SlotName kSlotNames[] = {
#define X(op, c) {#c, 1},
    THEON_MVEC_UNARY(X)
#undef X
#define X(op, c) {#c, 2},
        THEON_MVEC_BINARY(X)
#undef X
};

// Resolves every slot's vector variant of one ISA (the vector function ABI's
// letter: d = AVX2, e = AVX-512) and lane counts into f32/f64; true only
// when all of them exist (results never depend on which happened to resolve).
bool resolve(void* h, char isa, int lanes32, int lanes64, void** f32, void** f64) {
  bool all = true;
  for (int k = 0; k < kNumSlots; ++k) {
    const std::string v(kSlotNames[k].arity, 'v');
    const std::string base = std::string("_ZGV") + isa + "N";
    f32[k] = dlsym(h, (base + std::to_string(lanes32) + v + "_" + kSlotNames[k].c + "f").c_str());
    f64[k] = dlsym(h, (base + std::to_string(lanes64) + v + "_" + kSlotNames[k].c).c_str());
    all = all && f32[k] && f64[k];
  }
  return all;
}

// Fills the tables once: the AVX2 variants (all or none), then the AVX-512
// ones where the CPU has AVX-512F (THEON_SIMD_MATH=avx2 keeps AVX2).
bool load_mvec() {
  static const bool ok = [] {
    if (!simd_enabled()) return false;
    void* h = dlopen("libmvec.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
      g_info = "AVX2 arithmetic, scalar libm (libmvec.so.1 not found)";
      return false;
    }
    if (!resolve(h, 'd', 8, 4, g_f32, g_f64)) {
      g_info = "AVX2 arithmetic, scalar libm (libmvec lacks some entry points)";
      return false;
    }
    g_info = "AVX2 arithmetic, libmvec AVX2 transcendentals";
    if (simd_level() == SimdLevel::AVX512) {
      g_have_512 = resolve(h, 'e', 16, 8, g_f32_512, g_f64_512);
      if (g_have_512) {
        use_own_float_kernels();
        g_info = "AVX2 arithmetic, libmvec AVX-512 transcendentals (float32 exp: theon's)";
      }
    }
    return true;
  }();
  return ok;
}

}  // namespace

SimdLevel simd_level() {
  static const SimdLevel level = [] {
    const char* env = simd_env();
    if (env && std::string(env) == "0") return SimdLevel::Scalar;
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) return SimdLevel::Scalar;
    if (__builtin_cpu_supports("avx512f") && !(env && std::string(env) == "avx2")) return SimdLevel::AVX512;
    return SimdLevel::AVX2;
  }();
  return level;
}

RowMaxFn row_max_kernel(CT ct) {
  if ((ct != CT::F32 && ct != CT::F64) || !simd_enabled()) return nullptr;
  const bool f = ct == CT::F32;
  if (simd_level() == SimdLevel::AVX512)
    return f ? &avx512::row_max_row<Lanes512<float>> : &avx512::row_max_row<Lanes512<double>>;
  return f ? &avx2::row_max_row<Lanes256<float>> : &avx2::row_max_row<Lanes256<double>>;
}

ExpSumFn exp_sum_kernel(CT ct) {
  if ((ct != CT::F32 && ct != CT::F64) || !load_mvec()) return nullptr;
  const bool f = ct == CT::F32;
  if (g_have_512) return f ? &avx512::exp_sum_row<Lanes512<float>> : &avx512::exp_sum_row<Lanes512<double>>;
  return f ? &avx2::exp_sum_row<Lanes256<float>> : &avx2::exp_sum_row<Lanes256<double>>;
}

BlockFn vector_kernel(ScalarOpId id, CT ct) {
  if ((ct != CT::F32 && ct != CT::F64) || !simd_enabled()) return nullptr;
  const bool f = ct == CT::F32;
  switch (id) {
#define X(op, F, k)    \
  case ScalarOpId::op: \
    return f ? &arith##k<sf::F, float> : &arith##k<sf::F, double>;
    THEON_AVX2_ARITH(X)
#undef X
    default:
      break;
  }
  if (!load_mvec()) return nullptr;
  if (g_have_512) {
    switch (id) {
#define X(op, c)       \
  case ScalarOpId::op: \
    return f ? &vec_block512<float, k_##op, 1> : &vec_block512<double, k_##op, 1>;
      THEON_MVEC_UNARY(X)
#undef X
#define X(op, c)       \
  case ScalarOpId::op: \
    return f ? &vec_block512<float, k_##op, 2> : &vec_block512<double, k_##op, 2>;
      THEON_MVEC_BINARY(X)
#undef X
      default:
        break;
    }
  }
  switch (id) {
#define X(op, c)       \
  case ScalarOpId::op: \
    return f ? &vec_block<Mvec<float, k_##op>, float, 1> : &vec_block<Mvec<double, k_##op>, double, 1>;
    THEON_MVEC_UNARY(X)
#undef X
#define X(op, c)       \
  case ScalarOpId::op: \
    return f ? &vec_block<Mvec<float, k_##op>, float, 2> : &vec_block<Mvec<double, k_##op>, double, 2>;
    THEON_MVEC_BINARY(X)
#undef X
    case ScalarOpId::sigmoid:
      return f ? &vec_block<SigmoidV<float>, float, 1> : &vec_block<SigmoidV<double>, double, 1>;
    case ScalarOpId::softplus:
      return f ? &vec_block<SoftplusV<float>, float, 1> : &vec_block<SoftplusV<double>, double, 1>;
    default:
      return nullptr;
  }
}

std::string simd_info() {
  load_mvec();
  return g_info;
}

BlockFn cpu_block_fn(ScalarOpId id, CT ct) {
  static const auto table = [] {
    std::vector<std::array<BlockFn, kNumCT>> t(kNumScalarOps);
    for (int i = 0; i < kNumScalarOps; ++i) {
      const auto id_i = static_cast<ScalarOpId>(i);
      t[i] = scalar_def(id_i).fn;
      for (CT c : {CT::F32, CT::F64})
        if (t[i][static_cast<int>(c)])
          if (BlockFn v = vector_kernel(id_i, c)) t[i][static_cast<int>(c)] = v;
    }
    return t;
  }();
  return table[static_cast<int>(id)][static_cast<int>(ct)];
}

}  // namespace theon
