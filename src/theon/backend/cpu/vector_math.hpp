// SIMD block kernels for the transcendental functions, from glibc's libmvec
// (its AVX2 variants), found at run time: a CPU without AVX2+FMA or a libc
// without libmvec keeps the scalar kernels of the table.
#pragma once
#include "ops/scalar_table.hpp"

namespace theon {

// The widest vector instructions theon's own kernels use, decided once: the
// CPU's (AVX2 counts with FMA only), lowered by THEON_SIMD_MATH (0: scalar
// kernels, avx2: no AVX-512).
enum class SimdLevel { Scalar, AVX2, AVX512 };
SimdLevel simd_level();

// The vector kernel of `id` over compute type `ct` (F32 or F64), or null.
// THEON_SIMD_MATH=0 in the environment turns them all off.
BlockFn vector_kernel(ScalarOpId id, CT ct);

// The block function the CPU runs for `id` over compute type `ct`: the vector
// kernel where there is one, else the scalar table's loop (null = unsupported).
BlockFn cpu_block_fn(ScalarOpId id, CT ct);

// sum(exp(x[i] - shift)) over a contiguous row of n values of the compute
// type (F32: the difference and exp in float, the sum in double), with the
// exponentials also stored to `e` unless it is null. `next` (may be null) is
// prefetched, `next_bytes` of it: the following row, so that its read from
// memory overlaps this row's arithmetic. Null without libmvec's exp.
using ExpSumFn = double (*)(const void* x, int64_t n, double shift, void* e, const void* next, int64_t next_bytes);
ExpSumFn exp_sum_kernel(CT ct);

// The maximum of a contiguous row of n values of the compute type (F32 or
// F64), NaN when any value is NaN, -inf when n == 0; null without AVX2.
using RowMaxFn = double (*)(const void* x, int64_t n);
RowMaxFn row_max_kernel(CT ct);

}  // namespace theon
