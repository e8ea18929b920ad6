// The ONE table of elementwise scalar functions. Each row: name, arity. The
// functor, type rule, supported dtypes and derivative live in
// src/theon/ops/scalar_table.cpp; bindings, the VM and autodiff all read it.
#pragma once
#include <cstdint>
#include <string_view>

namespace theon {

// clang-format off
#define THEON_SCALAR_OPS(X)  \
  X(add, 2)                  \
  X(sub, 2)                  \
  X(mul, 2)                  \
  X(true_div, 2)             \
  X(int_div, 2)              \
  X(mod, 2)                  \
  X(pow, 2)                  \
  X(maximum, 2)              \
  X(minimum, 2)              \
  X(arctan2, 2)              \
  X(lt, 2)                   \
  X(gt, 2)                   \
  X(le, 2)                   \
  X(ge, 2)                   \
  X(eq, 2)                   \
  X(neq, 2)                  \
  X(and_, 2)                 \
  X(or_, 2)                  \
  X(xor_, 2)                 \
  X(second, 2)               \
  X(neg, 1)                  \
  X(abs, 1)                  \
  X(sgn, 1)                  \
  X(sqr, 1)                  \
  X(sqrt, 1)                 \
  X(inv, 1)                  \
  X(exp, 1)                  \
  X(exp2, 1)                 \
  X(expm1, 1)                \
  X(log, 1)                  \
  X(log2, 1)                 \
  X(log10, 1)                \
  X(log1p, 1)                \
  X(sin, 1)                  \
  X(cos, 1)                  \
  X(tan, 1)                  \
  X(arcsin, 1)               \
  X(arccos, 1)               \
  X(arctan, 1)               \
  X(sinh, 1)                 \
  X(cosh, 1)                 \
  X(tanh, 1)                 \
  X(arcsinh, 1)              \
  X(arccosh, 1)              \
  X(arctanh, 1)              \
  X(floor, 1)                \
  X(ceil, 1)                 \
  X(round, 1)                \
  X(trunc, 1)                \
  X(invert, 1)               \
  X(isnan, 1)                \
  X(isinf, 1)                \
  X(identity, 1)             \
  X(sigmoid, 1)              \
  X(softplus, 1)             \
  X(erf, 1)                  \
  X(erfc, 1)                 \
  X(gamma, 1)                \
  X(gammaln, 1)              \
  X(psi, 1)                  \
  X(tri_gamma, 1)            \
  X(erfinv, 1)               \
  X(erfcinv, 1)              \
  X(erfcx, 1)                \
  X(j0, 1)                   \
  X(j1, 1)                   \
  X(i0, 1)                   \
  X(i1, 1)                   \
  X(gammainc, 2)             \
  X(gammaincc, 2)            \
  X(gammal, 2)               \
  X(gammau, 2)               \
  X(chi2sf, 2)               \
  X(jv, 2)                   \
  X(iv, 2)                   \
  X(real, 1)                 \
  X(imag, 1)                 \
  X(conj, 1)                 \
  X(angle, 1)                \
  X(complex, 2)              \
  X(clip, 3)                 \
  X(switch_, 3)
// clang-format on

enum class ScalarOpId : int {
#define X(n, a) n,
  THEON_SCALAR_OPS(X)
#undef X
      count_
};

// Each function's arity as listed (the scalar table checks its rows against it
// at compile time).
inline constexpr int kScalarArity[] = {
#define X(n, a) a,
    THEON_SCALAR_OPS(X)
#undef X
};

struct ScalarOpInfo {
  std::string_view name;
  int arity;
};
const ScalarOpInfo& scalar_op_info(ScalarOpId id);
inline constexpr int kNumScalarOps = static_cast<int>(ScalarOpId::count_);

// A block function: n contiguous values of each input in, n values out (a
// scalar kernel, or a fused program compiled by the native tier).
using BlockFn = void (*)(int64_t n, const void* const* in, void* out);

}  // namespace theon
