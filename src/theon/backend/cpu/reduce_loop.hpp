// The reduction loop shared by Reduce (sum/prod/max/min/all/any of one
// input) and the fused reductions (an elementwise program reduced as it is
// computed): strided operands, broadcasting, coalesced dims, and a split
// into partitions run over the thread pool.
//
// Determinism: the partitions depend only on the shapes, never on the number
// of threads, and partial results are combined in partition order, so a
// reduction gives bit-identical results for any thread count.
#pragma once
#include <complex>
#include <functional>
#include <vector>

#include "ops/scalar_table.hpp"
#include "theon/ndarray.hpp"
#include "theon/ops.hpp"

namespace theon {

// The types reductions accumulate in; storage types convert on load/store.
enum class RC : uint8_t { I64, U64, F64, C128, Bool };

// Calls f.template operator()<C>() with the accumulator's C++ type.
template <class F>
void visit_rc(RC c, F&& f) {
  switch (c) {
    case RC::I64:
      f.template operator()<int64_t>();
      break;
    case RC::U64:
      f.template operator()<uint64_t>();
      break;
    case RC::F64:
      f.template operator()<double>();
      break;
    case RC::C128:
      f.template operator()<std::complex<double>>();
      break;
    case RC::Bool:
      f.template operator()<bool>();
      break;
  }
}

DType rc_dtype(RC c);
CT rc_ct(RC c);
// The numeric accumulator of a dtype (bool and signed ints share int64; floats use float64).
RC numeric_rc(DType d);

// The max of n contiguous floats (NaN when one is NaN; -inf when n == 0) and
// their float64 sum, with the reductions' own vectorized folds (the order of
// the additions depends only on n).
float max_of(const float* v, int64_t n);
double max_of(const double* v, int64_t n);
double sum_of(const float* v, int64_t n);
double sum_of(const double* v, int64_t n);

// Fills `acc` (of dtype rc_dtype(rc)) with the identity of `kind`.
void fill_identity(ReduceKind kind, RC rc, NDArray& acc);

// Produces the values of one block: n consecutive positions along the inner
// loop dim, input i starting at ptrs[i] with byte stride strides[i] (0 when it
// broadcasts). Returns n contiguous values of the loop's value type, either
// in `scratch` (room for 1024 values of 16 bytes) or pointing into an input.
using ValueSource =
    std::function<const void*(const char* const* ptrs, const int64_t* strides, int64_t n, void* scratch)>;

// Reduces the values over `axes` of `shape` (the broadcast shape of `inputs`,
// all of its rank) into `acc` (C-contiguous over the kept axes, dtype
// rc_dtype(rc), filled with the identity by the caller). Values come as
// `values` (rc's compute type, or F32 into an F64 accumulator). `cost` is the
// work per element in adds, for the thread split.
void reduce_loop(const std::vector<NDArray>& inputs, const Shape& shape, const std::vector<int>& axes, ReduceKind kind,
                 RC rc, CT values, NDArray& acc, const ValueSource& source, int64_t cost = 1);

}  // namespace theon
