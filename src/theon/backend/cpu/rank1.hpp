// Rank-1 products, C = alpha a b^T + beta C (a GEMM with K = 1: the weight
// gradient of a batch-1 training step), on theon's own loop: OpenBLAS takes
// 2-10x longer on these, most of all when C's rows are short (a 784 x 10
// update: 6.4 us in OpenBLAS's sgemm, 9.4 us in its sger, about 0.5 us here).
#pragma once
#include <cstdint>

namespace theon {

// c: m rows of n values, rows ldc apart; a: m values `inc_a` apart; b: n values
// `inc_b` apart. beta 0: c is not read (it may hold anything, NaN included).
void rank1_update(float* c, int64_t ldc, const float* a, int64_t inc_a, const float* b, int64_t inc_b, int64_t m,
                  int64_t n, float alpha, float beta);
void rank1_update(double* c, int64_t ldc, const double* a, int64_t inc_a, const double* b, int64_t inc_b, int64_t m,
                  int64_t n, double alpha, double beta);

}  // namespace theon
