// The worklist equilibrium and the helpers rules share.
#include "rewrite/engine.hpp"

#include <deque>
#include <unordered_set>

#include "theon/grad.hpp"

namespace theon::rw {

namespace {

// Queues every node that changed or appeared, once.
class Worklist final : public FunctionGraph::Listener {
 public:
  void push(Apply* n) {
    if (!n || n->graph_queued) return;
    n->graph_queued = true;
    queue_.push_back(n->shared_from_this());
  }
  ApplyPtr pop() {
    ApplyPtr n = std::move(queue_.front());
    queue_.pop_front();
    n->graph_queued = false;
    return n;
  }
  ~Worklist() {
    for (auto& n : queue_) n->graph_queued = false;
  }
  bool empty() const { return queue_.empty(); }
  void on_import(Apply* node) override { push(node); }
  void on_change_input(Apply* node, int, const Var&, const Var&) override { push(node); }

 private:
  std::deque<ApplyPtr> queue_;  // owning, so a pruned node's address is never reused while queued
};

// A replacement must keep the old variable's dtype (cast if needed), rank and
// broadcast pattern: downstream nodes were typed against them.
Var fit_type(const Var& old_var, Var repl, const NodeRule& rule) {
  if (repl->dtype() != old_var->dtype()) repl = cast(repl, old_var->dtype());
  if (repl->ndim() != old_var->ndim())
    throw InternalError("rewrite " + std::string(rule.name) + " replaced " + old_var->type.str() + " by " +
                        repl->type.str());
  if (!fits(old_var->type, repl->type)) return nullptr;  // broadcast pattern would change: skip
  return repl;
}

// The Asserts (other than `node` itself) that replacing node's outputs as in
// `pairs` would prune: those guarding only values the replacement no longer
// reads, as the range check of a choice that switch(c, a, a) -> a drops. A
// check is part of the program's meaning; a rule that drops its subgraph must
// not drop the error. Walks only the nodes the replacement frees.
std::vector<Apply*> dropped_asserts(const FunctionGraph& fg, Apply& node,
                                    const std::vector<std::pair<Var, Var>>& pairs) {
  // Graph variables the replacements read (through their new nodes).
  std::unordered_set<const Variable*> kept;
  std::unordered_set<const Apply*> walked;
  std::vector<const Variable*> stack;
  for (const auto& pr : pairs) stack.push_back(pr.second.get());
  while (!stack.empty()) {
    const Variable* v = stack.back();
    stack.pop_back();
    if (!v->owner || fg.contains(v->owner)) {
      kept.insert(v);
      continue;
    }
    if (!walked.insert(v->owner).second) continue;
    for (const auto& in : v->owner->inputs) stack.push_back(in.get());
  }
  std::unordered_set<const Variable*> replaced;
  for (const auto& pr : pairs) replaced.insert(pr.first.get());
  for (int i = 0; i < node.num_outputs(); ++i) {
    const Variable* o = node.raw_output(i);
    if (kept.count(o) || (!replaced.count(o) && !fg.clients(o).empty())) return {};  // node stays
  }
  std::unordered_set<const Apply*> dead{&node};
  std::vector<Apply*> asserts, work;
  auto push_inputs = [&](const Apply& n) {
    for (const auto& in : n.inputs)
      if (in->owner && fg.contains(in->owner) && !dead.count(in->owner)) work.push_back(in->owner);
  };
  push_inputs(node);
  while (!work.empty()) {
    Apply* n = work.back();
    work.pop_back();
    if (dead.count(n)) continue;
    bool used = false;
    for (int i = 0; i < n->num_outputs() && !used; ++i) {
      const Variable* o = n->raw_output(i);
      if (kept.count(o)) used = true;
      for (const auto& c : fg.clients(o))
        if (!c.node || !dead.count(c.node)) used = true;
    }
    if (used) continue;
    dead.insert(n);
    if (n->op->kind() == OpKind::Assert) {
      bool checked_still = true;  // the replacement reads every condition (e.g. it merged two Asserts)
      for (size_t i = 1; i < n->inputs.size(); ++i) checked_still = checked_still && kept.count(n->inputs[i].get());
      if (!checked_still) asserts.push_back(n);
    }
    push_inputs(*n);
  }
  return asserts;
}

}  // namespace

void equilibrium(FunctionGraph& fg, const std::vector<const NodeRule*>& rules, RewriteReport& report) {
  std::vector<std::vector<const NodeRule*>> by_kind(kNumOpKinds);
  for (const NodeRule* r : rules) {
    if (r->tracks.empty())
      for (auto& v : by_kind) v.push_back(r);
    else
      for (OpKind k : r->tracks) by_kind[static_cast<int>(k)].push_back(r);
  }
  Worklist work;
  bool any_assert = false;  // rules only make Asserts from others
  for (const auto& n : fg.nodes()) {
    work.push(n.get());
    any_assert = any_assert || n->op->kind() == OpKind::Assert;
  }
  fg.add_listener(&work);
  struct Detach {
    FunctionGraph& fg;
    Worklist* w;
    ~Detach() { fg.remove_listener(w); }
  } detach{fg, &work};

  size_t budget = 64 * (fg.num_nodes() + 64);
  while (!work.empty()) {
    ApplyPtr node = work.pop();
    if (!fg.contains(node.get())) continue;
    for (const NodeRule* rule : by_kind[static_cast<int>(node->op->kind())]) {
      std::vector<Var> repl;
      {
        SiteScope scope(node->site);
        repl = rule->fn(fg, *node);
      }
      if (repl.empty()) continue;
      std::vector<std::pair<Var, Var>> pairs;
      for (int i = 0; i < node->num_outputs() && i < static_cast<int>(repl.size()); ++i) {
        if (!repl[i]) continue;
        Var old_var = node->output(i);
        if (repl[i] == old_var) continue;
        // An output nobody reads needs no replacement (importing one would add dead nodes).
        if (fg.clients(old_var.get()).empty()) continue;
        Var fitted;
        {
          SiteScope scope(node->site);
          fitted = fit_type(old_var, repl[i], *rule);
        }
        if (!fitted) {
          pairs.clear();
          break;
        }
        if (fitted->name.empty()) fitted->name = old_var->name;
        pairs.push_back({old_var, fitted});
      }
      if (pairs.empty()) continue;
      if (any_assert) {
        // The checks the replacement would drop guard its first used output instead.
        size_t at = 0;
        while (at + 1 < pairs.size() && fg.clients(pairs[at].first.get()).empty()) ++at;
        for (Apply* a : dropped_asserts(fg, *node, pairs)) {
          SiteScope scope(a->site);
          pairs[at].second =
              assert_like(*a->op, pairs[at].second, std::vector<Var>(a->inputs.begin() + 1, a->inputs.end()));
        }
      }
      fg.replace_all(pairs);
      ++report.fired[rule->name];
      if (--budget == 0) {
        warn(
            "theon rewriter: the rules did not reach a fixed point within their budget; the graph is correct "
            "but may not be fully simplified (last rule: " +
            std::string(rule->name) + ")");
        return;
      }
      if (!fg.contains(node.get())) break;
      work.push(node.get());  // some outputs kept: look at it again later
      break;
    }
  }
}

bool fits(const TensorType& old, const TensorType& repl) {
  if (old.ndim() != repl.ndim()) return false;
  for (int d = 0; d < old.ndim(); ++d) {
    int64_t a = old.shape[d], b = repl.shape[d];
    if ((a == 1) != (b == 1)) return false;
    if (a >= 0 && b >= 0 && a != b) return false;
  }
  return true;
}

Var broadcast_like(const Var& x, const Var& like) {
  Var r = x;
  if (r->dtype() != like->dtype()) r = cast(r, like->dtype());
  if (fits(like->type, r->type)) return r;
  return fill(like, r);
}

}  // namespace theon::rw
