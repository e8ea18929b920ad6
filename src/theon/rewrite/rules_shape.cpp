// Rules over allocations and reshapes that other rules leave: nested
// Allocs become one, and a DimShuffle that only moves size-1 axes is dropped
// before a Reshape, which does not care where those axes were.
#include "rewrite/engine.hpp"

namespace theon::rw {

namespace {

// Alloc(Alloc(m, inner dims), outer dims) -> Alloc(m, outer dims) (Theano's
// local_merge_alloc). Dims are matched from the right: an inner dim equal to
// the outer one, or of constant size 1, needs nothing; any other is checked
// at run time (outer == inner), as the inner Alloc would have failed.
std::vector<Var> merge_alloc(FunctionGraph&, Apply& node) {
  const Var& inner = node.inputs[0];
  if (!inner->owner || inner->owner->op->kind() != OpKind::Alloc) return {};
  const auto& in_dims = inner->owner->inputs;  // [value, dims...]
  std::vector<Var> dims(node.inputs.begin() + 1, node.inputs.end());
  const size_t n_in = in_dims.size() - 1;
  for (size_t k = 0; k < n_in && k < dims.size(); ++k) {
    const Var& di = in_dims[in_dims.size() - 1 - k];
    Var& dout = dims[dims.size() - 1 - k];
    double a, b;
    if (di == dout || (scalar_value(di, &a) && a == 1)) continue;
    if (scalar_value(di, &a) && scalar_value(dout, &b) && a == b) continue;
    dout = assert_op(dout, {elemwise(ScalarOpId::eq, {dout, di})},
                     "Alloc: the sizes of nested Allocs disagree (the inner one has a different size)");
  }
  return {alloc(in_dims[0], dims)};
}

// Reshape(DimShuffle(x), shape) -> Reshape(x, shape) when the DimShuffle
// keeps the order of x's axes and only adds or drops size-1 ones (Theano's
// local_useless_dimshuffle_in_reshape): the elements come in the same order.
std::vector<Var> useless_dimshuffle_in_reshape(FunctionGraph&, Apply& node) {
  const Var& ds = node.inputs[0];
  if (!ds->owner || ds->owner->op->kind() != OpKind::DimShuffle) return {};
  const auto& order = dimshuffle_order(*ds->owner->op);
  int last = -1;
  for (size_t i = 0; i < order.size(); ++i) {
    if (ds->type.shape[i] == 1) continue;  // a size-1 axis can be anywhere
    if (order[i] < last) return {};
    last = order[i];
  }
  return {reshape(ds->owner->inputs[0], node.inputs[1], node.raw_output(0)->ndim())};
}

}  // namespace

const std::vector<NodeRule>& shape_rules() {
  static const std::vector<NodeRule> rules = {
      {"merge_alloc", "canonicalize", {OpKind::Alloc}, {"local", "shape"}, merge_alloc},
      {"useless_dimshuffle_in_reshape",
       "canonicalize",
       {OpKind::Reshape},
       {"local", "useless", "shape"},
       useless_dimshuffle_in_reshape},
  };
  return rules;
}

}  // namespace theon::rw
