#include "theon/function_graph.hpp"

#include <algorithm>
#include <unordered_set>

namespace theon {

std::vector<Apply*> toposort(const std::vector<Var>& outputs) {
  std::vector<Apply*> order;
  std::unordered_set<const Apply*> done, on_stack;
  std::vector<std::pair<Apply*, size_t>> stack;  // node, next input to visit
  for (const auto& out : outputs) {
    if (!out || !out->owner || done.count(out->owner)) continue;
    stack.push_back({out->owner, 0});
    on_stack.insert(out->owner);
    while (!stack.empty()) {
      auto& [node, next] = stack.back();
      if (next < node->inputs.size()) {
        Apply* in = node->inputs[next++]->owner;
        if (in && !done.count(in)) {
          if (on_stack.count(in)) throw InternalError("cycle in the graph at " + in->str());
          stack.push_back({in, 0});
          on_stack.insert(in);
        }
        continue;
      }
      done.insert(node);
      on_stack.erase(node);
      order.push_back(node);
      stack.pop_back();
    }
  }
  return order;
}

std::vector<Var> graph_inputs(const std::vector<Var>& outputs) {
  std::vector<Var> roots;
  std::unordered_set<const Variable*> seen;
  auto visit = [&](const Var& v) {
    if (!v->owner && seen.insert(v.get()).second) roots.push_back(v);
  };
  for (const auto& o : outputs) visit(o);
  for (Apply* node : toposort(outputs))
    for (const auto& in : node->inputs) visit(in);
  return roots;
}

std::vector<Var> clone_replace(const std::vector<Var>& outputs, const std::vector<std::pair<Var, Var>>& replace) {
  std::unordered_map<const Variable*, Var> memo;
  for (const auto& [a, b] : replace) memo[a.get()] = b;
  auto lookup = [&](const Var& v) {
    auto it = memo.find(v.get());
    return it == memo.end() ? v : it->second;
  };
  for (Apply* node : toposort(outputs)) {
    if (memo.count(node->raw_output(0))) continue;  // the output itself was replaced
    std::vector<Var> ins;
    for (const auto& in : node->inputs) ins.push_back(lookup(in));
    // Always copy: the compiler's graph must never share nodes with the user's.
    auto fresh = make_apply(node->op, ins);
    fresh->site = node->site;
    for (int i = 0; i < node->num_outputs(); ++i) {
      Variable* old_out = node->raw_output(i);
      if (memo.count(old_out)) continue;
      Var nv = fresh->output(i);
      nv->name = old_out->name;
      nv->site = old_out->site;
      memo[old_out] = nv;
    }
  }
  std::vector<Var> result;
  for (const auto& o : outputs) result.push_back(lookup(o));
  return result;
}

FunctionGraph::FunctionGraph(std::vector<Var> inputs, std::vector<Var> outputs)
    : inputs_(std::move(inputs)), outputs_(std::move(outputs)) {
  rebuild();
}

void FunctionGraph::rebuild() {
  nodes_.clear();
  variables_.clear();
  clients_.clear();
  std::unordered_set<const Variable*> seen;
  auto add_var = [&](const Var& v) {
    if (seen.insert(v.get()).second) variables_.push_back(v);
  };
  for (const auto& v : inputs_) add_var(v);
  for (Apply* node : toposort(outputs_)) {
    nodes_.push_back(node->shared_from_this());
    for (size_t i = 0; i < node->inputs.size(); ++i) {
      add_var(node->inputs[i]);
      clients_[node->inputs[i].get()].push_back({node, static_cast<int>(i)});
    }
    for (int i = 0; i < node->num_outputs(); ++i) add_var(node->output(i));
  }
  for (size_t i = 0; i < outputs_.size(); ++i) {
    add_var(outputs_[i]);
    clients_[outputs_[i].get()].push_back({nullptr, static_cast<int>(i)});
  }
}

const std::vector<Client>& FunctionGraph::clients(const Variable* v) const {
  static const std::vector<Client> none;
  auto it = clients_.find(v);
  return it == clients_.end() ? none : it->second;
}

std::vector<Var> FunctionGraph::missing_inputs() const {
  std::unordered_set<const Variable*> given;
  for (const auto& v : inputs_) given.insert(v.get());
  std::vector<Var> missing;
  for (const auto& v : variables_)
    if (!v->owner && v->kind() == VarKind::Input && !given.count(v.get())) missing.push_back(v);
  return missing;
}

void FunctionGraph::replace(const Var& old_var, const Var& new_var) {
  if (!old_var->type.accepts(new_var->type) && !new_var->type.accepts(old_var->type))
    throw TypeError("cannot replace " + old_var->str() + " of type " + old_var->type.str() + " by " + new_var->str() +
                    " of type " + new_var->type.str());
  for (const auto& c : clients(old_var.get())) {
    if (c.node)
      c.node->inputs[c.index] = new_var;
    else
      outputs_[c.index] = new_var;
  }
  rebuild();
}

void FunctionGraph::verify() const {
  std::unordered_set<const Variable*> available;
  for (const auto& v : variables_)
    if (!v->owner) available.insert(v.get());
  for (const auto& node : nodes_) {
    for (const auto& in : node->inputs)
      if (!available.count(in.get()))
        throw InternalError("verify: " + node->str() + " uses " + in->str() + " before it is computed");
    auto types = node->op->infer_types(node->inputs);
    if (static_cast<int>(types.size()) != node->num_outputs())
      throw InternalError("verify: " + node->str() + " has the wrong number of outputs");
    for (int i = 0; i < node->num_outputs(); ++i) {
      if (types[i].dtype != node->raw_output(i)->type.dtype || types[i].ndim() != node->raw_output(i)->type.ndim())
        throw InternalError("verify: output " + std::to_string(i) + " of " + node->str() + " has type " +
                            node->raw_output(i)->type.str() + " but the op infers " + types[i].str());
      available.insert(node->raw_output(i));
    }
  }
  for (const auto& o : outputs_)
    if (!available.count(o.get())) throw InternalError("verify: output " + o->str() + " is not computed");
}

}  // namespace theon
