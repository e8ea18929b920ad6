// The convolution ops (include/theon/conv.hpp): one class in three roles,
// Theano's AbstractConv, AbstractConv_gradInputs and AbstractConv_gradWeights.
// They say what they mean; the CPU kernels live in backend/cpu/conv.cpp.
#pragma once
#include <string>
#include <vector>

#include "theon/conv.hpp"
#include "theon/graph.hpp"

namespace theon::ops {

enum class ConvRole : uint8_t { Forward, GradInputs, GradWeights };

class Conv final : public Op {
 public:
  Conv(ConvRole role, ConvParams p, bool bias = false, ConvActivation act = ConvActivation::None)
      : role_(role), p_(std::move(p)), bias_(bias), act_(act) {}
  OpKind kind() const override;
  std::string name() const override;
  bool equals(const Op& o) const override;
  size_t hash() const override;
  ConvRole role() const { return role_; }
  const ConvParams& params() const { return p_; }
  // A forward convolution's epilogue: a bias input and an activation (conv_bias_act).
  bool bias() const { return bias_; }
  ConvActivation activation() const { return act_; }
  // Forward (x, w[, b]); GradInputs (w, gy, input spatial shape); GradWeights (x, gy, filter spatial shape).
  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override;
  Var infer_shape(const Apply& node, int output, int axis, const InputSize& input_size) const override;
  bool connected(int input) const override { return input < 2 || (input == 2 && bias_); }
  std::vector<Var> grad(const Apply& node, const std::vector<Var>& gouts) const override;

 private:
  ConvRole role_;
  ConvParams p_;
  bool bias_;
  ConvActivation act_;
};

}  // namespace theon::ops
