#include "theon/function_graph.hpp"

#include <algorithm>
#include <atomic>
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
  if (!replace.empty()) {
    // The replacement values are copied too (without replacements inside
    // them): a graph built from them must not take the user's nodes, which
    // other functions may also use (SdA's `givens={x: data[b:b + n]}` in two functions).
    std::vector<Var> values;
    for (const auto& [a, b] : replace) values.push_back(b);
    values = clone_replace(values, {});
    for (size_t i = 0; i < replace.size(); ++i) memo[replace[i].first.get()] = values[i];
  }
  auto lookup = [&](const Var& v) {
    auto it = memo.find(v.get());
    return it == memo.end() ? v : it->second;
  };
  for (Apply* node : toposort(outputs)) {
    if (memo.count(node->raw_output(0))) continue;  // the output itself was replaced
    std::vector<Var> ins;
    for (const auto& in : node->inputs) ins.push_back(lookup(in));
    // Always copy: the compiler's graph must never share nodes with the user's.
    auto fresh = clone_apply(*node, std::move(ins));
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

namespace {
std::atomic<uint64_t> next_graph_id{1};
// Traversal marks (Apply::graph_mark): 2*epoch while on the DFS stack,
// 2*epoch+1 when done. One counter for every graph, so a stale mark never
// equals a current one.
std::atomic<uint64_t> next_epoch{1};
const std::vector<Client> kNoClients;
}  // namespace

FunctionGraph::FunctionGraph(std::vector<Var> inputs, std::vector<Var> outputs)
    : id_(next_graph_id++), inputs_(std::move(inputs)), outputs_(std::move(outputs)) {
  index();
}

FunctionGraph::FunctionGraph(FunctionGraph&& o) noexcept { *this = std::move(o); }

FunctionGraph& FunctionGraph::operator=(FunctionGraph&& o) noexcept {
  if (this == &o) return *this;
  release_nodes();
  id_ = o.id_;
  o.id_ = next_graph_id++;  // the moved-from graph holds nothing
  num_members_ = std::exchange(o.num_members_, 0);
  inputs_ = std::move(o.inputs_);
  outputs_ = std::move(o.outputs_);
  mutable_ = std::move(o.mutable_);
  update_targets_ = std::move(o.update_targets_);
  roots_ = std::move(o.roots_);
  listeners_ = std::move(o.listeners_);
  dirty_ = true;
  order_.clear();
  variables_.clear();
  o.inputs_.clear();
  o.outputs_.clear();
  o.roots_.clear();
  o.listeners_.clear();
  return *this;
}

FunctionGraph::~FunctionGraph() { release_nodes(); }

void FunctionGraph::set_update_target(size_t output, const Variable* shared) {
  THEON_CHECK(output < outputs_.size() && shared && shared->kind() == VarKind::Shared,
              "set_update_target: output " + std::to_string(output) + " is not an output, or the target not shared");
  update_targets_.resize(outputs_.size(), nullptr);
  update_targets_[output] = shared;
}

// Hands the member nodes back (they may outlive the graph, e.g. held by a caller).
void FunctionGraph::release_nodes() {
  if (num_members_ == 0) return;
  for (Apply* node : order_from_outputs()) {
    node->graph_id = 0;
    node->graph_queued = false;
    for (int i = 0; i < node->num_outputs(); ++i) node->raw_output(i)->graph_clients.clear();
  }
  num_members_ = 0;
}

void FunctionGraph::claim(Apply* node) {
  if (node->graph_id != 0 && node->graph_id != id_)
    throw InternalError("FunctionGraph: " + node->str() + " already belongs to another FunctionGraph");
  node->graph_id = id_;
  ++num_members_;
}

std::vector<Client>* FunctionGraph::client_list(const Variable* v) {
  if (v->owner) return v->owner->graph_id == id_ ? &const_cast<Variable*>(v)->graph_clients : nullptr;
  auto it = roots_.find(v);
  return it == roots_.end() ? nullptr : &it->second.clients;
}

void FunctionGraph::add_client(const Var& v, Client c) {
  if (v->owner) {
    v->graph_clients.push_back(c);
    return;
  }
  auto& use = roots_[v.get()];
  if (!use.var) use.var = v;
  use.clients.push_back(c);
}

namespace {
// Post-order DFS from the outputs' producers over the nodes `follow`
// accepts, marked on the nodes (a fresh epoch per walk): `visit` sees each
// node after all its followed inputs.
template <class Follow, class Visit>
void post_order(const std::vector<Var>& outputs, Follow follow, Visit visit) {
  const uint64_t open = 2 * next_epoch++, done = open + 1;
  std::vector<std::pair<Apply*, size_t>> stack;
  for (const auto& out : outputs) {
    Apply* root = out ? out->owner : nullptr;
    if (!root || !follow(root) || root->graph_mark == open || root->graph_mark == done) continue;
    root->graph_mark = open;
    stack.push_back({root, 0});
    while (!stack.empty()) {
      Apply* node = stack.back().first;
      size_t& next = stack.back().second;
      if (next < node->inputs.size()) {
        Apply* in = node->inputs[next++]->owner;
        if (!in || !follow(in) || in->graph_mark == done) continue;
        if (in->graph_mark == open) throw InternalError("cycle in the graph at " + in->str());
        in->graph_mark = open;
        stack.push_back({in, 0});
        continue;
      }
      node->graph_mark = done;
      visit(node);
      stack.pop_back();
    }
  }
}
}  // namespace

void FunctionGraph::index() {
  for (const auto& v : inputs_) roots_[v.get()].var = v;
  // Claims every node the outputs need, inputs first.
  post_order(
      outputs_, [](Apply*) { return true; },
      [&](Apply* node) {
        claim(node);
        for (size_t i = 0; i < node->inputs.size(); ++i) add_client(node->inputs[i], {node, static_cast<int>(i)});
      });
  for (size_t i = 0; i < outputs_.size(); ++i) add_client(outputs_[i], {nullptr, static_cast<int>(i)});
  dirty_ = true;
}

// Member nodes in topological order.
std::vector<Apply*> FunctionGraph::order_from_outputs() const {
  std::vector<Apply*> order;
  order.reserve(num_members_);
  post_order(
      outputs_, [&](Apply* a) { return a->graph_id == id_; }, [&](Apply* node) { order.push_back(node); });
  return order;
}

const std::vector<ApplyPtr>& FunctionGraph::nodes() const {
  if (dirty_) {
    order_.clear();
    variables_.clear();
    std::unordered_set<const Variable*> seen_roots;  // node outputs are unique; roots may repeat
    auto add_root = [&](const Var& v) {
      if (seen_roots.insert(v.get()).second) variables_.push_back(v);
    };
    for (const auto& v : inputs_) add_root(v);
    for (Apply* node : order_from_outputs()) {
      order_.push_back(node->shared_from_this());
      for (const auto& in : node->inputs)
        if (!in->owner) add_root(in);
      for (int i = 0; i < node->num_outputs(); ++i) variables_.push_back(node->output(i));
    }
    for (const auto& o : outputs_)
      if (!o->owner) add_root(o);
    dirty_ = false;
  }
  return order_;
}

const std::vector<Var>& FunctionGraph::variables() const {
  nodes();
  return variables_;
}

const std::vector<Client>& FunctionGraph::clients(const Variable* v) const {
  const std::vector<Client>* cl = const_cast<FunctionGraph*>(this)->client_list(v);
  return cl ? *cl : kNoClients;
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
    auto& use = roots_[v.get()];
    if (!use.var) use.var = v;
    return;
  }
  if (contains(v->owner)) return;
  const uint64_t open = 2 * next_epoch++;
  std::vector<std::pair<Apply*, size_t>> stack{{v->owner, 0}};
  v->owner->graph_mark = open;
  while (!stack.empty()) {
    auto& [node, next] = stack.back();
    if (next < node->inputs.size()) {
      const Var& in = node->inputs[next++];
      if (in.get() == forbidden) throw InternalError("replace: the replacement depends on the variable it replaces");
      if (!in->owner) {
        auto& use = roots_[in.get()];
        if (!use.var) use.var = in;
      } else if (!contains(in->owner)) {
        if (in->owner->graph_mark == open) throw InternalError("cycle in the graph at " + in->owner->str());
        in->owner->graph_mark = open;
        stack.push_back({in->owner, 0});
      }
      continue;
    }
    Apply* done = node;
    stack.pop_back();
    done->graph_mark = 0;
    claim(done);
    for (size_t i = 0; i < done->inputs.size(); ++i) add_client(done->inputs[i], {done, static_cast<int>(i)});
    for (auto* l : listeners_) l->on_import(done);
  }
}

