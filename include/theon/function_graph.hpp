// FunctionGraph: the mutable compiler copy of a user graph, with client lists,
// replace(), a topological order and an IR verifier.
#pragma once
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "theon/graph.hpp"

namespace theon {

// Nodes needed to compute `outputs`, inputs before users (iterative DFS).
std::vector<Apply*> toposort(const std::vector<Var>& outputs);
// Root variables (no owner) that `outputs` depend on, in first-visit order.
std::vector<Var> graph_inputs(const std::vector<Var>& outputs);

// Rebuilds the graph of `outputs` with `replace` substituted (givens): every
// node downstream of a replaced variable is re-applied; others are shared.
std::vector<Var> clone_replace(const std::vector<Var>& outputs, const std::vector<std::pair<Var, Var>>& replace);

// The mutable compiler copy of a graph. Changes are incremental (client lists
// kept up to date, nodes imported and pruned as they gain or lose users), so
// a rewrite costs time proportional to what it touches, not to the graph.
// A node belongs to at most one FunctionGraph at a time: membership and the
// client lists of node outputs live on the nodes (Apply::graph_id,
// Variable::graph_clients); only root variables, which graphs share, are
// tracked in a map.
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
  size_t num_nodes() const { return num_members_; }
  bool contains(const Apply* node) const { return node->graph_id == id_; }
  // Inputs the caller allows to be overwritten (In(mutable=True)): the
  // inplace phase may destroy them; every other input is protected.
  void set_mutable(const Variable* input) { mutable_.insert(input); }
  bool is_mutable(const Variable* input) const { return mutable_.count(input) != 0; }
  // Outputs that are new values of shared variables (a function's updates):
  // the inplace phase may write such an output into its shared variable's
  // buffer (the program runs those writes after everything else).
  void set_update_target(size_t output, const Variable* shared);
  const Variable* update_target(size_t output) const {
    return output < update_targets_.size() ? update_targets_[output] : nullptr;
  }
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
  struct RootUse {
    Var var;  // kept alive while used
    std::vector<Client> clients;
  };
  void import_var(const Var& v, const Variable* forbidden);
  void prune(Apply* node);
  void index();
  void claim(Apply* node);
  void add_client(const Var& v, Client c);
  std::vector<Client>* client_list(const Variable* v);
  void release_nodes();
  std::vector<Apply*> order_from_outputs() const;
  uint64_t id_;
  size_t num_members_ = 0;
  std::vector<Var> inputs_, outputs_;
  std::unordered_set<const Variable*> mutable_;
  std::vector<const Variable*> update_targets_;         // per output: the shared variable it updates, or null
  std::unordered_map<const Variable*, RootUse> roots_;  // root variables in use
  std::vector<Listener*> listeners_;
  mutable bool dirty_ = true;
  mutable std::vector<ApplyPtr> order_;
  mutable std::vector<Var> variables_;
};

}  // namespace theon
