// Rules that every level runs: constant folding, removal of ops that do
// nothing at run time (gradient controls, identities, useless dimshuffles and
// fills), and shape rules that answer x.shape without computing x.
#include "backend/backend.hpp"
#include "rewrite/engine.hpp"

namespace theon::rw {

namespace {

constexpr size_t kFoldLimitBytes = size_t(1) << 22;  // larger results stay computed at run time

// A node whose inputs are all constants is computed now.
std::vector<Var> constant_folding(FunctionGraph&, Apply& node) {
  switch (node.op->kind()) {
    case OpKind::Alloc:  // a constant-filled buffer is cheaper to make than to keep
    case OpKind::NullGrad:
    case OpKind::GradControl:
    case OpKind::HostCallback:  // user code may have effects (printing): it runs when the function does
      return {};
    default:
      break;
  }
  if (node.inputs.empty()) return {};
  std::vector<NDArray> in;
  for (const auto& v : node.inputs) {
    const Constant* c = as_constant(v);
    if (!c) return {};
    in.push_back(c->value);
  }
  std::vector<NDArray> out(node.num_outputs());
  Workspace ws;
  ws.node = &node;
  try {
    cpu_backend().kernel_for (*node.op)(*node.op, in, out, ws);
  } catch (const UserError&) {
    return {};  // the error belongs to run time, where it names the user's call
  }
  std::vector<Var> repl;
  for (auto& a : out) {
    if (a.nbytes() > kFoldLimitBytes) return {};
    repl.push_back(constant(a.copy()));
  }
  return repl;
}

// zero_grad, disconnected_grad, grad_clip, ...: identities once gradients exist.
std::vector<Var> remove_grad_control(FunctionGraph&, Apply& node) { return {node.inputs[0]}; }

// identity(x) -> x; second(x, y) -> y when y already has the result's type.
std::vector<Var> useless_elemwise(FunctionGraph&, Apply& node) {
  if (is_op(node, ScalarOpId::identity)) return {node.inputs[0]};
  if (is_op(node, ScalarOpId::second) && fits(node.raw_output(0)->type, node.inputs[1]->type)) return {node.inputs[1]};
  return {};
}

// second(a, b) reads only a's shape (gradients of reductions broadcast with
// it): when a is made elementwise from an input of its own type, that input
// is as good a template, and a is no longer read here, so it can fuse into
// its real reader (sqr(x - m) into the variance's sum).
std::vector<Var> fill_template_lift(FunctionGraph&, Apply& node) {
  if (!is_op(node, ScalarOpId::second)) return {};
  const Var& a = node.inputs[0];
  if (!a->owner || a->owner->op->kind() != OpKind::Elemwise) return {};
  for (const Var& in : a->owner->inputs)
    if (in != a && fits(a->type, in->type)) return {apply1(node.op, {in, node.inputs[1]})};
  return {};
}

// DimShuffle{0,1,...}(x) -> x, also when it only trades size-1 axes for
// size-1 axes in place (x of pattern (1, n) shuffled to {x,1}): the values and
// the type are x's. DimShuffle(DimShuffle(x)) -> one DimShuffle.
std::vector<Var> dimshuffle_merge(FunctionGraph&, Apply& node) {
  const auto& order = dimshuffle_order(*node.op);
  const Var& x = node.inputs[0];
  bool identity = static_cast<int>(order.size()) == x->ndim();
  for (size_t i = 0; i < order.size() && identity; ++i) {
    const int e = order[i];
    const bool size_one_here = x->type.shape[i] == 1 && (e < 0 || x->type.shape[e] == 1);
    identity = e == static_cast<int>(i) || size_one_here;
  }
  if (identity) return {x};
  if (!x->owner || x->owner->op->kind() != OpKind::DimShuffle) return {};
  const auto& inner = dimshuffle_order(*x->owner->op);
  std::vector<int> composed;
  for (int e : order) composed.push_back(e < 0 ? -1 : inner[e]);
  return {dimshuffle(x->owner->inputs[0], composed)};
}

// DimShuffle(f(a, b)) -> f(DimShuffle(a), DimShuffle(b)) when the DimShuffle
// is the elementwise node's only reader (Theano's local_dimshuffle_lift): the
// dimshuffles move to the inputs, where they merge, fold into constants or
// vanish, and the elementwise chain above stays fusable.
std::vector<Var> dimshuffle_lift(FunctionGraph& fg, Apply& node) {
  const Var& x = node.inputs[0];
  if (!x->owner || x->owner->num_outputs() != 1 || x->ndim() == 0) return {};  // a broadcast scalar: nothing moves
  const OpKind k = x->owner->op->kind();
  if (k != OpKind::Elemwise && k != OpKind::Cast) return {};
  const auto& users = fg.clients(x.get());
  if (users.size() != 1 || users[0].node != &node) return {};
  const auto& order = dimshuffle_order(*node.op);
  std::vector<Var> ins;
  for (const auto& in : x->owner->inputs) {
    if (in->ndim() != x->ndim()) return {};
    ins.push_back(dimshuffle(in, order));
  }
  if (k == OpKind::Cast) return {cast(ins[0], cast_dtype(*x->owner->op))};
  return {elemwise(elemwise_id(*x->owner->op), ins)};
}

// ---- shapes ----------------------------------------------------------------------

// Shape_i{k}(x) -> a constant, or the size from x's inputs (x need not run).
std::vector<Var> shape_i_lift(FunctionGraph&, Apply& node) {
  if (Var s = size_along(node.inputs[0], shape_i_axis(*node.op))) return {s};
  return {};
}

// Shape(x) -> MakeVector(Shape_i{0}(x), ...), so each entry lifts alone (a
// constant vector when every size is static).
std::vector<Var> shape_to_make_vector(FunctionGraph&, Apply& node) {
  const Var& x = node.inputs[0];
  if (x->ndim() == 0) return {};
  std::vector<Var> dims;
  for (int d = 0; d < x->ndim(); ++d) dims.push_back(shape_i(x, d));
  return {make_vector(dims, DType::Int64)};
}

// ---- sorting ---------------------------------------------------------------------

// A TopK giving only the values and one giving only the positions of the same
// x, k and axis (topk's gradient asks for the positions again) -> one TopK
// giving both; the merge phase makes the two rewritten nodes one.
std::vector<Var> topk_pair(FunctionGraph& fg, Apply& node) {
  const TopKOutputs mine = topk_outputs(*node.op);
  if (mine.values == mine.indices) return {};
  const int axis = sort_scan_axis(*node.op);
  for (const Client& c : fg.clients(node.inputs[0].get())) {
    const Apply* other = c.node;
    if (!other || other == &node || c.index != 0 || other->op->kind() != OpKind::TopK ||
        other->inputs[1] != node.inputs[1] || sort_scan_axis(*other->op) != axis)
      continue;
    const TopKOutputs theirs = topk_outputs(*other->op);
    if (mine.values ? !theirs.indices : (!theirs.values || theirs.idx_dtype != mine.idx_dtype)) continue;
    const DType idx = mine.values ? theirs.idx_dtype : mine.idx_dtype;
    const std::vector<Var> both = topk(node.inputs[0], node.inputs[1], axis, true, true, idx);
    return {mine.values ? both[0] : both[1]};
  }
  return {};
}

}  // namespace

Var size_along(const Var& x, int axis, int depth) {
  if (x->type.shape[axis] >= 0) return scalar_constant<int64_t>(x->type.shape[axis]);
  if (!x->owner || depth > 64) return nullptr;
  const Apply& n = *x->owner;
  return n.op->infer_shape(n, x->index, axis, [&](int i, int d) -> Var {
    const Var& in = n.inputs[i];
    if (Var s = size_along(in, d, depth + 1)) return s;
    return shape_i(in, d);
  });
}

const std::vector<NodeRule>& basic_rules() {
  static const std::vector<NodeRule> rules = {
      {"constant_folding", "canonicalize", {}, {"fast_compile", "local"}, constant_folding},
      {"remove_grad_control", "canonicalize", {OpKind::GradControl}, {"fast_compile", "local"}, remove_grad_control},
      {"useless_elemwise", "canonicalize", {OpKind::Elemwise}, {"fast_compile", "local", "useless"}, useless_elemwise},
      {"fill_template_lift", "canonicalize", {OpKind::Elemwise}, {"local"}, fill_template_lift},
      {"dimshuffle_merge", "canonicalize", {OpKind::DimShuffle}, {"local"}, dimshuffle_merge},
      {"dimshuffle_lift", "canonicalize", {OpKind::DimShuffle}, {"local"}, dimshuffle_lift},
      {"topk_pair", "canonicalize", {OpKind::TopK}, {"local"}, topk_pair},
      {"shape_i_lift", "canonicalize", {OpKind::ShapeI}, {"shape", "local"}, shape_i_lift},
      {"shape_to_make_vector", "canonicalize", {OpKind::Shape}, {"shape", "local"}, shape_to_make_vector},
  };
  return rules;
}

}  // namespace theon::rw
