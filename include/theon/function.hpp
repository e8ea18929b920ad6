// function(): compile a graph into a callable that runs on the VM.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "theon/function_graph.hpp"
#include "theon/graph.hpp"
#include "theon/rewrite.hpp"

namespace theon {

enum class UnusedInputPolicy : uint8_t { Raise, Warn, Ignore };

// The native tier (generated C++ for the fused kernels, see docs/native.md).
// Off: the VM runs everything. Async: the function starts on the VM and
// switches kernel by kernel once the module is compiled in the background.
// Wait: the first call waits for native code.
enum class NativeMode : uint8_t { Off, Async, Wait };
struct NativeOptions {
  NativeMode mode = NativeMode::Off;
  std::string cxx = "c++";                  // the compiler; "" = none (VM only)
  std::string cache_dir;                    // "" = $THEON_COMPILEDIR, else ~/.theon
  std::string include_dir;                  // where ops/scalar_functors.hpp lives ("" = the build's source tree)
  std::string flags = "-O3 -march=native";  // optimisation flags, split on whitespace (part of the cache key)
  // The cache's size limit: after a module is built, the least recently used
  // others are removed until the modules take at most this (0 = no limit).
  double cache_max_mb = 1024;
};

struct FunctionOptions {
  std::vector<std::pair<std::shared_ptr<SharedVariable>, Var>> updates;
  std::vector<std::pair<Var, Var>> givens;
  UnusedInputPolicy on_unused_input = UnusedInputPolicy::Raise;
  std::string name;
  RewriteOptions rewrite;  // the Mode's rewrites (FAST_RUN by default)
  // Per input (empty = none): the function may overwrite the caller's array
  // (Theano's In(mutable=True)), so inplace ops can reuse it.
  std::vector<bool> mutable_inputs;
  NativeOptions native;
};

// What a profiled function measured (Theano's ProfileStats): per node of the
// schedule, in run order, its calls, time and output bytes; and the calls' total.
struct NodeProfile {
  const Apply* node;
  uint64_t calls;
  double seconds;
  size_t output_bytes;
};
struct FunctionProfile {
  uint64_t calls = 0;
  double call_seconds = 0;
  std::vector<NodeProfile> nodes;
};

// What a step hook sees (the debug modes: MonitorMode, NanGuardMode,
// DebugMode): one node of the function's schedule, before its kernel runs
// (`outputs` null) and after (`outputs` set). `interpreted`: after a fused
// step that ran native code, the VM interpreter's outputs for the same inputs
// (DebugMode compares the two tiers); null otherwise. Nodes of inner graphs (a
// scan's step) are not reported.
struct StepEvent {
  size_t index;
  const Apply* node;
  const std::vector<NDArray>& inputs;
  const std::vector<NDArray>* outputs;
  const std::vector<NDArray>* interpreted;
};
struct StepHook {
  std::function<void(const StepEvent&)> fn;
  bool compare_native = false;  // also run native steps on the interpreter
};

class Program;       // the compiled schedule (runtime)
struct NativeState;  // the native tier's compile job

class Function {
 public:
  Function(std::vector<Var> inputs, std::vector<Var> outputs, FunctionOptions opts = {});
  ~Function();
  Function(const Function&) = delete;
  Function& operator=(const Function&) = delete;

  // Runs the graph. Inputs must match the input types exactly (dtype, ndim,
  // static sizes); the binding layer converts Python values first. Shared
  // updates are applied only after every output was computed.
  std::vector<NDArray> operator()(const std::vector<NDArray>& inputs);
  // The same without the type checks, for callers that made them already
  // (the binding's trust_input path checks dtype and rank as it converts; a
  // scan step reads rows of checked values). `into`: arrays the outputs may
  // be computed in (Program::run).
  std::vector<NDArray> run_checked_inputs(const std::vector<NDArray>& inputs,
                                          const std::vector<NDArray>* into = nullptr);

  const std::vector<Var>& inputs() const { return inputs_; }
  const std::vector<Var>& outputs() const { return outputs_; }
  const FunctionGraph& fgraph() const;
  const std::string& name() const { return opts_.name; }
  // Which rewrites fired and how long each phase took.
  const RewriteReport& rewrite_report() const { return report_; }
  // The native tier: whether every fused kernel runs compiled code now
  // (the inner graphs' too: a scan's step is compiled in this function's
  // module), and a wait for the background compile (a no-op when there is none).
  bool native_ready() const;
  void wait_native();
  // The C++ the native tier compiles for this function ("" when nothing is fused).
  std::string native_source() const;
  // Profiling: switching it on (or off) starts the counts afresh.
  void set_profiling(bool on);
  bool profiling() const;
  FunctionProfile profile() const;
  // Calls hook->fn around every step of every later call (null: none). A
  // throwing hook fails the call and, as any failure, changes no shared
  // variable: while a hook is set, updates are never written in place.
  void set_step_hook(std::shared_ptr<const StepHook> hook);

 private:
  void start_native();
  void report_native_failure();
  void collect_programs(std::vector<Program*>& out) const;
  std::vector<Var> inputs_, outputs_;
  FunctionOptions opts_;
  RewriteReport report_;
  std::unique_ptr<Program> program_;
  std::shared_ptr<NativeState> native_;
};

}  // namespace theon
