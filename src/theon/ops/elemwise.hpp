// The elementwise op (a scalar function from the table mapped over broadcast
// tensors, or a Cast): what it means. Its CPU kernel lives in
// backend/cpu/elemwise.cpp.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ops/scalar_table.hpp"
#include "theon/graph.hpp"

namespace theon::ops {

class Elemwise final : public Op {
 public:
  // The output dtype and the compute type the kernel runs in.
  struct Plan {
    DType out;
    CT in_ct;
  };

  OpKind kind() const override { return cast_to_ ? OpKind::Cast : OpKind::Elemwise; }
  Elemwise(ScalarOpId id, std::optional<DType> cast_to, int inplace = -1)
      : id_(id), cast_to_(cast_to), inplace_(inplace) {}
  int destroys() const override { return inplace_; }
  ScalarOpId id() const { return id_; }
  DType cast_to() const { return *cast_to_; }
  bool is_cast() const { return cast_to_.has_value(); }
  // The input overwritten when the runtime allows (-1: none).
  int inplace() const { return inplace_; }

  std::string name() const override {
    // Theano's spelling of an inplace elementwise op: Elemwise{add}[(0, 1)].
    const std::string tail = inplace_ >= 0 ? "[(0, " + std::to_string(inplace_) + ")]" : "";
    if (cast_to_) return "Elemwise{Cast{" + std::string(dtype_name(*cast_to_)) + "}}" + tail;
    return "Elemwise{" + std::string(scalar_def(id_).name) + "}" + tail;
  }
  bool equals(const Op& o) const override {
    auto* e = dynamic_cast<const Elemwise*>(&o);
    return e && e->id_ == id_ && e->cast_to_ == cast_to_ && e->inplace_ == inplace_;
  }
  size_t hash() const override {
    return (static_cast<size_t>(id_) * 31 + (cast_to_ ? static_cast<size_t>(*cast_to_) + 1 : 0)) * 7 + (inplace_ + 1);
  }
  OpPtr with_inplace(int k) const { return std::make_shared<Elemwise>(id_, cast_to_, k); }

  // The plan for inputs of dtypes `ds`; TypeError when the function is not
  // defined for them.
  Plan plan(const std::vector<DType>& ds) const;

  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override;
  std::vector<Var> grad(const Apply& node, const std::vector<Var>& gouts) const override;
  Var infer_shape(const Apply& node, int output, int axis, const InputSize& input_size) const override;
  std::vector<Var> rop(const Apply& node, const std::vector<Var>& tangents) const override;

 private:
  ScalarOpId id_;
  std::optional<DType> cast_to_;
  int inplace_ = -1;  // the input overwritten when the runtime allows (-1: none)
};

}  // namespace theon::ops
