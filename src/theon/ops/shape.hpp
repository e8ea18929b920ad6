// Shape and construction ops: DimShuffle, Reshape, Shape, Shape_i, MakeVector,
// Alloc, ARange, Eye, Join and JoinGrad. They say what they mean; their CPU
// kernels live in backend/cpu/shape.cpp.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <typeinfo>
#include <vector>

#include "theon/graph.hpp"
#include "theon/ops.hpp"

namespace theon {

// The value of an integer scalar when known while building: a constant, or the
// Shape_i of a statically known dimension.
std::optional<int64_t> static_int(const Var& v);
// The entries of an integer shape vector known while building (-1 = unknown).
std::vector<int64_t> static_entries(const Var& s, int n);

}  // namespace theon

namespace theon::ops {

// Structural equality for ops whose name spells out all their parameters.
class NamedShapeOp : public Op {
 public:
  bool equals(const Op& o) const override { return typeid(*this) == typeid(o) && name() == o.name(); }
};

// ---- Shape / Shape_i ------------------------------------------------------------

class ShapeOp final : public NamedShapeOp {
 public:
  OpKind kind() const override { return OpKind::Shape; }
  std::string name() const override { return "Shape"; }
  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override;
  std::vector<Var> grad(const Apply&, const std::vector<Var>&) const override { return {nullptr}; }
  bool connected(int) const override { return false; }
};

class ShapeI final : public NamedShapeOp {
 public:
  OpKind kind() const override { return OpKind::ShapeI; }
  explicit ShapeI(int i) : i_(i) {}
  int axis() const { return i_; }
  std::string name() const override { return "Shape_i{" + std::to_string(i_) + "}"; }
  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override;
  std::vector<Var> grad(const Apply&, const std::vector<Var>&) const override { return {nullptr}; }
  bool connected(int) const override { return false; }

 private:
  int i_;
};

// ---- MakeVector -------------------------------------------------------------------

class MakeVector final : public NamedShapeOp {
 public:
  OpKind kind() const override { return OpKind::MakeVector; }
  explicit MakeVector(DType d) : dtype_(d) {}
  DType dtype() const { return dtype_; }
  std::string name() const override { return "MakeVector{dtype=" + std::string(dtype_name(dtype_)) + "}"; }
  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override;
  bool linear() const override { return true; }
  std::vector<Var> grad(const Apply& node, const std::vector<Var>& gouts) const override;

 private:
  DType dtype_;
};

// ---- DimShuffle ---------------------------------------------------------------------

class DimShuffle final : public NamedShapeOp {
 public:
  OpKind kind() const override { return OpKind::DimShuffle; }
  explicit DimShuffle(std::vector<int> order) : order_(std::move(order)) {}
  const std::vector<int>& order() const { return order_; }
  std::string name() const override;
  int view_of(int) const override { return 0; }
  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override;
  Var infer_shape(const Apply& node, int output, int axis, const InputSize& input_size) const override;
  bool linear() const override { return true; }
  std::vector<Var> grad(const Apply& node, const std::vector<Var>& gouts) const override;

 private:
  std::vector<int> order_;
};

// ---- Reshape ------------------------------------------------------------------------

class Reshape final : public NamedShapeOp {
 public:
  OpKind kind() const override { return OpKind::Reshape; }
  explicit Reshape(int ndim) : ndim_(ndim) {}
  int ndim() const { return ndim_; }
  std::string name() const override { return "Reshape{" + std::to_string(ndim_) + "}"; }
  int view_of(int) const override { return 0; }
  bool connected(int i) const override { return i == 0; }
  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override;
  Var infer_shape(const Apply& node, int output, int axis, const InputSize& input_size) const override;
  bool linear() const override { return true; }
  std::vector<Var> grad(const Apply& node, const std::vector<Var>& gouts) const override;

