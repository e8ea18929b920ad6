// Gradient controls (zero_grad, disconnected_grad, undefined_grad,
// consider_constant, grad_clip, grad_scale) and the null gradient.
#include <sstream>

#include "theon/grad.hpp"
#include "theon/ops.hpp"

namespace theon {

namespace {

enum class Control : uint8_t { Zero, Disconnected, Undefined, ConsiderConstant, Clip, Scale };

class GradControl final : public Op {
 public:
  OpKind kind() const override { return OpKind::GradControl; }
  GradControl(Control kind, double a = 0, double b = 0) : kind_(kind), a_(a), b_(b) {}
  std::string name() const override {
    switch (kind_) {
      case Control::Zero: return "ZeroGrad";
      case Control::Disconnected: return "DisconnectedGrad";
      case Control::Undefined: return "UndefinedGrad";
      case Control::ConsiderConstant: return "ConsiderConstant";
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
  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override {
    if (in.size() != 1) throw TypeError(name() + " takes one input, got " + std::to_string(in.size()));
    return {in[0]->type};
  }
  void perform(const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace&) const override {
    out[0] = in[0];  // a view: the forward pass is the identity
  }
  int view_of(int) const override { return 0; }
  bool equals(const Op& o) const override {
    auto* g = dynamic_cast<const GradControl*>(&o);
    return g && g->kind_ == kind_ && g->a_ == a_ && g->b_ == b_;
  }
  bool connected(int) const override { return kind_ != Control::Disconnected; }
  std::vector<Var> grad(const Apply& node, const std::vector<Var>& gouts) const override {
    const Var& gz = gouts[0];
    switch (kind_) {
      case Control::Zero:
      case Control::ConsiderConstant: return {zeros_like(gz)};
      case Control::Disconnected: return {nullptr};
      case Control::Undefined: {
        std::string why = "undefined_grad was applied to " + node.inputs[0]->str();
        if (node.site.known()) why += " at " + node.site.str();
        return {null_grad(node.inputs[0], why)};
      }
      case Control::Clip: return {clip(gz, scalar_like(a_, gz), scalar_like(b_, gz))};
      case Control::Scale: return {mul(gz, scalar_like(a_, gz))};
    }
    return {nullptr};
  }
  std::vector<Var> rop(const Apply&, const std::vector<Var>& t) const override {
    switch (kind_) {
      case Control::Zero: return {t[0] ? zeros_like(t[0]) : nullptr};
      case Control::Disconnected:
      case Control::Undefined: return {nullptr};
      default: return {t[0]};  // the forward pass is the identity
    }
  }

 private:
  Control kind_;
  double a_, b_;
};

Var control(Control kind, const Var& x, double a = 0, double b = 0) {
  return apply1(std::make_shared<GradControl>(kind, a, b), {x});
}

// The value of a gradient that does not exist. Its node has no inputs; the
// reason is its name, and computing it raises that reason.
class NullGrad final : public Op {
 public:
  OpKind kind() const override { return OpKind::NullGrad; }
  NullGrad(TensorType t, std::string why) : type_(std::move(t)), why_(std::move(why)) {}
  const std::string& why() const { return why_; }
  std::string name() const override { return "NullGrad"; }
  std::vector<TensorType> infer_types(const std::vector<Var>&) const override { return {type_}; }
  void perform(const std::vector<NDArray>&, std::vector<NDArray>&, Workspace&) const override {
    throw ValueError("this graph uses a gradient that does not exist: " + why_);
  }
  std::vector<Var> grad(const Apply&, const std::vector<Var>&) const override { return {}; }

 private:
  TensorType type_;
  std::string why_;
};

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
  return apply1(std::make_shared<NullGrad>(t, why), {});
}

bool is_null_grad(const Var& v, std::string* why) {
  if (!v || !v->owner) return false;
  auto* n = dynamic_cast<const NullGrad*>(v->owner->op.get());
  if (n && why) *why = n->why();
  return n != nullptr;
}

}  // namespace theon
