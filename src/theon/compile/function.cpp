// function(): validate the user's request, clone the graph with givens, plan
// the VM program, and run it with all-or-nothing shared updates.
#include <cstdio>
#include "theon/function.hpp"

#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_set>

#include "codegen/emit.hpp"
#include "codegen/native.hpp"
#include "ops/fused.hpp"
#include "runtime/program.hpp"
#include "ops/scalar_table.hpp"
#include "theon/grad.hpp"

namespace theon {

namespace {

std::string describe(const Var& v) {
  std::string s = v->name.empty() ? v->type.str() : "'" + v->name + "' (" + v->type.str() + ")";
  if (v->site.known()) s += ", created at " + v->site.str();
  return s;
}

// ---- the buffer pool ------------------------------------------------------------

struct PoolDeleter {
  void operator()(void* p) const { free_array_storage(p); }
};

size_t rounded(size_t bytes) { return (std::max<size_t>(bytes, 1) + 63) / 64 * 64; }

// An input's values when it is small (indices, sizes, flags), as Theano showed them.
std::string small_value_str(const NDArray& a) {
  constexpr int64_t kMaxShown = 10;
  if (a.size() > kMaxShown || is_complex(a.dtype) || !a.defined()) return "'not shown'";
  std::vector<std::string> v;
  for (int64_t i = 0; i < a.size(); ++i) {
    if (is_float(a.dtype)) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.6g", a.get_double(i));
      v.emplace_back(buf);
    } else if (a.dtype == DType::Bool) {
      v.emplace_back(a.get_int(i) ? "True" : "False");
    } else {
      v.push_back(std::to_string(a.get_int(i)));
    }
  }
  return a.ndim() == 0 ? v[0] : "[" + join_strings(v, ", ") + "]";
}

std::string node_context(const Step& s, const std::vector<NDArray>& in) {
  std::string msg = "\nApply node that caused the error: " + s.node->str();
  std::vector<std::string> shapes, dtypes, values;
  for (auto& a : in) {
    shapes.push_back(shape_str(a.shape));
    dtypes.emplace_back(dtype_name(a.dtype));
    values.push_back(small_value_str(a));
  }
  msg += "\nInputs shapes: [" + join_strings(shapes, ", ") + "]";
  msg += "\nInputs dtypes: [" + join_strings(dtypes, ", ") + "]";
  msg += "\nInputs values: [" + join_strings(values, ", ") + "]";
  if (s.node->site.known()) msg += "\nThe node was built at " + s.node->site.str();
  return msg;
}

}  // namespace

NDArray BufferPool::empty(DType dtype, const Shape& shape) {
  NDArray a = NDArray::layout(dtype, shape);
  size_t bytes = rounded(a.nbytes());
  auto it = free_.find(bytes);
  if (it != free_.end()) {
    a.base = std::move(it->second);
    free_.erase(it);
    cached_bytes_ -= bytes;
  } else {
    void* p = alloc_array_storage(bytes);
    if (!p) throw_out_of_memory(a);
    a.base = std::shared_ptr<void>(p, PoolDeleter{});
  }
  a.data = static_cast<char*>(a.base.get());
  return a;
}

void BufferPool::release(NDArray& a) {
  if (a.base && a.base.use_count() == 1 && std::get_deleter<PoolDeleter>(a.base) &&
      a.data == static_cast<char*>(a.base.get())) {
    size_t bytes = rounded(a.nbytes());
    cached_bytes_ += bytes;
    free_.emplace(bytes, std::move(a.base));
  }
  a = NDArray();
}

// ---- Program ----------------------------------------------------------------------

Program::Program(FunctionGraph fg, std::vector<Var> inputs, size_t n_outputs,
                 std::vector<std::shared_ptr<SharedVariable>> updated)
    : fg_(std::move(fg)), updated_(std::move(updated)), n_outputs_(n_outputs) {
  std::unordered_map<const Variable*, int> slot;
  for (const auto& v : fg_.variables()) {
    int id = static_cast<int>(slot.size());
    slot[v.get()] = id;
    if (v->kind() == VarKind::Constant)
      constant_slots_.push_back({id, static_cast<const Constant&>(*v).value});
    else if (v->kind() == VarKind::Shared)
      shared_slots_.push_back({id, static_cast<SharedVariable*>(v.get())});
  }
  slots_.resize(slot.size());
  for (const auto& v : inputs) input_slots_.push_back(slot.at(v.get()));
  for (const auto& v : fg_.outputs()) output_slots_.push_back(slot.at(v.get()));

  std::unordered_map<int, int> last_use;  // slot -> step index
  for (const auto& node : fg_.nodes()) {
    Step s{node.get(), {}, {}, {}};
    for (const auto& in : node->inputs) s.in_slots.push_back(slot.at(in.get()));
    for (int i = 0; i < node->num_outputs(); ++i) s.out_slots.push_back(slot.at(node->raw_output(i)));
    for (int sl : s.in_slots) last_use[sl] = static_cast<int>(steps_.size());
    steps_.push_back(std::move(s));
  }
  // Intermediates die after their last reader, unless they are outputs.
  std::unordered_set<int> keep(output_slots_.begin(), output_slots_.end());
  for (auto& [sl, step] : last_use) {
    const Variable* v = fg_.variables()[sl].get();
    if (v->owner && !keep.count(sl)) steps_[step].free_after.push_back(sl);
  }
  // Inplace ops may overwrite an input that dies at that node: an intermediate
  // (checked at run time to be exclusively the pool's) or a mutable input.
  std::unordered_set<int> mutable_slots;
  for (size_t i = 0; i < inputs.size(); ++i)
    if (fg_.is_mutable(inputs[i].get())) mutable_slots.insert(input_slots_[i]);
  for (auto& s : steps_) {
    const int k = s.node->op->destroys();
    if (k < 0) continue;
    const int sl = s.in_slots[k];
    const bool once = std::count(s.in_slots.begin(), s.in_slots.end(), sl) == 1;
    const bool dies = std::find(s.free_after.begin(), s.free_after.end(), sl) != s.free_after.end();
    if (!once) continue;
    if (dies) s.destroy_slot = sl;
    else if (mutable_slots.count(sl) && !keep.count(sl) && last_use[sl] == static_cast<int>(&s - steps_.data()))
      s.destroy_slot = sl, s.destroy_mutable = true;
  }
  // Outputs of a node nobody reads (unused outputs) die right away.
  for (size_t k = 0; k < steps_.size(); ++k)
    for (int sl : steps_[k].out_slots)
      if (!last_use.count(sl) && !keep.count(sl)) steps_[k].free_after.push_back(sl);
}

