// Scan rewrites (Theano's scan_opt): work moved out of the loop, loops that
// keep only what is read. Each rule takes a Scan node apart into editable
// lists (ScanParts), changes them and builds one new Scan node; the step's
// own graph is rewritten later, with every phase, when the step is compiled.
//
//  scan_pushout_non_seqs   step work that reads only parameters runs once, before the loop
//  scan_pushout_seqs       step work that reads only sequence rows and parameters (elementwise
//                          ops, casts, DimShuffles, reductions, products), and
//                          reaches a product (the LSTM's x_t @ W), runs on whole sequences:
//                          one large GEMM instead of n small ones; a map with no state
//                          (a stacked output of rows alone) leaves the loop altogether
//  scan_pushout_add        an accumulator acc + dot(u_t.T, v_t) or acc + sum(v_t) (the
//                          weight and bias gradients of backpropagation through time)
//                          becomes one product or sum over the stacked v after the loop
//  scan_remove_unused      states and outputs nobody reads leave the step
//  scan_save_mem (a pass)  a history read only at [-1] keeps L + 1 rows, not n
//  scan_merge (a pass)     loops over the same number of steps, neither reading the other,
//                          run as one loop; what both compute is computed once (the
//                          forward loop a gradient copies to save its products)
#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "compile/scan_op.hpp"
#include "ops/op_info.hpp"
#include "rewrite/engine.hpp"
#include "theon/function_graph.hpp"
#include "theon/ops.hpp"

namespace theon::rw {

namespace {

using ops::ScanOp;
using ops::ScanStateInfo;

Var rows_upto(const Var& x, const Var& n) { return subtensor(x, {IndexEntry::slice(nullptr, n)}); }
// x (n, ..., k) as the matrix (n * ..., k): a view of contiguous rows, so
// sum_t u_t.T @ v_t is one GEMM with the transpose in its flags.
Var as_rows(const Var& x) {
  Var lead = shape_i(x, 0);
  for (int d = 1; d + 1 < x->ndim(); ++d) lead = mul(lead, shape_i(x, d));
  return reshape(x, stack({lead, shape_i(x, x->ndim() - 1)}, 0), 2);
}
Var first_row(const Var& x) { return subtensor(x, {IndexEntry::integer(scalar_constant<int64_t>(0))}); }

// A Scan node as lists a rule edits; build() makes the new node.
struct ScanParts {
  const ScanOp* op;
  Var n_steps;
  std::vector<Var> seq_outer, seq_inner;
  std::vector<ScanStateInfo> states;
  std::vector<Var> init, next;
  std::vector<std::vector<Var>> taps;  // per state, its placeholders
  std::vector<Var> outs;               // stacked outputs (inner)
  Var until;
  std::vector<Var> param_outer, param_inner;
  // Per entry of states/outs, the node output it stands for (-1: new).
  std::vector<int> state_src, out_src;
  std::string label;

  ScanParts(const ScanOp& s, const Apply& node) : op(&s), n_steps(node.inputs[0]), label(s.label()) {
    const size_t ns = s.states().size();
    for (size_t k = 0; k < s.n_sequences(); ++k) {
      seq_outer.push_back(node.inputs[1 + k]);
      seq_inner.push_back(s.seq_inner()[k]);
    }
    size_t tap = 0;
    for (size_t i = 0; i < ns; ++i) {
      states.push_back(s.states()[i]);
      init.push_back(node.inputs[s.first_init() + i]);
      next.push_back(s.step_outputs()[i]);
      taps.emplace_back(s.tap_inner().begin() + static_cast<long>(tap),
                        s.tap_inner().begin() + static_cast<long>(tap + s.states()[i].taps.size()));
      tap += s.states()[i].taps.size();
      state_src.push_back(static_cast<int>(i));
    }
    for (int m = 0; m < s.n_outputs(); ++m) {
      outs.push_back(s.step_outputs()[ns + static_cast<size_t>(m)]);
      out_src.push_back(static_cast<int>(ns) + m);
    }
    if (s.has_until()) until = s.step_outputs().back();
    for (size_t j = 0; j < s.n_params(); ++j) {
      param_outer.push_back(node.inputs[s.first_param() + j]);
      param_inner.push_back(s.param_inner()[j]);
    }
  }

  void remove_state(size_t s) {
    const auto at = static_cast<long>(s);
    states.erase(states.begin() + at);
    init.erase(init.begin() + at);
    next.erase(next.begin() + at);
    taps.erase(taps.begin() + at);
    state_src.erase(state_src.begin() + at);
  }

  void remove_output(size_t m) {
    outs.erase(outs.begin() + static_cast<long>(m));
    out_src.erase(out_src.begin() + static_cast<long>(m));
  }

  bool is_seq(const Var& v, size_t* k) const {
    for (size_t i = 0; i < seq_inner.size(); ++i)
      if (seq_inner[i] == v) return *k = i, true;
    return false;
  }

