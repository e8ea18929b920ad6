// The VM tier: a schedule of nodes over value slots, each step with the kernel
// its backend registered for the node's op kind (resolved when the program is
// planned), and a buffer pool that reuses memory within a call (liveness) and
// across calls, allocating through the backend.
#pragma once
#include <atomic>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "backend/backend.hpp"
#include "theon/function.hpp"
#include "theon/function_graph.hpp"
#include "theon/graph.hpp"

namespace theon {

class Function;

class BufferPool final : public Workspace {
 public:
  explicit BufferPool(const Backend& backend) : backend_(&backend) {}
  NDArray empty(DType dtype, const Shape& shape) override;
  // The next allocation of exactly this dtype and shape gets this array (a
  // caller's destination for a function output) instead of fresh storage.
  const NDArray* into = nullptr;
  // Takes the storage back if nobody else holds it and the pool made it.
  void release(NDArray& a);
  size_t cached_bytes() const { return cached_bytes_; }

 private:
  const Backend* backend_;
  std::unordered_multimap<size_t, std::shared_ptr<void>> free_;
  size_t cached_bytes_ = 0;
};

// What profiling (function(profile=True)) records per step: Theano's
// ProfileStats by node, from which Python derives the by-op-class tables.
struct StepProfile {
  uint64_t calls = 0;
  double seconds = 0;
  size_t output_bytes = 0;  // the outputs' bytes on the last call
};

struct Step {
  const Apply* node;
  Kernel kernel = nullptr;             // the backend's kernel for node->op
  std::unique_ptr<KernelState> state;  // what the kernel prepared for this node, if anything
  std::vector<int> in_slots, out_slots;
  std::vector<int> free_after;   // slots whose last reader is this step
  int destroy_slot = -1;         // the slot an inplace op may overwrite, if its buffer allows
  bool destroy_mutable = false;  // ... and it is an In(mutable=True) input
  bool destroy_shared = false;   // ... and it is a shared variable this step computes the update of
};

class Program {
 public:
  Program(FunctionGraph fg, std::vector<Var> inputs, size_t n_outputs,
          std::vector<std::shared_ptr<SharedVariable>> updated, const FunctionOptions* options = nullptr,
          const Backend& backend = cpu_backend());
  // `into` (optional, one per output, undefined where none): C-contiguous
  // arrays the outputs may be computed in, a scan's history rows. An output
  // is written there when the node that makes it allocates it with that
  // dtype and shape; the caller compares data pointers to know.
  std::vector<NDArray> run(const std::vector<NDArray>& inputs, const std::vector<NDArray>* into = nullptr);
  const FunctionGraph& fgraph() const { return fg_; }
  const Backend& backend() const { return backend_; }
  // The functions the steps' kernels compiled for their ops' inner graphs.
  std::vector<Function*> inner_functions() const;
  // The native tier's compiled block function for `node` (a fused program):
  // later calls run it instead of interpreting the program. `module` keeps the
  // code loaded while the program lives. Safe while another thread calls run().
  void set_native_block(const Apply* node, BlockFn fn, std::shared_ptr<void> module);
  // Per-step times and call counts (off by default: two clock reads per step).
  void set_profiling(bool on);
  bool profiling() const { return profiling_; }
  // Function::set_step_hook.
  void set_step_hook(std::shared_ptr<const StepHook> hook);
  // The steps' nodes in run order, their profile, and the calls' total time.
  std::vector<const Apply*> schedule() const;
  std::vector<StepProfile> step_profile();
  double profiled_call_seconds();
  uint64_t profiled_calls();

 private:
  bool may_destroy(const Step& s) const;
  bool overlaps_other_values(const NDArray& a, int slot) const;
  // Decides, before the first of them runs, which updates are written into
  // their shared buffers in this call: all preflight checks pass, or none is.
  void plan_shared_writes(std::vector<bool>& write);
  const Backend& backend_;
  FunctionGraph fg_;
  std::vector<int> input_slots_, output_slots_;
  std::vector<int> output_of_slot_;  // per slot: the first output it is, or -1
  std::vector<std::pair<int, SharedVariable*>> shared_slots_;
  std::vector<std::pair<int, NDArray>> constant_slots_;
  std::vector<std::shared_ptr<SharedVariable>> updated_;  // outputs [n_outputs_, ...) update these
  size_t n_outputs_;
  std::vector<Step> steps_;
  // Steps [shared_tail_, end) compute updates that may be written into their
  // shared variables' buffers: they run after every other step.
  size_t shared_tail_ = 0;
  std::unique_ptr<std::atomic<BlockFn>[]> native_;  // per step: the compiled block function, or null
  std::mutex native_mutex_;
  std::vector<std::shared_ptr<void>> native_modules_;
  std::vector<NDArray> slots_;
  // The last call's results: their storage goes back to the pool once the
  // caller has dropped them, so a loop of calls stops paying for fresh pages.
  std::vector<NDArray> handed_out_;
  BufferPool pool_;
  std::mutex mutex_;
  // A step's inputs and outputs, kept between calls (run holds mutex_): a
  // scan step runs thousands of times a call and would allocate them each time.
  std::vector<NDArray> step_in_, step_out_;
  std::vector<bool> shared_write_;
  std::shared_ptr<const StepHook> hook_;
  bool profiling_ = false;
  std::vector<StepProfile> profile_;
  double call_seconds_ = 0;
  uint64_t calls_ = 0;
};

}  // namespace theon