// The buffer of an intermediate may be overwritten when only its slot holds it
// (no view, no result handed out, no shared value) and the pool made it; a
// mutable input when no other input overlaps it.
bool Program::may_destroy(const Step& s) const {
  const NDArray& a = slots_[s.destroy_slot];
  if (!a.base) return false;
  if (!s.destroy_mutable) return a.base.use_count() == 1 && std::get_deleter<PoolDeleter>(a.base) != nullptr;
  auto extent = [](const NDArray& x) {
    const char* lo = x.data;
    const char* hi = x.data + itemsize(x.dtype);
    for (int d = 0; d < x.ndim(); ++d) {
      if (x.shape[d] == 0) return std::pair<const char*, const char*>{nullptr, nullptr};
      (x.strides[d] < 0 ? lo : hi) += x.strides[d] * (x.shape[d] - 1);
    }
    return std::pair<const char*, const char*>{lo, hi};
  };
  auto [lo, hi] = extent(a);
  for (int sl : input_slots_) {
    if (sl == s.destroy_slot || !slots_[sl].data) continue;
    auto [l2, h2] = extent(slots_[sl]);
    if (l2 && lo && l2 < hi && lo < h2) return false;
  }
  for (auto& [sl, sv] : shared_slots_) {
    auto [l2, h2] = extent(sv->value);
    if (l2 && lo && l2 < hi && lo < h2) return false;
  }
  return true;
}

std::vector<NDArray> Program::run(const std::vector<NDArray>& inputs) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& a : handed_out_) pool_.release(a);  // only what nobody else holds
  handed_out_.clear();
  for (size_t i = 0; i < inputs.size(); ++i) slots_[input_slots_[i]] = inputs[i];
  for (auto& [sl, sv] : shared_slots_) slots_[sl] = sv->value;
  for (auto& [sl, value] : constant_slots_) slots_[sl] = value;

  std::vector<NDArray> in, out;
  try {
    for (const Step& s : steps_) {
      // Decided before the inputs are copied (the copies would hold the
      // buffer too); a destroyed value moves into the op's inputs: the slot
      // dies here anyway, and the op then holds its only reference.
      const bool destroy = s.destroy_slot >= 0 && may_destroy(s);
      in.clear();
      for (int sl : s.in_slots) in.push_back(destroy && sl == s.destroy_slot ? std::move(slots_[sl]) : slots_[sl]);
      out.assign(s.out_slots.size(), NDArray());
      pool_.node = s.node;
      pool_.destroy_ok = destroy;
      try {
        s.node->op->perform(in, out, pool_);
      } catch (const UserError& e) {
        rethrow_with_message(e, std::string(e.what()) + node_context(s, in));
      }
      for (size_t j = 0; j < out.size(); ++j) {
        const auto& t = s.node->raw_output(static_cast<int>(j))->type;
        std::string why = t.check_value(out[j]);
        if (!why.empty()) throw InternalError(s.node->op->name() + " produced a value that does not fit its type: " + why);
        slots_[s.out_slots[j]] = std::move(out[j]);
      }
      in.clear();
      for (int sl : s.free_after) pool_.release(slots_[sl]);
    }
  } catch (...) {
    for (auto& a : slots_) a = NDArray();
    throw;
  }

  // Hand out results: never alias a user input, a shared value or another result.
  std::vector<NDArray> results;
  results.reserve(output_slots_.size());
  auto aliases = [&](const NDArray& a) {
    if (!a.base) return false;
    for (int sl : input_slots_)
      if (slots_[sl].base == a.base) return true;
    for (auto& [sl, sv] : shared_slots_)
      if (sv->value.base == a.base) return true;
    for (auto& [sl, value] : constant_slots_)
      if (value.base == a.base) return true;
    for (auto& r : results)
      if (r.base == a.base) return true;
    return false;
  };
  for (int sl : output_slots_) {
    const NDArray& a = slots_[sl];
    results.push_back(aliases(a) ? a.copy() : a);
  }
  for (auto& a : slots_) a = NDArray();
  // Updates last: every output exists, so nothing can fail half-way.
  for (size_t k = 0; k < updated_.size(); ++k) updated_[k]->value = results[n_outputs_ + k];
  results.resize(n_outputs_);
  handed_out_ = results;
  return results;
}

