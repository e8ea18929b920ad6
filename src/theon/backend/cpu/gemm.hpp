// Matrix products for CPU kernels other than the BLAS ops' own (a
// convolution's im2col product, ...): the run-time BLAS when it can read the
// operands, a C++ loop otherwise (backend/cpu/blas.cpp).
#pragma once
#include <cstdint>

#include "theon/dtype.hpp"

namespace theon {

// A 2-D operand: rows x cols with byte strides (any sign, 0 = broadcast).
struct Mat {
  const char* p;
  int64_t rows, cols, rs, cs;
};

// C (A.rows x B.cols, C-contiguous, of dtype d) = alpha A.B + beta C, for the
// float dtypes (beta 0: C is not read).
void gemm_acc(DType d, const Mat& A, const Mat& B, char* C, double alpha, double beta);

}  // namespace theon
