// The numerically stable forms of log(sigmoid(z)), log(1 - sigmoid(z)) and
// log(softmax(x)) (also through indexing). The log builder applies them as it
// builds, so that gradients are built from the stable form too (gradients of
// the raw forms lose all relative precision where sigmoid saturates, and are
// NaN where it underflows, unless the rewriter cancels them); the stabilize
// phase's rules (rewrite/rules_stability.cpp) apply them to graphs reached
// other ways (givens, other rewrites).
#include "ops/op_info.hpp"
#include "theon/ops.hpp"

namespace theon {

// The value of a variable that is a scalar constant, seen through broadcasts
// (DimShuffle) and fill(model, constant).
bool scalar_value(const Var& v0, double* out) {
  Var v = v0;
  while (v && v->owner) {
    const Op& op = *v->owner->op;
    if (op.kind() == OpKind::DimShuffle) {
      v = v->owner->inputs[0];
    } else if (op.kind() == OpKind::Elemwise && elemwise_id(op) == ScalarOpId::second) {
      v = v->owner->inputs[1];
    } else {
      return false;
    }
  }
  const Constant* c = as_constant(v);
  if (!c || c->value.size() < 1) return false;
  double first = c->value.get_double(0);
  const int64_t n = c->value.size();
  if (n > 64) return false;
  for (int64_t i = 1; i < n; ++i)
    if (c->value.get_double(i) != first) return false;
  *out = first;
  return true;
}

namespace {

bool is(const Var& v, ScalarOpId id) { return is_elemwise_var(v, id); }

bool is_scalar(const Var& v, double value) {
  double got;
  return scalar_value(v, &got) && got == value;
}

// u such that den == 1 + exp(u), or null.
Var match_one_plus_exp(const Var& den) {
  if (!is(den, ScalarOpId::add)) return nullptr;
  for (int k = 0; k < 2; ++k) {
    const Var& e = den->owner->inputs[1 - k];
    if (is_scalar(den->owner->inputs[k], 1) && is(e, ScalarOpId::exp)) return e->owner->inputs[0];
  }
  return nullptr;
}

// z such that v == sigmoid(z) (also spelled 1 / (1 + exp(-z))), or null.
Var match_sigmoid(const Var& v) {
  if (is(v, ScalarOpId::sigmoid)) return v->owner->inputs[0];
  Var den;
  if (is(v, ScalarOpId::true_div) && is_scalar(v->owner->inputs[0], 1)) den = v->owner->inputs[1];
  if (is(v, ScalarOpId::inv)) den = v->owner->inputs[0];
  if (Var u = den ? match_one_plus_exp(den) : nullptr) return neg(u);
  return nullptr;
}

bool is_softmax(const Var& v, bool log_form) {
  return v && v->owner && v->owner->op->kind() == OpKind::Softmax && softmax_is_log(*v->owner->op) == log_form;
}

}  // namespace

// log(softmax(x)) -> log_softmax(x), also through indexing:
// log(softmax(x)[i, y]) -> log_softmax(x)[i, y] (the crossentropy form).
Var log_of_softmax(const Var& x) {
  if (is_softmax(x, false)) return log_softmax(x->owner->inputs[0], softmax_axis(*x->owner->op));
  if (x && x->owner && x->owner->op->kind() == OpKind::Subtensor && is_softmax(x->owner->inputs[0], false)) {
    const Apply& sm = *x->owner->inputs[0]->owner;
    return subtensor(log_softmax(sm.inputs[0], softmax_axis(*sm.op)), index_entries(*x->owner));
  }
  return nullptr;
}

// log(sigmoid(z)) -> -softplus(-z);  log(1 - sigmoid(z)) -> -softplus(z)
Var stable_log_of_sigmoid(const Var& x) {
  if (!x || !is_float(x->dtype())) return nullptr;
  if (Var z = match_sigmoid(x)) return neg(softplus(neg(z)));
  if (is(x, ScalarOpId::sub) && is_scalar(x->owner->inputs[0], 1))
    if (Var z = match_sigmoid(x->owner->inputs[1])) return neg(softplus(z));
  return nullptr;
}

Var stable_log_of(const Var& x) {
  if (Var r = stable_log_of_sigmoid(x)) return r;
  if (x && is_float(x->dtype()))
    if (Var r = log_of_softmax(x)) return r;
  return nullptr;
}

}  // namespace theon