  std::vector<Var> step_outputs() const {
    std::vector<Var> o = next;
    o.insert(o.end(), outs.begin(), outs.end());
    if (until) o.push_back(until);
    return o;
  }

  // The new node, with `inner` replacements applied to the step graph and the
  // sequences and parameters it no longer reads dropped (a sequence's length
  // check moves with its rows: whatever replaced it reads rows 0..n-1 too).
  ApplyPtr build(const std::vector<std::pair<Var, Var>>& inner) {
    std::vector<Var> so = clone_replace(step_outputs(), inner);
    std::unordered_set<const Variable*> read;
    for (const Var& v : graph_inputs(so)) read.insert(v.get());
    std::vector<Var> po, pi;
    for (size_t j = 0; j < param_inner.size(); ++j)
      if (read.count(param_inner[j].get())) po.push_back(param_outer[j]), pi.push_back(param_inner[j]);
    std::vector<Var> so_outer, si;  // sequences the step still reads
    for (size_t k = 0; k < seq_inner.size(); ++k)
      if (read.count(seq_inner[k].get())) so_outer.push_back(seq_outer[k]), si.push_back(seq_inner[k]);
    std::vector<Var> tap_flat, outer{n_steps};
    outer.insert(outer.end(), so_outer.begin(), so_outer.end());
    outer.insert(outer.end(), init.begin(), init.end());
    outer.insert(outer.end(), po.begin(), po.end());
    for (const auto& t : taps) tap_flat.insert(tap_flat.end(), t.begin(), t.end());
    auto fresh = std::make_shared<ScanOp>(label, si, states, tap_flat, pi, so, static_cast<int>(outs.size()),
                                          until != nullptr, op->truncate_gradient());
    return make_apply(fresh, outer);
  }

  // The old node's outputs as read from the new one (nullptr where dropped).
  std::vector<Var> map_outputs(const Apply& old, const ApplyPtr& fresh) const {
    std::vector<Var> r(static_cast<size_t>(old.num_outputs()));
    for (size_t i = 0; i < state_src.size(); ++i)
      if (state_src[i] >= 0) r[static_cast<size_t>(state_src[i])] = fresh->output(static_cast<int>(i));
    for (size_t m = 0; m < out_src.size(); ++m)
      if (out_src[m] >= 0) r[static_cast<size_t>(out_src[m])] = fresh->output(static_cast<int>(states.size() + m));
    return r;
  }
};

// How each step variable depends on the loop: Invariant (parameters and
// constants only), Rows (sequence rows, parameters, constants), Variant.
enum class Dep { Invariant, Rows, Variant };

struct StepAnalysis {
  std::vector<Apply*> order;
  std::unordered_map<const Variable*, Dep> dep;
  std::unordered_map<const Variable*, int> uses;  // by step nodes and as step outputs

  StepAnalysis(const ScanParts& p, bool rows_liftable_only) {
    const std::vector<Var> outs = p.step_outputs();
    order = toposort(outs);
    for (const Var& v : p.param_inner) dep[v.get()] = Dep::Invariant;
    for (const Var& v : p.seq_inner) dep[v.get()] = Dep::Rows;
    for (const auto& t : p.taps)
      for (const Var& v : t) dep[v.get()] = Dep::Variant;
    for (Apply* n : order) {
      Dep d = Dep::Invariant;
      for (const Var& in : n->inputs) {
        ++uses[in.get()];
        d = std::max(d, of(in));
      }
      if (d == Dep::Rows && rows_liftable_only && !liftable(*n)) d = Dep::Variant;
      for (int i = 0; i < n->num_outputs(); ++i) dep[n->raw_output(i)] = d;
    }
    for (const Var& o : outs) ++uses[o.get()];
  }

  Dep of(const Var& v) const {
    if (v->kind() == VarKind::Constant) return Dep::Invariant;
    auto it = dep.find(v.get());
    return it == dep.end() ? Dep::Variant : it->second;
  }
  int use_count(const Var& v) const {
    auto it = uses.find(v.get());
    return it == uses.end() ? 0 : it->second;
  }

