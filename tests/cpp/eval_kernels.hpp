// Test helper: evaluates a graph node by node through the CPU backend's kernels (no VM), so
// op tests do not depend on function(); checks every output against its type.
#pragma once
#include <gtest/gtest.h>

#include <stdexcept>
#include <unordered_map>

#include "backend/backend.hpp"
#include "theon/theon.hpp"

namespace theon::testing {

using Givens = std::vector<std::pair<Var, NDArray>>;

// Runs the graph of `outs` kernel by kernel, roots from constants/shared/givens.
inline std::vector<NDArray> eval(const std::vector<Var>& outs, const Givens& givens = {}) {
  std::unordered_map<const Variable*, NDArray> vals;
  for (auto& [v, a] : givens) vals[v.get()] = a;
  auto value_of = [&](const Var& v) -> NDArray {
    auto it = vals.find(v.get());
    if (it != vals.end()) return it->second;
    if (const Constant* c = as_constant(v)) return c->value;
    if (v->kind() == VarKind::Shared) return static_cast<const SharedVariable&>(*v).value;
    throw std::runtime_error("no value for " + v->str());
  };
  for (Apply* node : toposort(outs)) {
    std::vector<NDArray> in;
    for (auto& v : node->inputs) in.push_back(value_of(v));
    std::vector<NDArray> out(node->num_outputs());
    Workspace ws;
    ws.node = node;
    cpu_backend().kernel_for (*node->op)(*node->op, in, out, ws);
    for (int i = 0; i < node->num_outputs(); ++i) {
      EXPECT_EQ(node->raw_output(i)->type.check_value(out[i]), "") << node->str();
      vals[node->raw_output(i)] = out[i];
    }
  }
  std::vector<NDArray> res;
  for (auto& o : outs) res.push_back(value_of(o));
  return res;
}
inline NDArray eval1(const Var& out, const Givens& givens = {}) { return eval({out}, givens)[0]; }

inline std::vector<double> values(const NDArray& a) {
  std::vector<double> v;
  for (int64_t i = 0; i < a.size(); ++i) v.push_back(a.get_double(i));
  return v;
}

inline Var tensor(DType d, std::vector<int64_t> shape, const char* name = "x") {
  return variable(TensorType(d, shape), name);
}

}  // namespace theon::testing
