// The runtime: thread pool semantics and large elementwise loops split over it.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "theon/theon.hpp"

using namespace theon;

namespace {
std::vector<float> values(const NDArray& a) {
  NDArray c = a.contiguous();
  return std::vector<float>(c.ptr<float>(), c.ptr<float>() + c.size());
}
struct ThreadsGuard {
  int saved = num_threads();
  ~ThreadsGuard() { set_num_threads(saved); }
};
}  // namespace

TEST(Parallel, EveryItemOnceAndChunksRespectGrain) {
  ThreadsGuard g;
  for (int threads : {1, 2, 4}) {
    set_num_threads(threads);
    for (int64_t n : {0, 1, 7, 100, 10007}) {
      std::vector<std::atomic<int>> hits(n);
      std::atomic<int> short_chunks{0};
      parallel_for(n, 16, [&](int64_t b, int64_t e) {
        if (e - b < 16 && e != n) ++short_chunks;
        for (int64_t i = b; i < e; ++i) ++hits[i];
      });
      for (int64_t i = 0; i < n; ++i) ASSERT_EQ(hits[i].load(), 1) << "item " << i << " n=" << n;
      EXPECT_EQ(short_chunks.load(), 0);
    }
  }
}

// Back-to-back loops whose worker counts change from one to the next: a
// worker must never join a loop that is still being set up (each loop's
// generation and worker count are published together), or items run twice,
// get lost, or the caller waits forever. (The race this guards against was
// seen once, as a hang in the test above after the pool grew; it is too
// narrow to hit on demand.)
TEST(Parallel, BackToBackLoopsWithChangingWidths) {
  ThreadsGuard g;
  const int widths[] = {3, 2, 4, 1, 2, 3};
  for (int round = 0; round < 3000; ++round) {
    set_num_threads(widths[round % 6]);
    const int64_t n = 64 + round % 7;
    std::vector<std::atomic<int>> hits(n);
    parallel_for(n, 4, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) ++hits[i];
    });
    for (int64_t i = 0; i < n; ++i) ASSERT_EQ(hits[i].load(), 1) << "round " << round << " item " << i;
  }
}

TEST(Parallel, ExceptionsReachTheCallerAndThePoolStaysUsable) {
  ThreadsGuard g;
  set_num_threads(3);
  EXPECT_THROW(parallel_for(1000, 10,
                            [](int64_t b, int64_t) {
                              if (b >= 500) throw std::runtime_error("boom");
                            }),
               std::runtime_error);
  std::atomic<int64_t> sum{0};
  parallel_for(1000, 10, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) sum += i;
  });
  EXPECT_EQ(sum.load(), 999 * 1000 / 2);
}

TEST(Parallel, NestedLoopsRunSerially) {
  ThreadsGuard g;
  set_num_threads(2);
  std::atomic<int64_t> total{0};
  parallel_for(64, 1, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) parallel_for(100, 1, [&](int64_t b2, int64_t e2) { total += e2 - b2; });
  });
  EXPECT_EQ(total.load(), 6400);
}

// A fused chain and a plain elementwise op over more elements than one chunk,
// with a broadcast row, a transposed operand and a scalar constant: the same
// values with 1 and 3 threads, and equal to a direct loop.
TEST(Parallel, LargeElementwiseSameWithAnyThreadCount) {
  ThreadsGuard g;
  const int64_t R = 300, C = 700;
  Var x = variable(TensorType(DType::Float32, {-1, -1}), "x");
  Var row = variable(TensorType(DType::Float32, {1, -1}), "row");
  Var y = add(mul(tanh(add(x, row)), exp(neg(sqr(x)))), scalar_like(0.5, x));
  Var z = add(transpose(x), transpose(row));
  std::vector<float> xs(R * C), rs(C);
  for (int64_t i = 0; i < R * C; ++i) xs[i] = static_cast<float>(std::sin(0.001 * i));
  for (int64_t j = 0; j < C; ++j) rs[j] = static_cast<float>(0.01 * j - 3);
  NDArray X = NDArray::from_vector(xs, {R, C}), Row = NDArray::from_vector(rs, {1, C});
  std::vector<std::vector<NDArray>> results;
  for (int threads : {1, 3}) {
    set_num_threads(threads);
    Function f({x, row}, {y, z});
    results.push_back(f({X, Row}));
  }
  for (int k = 0; k < 2; ++k) {
    auto a = values(results[0][k]), b = values(results[1][k]);
    ASSERT_EQ(a, b);
  }
  auto v = values(results[1][0]);
  for (int64_t i = 0; i < R * C; i += 997) {
    float xv = xs[i], rv = rs[i % C];
    float want = std::tanh(xv + rv) * std::exp(-(xv * xv)) + 0.5f;
    EXPECT_NEAR(v[i], want, 4e-6f * (1 + std::fabs(want)));
  }
  auto t = values(results[1][1]);
  EXPECT_EQ(t[1 * R + 2], xs[2 * C + 1] + rs[1]);
}

TEST(Runtime, SimdInfoNamesThePath) {
  std::string s = simd_info();
  EXPECT_FALSE(s.empty());
  EXPECT_TRUE(s.find("AVX2") != std::string::npos || s.find("scalar") != std::string::npos) << s;
}
