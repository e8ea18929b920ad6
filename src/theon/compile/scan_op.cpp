// The Scan op (compile/scan_op.hpp): its type, the scan() builder, the lazily
// compiled step function and backpropagation through time. The kernel that
// runs the steps is in backend/cpu/scan.cpp.
#include "compile/scan_op.hpp"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "compile/inner_function.hpp"
#include "ops/op_info.hpp"
#include "theon/function.hpp"
#include "theon/function_graph.hpp"
#include "theon/grad.hpp"
#include "theon/map.hpp"
#include "theon/ops.hpp"
#include "theon/scan.hpp"

namespace theon {

namespace {

// The type of one row of x (x without its leading axis).
TensorType row_type(const TensorType& t) {
  std::vector<int64_t> shape(t.shape.begin() + 1, t.shape.end());
  return TensorType(t.dtype, shape);
}

TensorType stacked_type(const TensorType& row, int64_t n) {
  std::vector<int64_t> shape{n};
  shape.insert(shape.end(), row.shape.begin(), row.shape.end());
  return TensorType(row.dtype, shape);
}

Var reversed(const Var& x) { return subtensor(x, {IndexEntry::slice(nullptr, nullptr, scalar_constant<int64_t>(-1))}); }

Var rows(const Var& x, const Var& a, const Var& b) { return subtensor(x, {IndexEntry::slice(a, b)}); }

Var row(const Var& x, int64_t i) { return subtensor(x, {IndexEntry::integer(scalar_constant<int64_t>(i))}); }

Var as_dtype(const Var& v, DType d) { return v->dtype() == d ? v : cast(v, d); }

Var int_const_i64(int64_t v) { return scalar_constant<int64_t>(v); }

}  // namespace

namespace ops {

std::vector<TensorType> ScanOp::infer_types(const std::vector<Var>& in) const {
  const size_t want = first_param() + param_inner_.size();
  if (in.size() != want)
    throw TypeError(name() + ": expected " + std::to_string(want) + " inputs, got " + std::to_string(in.size()));
  if (in[0]->ndim() != 0 || !is_int(in[0]->dtype()))
    throw TypeError(name() + ": n_steps must be an integer scalar, got " + in[0]->type.str());
  for (size_t k = 0; k < seq_inner_.size(); ++k) {
    const TensorType& t = in[1 + k]->type;
    if (t.ndim() != seq_inner_[k]->ndim() + 1 || !seq_inner_[k]->type.accepts(row_type(t)))
      throw TypeError(name() + ": sequence " + std::to_string(k) + " has type " + t.str() +
                      "; the step reads rows of type " + seq_inner_[k]->type.str());
  }
  size_t tap = 0;
  for (size_t s = 0; s < states_.size(); ++s) {
    const TensorType& t = in[first_init() + s]->type;
    for (size_t j = 0; j < states_[s].taps.size(); ++j, ++tap)
      if (t.ndim() != tap_inner_[tap]->ndim() + 1 || !tap_inner_[tap]->type.accepts(row_type(t)))
        throw TypeError(name() + ": the initial value of state " + std::to_string(s) + " has type " + t.str() +
                        "; the step reads values of type " + tap_inner_[tap]->type.str());
  }
  for (size_t j = 0; j < param_inner_.size(); ++j)
    if (!param_inner_[j]->type.accepts(in[first_param() + j]->type))
      throw TypeError(name() + ": parameter " + std::to_string(j) + " has type " + in[first_param() + j]->type.str() +
                      " where the step expects " + param_inner_[j]->type.str());
  double n_static = -1;
  const bool known = !has_until_ && get_constant_scalar(in[0], &n_static);
  const int64_t n = known ? static_cast<int64_t>(n_static) : -1;
  std::vector<TensorType> types;
  for (size_t s = 0; s < states_.size(); ++s) {
    const TensorType row = row_type(in[first_init() + s]->type);
    types.push_back(states_[s].keep_history ? stacked_type(row, n) : row);
  }
  for (int m = 0; m < n_outputs_; ++m) types.push_back(stacked_type(step_outputs_[states_.size() + m]->type, n));
  return types;
}

std::vector<Var> ScanOp::saved_products() const {
  // Products of sequence rows are saved too: once pushed out of the forward
  // loop (scan_pushout_seqs) the saved rows are that product's own result.
  std::unordered_set<const Variable*> variant(tap_inner_.size() + seq_inner_.size());
  for (const Var& t : tap_inner_) variant.insert(t.get());
  for (const Var& t : seq_inner_) variant.insert(t.get());
  std::unordered_set<const Variable*> outputs;
  for (const Var& o : step_outputs_) outputs.insert(o.get());
  std::vector<Var> saved;
  for (Apply* n : toposort(step_outputs_)) {
    bool v = false;
    for (const Var& in : n->inputs) v = v || variant.count(in.get());
    if (!v) continue;
    for (int i = 0; i < n->num_outputs(); ++i) variant.insert(n->raw_output(i));
    if (n->op->kind() == OpKind::Dot && is_float(n->output(0)->dtype()) && !outputs.count(n->raw_output(0)))
      saved.push_back(n->output(0));
  }
  return saved;
}

Var ScanOp::infer_shape(const Apply& node, int output, int axis, const InputSize& input_size) const {
  const size_t ns = states_.size(), k = static_cast<size_t>(output);
  const bool stacked = k >= ns || states_[k].keep_history;
  if (k >= ns + static_cast<size_t>(n_outputs_)) return nullptr;  // until
  if (stacked && axis == 0) return has_until_ ? nullptr : node.inputs[0];
  const int row_axis = stacked ? axis - 1 : axis;
  if (k < ns) return input_size(static_cast<int>(first_init() + k), row_axis + 1);  // a state keeps its row shape
  // A stacked output's row: the step graph's sizes, its inputs' sizes read outside.
  InnerLeaves leaf;  // step input -> outer input, axis offset
  for (size_t i = 0; i < seq_inner_.size(); ++i) leaf[seq_inner_[i].get()] = {static_cast<int>(1 + i), 1};
  for (size_t s = 0, t = 0; s < ns; ++s)
    for (size_t j = 0; j < states_[s].taps.size(); ++j)
      leaf[tap_inner_[t++].get()] = {static_cast<int>(first_init() + s), 1};
  for (size_t j = 0; j < param_inner_.size(); ++j)
    leaf[param_inner_[j].get()] = {static_cast<int>(first_param() + j), 0};
  return inner_size(step_outputs_[k], row_axis, leaf, input_size);
}

bool ScanOp::connected(int input, int output) const {
  std::call_once(pattern_once_, [this] {
    // Step inputs in order: sequence rows, taps (state by state), parameters.
    std::vector<Var> step_in = seq_inner_;
    step_in.insert(step_in.end(), tap_inner_.begin(), tap_inner_.end());
    step_in.insert(step_in.end(), param_inner_.begin(), param_inner_.end());
    std::vector<int> state_of(step_in.size(), -1);  // the state a tap belongs to
    for (size_t s = 0, t = seq_inner_.size(); s < states_.size(); ++s)
      for (size_t j = 0; j < states_[s].taps.size(); ++j) state_of[t++] = static_cast<int>(s);
    const size_t ns = states_.size(), nk = ns + static_cast<size_t>(n_outputs_);
    const std::vector<Var> results(step_outputs_.begin(), step_outputs_.begin() + static_cast<long>(nk));
    const std::vector<std::vector<bool>> reads = inner_connection(step_in, results);
    pattern_.assign(nk, std::vector<bool>(first_param() + param_inner_.size(), false));
    for (size_t k = 0; k < nk; ++k) {
      std::vector<bool> d = reads[k], expanded(ns, false);
      for (bool grew = true; grew;) {
        grew = false;
        for (size_t i = 0; i < d.size(); ++i)
          if (d[i] && state_of[i] >= 0 && !expanded[static_cast<size_t>(state_of[i])]) {
            const auto s = static_cast<size_t>(state_of[i]);
            expanded[s] = grew = true;
            for (size_t q = 0; q < d.size(); ++q) d[q] = d[q] || reads[s][q];
          }
      }
      for (size_t i = 0; i < d.size(); ++i) {
        if (!d[i]) continue;
        if (i < seq_inner_.size())
          pattern_[k][1 + i] = true;
        else if (state_of[i] >= 0)
          pattern_[k][first_init() + static_cast<size_t>(state_of[i])] = true;
        else
          pattern_[k][first_param() + (i - seq_inner_.size() - tap_inner_.size())] = true;
      }
    }
  });
  if (output < 0 || static_cast<size_t>(output) >= pattern_.size() || input < 0 ||
      static_cast<size_t>(input) >= pattern_[0].size())
    return false;
  return pattern_[static_cast<size_t>(output)][static_cast<size_t>(input)];
}

bool ScanOp::equals(const Op& o) const {
  if (this == &o) return true;
  if (o.kind() != OpKind::Scan) return false;
  const auto& b = static_cast<const ScanOp&>(o);
  if (seq_inner_.size() != b.seq_inner_.size() || tap_inner_.size() != b.tap_inner_.size() ||
      param_inner_.size() != b.param_inner_.size() || step_outputs_.size() != b.step_outputs_.size() ||
      n_outputs_ != b.n_outputs_ || has_until_ != b.has_until_ || truncate_ != b.truncate_)
    return false;
  for (size_t s = 0; s < states_.size(); ++s)
    if (states_[s].taps != b.states_[s].taps || states_[s].keep_history != b.states_[s].keep_history) return false;
  // b's step over this one's placeholders, then compared value by value.
  std::vector<std::pair<Var, Var>> to_mine;
  auto pair_up = [&](const std::vector<Var>& mine, const std::vector<Var>& theirs) {
    for (size_t i = 0; i < mine.size(); ++i) {
      if (mine[i]->type != theirs[i]->type) return false;
      to_mine.push_back({theirs[i], mine[i]});
    }
    return true;
  };
  if (!pair_up(seq_inner_, b.seq_inner_) || !pair_up(tap_inner_, b.tap_inner_) ||
      !pair_up(param_inner_, b.param_inner_))
    return false;
  const std::vector<Var> theirs = clone_replace(b.step_outputs_, to_mine);
  for (size_t i = 0; i < theirs.size(); ++i)
    if (!same_value(step_outputs_[i], theirs[i])) return false;
  return true;
}

size_t ScanOp::hash() const {
  size_t h = std::hash<size_t>()(seq_inner_.size() * 131 + tap_inner_.size() * 17 + param_inner_.size());
  for (const Var& o : step_outputs_) h = h * 31 + (o->owner ? static_cast<size_t>(o->owner->op->kind()) + 1 : 0);
  return h;
}

Function& ScanOp::row_shape_function() const {
  std::lock_guard<std::mutex> lock(compile_mutex_);
  if (!shape_fn_) {
    std::vector<Var> inputs = seq_inner_, shapes;
    inputs.insert(inputs.end(), tap_inner_.begin(), tap_inner_.end());
    inputs.insert(inputs.end(), param_inner_.begin(), param_inner_.end());
    for (int m = 0; m < n_outputs_; ++m) shapes.push_back(shape(step_outputs_[states_.size() + m]));
    FunctionOptions o;
    o.on_unused_input = UnusedInputPolicy::Ignore;
    o.name = name() + " row shapes";
    shape_fn_ = std::make_shared<Function>(inputs, shapes, o);
  }
  return *shape_fn_;
}

std::shared_ptr<Function> ScanOp::compile_step(const FunctionOptions* outer) const {
  std::vector<Var> inputs = seq_inner_;
  inputs.insert(inputs.end(), tap_inner_.begin(), tap_inner_.end());
  inputs.insert(inputs.end(), param_inner_.begin(), param_inner_.end());
  return std::make_shared<Function>(inputs, step_outputs_, inner_options(outer, name() + " step"));
}

Function& ScanOp::step_function() const {
  std::lock_guard<std::mutex> lock(compile_mutex_);
  if (!fn_) fn_ = compile_step(nullptr);
  return *fn_;
}

std::vector<Var> ScanOp::grad(const Apply& node, const std::vector<Var>& gouts) const {
  std::vector<Var> result(node.inputs.size(), nullptr);
  const size_t ns = states_.size();
  bool any = false;
  for (const auto& g : gouts) any = any || g;
  if (!any) return result;
  Apply& fwd = const_cast<Apply&>(node);
  for (size_t s = 0; s < ns; ++s) {
    // A state whose initial rows broadcast where the step's values do not:
    // the adjoint would not fit the initial value (Theano's TypeError).
    const TensorType row = row_type(node.inputs[first_init() + s]->type);
    const TensorType& next = step_outputs_[s]->type;
    for (int d = 0; d < row.ndim(); ++d)
      if (row.shape[d] == 1 && next.shape[d] != 1)
        throw TypeError(name() + ": the initial value of state " + std::to_string(s) + " has type " + row.str() +
                        " (broadcastable along axis " + std::to_string(d) + ") but the step returns " + next.str() +
                        "; make their broadcast patterns agree (unbroadcast the initial value) to differentiate");
  }
  // The steps that ran: all n, or with until the rows of a stacked output.
  Var n = node.inputs[0];
  if (has_until_) {
    int stacked = -1;
    for (size_t s = 0; s < ns && stacked < 0; ++s)
      if (states_[s].keep_history) stacked = static_cast<int>(s);
    if (stacked < 0 && n_outputs_ > 0) stacked = static_cast<int>(ns);
    if (stacked < 0) throw NotImplementedError(name() + ": the gradient of a scan with until and no stacked output");
    n = shape_i(fwd.output(stacked), 0);
  }

  // The states' full histories, [init rows, values of steps 0..n-1]: from the
  // node itself, or from a copy of the loop that keeps every state's history
  // and the step's products that depend on the loop (h_{t-1} @ W): the
  // backward loop reads those back rather than computing them again (JAX's
  // dots_saveable policy; elementwise work is recomputed). The copy shares
  // the step graph, so the scan_merge pass makes the two loops one.
  std::vector<Var> history(ns);
  bool all_kept = true;
  for (const auto& s : states_) all_kept = all_kept && s.keep_history;
  const std::vector<Var> saved = saved_products();
  std::vector<Var> fwd_outs = fwd.outputs();
  if (!all_kept || !saved.empty()) {
    std::vector<ScanStateInfo> kept = states_;
    for (auto& s : kept) s.keep_history = true;
    std::vector<Var> outs(step_outputs_.begin(), step_outputs_.begin() + static_cast<long>(ns) + n_outputs_);
    outs.insert(outs.end(), saved.begin(), saved.end());
    if (has_until_) outs.push_back(step_outputs_.back());
    auto op = std::make_shared<ScanOp>(label_, seq_inner_, kept, tap_inner_, param_inner_, outs,
                                       n_outputs_ + static_cast<int>(saved.size()), has_until_, truncate_);
    fwd_outs = make_apply(op, node.inputs)->outputs();
  }
  for (size_t s = 0; s < ns; ++s) history[s] = join(0, {node.inputs[first_init() + s], fwd_outs[s]});

  ScanArgs b;
  b.label = "grad of " + label_;
  // truncate_gradient = k: the backward loop runs over the last k steps only.
  const bool truncated = truncate_ >= 0;
  b.n_steps = truncated ? minimum(n, int_const_i64(truncate_)) : n;
  const auto int_const = [](int64_t v) { return scalar_constant<int64_t>(v); };
  // Sequences of the backward loop, every one read from the last step to the first.
  for (size_t k = 0; k < seq_inner_.size(); ++k)
    b.sequences.push_back({reversed(rows(node.inputs[1 + k], int_const(0), n)), seq_inner_[k]});
  size_t tap = 0;
  for (size_t s = 0; s < ns; ++s) {
    const int L = states_[s].lags();
    for (int t : states_[s].taps) {
      const Var from = int_const(L + t);
      b.sequences.push_back({reversed(rows(history[s], from, add(from, n))), tap_inner_[tap++]});
    }
  }
  for (size_t j = 0; j < param_inner_.size(); ++j)
    b.params.push_back({node.inputs[first_param() + j], param_inner_[j]});

  // The adjoint of each state's value at this step: the outside's (a sequence
  // of the backward loop) plus what later steps sent back through their taps
  // (row 0 of the window state W: W[k] is the adjoint of the value k steps
  // before this step's).
  std::vector<std::pair<Var, Var>> known;
  std::vector<Var> window(ns), window_init(ns);
  for (size_t s = 0; s < ns; ++s) {
    const Var& next = step_outputs_[s];
    if (!is_float(next->dtype())) continue;
    const Var& init = node.inputs[first_init() + s];
    Var w_init = zeros_like(init);
    if (!states_[s].keep_history && gouts[s]) w_init = set_subtensor(row(w_init, 0), as_dtype(gouts[s], init->dtype()));
    window_init[s] = w_init;
    window[s] = variable(init->type, "W" + std::to_string(s));
    Var adj = row(window[s], 0);
    if (states_[s].keep_history && gouts[s]) {
      Var d = variable(row_type(gouts[s]->type), "dS" + std::to_string(s));
      b.sequences.push_back({reversed(rows(gouts[s], int_const(0), n)), d});
      adj = add(adj, as_dtype(d, adj->dtype()));
    }
    known.push_back({next, adj});
  }
  for (int m = 0; m < n_outputs_; ++m) {
    const Var& g = gouts[ns + m];
    const Var& out = step_outputs_[ns + m];
    if (!g || !is_float(out->dtype())) continue;
    Var d = variable(row_type(g->type), "dY" + std::to_string(m));
    b.sequences.push_back({reversed(rows(g, int_const(0), n)), d});
    known.push_back({out, as_dtype(d, out->dtype())});
  }
  if (known.empty()) return result;

  // The step's vector-Jacobian product with respect to what it reads.
  std::vector<Var> wrt;
  for (const auto& v : seq_inner_) wrt.push_back(v);
  for (const auto& v : tap_inner_) wrt.push_back(v);
  for (const auto& v : param_inner_) wrt.push_back(v);
  std::vector<bool> differentiable(wrt.size());
  std::vector<Var> wrt_float;
  for (size_t i = 0; i < wrt.size(); ++i)
    if ((differentiable[i] = is_float(wrt[i]->dtype()))) wrt_float.push_back(wrt[i]);
  GradOptions o;
  o.known_grads = known;
  o.disconnected_inputs = DisconnectedPolicy::Ignore;
  o.null_gradients_raise = false;
  std::vector<Var> vjp_float = theon::grad(nullptr, wrt_float, o);
  std::vector<Var> vjp(wrt.size());
  for (size_t i = 0, f = 0; i < wrt.size(); ++i)
    if (differentiable[i]) vjp[i] = vjp_float[f++];
  auto grad_or_zeros = [&](size_t i) {
    std::string why;
    if (!vjp[i] || is_null_grad(vjp[i], &why)) return zeros_like(wrt[i]);
    return as_dtype(vjp[i], wrt[i]->dtype());
  };
  auto is_null = [&](size_t i) { return vjp[i] && is_null_grad(vjp[i]); };

  // Window update: W'[k] = W[k + 1] + the taps' adjoints of the value k + 1 steps back.
  tap = 0;
  const size_t first_tap = seq_inner_.size();
  std::vector<int> window_state(ns, -1);
  for (size_t s = 0; s < ns; ++s) {
    const int L = states_[s].lags();
    if (!window[s]) {
      tap += states_[s].taps.size();
      continue;
    }
    std::vector<Var> rows_next;
    for (int k = 0; k < L; ++k) {
      Var r = k + 1 < L ? row(window[s], k + 1) : zeros_like(row(window[s], 0));
      for (size_t j = 0; j < states_[s].taps.size(); ++j)
        if (states_[s].taps[j] == -(k + 1)) r = add(r, as_dtype(grad_or_zeros(first_tap + tap + j), r->dtype()));
      rows_next.push_back(r);
    }
    tap += states_[s].taps.size();
    window_state[s] = static_cast<int>(b.states.size());
    b.states.push_back({dimshuffle(window_init[s],
                                   [&] {
                                     std::vector<int> order{-1};
                                     for (int d = 0; d < window_init[s]->ndim(); ++d) order.push_back(d);
                                     return order;
                                   }()),
                        {-1},
                        {window[s]},
                        stack(rows_next, 0),
                        false});
  }
  // Parameter adjoints, summed over the steps.
  std::vector<int> param_state(param_inner_.size(), -1);
  const size_t first_p = seq_inner_.size() + tap_inner_.size();
  for (size_t j = 0; j < param_inner_.size(); ++j) {
    if (!differentiable[first_p + j] || !vjp[first_p + j] || is_null(first_p + j)) continue;
    const Var& outer = node.inputs[first_param() + j];
    Var acc = variable(outer->type, "dP" + std::to_string(j));
    param_state[j] = static_cast<int>(b.states.size());
    std::vector<int> order{-1};
    for (int d = 0; d < outer->ndim(); ++d) order.push_back(d);
    b.states.push_back(
        {dimshuffle(zeros_like(outer), order), {-1}, {acc}, add(acc, grad_or_zeros(first_p + j)), false});
  }
  // Sequence adjoints, one row per step.
  std::vector<int> seq_output(seq_inner_.size(), -1);
  for (size_t k = 0; k < seq_inner_.size(); ++k) {
    if (!differentiable[k] || !vjp[k] || is_null(k)) continue;
    seq_output[k] = static_cast<int>(b.outputs.size());
    b.outputs.push_back(grad_or_zeros(k));
  }
  // What the backward step would compute again of the forward step is read
  // back from the forward loop as sequences: the step's own results (tanh's
  // derivative reads tanh's result, which is the state's next value), and
  // the saved products that the rest still reads.
  {
    std::vector<Var> vals;
    for (const auto& st : b.states) vals.push_back(st.next);
    vals.insert(vals.end(), b.outputs.begin(), b.outputs.end());
    std::vector<std::pair<Var, Var>> stored;  // forward step value, its stacked rows
    for (size_t k = 0; k < ns + static_cast<size_t>(n_outputs_); ++k)
      if (step_outputs_[k]->owner) stored.push_back({step_outputs_[k], fwd_outs[k]});
    for (size_t i = 0; i < saved.size(); ++i) stored.push_back({saved[i], fwd_outs[ns + n_outputs_ + i]});
    std::unordered_map<const Variable*, const Var*> stacked_of;
    for (const auto& [value, stacked] : stored) stacked_of.emplace(value.get(), &stacked);
    // The backward graph's variables, not looking behind what is read back.
    std::unordered_set<const Variable*> seen;
    std::vector<Var> todo = vals, use_order;
    while (!todo.empty()) {
      Var v = todo.back();
      todo.pop_back();
      if (!seen.insert(v.get()).second) continue;
      if (stacked_of.count(v.get())) {
        use_order.push_back(v);
        continue;
      }
      if (v->owner)
        for (const Var& in : v->owner->inputs) todo.push_back(in);
    }
    std::vector<std::pair<Var, Var>> use;
    for (const auto& [value, stacked] : stored) {
      if (std::find(use_order.begin(), use_order.end(), value) == use_order.end()) continue;
      Var ph = variable(value->type, "stored" + std::to_string(use.size()));
      b.sequences.push_back({reversed(rows(stacked, int_const(0), n)), ph});
      use.push_back({value, ph});
    }
    if (!use.empty()) vals = clone_replace(vals, use);
    for (size_t i = 0; i < b.states.size(); ++i) b.states[i].next = vals[i];
    for (size_t i = 0; i < b.outputs.size(); ++i) b.outputs[i] = vals[b.states.size() + i];
  }
  std::vector<Var> back = scan(b);
  const size_t n_back_states = b.states.size();

  for (size_t k = 0; k < seq_inner_.size(); ++k) {
    const Var& x = node.inputs[1 + k];
    if (is_null(k)) {
      result[1 + k] =
          null_grad(x, "the step's gradient with respect to sequence " + std::to_string(k) + " is undefined");
      continue;
    }
    if (seq_output[k] < 0) continue;
    Var g = reversed(back[n_back_states + seq_output[k]]);  // the last b.n_steps steps, in order
    result[1 + k] = inc_subtensor(rows(zeros_like(x), sub(n, b.n_steps), n), g);
  }
  for (size_t s = 0; s < ns; ++s) {
    if (window_state[s] < 0) continue;
    Var g = reversed(back[window_state[s]]);
    // Truncated before reaching step 0: nothing flows back to the initial values.
    if (truncated) g = switch_(le(n, int_const(truncate_)), g, zeros_like(g));
    result[first_init() + s] = g;
  }
  for (size_t j = 0; j < param_inner_.size(); ++j) {
    if (is_null(first_p + j)) {
      result[first_param() + j] = null_grad(node.inputs[first_param() + j], "the step's gradient is undefined");
      continue;
    }
    if (param_state[j] >= 0) result[first_param() + j] = back[param_state[j]];
  }
  return result;
}

}  // namespace ops

bool inner_graph(const Op& op, std::vector<Var>* inputs, std::vector<Var>* outputs) {
  if (op.kind() != OpKind::Scan) return false;
  const auto& s = static_cast<const ops::ScanOp&>(op);
  *inputs = s.seq_inner();
  inputs->insert(inputs->end(), s.tap_inner().begin(), s.tap_inner().end());
  inputs->insert(inputs->end(), s.param_inner().begin(), s.param_inner().end());
  *outputs = s.step_outputs();
  return true;
}

std::vector<Var> scan(const ScanArgs& a) {
  const std::string& label = a.label;
  if (!a.n_steps || a.n_steps->ndim() != 0 || !is_int(a.n_steps->dtype()))
    throw TypeError(label + ": n_steps must be an integer scalar");
  // Fresh placeholders for the step, so the user's graph is never shared with the op's.
  std::vector<std::pair<Var, Var>> to_inner;
  std::unordered_set<const Variable*> declared;
  auto placeholder = [&](const Var& v) {
    if (!v || v->owner || v->kind() == VarKind::Constant)
      throw TypeError(label + ": a step placeholder must be a root variable");
    if (!declared.insert(v.get()).second) throw ValueError(label + ": a step placeholder is declared twice");
    Var p = variable(v->type, v->name);
    to_inner.push_back({v, p});
    return p;
  };
  std::vector<Var> seq_inner, tap_inner, param_inner, outer_in{as_dtype(a.n_steps, DType::Int64)};
  for (const auto& s : a.sequences) {
    if (!s.outer || s.outer->ndim() != s.inner->ndim() + 1)
      throw TypeError(label + ": a sequence must have one dimension more than its step placeholder");
    seq_inner.push_back(placeholder(s.inner));
    outer_in.push_back(s.outer);
  }
  std::vector<ops::ScanStateInfo> states;
  std::vector<Var> step_outputs;
  for (size_t i = 0; i < a.states.size(); ++i) {
    const ScanState& s = a.states[i];
    const std::string which = label + ": state " + std::to_string(i);
    if (s.taps.empty() || s.taps.size() != s.inner.size()) throw ValueError(which + " needs one placeholder per tap");
    for (size_t j = 0; j < s.taps.size(); ++j)
      if (s.taps[j] >= 0 || (j > 0 && s.taps[j] <= s.taps[j - 1]))
        throw ValueError(which + ": taps must be negative and increasing, got " + std::to_string(s.taps[j]));
    if (!s.init || !s.next) throw TypeError(which + ": the initial value and the next value must not be None");
    if (s.init->ndim() != s.next->ndim() + 1)
      throw TypeError(which + ": the initial values " + s.init->type.str() +
                      " need one dimension more than the step's " + "value " + s.next->type.str());
    if (s.next->dtype() != s.init->dtype())
      throw TypeError(which + ": the step returns " + s.next->type.str() + " for a state whose initial value is " +
                      s.init->type.str() + "; a state keeps its dtype across steps");
    states.push_back({s.taps, s.keep_history});
    for (const auto& v : s.inner) tap_inner.push_back(placeholder(v));
    outer_in.push_back(s.init);
    step_outputs.push_back(s.next);
  }
  for (const auto& o : a.outputs) {
    if (!o) throw TypeError(label + ": an output is None");
    step_outputs.push_back(o);
  }
  if (a.until) {
    if (a.until->ndim() != 0 || is_complex(a.until->dtype()))
      throw TypeError(label + ": until must be a boolean scalar, got " + a.until->type.str());
    // A number stops the loop when it is nonzero (Theano's until(x)).
    step_outputs.push_back(is_bool(a.until->dtype()) || is_int(a.until->dtype())
                               ? a.until
                               : neq(a.until, constant_like(0, a.until->dtype())));
  }
  std::vector<Var> outer_params;
  for (const auto& [outer, inner] : a.params) {
    param_inner.push_back(placeholder(inner));
    outer_params.push_back(outer);
  }
  // Everything else the step reads is a parameter too.
  for (const Var& v : graph_inputs(step_outputs)) {
    if (v->kind() == VarKind::Constant || declared.count(v.get())) continue;
    declared.insert(v.get());
    Var p = variable(v->type, v->name);
    to_inner.push_back({v, p});
    param_inner.push_back(p);
    outer_params.push_back(v);
  }
  outer_in.insert(outer_in.end(), outer_params.begin(), outer_params.end());
  std::vector<Var> inner_outputs = clone_replace(step_outputs, to_inner);
  if (a.truncate_gradient < -1) throw ValueError(label + ": truncate_gradient must be -1 or >= 0");
  auto op = std::make_shared<ops::ScanOp>(label, seq_inner, states, tap_inner, param_inner, inner_outputs,
                                          static_cast<int>(a.outputs.size()), a.until != nullptr, a.truncate_gradient);
  return make_apply(op, outer_in)->outputs();
}

bool same_value(const Var& a, const Var& b) {
  std::unordered_map<const Variable*, const Variable*> done;
  std::vector<std::pair<const Variable*, const Variable*>> work{{a.get(), b.get()}};
  while (!work.empty()) {
    auto [x, y] = work.back();
    work.pop_back();
    if (x == y) continue;
    auto it = done.find(x);
    if (it != done.end()) {
      if (it->second != y) return false;
      continue;
    }
    done[x] = y;
    if (x->type != y->type) return false;
    const auto* cx = dynamic_cast<const Constant*>(x);
    const auto* cy = dynamic_cast<const Constant*>(y);
    if (cx || cy) {
      if (!cx || !cy || !cx->same_value(*cy)) return false;
      continue;
    }
    if (!x->owner || !y->owner) return false;  // different roots
    const Apply &nx = *x->owner, &ny = *y->owner;
    if (!(nx.op == ny.op || nx.op->equals(*ny.op)) || nx.inputs.size() != ny.inputs.size()) return false;
    int ix = -1, iy = -1;
    for (int i = 0; i < nx.num_outputs(); ++i) {
      if (nx.raw_output(i) == x) ix = i;
      if (ny.raw_output(i) == y) iy = i;
    }
    if (ix != iy) return false;
    for (size_t i = 0; i < nx.inputs.size(); ++i) work.push_back({nx.inputs[i].get(), ny.inputs[i].get()});
  }
  return true;
}

std::vector<Var> map_index(const Var& n, const Var& index, const std::vector<Var>& outputs, const std::string& label) {
  if (!n || !index) throw TypeError(label + ": the length and the index must not be None");
  if (n->ndim() != 0 || !is_int(n->dtype()))
    throw TypeError(label + ": the length must be an integer scalar, got " + n->type.str());
  if (index->owner || index->ndim() != 0 || !is_int(index->dtype()))
    throw TypeError(label + ": the index must be an integer 0-d root variable, got " + index->type.str());
  for (const auto& o : outputs)
    if (!o) throw TypeError(label + ": an output is None");
  ScanArgs a;
  a.label = label;
  a.n_steps = as_dtype(n, DType::Int64);
  a.sequences.push_back(
      {arange(scalar_constant<int64_t>(0), a.n_steps, scalar_constant<int64_t>(1), index->dtype()), index});
  a.outputs = outputs;
  return scan(a);
}

}  // namespace theon
