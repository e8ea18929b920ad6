// The Map op: a compiled inner graph run once per index value, rows stacked.
// Outer inputs are [n, params...]; the inner function takes [index, params...].
// Its builder (map_index) and gradient are in compile/map_op.cpp, its CPU
// kernel in backend/cpu/map.cpp.
#pragma once
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "theon/graph.hpp"

namespace theon {

class Function;

namespace ops {

class MapOp final : public Op {
 public:
  OpKind kind() const override { return OpKind::Map; }
  MapOp(std::string label, Var index, std::vector<Var> params, std::vector<Var> outputs, std::vector<int> row_like)
      : label_(std::move(label)),
        index_(std::move(index)),
        params_(std::move(params)),
        outputs_(std::move(outputs)),
        row_like_(std::move(row_like)) {}

  std::string name() const override { return "Map{" + label_ + "}"; }

  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override;

  bool connected(int input) const override { return input > 0; }

  // d/dparam of sum_i <G[i], f(i, params)> = sum_i (VJP of the inner graph at i
  // with G[i]): itself a Map over the same index, summed over its rows.
  std::vector<Var> grad(const Apply& node, const std::vector<Var>& gouts) const override;

  // The inner graph's outputs (one row each).
  const std::vector<Var>& outputs() const { return outputs_; }
  // Per output: the outer input index with a row's shape, or -1.
  const std::vector<int>& row_like() const { return row_like_; }

  // The inner function, compiled when the Map first runs: building a graph
  // with a Map (a jacobian, a hessian, the Map's own gradient) never pays for
  // compiling it. A failed compile is tried again on the next run.
  Function& inner_function() const;

 private:
  std::string label_;
  Var index_;
  std::vector<Var> params_, outputs_;
  std::vector<int> row_like_;

  mutable std::shared_ptr<Function> fn_;
  std::shared_ptr<std::once_flag> compiled_ = std::make_shared<std::once_flag>();
};

}  // namespace ops

}  // namespace theon
