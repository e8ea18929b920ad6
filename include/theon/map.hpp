// A loop over an index: evaluates a graph for index = 0..n-1 and stacks the
// results, as a scan over arange(n). jacobian() and hessian() are built on it
// (as Theano built them on scan), so their length may be symbolic.
#pragma once
#include <string>
#include <vector>

#include "theon/graph.hpp"

namespace theon {

// `outputs` is a graph of `index` (an integer 0-d root variable) and any other
// variables of the enclosing graph. Returns, for each output, a tensor of shape
// (n,) + row shape whose row i is the output evaluated at index = i (with
// n == 0, the row shape the graph gives without values: docs/scan.md). The
// loop is differentiable with respect to every outer variable it reads.
std::vector<Var> map_index(const Var& n, const Var& index, const std::vector<Var>& outputs,
                           const std::string& label = "map");

}  // namespace theon
