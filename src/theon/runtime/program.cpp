// The VM tier's run loop: a planned schedule of steps over value slots, each
// with its kernel resolved from the backend, and a buffer pool that reuses
// memory within a call (liveness) and across calls.
#include "runtime/program.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <unordered_set>

#include "compile/inner_function.hpp"

namespace theon {

namespace {

// ---- the buffer pool ------------------------------------------------------------

struct PoolDeleter {
  const Backend* backend;
  void operator()(void* p) const { backend->deallocate(p); }
};

size_t rounded(size_t bytes) { return (std::max<size_t>(bytes, 1) + 63) / 64 * 64; }

// One element as NumPy prints it: floats always show they are floats ("1.", not "1").
std::string element_str(const NDArray& a, int64_t i) {
  if (a.dtype == DType::Bool) return a.get_int(i) ? "True" : "False";
  if (!is_float(a.dtype)) return std::to_string(a.get_int(i));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", a.get_double(i));
  std::string s = buf;
  if (s.find_first_of(".en") == std::string::npos) s += ".";  // not 1.5, 1e+20, nan or inf
  return s;
}

// Elements k.. as nested lists by the array's shape, as NumPy shows a matrix.
std::string nested_str(const NDArray& a, int dim, int64_t& k) {
  if (dim == a.ndim()) return element_str(a, k++);
  std::vector<std::string> parts;
  for (int64_t j = 0; j < a.shape[dim]; ++j) parts.push_back(nested_str(a, dim + 1, k));
  return "[" + join_strings(parts, ", ") + "]";
}

// An input's values when it is small (indices, sizes, flags), as Theano showed them.
std::string small_value_str(const NDArray& a) {
  constexpr int64_t kMaxShown = 10;
  if (a.size() > kMaxShown || is_complex(a.dtype) || !a.defined()) return "'not shown'";
  int64_t k = 0;
  return nested_str(a, 0, k);
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
  if (into && into->dtype == dtype && into->shape == shape) {
    NDArray a = *into;
    into = nullptr;
    return a;
  }
  NDArray a = NDArray::layout(dtype, shape);
  size_t bytes = rounded(a.nbytes());
  auto it = free_.find(bytes);
  if (it != free_.end()) {
    a.base = std::move(it->second);
    free_.erase(it);
    cached_bytes_ -= bytes;
  } else {
    void* p = backend_->allocate(bytes);
    if (!p) throw_out_of_memory(a);
    a.base = std::shared_ptr<void>(p, PoolDeleter{backend_});
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
                 std::vector<std::shared_ptr<SharedVariable>> updated, const FunctionOptions* options,
                 const Backend& backend)
    : backend_(backend), fg_(std::move(fg)), updated_(std::move(updated)), n_outputs_(n_outputs), pool_(backend) {
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
  output_of_slot_.assign(slots_.size(), -1);
  for (size_t j = n_outputs_; j-- > 0;) output_of_slot_[output_slots_[j]] = static_cast<int>(j);

  // Updates that may be written into shared buffers run last (the inplace
  // phase made sure nothing depends on them and every other reader of the
  // shared value is an ordinary node): a failing call raises before them.
  std::vector<const Apply*> order, tail;
  for (const auto& node : fg_.nodes()) {
    const int k = node->op->destroys();
    (k >= 0 && node->inputs[k]->kind() == VarKind::Shared ? tail : order).push_back(node.get());
  }
  shared_tail_ = order.size();
  order.insert(order.end(), tail.begin(), tail.end());
  std::unordered_map<int, int> last_use;  // slot -> step index
  for (const Apply* node : order) {
    Step s{node, backend_.kernel_for(*node->op), nullptr, {}, {}, {}};
    if (PrepareFn prepare = backend_.prepare(node->op->kind())) s.state = prepare(*node->op, options);
    for (const auto& in : node->inputs) s.in_slots.push_back(slot.at(in.get()));
    for (int i = 0; i < node->num_outputs(); ++i) s.out_slots.push_back(slot.at(node->raw_output(i)));
    for (int sl : s.in_slots) last_use[sl] = static_cast<int>(steps_.size());
    steps_.push_back(std::move(s));
  }
  native_ = std::make_unique<std::atomic<BlockFn>[]>(steps_.size());
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
    const bool shared = fg_.variables()[sl]->kind() == VarKind::Shared;
    const bool last = last_use[sl] == static_cast<int>(&s - steps_.data());
    if (shared) {
      if (last && !keep.count(sl) && static_cast<size_t>(&s - steps_.data()) >= shared_tail_)
        s.destroy_slot = sl, s.destroy_shared = true;
    } else if (dies)
      s.destroy_slot = sl;
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
  if (s.destroy_shared)  // held by its shared variable and this slot only (no view handed out), one block of memory
    return a.base.use_count() == 2 && a.is_c_contiguous() && !overlaps_other_values(a, s.destroy_slot);
  if (!s.destroy_mutable) return a.base.use_count() == 1 && std::get_deleter<PoolDeleter>(a.base) != nullptr;
  return !overlaps_other_values(a, s.destroy_slot);
}

// Does a's memory overlap a user input or a shared value (other than slot's own)?
bool Program::overlaps_other_values(const NDArray& a, int slot) const {
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
    if (sl == slot || !slots_[sl].data) continue;
    auto [l2, h2] = extent(slots_[sl]);
    if (l2 && lo && l2 < hi && lo < h2) return true;
  }
  for (auto& [sl, sv] : shared_slots_) {
    if (sl == slot) continue;
    auto [l2, h2] = extent(sv->value);
    if (l2 && lo && l2 < hi && lo < h2) return true;
  }
  return false;
}

// Every step of the tail is checked (in place or not: a failure after one
// write would leave that write behind); one failing check, or a kernel
// without a check, and no update is written in place in this call, so the
// failing step raises its error with every shared value as it was.
void Program::plan_shared_writes(std::vector<bool>& write) {
  write.assign(steps_.size(), false);
  std::vector<NDArray> in;
  for (size_t k = shared_tail_; k < steps_.size(); ++k) {
    const Step& s = steps_[k];
    PreflightFn check = backend_.preflight(s.node->op->kind());
    in.clear();
    for (int sl : s.in_slots) in.push_back(slots_[sl]);
    if (!check || !check(*s.node->op, in, s.node)) {
      write.assign(steps_.size(), false);
      return;
    }
  }
  in.clear();
  for (size_t k = shared_tail_; k < steps_.size(); ++k)
    write[k] = steps_[k].destroy_slot >= 0 && may_destroy(steps_[k]);
}

void Program::set_native_block(const Apply* node, BlockFn fn, std::shared_ptr<void> module) {
  for (size_t k = 0; k < steps_.size(); ++k) {
    if (steps_[k].node != node) continue;
    {
      std::lock_guard<std::mutex> lock(native_mutex_);
      native_modules_.push_back(std::move(module));
    }
    native_[k].store(fn, std::memory_order_release);
    return;
  }
  throw InternalError("set_native_block: the node " + node->str() + " is not a step of this program");
}

void Program::set_profiling(bool on) {
  std::lock_guard<std::mutex> lock(mutex_);
  profiling_ = on;
  profile_.assign(on ? steps_.size() : 0, StepProfile{});
  call_seconds_ = 0;
  calls_ = 0;
}

void Program::set_step_hook(std::shared_ptr<const StepHook> hook) {
  std::lock_guard<std::mutex> lock(mutex_);
  hook_ = std::move(hook);
}

std::vector<Function*> Program::inner_functions() const {
  std::vector<Function*> fns;
  for (const Step& s : steps_)
    if (const auto* inner = dynamic_cast<const InnerFunctions*>(s.state.get()))
      for (const auto& f : inner->fns) fns.push_back(f.get());
  return fns;
}

std::vector<const Apply*> Program::schedule() const {
  std::vector<const Apply*> v;
  for (const auto& s : steps_) v.push_back(s.node);
  return v;
}

std::vector<StepProfile> Program::step_profile() {
  std::lock_guard<std::mutex> lock(mutex_);
  return profile_;
}

double Program::profiled_call_seconds() {
  std::lock_guard<std::mutex> lock(mutex_);
  return call_seconds_;
}

uint64_t Program::profiled_calls() {
  std::lock_guard<std::mutex> lock(mutex_);
  return calls_;
}

std::vector<NDArray> Program::run(const std::vector<NDArray>& inputs, const std::vector<NDArray>* into) {
  using Clock = std::chrono::steady_clock;
  std::lock_guard<std::mutex> lock(mutex_);
  const bool profiling = profiling_;
  const std::shared_ptr<const StepHook> hook = hook_;
  const Clock::time_point call_start = profiling ? Clock::now() : Clock::time_point();
  for (auto& a : handed_out_) pool_.release(a);  // only what nobody else holds
  handed_out_.clear();
  for (size_t i = 0; i < inputs.size(); ++i) slots_[input_slots_[i]] = inputs[i];
  for (auto& [sl, sv] : shared_slots_) slots_[sl] = sv->value;
  for (auto& [sl, value] : constant_slots_) slots_[sl] = value;

  std::vector<NDArray>&in = step_in_, &out = step_out_;
  std::vector<bool>& shared_write = shared_write_;
  try {
    for (size_t k = 0; k < steps_.size(); ++k) {
      const Step& s = steps_[k];
      if (k == shared_tail_) {
        // A hook may throw after any step: then no update may have been written yet.
        if (hook)
          shared_write.assign(steps_.size(), false);
        else
          plan_shared_writes(shared_write);
      }
      // Decided before the inputs are copied (the copies would hold the
      // buffer too); a destroyed value moves into the op's inputs: the slot
      // dies here anyway, and the op then holds its only reference.
      // A caller's destination for this step's output (see run's `into`): an
      // inplace op then writes there rather than over its input.
      pool_.into = nullptr;
      if (into)
        for (int sl : s.out_slots)
          if (const int j = output_of_slot_[sl]; j >= 0 && static_cast<size_t>(j) < into->size()) {
            const NDArray& d = (*into)[static_cast<size_t>(j)];
            if (d.defined() && d.is_c_contiguous()) pool_.into = &d;
            break;
          }
      const bool destroy =
          k >= shared_tail_ ? bool(shared_write[k]) : s.destroy_slot >= 0 && !pool_.into && may_destroy(s);
      in.clear();
      for (int sl : s.in_slots) in.push_back(destroy && sl == s.destroy_slot ? std::move(slots_[sl]) : slots_[sl]);
      out.assign(s.out_slots.size(), NDArray());
      pool_.node = s.node;
      pool_.destroy_ok = destroy;
      pool_.state = s.state.get();
      pool_.native_block = native_[k].load(std::memory_order_acquire);
      // A hooked native step runs again on the interpreter, on copies of its inputs.
      const bool rerun = hook && hook->compare_native && pool_.native_block;
      std::vector<NDArray> in_copy;
      if (hook) {
        hook->fn(StepEvent{k, s.node, in, nullptr, nullptr});
        if (rerun)
          for (const auto& a : in) in_copy.push_back(a.copy());
      }
      const Clock::time_point start = profiling ? Clock::now() : Clock::time_point();
      try {
        check_device(backend_, *s.node->op, in);
        s.kernel(*s.node->op, in, out, pool_);
        pool_.into = nullptr;
      } catch (const UserError& e) {
        rethrow_with_message(e, std::string(e.what()) + node_context(s, in));
      }
      if (profiling) {
        StepProfile& p = profile_[k];
        p.seconds += std::chrono::duration<double>(Clock::now() - start).count();
        ++p.calls;
        p.output_bytes = 0;
        for (const auto& o : out) p.output_bytes += o.nbytes();
      }
      if (hook) {
        std::vector<NDArray> interpreted;
        if (rerun) {
          interpreted.assign(out.size(), NDArray());
          pool_.native_block = nullptr;
          pool_.destroy_ok = false;
          s.kernel(*s.node->op, in_copy, interpreted, pool_);
        }
        hook->fn(StepEvent{k, s.node, in, &out, interpreted.empty() ? nullptr : &interpreted});
      }
      for (size_t j = 0; j < out.size(); ++j) {
        const auto& t = s.node->raw_output(static_cast<int>(j))->type;
        std::string why = t.check_value(out[j]);
        if (!why.empty())
          throw InternalError(s.node->op->name() + " produced a value that does not fit its type: " + why);
        slots_[s.out_slots[j]] = std::move(out[j]);
      }
      in.clear();
      for (int sl : s.free_after) pool_.release(slots_[sl]);
    }
  } catch (...) {
    pool_.into = nullptr;
    for (auto& a : slots_) a = NDArray();
    in.clear();
    out.clear();
    throw;
  }
  out.clear();

  // Hand out results: never alias a user input, a shared value or another result.
  std::vector<NDArray> results;
  results.reserve(output_slots_.size());
  // An update may hold its own shared variable's buffer (written in place, or unchanged).
  auto aliases = [&](const NDArray& a) {
    if (!a.base) return false;
    const size_t j = results.size();
    const SharedVariable* own = j >= n_outputs_ ? updated_[j - n_outputs_].get() : nullptr;
    for (int sl : input_slots_)
      if (slots_[sl].base == a.base) return true;
    for (auto& [sl, sv] : shared_slots_)
      if (sv != own && sv->value.base == a.base) return true;
    for (auto& [sl, value] : constant_slots_)
      if (value.base == a.base) return true;
    for (auto& r : results)
      if (r.base == a.base) return true;
    return false;
  };
  for (int sl : output_slots_) {
    const NDArray& a = slots_[sl];
    const size_t j = results.size();
    const bool written_into = into && j < into->size() && (*into)[j].defined() && a.data == (*into)[j].data;
    results.push_back(!written_into && aliases(a) ? a.copy() : a);
  }
  for (auto& a : slots_) a = NDArray();
  // Updates last: every output exists, so nothing can fail half-way.
  for (size_t k = 0; k < updated_.size(); ++k) updated_[k]->value = results[n_outputs_ + k];
  results.resize(n_outputs_);
  handed_out_ = results;
  if (profiling) {
    call_seconds_ += std::chrono::duration<double>(Clock::now() - call_start).count();
    ++calls_;
  }
  return results;
}

}  // namespace theon
