// Private view of the scalar table: compute types, block kernels and the
// derivative of every elementwise function.
#pragma once
#include <array>
#include <complex>
#include <cstdint>
#include <functional>
#include <string>
#include <type_traits>
#include <vector>

#include "theon/graph.hpp"
#include "theon/scalar.hpp"

namespace theon {

// Kernels run in one of a few compute types: narrower ints are loaded widened
// (integer wrap-around is the same once stored back), so each scalar function
// is instantiated 7 times at most instead of 13. The list, written once:
// X(name, C++ type, the dtype it is).
// clang-format off
#define THEON_COMPUTE_TYPES(X)               \
  X(Bool, bool, Bool)                        \
  X(I64, int64_t, Int64)                     \
  X(U64, uint64_t, UInt64)                   \
  X(F32, float, Float32)                     \
  X(F64, double, Float64)                    \
  X(C64, std::complex<float>, Complex64)     \
  X(C128, std::complex<double>, Complex128)
// clang-format on

enum class CT : uint8_t {
#define THEON_CT_ENUM(name, type, dtype) name,
  THEON_COMPUTE_TYPES(THEON_CT_ENUM)
#undef THEON_CT_ENUM
};
inline constexpr int kNumCT = 0
#define THEON_CT_COUNT(name, type, dtype) +1
    THEON_COMPUTE_TYPES(THEON_CT_COUNT)
#undef THEON_CT_COUNT
    ;
CT compute_type(DType d);
DType ct_dtype(CT c);

// The compute type of C++ type T (a compile error for any other type).
template <class T>
constexpr CT ct_of() {
#define THEON_CT_OF(name, type, dtype)   \
  if constexpr (std::is_same_v<T, type>) \
    return CT::name;                     \
  else
  THEON_COMPUTE_TYPES(THEON_CT_OF)
#undef THEON_CT_OF
  static_assert(sizeof(T) == 0, "not a compute type");
}

// Calls f.template operator()<T>() with the C++ type of compute type c.
template <class F>
void visit_ct(CT c, F&& f) {
  switch (c) {
#define THEON_CT_VISIT(name, type, dtype) \
  case CT::name:                          \
    f.template operator()<type>();        \
    break;
    THEON_COMPUTE_TYPES(THEON_CT_VISIT)
#undef THEON_CT_VISIT
  }
}

// Block conversion between storage dtypes and compute types (shared by the
// elementwise and reduction kernels): load n strided elements of `src` into a
// contiguous compute-type buffer; store a compute-type buffer to strided storage.
using LoadFn = void (*)(const char* src, int64_t stride, int64_t n, void* dst);
using StoreFn = void (*)(const void* src, int64_t n, char* dst, int64_t stride);
LoadFn block_loader(DType src, CT to);
StoreFn block_storer(CT from, DType dst);

// Work (in adds) a chunk of a parallel loop needs to pay for waking a thread;
// the elementwise, reduction and softmax loops all split by it.
inline constexpr int64_t kParallelWork = 131072;

// Scalar functions run as BlockFn (theon/graph.hpp) over n contiguous
// elements of compute type.

// Runs `kernel` over an elementwise loop: inputs broadcast (stride 0) to the
// output's shape, dims coalesced, cache-sized blocks of contiguous compute-type
// elements in and out (converted and gathered only when needed).
using BlockKernel = std::function<void(int64_t n, const void* const* in, void* out)>;
// `cost` is the kernel's work per element in units of one add: loops split over
// threads only when each chunk has enough work to pay for waking a thread.
void run_blocks(const std::vector<NDArray>& in, NDArray& out, CT in_ct, CT out_ct, const BlockKernel& kernel,
                int64_t cost = 1);
// A rough per-element cost of a scalar function (transcendentals ~8 adds).
int64_t scalar_cost(ScalarOpId id);
// The output shape of an elementwise node at run time (with the node at hand,
// only its statically broadcastable dims broadcast); names `op` in errors (its
// name is built only then: this runs on every call of every elementwise node).
Shape broadcast_shape(const Op& op, const std::vector<NDArray>& in, const Apply* node);

// How the output dtype follows from the input dtypes (Theano's output_types_preference).
enum class TypeRule : uint8_t {
  Upcast,      // upcast of the inputs
  Float,       // upgrade_to_float of the upcast (transcendentals, true_div)
  Bool,        // comparisons and predicates
  RealUpcast,  // upcast, but complex -> its real type (abs)
  Switch,      // upcast of inputs 1 and 2; input 0 is the condition
  Second,      // dtype of input 1
  Complex,     // the complex type of the float upcast (complex from real parts)
};

// Builds the gradients of the inputs from (inputs, output, output gradient), at
// the output's broadcast shape; the engine sums them back to each input's shape.
using ScalarGradFn = std::vector<Var> (*)(const std::vector<Var>& in, const Var& out, const Var& gz);

struct ScalarOpDef {
  std::string_view name;
  int arity;
  TypeRule rule;
  std::array<BlockFn, kNumCT> fn;  // by compute type of the inputs; null = unsupported
  std::array<CT, kNumCT> out_ct;   // compute type the kernel writes
  ScalarGradFn grad;               // null = not differentiable (discrete output or undefined)
  std::string functor;             // its C++ functor ("theon::sf::Exp"), for generated code
};

const ScalarOpDef& scalar_def(ScalarOpId id);

}  // namespace theon
