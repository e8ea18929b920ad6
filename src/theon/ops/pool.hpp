// The pooling ops (include/theon/pool.hpp): one class in three roles,
// Theano's Pool, MaxPoolGrad/AveragePoolGrad and DownsampleFactorMaxGradGrad.
// The CPU kernels live in backend/cpu/pool.cpp.
#pragma once
#include <string>
#include <vector>

#include "theon/graph.hpp"
#include "theon/pool.hpp"

namespace theon::ops {

enum class PoolRole : uint8_t { Forward, Grad, GradGrad };

class Pool final : public Op {
 public:
  Pool(PoolRole role, PoolParams p) : role_(role), p_(std::move(p)) {}
  OpKind kind() const override;
  std::string name() const override;
  bool equals(const Op& o) const override;
  size_t hash() const override { return std::hash<std::string>()(name()); }
  PoolRole role() const { return role_; }
  const PoolParams& params() const { return p_; }
  // Forward (x); Grad (x, y, gy): shaped as x; GradGrad (x, y, g): shaped as
  // y; each followed by the ws, stride and pad vectors when params().dynamic.
  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override;
  Var infer_shape(const Apply& node, int output, int axis, const InputSize& input_size) const override;
  // The gradients flow through gy (Grad) and g (GradGrad) only: max pooling's
  // choice of the maxima is piecewise constant in x.
  bool connected(int input) const override { return role_ == PoolRole::Forward ? input == 0 : input == 2; }
  std::vector<Var> grad(const Apply& node, const std::vector<Var>& gouts) const override;

 private:
  PoolRole role_;
  PoolParams p_;
};

}  // namespace theon::ops
