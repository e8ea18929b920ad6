// The convolution epilogue: conv(x, w) + b.dimshuffle('x', 0, 'x', 'x')
// and then tanh / sigmoid / relu of it become one forward convolution with a
// bias and an activation (Lasagne's and Keras's conv layers), which oneDNN
// runs as one primitive with post-ops instead of two more passes over the
// output. Each step fuses only what nothing else reads.
#include "ops/conv.hpp"
#include "ops/op_info.hpp"
#include "rewrite/engine.hpp"
#include "theon/conv.hpp"

namespace theon::rw {

namespace {

// The forward convolution making v, read by `readers` nodes (those the fused
// op replaces), with no activation yet (and no bias yet when one is being
// added); null otherwise.
const ops::Conv* fusable_conv(FunctionGraph& fg, const Var& v, bool adding_bias, size_t readers = 1) {
  if (!v || !v->owner || v->owner->op->kind() != OpKind::Conv || n_clients(fg, v) != readers) return nullptr;
  const auto* c = dynamic_cast<const ops::Conv*>(v->owner->op.get());
  if (!c || c->activation() != ConvActivation::None || (adding_bias && c->bias())) return nullptr;
  return c;
}

// b when v is b.dimshuffle('x', 0, 'x', ...): one value per channel (axis 1).
Var channel_vector(const Var& v, int rank) {
  if (!v->owner || v->owner->op->kind() != OpKind::DimShuffle) return nullptr;
  const std::vector<int>& order = dimshuffle_order(*v->owner->op);
  if (static_cast<int>(order.size()) != rank) return nullptr;
  for (int i = 0; i < rank; ++i)
    if (order[static_cast<size_t>(i)] != (i == 1 ? 0 : -1)) return nullptr;
  const Var& b = v->owner->inputs[0];
  return b->ndim() == 1 ? b : nullptr;
}

std::vector<Var> conv_bias(FunctionGraph& fg, Apply& node) {
  if (!is_op(node, ScalarOpId::add) || node.inputs.size() != 2) return {};
  const Var& out = node.output(0);
  for (int k = 0; k < 2; ++k) {
    const Var& y = node.inputs[static_cast<size_t>(k)];
    const ops::Conv* c = fusable_conv(fg, y, true);
    if (!c) continue;
    Var b = channel_vector(node.inputs[static_cast<size_t>(1 - k)], y->ndim());
    if (!b || b->dtype() != y->dtype() || out->dtype() != y->dtype()) continue;
    const Apply& conv = *y->owner;
    Var fused = conv_bias_act(conv.inputs[0], conv.inputs[1], b, c->params(), ConvActivation::None);
    if (!fits(out->type, fused->type)) continue;
    return {fused};
  }
  return {};
}

// relu as Theano spells it, 0.5 * (z + |z|), or as maximum(z, 0): z, else null.
Var relu_input(FunctionGraph& fg, const Apply& node) {
  if (is_op(node, ScalarOpId::maximum) && node.inputs.size() == 2) {
    for (int k = 0; k < 2; ++k)
      if (is_scalar(node.inputs[static_cast<size_t>(1 - k)], 0)) return node.inputs[static_cast<size_t>(k)];
    return nullptr;
  }
  if (!is_op(node, ScalarOpId::mul) || node.inputs.size() != 2) return nullptr;
  for (int k = 0; k < 2; ++k) {
    const Var& s = node.inputs[static_cast<size_t>(k)];
    if (!is_scalar(node.inputs[static_cast<size_t>(1 - k)], 0.5) || !s->owner || n_clients(fg, s) != 1) continue;
    const Apply& add = *s->owner;
    if (!is_op(add, ScalarOpId::add) || add.inputs.size() != 2) continue;
    for (int j = 0; j < 2; ++j) {
      const Var& z = add.inputs[static_cast<size_t>(j)];
      const Var& a = add.inputs[static_cast<size_t>(1 - j)];
      // z is read by the sum and by |z| only: the fused convolution replaces both.
      if (a->owner && is_op(*a->owner, ScalarOpId::abs) && a->owner->inputs[0] == z && n_clients(fg, a) == 1 &&
          n_clients(fg, z) == 2)
        return z;
    }
  }
  return nullptr;
}

std::vector<Var> conv_activation(FunctionGraph& fg, Apply& node) {
  if (node.op->kind() != OpKind::Elemwise || node.inputs.empty()) return {};
  ConvActivation act = ConvActivation::None;
  Var z;
  if (is_op(node, ScalarOpId::tanh)) {
    act = ConvActivation::Tanh, z = node.inputs[0];
  } else if (is_op(node, ScalarOpId::sigmoid)) {
    act = ConvActivation::Sigmoid, z = node.inputs[0];
  } else if ((z = relu_input(fg, node))) {
    act = ConvActivation::Relu;
  }
  // relu spelled 0.5 * (z + |z|) reads z twice, both replaced by the fused op.
  const size_t readers = act == ConvActivation::Relu && !is_op(node, ScalarOpId::maximum) ? 2 : 1;
  const ops::Conv* c = fusable_conv(fg, z, false, readers);
  if (!c) return {};
  const Var& out = node.output(0);
  if (out->dtype() != z->dtype()) return {};
  const Apply& conv = *z->owner;
  Var fused = conv_bias_act(conv.inputs[0], conv.inputs[1], c->bias() ? conv.inputs[2] : nullptr, c->params(), act);
  if (!fits(out->type, fused->type)) return {};
  return {fused};
}

}  // namespace

const std::vector<NodeRule>& conv_rules() {
  static const std::vector<NodeRule> rules = {
      {"conv_bias", "blas", {OpKind::Elemwise}, {"local", "conv"}, conv_bias},
      {"conv_activation", "blas", {OpKind::Elemwise}, {"local", "conv"}, conv_activation},
  };
  return rules;
}

}  // namespace theon::rw
