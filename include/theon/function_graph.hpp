// FunctionGraph: the mutable compiler copy of a user graph, with client lists,
// replace(), a topological order and an IR verifier.
#pragma once
#include <unordered_map>
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
std::vector<Var> clone_replace(const std::vector<Var>& outputs,
                               const std::vector<std::pair<Var, Var>>& replace);

struct Client {
  Apply* node;  // nullptr = the graph output at `index`
  int index;
};

class FunctionGraph {
 public:
  FunctionGraph(std::vector<Var> inputs, std::vector<Var> outputs);

  const std::vector<Var>& inputs() const { return inputs_; }
  const std::vector<Var>& outputs() const { return outputs_; }
  const std::vector<ApplyPtr>& nodes() const { return nodes_; }  // topological
  const std::vector<Client>& clients(const Variable* v) const;
  // Every variable in the graph: inputs, constants/shared roots, node outputs.
  const std::vector<Var>& variables() const { return variables_; }
  // Root variables that are neither inputs nor constants/shared: missing.
  std::vector<Var> missing_inputs() const;

  // Redirects every client of `old_var` to `new_var` (types must match).
  void replace(const Var& old_var, const Var& new_var);
  // Checks the IR invariants; throws InternalError describing the first violation.
  void verify() const;

 private:
  void rebuild();
  std::vector<Var> inputs_, outputs_, variables_;
  std::vector<ApplyPtr> nodes_;
  std::unordered_map<const Variable*, std::vector<Client>> clients_;
};

}  // namespace theon
