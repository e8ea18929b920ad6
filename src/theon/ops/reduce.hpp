// The reduction ops (ops/reduce.cpp): Reduce (Theano's CAReduce: sum/prod/
// max/min/all/any over a set of axes, dropping them) and ArgReduce (argmax/
// argmin). They say what they mean; their CPU kernels live in
// backend/cpu/reduce.cpp.
#pragma once
#include <string>
#include <typeinfo>
#include <vector>

#include "theon/graph.hpp"
#include "theon/ops.hpp"

namespace theon::ops {

// The shape left when `axes` (sorted) of `s` are reduced away.
Shape kept_shape(const Shape& s, const std::vector<int>& axes);
// IndexError "<op>: axis 2 is out of bounds for an input with 2 dimensions".
void check_axes_fit(const std::string& op, const std::vector<int>& axes, int ndim);

// Structural equality for reductions, whose name spells out all their parameters.
class ReductionOp : public Op {
 public:
  bool equals(const Op& o) const override { return typeid(*this) == typeid(o) && name() == o.name(); }
};

class Reduce final : public ReductionOp {
 public:
  OpKind kind() const override { return OpKind::Reduce; }
  Reduce(ReduceKind k, std::vector<int> axes) : kind_(k), axes_(std::move(axes)) {}
  ReduceKind reduce_kind() const { return kind_; }
  const std::vector<int>& axes() const { return axes_; }

  std::string name() const override;
  Var infer_shape(const Apply& node, int output, int axis, const InputSize& input_size) const override;

  // The output dtype for an input of dtype `in`.
  DType out_dtype(DType in) const {
    switch (kind_) {
      case ReduceKind::Sum:
      case ReduceKind::Prod:
        return sum_dtype(in);
      case ReduceKind::Max:
      case ReduceKind::Min:
        return in;
      default:
        return DType::Bool;
    }
  }

  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override;
  bool linear() const override { return kind_ == ReduceKind::Sum; }
  std::vector<Var> grad(const Apply& node, const std::vector<Var>& gouts) const override;

 private:
  Var prod_of_others(const Var& x, const std::vector<int>& order) const;
  ReduceKind kind_;
  std::vector<int> axes_;
};

class ArgReduce final : public ReductionOp {
 public:
  OpKind kind() const override { return OpKind::ArgReduce; }
  ArgReduce(bool is_max, std::vector<int> axes) : max_(is_max), axes_(std::move(axes)) {}
  bool is_max() const { return max_; }
  const std::vector<int>& axes() const { return axes_; }
  std::string name() const override;

  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override;
  std::vector<Var> grad(const Apply&, const std::vector<Var>&) const override { return {nullptr}; }

 private:
  bool max_;
  std::vector<int> axes_;
};

}  // namespace theon::ops
