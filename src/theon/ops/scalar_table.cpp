// The ONE table of elementwise scalar functions: kernel, type rule, supported
// compute types and derivative, a row each.
#include "ops/scalar_table.hpp"

#include <cmath>

#include "ops/scalar_functors.hpp"
#include "theon/ops.hpp"

namespace theon {

CT compute_type(DType d) {
  switch (d) {
    case DType::Bool:
      return CT::Bool;
    case DType::Int8:
    case DType::Int16:
    case DType::Int32:
    case DType::Int64:
      return CT::I64;
    case DType::UInt8:
    case DType::UInt16:
    case DType::UInt32:
    case DType::UInt64:
      return CT::U64;
    case DType::Float16:  // float16 is storage only: it computes in float32
    case DType::Float32:
      return CT::F32;
    case DType::Float64:
      return CT::F64;
    case DType::Complex64:
      return CT::C64;
    case DType::Complex128:
      return CT::C128;
  }
  return CT::F64;
}

DType ct_dtype(CT c) {
  constexpr DType m[] = {
#define THEON_CT_DTYPE(name, type, dtype) DType::dtype,
      THEON_COMPUTE_TYPES(THEON_CT_DTYPE)
#undef THEON_CT_DTYPE
  };
  return m[static_cast<int>(c)];
}

namespace {

using c64 = std::complex<float>;
using c128 = std::complex<double>;

template <class F, class T>
void block1(int64_t n, const void* const* in, void* out) {
  using R = decltype(F::f(T{}));
  const T* __restrict a = static_cast<const T*>(in[0]);
  R* __restrict o = static_cast<R*>(out);
  for (int64_t i = 0; i < n; ++i) o[i] = F::f(a[i]);
}
template <class F, class T>
void block2(int64_t n, const void* const* in, void* out) {
  using R = decltype(F::f(T{}, T{}));
  const T* __restrict a = static_cast<const T*>(in[0]);
  const T* __restrict b = static_cast<const T*>(in[1]);
  R* __restrict o = static_cast<R*>(out);
  for (int64_t i = 0; i < n; ++i) o[i] = F::f(a[i], b[i]);
}
template <class F, class T>
void block3(int64_t n, const void* const* in, void* out) {
  using R = decltype(F::f(T{}, T{}, T{}));
  const T* __restrict a = static_cast<const T*>(in[0]);
  const T* __restrict b = static_cast<const T*>(in[1]);
  const T* __restrict c = static_cast<const T*>(in[2]);
  R* __restrict o = static_cast<R*>(out);
  for (int64_t i = 0; i < n; ++i) o[i] = F::f(a[i], b[i], c[i]);
}

// Compute-type masks: bit k is CT k.
enum Mask : unsigned { B = 1, I = 2, U = 4, F = 8 | 16, C = 32 | 64, ALL = 127 };
static_assert(kNumCT == 7 && static_cast<int>(CT::I64) == 1 && static_cast<int>(CT::F32) == 3 &&
                  static_cast<int>(CT::C64) == 5,
              "the masks follow THEON_COMPUTE_TYPES's order");

template <class Fn, int Arity, unsigned M, class T>
void fill_one(ScalarOpDef& d) {
  constexpr int k = static_cast<int>(ct_of<T>());
  if constexpr ((M >> k) & 1u) {
    if constexpr (Arity == 1) {
      d.fn[k] = &block1<Fn, T>;
      d.out_ct[k] = ct_of<decltype(Fn::f(T{}))>();
    } else if constexpr (Arity == 2) {
      d.fn[k] = &block2<Fn, T>;
      d.out_ct[k] = ct_of<decltype(Fn::f(T{}, T{}))>();
    } else {
      d.fn[k] = &block3<Fn, T>;
      d.out_ct[k] = ct_of<decltype(Fn::f(T{}, T{}, T{}))>();
    }
  }
}

// The qualified name of a functor type, read from the compiler's signature
// string ("... [with F = theon::sf::Exp]"): generated code names the same functor.
template <class F>
std::string functor_name() {
  std::string_view s = __PRETTY_FUNCTION__;
  const size_t at = s.find("F = ") + 4;
  return std::string(s.substr(at, s.find_first_of(";]", at) - at));
}

// A row of the table for function `Id`: its arity must be the one listed in
// THEON_SCALAR_OPS, and the functor must take that many arguments (fill_one).
template <ScalarOpId Id, class Fn, int Arity, unsigned M>
std::pair<ScalarOpId, ScalarOpDef> row(std::string_view name, TypeRule rule, ScalarGradFn g) {
  static_assert(Arity == kScalarArity[static_cast<int>(Id)], "the row's arity differs from THEON_SCALAR_OPS");
  ScalarOpDef d{name, Arity, rule, {}, {}, g, functor_name<Fn>()};
#define THEON_CT_FILL(name, type, dtype) fill_one<Fn, Arity, M, type>(d);
  THEON_COMPUTE_TYPES(THEON_CT_FILL)
#undef THEON_CT_FILL
  return {Id, d};
}

// Shorthands for the derivative rows.
Var k(double v, const Var& like) { return scalar_like(v, like); }
using VV = std::vector<Var>;
constexpr double kLn2 = 0.69314718055994530942, kLn10 = 2.30258509299404568402;
constexpr double k2OverSqrtPi = 1.12837916709551257390;

// x^(k-1) e^-x (divided by gamma(k) when `regularized`), the incomplete gammas' derivative in x.
Var gamma_density(const Var& k_, const Var& x, const Var& like, bool regularized) {
  Var log_d = sub(mul(sub(k_, k(1, like)), log(x)), x);
  return exp(regularized ? sub(log_d, gammaln(k_)) : log_d);
}

// The name a function is listed under in THEON_SCALAR_OPS (for the table's own checks).
const char* scalar_name_listed(int i) {
  static constexpr const char* names[] = {
#define X(n, a) #n,
      THEON_SCALAR_OPS(X)
#undef X
  };
  return names[i];
}

std::vector<ScalarOpDef> build_table() {
  using enum TypeRule;
  std::vector<ScalarOpDef> t(kNumScalarOps);
  auto set = [&](std::pair<ScalarOpId, ScalarOpDef> r) {
    THEON_CHECK(t[static_cast<int>(r.first)].name.empty(), "scalar table: two rows for " + std::string(r.second.name));
    t[static_cast<int>(r.first)] = std::move(r.second);
  };
  using S = ScalarOpId;
  // clang-format off
  set(row<S::add, sf::Add, 2, B|I|U|F|C>("add", Upcast, [](const VV&, const Var&, const Var& gz) -> VV { return {gz, gz}; }));
  set(row<S::sub, sf::Sub, 2, I|U|F|C>("sub", Upcast, [](const VV&, const Var&, const Var& gz) -> VV { return {gz, neg(gz)}; }));
  set(row<S::mul, sf::Mul, 2, B|I|U|F|C>("mul", Upcast, [](const VV& x, const Var&, const Var& gz) -> VV { return {mul(gz, x[1]), mul(gz, x[0])}; }));
  set(row<S::true_div, sf::TrueDiv, 2, F|C>("true_div", Float, [](const VV& x, const Var& z, const Var& gz) -> VV {
    return {true_div(gz, x[1]), neg(true_div(mul(gz, z), x[1]))}; }));
  set(row<S::int_div, sf::IntDiv, 2, I|U|F>("int_div", Upcast, [](const VV& x, const Var&, const Var&) -> VV {
    return {zeros_like(x[0]), zeros_like(x[1])}; }));
  set(row<S::mod, sf::Mod, 2, I|U|F>("mod", Upcast, [](const VV& x, const Var&, const Var& gz) -> VV {
    return {gz, neg(mul(gz, int_div(x[0], x[1])))}; }));
  set(row<S::pow, sf::Pow, 2, I|U|F|C>("pow", Upcast, [](const VV& x, const Var& z, const Var& gz) -> VV {
    return {mul(gz, mul(x[1], pow(x[0], sub(x[1], k(1, x[1]))))), mul(gz, mul(log(x[0]), z))}; }));
  set(row<S::maximum, sf::Maximum, 2, B|I|U|F>("maximum", Upcast, [](const VV& x, const Var&, const Var& gz) -> VV {
    return {mul(gz, ge(x[0], x[1])), mul(gz, lt(x[0], x[1]))}; }));
  set(row<S::minimum, sf::Minimum, 2, B|I|U|F>("minimum", Upcast, [](const VV& x, const Var&, const Var& gz) -> VV {
    return {mul(gz, le(x[0], x[1])), mul(gz, gt(x[0], x[1]))}; }));
  set(row<S::arctan2, sf::ArcTan2, 2, F>("arctan2", Float, [](const VV& x, const Var&, const Var& gz) -> VV {
    Var r = add(sqr(x[0]), sqr(x[1]));
    return {mul(gz, true_div(x[1], r)), neg(mul(gz, true_div(x[0], r)))}; }));
  set(row<S::lt, sf::Lt, 2, B|I|U|F>("lt", Bool, nullptr));
  set(row<S::gt, sf::Gt, 2, B|I|U|F>("gt", Bool, nullptr));
  set(row<S::le, sf::Le, 2, B|I|U|F>("le", Bool, nullptr));
  set(row<S::ge, sf::Ge, 2, B|I|U|F>("ge", Bool, nullptr));
  set(row<S::eq, sf::Eq, 2, ALL>("eq", Bool, nullptr));
  set(row<S::neq, sf::Neq, 2, ALL>("neq", Bool, nullptr));
  set(row<S::and_, sf::And, 2, B|I|U>("and_", Upcast, nullptr));
  set(row<S::or_, sf::Or, 2, B|I|U>("or_", Upcast, nullptr));
  set(row<S::xor_, sf::Xor, 2, B|I|U>("xor", Upcast, nullptr));
  set(row<S::second, sf::Second, 2, ALL>("second", Second, [](const VV& x, const Var&, const Var& gz) -> VV {
    return {zeros_like(x[0]), gz}; }));
  set(row<S::neg, sf::Neg, 1, I|U|F|C>("neg", Upcast, [](const VV&, const Var&, const Var& gz) -> VV { return {neg(gz)}; }));
  set(row<S::abs, sf::Abs, 1, I|U|F|C>("abs", RealUpcast, [](const VV& x, const Var&, const Var& gz) -> VV {
    if (is_complex(x[0]->dtype())) throw NotImplementedError("the gradient of abs is not implemented for complex inputs");
    return {mul(gz, sgn(x[0]))}; }));
  set(row<S::sgn, sf::Sgn, 1, I|U|F>("sgn", Upcast, [](const VV& x, const Var&, const Var&) -> VV { return {zeros_like(x[0])}; }));
  set(row<S::sqr, sf::Sqr, 1, B|I|U|F|C>("sqr", Upcast, [](const VV& x, const Var&, const Var& gz) -> VV {
    return {mul(gz, mul(x[0], k(2, x[0])))}; }));
  set(row<S::sqrt, sf::Sqrt, 1, F|C>("sqrt", Float, [](const VV&, const Var& z, const Var& gz) -> VV {
    return {true_div(mul(gz, k(0.5, z)), z)}; }));
  set(row<S::inv, sf::Inv, 1, F|C>("inv", Float, [](const VV&, const Var& z, const Var& gz) -> VV { return {neg(mul(gz, sqr(z)))}; }));
  set(row<S::exp, sf::Exp, 1, F|C>("exp", Float, [](const VV&, const Var& z, const Var& gz) -> VV { return {mul(gz, z)}; }));
  set(row<S::exp2, sf::Exp2, 1, F|C>("exp2", Float, [](const VV&, const Var& z, const Var& gz) -> VV { return {mul(gz, mul(z, k(kLn2, z)))}; }));
  set(row<S::expm1, sf::Expm1, 1, F>("expm1", Float, [](const VV&, const Var& z, const Var& gz) -> VV { return {mul(gz, add(z, k(1, z)))}; }));
  set(row<S::log, sf::Log, 1, F|C>("log", Float, [](const VV& x, const Var&, const Var& gz) -> VV { return {true_div(gz, x[0])}; }));
  set(row<S::log2, sf::Log2, 1, F|C>("log2", Float, [](const VV& x, const Var& z, const Var& gz) -> VV { return {true_div(gz, mul(x[0], k(kLn2, z)))}; }));
  set(row<S::log10, sf::Log10, 1, F|C>("log10", Float, [](const VV& x, const Var& z, const Var& gz) -> VV { return {true_div(gz, mul(x[0], k(kLn10, z)))}; }));
  set(row<S::log1p, sf::Log1p, 1, F>("log1p", Float, [](const VV& x, const Var& z, const Var& gz) -> VV { return {true_div(gz, add(x[0], k(1, z)))}; }));
  set(row<S::sin, sf::Sin, 1, F|C>("sin", Float, [](const VV& x, const Var&, const Var& gz) -> VV { return {mul(gz, cos(x[0]))}; }));
  set(row<S::cos, sf::Cos, 1, F|C>("cos", Float, [](const VV& x, const Var&, const Var& gz) -> VV { return {neg(mul(gz, sin(x[0])))}; }));
  set(row<S::tan, sf::Tan, 1, F|C>("tan", Float, [](const VV&, const Var& z, const Var& gz) -> VV { return {mul(gz, add(k(1, z), sqr(z)))}; }));
  set(row<S::arcsin, sf::ArcSin, 1, F|C>("arcsin", Float, [](const VV& x, const Var& z, const Var& gz) -> VV {
    return {true_div(gz, sqrt(sub(k(1, z), sqr(x[0]))))}; }));
  set(row<S::arccos, sf::ArcCos, 1, F|C>("arccos", Float, [](const VV& x, const Var& z, const Var& gz) -> VV {
    return {neg(true_div(gz, sqrt(sub(k(1, z), sqr(x[0])))))}; }));
  set(row<S::arctan, sf::ArcTan, 1, F|C>("arctan", Float, [](const VV& x, const Var& z, const Var& gz) -> VV {
    return {true_div(gz, add(k(1, z), sqr(x[0])))}; }));
  set(row<S::sinh, sf::Sinh, 1, F|C>("sinh", Float, [](const VV& x, const Var&, const Var& gz) -> VV { return {mul(gz, cosh(x[0]))}; }));
  set(row<S::cosh, sf::Cosh, 1, F|C>("cosh", Float, [](const VV& x, const Var&, const Var& gz) -> VV { return {mul(gz, sinh(x[0]))}; }));
  set(row<S::tanh, sf::Tanh, 1, F|C>("tanh", Float, [](const VV&, const Var& z, const Var& gz) -> VV { return {mul(gz, sub(k(1, z), sqr(z)))}; }));
  set(row<S::arcsinh, sf::ArcSinh, 1, F|C>("arcsinh", Float, [](const VV& x, const Var& z, const Var& gz) -> VV {
    return {true_div(gz, sqrt(add(sqr(x[0]), k(1, z))))}; }));
  set(row<S::arccosh, sf::ArcCosh, 1, F|C>("arccosh", Float, [](const VV& x, const Var& z, const Var& gz) -> VV {
    return {true_div(gz, sqrt(sub(sqr(x[0]), k(1, z))))}; }));
  set(row<S::arctanh, sf::ArcTanh, 1, F|C>("arctanh", Float, [](const VV& x, const Var& z, const Var& gz) -> VV {
    return {true_div(gz, sub(k(1, z), sqr(x[0])))}; }));
  auto zero1 = [](const VV& x, const Var&, const Var&) -> VV { return {zeros_like(x[0])}; };
  set(row<S::floor, sf::Floor, 1, F>("floor", Float, zero1));
  set(row<S::ceil, sf::Ceil, 1, F>("ceil", Float, zero1));
  set(row<S::round, sf::Round, 1, F>("round_half_to_even", Upcast, zero1));
  set(row<S::trunc, sf::Trunc, 1, F>("trunc", Float, zero1));
  set(row<S::invert, sf::Invert, 1, B|I|U>("invert", Upcast, nullptr));
  set(row<S::isnan, sf::IsNan, 1, ALL>("isnan", Bool, nullptr));
  set(row<S::isinf, sf::IsInf, 1, ALL>("isinf", Bool, nullptr));
  set(row<S::identity, sf::Identity, 1, ALL>("identity", Upcast, [](const VV&, const Var&, const Var& gz) -> VV { return {gz}; }));
  set(row<S::sigmoid, sf::Sigmoid, 1, F>("sigmoid", Float, [](const VV&, const Var& z, const Var& gz) -> VV {
    return {mul(gz, mul(z, sub(k(1, z), z)))}; }));
  set(row<S::softplus, sf::Softplus, 1, F>("softplus", Float, [](const VV& x, const Var&, const Var& gz) -> VV { return {mul(gz, sigmoid(x[0]))}; }));
  set(row<S::erf, sf::Erf, 1, F>("erf", Float, [](const VV& x, const Var& z, const Var& gz) -> VV {
    return {mul(gz, mul(k(k2OverSqrtPi, z), exp(neg(sqr(x[0])))))}; }));
  set(row<S::erfc, sf::Erfc, 1, F>("erfc", Float, [](const VV& x, const Var& z, const Var& gz) -> VV {
    return {neg(mul(gz, mul(k(k2OverSqrtPi, z), exp(neg(sqr(x[0]))))))}; }));
  set(row<S::gamma, sf::Gamma, 1, F>("gamma", Float, [](const VV& x, const Var& z, const Var& gz) -> VV { return {mul(gz, mul(z, psi(x[0])))}; }));
  set(row<S::gammaln, sf::GammaLn, 1, F>("gammaln", Float, [](const VV& x, const Var&, const Var& gz) -> VV { return {mul(gz, psi(x[0]))}; }));
  set(row<S::psi, sf::Psi, 1, F>("psi", Float, [](const VV& x, const Var&, const Var& gz) -> VV { return {mul(gz, tri_gamma(x[0]))}; }));
  set(row<S::tri_gamma, sf::TriGamma, 1, F>("tri_gamma", Float, nullptr));
  // Special functions: derivatives in the first (only) argument, or in x of (k, x) and (v, x).
  constexpr double kSqrtPiOver2 = 0.88622692545275801365;
  set(row<S::erfinv, sf::ErfInv, 1, F>("erfinv", Float, [](const VV&, const Var& z, const Var& gz) -> VV {
    return {mul(gz, mul(k(kSqrtPiOver2, z), exp(sqr(z))))}; }));
  set(row<S::erfcinv, sf::ErfcInv, 1, F>("erfcinv", Float, [](const VV&, const Var& z, const Var& gz) -> VV {
    return {neg(mul(gz, mul(k(kSqrtPiOver2, z), exp(sqr(z)))))}; }));
  set(row<S::erfcx, sf::Erfcx, 1, F>("erfcx", Float, [](const VV& x, const Var& z, const Var& gz) -> VV {
    return {mul(gz, sub(mul(k(2, z), mul(x[0], z)), k(k2OverSqrtPi, z)))}; }));
  set(row<S::j0, sf::J0, 1, F>("j0", Float, [](const VV& x, const Var&, const Var& gz) -> VV { return {neg(mul(gz, j1(x[0])))}; }));
  set(row<S::j1, sf::J1, 1, F>("j1", Float, [](const VV& x, const Var& z, const Var& gz) -> VV {
    return {mul(gz, mul(k(0.5, z), sub(j0(x[0]), jv(k(2, z), x[0]))))}; }));
  set(row<S::i0, sf::I0, 1, F>("i0", Float, [](const VV& x, const Var&, const Var& gz) -> VV { return {mul(gz, i1(x[0]))}; }));
  set(row<S::i1, sf::I1, 1, F>("i1", Float, [](const VV& x, const Var& z, const Var& gz) -> VV {
    return {mul(gz, mul(k(0.5, z), add(i0(x[0]), iv(k(2, z), x[0]))))}; }));
  // The incomplete gammas' derivative in x: x^(k-1) e^-x, over gamma(k) for the regularized ones.
  set(row<S::gammainc, sf::GammaInc, 2, F>("gammainc", Float, [](const VV& x, const Var& z, const Var& gz) -> VV {
    return {null_grad(x[0], "the gradient of gammainc with respect to k is not implemented"), mul(gz, gamma_density(x[0], x[1], z, true))}; }));
  set(row<S::gammaincc, sf::GammaIncC, 2, F>("gammaincc", Float, [](const VV& x, const Var& z, const Var& gz) -> VV {
    return {null_grad(x[0], "the gradient of gammaincc with respect to k is not implemented"), neg(mul(gz, gamma_density(x[0], x[1], z, true)))}; }));
  set(row<S::gammal, sf::GammaL, 2, F>("gammal", Float, [](const VV& x, const Var& z, const Var& gz) -> VV {
    return {null_grad(x[0], "the gradient of gammal with respect to k is not implemented"), mul(gz, gamma_density(x[0], x[1], z, false))}; }));
  set(row<S::gammau, sf::GammaU, 2, F>("gammau", Float, [](const VV& x, const Var& z, const Var& gz) -> VV {
    return {null_grad(x[0], "the gradient of gammau with respect to k is not implemented"), neg(mul(gz, gamma_density(x[0], x[1], z, false)))}; }));
  // chi2sf(x, k) = Q(k/2, x/2): d/dx = -density(k/2, x/2) / 2
  set(row<S::chi2sf, sf::Chi2Sf, 2, F>("chi2sf", Float, [](const VV& x, const Var& z, const Var& gz) -> VV {
    Var d = gamma_density(mul(x[1], k(0.5, z)), mul(x[0], k(0.5, z)), z, true);
    return {neg(mul(gz, mul(k(0.5, z), d))), null_grad(x[1], "the gradient of chi2sf with respect to k is not implemented")}; }));
  // J_v' = (J_(v-1) - J_(v+1)) / 2, I_v' = (I_(v-1) + I_(v+1)) / 2
  set(row<S::jv, sf::Jv, 2, F>("jv", Float, [](const VV& x, const Var& z, const Var& gz) -> VV {
    return {null_grad(x[0], "the gradient of jv with respect to its order is not implemented"),
            mul(gz, mul(k(0.5, z), sub(jv(sub(x[0], k(1, z)), x[1]), jv(add(x[0], k(1, z)), x[1]))))}; }));
  set(row<S::iv, sf::Iv, 2, F>("iv", Float, [](const VV& x, const Var& z, const Var& gz) -> VV {
    return {null_grad(x[0], "the gradient of iv with respect to its order is not implemented"),
            mul(gz, mul(k(0.5, z), add(iv(sub(x[0], k(1, z)), x[1]), iv(add(x[0], k(1, z)), x[1]))))}; }));
  // Complex parts. Cotangents of complex values follow JAX's convention, which the holomorphic rows
  // above already keep (ct * f'(z), no conjugate): for a real cost C of z = x + iy, dC/dx - i dC/dy.
  set(row<S::real, sf::Real, 1, C>("real", RealUpcast, [](const VV&, const Var&, const Var& gz) -> VV { return {complex(gz, zeros_like(gz))}; }));
  set(row<S::imag, sf::Imag, 1, C>("imag", RealUpcast, [](const VV&, const Var&, const Var& gz) -> VV { return {complex(zeros_like(gz), neg(gz))}; }));
  set(row<S::conj, sf::Conj, 1, C>("conj", Upcast, [](const VV&, const Var&, const Var& gz) -> VV { return {conj(gz)}; }));
  set(row<S::angle, sf::Angle, 1, C>("angle", RealUpcast, [](const VV& x, const Var&, const Var& gz) -> VV {
    Var re = real(x[0]), im = imag(x[0]);
    Var r2 = add(sqr(re), sqr(im));
    return {complex(true_div(mul(gz, neg(im)), r2), neg(true_div(mul(gz, re), r2)))}; }));
  set(row<S::complex, sf::Complex, 2, F>("complex", Complex, [](const VV&, const Var&, const Var& gz) -> VV {
    return {real(gz), neg(imag(gz))}; }));
  set(row<S::clip, sf::Clip, 3, I|U|F>("clip", Upcast, [](const VV& x, const Var&, const Var& gz) -> VV {
    return {mul(gz, and_(ge(x[0], x[1]), le(x[0], x[2]))), mul(gz, lt(x[0], x[1])), mul(gz, gt(x[0], x[2]))}; }));
  set(row<S::switch_, sf::Switch, 3, B|I|U|F|C>("switch", Switch, [](const VV& x, const Var&, const Var& gz) -> VV {
    Var zero = zeros_like(gz);
    return {zeros_like(x[0]), switch_(x[0], gz, zero), switch_(x[0], zero, gz)}; }));
  // clang-format on
  for (int i = 0; i < kNumScalarOps; ++i)
    THEON_CHECK(!t[i].name.empty(), "scalar table: no row for " + std::string(scalar_name_listed(i)));
  return t;
}

}  // namespace

const ScalarOpDef& scalar_def(ScalarOpId id) {
  static const std::vector<ScalarOpDef> table = build_table();
  return table[static_cast<int>(id)];
}

int64_t scalar_cost(ScalarOpId id) {
  switch (id) {
    case ScalarOpId::true_div:
    case ScalarOpId::sqrt:
    case ScalarOpId::inv:
      return 2;
    default:
      return scalar_def(id).rule == TypeRule::Float ? 8 : 1;
  }
}

const ScalarOpInfo& scalar_op_info(ScalarOpId id) {
  static const std::vector<ScalarOpInfo> infos = [] {
    std::vector<ScalarOpInfo> v;
    for (int i = 0; i < kNumScalarOps; ++i) {
      const auto& d = scalar_def(static_cast<ScalarOpId>(i));
      v.push_back({d.name, d.arity});
    }
    return v;
  }();
  return infos[static_cast<int>(id)];
}

}  // namespace theon
