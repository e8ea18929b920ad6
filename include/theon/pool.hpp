// Pooling over the last 1 to 3 axes (Theano's theano.tensor.signal.pool):
// windows of `ws` taps every `stride`, after `pad` zeros on both sides.
// Modes: max, sum, average_inc_pad (the padding counts in the average) and
// average_exc_pad. Without ignore_border a last, partial window is kept.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "theon/graph.hpp"

namespace theon {

enum class PoolMode : uint8_t { Max, Sum, AverageIncPad, AverageExcPad };

// The largest window, stride or padding accepted (2^31).
inline constexpr int64_t kMaxPoolParam = int64_t{1} << 31;

struct PoolParams {
  int nd = 2;
  std::vector<int64_t> ws, stride, pad;  // stride empty: ws
  bool ignore_border = true;
  PoolMode mode = PoolMode::Max;
  // ws, stride and pad come at run time, as three more inputs (int vectors
  // of nd values: Theano's symbolic pooling parameters); the lists stay empty.
  bool dynamic = false;

  // Validates and fills defaults; `op` names the caller in errors.
  void check(const std::string& op);
  std::string str() const;
  bool operator==(const PoolParams&) const = default;
};

// The output length of one pooled axis of length n.
int64_t pool_output_size(int64_t n, int64_t ws, int64_t stride, int64_t pad, bool ignore_border);

// pool(x): x's leading axes kept, the last nd pooled.
Var pool(const Var& x, PoolParams p);
// The pooling with its window, stride and padding as int vectors known when
// it runs (p.dynamic is set; checked then as check() would).
Var pool(const Var& x, const Var& ws, const Var& stride, const Var& pad, PoolParams p);
// p with its lists read from the run-time vectors, checked; `op` names the caller in errors.
PoolParams resolve_pool_params(const PoolParams& p, const NDArray& ws, const NDArray& stride, const NDArray& pad,
                               const std::string& op);
// The gradient of pool(x) (= y) given gy: max pooling sends gy to the
// window's maxima, the averages spread it over their windows.
Var pool_grad(const Var& x, const Var& y, const Var& gy, PoolParams p);
// The gradient of max pooling's gradient with respect to its gy: g (shaped
// as x) read at each window's maxima (Theano's DownsampleFactorMaxGradGrad).
Var max_pool_grad_grad(const Var& x, const Var& y, const Var& g, PoolParams p);

}  // namespace theon
