// Rules on indexing: elementwise functions lifted below an index (they run
// on the selected elements only), shapes read from MakeVector, nested
// slices merged, and increments of zeros serialized into one buffer.
#include <algorithm>
#include <cmath>

#include "ops/scalar_table.hpp"
#include "rewrite/engine.hpp"

namespace theon::rw {

namespace {

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

// The positions a constant slice or constant index array picks from n
// entries (NumPy's rules), or false when they are not all known here or one
// is out of range (the run-time error names it).
bool picked_positions(const IndexEntry& e, int64_t n, std::vector<int64_t>* out) {
  bool too_big;
  if (e.kind == IndexEntry::Array) {
    const Constant* c = as_constant(e.index);
    if (!c || c->value.ndim() != 1 || c->value.dtype == DType::Bool) return false;
    for (int64_t k = 0; k < c->value.size(); ++k) {
      int64_t i = c->value.get_int(k);
      if (i < 0) i += n;
      if (i < 0 || i >= n) return false;
      out->push_back(i);
    }
    return true;
  }
  if (e.kind != IndexEntry::Slice) return false;
  int64_t start = 0, stop = 0, step = 1;
  if (e.step && (!get_constant_index(e.step, &step, &too_big) || too_big || step == 0)) return false;
  const bool up = step > 0;
  auto bound = [&](const Var& b, int64_t absent, int64_t* r) {
    if (!b) return *r = absent, true;
    if (!get_constant_index(b, r, &too_big) || too_big) return false;
    if (*r < 0)
      *r = std::max<int64_t>(*r + n, up ? 0 : -1);
    else if (*r > n)
      *r = up ? n : n - 1;
    else if (!up && *r == n)
      *r = n - 1;
    return true;
  };
  if (!bound(e.start, up ? 0 : n - 1, &start) || !bound(e.stop, up ? n : -1, &stop)) return false;
  for (int64_t i = start; up ? i < stop : i > stop; i += step) out->push_back(i);
  return true;
}

// MakeVector(a, b, c)[1] -> b: x.shape[1] becomes Shape_i{1}(x), which then
// lifts; a constant slice or index array picks entries: MakeVector(a, b, c)[:2]
// -> MakeVector(a, b) (x.shape[:2]).
std::vector<Var> subtensor_of_make_vector(FunctionGraph&, Apply& node) {
  const Var& v = node.inputs[0];
  if (!v->owner || v->owner->op->kind() != OpKind::MakeVector) return {};
  auto entries = index_entries(node);
  int64_t i;
  bool too_big;
  const int64_t n = static_cast<int64_t>(v->owner->inputs.size());
  if (entries.size() == 1 && entries[0].kind != IndexEntry::Int) {
    std::vector<int64_t> picked;
    if (!picked_positions(entries[0], n, &picked)) return {};
    std::vector<Var> parts;
    for (int64_t p : picked) parts.push_back(v->owner->inputs[p]);
    return {make_vector(parts, v->dtype())};
  }
  if (entries.size() != 1 || entries[0].kind != IndexEntry::Int ||
      !get_constant_index(entries[0].index, &i, &too_big) || too_big)
    return {};
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
  a1 = std::max<int64_t>(a1, 0), a2 = std::max<int64_t>(a2, 0), k1 = std::max<int64_t>(k1, 1),
  k2 = std::max<int64_t>(k2, 1);
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

// set_subtensor(x[idx], v)[idx] -> v broadcast to the region (Theano's
// local_subtensor_inc_subtensor), for slices only: slicing never raises, and
// the Alloc checks at run time that v fits the region, as the set did.
std::vector<Var> subtensor_inc_subtensor(FunctionGraph&, Apply& node) {
  if (index_advanced(*node.op)) return {};
  const Var& y = node.inputs[0];
  if (!y->owner || y->owner->op->kind() != OpKind::IncSubtensor) return {};
  const Apply& inc = *y->owner;
  if (!inc_subtensor_sets(*inc.op) || index_advanced(*inc.op)) return {};
  const auto mine = index_entries(node), theirs = index_entries(inc);
  if (mine.size() != theirs.size()) return {};
  for (size_t k = 0; k < mine.size(); ++k) {
    const IndexEntry &a = mine[k], &b = theirs[k];
    if (a.kind != IndexEntry::Slice || b.kind != IndexEntry::Slice) return {};
    if (a.start != b.start || a.stop != b.stop || a.step != b.step) return {};
  }
  const Var out = node.output(0);
  Var v = inc.inputs[1];
  if (v->dtype() != out->dtype()) v = cast(v, out->dtype());
  // The region's sizes are those of the same region of x (a view), which
  // the set did not change.
  const Var region = subtensor(inc.inputs[0], mine);
  std::vector<Var> dims;
  for (int d = 0; d < out->ndim(); ++d) {
    Var s = size_along(region, d);
    dims.push_back(s ? s : shape_i(region, d));
  }
  return {alloc(v, dims)};
}

// The value every element of v has, when v is a (broadcast) constant, a fill
// of one, or an Alloc of one.
bool uniform_value(const Var& v, double* c) {
  if (scalar_value(v, c)) return true;
  return v->owner && v->owner->op->kind() == OpKind::Alloc && scalar_value(v->owner->inputs[0], c);
}

// x[idx] += 0, or x[idx] = c where x is c everywhere -> x (Theano's
// local_incsubtensor_of_zeros and local_setsubtensor_of_constants), for
// slices only (slicing never raises). The check the IncSubtensor made stays:
// y must broadcast to the region (a ValueError otherwise).
std::vector<Var> inc_subtensor_no_change(FunctionGraph&, Apply& node) {
  if (index_advanced(*node.op)) return {};
  const auto entries = index_entries(node);
  for (const auto& e : entries)
    if (e.kind != IndexEntry::Slice) return {};
  const Var& x = node.inputs[0];
  const Var& y = node.inputs[1];
  double cy, cx;
  if (!uniform_value(y, &cy)) return {};
  if (inc_subtensor_sets(*node.op) ? !(uniform_value(x, &cx) && cx == cy) : cy != 0) return {};
  const Var region = subtensor(x, entries);
  if (y->ndim() > region->ndim()) return {};
  std::vector<Var> conds;
  for (int d = 0; d < y->ndim(); ++d) {
    if (y->type.shape[d] == 1) continue;  // broadcasts to any size
    const int dr = region->ndim() - y->ndim() + d;
    Var sy = size_along(y, d), sr = size_along(region, dr);
    if (!sy) sy = shape_i(y, d);
    if (!sr) sr = shape_i(region, dr);
    double a, b;
    if (scalar_value(sy, &a) && scalar_value(sr, &b) && a == b) continue;
    conds.push_back(elemwise(ScalarOpId::or_, {elemwise(ScalarOpId::eq, {sy, scalar_constant<int64_t>(1)}),
                                               elemwise(ScalarOpId::eq, {sy, sr})}));
  }
  if (conds.empty()) return {x};
  return {assert_op(x, conds, "inc_subtensor: the value's shape does not fit the indexed region", CheckFailure::Value)};
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

}  // namespace

const std::vector<NodeRule>& subtensor_rules() {
  static const std::vector<NodeRule> rules = {
      {"subtensor_lift", "canonicalize", {OpKind::Subtensor}, {"local"}, subtensor_lift},
      {"subtensor_of_make_vector", "canonicalize", {OpKind::Subtensor}, {"local", "shape"}, subtensor_of_make_vector},
      {"inc_subtensor_of_zeros", "canonicalize", {OpKind::IncSubtensor}, {"local"}, inc_subtensor_of_zeros},
      {"subtensor_merge", "canonicalize", {OpKind::Subtensor}, {"local"}, subtensor_merge},
      {"subtensor_inc_subtensor", "canonicalize", {OpKind::Subtensor}, {"local"}, subtensor_inc_subtensor},
      {"inc_subtensor_no_change",
       "canonicalize",
       {OpKind::IncSubtensor},
       {"local", "useless"},
       inc_subtensor_no_change},
      {"inc_subtensor_serialize", "canonicalize", {OpKind::Elemwise}, {"local"}, inc_subtensor_serialize},
  };
  return rules;
}

}  // namespace theon::rw
