// The inplace phase (after fusion, Theano's order): ops that may overwrite an
// input that dies at that node. The static half of Theano's destroy handler
// is here: never a constant, a shared value, or an input the caller did not
// mark mutable; never a value a graph output is, or another node reads
// unless that node must run first and keeps no view of it; never an input
// the node reads twice. The run-time half (runtime/program) checks each
// call that the buffer is exclusively the runtime's (no view of it alive, not
// a result handed out), else the op writes a fresh buffer: so an alias the
// graph cannot see never gets overwritten.
//
// A shared variable may be overwritten by the node that computes its update
// (W - lr * g as gemm_inplace on W's buffer, Theano's in-place updates): the
// node's only use is that update, and every other reader of W (through views
// too) is an ordinary node, which the program runs before any write into a
// shared buffer (see runtime/program.cpp for how a failing call stays
// without effect).
#include <unordered_set>

#include "rewrite/engine.hpp"

namespace theon::rw {

namespace {

// Does `node` depend on `other` (so that every schedule runs `other` first)?
// A bounded upward search: past the budget the answer is a safe "no".
bool runs_before(const Apply* other, const Apply& node) {
  constexpr size_t kBudget = 256;
  std::vector<const Apply*> work;
  std::unordered_set<const Apply*> seen;
  for (const auto& in : node.inputs)
    if (in->owner && seen.insert(in->owner).second) work.push_back(in->owner);
  while (!work.empty() && seen.size() <= kBudget) {
    const Apply* a = work.back();
    work.pop_back();
    if (a == other) return true;
    for (const auto& in : a->inputs)
      if (in->owner && seen.insert(in->owner).second) work.push_back(in->owner);
  }
  return false;
}

bool makes_views(const Apply& a) {
  for (int i = 0; i < a.num_outputs(); ++i)
    if (a.op->view_of(i) >= 0) return true;
  return false;
}

// A node that writes into a shared variable's buffer (an update in place).
bool destroys_shared(const Apply& n) {
  const int k = n.op->destroys();
  return k >= 0 && n.inputs[k]->kind() == VarKind::Shared;
}

// Every reader of `v` other than `node`, through views of v too, is an
// ordinary node: not a graph output, not another write into a shared buffer.
bool read_by_ordinary_nodes(FunctionGraph& fg, const Variable* v, const Apply& node, int depth = 0) {
  if (depth > 64) return false;
  for (const Client& c : fg.clients(v)) {
    if (c.node == &node && depth == 0) continue;  // its own input k (counted once by the caller)
    if (!c.node || c.node == &node || destroys_shared(*c.node)) return false;  // node reading a view of v: no
    for (int j = 0; j < c.node->num_outputs(); ++j) {
      const int base = c.node->op->view_of(j);
      if (base >= 0 && c.node->inputs[base].get() == v &&
          !read_by_ordinary_nodes(fg, c.node->raw_output(j), node, depth + 1))
        return false;
    }
  }
  return true;
}

// The shared variable `v` (input k of `node`) may take node's result in its
// own buffer: the node computes v's update and nothing else, every other
// reader of v is ordinary, and no other input of the node is (a view of) a
// shared variable another node overwrites.
bool can_destroy_shared(FunctionGraph& fg, const Apply& node, int k) {
  const Var& v = node.inputs[k];
  if (node.num_outputs() != 1 || std::count(node.inputs.begin(), node.inputs.end(), v) != 1) return false;
  const auto& uses = fg.clients(node.raw_output(0));
  if (uses.size() != 1 || uses[0].node || fg.update_target(uses[0].index) != v.get()) return false;
  if (!read_by_ordinary_nodes(fg, v.get(), node)) return false;
  for (int i = 0; i < static_cast<int>(node.inputs.size()); ++i) {
    if (i == k) continue;
    const Variable* u = node.inputs[i].get();
    while (u->owner && u->owner->op->view_of(u->index) >= 0)
      u = u->owner->inputs[u->owner->op->view_of(u->index)].get();
    if (u->kind() != VarKind::Shared) continue;
    for (const Client& c : fg.clients(u))
      if (c.node && c.node != &node && destroys_shared(*c.node)) return false;
  }
  return true;
}

bool can_destroy(FunctionGraph& fg, const Apply& node, int k) {
  const Var& v = node.inputs[k];
  if (v->kind() == VarKind::Shared) return can_destroy_shared(fg, node, k);
  if (v->kind() == VarKind::Constant) return false;
  if (!v->owner && !fg.is_mutable(v.get())) return false;
  if (std::count(node.inputs.begin(), node.inputs.end(), v) != 1) return false;
  // Other readers are fine when they must run first (this node depends on
  // them) and keep no view of v: a row mean read before the chain that
  // overwrites its input, as in x - mean(x).
  for (const Client& c : fg.clients(v.get())) {
    if (c.node == &node) continue;
    if (!c.node || makes_views(*c.node) || !runs_before(c.node, node))
      return false;  // a graph output, a view, a later reader
  }
  // Writing into a view writes into its base: every variable down the view
  // chain must be read only by the next view, and the chain must start at a
  // value this function owns (not a constant, a shared value, or a protected input).
  const Variable* w = v.get();
  while (w->owner && w->owner->op->view_of(w->index) >= 0) {
    const Var& base = w->owner->inputs[w->owner->op->view_of(w->index)];
    if (base->kind() == VarKind::Constant || base->kind() == VarKind::Shared) return false;
    if (!base->owner && !fg.is_mutable(base.get())) return false;
    const auto& bu = fg.clients(base.get());
    if (bu.size() != 1 || bu[0].node != w->owner) return false;
    w = base.get();
  }
  return true;
}

// An input with the output's dtype and broadcast pattern can hold the result;
// a shared variable first (its update is then written where it lives).
int destroyable_input(FunctionGraph& fg, const Apply& node) {
  const auto& out = node.raw_output(0)->type;
  for (bool shared : {true, false})
    for (int k = 0; k < static_cast<int>(node.inputs.size()); ++k) {
      const auto& t = node.inputs[k]->type;
      if ((node.inputs[k]->kind() == VarKind::Shared) != shared) continue;
      if (t.dtype != out.dtype || !fits(out, t) || !fits(t, out)) continue;
      if (can_destroy(fg, node, k)) return k;
    }
  return -1;
}

std::vector<Var> elemwise_inplace_rule(FunctionGraph& fg, Apply& node) {
  if (node.op->destroys() >= 0 || node.num_outputs() != 1) return {};
  const int k = destroyable_input(fg, node);
  if (k < 0) return {};
  OpPtr op = node.op->kind() == OpKind::Fused ? composite_inplace(*node.op, k) : elemwise_inplace(*node.op, k);
  return {apply1(op, node.inputs)};
}

std::vector<Var> gemm_inplace_rule(FunctionGraph& fg, Apply& node) {
  if (node.op->destroys() >= 0 || !can_destroy(fg, node, 0)) return {};
  const auto& in = node.inputs;
  return {gemm(in[0], in[1], in[2], in[3], in[4], true)};
}

std::vector<Var> inc_subtensor_inplace_rule(FunctionGraph& fg, Apply& node) {
  if (node.op->destroys() >= 0 || !can_destroy(fg, node, 0)) return {};
  return {apply1(inc_subtensor_inplace(*node.op), node.inputs)};
}

}  // namespace

const std::vector<NodeRule>& inplace_rules() {
  static const std::vector<NodeRule> rules = {
      {"elemwise_inplace",
       "inplace",
       {OpKind::Elemwise, OpKind::Cast, OpKind::Fused},
       {"inplace"},
       elemwise_inplace_rule},
      {"gemm_inplace", "inplace", {OpKind::Gemm}, {"inplace", "blas"}, gemm_inplace_rule},
      {"inc_subtensor_inplace", "inplace", {OpKind::IncSubtensor}, {"inplace"}, inc_subtensor_inplace_rule},
  };
  return rules;
}

}  // namespace theon::rw
