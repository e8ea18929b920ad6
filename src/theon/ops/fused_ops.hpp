// The fused ops (made by the fusion phase, rewrite/fusion.cpp): Composite, a
// fused elementwise program, and FusedReduce, a program reduced as it is
// computed. What they mean; their CPU kernels live in backend/cpu/fused.cpp.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "ops/fused.hpp"
#include "theon/graph.hpp"
#include "theon/ops.hpp"

namespace theon::ops {

class Composite final : public Op {
 public:
  explicit Composite(FusedProgram p, int inplace = -1);
  OpKind kind() const override { return OpKind::Fused; }
  int destroys() const override { return inplace_; }
  // The input overwritten when the runtime allows (-1: none).
  int inplace() const { return inplace_; }
  OpPtr with_inplace(int k) const { return std::make_shared<Composite>(prog_, k); }
  const FusedProgram& program() const { return prog_; }
  std::string name() const override { return name_; }
  // name() without the copy (the kernel names the op in its errors).
  const std::string& name_ref() const { return name_; }
  bool equals(const Op& o) const override;
  size_t hash() const override { return std::hash<std::string>()(name_) ^ prog_.code.size(); }

  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override;
  std::vector<Var> grad(const Apply& node, const std::vector<Var>&) const override;

 private:
  FusedProgram prog_;
  int inplace_ = -1;
  std::string name_;
};

// A program reduced as it is computed (sum/prod/max/min over axes of its
// broadcast shape): no full-size temporary, one pass over the inputs.
class FusedReduce final : public Op {
 public:
  FusedReduce(FusedProgram p, ReduceKind kind, std::vector<int> axes);
  OpKind kind() const override { return OpKind::FusedReduce; }
  const FusedProgram& program() const { return prog_; }
  ReduceKind reduce_kind() const { return kind_; }
  // The reduced axes of the broadcast shape (sorted).
  const std::vector<int>& axes() const { return axes_; }
  std::string name() const override { return name_; }
  // name() without the copy (the kernel names the op in its errors).
  const std::string& name_ref() const { return name_; }
  bool equals(const Op& o) const override;
  size_t hash() const override { return std::hash<std::string>()(name_) ^ prog_.code.size(); }

  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override;
  std::vector<Var> grad(const Apply& node, const std::vector<Var>&) const override;

 private:
  FusedProgram prog_;
  ReduceKind kind_;
  std::vector<int> axes_;
  std::string name_;
};

}  // namespace theon::ops
