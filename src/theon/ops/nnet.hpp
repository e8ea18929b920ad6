// The nnet ops (ops/nnet.cpp): Softmax, LogSoftmax and LogSumExp over one
// axis. They say what they mean; their CPU kernels live in backend/cpu/nnet.cpp.
#pragma once
#include <string>
#include <vector>

#include "theon/graph.hpp"

namespace theon::ops {

class Softmax final : public Op {
 public:
  Softmax(int axis, bool log_form) : axis_(axis), log_(log_form) {}
  OpKind kind() const override { return OpKind::Softmax; }
  int axis() const { return axis_; }
  bool log_form() const { return log_; }
  std::string name() const override {
    return std::string(log_ ? "LogSoftmax" : "Softmax") + "{axis=" + std::to_string(axis_) + "}";
  }
  bool equals(const Op& o) const override {
    auto* s = dynamic_cast<const Softmax*>(&o);
    return s && s->axis_ == axis_ && s->log_ == log_;
  }

  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override;
  std::vector<Var> grad(const Apply& node, const std::vector<Var>& gouts) const override;
  std::vector<Var> rop(const Apply& node, const std::vector<Var>& t) const override;

 private:
  Var probabilities(const Apply& node) const;
  Var vjp(const Apply& node, const Var& g) const;
  int axis_;
  bool log_;
};

// log(sum(exp(x), axis)) in one pass over the data (the row stays in cache
// between its max, exp and sum); the stabilize phase makes it from the
// written-out forms.
class LogSumExp final : public Op {
 public:
  explicit LogSumExp(int axis) : axis_(axis) {}
  OpKind kind() const override { return OpKind::LogSumExp; }
  int axis() const { return axis_; }
  std::string name() const override { return "LogSumExp{axis=" + std::to_string(axis_) + "}"; }
  bool equals(const Op& o) const override {
    auto* l = dynamic_cast<const LogSumExp*>(&o);
    return l && l->axis_ == axis_;
  }
  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override;
  // d/dx = softmax(x) * gz broadcast along the axis; the R-op is its dual.
  std::vector<Var> grad(const Apply& node, const std::vector<Var>& gouts) const override;
  std::vector<Var> rop(const Apply& node, const std::vector<Var>& t) const override;

 private:
  Var expand(const Var& g, int ndim) const;
  int axis_;
};

}  // namespace theon::ops
