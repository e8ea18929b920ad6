// Convolutions over 1 to 3 spatial dimensions (Theano's abstract conv ops):
// inputs are (batch, channels, spatial...), filters (out channels, in
// channels / groups, spatial...). With `flip` the filters are flipped
// (convolution, Theano's default filter_flip=True), otherwise applied as they
// are (cross-correlation). The two gradient ops are convolutions too, and
// the three are closed under differentiation.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "theon/graph.hpp"

namespace theon {

enum class ConvBorder : uint8_t {
  Explicit,  // `pad` zeros on both sides of each spatial dimension ('valid' = 0)
  Full,      // (dilated filter - 1) on both sides: every overlap
  Half,      // (dilated filter) // 2 on both sides: 'same' for odd filters
};

// The largest padding, stride, dilation or group count accepted (2^31).
inline constexpr int64_t kMaxConvParam = int64_t{1} << 31;

struct ConvParams {
  int nd = 2;  // spatial dimensions
  ConvBorder border = ConvBorder::Explicit;
  std::vector<int64_t> pad, stride, dilation;  // per spatial dimension (pad: before each axis)
  std::vector<int64_t> pad_hi;                 // Explicit: zeros after each axis (empty: as pad)
  int64_t groups = 1;
  bool flip = true;
  // Unshared (locally connected) filters: one filter per output position,
  // shaped (O, out..., C / groups, K...) instead of (O, C / groups, K...).
  bool unshared = false;

  // Where the filters keep their input channels and their taps.
  int filter_channel_axis() const { return unshared ? 1 + nd : 1; }
  int filter_tap_axis(int d) const { return (unshared ? 2 + nd : 2) + d; }
  int filter_rank() const { return unshared ? 2 + 2 * nd : 2 + nd; }

  // Validates (sizes per dimension, positive strides and dilations, pads >= 0),
  // filling defaults (pad 0, stride 1, dilation 1) for empty lists; `op`
  // names the caller in errors.
  void check(const std::string& op);
  // The padding before (and after) dimension d for a filter of `k` taps there.
  int64_t pad_for(int d, int64_t k) const;
  int64_t pad_after(int d, int64_t k) const;
  std::string str() const;
  bool operator==(const ConvParams&) const = default;
};

// What a forward convolution applies to its result before writing it: the
// rewriter fuses conv + bias + activation into one op (conv_bias_act), which
// oneDNN runs as one primitive with post-ops.
enum class ConvActivation : uint8_t { None, Relu, Tanh, Sigmoid };

// The output size of one spatial dimension: (i + pads - dilated k) / stride + 1.
int64_t conv_output_size(int64_t i, int64_t k, int64_t pad_before, int64_t pad_after, int64_t stride, int64_t dilation);

// y = conv(x, w): x (N, C, *I), w (O, C / groups, *K) -> (N, O, *out) (w
// (O, *out, C / groups, *K) when unshared).
Var conv(const Var& x, const Var& w, ConvParams p);
// act(conv(x, w) + b[channel]): b is a vector of one value per output channel
// (or null: no bias); act is applied to every element.
Var conv_bias_act(const Var& x, const Var& w, const Var& b, ConvParams p, ConvActivation act);
// The gradient of conv with respect to x: from the filters w and the output
// gradient gy; `input_shape` is the int64 vector of x's spatial sizes.
Var conv_grad_inputs(const Var& w, const Var& gy, const Var& input_shape, ConvParams p);
// The gradient of conv with respect to w: from x and gy; `filter_shape` is
// the int64 vector of w's spatial sizes.
Var conv_grad_weights(const Var& x, const Var& gy, const Var& filter_shape, ConvParams p);

}  // namespace theon