  // Ops that run on whole sequences as they run on rows: a leading axis added.
  static bool liftable(const Apply& n) {
    switch (n.op->kind()) {
      case OpKind::Elemwise:
      case OpKind::Cast:
      case OpKind::DimShuffle:
      case OpKind::Reduce:
        return n.num_outputs() == 1;
      case OpKind::Dot: {
        // rows @ matrix, or matrix @ a row vector
        return n.inputs.size() == 2;
      }
      default:
        return false;
    }
  }
};

// ---- scan_pushout_non_seqs ---------------------------------------------------

std::vector<Var> scan_pushout_non_seqs(FunctionGraph&, Apply& node) {
  const auto& op = static_cast<const ScanOp&>(*node.op);
  ScanParts p(op, node);
  StepAnalysis a(p, false);
  // Invariant results read by loop-dependent work or returned by the step.
  std::vector<Var> lift;
  std::unordered_set<const Variable*> seen;
  auto consider = [&](const Var& v) {
    if (v->owner && v->kind() != VarKind::Constant && a.of(v) == Dep::Invariant && seen.insert(v.get()).second)
      lift.push_back(v);
  };
  for (Apply* n : a.order) {
    if (a.of(n->output(0)) == Dep::Invariant) continue;
    for (const Var& in : n->inputs) consider(in);
  }
  for (const Var& o : p.step_outputs()) consider(o);
  // Constant-only subgraphs are the constant folder's.
  lift.erase(std::remove_if(lift.begin(), lift.end(),
                            [&](const Var& v) {
                              for (const Var& r : graph_inputs({v}))
                                if (r->kind() != VarKind::Constant) return false;
                              return true;
                            }),
             lift.end());
  if (lift.empty()) return {};
  std::vector<std::pair<Var, Var>> to_outer, inner;
  for (size_t j = 0; j < p.param_inner.size(); ++j) to_outer.push_back({p.param_inner[j], p.param_outer[j]});
  std::vector<Var> outer = clone_replace(lift, to_outer);
  for (size_t i = 0; i < lift.size(); ++i) {
    Var ph = variable(lift[i]->type, lift[i]->name);
    p.param_outer.push_back(outer[i]);
    p.param_inner.push_back(ph);
    inner.push_back({lift[i], ph});
  }
  return p.map_outputs(node, p.build(inner));
}

// ---- scan_pushout_seqs -------------------------------------------------------

// The whole-sequence value of a Rows variable (memoized): sequence rows
// 0..n-1, parameters and constants with a leading axis, each op lifted.
struct Lifter {
  const ScanParts& p;
  const StepAnalysis& a;
  Var n_rows;  // the rows of each sequence read
  std::unordered_map<const Variable*, Var> memo;

