// What the kernels run on: theon's thread pool (the elementwise and fused
// kernels split large loops over it, and large BLAS products run on it as
// panels while OpenBLAS itself keeps one thread: one thread budget for the
// process) and the SIMD kernels in use. The size comes from set_num_threads(), else
// $THEON_NUM_THREADS, else $OMP_NUM_THREADS, else the CPUs this process may run on.
#pragma once
#include <cstdint>
#include <functional>
#include <string>

namespace theon {

int num_threads();
// What num_threads() is until set_num_threads() is called: $THEON_NUM_THREADS,
// else $OMP_NUM_THREADS, else the CPUs this process may run on.
int default_num_threads();
// n >= 1; takes effect for the next parallel loop (workers are started lazily).
void set_num_threads(int n);
// Back to default_num_threads().
void reset_num_threads();

// Runs fn(begin, end) over disjoint chunks covering [0, n), each at least
// `grain` items long except the last, on up to num_threads() threads; the
// caller takes a share. Serial when n < 2 * grain, inside a worker (no nested
// pools), or while another thread holds the pool. The first exception thrown
// by any chunk is rethrown here after every chunk has finished.
void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);

// Whether the pool's loops have recently waited on a worker the OS had
// descheduled (the cores are oversubscribed: other processes compete for
// them). A wait like that costs a scheduler time slice, milliseconds, so
// while this holds, work of less than about a millisecond is better done
// on the calling thread alone (the BLAS products do so). It holds for
// kContendedFor after the last such wait; mark_pool_contended() starts that
// window as a stalled loop does.
bool pool_contended();
void mark_pool_contended();

// The SIMD kernels in use, e.g. "AVX2 arithmetic, libmvec AVX2 transcendentals";
// THEON_SIMD_MATH=0 turns them off.
std::string simd_info();

}  // namespace theon
