#include "theon/function_graph.hpp"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

namespace theon {

std::vector<Apply*> toposort(const std::vector<Var>& outputs) {
  std::vector<Apply*> order;
  // One table for both marks (1: on the stack, 2: done): one lookup per edge.
  std::unordered_map<const Apply*, uint8_t> mark;
  mark.reserve(1024);
  std::vector<std::pair<Apply*, size_t>> stack;  // node, next input to visit
  for (const auto& out : outputs) {
    if (!out || !out->owner || mark.count(out->owner)) continue;
    stack.push_back({out->owner, 0});
    mark.emplace(out->owner, 1);
    while (!stack.empty()) {
      Apply* node = stack.back().first;
      size_t& next = stack.back().second;
      if (next < node->inputs.size()) {
        Apply* in = node->inputs[next++]->owner;
        if (!in) continue;
        auto [it, fresh] = mark.emplace(in, 1);
        if (fresh) {
          stack.push_back({in, 0});
        } else if (it->second == 1) {
          throw InternalError("cycle in the graph at " + in->str());
        }
        continue;
      }
      mark[node] = 2;
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
  index();
}
FunctionGraph::FunctionGraph(FunctionGraph&&) noexcept = default;
FunctionGraph& FunctionGraph::operator=(FunctionGraph&&) noexcept = default;
FunctionGraph::~FunctionGraph() = default;

void FunctionGraph::index() {
  for (const auto& v : inputs_) roots_[v.get()] = v;
  const std::vector<Apply*> order = toposort(outputs_);
  members_.reserve(order.size());
  clients_.reserve(2 * order.size());
  for (Apply* node : order) {
    members_[node] = node->shared_from_this();
    for (size_t i = 0; i < node->inputs.size(); ++i) {
      const Var& in = node->inputs[i];
      if (!in->owner) roots_[in.get()] = in;
      clients_[in.get()].push_back({node, static_cast<int>(i)});
    }
  }
  for (size_t i = 0; i < outputs_.size(); ++i) {
    if (!outputs_[i]->owner) roots_[outputs_[i].get()] = outputs_[i];
    clients_[outputs_[i].get()].push_back({nullptr, static_cast<int>(i)});
  }
  dirty_ = true;
}

const std::vector<ApplyPtr>& FunctionGraph::nodes() const {
  if (dirty_) {
    order_.clear();
    variables_.clear();
    std::unordered_set<const Variable*> seen;
    auto add_var = [&](const Var& v) {
      if (seen.insert(v.get()).second) variables_.push_back(v);
    };
    for (const auto& v : inputs_) add_var(v);
    for (Apply* node : toposort(outputs_)) {
      order_.push_back(node->shared_from_this());
      for (const auto& in : node->inputs) add_var(in);
      for (int i = 0; i < node->num_outputs(); ++i) add_var(node->output(i));
    }
    for (const auto& o : outputs_) add_var(o);
    dirty_ = false;
  }
  return order_;
}

const std::vector<Var>& FunctionGraph::variables() const {
  nodes();
  return variables_;
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
  for (const auto& v : variables())
    if (!v->owner && v->kind() == VarKind::Input && !given.count(v.get())) missing.push_back(v);
  return missing;
}

void FunctionGraph::remove_listener(Listener* l) {
  listeners_.erase(std::remove(listeners_.begin(), listeners_.end(), l), listeners_.end());
}

// Adds v's producers that are not in the graph yet (iteratively, inputs first).
void FunctionGraph::import_var(const Var& v, const Variable* forbidden) {
  if (v.get() == forbidden) throw InternalError("replace: the replacement depends on the variable it replaces");
  if (!v->owner) {
    roots_.emplace(v.get(), v);
    return;
  }
  if (members_.count(v->owner)) return;
  std::vector<std::pair<Apply*, size_t>> stack{{v->owner, 0}};
  std::unordered_set<const Apply*> on_stack{v->owner};
  while (!stack.empty()) {
    auto& [node, next] = stack.back();
    if (next < node->inputs.size()) {
      const Var& in = node->inputs[next++];
      if (in.get() == forbidden) throw InternalError("replace: the replacement depends on the variable it replaces");
      if (!in->owner) {
        roots_.emplace(in.get(), in);
      } else if (!members_.count(in->owner)) {
        if (!on_stack.insert(in->owner).second) throw InternalError("cycle in the graph at " + in->owner->str());
        stack.push_back({in->owner, 0});
      }
      continue;
    }
    Apply* done = node;
    stack.pop_back();
    on_stack.erase(done);
    members_[done] = done->shared_from_this();
    for (size_t i = 0; i < done->inputs.size(); ++i)
      clients_[done->inputs[i].get()].push_back({done, static_cast<int>(i)});
    for (auto* l : listeners_) l->on_import(done);
  }
}

// Removes `node` if none of its outputs is used, then its producers likewise.
void FunctionGraph::prune(Apply* start) {
  std::vector<Apply*> work{start};
  while (!work.empty()) {
    Apply* node = work.back();
    work.pop_back();
    auto it = members_.find(node);
    if (it == members_.end()) continue;
    bool used = false;
    for (int i = 0; i < node->num_outputs() && !used; ++i) used = !clients(node->raw_output(i)).empty();
    if (used) continue;
    ApplyPtr keep = it->second;  // alive until we are done with it
    members_.erase(it);
    for (int i = 0; i < node->num_outputs(); ++i) clients_.erase(node->raw_output(i));
    for (size_t i = 0; i < node->inputs.size(); ++i) {
      const Var& in = node->inputs[i];
      auto& cl = clients_[in.get()];
      for (size_t k = 0; k < cl.size(); ++k)
        if (cl[k].node == node && cl[k].index == static_cast<int>(i)) {
          cl[k] = cl.back();
          cl.pop_back();
          break;
        }
      if (cl.empty()) clients_.erase(in.get());
      if (in->owner) work.push_back(in->owner);
    }
    for (auto* l : listeners_) l->on_prune(node);
  }
}

void FunctionGraph::replace(const Var& old_var, const Var& new_var) { replace_all({{old_var, new_var}}); }

void FunctionGraph::replace_all(const std::vector<std::pair<Var, Var>>& pairs) {
  for (const auto& [old_var, new_var] : pairs) {
    if (old_var == new_var) continue;
    if (!old_var->type.accepts(new_var->type) && !new_var->type.accepts(old_var->type))
      throw TypeError("cannot replace " + old_var->str() + " of type " + old_var->type.str() + " by " +
                      new_var->str() + " of type " + new_var->type.str());
    import_var(new_var, old_var.get());
    auto it = clients_.find(old_var.get());
    if (it == clients_.end()) continue;
    std::vector<Client> moved = std::move(it->second);
    clients_.erase(it);
    auto& dst = clients_[new_var.get()];
    for (const auto& c : moved) {
      if (c.node)
        c.node->inputs[c.index] = new_var;
      else
        outputs_[c.index] = new_var;
      dst.push_back(c);
      for (auto* l : listeners_) l->on_change_input(c.node, c.index, old_var, new_var);
    }
    if (old_var->owner) prune(old_var->owner);
  }
  dirty_ = true;
}

void FunctionGraph::verify() const {
  std::unordered_set<const Variable*> available;
  for (const auto& v : variables())
    if (!v->owner) available.insert(v.get());
  for (const auto& node : nodes()) {
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
  // The incremental bookkeeping agrees with the graph.
  if (members_.size() != nodes().size())
    throw InternalError("verify: " + std::to_string(members_.size()) + " member nodes but " +
                        std::to_string(nodes().size()) + " reachable from the outputs");
  size_t edges = 0;
  for (const auto& node : nodes()) {
    for (size_t i = 0; i < node->inputs.size(); ++i) {
      const auto& cl = clients(node->inputs[i].get());
      bool found = std::any_of(cl.begin(), cl.end(), [&](const Client& c) {
        return c.node == node.get() && c.index == static_cast<int>(i);
      });
      if (!found) throw InternalError("verify: " + node->str() + " is missing from the clients of its input " + std::to_string(i));
    }
    edges += node->inputs.size();
  }
  size_t listed = 0;
  for (const auto& [v, cl] : clients_) listed += cl.size();
  if (listed != edges + outputs_.size())
    throw InternalError("verify: the client lists hold " + std::to_string(listed) + " entries for " +
                        std::to_string(edges + outputs_.size()) + " uses");
}

}  // namespace theon