  // A loop-invariant step value computed outside: its graph over the outer parameters.
  Var outer_invariant(const Var& v) {
    std::vector<std::pair<Var, Var>> to_outer;
    for (size_t j = 0; j < p.param_inner.size(); ++j) {
      if (p.param_inner[j] == v) return p.param_outer[j];
      to_outer.push_back({p.param_inner[j], p.param_outer[j]});
    }
    return v->owner ? clone_replace({v}, to_outer)[0] : v;
  }
  static Var leading_axis(const Var& v) {
    std::vector<int> order{-1};
    for (int d = 0; d < v->ndim(); ++d) order.push_back(d);
    return dimshuffle(v, order);
  }
  // Null when some part cannot be lifted.
  Var lift(const Var& v) {
    auto it = memo.find(v.get());
    if (it != memo.end()) return it->second;
    Var r;
    size_t k;
    if (p.is_seq(v, &k)) {
      r = rows_upto(p.seq_outer[k], n_rows);
    } else if (v->owner && a.of(v) == Dep::Rows) {
      Apply& n = *v->owner;
      std::vector<Var> ins;
      std::vector<bool> rows;
      for (const Var& in : n.inputs) {
        rows.push_back(a.of(in) == Dep::Rows);
        if (rows.back()) {
          Var l = lift(in);
          if (!l) return nullptr;
          ins.push_back(l);
        } else {
          if (a.of(in) != Dep::Invariant) return nullptr;
          ins.push_back(outer_invariant(in));
        }
      }
      switch (n.op->kind()) {
        case OpKind::Elemwise:
          for (size_t i = 0; i < ins.size(); ++i)
            if (!rows[i]) ins[i] = leading_axis(ins[i]);
          r = clone_apply(n, ins)->output(0);
          break;
        case OpKind::Cast:
          r = cast(ins[0], v->dtype());
          break;
        case OpKind::Reduce: {  // the same reduction of every row
          std::vector<int> axes;
          for (int ax : reduce_axes(*n.op)) axes.push_back(ax + 1);
          r = reduce(reduce_kind_of(*n.op), ins[0], axes);
          if (r->dtype() != v->dtype()) r = cast(r, v->dtype());
          break;
        }
        case OpKind::DimShuffle: {
          std::vector<int> order{0};
          for (int d : dimshuffle_order(*n.op)) order.push_back(d < 0 ? -1 : d + 1);
          r = dimshuffle(ins[0], order);
          break;
        }
        case OpKind::Dot:
          if (rows[0] && !rows[1] && n.inputs[0]->ndim() >= 1 && n.inputs[1]->ndim() <= 2)
            r = dot(ins[0], ins[1]);  // (n, ..., k) @ W
          else if (!rows[0] && rows[1] && n.inputs[0]->ndim() == 2 && n.inputs[1]->ndim() == 1)
            r = dot(ins[1], transpose(ins[0]));  // W @ x_t for every row: X @ W.T
          else
            return nullptr;
          break;
        default:
          return nullptr;
      }
    } else {
      return nullptr;
    }
    memo[v.get()] = r;
    return r;
  }
};

bool reaches_dot(const Var& v, const StepAnalysis& a, std::unordered_map<const Variable*, bool>& memo) {
  if (!v->owner || a.of(v) != Dep::Rows) return false;
  auto it = memo.find(v.get());
  if (it != memo.end()) return it->second;
  bool r = v->owner->op->kind() == OpKind::Dot;
  for (const Var& in : v->owner->inputs) r = r || reaches_dot(in, a, memo);
  return memo[v.get()] = r;
}

std::vector<Var> scan_pushout_seqs(FunctionGraph&, Apply& node) {
  const auto& op = static_cast<const ScanOp&>(*node.op);
  ScanParts p(op, node);
  StepAnalysis a(p, true);
  // Stacked outputs of rows alone (a map), or of parameters alone (the same
  // value n times), are computed outside, with no loop. No loop may be left
  // to check n_steps against the sequences, so the rows read carry the
  // checks the loop made; one lifter serves both kinds of work, so a product
  // the step reads and returns (a saved product of the gradient) is one Dot.
  bool any_map = false;
  for (const Var& o : p.outs) any_map = any_map || a.of(o) != Dep::Variant;
  any_map = any_map && !p.until;
  Lifter lifter{p, a, p.n_steps, {}};
  if (any_map) {
    Var n = assert_op(p.n_steps, {ge(p.n_steps, scalar_constant<int64_t>(0))}, p.label + ": n_steps must be >= 0",
                      CheckFailure::Value);
    std::vector<Var> fits;
    for (const Var& sq : p.seq_outer) fits.push_back(le(n, shape_i(sq, 0)));
    lifter.n_rows = assert_op(n, fits, p.label + ": a sequence has fewer rows than the n_steps steps asked for",
                              CheckFailure::Value);
  }
  std::unordered_map<const Variable*, bool> dots;
  std::vector<std::pair<Var, Var>> inner;
  std::unordered_set<const Variable*> done;
  // Row work read by the loop's own work, when it reaches a product.
  for (Apply* n : a.order) {
    if (a.of(n->output(0)) != Dep::Variant) continue;
    for (const Var& in : n->inputs) {
      if (done.count(in.get()) || !reaches_dot(in, a, dots)) continue;
      Var whole = lifter.lift(in);
      if (!whole) continue;
      done.insert(in.get());
      Var ph = variable(in->type, in->name);
      p.seq_outer.push_back(whole);
      p.seq_inner.push_back(ph);
      inner.push_back({in, ph});
    }
  }
  std::vector<std::pair<size_t, Var>> mapped;  // old output index, value
  if (any_map) {
    for (size_t m = 0; m < p.outs.size(); ++m) {
      const Var& o = p.outs[m];
      if (a.of(o) == Dep::Variant) continue;
      Var whole;
      if (a.of(o) == Dep::Invariant) {  // the same value every step: n copies
        Var v = lifter.outer_invariant(o);
        std::vector<Var> dims{lifter.n_rows};
        for (int d = 0; d < v->ndim(); ++d) dims.push_back(shape_i(v, d));
        whole = alloc(v, dims);
      } else {
        whole = lifter.lift(o);
      }
      if (!whole) continue;
      mapped.push_back({static_cast<size_t>(p.out_src[m]), whole});
      p.remove_output(m);
      --m;
    }
  }
  if (inner.empty() && mapped.empty()) return {};
  std::vector<Var> r = p.map_outputs(node, p.build(inner));
  for (const auto& [i, v] : mapped) r[i] = v;
  return r;
}

// ---- scan_pushout_add --------------------------------------------------------

// The terms of an accumulator's update acc + t1 + t2 + ...: adds read once.
void add_terms(const Var& v, const StepAnalysis& a, const Var& acc, std::vector<Var>& terms) {
  if (v == acc) return;
  if (v->owner && is_op(*v->owner, ScalarOpId::add) && (a.use_count(v) == 1 || v->owner->inputs[0] == acc)) {
    for (const Var& in : v->owner->inputs) add_terms(in, a, acc, terms);
    return;
  }
  terms.push_back(v);
}

std::vector<Var> scan_pushout_add(FunctionGraph&, Apply& node) {
  const auto& op = static_cast<const ScanOp&>(*node.op);
  ScanParts p(op, node);
  if (p.until) return {};
  StepAnalysis a(p, false);
  std::unordered_map<const Variable*, size_t> stacked;  // step value -> index in p.outs
  // The stacked values of v over the steps: a sequence's rows or a new output.
  auto stack_of = [&](const Var& v, const ApplyPtr& fresh) -> Var {
    size_t k;
    if (p.is_seq(v, &k)) return rows_upto(p.seq_outer[k], p.n_steps);
    return fresh->output(static_cast<int>(p.states.size() + stacked.at(v.get())));
  };
  auto want_stacked = [&](const Var& v) {
    size_t k;
    if (p.is_seq(v, &k) || stacked.count(v.get())) return;
    stacked[v.get()] = p.outs.size();
    p.outs.push_back(v);
    p.out_src.push_back(-1);
  };
  struct Pushed {
    size_t state;
    std::vector<std::pair<Var, Var>> dots;  // (u seq row, v): sum_t u_t.T @ v_t
    std::vector<std::pair<Var, Var>> sums;  // (term, v): term = DimShuffles of sum(v, axes)
  };
  std::vector<Pushed> pushed;
  std::vector<std::pair<Var, Var>> inner;
  std::vector<size_t> removed;
  for (size_t s = 0; s < p.states.size(); ++s) {
    const Var& next = p.next[s];
    if (p.states[s].keep_history || p.states[s].taps != std::vector<int>{-1}) continue;
    const Var& acc = p.taps[s][0];
    if (a.use_count(acc) != 1 || a.use_count(next) != 1 || !next->owner || !is_op(*next->owner, ScalarOpId::add))
      continue;
    if (std::find(next->owner->inputs.begin(), next->owner->inputs.end(), acc) == next->owner->inputs.end()) continue;
    std::vector<Var> terms, keep;
    add_terms(next, a, acc, terms);
    Pushed ps{s, {}, {}};
    for (const Var& t : terms) {
      if (t->dtype() != acc->dtype() || !t->owner) {
        keep.push_back(t);
        continue;
      }
      const Apply& tn = *t->owner;
      size_t k;
      // u_t.T @ v_t with u a sequence: the gradient of x_t @ W with respect to W.
      if (tn.op->kind() == OpKind::Dot && tn.inputs[0]->owner &&
          tn.inputs[0]->owner->op->kind() == OpKind::DimShuffle &&
          dimshuffle_order(*tn.inputs[0]->owner->op) == std::vector<int>{1, 0} &&
          p.is_seq(tn.inputs[0]->owner->inputs[0], &k) && tn.inputs[1]->ndim() == 2 &&
          a.of(tn.inputs[1]) != Dep::Invariant) {
        ps.dots.push_back({tn.inputs[0]->owner->inputs[0], tn.inputs[1]});
        continue;
      }
      // DimShuffles of sum(v_t, axes): the gradient of a broadcast bias.
      Var r = t;
      while (r->owner && r->owner->op->kind() == OpKind::DimShuffle) r = r->owner->inputs[0];
      if (r->owner && r->owner->op->kind() == OpKind::Reduce && reduce_kind_of(*r->owner->op) == ReduceKind::Sum &&
          r->owner->inputs[0]->dtype() == r->dtype() && a.of(r->owner->inputs[0]) != Dep::Invariant) {
        ps.sums.push_back({t, r->owner->inputs[0]});
        continue;
      }
      keep.push_back(t);
    }
    if (ps.dots.empty() && ps.sums.empty()) continue;
    for (const auto& [u, v] : ps.dots) want_stacked(v);
    for (const auto& [t, v] : ps.sums) want_stacked(v);
    if (keep.empty()) {
      removed.push_back(s);
    } else {
      Var nx = acc;
      for (const Var& t : keep) nx = add(nx, t);
      inner.push_back({next, nx});
    }
    pushed.push_back(std::move(ps));
  }
  if (pushed.empty()) return {};
  // The outer value of each pushed accumulator: what the loop still adds (or
  // the initial value) plus each term's total over the steps.
  ScanParts before = p;  // indices of states before removal
  std::vector<int> new_index(p.states.size());
  {
    int next_i = 0;
    for (size_t s = 0; s < p.states.size(); ++s)
      new_index[s] = std::find(removed.begin(), removed.end(), s) != removed.end() ? -1 : next_i++;
    for (size_t i = removed.size(); i-- > 0;) p.remove_state(removed[i]);
  }
  ApplyPtr fresh = p.build(inner);
  std::vector<Var> r = p.map_outputs(node, fresh);
  for (const Pushed& ps : pushed) {
    const int ni = new_index[ps.state];
    Var total = ni >= 0 ? fresh->output(ni) : first_row(before.init[ps.state]);
    for (const auto& [u, v] : ps.dots)
      total = add(total, dot(transpose(as_rows(stack_of(u, fresh))), as_rows(stack_of(v, fresh))));
    for (const auto& [t, v] : ps.sums) {
      // sum over the steps and the term's own axes, then the term's DimShuffles.
      Var sv = t;
      std::vector<const Apply*> chain;
      while (sv->owner->op->kind() == OpKind::DimShuffle) chain.push_back(sv->owner), sv = sv->owner->inputs[0];
      std::vector<int> axes{0};
      for (int ax : reduce_axes(*sv->owner->op)) axes.push_back(ax + 1);
      Var w = sum(stack_of(v, fresh), axes);
      for (size_t c = chain.size(); c-- > 0;) w = clone_apply(*chain[c], {w})->output(0);
      total = add(total, w);
    }
    r[static_cast<size_t>(before.state_src[ps.state])] = total;
  }
  return r;
}

// ---- scan_remove_unused ------------------------------------------------------

std::vector<Var> scan_remove_unused(FunctionGraph& fg, Apply& node) {
  const auto& op = static_cast<const ScanOp&>(*node.op);
  ScanParts p(op, node);
  const size_t ns = p.states.size();
  auto used_outside = [&](int i) { return !fg.clients(node.raw_output(i)).empty(); };
  std::vector<bool> live_state(ns), live_out(p.outs.size());
  std::vector<Var> roots;
  for (size_t s = 0; s < ns; ++s)
    if ((live_state[s] = used_outside(static_cast<int>(s)))) roots.push_back(p.next[s]);
  for (size_t m = 0; m < p.outs.size(); ++m)
    if ((live_out[m] = used_outside(static_cast<int>(ns + m)))) roots.push_back(p.outs[m]);
  if (p.until) roots.push_back(p.until);
  // A state is live when live work reads one of its taps.
  for (bool grew = true; grew;) {
    grew = false;
    std::unordered_set<const Variable*> read;
    for (const Var& v : graph_inputs(roots)) read.insert(v.get());
    for (size_t s = 0; s < ns; ++s) {
      if (live_state[s]) continue;
      for (const Var& t : p.taps[s])
        if (read.count(t.get())) live_state[s] = true;
      if (live_state[s]) roots.push_back(p.next[s]), grew = true;
    }
  }
  bool any_dead = false, any_live = false;
  for (bool b : live_state) any_dead |= !b, any_live |= b;
  for (bool b : live_out) any_dead |= !b, any_live |= b;
  if (!any_dead || !any_live) return {};
  for (size_t m = p.outs.size(); m-- > 0;)
    if (!live_out[m]) p.remove_output(m);
  for (size_t s = ns; s-- > 0;)
    if (!live_state[s]) p.remove_state(s);
  return p.map_outputs(node, p.build({}));
}

// ---- scan_merge ----------------------------------------------------------------

// Does `node` read (through the graph) an output of `other`?
bool depends_on(const Apply& node, const Apply& other) {
  std::unordered_set<const Apply*> seen;
  std::vector<const Apply*> work{&node};
  while (!work.empty()) {
    const Apply* n = work.back();
    work.pop_back();
    for (const Var& in : n->inputs) {
      const Apply* o = in->owner;
      if (!o || !seen.insert(o).second) continue;
      if (o == &other) return true;
      work.push_back(o);
    }
  }
  return false;
}

// Where an output of a merged loop went: a state (its history or its last
// value) or a stacked output.
struct Slot {
  bool state;
  size_t index;
  bool wants_history;
};

// x and y as one loop: y's sequences and parameters shared where x reads the
// same outer variable, identical states and outputs (the same step variables
// over the same inputs) computed once. Returns the outer replacements of both
// nodes' outputs, or nothing when they cannot be one loop (while loops whose
// conditions differ).
std::vector<std::pair<Var, Var>> merge_scans(Apply& x, Apply& y) {
  ScanParts m(static_cast<const ScanOp&>(*x.op), x), py(static_cast<const ScanOp&>(*y.op), y);
  std::vector<Slot> xs, ys;
  for (size_t s = 0; s < m.states.size(); ++s) xs.push_back({true, s, m.states[s].keep_history});
  for (size_t k = 0; k < m.outs.size(); ++k) xs.push_back({false, k, true});
  // Each placeholder of either loop and the outer variable it stands for.
  std::unordered_map<const Variable*, const Variable*> outer_of;
  auto record = [&](const ScanParts& p) {
    bool agree = true;
    auto put = [&](const Var& ph, const Var& o) {
      auto [it, fresh] = outer_of.emplace(ph.get(), o.get());
      if (!fresh && it->second != o.get()) agree = false;
    };
    for (size_t k = 0; k < p.seq_inner.size(); ++k) put(p.seq_inner[k], p.seq_outer[k]);
    for (size_t j = 0; j < p.param_inner.size(); ++j) put(p.param_inner[j], p.param_outer[j]);
    for (size_t s = 0; s < p.states.size(); ++s)
      for (const Var& t : p.taps[s]) put(t, p.init[s]);
    return agree;
  };
  record(m);
  // The state of x that y's state s is (the same step variables over the same initial value), or -1.
  const size_t x_states = m.states.size(), x_outs = m.outs.size();
  auto state_of_x = [&](size_t s) {
    for (size_t j = 0; j < x_states; ++j)
      if (m.next[j] == py.next[s] && m.init[j] == py.init[s] && m.taps[j] == py.taps[s]) return static_cast<long>(j);
    return -1L;
  };
  // y's placeholders stand for what x's do: shared step variables mean the same values.
  bool agree = record(py);
  // ... and every placeholder y adds (a state not shared, a sequence or
  // parameter x lacks) is one x does not use: else y's step is renamed.
  if (agree) {
    std::unordered_set<const Variable*> of_x;
    for (const Var& v : m.seq_inner) of_x.insert(v.get());
    for (const Var& v : m.param_inner) of_x.insert(v.get());
    for (const auto& t : m.taps)
      for (const Var& v : t) of_x.insert(v.get());
    auto shared_by_x = [&](const Var& ph) { return of_x.count(ph.get()) != 0; };
    for (size_t s = 0; s < py.states.size() && agree; ++s)
      if (state_of_x(s) < 0)
        for (const Var& t : py.taps[s]) agree = agree && !shared_by_x(t);
    for (size_t k = 0; k < py.seq_inner.size() && agree; ++k)
      if (std::find(m.seq_outer.begin(), m.seq_outer.end(), py.seq_outer[k]) == m.seq_outer.end())
        agree = !shared_by_x(py.seq_inner[k]);
    for (size_t k = 0; k < py.param_inner.size() && agree; ++k)
      if (std::find(m.param_outer.begin(), m.param_outer.end(), py.param_outer[k]) == m.param_outer.end())
        agree = !shared_by_x(py.param_inner[k]);
  }
  std::vector<std::pair<Var, Var>> repl;
  auto adopt = [&](const Var& ph) -> Var {
    if (agree) return ph;
    Var f = variable(ph->type, ph->name);
    repl.push_back({ph, f});
    return f;
  };
  // y's sequences (or parameters) join x's: one placeholder per outer variable.
  auto share = [&](const std::vector<Var>& y_outer, const std::vector<Var>& y_inner, std::vector<Var>& outer,
                   std::vector<Var>& inner) {
    for (size_t k = 0; k < y_inner.size(); ++k) {
      auto at = std::find(outer.begin(), outer.end(), y_outer[k]);
      const size_t j = static_cast<size_t>(at - outer.begin());
      if (at != outer.end() && inner[j]->type == y_inner[k]->type) {
        if (inner[j] != y_inner[k]) repl.push_back({y_inner[k], inner[j]});
        continue;
      }
      outer.push_back(y_outer[k]);
      inner.push_back(adopt(y_inner[k]));
    }
  };
  share(py.seq_outer, py.seq_inner, m.seq_outer, m.seq_inner);
  share(py.param_outer, py.param_inner, m.param_outer, m.param_inner);
  std::vector<size_t> new_states, new_outs;  // y's parts appended to m, to be rewritten with repl
  for (size_t s = 0; s < py.states.size(); ++s) {
    const long shared = agree ? state_of_x(s) : -1;
    if (shared >= 0) {
      const auto j = static_cast<size_t>(shared);
      m.states[j].keep_history = m.states[j].keep_history || py.states[s].keep_history;
      ys.push_back({true, j, py.states[s].keep_history});
      continue;
    }
    std::vector<Var> taps;
    for (const Var& t : py.taps[s]) taps.push_back(adopt(t));
    ys.push_back({true, m.states.size(), py.states[s].keep_history});
    new_states.push_back(m.states.size());
    m.states.push_back(py.states[s]);
    m.init.push_back(py.init[s]);
    m.taps.push_back(taps);
    m.next.push_back(py.next[s]);
  }
  for (size_t k = 0; k < py.outs.size(); ++k) {
    auto at = std::find(m.outs.begin(), m.outs.begin() + static_cast<long>(x_outs), py.outs[k]);
    if (agree && at != m.outs.begin() + static_cast<long>(x_outs)) {
      ys.push_back({false, static_cast<size_t>(at - m.outs.begin()), true});
      continue;
    }
    ys.push_back({false, m.outs.size(), true});
    new_outs.push_back(m.outs.size());
    m.outs.push_back(py.outs[k]);
  }
  // While loops merge when they stop on the same condition.
  if (m.until && !same_value(m.until, repl.empty() ? py.until : clone_replace({py.until}, repl)[0])) return {};
  if (!repl.empty()) {
    std::vector<Var> vals;
    for (size_t s : new_states) vals.push_back(m.next[s]);
    for (size_t k : new_outs) vals.push_back(m.outs[k]);
    vals = clone_replace(vals, repl);
    size_t i = 0;
    for (size_t s : new_states) m.next[s] = vals[i++];
    for (size_t k : new_outs) m.outs[k] = vals[i++];
  }
  if (m.label != py.label) m.label += " & " + py.label;
  ApplyPtr fresh = m.build({});
  auto value = [&](const Slot& sl) -> Var {
    if (!sl.state) return fresh->output(static_cast<int>(m.states.size() + sl.index));
    Var v = fresh->output(static_cast<int>(sl.index));
    if (sl.wants_history || !m.states[sl.index].keep_history) return v;
    // The last value from a history: the initial rows too, for a loop of no steps.
    return subtensor(join(0, {m.init[sl.index], v}), {IndexEntry::integer(scalar_constant<int64_t>(-1))});
  };
  std::vector<std::pair<Var, Var>> pairs;
  for (size_t i = 0; i < xs.size(); ++i) pairs.push_back({x.output(static_cast<int>(i)), value(xs[i])});
  for (size_t i = 0; i < ys.size(); ++i) pairs.push_back({y.output(static_cast<int>(i)), value(ys[i])});
  return pairs;
}

}  // namespace

// A history read only at [-1] (the last value; Theano's scan_save_mem): the
// loop keeps L + 1 rows of that state instead of every step's.
void scan_save_mem_pass(FunctionGraph& fg, RewriteReport& report) {
  auto last_row_read = [&](const Client& c) {
    if (!c.node || c.node->op->kind() != OpKind::Subtensor || c.index != 0 || index_advanced(*c.node->op)) return false;
    const std::vector<IndexEntry> idx = index_entries(*c.node);
    double v;

    for (size_t k = 1; k < idx.size(); ++k)  // x[-1] or x[-1, :, ...]
      if (idx[k].kind != IndexEntry::Slice || idx[k].start || idx[k].stop || idx[k].step) return false;
    return !idx.empty() && idx[0].kind == IndexEntry::Int && get_constant_scalar(idx[0].index, &v) && v == -1;
  };
  std::vector<Apply*> scans;
  for (const auto& n : fg.nodes())
    if (n->op->kind() == OpKind::Scan) scans.push_back(n.get());
  for (Apply* node : scans) {
    const auto& op = static_cast<const ScanOp&>(*node->op);
    ScanParts p(op, *node);
    std::vector<size_t> trimmed;
    for (size_t s = 0; s < p.states.size(); ++s) {
      if (!p.states[s].keep_history) continue;
      const auto& clients = fg.clients(node->raw_output(static_cast<int>(s)));
      if (clients.empty() || !std::all_of(clients.begin(), clients.end(), last_row_read)) continue;
      p.states[s].keep_history = false;
      trimmed.push_back(s);
    }
    if (trimmed.empty()) continue;
    ApplyPtr fresh = p.build({});
    std::vector<std::pair<Var, Var>> pairs;
    for (int i = 0; i < node->num_outputs(); ++i) {
      const Var old = node->output(i);
      if (fg.clients(old.get()).empty()) continue;
      if (std::find(trimmed.begin(), trimmed.end(), static_cast<size_t>(i)) == trimmed.end()) {
        pairs.push_back({old, fresh->output(i)});
        continue;
      }
      // x[-1] of the history is the state's last value (the initial value's last row after zero steps).
      for (const Client& c : fg.clients(old.get())) pairs.push_back({c.node->output(0), fresh->output(i)});
    }
    fg.replace_all(pairs);
    ++report.fired["scan_save_mem"];
  }
}

void scan_merge_pass(FunctionGraph& fg, RewriteReport& report) {
  for (bool changed = true; changed;) {
    changed = false;
    std::vector<Apply*> scans;
    for (const auto& n : fg.nodes())
      if (n->op->kind() == OpKind::Scan) scans.push_back(n.get());
    for (size_t i = 0; i < scans.size() && !changed; ++i)
      for (size_t j = i + 1; j < scans.size() && !changed; ++j) {
        Apply &x = *scans[i], &y = *scans[j];
        const auto &ox = static_cast<const ScanOp&>(*x.op), &oy = static_cast<const ScanOp&>(*y.op);
        // (a different truncate_gradient keeps loops apart, as in Theano: it is part of what the loop is)
        if (x.inputs[0] != y.inputs[0] || ox.has_until() != oy.has_until() ||
            ox.truncate_gradient() != oy.truncate_gradient() || depends_on(y, x) || depends_on(x, y))
          continue;
        auto pairs = merge_scans(x, y);
        if (pairs.empty()) continue;
        std::vector<std::pair<Var, Var>> used;
        for (auto& pr : pairs)
          if (!fg.clients(pr.first.get()).empty()) used.push_back(pr);
        fg.replace_all(used);
        ++report.fired["scan_merge"];
        changed = true;
      }
  }
}

const std::vector<NodeRule>& scan_rules() {
  static const std::vector<NodeRule> rules = {
      {"scan_pushout_non_seqs", "canonicalize", {OpKind::Scan}, {"scan"}, scan_pushout_non_seqs},
      {"scan_pushout_seqs", "canonicalize", {OpKind::Scan}, {"scan"}, scan_pushout_seqs},
      {"scan_pushout_add", "canonicalize", {OpKind::Scan}, {"scan"}, scan_pushout_add},
      {"scan_remove_unused", "specialize", {OpKind::Scan}, {"scan"}, scan_remove_unused},
  };
  return rules;
}

}  // namespace theon::rw
