// Ops that walk one axis at a time (ops/sort_scan.cpp): Sort, ArgSort, CumOp
// (cumsum/cumprod), SearchSorted and Nonzero. They say what they mean; their
// CPU kernels live in backend/cpu/sort_scan.cpp.
#pragma once
#include <algorithm>
#include <string>
#include <typeinfo>
#include <vector>

#include "theon/graph.hpp"

namespace theon::ops {

class AxisOp : public Op {
 public:
  explicit AxisOp(int axis) : axis_(axis) {}
  int axis() const { return axis_; }
  bool equals(const Op& o) const override { return typeid(*this) == typeid(o) && name() == o.name(); }
  // Along the axis as the input (TopK overrides it).
  Var infer_shape(const Apply&, int, int axis, const InputSize& input_size) const override {
    return input_size(0, axis);
  }

 protected:
  void check_input(const std::vector<Var>& in, bool allow_complex) const {
    if (in.size() != 1) throw TypeError(name() + " takes 1 input, got " + std::to_string(in.size()));
    if (axis_ < 0 || axis_ >= std::max(in[0]->ndim(), 1) || in[0]->ndim() == 0)
      throw AxisError(name() + ": axis " + std::to_string(axis_) + " is out of bounds for " + in[0]->type.str());
    if (!allow_complex && is_complex(in[0]->dtype()))
      throw TypeError(name() + ": complex values have no order, got " + in[0]->type.str());
  }
  int axis_;
};

// ---- Sort / ArgSort ---------------------------------------------------------------------

class Sort final : public AxisOp {
 public:
  OpKind kind() const override { return OpKind::Sort; }
  using AxisOp::AxisOp;
  std::string name() const override { return "Sort{axis=" + std::to_string(axis_) + "}"; }
  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override {
    check_input(in, false);
    return {in[0]->type};
  }
  std::vector<Var> grad(const Apply& node, const std::vector<Var>& g) const override;
};

class ArgSort final : public AxisOp {
 public:
  OpKind kind() const override { return OpKind::ArgSort; }
  using AxisOp::AxisOp;
  std::string name() const override { return "ArgSort{axis=" + std::to_string(axis_) + "}"; }
  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override {
    check_input(in, false);
    return {TensorType(DType::Int64, in[0]->type.shape)};
  }
  std::vector<Var> grad(const Apply&, const std::vector<Var>&) const override { return {nullptr}; }
  bool connected(int) const override { return false; }
};

// ---- TopK -------------------------------------------------------------------------------

// The |k| largest (k > 0) or smallest (k < 0) values of x along the axis
// and/or their positions, k an integer scalar input (Theano's TopKOp). Both
// come ordered from the most extreme, in argsort's order (NaN the largest;
// equal values: for k > 0 the later position first, for k < 0 the earlier).
class TopK final : public AxisOp {
 public:
  OpKind kind() const override { return OpKind::TopK; }
  TopK(int axis, bool values, bool indices, DType idx_dtype)
      : AxisOp(axis), values_(values), indices_(indices), idx_dtype_(idx_dtype) {}
  bool returns_values() const { return values_; }
  bool returns_indices() const { return indices_; }
  DType idx_dtype() const { return idx_dtype_; }
  std::string name() const override;
  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override;
  Var infer_shape(const Apply& node, int output, int axis, const InputSize& input_size) const override;
  std::vector<Var> grad(const Apply& node, const std::vector<Var>& g) const override;
  bool connected(int input) const override { return input == 0 && values_; }

 private:
  bool values_, indices_;
  DType idx_dtype_;
};

// ---- CumOp -------------------------------------------------------------------------------

class CumOp final : public AxisOp {
 public:
  OpKind kind() const override { return OpKind::CumOp; }
  CumOp(int axis, bool mul) : AxisOp(axis), mul_(mul) {}
  // cumprod (else cumsum).
  bool is_mul() const { return mul_; }
  std::string name() const override {
    return std::string(mul_ ? "CumProd" : "CumSum") + "{axis=" + std::to_string(axis_) + "}";
  }
  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override {
    check_input(in, true);
    // Theano keeps the input's dtype; bool counts, as NumPy's default int.
    const DType d = in[0]->dtype() == DType::Bool ? DType::Int64 : in[0]->dtype();
    return {TensorType(d, in[0]->type.shape)};
  }
  std::vector<Var> grad(const Apply& node, const std::vector<Var>& g) const override;
  bool linear() const override { return !mul_; }

 private:
  template <class Reverse>
  Var cumprod_grad(const Var& x, const Var& y, const Var& g, const Reverse& reverse) const;
  bool mul_;
};

// ---- SearchSorted ------------------------------------------------------------------------

// Where each value of v would go in the sorted vector a (NumPy's order: NaN last).
class SearchSorted final : public Op {
 public:
  OpKind kind() const override { return OpKind::SearchSorted; }
  explicit SearchSorted(bool right) : right_(right) {}
  // side="right" (else "left").
  bool right() const { return right_; }
  std::string name() const override { return std::string("SearchSorted{side=") + (right_ ? "right" : "left") + "}"; }
  bool equals(const Op& o) const override {
    auto* s = dynamic_cast<const SearchSorted*>(&o);
    return s && s->right_ == right_;
  }
  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override {
    if (in.size() != 2) throw TypeError(name() + " takes 2 inputs, got " + std::to_string(in.size()));
    if (in[0]->ndim() != 1) throw TypeError(name() + ": the sorted array must be a vector, got " + in[0]->type.str());
    if (is_complex(in[0]->dtype()) || is_complex(in[1]->dtype()))
      throw TypeError(name() + ": complex values have no order, got " + in[0]->type.str() + " and " +
                      in[1]->type.str());
    return {TensorType(DType::Int64, in[1]->type.shape)};
  }
  // One position per value of v.
  Var infer_shape(const Apply&, int, int axis, const InputSize& input_size) const override {
    return input_size(1, axis);
  }
  std::vector<Var> grad(const Apply&, const std::vector<Var>&) const override { return {nullptr, nullptr}; }
  bool connected(int) const override { return false; }

 private:
  bool right_;
};

// ---- Nonzero -----------------------------------------------------------------------------

class Nonzero final : public Op {
 public:
  OpKind kind() const override { return OpKind::Nonzero; }
  std::string name() const override { return "Nonzero"; }
  bool equals(const Op& o) const override { return typeid(*this) == typeid(o); }
  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override {
    if (in.size() != 1) throw TypeError(name() + " takes 1 input, got " + std::to_string(in.size()));
    if (in[0]->ndim() == 0)
      throw ValueError(name() + ": a 0-d input has no positions; index it with a 1-d array instead (got " +
                       in[0]->type.str() + ")");
    return std::vector<TensorType>(in[0]->ndim(), TensorType(DType::Int64, {-1}));
  }
  std::vector<Var> grad(const Apply&, const std::vector<Var>&) const override { return {nullptr}; }
  bool connected(int) const override { return false; }
};

}  // namespace theon::ops
