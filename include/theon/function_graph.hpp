// FunctionGraph: the mutable compiler copy of a user graph, with client lists,
// replace(), a topological order and an IR verifier.
#pragma once
#include <unordered_map>
#include <utility>
#include <unordered_set>
#include <vector>

#include "theon/graph.hpp"

namespace theon {

// Nodes needed to compute `outputs`, inputs before users (iterative DFS).
std::vector<Apply*> toposort(const std::vector<Var>& outputs);
// Root variables (no owner) that `outputs` depend on, in first-visit order.
std::vector<Var> graph_inputs(const std::vector<Var>& outputs);

// Rebuilds the graph of `outputs` with `replace` substituted (givens): every
// node downstream of a replaced variable is re-applied; others are shared.
std::vector<Var> clone_replace(const std::vector<Var>& outputs,
                               const std::vector<std::pair<Var, Var>>& replace);

struct Client {
  Apply* node;  // nullptr = the graph output at `index`
  int index;
};

// The mutable compiler copy of a graph. Changes are incremental (client lists
// kept up to date, nodes imported and pruned as they gain or lose users), so
// a rewrite costs time proportional to what it touches, not to the graph.
class FunctionGraph {
 public:
  // Told about every structural change (the rewrite engine queues new work).
  struct Listener {
    virtual ~Listener() = default;
    virtual void on_import(Apply* /*node*/) {}
    virtual void on_prune(Apply* /*node*/) {}
    // `node` (nullptr = a graph output) now reads new_var at input `index`.
    virtual void on_change_input(Apply* /*node*/, int /*index*/, const Var& /*old_var*/, const Var& /*new_var*/) {}
  };

  FunctionGraph(std::vector<Var> inputs, std::vector<Var> outputs);
  FunctionGraph(FunctionGraph&&) noexcept;
  FunctionGraph& operator=(FunctionGraph&&) noexcept;
  ~FunctionGraph();

  const std::vector<Var>& inputs() const { return inputs_; }
  const std::vector<Var>& outputs() const { return outputs_; }
  // Topological order (inputs before users), recomputed after changes.
  const std::vector<ApplyPtr>& nodes() const;
  size_t num_nodes() const { return members_.size(); }
  bool contains(const Apply* node) const { return members_.count(node) != 0; }
  // Inputs the caller allows to be overwritten (In(mutable=True)): the
  // inplace phase may destroy them; every other input is protected.
  void set_mutable(const Variable* input) { mutable_.insert(input); }
  bool is_mutable(const Variable* input) const { return mutable_.count(input) != 0; }
  const std::vector<Client>& clients(const Variable* v) const;
  // Every variable in the graph: inputs, constants/shared roots, node outputs.
  const std::vector<Var>& variables() const;
  // Root variables that are neither inputs nor constants/shared: missing.
  std::vector<Var> missing_inputs() const;

  // Redirects every client of `old_var` to `new_var` (types must be
  // compatible), importing the nodes new_var needs and pruning those nobody
  // uses any more. `new_var` must not depend on `old_var`.
  void replace(const Var& old_var, const Var& new_var);
  // Several replacements at once (e.g. all outputs of a node).
  void replace_all(const std::vector<std::pair<Var, Var>>& pairs);
  // Checks the IR invariants; throws InternalError describing the first violation.
  void verify() const;

  void add_listener(Listener* l) { listeners_.push_back(l); }
  void remove_listener(Listener* l);

 private:
  void import_var(const Var& v, const Variable* forbidden);
  void prune(Apply* node);
  void index();
  std::vector<Var> inputs_, outputs_;
  std::unordered_set<const Variable*> mutable_;
  std::unordered_map<const Apply*, ApplyPtr> members_;
  std::unordered_map<const Variable*, std::vector<Client>> clients_;
  std::unordered_map<const Variable*, Var> roots_;  // root variables in use, kept alive
  std::vector<Listener*> listeners_;
  mutable bool dirty_ = true;
  mutable std::vector<ApplyPtr> order_;
  mutable std::vector<Var> variables_;
};

}  // namespace theon
