// Ops whose meaning lives outside the library: a Python subclass of
// theano.Op (python/src/py_op.hpp) derives from HostCallback and computes
// its outputs in run(). The library never fuses, folds or rewrites them;
// the CPU kernel (backend/cpu/callback.cpp) only calls run().
#pragma once
#include <vector>

#include "theon/graph.hpp"
#include "theon/ndarray.hpp"

namespace theon::ops {

class HostCallback : public Op {
 public:
  OpKind kind() const override { return OpKind::HostCallback; }
  // Sets every out[i] (one per output of `node`, of its output type) from the inputs.
  virtual void run(const Apply* node, const std::vector<NDArray>& in, std::vector<NDArray>& out) const = 0;
};

}  // namespace theon::ops
