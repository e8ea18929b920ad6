// function(): validate the user's request, clone the graph with givens, plan
// the VM program, and run it with all-or-nothing shared updates.
#include "theon/function.hpp"

#include <atomic>
#include <cstdio>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_set>

#include "theon/test_values.hpp"
#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include "backend/cpu/native/emit.hpp"
#include "backend/cpu/native/native.hpp"
#include "ops/fused.hpp"
#include "ops/scalar_table.hpp"
#include "runtime/program.hpp"
#include "theon/grad.hpp"

namespace theon {

namespace {

std::string describe(const Var& v) {
  std::string s = v->name.empty() ? v->type.str() : "'" + v->name + "' (" + v->type.str() + ")";
  if (v->site.known()) s += ", created at " + v->site.str();
  return s;
}

}  // namespace

// ---- Function -----------------------------------------------------------------------

Function::Function(std::vector<Var> inputs, std::vector<Var> outputs, FunctionOptions opts)
    : inputs_(std::move(inputs)), outputs_(std::move(outputs)), opts_(std::move(opts)) {
  const TestValuesPaused no_test_values;  // the compiler's graphs are not the user's
  std::unordered_set<const Variable*> seen;
  for (size_t i = 0; i < inputs_.size(); ++i) {
    const Var& v = inputs_[i];
    if (!v) throw TypeError("function: input " + std::to_string(i) + " is None");
    if (v->owner)
      throw TypeError("function: input " + std::to_string(i) + " " + describe(v) +
                      " is computed from other variables; inputs must be root variables (use givens to replace it)");
    if (v->kind() == VarKind::Constant)
      throw TypeError("function: input " + std::to_string(i) + " is a constant; constants cannot be function inputs");
    if (v->kind() == VarKind::Shared)
      throw TypeError("function: input " + std::to_string(i) + " " + describe(v) +
                      " is a shared variable; shared variables are implicit inputs (use givens to replace one)");
    if (!seen.insert(v.get()).second)
      throw UnusedInputError("function: variable " + describe(v) +
                             " appears twice in the inputs (the second is not used; Theano's UnusedInputError)");
  }
  for (size_t i = 0; i < outputs_.size(); ++i)
    if (!outputs_[i]) throw TypeError("function: output " + std::to_string(i) + " is None");

  // Updates: every shared variable at most once, with its own type.
  std::vector<std::pair<std::shared_ptr<SharedVariable>, Var>> updates = opts_.updates;
  std::unordered_set<const Variable*> updated;
  for (const auto& [sv, expr] : updates) {
    if (!sv || !expr) throw TypeError("function: an update pair contains None");
    if (!updated.insert(sv.get()).second)
      throw ValueError("function: shared variable " + describe(sv) + " has two updates");
    if (expr->dtype() != sv->dtype() || expr->ndim() != sv->ndim() || !sv->type.accepts(expr->type))
      throw TypeError("An update must have the same type as the original shared variable (shared_var=" +
                      (sv->name.empty() ? std::string("<unnamed>") : sv->name) + ", shared_var.type=" + sv->type.str() +
                      ", update_val=" + expr->str() + ", update_val.type=" + expr->type.str() +
                      "). If the difference is related to the broadcast pattern, you can call the "
                      "tensor.unbroadcast(var, axis_to_unbroadcast[, ...]) function to remove broadcastable "
                      "dimensions; if it is the dtype, cast the update, e.g. T.cast(expr, '" +
                      std::string(dtype_name(sv->dtype())) + "')" +
                      (expr->site.known() ? "\n  the update expression was built at " + expr->site.str() : ""));
  }
  for (const auto& [a, b] : opts_.givens) {
    if (!a || !b) throw TypeError("function: a givens pair contains None");
    if (a->dtype() != b->dtype() || a->ndim() != b->ndim())
      throw TypeError("function: givens replaces " + describe(a) + " by " + describe(b) +
                      " of a different type; cast the replacement to " + a->type.str());
  }

  std::vector<Var> all = outputs_;
  for (const auto& u : updates) all.push_back(u.second);
  std::vector<Var> cloned = clone_replace(all, opts_.givens);
  FunctionGraph fg(inputs_, cloned);

  for (size_t i = 0; i < inputs_.size(); ++i) {
    if (!fg.clients(inputs_[i].get()).empty()) continue;  // read by a node or returned
    std::string msg =
        "theon.function was asked to create a function computing outputs given certain inputs, but the "
        "provided input variable at index " +
        std::to_string(i) + " (" + describe(inputs_[i]) +
        ") is not part of the computational graph needed to compute the outputs";
    if (opts_.on_unused_input == UnusedInputPolicy::Raise)
      throw UnusedInputError(msg +
                             ". To make this error into a warning, pass on_unused_input='warn'; to silence it, "
                             "on_unused_input='ignore'");
    if (opts_.on_unused_input == UnusedInputPolicy::Warn) warn(msg);
  }
  // After the unused inputs, as Theano: function([s], x) names s, the input given by mistake.
  auto missing = fg.missing_inputs();
  if (!missing.empty())
    throw MissingInputError("Input " + describe(missing[0]) +
                            " of the graph was not provided and not given a value; add it to the inputs of "
                            "function() or replace it through givens");
  fg.verify();
  for (size_t i = 0; i < opts_.mutable_inputs.size() && i < inputs_.size(); ++i)
    if (opts_.mutable_inputs[i]) fg.set_mutable(inputs_[i].get());
  for (size_t k = 0; k < updates.size(); ++k) fg.set_update_target(outputs_.size() + k, updates[k].first.get());
  rewrite_graph(fg, opts_.rewrite, &report_);

  std::vector<std::shared_ptr<SharedVariable>> targets;
  for (const auto& u : updates) targets.push_back(u.first);
  program_ = std::make_unique<Program>(std::move(fg), inputs_, outputs_.size(), std::move(targets), &opts_);
  if (opts_.native.mode != NativeMode::Off) start_native();
}

// ---- the native tier ------------------------------------------------------------

struct NativeState {
  std::atomic<bool> done{false}, failed{false}, warned{false};
  std::string why;
  std::thread worker;
};

// Emits one module for the function's fused kernels and compiles it (now, or
// on a worker thread while calls run on the VM); each fused step switches to its
// compiled kernel as soon as the module is loaded.
namespace {
// A fused node of a program and the kernel it runs.
struct NativeSite {
  Program* program;
  const Apply* node;
  std::string symbol;
};

// The programs' distinct fused programs in schedule order, named theon_k0,
// theon_k1, ...; `sites` gets every fused node and the kernel it runs.
std::vector<std::pair<std::string, FusedProgram>> native_kernels(const std::vector<Program*>& programs,
                                                                 std::vector<NativeSite>* sites) {
  std::vector<std::pair<std::string, FusedProgram>> kernels;
  std::unordered_map<std::string, std::string> seen;  // program text -> its kernel's name
  for (Program* program : programs)
    for (const auto& node : program->fgraph().nodes()) {
      const FusedProgram* p = block_program(*node->op);
      if (!p) continue;
      auto [it, fresh] = seen.emplace(emit_kernel(*p, "k"), "theon_k" + std::to_string(kernels.size()));
      if (fresh) kernels.push_back({it->second, *p});
      if (sites) sites->push_back({program, node.get(), it->second});
    }
  return kernels;
}
}  // namespace

// This function's program and those of the functions compiled for its ops'
// inner graphs (a scan's step, ...), which get their native code from this
// function's module: one compile for the whole function.
void Function::collect_programs(std::vector<Program*>& out) const {
  out.push_back(program_.get());
  for (Function* f : program_->inner_functions()) f->collect_programs(out);
}

std::string Function::native_source() const {
  std::vector<Program*> programs;
  collect_programs(programs);
  auto kernels = native_kernels(programs, nullptr);
  return kernels.empty() ? std::string() : emit_module(kernels);
}

void Function::start_native() {
  if (!program_->backend().emits_fused_kernels()) return;
  std::vector<Program*> programs;
  collect_programs(programs);
  std::vector<NativeSite> sites;
  auto kernels = native_kernels(programs, &sites);
  if (kernels.empty()) return;
  native_ = std::make_shared<NativeState>();
  // No usable compiler: say so now, from the call that built the function.
  if (std::string problem = native_compiler_problem(opts_.native); !problem.empty()) {
    native_->why = problem;
    native_->failed = true;
    native_->done = true;
    report_native_failure();
    return;
  }
  // The worker ends before the program does (~Function joins it).
  // (Inner functions' programs belong to this one's steps, so they live as long.)
  auto job = [kernels = std::move(kernels), sites = std::move(sites), opts = opts_.native, state = native_] {
    std::string why;
    auto module = load_native_module(emit_module(kernels), opts, &why);
    std::vector<BlockFn> fns;
    for (size_t i = 0; module && i < sites.size(); ++i) {
      auto fn = reinterpret_cast<BlockFn>(module->symbol(sites[i].symbol));
      if (!fn) {
        why = "the compiled module lacks " + sites[i].symbol;
        module.reset();
      }
      fns.push_back(fn);
    }
    for (size_t i = 0; module && i < sites.size(); ++i)
      sites[i].program->set_native_block(sites[i].node, fns[i], module);
    if (!module) {
      state->why = why;
      state->failed = true;
    }
    state->done = true;
  };
  if (opts_.native.mode == NativeMode::Wait) {
    job();
    report_native_failure();
  } else {
    native_->worker = std::thread([job = std::move(job)] {
    // A background compile is an optimization: it yields the cores to the
    // calls running meanwhile (the compiler processes inherit the niceness).
#ifdef __linux__
      setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 10);
#endif
      job();
    });
  }
}

