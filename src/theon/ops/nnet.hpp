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

// Theano's CrossentropySoftmaxArgmax1HotWithBias: for logits x (n, m), an
// optional bias b (m,) and integer labels y (n,), one pass over each row gives
// nll[i] = -log(softmax(x + b)[i, y[i]]) (from the log-softmax: no log of a
// rounded probability), sm = softmax(x + b) and am[i] = argmax(x + b)[i].
// Inputs (x, [b,] y); the labels get no gradient.
class CrossentropySoftmax1Hot final : public Op {
 public:
  explicit CrossentropySoftmax1Hot(bool with_bias) : bias_(with_bias) {}
  OpKind kind() const override { return OpKind::CrossentropySoftmax1Hot; }
  bool with_bias() const { return bias_; }
  std::string name() const override {
    return bias_ ? "CrossentropySoftmaxArgmax1HotWithBias" : "CrossentropySoftmaxArgmax1Hot";
  }
  bool equals(const Op& o) const override {
    auto* c = dynamic_cast<const CrossentropySoftmax1Hot*>(&o);
    return c && c->bias_ == bias_;
  }
  bool connected(int input) const override { return input < (bias_ ? 2 : 1); }
  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override;
  Var infer_shape(const Apply& node, int output, int axis, const InputSize& input_size) const override;
  // d nll / dx = CrossentropySoftmax1HotDx(g_nll, sm, y); d sm / dx is the
  // softmax's; the bias sums the rows.
  std::vector<Var> grad(const Apply& node, const std::vector<Var>& gouts) const override;

 private:
  bool bias_;
};

// Theano's CrossentropySoftmax1HotWithBiasDx: dx = dy[:, None] * (sm - onehot(y)),
// the gradient of the nll above through the softmax. Inputs (dy, sm, y).
class CrossentropySoftmax1HotDx final : public Op {
 public:
  OpKind kind() const override { return OpKind::CrossentropySoftmax1HotDx; }
  std::string name() const override { return "CrossentropySoftmax1HotWithBiasDx"; }
  bool equals(const Op& o) const override { return dynamic_cast<const CrossentropySoftmax1HotDx*>(&o) != nullptr; }
  bool connected(int input) const override { return input < 2; }
  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override;
  Var infer_shape(const Apply& node, int output, int axis, const InputSize& input_size) const override;
  // Linear in dy; in sm it is dy[:, None] * g (any order of derivative exists).
  std::vector<Var> grad(const Apply& node, const std::vector<Var>& gouts) const override;
};

}  // namespace theon::ops
