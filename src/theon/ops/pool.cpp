// The pooling ops: parameters, types, shapes and gradients.
#include "ops/pool.hpp"

#include "theon/ops.hpp"

namespace theon {

namespace {

const char* mode_name(PoolMode m) {
  switch (m) {
    case PoolMode::Sum:
      return "sum";
    case PoolMode::AverageIncPad:
      return "average_inc_pad";
    case PoolMode::AverageExcPad:
      return "average_exc_pad";
    case PoolMode::Max:
      break;
  }
  return "max";
}

Var int_const(int64_t v) { return scalar_constant<int64_t>(v); }

// in: the role's tensors, then (p.dynamic) the ws, stride and pad vectors.
Var apply_pool(ops::PoolRole role, PoolParams p, const char* what, std::vector<Var> in) {
  p.check(what);
  // float16 pools in float32 and rounds once.
  const bool half = in[0]->dtype() == DType::Float16;
  for (Var& v : in)
    if (v->dtype() == DType::Float16) v = cast(v, DType::Float32);
  for (size_t i = in.size() - (p.dynamic ? 3 : 0); i < in.size(); ++i)
    if (is_int(in[i]->dtype()) && in[i]->dtype() != DType::Int64) in[i] = cast(in[i], DType::Int64);
  Var y = apply1(std::make_shared<ops::Pool>(role, p), in);
  return half ? cast(y, DType::Float16) : y;
}

}  // namespace

void PoolParams::check(const std::string& op) {
  if (nd < 1 || nd > 3) throw ValueError(op + ": pooling covers 1 to 3 axes, got " + std::to_string(nd));
  const auto want = static_cast<size_t>(nd);
  if (dynamic) {
    if (!ws.empty() || !stride.empty() || !pad.empty())
      throw ValueError(op + ": run-time pooling parameters come as inputs, not as lists");
    return;
  }
  if (ws.size() != want)
    throw ValueError(op + ": the window size ws needs " + std::to_string(nd) + " values, got " + ints_str(ws));
  if (stride.empty()) stride = ws;
  if (pad.empty()) pad.assign(want, 0);
  if (stride.size() != want)
    throw ValueError(op + ": the stride needs " + std::to_string(nd) + " values, got " + ints_str(stride));
  if (pad.size() != want)
    throw ValueError(op + ": the padding needs " + std::to_string(nd) + " values, got " + ints_str(pad));
  for (size_t d = 0; d < want; ++d) {
    if (ws[d] < 1) throw ValueError(op + ": the window size must be positive, got " + ints_str(ws));
    if (stride[d] < 1) throw ValueError(op + ": the stride must be positive, got " + ints_str(stride));
    if (pad[d] < 0) throw ValueError(op + ": the padding must be non-negative, got " + ints_str(pad));
    if (ws[d] > kMaxPoolParam || stride[d] > kMaxPoolParam)  // keeps every size computed from them within int64
      throw ValueError(op + ": the window and stride must be at most " + std::to_string(kMaxPoolParam) + ", got " +
                       ints_str(ws) + " and " + ints_str(stride));
    if (pad[d] > 0 && pad[d] >= ws[d])
      throw NotImplementedError(op + ": the padding " + ints_str(pad) + " must be smaller than the window " +
                                ints_str(ws));
    if (pad[d] > 0 && !ignore_border) throw NotImplementedError(op + ": padding works only with ignore_border=True");
  }
}

std::string PoolParams::str() const {
  if (dynamic)
    return std::string("ws, stride and pad given at run time, ignore_border=") + (ignore_border ? "True" : "False") +
           ", mode='" + mode_name(mode) + "'";
  return std::string("ws=") + ints_str(ws) + ", stride=" + ints_str(stride) + ", pad=" + ints_str(pad) +
         ", ignore_border=" + (ignore_border ? "True" : "False") + ", mode='" + mode_name(mode) + "'";
}

PoolParams resolve_pool_params(const PoolParams& p, const NDArray& ws, const NDArray& stride, const NDArray& pad,
                               const std::string& op) {
  PoolParams r = p;
  r.dynamic = false;
  const auto read = [&](const NDArray& v, const char* what) {
    if (v.ndim() != 1 || v.shape[0] != p.nd)
      throw ValueError(op + ": " + what + " needs " + std::to_string(p.nd) + " values, got an array of shape " +
                       shape_str(v.shape));
    std::vector<int64_t> out;
    for (int d = 0; d < p.nd; ++d) out.push_back(v.get_int(d));
    return out;
  };
  r.ws = read(ws, "the window size ws");
  r.stride = read(stride, "the stride");
  r.pad = read(pad, "the padding");
  r.check(op);
  return r;
}

int64_t pool_output_size(int64_t n, int64_t ws, int64_t stride, int64_t pad, bool ignore_border) {
  const int64_t v = n + 2 * pad;
  if (ignore_border) return std::max<int64_t>(0, (v - ws) / stride + 1);
  if (v == 0) return 0;
  if (stride >= ws) return (v - 1) / stride + 1;
  return std::max<int64_t>(0, (v - 1 - ws + stride) / stride) + 1;
}

namespace ops {

OpKind Pool::kind() const {
  return role_ == PoolRole::Grad ? OpKind::PoolGrad : role_ == PoolRole::GradGrad ? OpKind::PoolGradGrad : OpKind::Pool;
}

std::string Pool::name() const {
  const std::string base = role_ == PoolRole::Forward ? "Pool"
                           : role_ == PoolRole::GradGrad
                               ? "DownsampleFactorMaxGradGrad"
                               : (p_.mode == PoolMode::Max ? "MaxPoolGrad" : "AveragePoolGrad");
  return base + "{" + p_.str() + "}";
}

bool Pool::equals(const Op& o) const {
  auto* q = dynamic_cast<const Pool*>(&o);
  return q && q->role_ == role_ && q->p_ == p_;
}

std::vector<TensorType> Pool::infer_types(const std::vector<Var>& in) const {
  const std::string op = name();
  const size_t base = role_ == PoolRole::Forward ? 1 : 3, want = base + (p_.dynamic ? 3 : 0);
  if (in.size() != want)
    throw TypeError(op + " takes " + std::to_string(want) + " inputs, got " + std::to_string(in.size()));
  for (size_t i = base; i < want; ++i)
    if (in[i]->ndim() != 1 || !is_int(in[i]->dtype()))
      throw TypeError(op + ": ws, stride and pad must be int vectors, got " + describe_types(in));
  const Var& x = in[0];
  if (x->ndim() < p_.nd)
    throw TypeError(op + ": pools the last " + std::to_string(p_.nd) +
                    " axes of an input with at least that many, got " + x->type.str());
  const DType dt = x->dtype();
  if (dt == DType::Bool || is_complex(dt) ||
      (role_ != PoolRole::Forward && dt != DType::Float32 && dt != DType::Float64))
    throw TypeError(op + ": expects " + (role_ == PoolRole::Forward ? "a real" : "a float32 or float64") +
                    " input, got " + x->type.str());
  std::vector<int64_t> out_shape(x->type.shape.begin(), x->type.shape.end());
  const int lead = x->ndim() - p_.nd;
  for (int d = 0; d < p_.nd; ++d) {
    const auto ud = static_cast<size_t>(d), a = static_cast<size_t>(lead + d);
    if (p_.dynamic)
      out_shape[a] = -1;  // known when it runs
    else if (out_shape[a] >= 0)
      out_shape[a] = pool_output_size(out_shape[a], p_.ws[ud], p_.stride[ud], p_.pad[ud], p_.ignore_border);
  }
  if (role_ == PoolRole::Forward) return {TensorType(x->dtype(), out_shape)};
  for (size_t i = 1; i < base; ++i)
    if (in[i]->ndim() != x->ndim() || in[i]->dtype() != x->dtype())
      throw TypeError(op + ": the inputs must have one dtype and rank, got " + describe_types(in));
  if (role_ == PoolRole::Grad) return {x->type};
  return {TensorType(x->dtype(), out_shape)};
}

Var Pool::infer_shape(const Apply& node, int, int axis, const InputSize& input_size) const {
  const int lead = node.inputs[0]->ndim() - p_.nd;
  if (role_ == PoolRole::Grad || axis < lead) return input_size(0, axis);
  if (p_.dynamic) return nullptr;  // the window is a value, not a size: read the result's
  const auto d = static_cast<size_t>(axis - lead);
  const Var v = add(input_size(0, axis), int_const(2 * p_.pad[d]));
  const int64_t ws = p_.ws[d], st = p_.stride[d];
  if (p_.ignore_border) return maximum(int_const(0), add(int_div(sub(v, int_const(ws)), int_const(st)), int_const(1)));
  const Var part =
      st >= ws ? add(int_div(sub(v, int_const(1)), int_const(st)), int_const(1))
               : add(maximum(int_const(0), int_div(sub(v, int_const(1 + ws - st)), int_const(st))), int_const(1));
  return switch_(eq(v, int_const(0)), int_const(0), part);
}

std::vector<Var> Pool::grad(const Apply& node, const std::vector<Var>& gouts) const {
  const Var& g = gouts[0];
  const Var& x = node.inputs[0];
  if (!g || !is_float(x->dtype())) return std::vector<Var>(node.inputs.size(), nullptr);
  const Var gg = g->dtype() == x->dtype() ? g : cast(g, x->dtype());
  // The run-time parameters go along; they get no gradient.
  const size_t base = role_ == PoolRole::Forward ? 1 : 3;
  const std::vector<Var> params(node.inputs.begin() + static_cast<std::ptrdiff_t>(base), node.inputs.end());
  const auto make = [&](PoolRole role, const char* what, std::vector<Var> in) {
    in.insert(in.end(), params.begin(), params.end());
    return apply_pool(role, p_, what, std::move(in));
  };
  std::vector<Var> grads(node.inputs.size(), nullptr);
  switch (role_) {
    case PoolRole::Forward:
      grads[0] = make(PoolRole::Grad, "pool_grad", {x, const_cast<Apply&>(node).output(0), gg});
      break;
    case PoolRole::Grad:  // linear in gy: its transpose
      grads[2] = p_.mode == PoolMode::Max ? make(PoolRole::GradGrad, "max_pool_grad_grad", {x, node.inputs[1], gg})
                                          : make(PoolRole::Forward, "pool", {gg});
      break;
    case PoolRole::GradGrad:  // linear in g
      grads[2] = make(PoolRole::Grad, "pool_grad", {x, node.inputs[1], gg});
      break;
  }
  return grads;
}

}  // namespace ops

Var pool(const Var& x, PoolParams p) { return apply_pool(ops::PoolRole::Forward, std::move(p), "pool", {x}); }

Var pool(const Var& x, const Var& ws, const Var& stride, const Var& pad, PoolParams p) {
  p.dynamic = true;
  return apply_pool(ops::PoolRole::Forward, std::move(p), "pool", {x, ws, stride, pad});
}

Var pool_grad(const Var& x, const Var& y, const Var& gy, PoolParams p) {
  return apply_pool(ops::PoolRole::Grad, std::move(p), "pool_grad", {x, y, gy});
}

Var max_pool_grad_grad(const Var& x, const Var& y, const Var& g, PoolParams p) {
  if (p.mode != PoolMode::Max) throw ValueError("max_pool_grad_grad: for max pooling only");
  return apply_pool(ops::PoolRole::GradGrad, std::move(p), "max_pool_grad_grad", {x, y, g});
}

}  // namespace theon