// One warning per reason and process: the function keeps running on the VM.
void Function::report_native_failure() {
  if (!native_ || !native_->failed || native_->warned.exchange(true)) return;
  static std::mutex mu;
  static std::set<std::string> said;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (!said.insert(native_->why).second) return;
  }
  warn("theon: native code is not available, the VM tier runs instead: " + native_->why);
}

bool Function::native_ready() const { return native_ && native_->done && !native_->failed; }

void Function::wait_native() {
  if (native_ && native_->worker.joinable()) native_->worker.join();
  report_native_failure();
}

Function::~Function() {
  if (native_ && native_->worker.joinable()) native_->worker.join();
}

const FunctionGraph& Function::fgraph() const { return program_->fgraph(); }

void Function::set_profiling(bool on) { program_->set_profiling(on); }
void Function::set_step_hook(std::shared_ptr<const StepHook> hook) { program_->set_step_hook(std::move(hook)); }
bool Function::profiling() const { return program_->profiling(); }

FunctionProfile Function::profile() const {
  FunctionProfile p;
  const auto nodes = program_->schedule();
  const auto steps = program_->step_profile();
  p.calls = program_->profiled_calls();
  p.call_seconds = program_->profiled_call_seconds();
  for (size_t k = 0; k < nodes.size() && k < steps.size(); ++k)
    p.nodes.push_back({nodes[k], steps[k].calls, steps[k].seconds, steps[k].output_bytes});
  return p;
}

std::vector<NDArray> Function::operator()(const std::vector<NDArray>& inputs) {
  if (native_ && native_->done && !native_->warned) report_native_failure();
  if (inputs.size() != inputs_.size())
    throw TypeError("Function" + (opts_.name.empty() ? std::string() : " '" + opts_.name + "'") + " expects " +
                    std::to_string(inputs_.size()) + " arguments, got " + std::to_string(inputs.size()));
  for (size_t i = 0; i < inputs.size(); ++i) {
    std::string why = inputs_[i]->type.check_value(inputs[i]);
    if (!why.empty())
      throw TypeError("Bad input argument " + std::to_string(i) + " to theon function" +
                      (opts_.name.empty() ? std::string() : " '" + opts_.name + "'") + " (input " +
                      describe(inputs_[i]) + "): " + why);
  }
  return program_->run(inputs);
}

std::vector<NDArray> Function::run_checked_inputs(const std::vector<NDArray>& inputs,
                                                  const std::vector<NDArray>* into) {
  if (native_ && native_->done && !native_->warned) report_native_failure();
  return program_->run(inputs, into);
}

}  // namespace theon
