// Gradient controls (zero_grad, disconnected_grad, undefined_grad,
// consider_constant, grad_clip, grad_scale) and the null gradient. The classes
// are in ops/grad_control.hpp; their kernels in backend/cpu/grad_control.cpp.
#include "ops/grad_control.hpp"

#include <sstream>

#include "theon/grad.hpp"
#include "theon/ops.hpp"

namespace theon {

namespace ops {

std::string GradControl::name() const {
  switch (kind_) {
    case Control::Zero:
      return "ZeroGrad";
    case Control::Disconnected:
      return "DisconnectedGrad";
    case Control::Undefined:
      return "UndefinedGrad";
    case Control::ConsiderConstant:
      return "ConsiderConstant";
    case Control::Clip: {
      std::ostringstream s;
      s << "GradClip{" << a_ << ", " << b_ << "}";
      return s.str();
    }
    case Control::Scale: {
      std::ostringstream s;
      s << "GradScale{" << a_ << "}";
      return s.str();
    }
  }
  return "?";
}

std::vector<Var> GradControl::grad(const Apply& node, const std::vector<Var>& gouts) const {
  const Var& gz = gouts[0];
  switch (kind_) {
    case Control::Zero:
    case Control::ConsiderConstant:
      return {zeros_like(gz)};
    case Control::Disconnected:
      return {nullptr};
    case Control::Undefined: {
      std::string why = "undefined_grad was applied to " + node.inputs[0]->str();
      if (node.site.known()) why += " at " + node.site.str();
      return {null_grad(node.inputs[0], why)};
    }
    case Control::Clip:
      return {clip(gz, scalar_like(a_, gz), scalar_like(b_, gz))};
    case Control::Scale:
      return {mul(gz, scalar_like(a_, gz))};
  }
  return {nullptr};
}

std::vector<Var> GradControl::rop(const Apply&, const std::vector<Var>& t) const {
  switch (kind_) {
    case Control::Zero:
      return {t[0] ? zeros_like(t[0]) : nullptr};
    case Control::Disconnected:
    case Control::Undefined:
      return {nullptr};
    default:
      return {t[0]};  // the forward pass is the identity
  }
}

}  // namespace ops

namespace {

using Control = ops::GradControl::Control;

Var control(Control kind, const Var& x, double a = 0, double b = 0) {
  return apply1(std::make_shared<ops::GradControl>(kind, a, b), {x});
}

}  // namespace

Var zero_grad(const Var& x) { return control(Control::Zero, x); }
Var disconnected_grad(const Var& x) { return control(Control::Disconnected, x); }
Var undefined_grad(const Var& x) { return control(Control::Undefined, x); }
Var consider_constant(const Var& x) { return control(Control::ConsiderConstant, x); }
Var grad_clip(const Var& x, double lower, double upper) {
  if (!(lower <= upper))
    throw ValueError("grad_clip: the lower bound " + std::to_string(lower) + " is above the upper bound " +
                     std::to_string(upper));
  return control(Control::Clip, x, lower, upper);
}
Var grad_scale(const Var& x, double multiplier) { return control(Control::Scale, x, multiplier); }

Var null_grad(const Var& like, const std::string& why) {
  TensorType t = like->type;
  if (!is_inexact(t.dtype)) t.dtype = DType::Float64;
  return apply1(std::make_shared<ops::NullGrad>(t, why), {});
}

bool is_null_grad(const Var& v, std::string* why) {
  if (!v || !v->owner) return false;
  auto* n = dynamic_cast<const ops::NullGrad*>(v->owner->op.get());
  if (n && why) *why = n->why();
  return n != nullptr;
}

}  // namespace theon
