// ifelse: a lazy branch. Only the branch that the condition selects is
// computed when the function runs; each branch is a graph of variables of the
// enclosing graph. Differentiable (the gradient is an ifelse of the branches'
// gradients) with respect to everything either branch reads.
#pragma once
#include <string>
#include <vector>

#include "theon/graph.hpp"

namespace theon {

// then_ and else_ have one entry per output, of the same dtype and rank.
std::vector<Var> ifelse(const Var& cond, const std::vector<Var>& then_, const std::vector<Var>& else_,
                        const std::string& name = "ifelse");

}  // namespace theon
