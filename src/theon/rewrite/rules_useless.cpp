// Rules that remove work without changing values: the useless_* family
// (alloc, reshape, subtensor, switch, reduce, cast, assert), cast chains and
// constants brought to the dtype of their use. Reductions are rewritten in
// rules_reduce.cpp, indexing in rules_subtensor.cpp.
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
    NDArray a = c->value.astype(d);
    const double back = a.get_double(0);
    if (back != v && !(std::isnan(v) && std::isnan(back))) continue;  // not exact in d
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
  if (scalar_value(node.inputs[0], &c))
    pick = c != 0 ? node.inputs[1] : node.inputs[2];
  else if (node.inputs[1] == node.inputs[2])
    pick = node.inputs[1];
  if (!pick) return {};
  if (pick->dtype() != out->dtype()) pick = cast(pick, out->dtype());
  if (fits(out->type, pick->type)) return {pick};
  // Broadcast to the result's shape, read from the inputs' sizes: a fill
  // from `out` itself would make the replacement depend on what it replaces.
  std::vector<Var> dims;
  for (int d = 0; d < out->ndim(); ++d) {
    Var s = size_along(out, d);
    if (!s) return {};
    dims.push_back(s);
  }
  return {alloc(pick, dims)};
}

// A reduction over axes of static size 1 only drops them; over those and
// others, it drops them and reduces the others (Theano's
// local_reduce_broadcastable). all/any of one element is its truth value.
std::vector<Var> useless_reduce(FunctionGraph&, Apply& node) {
  if (node.op->kind() != OpKind::Reduce) return {};
  const ReduceKind k = reduce_kind_of(*node.op);
  const Var& x = node.inputs[0];
  const auto& axes = reduce_axes(*node.op);
  std::vector<int> keep, still;  // x's axes kept; those still reduced, numbered after the drop
  bool dropped = false;
  for (int d = 0; d < x->ndim(); ++d) {
    const bool reduced = std::find(axes.begin(), axes.end(), d) != axes.end();
    if (reduced && x->type.shape[d] == 1) {
      dropped = true;
      continue;
    }
    if (reduced) still.push_back(static_cast<int>(keep.size()));
    keep.push_back(d);
  }
  if (!dropped && !axes.empty()) return {};  // a reduction over no axis at all is x itself
  Var r = dimshuffle(x, keep);
  if (!still.empty()) r = reduce(k, r, still);
  const DType d = node.raw_output(0)->dtype();
  if (r->dtype() == d) return {r};
  if (d == DType::Bool) return {elemwise(ScalarOpId::neq, {r, constant_like(0, r->dtype())})};
  return {cast(r, d)};
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
      {"useless_assert", "canonicalize", {OpKind::Assert}, {"local", "useless", "fast_compile"}, useless_assert},
      {"remove_all_assert", "canonicalize", {OpKind::Assert}, {"local", "unsafe"}, remove_all_assert},
  };
  return rules;
}

}  // namespace theon::rw