 private:
  int ndim_;
};

// ---- Alloc --------------------------------------------------------------------------

class Alloc final : public NamedShapeOp {
 public:
  OpKind kind() const override { return OpKind::Alloc; }
  std::string name() const override { return "Alloc"; }
  bool connected(int i) const override { return i == 0; }
  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override;
  Var infer_shape(const Apply& node, int output, int axis, const InputSize& input_size) const override;
  bool linear() const override { return true; }
  std::vector<Var> grad(const Apply& node, const std::vector<Var>& gouts) const override;
};

// ---- ARange / Eye --------------------------------------------------------------------

// The length of arange(start, stop, step), exactly (ceil((stop - start) / step)
// clipped at 0, in 128-bit arithmetic: the span of two int64s can exceed
// int64); a length beyond int64 is NumPy's "Maximum allowed size exceeded".
// Shared by the static type and the kernel.
int64_t arange_length_int(const Op& op, int64_t start, int64_t stop, int64_t step);
int64_t arange_length_double(const Op& op, double start, double stop, double step);

class ARange final : public NamedShapeOp {
 public:
  OpKind kind() const override { return OpKind::ARange; }
  explicit ARange(DType d) : dtype_(d) {}
  DType dtype() const { return dtype_; }
  std::string name() const override { return "ARange{dtype=" + std::string(dtype_name(dtype_)) + "}"; }
  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override;
  // Float values move with start (d/dstart = sum(g)) and step (sum(g * i));
  // stop changes only the length, so it is disconnected (as Theano's).
  std::vector<Var> grad(const Apply& node, const std::vector<Var>& g) const override;
  bool connected(int i) const override { return is_inexact(dtype_) && i != 1; }

 private:
  DType dtype_;
};

class Eye final : public NamedShapeOp {
 public:
  OpKind kind() const override { return OpKind::Eye; }
  explicit Eye(DType d) : dtype_(d) {}
  DType dtype() const { return dtype_; }
  std::string name() const override { return "Eye{dtype=" + std::string(dtype_name(dtype_)) + "}"; }
  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override;
  std::vector<Var> grad(const Apply& node, const std::vector<Var>&) const override {
    return std::vector<Var>(node.inputs.size(), nullptr);
  }
  bool connected(int) const override { return false; }

 private:
  DType dtype_;
};

// ---- Join / JoinGrad -------------------------------------------------------------------

class Join final : public NamedShapeOp {
 public:
  OpKind kind() const override { return OpKind::Join; }
  explicit Join(int axis) : axis_(axis) {}
  int axis() const { return axis_; }
  std::string name() const override { return "Join{axis=" + std::to_string(axis_) + "}"; }
  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override;
  // Along the axis, the inputs' sizes summed; elsewhere the first input's.
  Var infer_shape(const Apply& node, int output, int axis, const InputSize& input_size) const override;
  bool linear() const override { return true; }
  std::vector<Var> grad(const Apply& node, const std::vector<Var>& gouts) const override;

 private:
  int axis_;
};

// The piece of a Join's output gradient that belongs to input `i`: inputs are
// (gz, x_0, ..., x_{n-1}); the output is a view of gz with x_i's type.
class JoinGrad final : public NamedShapeOp {
 public:
  OpKind kind() const override { return OpKind::JoinGrad; }
  JoinGrad(int axis, int i) : axis_(axis), i_(i) {}
  int axis() const { return axis_; }
  int input() const { return i_; }  // i: which joined input's piece
  std::string name() const override {
    return "JoinGrad{axis=" + std::to_string(axis_) + ", i=" + std::to_string(i_) + "}";
  }
  int view_of(int) const override { return 0; }
  bool connected(int i) const override { return i == 0; }
  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override;
  Var infer_shape(const Apply&, int, int axis, const InputSize& input_size) const override {
    return input_size(1 + i_, axis);  // shaped as the joined input
  }
  bool linear() const override { return true; }
  std::vector<Var> grad(const Apply& node, const std::vector<Var>& gouts) const override;

 private:
  int axis_, i_;
};

}  // namespace theon::ops
