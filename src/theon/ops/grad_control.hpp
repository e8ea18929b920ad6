// Gradient controls (zero_grad, disconnected_grad, undefined_grad,
// consider_constant, grad_clip, grad_scale) and the null gradient. Their CPU
// kernels live in backend/cpu/grad_control.cpp.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "theon/graph.hpp"
#include "theon/ops.hpp"

namespace theon::ops {

// The identity forward; what it does to the gradient is its Control.
class GradControl final : public Op {
 public:
  enum class Control : uint8_t { Zero, Disconnected, Undefined, ConsiderConstant, Clip, Scale };

  OpKind kind() const override { return OpKind::GradControl; }
  GradControl(Control kind, double a = 0, double b = 0) : kind_(kind), a_(a), b_(b) {}
  Control control() const { return kind_; }
  // Clip: the lower and upper bounds; Scale: the multiplier (a); otherwise unused.
  double a() const { return a_; }
  double b() const { return b_; }
  std::string name() const override;
  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override {
    if (in.size() != 1) throw TypeError(name() + " takes one input, got " + std::to_string(in.size()));
    return {in[0]->type};
  }
  int view_of(int) const override { return 0; }
  bool equals(const Op& o) const override {
    auto* g = dynamic_cast<const GradControl*>(&o);
    return g && g->kind_ == kind_ && g->a_ == a_ && g->b_ == b_;
  }
  bool connected(int) const override { return kind_ != Control::Disconnected; }
  std::vector<Var> grad(const Apply& node, const std::vector<Var>& gouts) const override;
  std::vector<Var> rop(const Apply&, const std::vector<Var>& t) const override;

 private:
  Control kind_;
  double a_, b_;
};

// The value of a gradient that does not exist. Its node has no inputs; the
// reason is its name, and computing it raises that reason.
class NullGrad final : public Op {
 public:
  OpKind kind() const override { return OpKind::NullGrad; }
  NullGrad(TensorType t, std::string why) : type_(std::move(t)), why_(std::move(why)) {}
  const std::string& why() const { return why_; }
  const TensorType& type() const { return type_; }
  std::string name() const override { return "NullGrad"; }
  std::vector<TensorType> infer_types(const std::vector<Var>&) const override { return {type_}; }
  std::vector<Var> grad(const Apply&, const std::vector<Var>&) const override { return {}; }

 private:
  TensorType type_;
  std::string why_;
};

}  // namespace theon::ops
