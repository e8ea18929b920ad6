// A oneDNN primitive ready to run on theon's arrays (backend/cpu/onednn.hpp):
// the primitive, and for each operand whose layout the primitive chose
// differently from theon's plain (C-contiguous) one, a reorder and a buffer in
// that layout. Built once per shape and program step (the kernels' KernelState
// keeps a few), so a call only points the operands at its arrays and runs.
#pragma once
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <vector>

#include "backend/backend.hpp"
#include "backend/cpu/onednn.hpp"
#include "theon/runtime.hpp"

namespace theon::dnnl {

// A plain float32 memory descriptor of `dims` (C order), owned by the caller.
handle plain_md(const Api& a, const std::vector<int64_t>& dims);
// The same dimensions with the layout left to the primitive (format "any").
handle any_md(const Api& a, const std::vector<int64_t>& dims);

class Plan {
 public:
  // `blocked`: the plan uses the layouts oneDNN chose rather than theon's plain ones.
  explicit Plan(const Api& a, bool blocked = false);
  ~Plan();
  Plan(const Plan&) = delete;
  Plan& operator=(const Plan&) = delete;

  bool blocked() const { return blocked_; }
  // Keeps `md` (or a primitive descriptor) until the plan goes.
  handle keep_md(handle md);
  handle keep_pd(handle pd);
  // Makes `pd`'s primitive the plan's main step.
  void set_primitive(handle pd);
  // Operand `slot` (the index into run()'s pointers) in theon's layout `user`
  // bound as the main step's argument `arg`, which `pd` wants laid out as its
  // `query` says: reordered before the step (an input) or after (an output).
  // (`index`: which of the query's descriptors, e.g. 1 for a convolution's bias.)
  void bind(int slot, handle user, int arg, handle pd, int query, bool output, int index = 0);
  // Runs the plan on `ptrs` (one per slot), on the calling thread.
  void run(const std::vector<void*>& ptrs) const;

 private:
  struct Step {
    handle prim;
    std::vector<ExecArg> args;
  };
  handle memory(chandle md, void* data);
  void* buffer(size_t bytes);

  const Api& a_;
  bool blocked_;
  handle stream_ = nullptr;
  handle main_ = nullptr;
  std::vector<ExecArg> main_args_;
  std::vector<Step> before_, after_;
  std::vector<handle> slots_;  // the user memories, by slot
  std::vector<handle> mds_, pds_, prims_, mems_;
  std::vector<std::unique_ptr<char[]>> buffers_;
};

// What a oneDNN kernel keeps per program step: its plans by shape (the few
// most recent), shared by concurrent calls under a lock.
struct PlanCache final : KernelState {
  using Key = std::vector<int64_t>;
  // The plan for `key`, built by make() when missing (nullptr when make()
  // returns none: the caller falls back), run under the cache's lock. On the
  // shape's second call, settle(plan) may replace it (with the faster
  // layout: the first call stays as quick as one plan makes it).
  template <class Make, class Settle, class Run>
  bool with_plan(const Key& key, Make&& make, Settle&& settle, Run&& run) const {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto it = plans_.begin(); it != plans_.end(); ++it)
      if (it->key == key) {
        plans_.splice(plans_.begin(), plans_, it);
        Entry& e = plans_.front();
        if (!e.settled) e.plan = settle(std::move(e.plan)), e.settled = true;
        run(*e.plan);
        return true;
      }
    std::unique_ptr<Plan> p = make();
    if (!p) return false;
    plans_.push_front({key, std::move(p), false});
    if (plans_.size() > kKeep) plans_.pop_back();
    run(*plans_.front().plan);
    return true;
  }

 private:
  struct Entry {
    Key key;
    std::unique_ptr<Plan> plan;
    bool settled;  // its layout was chosen (or there was no choice to make)
  };
  static constexpr size_t kKeep = 4;
  mutable std::mutex mutex_;
  mutable std::list<Entry> plans_;
};

// Which layouts a primitive runs on: theon's plain ones, the blocked ones
// oneDNN prefers (with reorders), or whichever ran faster on the second call
// of its shape, the first running the blocked ones (the default;
// $THEON_ONEDNN_LAYOUT = plain | blocked | timed).
enum class Layout : uint8_t { Timed, Plain, Blocked };
Layout layout();
void set_layout(Layout l);

// The faster of `candidates` (each run on `ptrs` once untimed, then twice
// timed; the last run is the winner's, so its output stands and *ran is
// set); null when there are none. (The cost of a choice: a shape's second
// call runs its convolution six or seven times.)
std::unique_ptr<Plan> fastest(std::vector<std::unique_ptr<Plan>> candidates, const std::vector<void*>& ptrs, bool* ran);

// The prepare function of oneDNN kernels: an empty plan cache.
std::unique_ptr<KernelState> prepare_plans(const Op& op, const FunctionOptions* options);

// Runs the plan for `key` from ws's cache (or a plan made for this call when
// the kernel runs outside a program); false when make() gives none.
template <class Make, class Settle, class Run>
bool run_planned(const KernelState* state, PlanCache::Key key, Make&& make, Settle&& settle, Run&& run) {
  // oneDNN splits its work for the thread count when a primitive is made.
  key.push_back(num_threads());
  if (const auto* cache = dynamic_cast<const PlanCache*>(state)) return cache->with_plan(key, make, settle, run);
  std::unique_ptr<Plan> p = make();
  if (!p) return false;
  run(*p);
  return true;
}

}  // namespace theon::dnnl
