// The CPU interpreter of a fused program (ops/fused.hpp), with the native
// tier's compiled block function when one was set (set_native_kernel). The
// fused ops hold one each, built with the op (backend/cpu/fused.cpp).
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "ops/fused.hpp"
#include "ops/scalar_table.hpp"

namespace theon {

// Runs a program over blocks of at most 1024 contiguous values.
// Scratch blocks are reused once their value is dead, so the working set of
// a long chain stays a few blocks (in L1/L2) instead of one per instruction.
class ProgramRunner {
 public:
  explicit ProgramRunner(const FusedProgram& p);
  int64_t cost() const { return cost_; }
  const FusedProgram& program() const { return prog_; }
  // The native tier's compiled block function for this program; `module`
  // keeps its code loaded for as long as this op lives.
  void set_native(BlockFn fn, std::shared_ptr<void> module) const {
    std::lock_guard<std::mutex> lock(native_mu_);
    modules_.push_back(std::move(module));
    native_.store(fn, std::memory_order_release);
  }
  bool has_native() const { return native_.load(std::memory_order_acquire) != nullptr; }

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
  mutable std::atomic<BlockFn> native_{nullptr};
  mutable std::mutex native_mu_;
  mutable std::vector<std::shared_ptr<void>> modules_;
};

}  // namespace theon
