// The fused elementwise op (Theano's Composite): a straight-line program of
// scalar-table functions over registers. Registers [0, n_inputs) are the
// inputs; instruction k writes register n_inputs + k; the last is the output.
#pragma once
#include <vector>

#include "theon/graph.hpp"
#include "theon/scalar.hpp"

namespace theon {

struct FusedProgram {
  struct Instr {
    ScalarOpId id;
    std::vector<int> args;  // register indices
  };
  DType dtype = DType::Float64;  // every input, register and the output
  int n_inputs = 0;
  std::vector<Instr> code;
};

Var composite(FusedProgram program, const std::vector<Var>& inputs);

}  // namespace theon
