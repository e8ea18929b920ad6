// Rules that remove or shrink work without changing values: the useless_*
// family (alloc, reshape, subtensor, switch, reduce, cast), cast chains,
// constants brought to the dtype of their use, reduction chains, scalars
// pulled out of sums, and indexing lifted through elementwise functions.
#include <algorithm>
#include <cmath>

#include "ops/scalar_table.hpp"
#include "rewrite/engine.hpp"

namespace theon::rw {

namespace {

bool is_int_const(const Var& v, int64_t want) {
  double d;
  return v && get_constant_scalar(v, &d) && d == static_cast<double>(want);
}

// ---- dtypes -----------------------------------------------------------------------

// Elementwise constants are cast to the node's float dtype when the value
// survives the round trip (Theano's local_upcast_elemwise_constant_inputs):
// `x * 2` with x float32 then has float32 inputs only, so it can fuse.
std::vector<Var> upcast_constants(FunctionGraph&, Apply& node) {
  const DType d = node.raw_output(0)->dtype();
  if (!is_float(d)) return {};
  const TypeRule rule = scalar_def(elemwise_id(*node.op)).rule;
  if (rule != TypeRule::Upcast && rule != TypeRule::Float) return {};
  bool changed = false;
  std::vector<Var> ins = node.inputs;
  for (auto& in : ins) {
    const Constant* c = as_constant(in);
    if (!c || in->dtype() == d || c->value.size() != 1 || is_complex(in->dtype())) continue;
    const double v = c->value.get_double(0);
    const double back = d == DType::Float32 ? static_cast<double>(static_cast<float>(v)) : v;
    if (back != v && !(std::isnan(v) && std::isnan(back))) continue;  // not exact in d
    NDArray a = c->value.astype(d);
    in = constant(a);
    changed = true;
  }
  if (!changed) return {};
  return {elemwise(elemwise_id(*node.op), ins)};
}

// Is every value of dtype `from` exactly representable in `to`?
bool lossless(DType from, DType to) { return upcast(from, to) == to; }

// cast(x) to x's own dtype -> x; cast(cast(x, d1), d2) -> cast(x, d2) when the
// inner cast loses nothing.
std::vector<Var> cast_cast(FunctionGraph&, Apply& node) {
  const Var& x = node.inputs[0];
  const DType to = cast_dtype(*node.op);
  if (x->dtype() == to) return {x};
  if (!x->owner || x->owner->op->kind() != OpKind::Cast) return {};
  const Var& src = x->owner->inputs[0];
  if (!lossless(src->dtype(), x->dtype())) return {};
  return {src->dtype() == to ? src : cast(src, to)};
}

// ---- useless ops ------------------------------------------------------------------

// alloc(x, dims) -> x when x already has the result's shape (type-wise).
std::vector<Var> useless_alloc(FunctionGraph&, Apply& node) {
  const Var& x = node.inputs[0];
  const auto& t = node.raw_output(0)->type;
  if (x->ndim() != t.ndim() || x->dtype() != t.dtype) return {};
  // Every dim of x must be known equal to the requested one.
  for (int d = 0; d < t.ndim(); ++d) {
    const Var& dim = node.inputs[1 + d];
    const int64_t xs = x->type.shape[d];
    bool same = xs >= 0 && is_int_const(dim, xs);
    if (!same && dim->owner && dim->owner->op->kind() == OpKind::ShapeI)
      same = dim->owner->inputs[0] == x && shape_i_axis(*dim->owner->op) == d;
    if (!same) return {};
  }
  return {x};
}

// reshape(x, shape(x)) or to x's own dims one by one -> x; reshape(reshape(x)) -> one reshape.
std::vector<Var> useless_reshape(FunctionGraph&, Apply& node) {
  const Var& x = node.inputs[0];
  const Var& shp = node.inputs[1];
  const int nd = node.raw_output(0)->ndim();
  if (x->ndim() == nd) {
    bool same = shp->owner && shp->owner->op->kind() == OpKind::Shape && shp->owner->inputs[0] == x;
    if (!same && shp->owner && shp->owner->op->kind() == OpKind::MakeVector) {
      same = true;
      for (int d = 0; d < nd && same; ++d) {
        const Var& e = shp->owner->inputs[d];
        const bool from_x = e->owner && e->owner->op->kind() == OpKind::ShapeI && e->owner->inputs[0] == x &&
                            shape_i_axis(*e->owner->op) == d;
        same = from_x || (x->type.shape[d] >= 0 && is_int_const(e, x->type.shape[d]));
      }
    }
    if (!same && as_constant(shp)) {
      const NDArray& v = as_constant(shp)->value;
      same = true;
      for (int d = 0; d < nd && same; ++d) same = x->type.shape[d] >= 0 && v.get_int(d) == x->type.shape[d];
    }
    if (same) return {x};
  }
  if (x->owner && x->owner->op->kind() == OpKind::Reshape) return {reshape(x->owner->inputs[0], shp, nd)};
  return {};
}

// x[:, ::1, 0:] (only full slices) -> x.
std::vector<Var> useless_subtensor(FunctionGraph&, Apply& node) {
  if (index_advanced(*node.op)) return {};
  for (const auto& e : index_entries(node)) {
    if (e.kind != IndexEntry::Slice) return {};
    if (e.start && !is_int_const(e.start, 0)) return {};
    if (e.step && !is_int_const(e.step, 1)) return {};
    if (e.stop) return {};  // a constant stop would need the size; left as is
  }
  return {node.inputs[0]};
}

// switch(c, a, b) with c a constant scalar -> a or b; switch(c, a, a) -> a.
std::vector<Var> useless_switch(FunctionGraph&, Apply& node) {
  if (!is_op(node, ScalarOpId::switch_)) return {};
  const Var& out = node.output(0);
  double c;
  Var pick;
  if (scalar_value(node.inputs[0], &c)) pick = c != 0 ? node.inputs[1] : node.inputs[2];
  else if (node.inputs[1] == node.inputs[2]) pick = node.inputs[1];
  if (!pick) return {};
  if (pick->dtype() != out->dtype()) pick = cast(pick, out->dtype());
  return {fits(out->type, pick->type) ? pick : broadcast_like(pick, out)};
}

// A reduction over axes of static size 1 only drops them (max/min/sum/prod).
std::vector<Var> useless_reduce(FunctionGraph&, Apply& node) {
  if (node.op->kind() != OpKind::Reduce) return {};
  const ReduceKind k = reduce_kind_of(*node.op);
  if (k == ReduceKind::All || k == ReduceKind::Any) return {};
  const Var& x = node.inputs[0];
  const auto& axes = reduce_axes(*node.op);
  std::vector<int> keep;
  for (int d = 0; d < x->ndim(); ++d) {
    const bool reduced = std::find(axes.begin(), axes.end(), d) != axes.end();
    if (reduced && x->type.shape[d] != 1) return {};
    if (!reduced) keep.push_back(d);
  }
  Var r = dimshuffle(x, keep);
  const DType d = node.raw_output(0)->dtype();
  return {r->dtype() == d ? r : cast(r, d)};
}

// ---- reductions ---------------------------------------------------------------------

// sum(sum(x, a), b) -> sum(x, a + b) (also prod, max, min), when the inner
// result is read only here and keeps x's dtype.
std::vector<Var> reduce_chain(FunctionGraph& fg, Apply& node) {
  const Var& mid = node.inputs[0];
  if (!mid->owner || mid->owner->op->kind() != OpKind::Reduce || n_clients(fg, mid) != 1) return {};
  const ReduceKind k = reduce_kind_of(*node.op);
  if (reduce_kind_of(*mid->owner->op) != k) return {};
  const Var& x = mid->owner->inputs[0];
  if (mid->dtype() != x->dtype() && !(k == ReduceKind::Sum || k == ReduceKind::Prod)) return {};
  const auto& inner = reduce_axes(*mid->owner->op);
  std::vector<int> kept;  // x's axes that survive the inner reduction, in order
  for (int d = 0; d < x->ndim(); ++d)
    if (std::find(inner.begin(), inner.end(), d) == inner.end()) kept.push_back(d);
  std::vector<int> all = inner;
  for (int b : reduce_axes(*node.op)) all.push_back(kept[b]);
  std::sort(all.begin(), all.end());
  Var r = reduce(k, x, all);
  const DType d = node.raw_output(0)->dtype();
  return {r->dtype() == d ? r : cast(r, d)};
}

// sum(c * x) -> c * sum(x) for a scalar c; sum(-x) -> -sum(x): the scaling runs
// on the (smaller) result.
// prod(c * x) -> c**n * prod(x), n the number of elements each product takes.
std::vector<Var> sum_scalar_mul(FunctionGraph& fg, Apply& node) {
  const ReduceKind kind = reduce_kind_of(*node.op);
  if (kind != ReduceKind::Sum && kind != ReduceKind::Prod) return {};
  const Var& x = node.inputs[0];
  const DType d = node.raw_output(0)->dtype();
  if (!x->owner || !is_float(d) || x->dtype() != d || n_clients(fg, x) != 1) return {};
  const auto& axes = reduce_axes(*node.op);
  if (kind == ReduceKind::Sum && is_elemwise_var(x, ScalarOpId::neg)) return {neg(sum(x->owner->inputs[0], axes))};
  if (!is_elemwise_var(x, ScalarOpId::mul) || x->owner->inputs.size() != 2) return {};
  for (int k = 0; k < 2; ++k) {
    const Var& c = x->owner->inputs[k];
    const Var& rest = x->owner->inputs[1 - k];
    bool scalar = c->ndim() == 0 || std::all_of(c->type.shape.begin(), c->type.shape.end(), [](int64_t s) { return s == 1; });
    if (!scalar || c->dtype() != d || rest->dtype() != d || rest->ndim() != x->ndim()) continue;
    // rest must have x's shape (no broadcasting by c's side beyond size 1)
    if (!fits(x->type, rest->type)) continue;
    Var c0 = c->ndim() == 0 ? c : dimshuffle(c, {});
    Var s;
    if (kind == ReduceKind::Sum) {
      s = sum(rest, axes);
    } else {
      Var n;
      for (int a : axes) n = n ? mul(n, shape_i(rest, a)) : shape_i(rest, a);
      c0 = pow(c0, cast(n, d));
      s = prod(rest, axes);
    }
    if (s->ndim() == 0) return {mul(c0, s)};
    std::vector<int> bc(s->ndim(), -1);
    return {mul(dimshuffle(c0, bc), s)};
  }
  return {};
}

// ---- indexing -------------------------------------------------------------------------

// f(x)[idx] -> f(x[idx]) for a unary elementwise f (or a cast) read only here:
// the function runs on the selected elements only (Theano's subtensor lift).
std::vector<Var> subtensor_lift(FunctionGraph& fg, Apply& node) {
  const Var& y = node.inputs[0];
  if (!y->owner || n_clients(fg, y) != 1) return {};
  const Apply& f = *y->owner;
  const OpKind k = f.op->kind();
  if ((k != OpKind::Elemwise && k != OpKind::Cast) || f.inputs.size() != 1) return {};
  const Var& x = f.inputs[0];
  if (!fits(y->type, x->type) || x->ndim() != y->ndim()) return {};
  Var sub = subtensor(x, index_entries(node));
  if (k == OpKind::Cast) return {cast(sub, cast_dtype(*f.op))};
  return {elemwise(elemwise_id(*f.op), {sub})};
}

// MakeVector(a, b, c)[1] -> b: x.shape[1] becomes Shape_i{1}(x), which then lifts.
std::vector<Var> subtensor_of_make_vector(FunctionGraph&, Apply& node) {
  const Var& v = node.inputs[0];
  if (!v->owner || v->owner->op->kind() != OpKind::MakeVector) return {};
  auto entries = index_entries(node);
  int64_t i;
  bool too_big;
  if (entries.size() != 1 || entries[0].kind != IndexEntry::Int ||
      !get_constant_index(entries[0].index, &i, &too_big) || too_big)
    return {};
  const int64_t n = static_cast<int64_t>(v->owner->inputs.size());
  if (i < 0) i += n;
  if (i < 0 || i >= n) return {};  // out of range: the run-time error names it
  Var r = v->owner->inputs[i];
  const DType d = node.raw_output(0)->dtype();
  return {r->dtype() == d ? r : cast(r, d)};
}

// inc_subtensor(zeros[idx], y) -> set_subtensor(zeros[idx], y): no read of the zeros.
std::vector<Var> inc_subtensor_of_zeros(FunctionGraph&, Apply& node) {
  if (inc_subtensor_sets(*node.op)) return {};
  const Var& x = node.inputs[0];
  double v;
  if (!x->owner || x->owner->op->kind() != OpKind::Alloc || !scalar_value(x->owner->inputs[0], &v) || v != 0) return {};
  if (index_advanced(*node.op)) return {};  // repeated array indices accumulate: inc != set
  return {set_subtensor(subtensor(x, index_entries(node)), node.inputs[1])};
}

// ---- subtensor merge and inc_subtensor serialize ------------------------------------

// A constant integer >= 0 (or an absent component: -1 stands for None).
bool nonneg_const(const Var& v, int64_t* out) {
  if (!v) return *out = -1, true;
  bool too_big;
  return get_constant_index(v, out, &too_big) && !too_big && *out >= 0;
}

bool full_slice(const IndexEntry& e) { return e.kind == IndexEntry::Slice && !e.start && !e.stop && !e.step; }

// x[a1:b1:k1][a2:b2:k2] -> x[a1 + a2*k1 : min(b1, a1 + b2*k1) : k1*k2] for
// constant non-negative starts/stops and positive steps (exact: slicing
// never raises, and an empty result stays empty).
bool merge_slices(const IndexEntry& o, const IndexEntry& i, IndexEntry* out) {
  int64_t a1, b1, k1, a2, b2, k2;
  if (!nonneg_const(o.start, &a1) || !nonneg_const(o.stop, &b1) || !nonneg_const(o.step, &k1)) return false;
  if (!nonneg_const(i.start, &a2) || !nonneg_const(i.stop, &b2) || !nonneg_const(i.step, &k2)) return false;
  if (k1 == 0 || k2 == 0) return false;
  a1 = std::max<int64_t>(a1, 0), a2 = std::max<int64_t>(a2, 0), k1 = std::max<int64_t>(k1, 1), k2 = std::max<int64_t>(k2, 1);
  // The merged bounds must not wrap: huge constants stay two slices.
  int64_t start, step, inner_stop = -1;
  if (__builtin_mul_overflow(a2, k1, &start) || __builtin_add_overflow(start, a1, &start) ||
      __builtin_mul_overflow(k1, k2, &step))
    return false;
  if (b2 >= 0 && (__builtin_mul_overflow(b2, k1, &inner_stop) || __builtin_add_overflow(inner_stop, a1, &inner_stop)))
    return false;
  int64_t stop = b1;  // -1: None
  if (b2 >= 0) stop = b1 >= 0 ? std::min(b1, inner_stop) : inner_stop;
  auto c = [](int64_t v) { return scalar_constant<int64_t>(v); };
  *out = IndexEntry::slice(start ? c(start) : nullptr, stop >= 0 ? c(stop) : nullptr, step != 1 ? c(step) : nullptr);
  return true;
}

// x[outer][inner] -> x[merged] for basic indexing (Theano's local_subtensor_merge).
std::vector<Var> subtensor_merge(FunctionGraph&, Apply& node) {
  const Var& mid = node.inputs[0];
  if (index_advanced(*node.op) || !mid->owner || mid->owner->op->kind() != OpKind::Subtensor ||
      index_advanced(*mid->owner->op))
    return {};
  const Var& x = mid->owner->inputs[0];
  const std::vector<IndexEntry> outer = index_entries(*mid->owner), inner = index_entries(node);
  std::vector<IndexEntry> merged;
  size_t k = 0;  // next inner entry: inner entries index the axes the outer one keeps
  for (int d = 0; d < x->ndim(); ++d) {
    const IndexEntry o = d < static_cast<int>(outer.size()) ? outer[d] : IndexEntry::slice();
    if (o.kind == IndexEntry::Int) {
      merged.push_back(o);
      continue;
    }
    const IndexEntry i = k < inner.size() ? inner[k] : IndexEntry::slice();
    ++k;
    if (full_slice(i)) {
      merged.push_back(o);
    } else if (full_slice(o)) {
      merged.push_back(i);
    } else if (i.kind == IndexEntry::Slice) {
      IndexEntry m;
      if (!merge_slices(o, i, &m)) return {};
      merged.push_back(m);
    } else {
      return {};  // an integer into a slice: the bounds check must stay
    }
  }
  while (!merged.empty() && full_slice(merged.back())) merged.pop_back();
  return {subtensor(x, merged)};
}

// A variable that is all zeros: alloc(0, ...) or a broadcast/fill of 0.
bool is_zeros(const Var& v) {
  double z;
  if (v->owner && v->owner->op->kind() == OpKind::Alloc) return scalar_value(v->owner->inputs[0], &z) && z == 0;
  return scalar_value(v, &z) && z == 0;
}

// a + inc_subtensor(zeros[idx], y) -> inc_subtensor(a[idx], y): increments
// (gradients of several reads of one variable) are applied one after the
// other to one buffer, instead of each to a fresh zero tensor that is then
// added (Theano's local_IncSubtensor_serialize).
std::vector<Var> inc_subtensor_serialize(FunctionGraph& fg, Apply& node) {
  if (!is_op(node, ScalarOpId::add) || node.inputs.size() != 2) return {};
  const Var out = node.output(0);
  for (int k = 0; k < 2; ++k) {
    const Var& b = node.inputs[k];
    const Var& a = node.inputs[1 - k];
    if (!b->owner || b->owner->op->kind() != OpKind::IncSubtensor || !is_zeros(b->owner->inputs[0])) continue;
    if (inc_subtensor_sets(*b->owner->op) && index_advanced(*b->owner->op)) continue;  // set drops duplicates
    if (fg.clients(b.get()).size() != 1) continue;
    if (a->dtype() != out->dtype() || b->dtype() != out->dtype() || !fits(out->type, a->type) ||
        !fits(out->type, b->type))
      continue;
    return {inc_subtensor(subtensor(a, index_entries(*b->owner)), b->owner->inputs[1])};
  }
  return {};
}

// Assert(x, conds): conditions that are constant true, or repeated, go; with
// none left the node is x itself.
std::vector<Var> useless_assert(FunctionGraph&, Apply& node) {
  std::vector<Var> keep;
  for (size_t i = 1; i < node.inputs.size(); ++i) {
    const Var& c = node.inputs[i];
    double v;
    if (scalar_value(c, &v) && v != 0) continue;
    if (std::find(keep.begin(), keep.end(), c) != keep.end()) continue;
    keep.push_back(c);
  }
  if (keep.size() + 1 == node.inputs.size()) return {};
  return {assert_like(*node.op, node.inputs[0], keep)};
}

// Every Assert -> its value (Theano's local_remove_all_assert; "unsafe": on
// only when included by name).
std::vector<Var> remove_all_assert(FunctionGraph&, Apply& node) { return {node.inputs[0]}; }

}  // namespace

const std::vector<NodeRule>& useless_rules() {
  static const std::vector<NodeRule> rules = {
      {"upcast_constants", "canonicalize", {OpKind::Elemwise}, {"local", "fast_compile"}, upcast_constants},
      {"cast_cast", "canonicalize", {OpKind::Cast}, {"local", "useless"}, cast_cast},
      {"useless_alloc", "canonicalize", {OpKind::Alloc}, {"local", "useless", "shape"}, useless_alloc},
      {"useless_reshape", "canonicalize", {OpKind::Reshape}, {"local", "useless", "shape"}, useless_reshape},
      {"useless_subtensor", "canonicalize", {OpKind::Subtensor}, {"local", "useless"}, useless_subtensor},
      {"useless_switch", "canonicalize", {OpKind::Elemwise}, {"local", "useless"}, useless_switch},
      {"useless_reduce", "canonicalize", {OpKind::Reduce}, {"local", "useless"}, useless_reduce},
      {"reduce_chain", "canonicalize", {OpKind::Reduce}, {"local", "algebra"}, reduce_chain},
      {"sum_scalar_mul", "canonicalize", {OpKind::Reduce}, {"local", "algebra"}, sum_scalar_mul},
      {"subtensor_lift", "canonicalize", {OpKind::Subtensor}, {"local"}, subtensor_lift},
      {"subtensor_of_make_vector", "canonicalize", {OpKind::Subtensor}, {"local", "shape"}, subtensor_of_make_vector},
      {"inc_subtensor_of_zeros", "canonicalize", {OpKind::IncSubtensor}, {"local"}, inc_subtensor_of_zeros},
      {"subtensor_merge", "canonicalize", {OpKind::Subtensor}, {"local"}, subtensor_merge},
      {"inc_subtensor_serialize", "canonicalize", {OpKind::Elemwise}, {"local"}, inc_subtensor_serialize},
      {"useless_assert", "canonicalize", {OpKind::Assert}, {"local", "useless", "fast_compile"}, useless_assert},
      {"remove_all_assert", "canonicalize", {OpKind::Assert}, {"local", "unsafe"}, remove_all_assert},
  };
  return rules;
}

}  // namespace theon::rw
