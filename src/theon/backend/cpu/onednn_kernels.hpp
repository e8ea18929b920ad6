// The kernels that run on oneDNN when it is loaded (backend/cpu/onednn.hpp),
// float32 only; each returns false when oneDNN is not in use or has no
// primitive for the case, and the caller runs its own fallback kernel.
#pragma once
#include <cstdint>
#include <vector>

#include "backend/backend.hpp"
#include "ops/conv.hpp"

namespace theon::dnnl {

// One convolution as cross-correlation (a flipped convolution's filters come
// flipped): theon's shapes x (N, C, S...), w (O, C / groups, K...), y (N, O,
// out...), and per spatial dimension the stride, dilation (1 = none) and the
// zeros before and after.
struct ConvSpec {
  ops::ConvRole role = ops::ConvRole::Forward;
  int64_t groups = 1;
  std::vector<int64_t> x, w, y;
  std::vector<int64_t> stride, dilation, pad_l, pad_r;
  // Forward only: a bias per output channel, then an activation (post-ops).
  bool bias = false;
  ConvActivation act = ConvActivation::None;
};

// Forward (x, w -> y), GradInputs (w, gy -> gx), GradWeights (x, gy -> gw),
// on C-contiguous float32 arrays (`bias`: the forward's bias when s.bias);
// `state` is the kernel's plan cache.
bool conv(const ConvSpec& s, const void* in0, const void* in1, const void* bias, void* out, const KernelState* state);

}  // namespace theon::dnnl
