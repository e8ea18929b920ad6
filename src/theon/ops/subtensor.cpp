// Indexing: Subtensor (basic slices/ints, a view), AdvancedSubtensor (NumPy
// integer-array indexing, a copy), and their IncSubtensor/AdvancedIncSubtensor
// counterparts behind set_subtensor/inc_subtensor.
//
// An op stores the index *layout* (which entries are ints, slices with which
// components, or arrays); the components themselves are the node's inputs after
// x (and y for the inc ops). The op classes and the layout are in
// ops/subtensor.hpp, the kernels in backend/cpu/subtensor.cpp.
#include "ops/subtensor.hpp"

#include <cmath>

#include "ops/op_info.hpp"
#include "theon/grad.hpp"
#include "theon/ops.hpp"

namespace theon {

namespace {

// The op classes, the index layout and the arithmetic shared with the kernels.
using ops::adjust_slice;
using ops::EntrySpec;
using ops::has_array;
using ops::IncSubtensorOp;
using ops::IndexLayout;
using ops::IndexOpBase;
using ops::SubtensorOp;
using ops::wrap_index;

// ---- index layout --------------------------------------------------------------------

int layout_inputs(const IndexLayout& l) {
  int n = 0;
  for (auto& e : l) n += e.n_inputs();
  return n;
}

// Splits entries into a layout and the component variables (appended to `vars`).
IndexLayout flatten(const std::vector<IndexEntry>& index, std::vector<Var>& vars, const char* fname) {
  IndexLayout l;
  for (size_t a = 0; a < index.size(); ++a) {
    const IndexEntry& e = index[a];
    EntrySpec s;
    s.kind = e.kind;
    if (e.kind == IndexEntry::Slice) {
      s.start = e.start != nullptr, s.stop = e.stop != nullptr, s.step = e.step != nullptr;
      for (const Var* v : {&e.start, &e.stop, &e.step})
        if (*v) vars.push_back(*v);
    } else {
      if (!e.index) throw TypeError(std::string(fname) + ": the index for axis " + std::to_string(a) + " is None");
      vars.push_back(e.index);
    }
    l.push_back(s);
  }
  return l;
}

// Rebuilds index entries from a layout and a node's inputs starting at `first`.
std::vector<IndexEntry> unflatten(const IndexLayout& l, const std::vector<Var>& in, size_t first) {
  std::vector<IndexEntry> out;
  size_t k = first;
  for (auto& s : l) {
    if (s.kind == IndexEntry::Slice) {
      Var a = s.start ? in[k++] : nullptr;
      Var b = s.stop ? in[k++] : nullptr;
      Var c = s.step ? in[k++] : nullptr;
      out.push_back(IndexEntry::slice(a, b, c));
    } else {
      out.push_back({s.kind, in[k++], nullptr, nullptr, nullptr});
    }
  }
  return out;
}

std::string layout_str(const IndexLayout& l) {
  std::vector<std::string> p;
  for (auto& s : l) {
    if (s.kind == IndexEntry::Int)
      p.emplace_back("int");
    else if (s.kind == IndexEntry::Array)
      p.emplace_back("array");
    else
      p.push_back(std::string(s.start ? "a" : "") + ":" + (s.stop ? "b" : "") + (s.step ? ":c" : ""));
  }
  return "[" + join_strings(p, ", ") + "]";
}

// ---- static (build-time) analysis ----------------------------------------------------

// A constant index component, read exactly (a uint64 beyond int64 saturates).
bool const_int(const Var& v, int64_t* out) {
  bool too_big;
  return v && get_constant_index(v, out, &too_big);
}

void check_int_scalar(const std::string& op, const Var& v, const char* what, size_t axis) {
  if (v->ndim() != 0 || !is_int(v->dtype()))
    throw TypeError(op + ": the " + what + " for axis " + std::to_string(axis) + " must be an integer scalar, got " +
                    v->type.str());
}

// Validates the index components and returns the static type of x[index].
TensorType indexed_type(const std::string& op, const TensorType& x, const IndexLayout& l, const std::vector<Var>& in,
                        size_t first) {
  if (static_cast<int>(l.size()) > x.ndim())
    throw IndexError(op + ": too many indices for " + x.str() + ": " + std::to_string(l.size()) + " indices for " +
                     std::to_string(x.ndim()) + " dimensions");
  if (in.size() != first + static_cast<size_t>(layout_inputs(l)))
    throw TypeError(op + ": expected " + std::to_string(first + layout_inputs(l)) + " inputs for the index layout " +
                    layout_str(l) + ", got " + std::to_string(in.size()));
  const bool adv = has_array(l);
  std::vector<int64_t> before, after, bshape;  // slice dims before/after the index dims, and those
  bool seen_adv = false, gap = false;
  size_t k = first;
  for (size_t a = 0; a < l.size(); ++a) {
    const EntrySpec& s = l[a];
    const int64_t n = x.shape[a];
    if (s.kind != IndexEntry::Slice) {
      const Var& v = in[k++];
      if (s.kind == IndexEntry::Int) {
        check_int_scalar(op, v, "index", a);
        if (const Constant* c = as_constant(v); c && n >= 0 && c->value.size() == 1)
          wrap_index(c->value, n, op, static_cast<int>(a), x.shape);
      } else if (!is_int(v->dtype())) {
        throw TypeError(op + ": index arrays must have an integer dtype, got " + v->type.str() + " for axis " +
                        std::to_string(a) + (is_bool(v->dtype()) ? " (boolean masks are not supported)" : ""));
      }
      if (!adv) continue;
      if (seen_adv && !after.empty()) gap = true;
      seen_adv = true;
      // Broadcast the index shapes (NumPy rules: right-aligned, 1 stretches).
      const auto& vs = v->type.shape;
      if (vs.size() > bshape.size()) bshape.insert(bshape.begin(), vs.size() - bshape.size(), 1);
      for (size_t i = 0; i < vs.size(); ++i) {
        int64_t& b = bshape[bshape.size() - vs.size() + i];
        const int64_t d = vs[i];
        if (d == 1) continue;
        if (b == 1)
          b = d;
        else if (d >= 0 && b >= 0 && d != b)
          throw IndexError(op + ": shape mismatch: indexing arrays could not be broadcast together (sizes " +
                           std::to_string(b) + " and " + std::to_string(d) + ")");
        else if (b < 0 && d >= 0)
          b = d;
      }
      continue;
    }
    const Var* comps[3] = {nullptr, nullptr, nullptr};
    if (s.start) comps[0] = &in[k++];
    if (s.stop) comps[1] = &in[k++];
    if (s.step) comps[2] = &in[k++];
    static const char* names[3] = {"slice start", "slice stop", "slice step"};
    int64_t vals[3] = {0, 0, 1};
    bool known[3] = {true, true, true};
    for (int c = 0; c < 3; ++c) {
      if (!comps[c]) continue;
      check_int_scalar(op, *comps[c], names[c], a);
      known[c] = const_int(*comps[c], &vals[c]);
    }
    if (known[2] && vals[2] == 0) throw ValueError(op + ": slice step cannot be zero (axis " + std::to_string(a) + ")");
    int64_t len = -1;
    if (n >= 0 && known[0] && known[1] && known[2]) {
      len = adjust_slice(comps[0] ? &vals[0] : nullptr, comps[1] ? &vals[1] : nullptr, vals[2], n).len;
    } else if (!comps[0] && !comps[1] && known[2] && (vals[2] == 1 || vals[2] == -1)) {
      len = n;
    }
    (seen_adv ? after : before).push_back(len);
  }
  for (int a = static_cast<int>(l.size()); a < x.ndim(); ++a) (seen_adv ? after : before).push_back(x.shape[a]);
  std::vector<int64_t> shape;
  if (gap) {  // non-adjacent index arrays: their dims go first
    shape = bshape;
    shape.insert(shape.end(), before.begin(), before.end());
  } else {
    shape = before;
    shape.insert(shape.end(), bshape.begin(), bshape.end());
  }
  shape.insert(shape.end(), after.begin(), after.end());
  return TensorType(x.dtype, shape);
}

}  // namespace

namespace ops {

// ---- the ops -----------------------------------------------------------------------

std::vector<TensorType> SubtensorOp::infer_types(const std::vector<Var>& in) const {
  if (in.empty() || !in[0]) throw TypeError(name() + ": missing the indexed tensor");
  return {indexed_type(name(), in[0]->type, layout_, in, 1)};
}

std::vector<Var> SubtensorOp::grad(const Apply& node, const std::vector<Var>& gouts) const {
  std::vector<Var> gs(node.inputs.size(), nullptr);
  const Var& x = node.inputs[0];
  if (!is_inexact(x->dtype()) || !gouts[0]) return gs;
  std::vector<IndexEntry> idx = unflatten(layout_, node.inputs, 1);
  Var gz = gouts[0]->dtype() == x->dtype() ? gouts[0] : cast(gouts[0], x->dtype());
  gs[0] = inc_subtensor(subtensor(zeros_like(x), idx), gz);
  return gs;
}

std::vector<TensorType> IncSubtensorOp::infer_types(const std::vector<Var>& in) const {
  if (in.size() < 2 || !in[0] || !in[1]) throw TypeError(desc() + ": missing x or y");
  const TensorType region = indexed_type(desc(), in[0]->type, layout_, in, 2);
  const TensorType& y = in[1]->type;
  if (y.dtype != in[0]->dtype())
    throw TypeError(desc() + ": y has dtype " + std::string(dtype_name(y.dtype)) + " but x has dtype " +
                    std::string(dtype_name(in[0]->dtype())) + " (cast y first)");
  if (y.ndim() > region.ndim())
    throw TypeError(desc() + ": y of type " + y.str() + " has more dimensions than the indexed region " + region.str());
  const int pad = region.ndim() - y.ndim();
  for (int d = 0; d < y.ndim(); ++d) {
    const int64_t ys = y.shape[d], rs = region.shape[pad + d];
    if (ys >= 0 && rs >= 0 && ys != rs && ys != 1)
      throw ValueError(desc() + ": cannot broadcast y of static shape " + shape_str(y.shape) +
                       " to the indexed region of static shape " + shape_str(region.shape));
  }
  return {in[0]->type};
}

std::vector<Var> IncSubtensorOp::grad(const Apply& node, const std::vector<Var>& gouts) const {
  std::vector<Var> gs(node.inputs.size(), nullptr);
  const Var& x = node.inputs[0];
  const Var& y = node.inputs[1];
  if (!gouts[0]) return gs;
  const Var gz = gouts[0]->dtype() == x->dtype() ? gouts[0] : cast(gouts[0], x->dtype());
  std::vector<IndexEntry> idx = unflatten(layout_, node.inputs, 2);
  if (is_inexact(x->dtype())) gs[0] = set_ ? set_subtensor(subtensor(gz, idx), constant_like(0, gz->dtype())) : gz;
  if (is_inexact(y->dtype())) {
    Var g = sum_to_like(subtensor(gz, idx), y);
    gs[1] = g->dtype() == y->dtype() ? g : cast(g, y->dtype());
  }
  return gs;
}

}  // namespace ops

namespace {

Var inc_or_set(const Var& indexed, const Var& y, bool set);

// y may have at most the region's rank (it broadcasts from the left).
void check_value_rank(const Var& region, const Var& y, bool set) {
  if (y->ndim() > region->ndim())
    throw TypeError(std::string(set ? "set_subtensor: cannot set" : "inc_subtensor: cannot increment") + " a " +
                    std::to_string(region->ndim()) + "-dimensional region (" + region->type.str() + ") with a " +
                    std::to_string(y->ndim()) + "-dimensional value (" + y->type.str() + ")");
}

// indexed = DimShuffle(r) of an indexing result r (x[None, 1:3], x[i].T): y,
// broadcast to indexed's shape, is laid out as r and goes to r instead. The
// axes the DimShuffle added must be 1 in y too (checked at run time if unknown).
Var inc_or_set_through_dimshuffle(const Var& indexed, const Var& y, bool set) {
  const std::vector<int>& order = dimshuffle_order(*indexed->owner->op);
  const Var& r = indexed->owner->inputs[0];
  const int nd = indexed->ndim();
  check_value_rank(indexed, y, set);
  std::vector<int> pad(nd - y->ndim(), -1);
  for (int d = 0; d < y->ndim(); ++d) pad.push_back(d);
  Var yy = y->ndim() < nd ? dimshuffle(y, pad) : y;
  std::vector<int64_t> ones(nd, kKeepLength);
  for (int i = 0; i < nd; ++i) {
    if (order[i] >= 0) continue;
    ones[i] = 1;
    if (yy->type.shape[i] > 1)
      throw ValueError(std::string(set ? "set_subtensor" : "inc_subtensor") + ": y (" + y->type.str() +
                       ") does not broadcast to the region (" + indexed->type.str() + "): axis " + std::to_string(i) +
                       " of the region has length 1, y's " + std::to_string(yy->type.shape[i]));
  }
  yy = specify_static_shape(yy, ones);
  std::vector<int> back(r->ndim(), -1);  // an axis of r the DimShuffle dropped gets a new one in y
  for (int i = 0; i < nd; ++i)
    if (order[i] >= 0) back[order[i]] = i;
  return inc_or_set(r, dimshuffle(yy, back), set);
}

Var inc_or_set(const Var& indexed, const Var& y, bool set) {
  const std::string fname = set ? "set_subtensor" : "inc_subtensor";
  if (indexed && y && indexed->owner && indexed->owner->op->kind() == OpKind::DimShuffle) {
    const Var& r = indexed->owner->inputs[0];
    if (r->owner && dynamic_cast<const SubtensorOp*>(r->owner->op.get()))
      return inc_or_set_through_dimshuffle(indexed, y, set);
  }
  const IndexOpBase* op =
      indexed && indexed->owner ? dynamic_cast<const SubtensorOp*>(indexed->owner->op.get()) : nullptr;
  if (!op)
    throw TypeError(
        "set_subtensor/inc_subtensor: the first argument must be the result of indexing, e.g. x[1:3]" +
        std::string(indexed ? ", got " + indexed->str() + " of type " + indexed->type.str() : ", got None"));
  if (!y) throw TypeError(fname + ": y is None");
  const std::vector<Var>& ins = indexed->owner->inputs;
  const Var& x = ins[0];
  check_value_rank(indexed, y, set);
  Var yy = y;
  const DType xd = x->dtype(), yd = y->dtype();
  if (yd != xd) {
    if ((is_inexact(yd) && !is_inexact(xd)) || (is_complex(yd) && !is_complex(xd)))
      throw TypeError(fname + ": cannot " + (set ? "set" : "increment") + " a region of x with dtype " +
                      std::string(dtype_name(xd)) + " by y of dtype " + std::string(dtype_name(yd)) +
                      ": that would downcast y; cast it explicitly first");
    yy = cast(y, xd);
  }
  std::vector<Var> inputs{x, yy};
  inputs.insert(inputs.end(), ins.begin() + 1, ins.end());
  return apply1(std::make_shared<IncSubtensorOp>(op->layout(), op->advanced(), set), std::move(inputs));
}

}  // namespace

Var subtensor(const Var& x, const std::vector<IndexEntry>& index) {
  if (!x) throw TypeError("subtensor: the indexed tensor is None");
  std::vector<Var> inputs{x};
  IndexLayout l = flatten(index, inputs, "subtensor");
  const bool adv = has_array(l);
  return apply1(std::make_shared<SubtensorOp>(std::move(l), adv), std::move(inputs));
}

Var set_subtensor(const Var& indexed, const Var& y) { return inc_or_set(indexed, y, true); }
Var inc_subtensor(const Var& indexed, const Var& y) { return inc_or_set(indexed, y, false); }

namespace {

Var as_int64(const Var& v) { return v->dtype() == DType::Int64 ? v : cast(v, DType::Int64); }

// The length of x[start:stop:step] along an axis of size n, as adjust_slice
// computes it, built as a graph; null for a symbolic step (its sign decides
// the clipping).
Var slice_length(const IndexEntry& e, const Var& n) {
  // A uint64 bound above INT64_MAX would wrap negative in int64 arithmetic: leave it to the kernel.
  for (const Var& v : {e.start, e.stop, e.step})
    if (v && v->dtype() == DType::UInt64) return nullptr;
  double step_value = 1;
  if (e.step && !get_constant_scalar(e.step, &step_value)) return nullptr;
  if (std::fabs(step_value) > 4.0e18) return nullptr;  // beyond int64 arithmetic: leave it to the kernel
  const int64_t step = static_cast<int64_t>(step_value);
  if (step == 0) return nullptr;  // the kernel rejects it
  const auto c = [](int64_t v) { return scalar_constant<int64_t>(v); };
  const Var lo = step < 0 ? c(-1) : c(0);
  const Var hi = step < 0 ? sub(n, c(1)) : n;
  const auto clip = [&](const Var& v, const Var& dflt) -> Var {
    if (!v) return dflt;
    const Var i = as_int64(v);
    const Var wrapped = switch_(lt(i, c(0)), add(i, n), i);
    return maximum(lo, minimum(wrapped, hi));
  };
  const Var b = clip(e.start, step < 0 ? hi : c(0));
  const Var end = clip(e.stop, step < 0 ? c(-1) : n);
  const int64_t s = step < 0 ? -step : step;
  const Var span = step < 0 ? sub(b, end) : sub(end, b);
  return maximum(c(0), int_div(add(span, c(s - 1)), c(s)));
}

}  // namespace

Var ops::SubtensorOp::infer_shape(const Apply& node, int, int axis, const InputSize& input_size) const {
  if (adv_) return nullptr;
  int in_axis = 0, out_axis = 0;
  for (const IndexEntry& e : index_entries(node)) {
    if (e.kind == IndexEntry::Int) {
      ++in_axis;
      continue;
    }
    if (out_axis == axis) return slice_length(e, input_size(0, in_axis));
    ++in_axis;
    ++out_axis;
  }
  return input_size(0, in_axis + (axis - out_axis));  // an axis after the index, taken whole
}

std::vector<IndexEntry> index_entries(const Apply& node) {
  const auto& op = static_cast<const IndexOpBase&>(*node.op);
  return unflatten(op.layout(), node.inputs, node.op->kind() == OpKind::IncSubtensor ? 2 : 1);
}
bool index_advanced(const Op& op) { return static_cast<const IndexOpBase&>(op).advanced(); }
bool inc_subtensor_sets(const Op& op) { return static_cast<const IncSubtensorOp&>(op).sets(); }
OpPtr inc_subtensor_inplace(const Op& op) { return static_cast<const IncSubtensorOp&>(op).inplace_variant(); }

}  // namespace theon
