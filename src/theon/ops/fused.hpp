// The fused elementwise op (Theano's Composite): a straight-line program of
// scalar-table functions over registers. Registers [0, n_inputs) are the
// inputs; instruction k writes register n_inputs + k; the last is the output.
// Registers hold the program's dtype. An instruction may compute in float32
// inside a float64 program (a float32 node feeding float64 ones): its
// arguments are float32 values held exactly in float64 registers, narrowed
// for the call and its result widened, exactly as the unfused nodes convert.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "theon/graph.hpp"
#include "theon/ops.hpp"
#include "theon/scalar.hpp"

namespace theon {

struct FusedProgram {
  struct Instr {
    ScalarOpId id;
    std::vector<int> args;  // register indices
    bool narrow = false;    // computes in float32 (float64 programs only)
  };
  DType dtype = DType::Float64;  // every input, register and the output
  int n_inputs = 0;
  // uniform[i]: input i holds one value (its static shape is all ones), so
  // generated code reads it once, outside the loop, instead of a filled
  // block per iteration. Runners still pass a full block for it.
  std::vector<bool> uniform;
  std::vector<Instr> code;
};

Var composite(FusedProgram program, const std::vector<Var>& inputs);
// OpKind::Fused: the program of a Composite.
const FusedProgram& fused_program(const Op& op);
// The program's result reduced over `axes` (sorted) of its broadcast shape
// as it is computed (OpKind::FusedReduce); sum/prod/max/min, float programs.
Var fused_reduce(FusedProgram program, const std::vector<Var>& inputs, ReduceKind kind, std::vector<int> axes);

// The program an op runs block by block (Composite or FusedReduce), else
// null: what the native tier compiles (Program::set_native_block).
const FusedProgram* block_program(const Op& op);

}  // namespace theon
