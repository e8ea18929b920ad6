// Algebraic canonical forms (Theano's add and mul canonizers) and the
// specializations of pow and mul into cheaper elementwise functions.
#include <algorithm>
#include <unordered_map>

#include "rewrite/engine.hpp"

namespace theon::rw {

namespace {

struct Term {
  Var v;
  int sign;  // +1 / -1 (add: plus or minus; mul: numerator or denominator)
};

// Flattens a tree of `plus`/`minus`/`flip` nodes (add/sub/neg or mul/true_div/
// inv) of one dtype, through inner nodes nobody else reads.
void flatten(FunctionGraph& fg, const Var& v, int sign, bool root, DType dtype, ScalarOpId plus, ScalarOpId minus,
             ScalarOpId flip, std::vector<Term>& out) {
  Apply* n = v->owner;
  bool inner = n && v->dtype() == dtype && (root || n_clients(fg, v) == 1) && n->op->kind() == OpKind::Elemwise;
  if (inner) {
    ScalarOpId id = elemwise_id(*n->op);
    if (id == plus) {
      for (const auto& in : n->inputs) flatten(fg, in, sign, false, dtype, plus, minus, flip, out);
      return;
    }
    if (id == minus) {
      flatten(fg, n->inputs[0], sign, false, dtype, plus, minus, flip, out);
      flatten(fg, n->inputs[1], -sign, false, dtype, plus, minus, flip, out);
      return;
    }
    if (id == flip) {
      flatten(fg, n->inputs[0], -sign, false, dtype, plus, minus, flip, out);
      return;
    }
  }
  out.push_back({v, sign});
}

// Rebuilds sum(+) - sum(-) (or prod / prod) and gives it `like`'s broadcast
// pattern using one of the cancelled terms when it lost it.
Var rebuild(const std::vector<Term>& terms, double c, bool has_c, double neutral, bool additive, const Var& old,
            const std::vector<Var>& cancelled) {
  ScalarOpId plus = additive ? ScalarOpId::add : ScalarOpId::mul;
  ScalarOpId minus = additive ? ScalarOpId::sub : ScalarOpId::true_div;
  Var pos, neg_part;
  for (const auto& t : terms) {
    Var& acc = t.sign > 0 ? pos : neg_part;
    acc = acc ? elemwise(plus, {acc, t.v}) : t.v;
  }
  Var r;
  if (pos && neg_part)
    r = elemwise(minus, {pos, neg_part});
  else if (pos)
    r = pos;
  else if (neg_part)
    r = additive ? neg(neg_part) : inv(neg_part);
  if (has_c && c != neutral) {
    if (!r)
      r = scalar_like(c, old);
    else if (additive && c < 0)
      r = sub(r, scalar_like(-c, old));
    else
      r = elemwise(plus, {r, scalar_like(c, old)});
  }
  if (!r) r = scalar_like(neutral, old);
  if (r->dtype() != old->dtype()) r = cast(r, old->dtype());
  if (fits(old->type, r->type)) return r;
  for (const auto& like : cancelled) {
    Var f = fill(like, r);
    if (fits(old->type, f->type)) return f;
  }
  return nullptr;
}

std::vector<Var> canonize(FunctionGraph& fg, Apply& node, bool additive) {
  Var out = node.output(0);
  if (!is_float(out->dtype())) return {};
  // A node that its only reader would flatten is part of that reader's tree:
  // only the root of a tree is canonized, so a chain of n adds costs O(n), not O(n^2).
  const auto& users = fg.clients(out.get());
  if (users.size() == 1 && users[0].node && users[0].node->op->kind() == OpKind::Elemwise &&
      users[0].node->raw_output(0)->dtype() == out->dtype()) {
    const ScalarOpId id = elemwise_id(*users[0].node->op);
    if (additive ? (id == ScalarOpId::add || id == ScalarOpId::sub || id == ScalarOpId::neg)
                 : (id == ScalarOpId::mul || id == ScalarOpId::true_div || id == ScalarOpId::inv))
      return {};
  }
  std::vector<Term> terms;
  if (additive)
    flatten(fg, out, 1, true, out->dtype(), ScalarOpId::add, ScalarOpId::sub, ScalarOpId::neg, terms);
  else
    flatten(fg, out, 1, true, out->dtype(), ScalarOpId::mul, ScalarOpId::true_div, ScalarOpId::inv, terms);
  const double neutral = additive ? 0 : 1;
  double c = neutral;
  int n_const = 0;
  bool neutral_seen = false;
  std::vector<Term> kept;
  for (const auto& t : terms) {
    double v;
    if (scalar_value(t.v, &v)) {
      if (!additive && t.sign < 0 && v == 0) return {};  // x / 0 keeps its inf/nan
      c = additive ? c + t.sign * v : (t.sign > 0 ? c * v : c / v);
      ++n_const;
      neutral_seen |= v == neutral;
      continue;
    }
    kept.push_back(t);
  }
  // Cancel x against -x (or x against 1/x): each term meets the earliest
  // unmatched term of the opposite sign (a hash map keeps this linear).
  std::vector<Var> cancelled;
  std::unordered_map<const Variable*, std::vector<size_t>> open[2];  // unmatched terms by sign (0: +, 1: -)
  for (size_t i = 0; i < kept.size(); ++i) {
    auto& other = open[kept[i].sign > 0 ? 1 : 0][kept[i].v.get()];
    if (!other.empty()) {
      const size_t j = other.front();
      other.erase(other.begin());
      cancelled.push_back(kept[i].v);
      kept[i].v = kept[j].v = nullptr;
      continue;
    }
    open[kept[i].sign > 0 ? 0 : 1][kept[i].v.get()].push_back(i);
  }
  kept.erase(std::remove_if(kept.begin(), kept.end(), [](const Term& t) { return !t.v; }), kept.end());
  if (cancelled.empty() && n_const < 2 && !neutral_seen) return {};
  // Terms that were constants also fix the shape when all else cancels.
  for (const auto& in : node.inputs) cancelled.push_back(in);
  Var r = rebuild(kept, c, n_const > 0, neutral, additive, out, cancelled);
  if (!r) return {};
  return {r};
}

std::vector<Var> add_canonizer(FunctionGraph& fg, Apply& node) {
  if (!is_op(node, ScalarOpId::add) && !is_op(node, ScalarOpId::sub) && !is_op(node, ScalarOpId::neg)) return {};
  return canonize(fg, node, true);
}
std::vector<Var> mul_canonizer(FunctionGraph& fg, Apply& node) {
  if (!is_op(node, ScalarOpId::mul) && !is_op(node, ScalarOpId::true_div) && !is_op(node, ScalarOpId::inv)) return {};
  return canonize(fg, node, false);
}

// neg(neg(x)) -> x
std::vector<Var> neg_neg(FunctionGraph&, Apply& node) {
  if (!is_op(node, ScalarOpId::neg)) return {};
  const Var& x = node.inputs[0];
  if (x->owner && is_op(*x->owner, ScalarOpId::neg)) return {x->owner->inputs[0]};
  return {};
}

// x ** c for a few constants c -> sqr, sqrt, inv, products.
std::vector<Var> pow_specialize(FunctionGraph&, Apply& node) {
  if (!is_op(node, ScalarOpId::pow)) return {};
  const Var& x = node.inputs[0];
  Var out = node.output(0);
  double e;
  if (!is_float(x->dtype()) || x->dtype() != out->dtype() || !scalar_value(node.inputs[1], &e)) return {};
  Var r;
  if (e == 2)
    r = sqr(x);
  else if (e == 0.5)
    r = sqrt(x);
  else if (e == 1)
    r = x;
  else if (e == -1)
    r = inv(x);
  else if (e == -0.5)
    r = inv(sqrt(x));
  else if (e == 3)
    r = mul(sqr(x), x);
  else if (e == 4)
    r = sqr(sqr(x));
  else if (e == -2)
    r = inv(sqr(x));
  else if (e == 0)
    r = ones_like(x);
  if (!r) return {};
  if (r->dtype() != out->dtype()) r = cast(r, out->dtype());
  return {fits(out->type, r->type) ? r : fill(node.inputs[1], r)};
}

// mul(x, -1) -> neg(x)
std::vector<Var> mul_neg_one(FunctionGraph&, Apply& node) {
  if (!is_op(node, ScalarOpId::mul) || node.inputs.size() != 2) return {};
  for (int k = 0; k < 2; ++k)
    if (is_scalar(node.inputs[k], -1) && node.inputs[1 - k]->dtype() == node.raw_output(0)->dtype())
      return {neg(node.inputs[1 - k])};
  return {};
}

// A value that is all zeros: a constant 0, alloc(0, ...) or fill(x, 0).
bool is_zero_value(const Var& v) {
  double z;
  if (scalar_value(v, &z)) return z == 0;
  if (!v->owner) return false;
  if (v->owner->op->kind() == OpKind::Alloc) return scalar_value(v->owner->inputs[0], &z) && z == 0;
  return is_op(*v->owner, ScalarOpId::second) && scalar_value(v->owner->inputs[1], &z) && z == 0;
}

// For a switch node with a zero branch: the index of that branch (1 or 2), or 0.
int zero_branch(const Var& v) {
  if (!v->owner || !is_op(*v->owner, ScalarOpId::switch_)) return 0;
  if (is_zero_value(v->owner->inputs[1])) return 1;
  if (is_zero_value(v->owner->inputs[2])) return 2;
  return 0;
}

// switch(c, zero, f) with f -> g(f), the zero branch kept.
Var sink_into(const Apply& sw, int zero, const Var& g) {
  return zero == 1 ? elemwise(ScalarOpId::switch_, {sw.inputs[0], sw.inputs[1], g})
                   : elemwise(ScalarOpId::switch_, {sw.inputs[0], g, sw.inputs[2]});
}

// a * switch(c, 0, x) * b -> switch(c, 0, a * x * b), and the same with the
// zero in the other branch (Theano's local_mul_switch_sink): where the
// switch picks 0 the result is 0 even when a or b is inf or NaN there, which
// is what the gradient of a switch needs (the gradient of the branch not
// taken may be NaN: grad(switch(x < 7, x, sqrt(x - 7))) at x = 5 is 1).
std::vector<Var> mul_switch_sink(FunctionGraph&, Apply& node) {
  if (!is_op(node, ScalarOpId::mul)) return {};
  for (size_t k = 0; k < node.inputs.size(); ++k) {
    const int zero = zero_branch(node.inputs[k]);
    if (!zero) continue;
    const Apply& sw = *node.inputs[k]->owner;
    Var prod = sw.inputs[3 - zero];
    for (size_t j = 0; j < node.inputs.size(); ++j)
      if (j != k) prod = elemwise(ScalarOpId::mul, {prod, node.inputs[j]});
    return {sink_into(sw, zero, prod)};
  }
  return {};
}

// switch(c, 0, x) / b -> switch(c, 0, x / b) (Theano's local_div_switch_sink), for the same reason.
std::vector<Var> div_switch_sink(FunctionGraph&, Apply& node) {
  if (!is_op(node, ScalarOpId::true_div) && !is_op(node, ScalarOpId::int_div)) return {};
  const int zero = zero_branch(node.inputs[0]);
  if (!zero) return {};
  const Apply& sw = *node.inputs[0]->owner;
  return {sink_into(sw, zero, elemwise(elemwise_id(*node.op), {sw.inputs[3 - zero], node.inputs[1]}))};
}

}  // namespace

const std::vector<NodeRule>& arith_rules() {
  static const std::vector<NodeRule> rules = {
      {"add_canonizer", "canonicalize", {OpKind::Elemwise}, {"local", "algebra"}, add_canonizer},
      {"mul_canonizer", "canonicalize", {OpKind::Elemwise}, {"local", "algebra"}, mul_canonizer},
      {"neg_neg", "canonicalize", {OpKind::Elemwise}, {"local", "algebra", "fast_compile"}, neg_neg},
      {"mul_switch_sink", "canonicalize", {OpKind::Elemwise}, {"local", "algebra"}, mul_switch_sink},
      {"div_switch_sink", "canonicalize", {OpKind::Elemwise}, {"local", "algebra"}, div_switch_sink},
      {"pow_specialize", "specialize", {OpKind::Elemwise}, {"local"}, pow_specialize},
      {"mul_neg_one", "specialize", {OpKind::Elemwise}, {"local"}, mul_neg_one},
  };
  return rules;
}

}  // namespace theon::rw
