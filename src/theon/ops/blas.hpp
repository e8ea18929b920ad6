// The linear algebra ops: what Dot, Gemm and Matmul mean (types, gradients);
// their builders are in ops/blas.cpp, their CPU kernels in backend/cpu/blas.cpp.
#pragma once
#include <string>
#include <vector>

#include "theon/graph.hpp"

namespace theon::ops {

// numpy.dot for vectors and matrices: (m,k).(k,n), (m,k).(k), (k).(k,n), (k).(k).
class Dot final : public Op {
 public:
  OpKind kind() const override { return OpKind::Dot; }
  std::string name() const override { return "Dot"; }
  bool equals(const Op& o) const override { return dynamic_cast<const Dot*>(&o) != nullptr; }

  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override;
  Var infer_shape(const Apply& node, int output, int axis, const InputSize& input_size) const override;
  // Bilinear: d(a.b) = da.b + a.db.
  std::vector<Var> rop(const Apply& node, const std::vector<Var>& t) const override;
  std::vector<Var> grad(const Apply& node, const std::vector<Var>& gouts) const override;
};

// out = beta * Z + alpha * dot(X, Y) in one BLAS call (Theano's Gemm, Gemv and
// Ger by the operands' shapes): made by the BLAS phase from Z + a * dot(X, Y).
// Inputs (Z, alpha, X, Y, beta); alpha and beta are 0-d. The inplace variant
// writes into Z's buffer when the runtime hands it over (destroys input 0).
class Gemm final : public Op {
 public:
  explicit Gemm(bool inplace) : inplace_(inplace) {}
  OpKind kind() const override { return OpKind::Gemm; }
  std::string name() const override { return base_name_ + (inplace_ ? "{inplace}" : "{no_inplace}"); }
  bool equals(const Op& o) const override {
    auto* g = dynamic_cast<const Gemm*>(&o);
    return g && g->inplace_ == inplace_ && g->base_name_ == base_name_;
  }
  int destroys() const override { return inplace_ ? 0 : -1; }
  bool inplace() const { return inplace_; }
  // Gemm, Gemv or Ger: what the BLAS phase named it after its operands.
  const std::string& base_name() const { return base_name_; }

  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override;
  std::vector<Var> grad(const Apply& node, const std::vector<Var>&) const override;

  void set_base_name(std::string n) { base_name_ = std::move(n); }

 private:
  bool inplace_;
  std::string base_name_ = "Gemm";
};

// a * dot(X, Y) in one BLAS call (Theano's Dot22Scalar): the scale is the
// call's alpha instead of a pass over the product. Inputs (X, Y, a), a 0-d of
// the product's float dtype; made by the BLAS phase from a * dot(X, Y).
class DotScalar final : public Op {
 public:
  OpKind kind() const override { return OpKind::DotScalar; }
  std::string name() const override { return "Dot22Scalar"; }
  bool equals(const Op& o) const override { return dynamic_cast<const DotScalar*>(&o) != nullptr; }
  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override;
  Var infer_shape(const Apply& node, int output, int axis, const InputSize& input_size) const override;
  std::vector<Var> grad(const Apply& node, const std::vector<Var>&) const override;
};

// numpy.matmul on two tensors of the same rank >= 2: a stack of matrix products
// over broadcast leading dims (only statically broadcastable dims broadcast,
// Theano's rule, so that the gradient can sum them back).
class Matmul final : public Op {
 public:
  OpKind kind() const override { return OpKind::Matmul; }
  std::string name() const override { return "Matmul"; }
  bool equals(const Op& o) const override { return dynamic_cast<const Matmul*>(&o) != nullptr; }

  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override;
  std::vector<Var> rop(const Apply& node, const std::vector<Var>& t) const override;
  std::vector<Var> grad(const Apply& node, const std::vector<Var>& gouts) const override;
};

}  // namespace theon::ops