// Removes `node` if none of its outputs is used, then its producers likewise.
void FunctionGraph::prune(Apply* start) {
  std::vector<Apply*> work{start};
  while (!work.empty()) {
    Apply* node = work.back();
    work.pop_back();
    if (!contains(node)) continue;
    bool used = false;
    for (int i = 0; i < node->num_outputs() && !used; ++i) used = !node->raw_output(i)->graph_clients.empty();
    if (used) continue;
    ApplyPtr keep = node->shared_from_this();  // alive until we are done with it
    node->graph_id = 0;
    node->graph_queued = false;
    --num_members_;
    for (size_t i = 0; i < node->inputs.size(); ++i) {
      const Var& in = node->inputs[i];
      std::vector<Client>* cl = client_list(in.get());
      if (!cl) continue;
      for (size_t k = 0; k < cl->size(); ++k)
        if ((*cl)[k].node == node && (*cl)[k].index == static_cast<int>(i)) {
          (*cl)[k] = cl->back();
          cl->pop_back();
          break;
        }
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
      throw TypeError("cannot replace " + old_var->str() + " of type " + old_var->type.str() + " by " + new_var->str() +
                      " of type " + new_var->type.str());
    import_var(new_var, old_var.get());
    std::vector<Client>* src = client_list(old_var.get());
    if (!src || src->empty()) continue;
    std::vector<Client> moved = std::move(*src);
    src->clear();
    for (const auto& c : moved) {
      if (c.node)
        c.node->inputs[c.index] = new_var;
      else
        outputs_[c.index] = new_var;
      add_client(new_var, c);
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
  if (num_members_ != nodes().size())
    throw InternalError("verify: " + std::to_string(num_members_) + " member nodes but " +
                        std::to_string(nodes().size()) + " reachable from the outputs");
  size_t edges = 0;
  for (const auto& node : nodes()) {
    for (size_t i = 0; i < node->inputs.size(); ++i) {
      const auto& cl = clients(node->inputs[i].get());
      bool found = std::any_of(cl.begin(), cl.end(),
                               [&](const Client& c) { return c.node == node.get() && c.index == static_cast<int>(i); });
      if (!found)
        throw InternalError("verify: " + node->str() + " is missing from the clients of its input " +
                            std::to_string(i));
    }
    edges += node->inputs.size();
  }
  size_t listed = 0;
  for (const auto& [v, use] : roots_) listed += use.clients.size();
  for (const auto& node : nodes())
    for (int i = 0; i < node->num_outputs(); ++i) listed += node->raw_output(i)->graph_clients.size();
  if (listed != edges + outputs_.size())
    throw InternalError("verify: the client lists hold " + std::to_string(listed) + " entries for " +
                        std::to_string(edges + outputs_.size()) + " uses");
}

}  // namespace theon
