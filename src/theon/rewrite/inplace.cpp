// The inplace phase (after fusion, Theano's order): ops that may overwrite an
// input that dies at that node. The static half of Theano's destroy handler
// is here: never a constant, a shared value, or an input the caller did not
// mark mutable; never a value another node or a graph output reads; never an
// input the node reads twice. The run-time half (runtime/program) checks each
// call that the buffer is exclusively the runtime's (no view of it alive, not
// a result handed out), else the op writes a fresh buffer: so an alias the
// graph cannot see never gets overwritten.
#include "rewrite/engine.hpp"

namespace theon::rw {

namespace {

bool can_destroy(FunctionGraph& fg, const Apply& node, int k) {
  const Var& v = node.inputs[k];
  if (v->kind() == VarKind::Constant || v->kind() == VarKind::Shared) return false;
  if (!v->owner && !fg.is_mutable(v.get())) return false;
  const auto& users = fg.clients(v.get());
  if (users.size() != 1 || users[0].node != &node) return false;  // also excludes graph outputs
  if (std::count(node.inputs.begin(), node.inputs.end(), v) != 1) return false;
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

// An input with the output's dtype and broadcast pattern can hold the result.
int destroyable_input(FunctionGraph& fg, const Apply& node) {
  const auto& out = node.raw_output(0)->type;
  for (int k = 0; k < static_cast<int>(node.inputs.size()); ++k) {
    const auto& t = node.inputs[k]->type;
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
      {"elemwise_inplace", "inplace", {OpKind::Elemwise, OpKind::Cast, OpKind::Fused}, {"inplace"}, elemwise_inplace_rule},
      {"gemm_inplace", "inplace", {OpKind::Gemm}, {"inplace", "blas"}, gemm_inplace_rule},
      {"inc_subtensor_inplace", "inplace", {OpKind::IncSubtensor}, {"inplace"}, inc_subtensor_inplace_rule},
  };
  return rules;
}

}  // namespace theon::rw
