// Elemwise: a scalar function from the table mapped over broadcast tensors,
// plus Cast, and the elementwise builders of ops.hpp. The kernel is in
// backend/cpu/elemwise.cpp.
#include "ops/elemwise.hpp"

#include <algorithm>

#include "ops/op_info.hpp"
#include "ops/scalar_table.hpp"
#include "theon/grad.hpp"
#include "theon/ops.hpp"

namespace theon {

namespace {

// ---- dtype rules -------------------------------------------------------------

DType upcast_all(const std::vector<DType>& ds, size_t from = 0) {
  DType d = ds[from];
  for (size_t i = from + 1; i < ds.size(); ++i) d = upcast(d, ds[i]);
  return d;
}

using ops::Elemwise;
using Plan = Elemwise::Plan;

Plan plan_types(const ScalarOpDef& def, const std::vector<DType>& ds) {
  DType up = def.rule == TypeRule::Switch ? upcast(ds[1], ds[2]) : upcast_all(ds);
  switch (def.rule) {
    case TypeRule::Upcast:
      return {up, compute_type(up)};
    case TypeRule::Float:
      return {upgrade_to_float(up), compute_type(upgrade_to_float(up))};
    case TypeRule::Bool:
      return {DType::Bool, compute_type(up)};
    case TypeRule::RealUpcast:
      return {real_dtype(up), compute_type(up)};
    case TypeRule::Switch:
      return {up, compute_type(up)};
    case TypeRule::Second:
      return {ds[1], compute_type(ds[1])};
    case TypeRule::Complex: {
      const DType f = upgrade_to_float(up);
      return {f == DType::Float32 ? DType::Complex64 : DType::Complex128, compute_type(f)};
    }
  }
  return {up, compute_type(up)};
}

std::string dtypes_str(const std::vector<DType>& ds) {
  std::vector<std::string> p;
  for (auto d : ds) p.emplace_back(dtype_name(d));
  return join_strings(p, ", ");
}

}  // namespace

// ---- the op -------------------------------------------------------------------

namespace ops {

Elemwise::Plan Elemwise::plan(const std::vector<DType>& ds) const {
  if (cast_to_) {
    // A cast to float16 copies in the source's compute type, so float64 and
    // int64 values are rounded once, straight to float16 (not via float32).
    if (is_storage_only(*cast_to_) && ds.size() == 1) return {*cast_to_, compute_type(ds[0])};
    return {*cast_to_, compute_type(*cast_to_)};
  }
  const auto& def = scalar_def(id_);
  Plan p = plan_types(def, ds);
  if (!def.fn[static_cast<int>(p.in_ct)])
    throw TypeError(name() + " is not defined for inputs of dtype " + dtypes_str(ds) + " (computing in " +
                    std::string(dtype_name(ct_dtype(p.in_ct))) + ")");
  return p;
}

std::vector<TensorType> Elemwise::infer_types(const std::vector<Var>& in) const {
  const int arity = cast_to_ ? 1 : scalar_def(id_).arity;
  if (static_cast<int>(in.size()) != arity)
    throw TypeError(name() + " takes " + std::to_string(arity) + " inputs, got " + std::to_string(in.size()));
  std::vector<DType> ds;
  for (auto& v : in) ds.push_back(v->dtype());
  Plan p = plan(ds);
  const int nd = in[0]->ndim();
  std::vector<int64_t> shape(nd, 1);
  for (auto& v : in) {
    if (v->ndim() != nd)
      throw TypeError(name() + ": all inputs must have the same number of dimensions, got " +
                      std::to_string(v->ndim()) + " and " + std::to_string(nd));
  }
  for (int d = 0; d < nd; ++d) {
    int64_t size = 1;  // all broadcastable so far
    for (auto& v : in) {
      int64_t s = v->type.shape[d];
      if (s == 1) continue;
      if (size == 1)
        size = s;
      else if (s >= 0 && size >= 0 && s != size)
        throw ValueError(name() + ": input shapes do not match on axis " + std::to_string(d) + " (" +
                         std::to_string(size) + " vs " + std::to_string(s) + ")");
      else if (size < 0)
        size = s;
    }
    shape[d] = size;
  }
  return {TensorType(p.out, shape)};
}

std::vector<Var> Elemwise::grad(const Apply& node, const std::vector<Var>& gouts) const {
  const Var& gz = gouts[0];
  std::vector<Var> gs;
  if (cast_to_) {
    const Var& x = node.inputs[0];
    if (!is_inexact(x->dtype())) return {nullptr};
    gs = {cast(gz, x->dtype())};
  } else {
    const auto& def = scalar_def(id_);
    if (!def.grad) {
      if (!is_inexact(node.raw_output(0)->dtype())) return std::vector<Var>(node.inputs.size(), nullptr);
      std::string msg = "the gradient of " + name() + " is not implemented";
      if (node.site.known()) msg += "\n  the node was built at " + node.site.str();
      throw NotImplementedError(msg);
    }
    Var out = const_cast<Apply&>(node).output(0);
    gs = def.grad(node.inputs, out, gz);
  }
  // Each gradient has the output's broadcast shape: sum it back to the input's.
  for (size_t i = 0; i < gs.size(); ++i) {
    if (!gs[i]) continue;
    const Var& x = node.inputs[i];
    Var g = sum_to_like(gs[i], x);
    // An integer input's gradient is computed as if it were real (Theano 1.0's rule): kept in g's dtype.
    if (g->dtype() != x->dtype() && is_inexact(x->dtype())) g = cast(g, x->dtype());
    gs[i] = g;
  }
  return gs;
}

// The Jacobian of an elementwise op is diagonal, so each input's term of the
// JVP is the table's derivative times that input's tangent: the same product
// the VJP forms, without summing broadcast axes away.
std::vector<Var> Elemwise::rop(const Apply& node, const std::vector<Var>& ts) const {
  if (!is_inexact(node.raw_output(0)->dtype())) return {nullptr};
  if (cast_to_) return {ts[0] ? cast(ts[0], *cast_to_) : nullptr};
  const auto& def = scalar_def(id_);
  Var out = const_cast<Apply&>(node).output(0);
  Var acc;
  for (size_t i = 0; i < ts.size(); ++i) {
    if (!ts[i]) continue;
    if (!def.grad) {
      std::string msg = "the derivative of " + name() + " is not implemented";
      if (node.site.known()) msg += "\n  the node was built at " + node.site.str();
      throw NotImplementedError(msg);
    }
    Var term = def.grad(node.inputs, out, ts[i])[i];
    if (!term) continue;
    acc = acc ? add(acc, term) : term;
  }
  return {acc};
}

}  // namespace ops

namespace {

std::shared_ptr<const Elemwise> elemwise_op(ScalarOpId id) {
  static std::vector<std::shared_ptr<const Elemwise>> ops = [] {
    std::vector<std::shared_ptr<const Elemwise>> v;
    for (int i = 0; i < kNumScalarOps; ++i)
      v.push_back(std::make_shared<Elemwise>(static_cast<ScalarOpId>(i), std::nullopt));
    return v;
  }();
  return ops[static_cast<int>(id)];
}

// Left-pads lower-rank inputs with broadcastable dims, as Theano's tensor-level
// functions do before building an Elemwise.
std::vector<Var> pad_ranks(std::vector<Var> in) {
  int nd = 0;
  for (auto& v : in) {
    if (!v) throw TypeError("elementwise op got None as an input");
    nd = std::max(nd, v->ndim());
  }
  for (auto& v : in) {
    if (v->ndim() < nd) {
      std::vector<int> order(nd - v->ndim(), -1);
      for (int i = 0; i < v->ndim(); ++i) order.push_back(i);
      v = dimshuffle(v, order);
    }
  }
  return in;
}

}  // namespace

Var elemwise(ScalarOpId id, std::vector<Var> inputs) {
  if (id == ScalarOpId::log && inputs.size() == 1 && inputs[0])
    if (Var s = stable_log_of(inputs[0]))
      return s->dtype() == upgrade_to_float(inputs[0]->dtype()) ? s : cast(s, upgrade_to_float(inputs[0]->dtype()));
  return apply1(elemwise_op(id), pad_ranks(std::move(inputs)));
}

#define THEON_DEF_1(n) \
  Var n(const Var& a) { return elemwise(ScalarOpId::n, {a}); }
#define THEON_DEF_2(n) \
  Var n(const Var& a, const Var& b) { return elemwise(ScalarOpId::n, {a, b}); }
#define THEON_DEF_3(n) \
  Var n(const Var& a, const Var& b, const Var& c) { return elemwise(ScalarOpId::n, {a, b, c}); }
#define X(n, a) THEON_DEF_##a(n)
THEON_SCALAR_OPS(X)
#undef X

Var cast(const Var& x, DType dtype) {
  if (x->dtype() == dtype) return x;
  return apply1(std::make_shared<Elemwise>(ScalarOpId::identity, dtype), {x});
}

Var scalar_like(double v, const Var& x) {
  DType d = x->dtype();
  if (!is_inexact(d)) d = (static_cast<double>(static_cast<float>(v)) == v) ? DType::Float32 : DType::Float64;
  return constant_like(v, d);
}

Var fill(const Var& model, const Var& value) { return second(model, value); }

Var zeros_like(const Var& x, std::optional<DType> dtype) {
  return fill(x, constant_like(0, dtype.value_or(x->dtype())));
}
Var ones_like(const Var& x, std::optional<DType> dtype) {
  return fill(x, constant_like(1, dtype.value_or(x->dtype())));
}

ScalarOpId elemwise_id(const Op& op) { return static_cast<const Elemwise&>(op).id(); }
DType cast_dtype(const Op& op) { return static_cast<const Elemwise&>(op).cast_to(); }
OpPtr elemwise_op_of(ScalarOpId id) { return elemwise_op(id); }
OpPtr elemwise_inplace(const Op& op, int input) { return static_cast<const Elemwise&>(op).with_inplace(input); }

// The size of the first input that is not broadcast along `axis`.
Var ops::Elemwise::infer_shape(const Apply& node, int, int axis, const InputSize& input_size) const {
  for (size_t i = 0; i < node.inputs.size(); ++i)
    if (node.inputs[i]->type.shape[axis] != 1) return input_size(static_cast<int>(i), axis);
  return nullptr;
}

}  // namespace theon
