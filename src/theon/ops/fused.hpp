// The fused elementwise op (Theano's Composite): a straight-line program of
// scalar-table functions over registers. Registers [0, n_inputs) are the
// inputs; instruction k writes register n_inputs + k; the last is the output.
#pragma once
#include <vector>

#include "theon/graph.hpp"
#include "theon/ops.hpp"
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
// OpKind::Fused: the program of a Composite.
const FusedProgram& fused_program(const Op& op);
// The program's result reduced over `axes` (sorted) of its broadcast shape
// as it is computed (OpKind::FusedReduce); sum/prod/max/min, float programs.
Var fused_reduce(FusedProgram program, const std::vector<Var>& inputs, ReduceKind kind, std::vector<int> axes);

}  // namespace theon
