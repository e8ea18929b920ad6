// IfElse rewrites (Theano's cond_* optimizations): a condition known when
// compiling picks its branch; work both branches do runs before the branch,
// where the outer graph's rewrites and merge see it.
//
//  ifelse_constant_condition   ifelse(1, a, b) -> a: the taken branch's graph, inlined
//  ifelse_lift_common          a value both branches compute (the same node of
//                              their graph) is computed before the ifelse and
//                              passed in; an output both branches give alike is
//                              that value itself (no branch needed for it)
#include <unordered_set>

#include "compile/ifelse_op.hpp"
#include "rewrite/engine.hpp"
#include "theon/function_graph.hpp"
#include "theon/ops.hpp"

namespace theon::rw {

namespace {

using ops::IfElseOp;

std::vector<std::pair<Var, Var>> to_outer(const IfElseOp& op, const Apply& node) {
  std::vector<std::pair<Var, Var>> m;
  for (size_t j = 0; j < op.params().size(); ++j) m.push_back({op.params()[j], node.inputs[j + 1]});
  return m;
}

std::vector<Var> ifelse_constant_condition(FunctionGraph&, Apply& node) {
  const auto& op = static_cast<const IfElseOp&>(*node.op);
  double c;
  if (!get_constant_scalar(node.inputs[0], &c)) return {};
  return clone_replace(c != 0 ? op.then_outputs() : op.else_outputs(), to_outer(op, node));
}

// The nodes a set of outputs computes.
std::unordered_set<const Apply*> computed(const std::vector<Var>& outs) {
  std::unordered_set<const Apply*> s;
  for (Apply* n : toposort(outs)) s.insert(n);
  return s;
}

std::vector<Var> ifelse_lift_common(FunctionGraph&, Apply& node) {
  const auto& op = static_cast<const IfElseOp&>(*node.op);
  const auto in_then = computed(op.then_outputs()), in_else = computed(op.else_outputs());
  std::unordered_set<const Apply*> common;
  for (const Apply* n : in_then)
    if (in_else.count(n)) common.insert(n);
  // The common values read by work of one branch only, or given as outputs.
  std::vector<Var> lift;
  std::unordered_set<const Variable*> seen;
  auto consider = [&](const Var& v) {
    if (v->owner && common.count(v->owner) && seen.insert(v.get()).second) lift.push_back(v);
  };
  for (const auto* branch : {&op.then_outputs(), &op.else_outputs()})
    for (Apply* n : toposort(*branch)) {
      if (common.count(n)) continue;
      for (const Var& in : n->inputs) consider(in);
    }
  for (const auto* branch : {&op.then_outputs(), &op.else_outputs()})
    for (const Var& o : *branch) consider(o);
  // Values of constants alone are the constant folder's.
  std::vector<Var> keep;
  for (const Var& v : lift) {
    bool constant_only = true;
    for (const Var& r : graph_inputs({v})) constant_only = constant_only && r->kind() == VarKind::Constant;
    if (!constant_only) keep.push_back(v);
  }
  if (keep.empty()) return {};
  const std::vector<Var> outer_vals = clone_replace(keep, to_outer(op, node));
  std::vector<std::pair<Var, Var>> inner;
  std::vector<Var> params = op.params(), outer(node.inputs.begin(), node.inputs.end());
  for (size_t i = 0; i < keep.size(); ++i) {
    Var ph = variable(keep[i]->type, keep[i]->name);
    inner.push_back({keep[i], ph});
    params.push_back(ph);
    outer.push_back(outer_vals[i]);
  }
  std::vector<Var> all = op.then_outputs();
  all.insert(all.end(), op.else_outputs().begin(), op.else_outputs().end());
  all = clone_replace(all, inner);
  const size_t n = op.n_outputs();
  // Outputs both branches give alike: the outer value itself.
  std::vector<Var> result(n);
  std::vector<Var> t, e;
  std::vector<size_t> kept;
  for (size_t k = 0; k < n; ++k) {
    if (all[k] == all[n + k]) {
      for (size_t j = 0; j < params.size(); ++j)
        if (params[j] == all[k]) result[k] = outer[j + 1];
      if (result[k]) continue;
    }
    kept.push_back(k);
    t.push_back(all[k]);
    e.push_back(all[n + k]);
  }
  if (!t.empty()) {
    // Placeholders the branches no longer read leave the op.
    std::unordered_set<const Variable*> read;
    std::vector<Var> both = t;
    both.insert(both.end(), e.begin(), e.end());
    for (const Var& v : graph_inputs(both)) read.insert(v.get());
    std::vector<Var> ps, os{outer[0]};
    for (size_t j = 0; j < params.size(); ++j)
      if (read.count(params[j].get())) ps.push_back(params[j]), os.push_back(outer[j + 1]);
    auto fresh = make_apply(std::make_shared<IfElseOp>(op.label(), ps, t, e), os);
    for (size_t i = 0; i < kept.size(); ++i) result[kept[i]] = fresh->output(static_cast<int>(i));
  }
  return result;
}

}  // namespace

const std::vector<NodeRule>& ifelse_rules() {
  static const std::vector<NodeRule> rules = {
      {"ifelse_constant_condition",
       "canonicalize",
       {OpKind::IfElse},
       {"ifelse", "fast_compile"},
       ifelse_constant_condition},
      {"ifelse_lift_common", "canonicalize", {OpKind::IfElse}, {"ifelse"}, ifelse_lift_common},
  };
  return rules;
}

}  // namespace theon::rw
