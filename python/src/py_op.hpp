// Ops written in Python (a subclass of theano.Op with make_node and
// perform): the node holds the Python op object and the output types its
// make_node gave; the VM calls perform() with the GIL, and grad/L_op,
// infer_shape and == come from the Python object. The library sees a
// HostCallback op (src/theon/ops/callback.hpp): never fused, folded or
// rewritten.
#pragma once
#include <string>
#include <vector>

#include "bindings.hpp"
#include "ops/callback.hpp"

namespace theon::py {

class PyOp final : public ops::HostCallback {
 public:
  PyOp(nb::object op, std::vector<TensorType> types);
  ~PyOp() override;
  PyOp(const PyOp&) = delete;
  PyOp& operator=(const PyOp&) = delete;

  const nb::object& python_op() const { return op_; }
  std::string name() const override { return name_; }
  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override;
  bool equals(const Op& o) const override;
  size_t hash() const override;
  std::vector<Var> grad(const Apply& node, const std::vector<Var>& gouts) const override;
  Var infer_shape(const Apply& node, int output, int axis, const InputSize& input_size) const override;
  void run(const Apply* node, const std::vector<NDArray>& in, std::vector<NDArray>& out) const override;

 private:
  nb::object op_;
  std::vector<TensorType> types_;
  std::string name_;
};

}  // namespace theon::py
