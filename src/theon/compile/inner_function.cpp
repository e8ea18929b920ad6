// Options of the functions compiled for ops' inner graphs (inner_function.hpp).
#include "compile/inner_function.hpp"

#include <functional>
#include <map>

#include "ops/op_info.hpp"
#include "theon/function_graph.hpp"
#include "theon/ops.hpp"

namespace theon {

FunctionOptions inner_options(const FunctionOptions* outer, std::string name) {
  FunctionOptions o;
  if (outer) {
    o.rewrite = outer->rewrite;
    // Native code for an inner graph comes from the outer function's module
    // (Function::start_native): one compile, not one per step function.
    o.native = outer->native;
    o.native.mode = NativeMode::Off;
  }
  o.on_unused_input = UnusedInputPolicy::Ignore;
  o.name = std::move(name);
  return o;
}

std::vector<std::vector<bool>> inner_connection(const std::vector<Var>& inputs, const std::vector<Var>& outputs) {
  // Per variable, the inputs it is connected to, in graph order.
  std::unordered_map<const Variable*, std::vector<bool>> reach;
  for (size_t i = 0; i < inputs.size(); ++i) {
    auto& r = reach[inputs[i].get()];
    r.assign(inputs.size(), false);
    r[i] = true;
  }
  const std::vector<bool> none(inputs.size(), false);
  auto of = [&](const Variable* v) -> const std::vector<bool>& {
    auto it = reach.find(v);
    return it == reach.end() ? none : it->second;
  };
  for (Apply* n : toposort(outputs))
    for (int j = 0; j < n->num_outputs(); ++j) {
      if (reach.count(n->raw_output(j))) continue;  // an input itself
      std::vector<bool> r(inputs.size(), false);
      for (size_t k = 0; k < n->inputs.size(); ++k) {
        if (!n->op->connected(static_cast<int>(k), j)) continue;
        const auto& from = of(n->inputs[k].get());
        for (size_t i = 0; i < r.size(); ++i) r[i] = r[i] || from[i];
      }
      reach[n->raw_output(j)] = std::move(r);
    }
  std::vector<std::vector<bool>> pattern;
  for (const Var& o : outputs) pattern.push_back(of(o.get()));
  return pattern;
}

Var inner_size(const Var& value, int axis, const InnerLeaves& leaf, const Op::InputSize& input_size) {
  struct Unknown {};
  std::map<std::pair<const Variable*, int>, Var> memo;
  std::function<Var(const Var&, int)> size = [&](const Var& v, int d) -> Var {
    if (v->type.shape[d] >= 0) return scalar_constant<int64_t>(v->type.shape[d]);
    auto key = std::make_pair(v.get(), d);
    if (auto it = memo.find(key); it != memo.end()) return it->second;
    Var r;
    if (auto it = leaf.find(v.get()); it != leaf.end()) {
      r = input_size(it->second.first, d + it->second.second);
    } else if (v->owner) {
      const Apply& n = *v->owner;
      r = n.op->infer_shape(n, v->index, d, [&](int i, int a) -> Var {
        if (Var s = size(n.inputs[i], a)) return s;
        throw Unknown{};
      });
    }
    if (!r) throw Unknown{};
    // Sizes of inner inputs inside the answer (a reshape to x.shape[0] * 2)
    // are read outside; anything else read from an inner value (an alloc to
    // x.sum()) is not known before the inner graph runs.
    std::vector<std::pair<Var, Var>> outside;
    for (Apply* a : toposort({r})) {
      if (a->inputs.empty() || !leaf.count(a->inputs[0].get())) continue;
      const auto [i, off] = leaf.at(a->inputs[0].get());
      if (a->op->kind() == OpKind::ShapeI) {
        outside.push_back({a->output(0), input_size(i, shape_i_axis(*a->op) + off)});
      } else if (a->op->kind() == OpKind::Shape) {
        std::vector<Var> dims;
        for (int j = 0; j < a->inputs[0]->ndim(); ++j) dims.push_back(input_size(i, j + off));
        outside.push_back({a->output(0), make_vector(dims)});
      }
    }
    if (!outside.empty()) r = clone_replace({r}, outside)[0];
    for (const Var& root : graph_inputs({r}))
      if (leaf.count(root.get())) throw Unknown{};
    return memo[key] = r;
  };
  try {
    return size(value, axis);
  } catch (const Unknown&) {
    return nullptr;
  }
}

}  // namespace theon