// ---- Function -----------------------------------------------------------------------

Function::Function(std::vector<Var> inputs, std::vector<Var> outputs, FunctionOptions opts)
    : inputs_(std::move(inputs)), outputs_(std::move(outputs)), opts_(std::move(opts)) {
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
      throw ValueError("function: variable " + describe(v) + " appears twice in the inputs");
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

  auto missing = fg.missing_inputs();
  if (!missing.empty())
    throw MissingInputError("Input " + describe(missing[0]) +
                            " of the graph was not provided and not given a value; add it to the inputs of "
                            "function() or replace it through givens");

  for (size_t i = 0; i < inputs_.size(); ++i) {
    if (!fg.clients(inputs_[i].get()).empty()) continue;  // read by a node or returned
    std::string msg = "theon.function was asked to create a function computing outputs given certain inputs, but the "
                      "provided input variable at index " + std::to_string(i) + " (" + describe(inputs_[i]) +
                      ") is not part of the computational graph needed to compute the outputs";
    if (opts_.on_unused_input == UnusedInputPolicy::Raise)
      throw UnusedInputError(msg + ". To make this error into a warning, pass on_unused_input='warn'; to silence it, "
                                   "on_unused_input='ignore'");
    if (opts_.on_unused_input == UnusedInputPolicy::Warn) warn(msg);
  }
  fg.verify();
  for (size_t i = 0; i < opts_.mutable_inputs.size() && i < inputs_.size(); ++i)
    if (opts_.mutable_inputs[i]) fg.set_mutable(inputs_[i].get());
  rewrite_graph(fg, opts_.rewrite, &report_);

  std::vector<std::shared_ptr<SharedVariable>> targets;
  for (const auto& u : updates) targets.push_back(u.first);
  program_ = std::make_unique<Program>(std::move(fg), inputs_, outputs_.size(), std::move(targets));
  if (opts_.native.mode != NativeMode::Off) start_native();
}

// ---- the native tier ------------------------------------------------------------

struct NativeState {
  std::atomic<bool> done{false}, failed{false}, warned{false};
  std::string why;
  std::thread worker;
};

// Emits one module for the function's fused kernels and compiles it (now, or
// on a worker thread while calls run on the VM); each op switches to its
// compiled kernel as soon as the module is loaded.
namespace {
// The function's distinct fused programs in schedule order, named theon_k0,
// theon_k1, ...; `ops` gets every fused op and `symbol` the kernel each runs.
std::vector<std::pair<std::string, FusedProgram>> native_kernels(const FunctionGraph& fg, std::vector<OpPtr>* ops,
                                                                 std::vector<std::string>* symbol) {
  std::vector<std::pair<std::string, FusedProgram>> kernels;
  std::unordered_map<std::string, std::string> seen;  // program text -> its kernel's name
  for (const auto& node : fg.nodes()) {
    const FusedProgram* p = block_program(*node->op);
    if (!p) continue;
    auto [it, fresh] = seen.emplace(emit_kernel(*p, "k"), "theon_k" + std::to_string(kernels.size()));
    if (fresh) kernels.push_back({it->second, *p});
    if (ops) ops->push_back(node->op);
    if (symbol) symbol->push_back(it->second);
  }
  return kernels;
}
}  // namespace

std::string Function::native_source() const {
  auto kernels = native_kernels(program_->fgraph(), nullptr, nullptr);
  return kernels.empty() ? std::string() : emit_module(kernels);
}

void Function::start_native() {
  std::vector<OpPtr> ops;
  std::vector<std::string> symbols;
  auto kernels = native_kernels(program_->fgraph(), &ops, &symbols);
  if (kernels.empty()) return;
  native_ = std::make_shared<NativeState>();
  auto job = [kernels = std::move(kernels), ops = std::move(ops), symbols = std::move(symbols), opts = opts_.native,
              state = native_] {
    std::string why;
    auto module = load_native_module(emit_module(kernels), opts, &why);
    std::vector<BlockFn> fns;
    for (size_t i = 0; module && i < ops.size(); ++i) {
      auto fn = reinterpret_cast<BlockFn>(module->symbol(symbols[i]));
      if (!fn) {
        why = "the compiled module lacks " + symbols[i];
        module.reset();
      }
      fns.push_back(fn);
    }
    for (size_t i = 0; module && i < ops.size(); ++i) set_native_kernel(*ops[i], fns[i], module);
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
    native_->worker = std::thread(std::move(job));
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

}  // namespace theon
