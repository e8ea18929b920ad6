// A loop over an index: evaluates a graph for index = 0..n-1 and stacks the
// results. jacobian() and hessian() are built on it (Theano built them on scan),
// so their length may be symbolic.
#pragma once
#include <string>
#include <vector>

#include "theon/graph.hpp"

namespace theon {

// `outputs` is a graph of `index` (an integer 0-d root variable) and any other
// variables of the enclosing graph. Returns, for each output, a tensor of shape
// (n,) + row shape whose row i is the output evaluated at index = i. `row_like`
// (optional, one per output or empty) names an outer variable with the shape of
// one row, which fixes the result's shape when n == 0. The loop is
// differentiable with respect to every outer variable it reads.
std::vector<Var> map_index(const Var& n, const Var& index, const std::vector<Var>& outputs,
                           const std::vector<Var>& row_like = {}, const std::string& label = "map");

}  // namespace theon
