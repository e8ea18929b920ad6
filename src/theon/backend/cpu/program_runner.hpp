// The CPU interpreter of a fused program (ops/fused.hpp). Each program step of
// a fused op prepares one (its KernelState); the native tier's compiled block
// function, once loaded, replaces it in the step (Program::set_native_block).
#pragma once
#include <cstdint>
#include <vector>

#include "ops/fused.hpp"
#include "ops/scalar_table.hpp"

namespace theon {

// Runs a program over blocks of at most 1024 contiguous values.
// Scratch blocks are reused once their value is dead, so the working set of
// a long chain stays a few blocks (in L1/L2) instead of one per instruction.
class ProgramRunner final : public KernelState {
 public:
  explicit ProgramRunner(const FusedProgram& p);
  int64_t cost() const { return cost_; }
  const FusedProgram& program() const { return prog_; }
  // in[i]: n values of input i (compute type); the result goes to out.
  void run(int64_t n, const void* const* in, void* out) const;

 private:
  void assign_slots();
  // A float32 instruction of a float64 program: narrow the arguments (exact:
  // they hold float32 values), call the float32 function, widen the result.
  void run_narrow(size_t k, int64_t n, const std::vector<const void*>& reg, void* dst) const;

  FusedProgram prog_;
  std::vector<BlockFn> fns_;
  int64_t cost_ = 0;
  std::vector<int> slot_;  // scratch block of each instruction's result (the last writes the output)
  int n_slots_ = 0;
};

}  // namespace theon
