// SIMD block kernels for the transcendental functions, from glibc's libmvec
// (its AVX2 variants), found at run time: a CPU without AVX2+FMA or a libc
// without libmvec keeps the scalar kernels of the table.
#pragma once
#include "ops/scalar_table.hpp"

namespace theon {

// The vector kernel of `id` over compute type `ct` (F32 or F64), or null.
// THEON_SIMD_MATH=0 in the environment turns them all off.
BlockFn vector_kernel(ScalarOpId id, CT ct);

}  // namespace theon
