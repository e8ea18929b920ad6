// Shape and construction ops: DimShuffle, Reshape, Shape, Shape_i, MakeVector,
// Alloc, ARange, Eye, Join (and JoinGrad, the slice its gradient takes), plus
// the builders of ops.hpp's "shape and construction" section. The classes are
// in ops/shape.hpp; their kernels in backend/cpu/shape.cpp.
#include "ops/shape.hpp"

#include <algorithm>
#include <cmath>

#include "ops/op_info.hpp"
#include "theon/grad.hpp"
#include "theon/ops.hpp"

namespace theon {

namespace {

void check_arity(const Op& op, const std::vector<Var>& in, size_t n) {
  if (in.size() != n)
    throw TypeError(op.name() + " takes " + std::to_string(n) + " inputs, got " + std::to_string(in.size()));
}

void check_int_scalar(const Op& op, const Var& v, const char* what) {
  if (v->ndim() != 0 || !is_discrete(v->dtype()))
    throw TypeError(op.name() + ": " + what + " must be an integer scalar, got " + v->type.str());
}

Var check_input(const Var& x, const char* op) {
  if (!x) throw TypeError(std::string(op) + ": input is None");
  return x;
}

Var int_dim(int64_t n) { return scalar_constant<int64_t>(n); }

}  // namespace

// The value of an integer scalar when known while building: a constant, or the
// Shape_i of a statically known dimension.
std::optional<int64_t> static_int(const Var& v) {
  if (const Constant* c = as_constant(v)) {
    if (c->value.size() == 1) return c->value.get_int(0);
    return std::nullopt;
  }
  if (v->owner) {
    if (auto* s = dynamic_cast<const ops::ShapeI*>(v->owner->op.get())) {
      int64_t n = v->owner->inputs[0]->type.shape[s->axis()];
      if (n >= 0) return n;
    }
  }
  return std::nullopt;
}

// The entries of an integer shape vector known while building (-1 = unknown).
std::vector<int64_t> static_entries(const Var& s, int n) {
  std::vector<int64_t> out(n, -1);
  if (const Constant* c = as_constant(s)) {
    for (int i = 0; i < n && i < c->value.size(); ++i) out[i] = c->value.get_int(i);
  } else if (s->owner && dynamic_cast<const ops::MakeVector*>(s->owner->op.get())) {
    for (int i = 0; i < n && i < static_cast<int>(s->owner->inputs.size()); ++i)
      if (auto v = static_int(s->owner->inputs[i])) out[i] = *v;
  } else if (s->owner && dynamic_cast<const ops::ShapeOp*>(s->owner->op.get())) {
    const auto& sh = s->owner->inputs[0]->type.shape;
    for (int i = 0; i < n && i < static_cast<int>(sh.size()); ++i) out[i] = sh[i];
  }
  for (auto& v : out)
    if (v < 0) v = -1;
  return out;
}

namespace ops {

// ---- Shape / Shape_i ------------------------------------------------------------

std::vector<TensorType> ShapeOp::infer_types(const std::vector<Var>& in) const {
  check_arity(*this, in, 1);
  return {TensorType(DType::Int64, {in[0]->ndim()})};
}

std::vector<TensorType> ShapeI::infer_types(const std::vector<Var>& in) const {
  check_arity(*this, in, 1);
  if (i_ < 0 || i_ >= in[0]->ndim())
    throw IndexError(name() + ": axis " + std::to_string(i_) + " is out of range for an input with " +
                     std::to_string(in[0]->ndim()) + " dimensions");
  return {TensorType(DType::Int64, {})};
}

// ---- MakeVector -------------------------------------------------------------------

std::vector<TensorType> MakeVector::infer_types(const std::vector<Var>& in) const {
  for (size_t i = 0; i < in.size(); ++i)
    if (in[i]->ndim() != 0)
      throw TypeError(name() + ": input " + std::to_string(i) + " must be a scalar (0-d), got " + in[i]->type.str());
  return {TensorType(dtype_, {static_cast<int64_t>(in.size())})};
}

std::vector<Var> MakeVector::grad(const Apply& node, const std::vector<Var>& gouts) const {
  std::vector<Var> gs;
  for (size_t i = 0; i < node.inputs.size(); ++i) {
    const Var& x = node.inputs[i];
    if (!is_inexact(x->dtype())) {
      gs.push_back(nullptr);
      continue;
    }
    Var g = subtensor(gouts[0], {IndexEntry::integer(scalar_constant<int64_t>(static_cast<int64_t>(i)))});
    gs.push_back(cast(g, x->dtype()));
  }
  return gs;
}

// ---- DimShuffle ---------------------------------------------------------------------

std::string DimShuffle::name() const {
  std::vector<std::string> p;
  for (int e : order_) p.push_back(e < 0 ? "x" : std::to_string(e));
  return "DimShuffle{" + join_strings(p, ",") + "}";
}

std::vector<TensorType> DimShuffle::infer_types(const std::vector<Var>& in) const {
  check_arity(*this, in, 1);
  const TensorType& t = in[0]->type;
  std::vector<bool> used(t.ndim(), false);
  std::vector<int64_t> shape;
  for (int e : order_) {
    if (e < 0) {
      shape.push_back(1);
      continue;
    }
    if (e >= t.ndim())
      throw ValueError(name() + ": axis " + std::to_string(e) + " is out of range for an input with " +
                       std::to_string(t.ndim()) + " dimensions (" + t.str() + ")");
    if (used[e]) throw ValueError(name() + ": axis " + std::to_string(e) + " appears more than once in the pattern");
    used[e] = true;
    shape.push_back(t.shape[e]);
  }
  for (int d = 0; d < t.ndim(); ++d)
    if (!used[d] && t.shape[d] != 1)
      throw TypeError(name() + ": cannot drop dimension " + std::to_string(d) + " of input " + t.str() +
                      ": only broadcastable dimensions (static size 1) can be dropped by a dimshuffle");
  return {TensorType(t.dtype, shape)};
}

std::vector<Var> DimShuffle::grad(const Apply& node, const std::vector<Var>& gouts) const {
  const Var& x = node.inputs[0];
  if (!is_inexact(x->dtype())) return {nullptr};
  Var gz = gouts[0];
  // Inserted axes are dropped again: make sure they are broadcastable first.
  std::vector<int> inserted;
  for (int p = 0; p < static_cast<int>(order_.size()); ++p)
    if (order_[p] < 0 && gz->type.shape[p] != 1) inserted.push_back(p);
  if (!inserted.empty()) gz = sum(gz, inserted, /*keepdims=*/true);
  std::vector<int> inv(x->ndim(), -1);
  for (int p = 0; p < static_cast<int>(order_.size()); ++p)
    if (order_[p] >= 0) inv[order_[p]] = p;
  Var g = dimshuffle(gz, inv);
  if (g->dtype() != x->dtype()) g = cast(g, x->dtype());
  return {g};
}

// ---- Reshape ------------------------------------------------------------------------

std::vector<TensorType> Reshape::infer_types(const std::vector<Var>& in) const {
  check_arity(*this, in, 2);
  const Var& s = in[1];
  if (s->ndim() != 1 || !is_discrete(s->dtype()))
    throw TypeError(name() + ": the shape must be an integer vector, got " + s->type.str());
  if (s->type.shape[0] >= 0 && s->type.shape[0] != ndim_)
    throw ValueError(name() + ": the shape vector has length " + std::to_string(s->type.shape[0]) + ", expected " +
                     std::to_string(ndim_));
  std::vector<int64_t> shape = static_entries(s, ndim_);
  // One unknown entry follows from a fully known input size.
  int unknown = 0, at = -1;
  int64_t known = 1;
  for (int i = 0; i < ndim_; ++i) {
    if (shape[i] < 0)
      ++unknown, at = i;
    else if (!mul_fits(known, shape[i], &known))
      known = -1, unknown = ndim_;  // too big: left to make_apply
  }
  int64_t size = 1;
  for (auto d : in[0]->type.shape) size = (size < 0 || d < 0 || !mul_fits(size, d, &size)) ? -1 : size;
  if (unknown == 1 && size >= 0 && known > 0 && size % known == 0) shape[at] = size / known;
  return {TensorType(in[0]->dtype(), shape)};
}

std::vector<Var> Reshape::grad(const Apply& node, const std::vector<Var>& gouts) const {
  const Var& x = node.inputs[0];
  if (!is_inexact(x->dtype())) return {nullptr, nullptr};
  Var g = reshape(gouts[0], shape(x), x->ndim());
  if (g->dtype() != x->dtype()) g = cast(g, x->dtype());
  return {g, nullptr};
}

// ---- Alloc --------------------------------------------------------------------------

std::vector<TensorType> Alloc::infer_types(const std::vector<Var>& in) const {
  if (in.empty()) throw TypeError(name() + " needs a value input");
  const Var& v = in[0];
  const int nd = static_cast<int>(in.size()) - 1;
  if (v->ndim() > nd)
    throw TypeError(name() + ": the value has " + std::to_string(v->ndim()) + " dimensions, more than the " +
                    std::to_string(nd) + " requested");
  std::vector<int64_t> shape(nd, -1);
  for (int d = 0; d < nd; ++d) {
    check_int_scalar(*this, in[d + 1], "each dimension");
    auto c = static_int(in[d + 1]);
    const int j = d - (nd - v->ndim());
    const int64_t vs = j >= 0 ? v->type.shape[j] : 1;
    if (c) {
      if (*c < 0) throw ValueError(name() + ": negative dimension " + std::to_string(*c));
      if (vs >= 0 && vs != 1 && vs != *c)
        throw ValueError(name() + ": cannot broadcast a value of type " + v->type.str() + " to dimension " +
                         std::to_string(d) + " of size " + std::to_string(*c));
      shape[d] = *c;
    } else if (vs > 1) {
      shape[d] = vs;
    }
  }
  return {TensorType(v->dtype(), shape)};
}

std::vector<Var> Alloc::grad(const Apply& node, const std::vector<Var>& gouts) const {
  std::vector<Var> gs(node.inputs.size(), nullptr);
  const Var& v = node.inputs[0];
  if (!is_inexact(v->dtype())) return gs;
  Var g = sum_to_like(gouts[0], v);
  if (g->dtype() != v->dtype()) g = cast(g, v->dtype());
  gs[0] = g;
  return gs;
}

// ---- ARange / Eye --------------------------------------------------------------------

int64_t arange_length_int(const Op& op, int64_t start, int64_t stop, int64_t step) {
  const __int128 span = static_cast<__int128>(stop) - start;
  const __int128 n = step > 0 ? (span + step - 1) / step : (span + step + 1) / step;
  if (n <= 0) return 0;
  if (n > INT64_MAX)
    throw ValueError(op.name() + ": maximum allowed size exceeded: arange(" + std::to_string(start) + ", " +
                     std::to_string(stop) + ", " + std::to_string(step) + ") would have more than 2**63-1 elements");
  return static_cast<int64_t>(n);
}

int64_t arange_length_double(const Op& op, double start, double stop, double step) {
  const double n = std::ceil((stop - start) / step);
  if (!(n > 0)) return 0;
  if (!(n < 9.2e18))  // also an infinite span of finite bounds
    throw ValueError(op.name() + ": maximum allowed size exceeded: arange(" + std::to_string(start) + ", " +
                     std::to_string(stop) + ", " + std::to_string(step) + ") would have " + std::to_string(n) +
                     " elements");
  return static_cast<int64_t>(n);
}

std::vector<TensorType> ARange::infer_types(const std::vector<Var>& in) const {
  check_arity(*this, in, 3);
  const char* names[] = {"start", "stop", "step"};
  bool ints = true;
  for (int i = 0; i < 3; ++i) {
    if (in[i]->ndim() != 0) throw TypeError(name() + ": " + names[i] + " must be a scalar, got " + in[i]->type.str());
    if (is_complex(in[i]->dtype()))
      throw TypeError(name() + ": " + names[i] + " must be real, got " + in[i]->type.str());
    ints = ints && is_discrete(in[i]->dtype());
  }
  int64_t len = -1;
  double v[3];
  if (get_constant_scalar(in[0], &v[0]) && get_constant_scalar(in[1], &v[1]) && get_constant_scalar(in[2], &v[2])) {
    if (v[2] == 0) throw ValueError(name() + ": step must not be zero");
    len = ints ? arange_length_int(*this, as_constant(in[0])->value.item_int(), as_constant(in[1])->value.item_int(),
                                   as_constant(in[2])->value.item_int())
               : arange_length_double(*this, v[0], v[1], v[2]);
  }
  return {TensorType(dtype_, {len})};
}

std::vector<TensorType> Eye::infer_types(const std::vector<Var>& in) const {
  check_arity(*this, in, 3);
  check_int_scalar(*this, in[0], "n");
  check_int_scalar(*this, in[1], "m");
  check_int_scalar(*this, in[2], "k");
  std::vector<int64_t> shape(2, -1);
  for (int i = 0; i < 2; ++i)
    if (auto c = static_int(in[i])) {
      if (*c < 0) throw ValueError(name() + ": negative dimension " + std::to_string(*c));
      shape[i] = *c;
    }
  return {TensorType(dtype_, shape)};
}

// ---- Join / JoinGrad -------------------------------------------------------------------

std::vector<TensorType> Join::infer_types(const std::vector<Var>& in) const {
  if (in.empty()) throw ValueError(name() + ": need at least one array to concatenate");
  const int nd = in[0]->ndim();
  const DType d = in[0]->dtype();
  if (nd == 0) throw ValueError(name() + ": zero-dimensional arrays cannot be concatenated");
  if (axis_ < 0 || axis_ >= nd)
    throw AxisError(name() + ": axis " + std::to_string(axis_) + " is out of bounds for inputs with " +
                    std::to_string(nd) + " dimensions");
  std::vector<int64_t> shape(nd, -1);
  shape[axis_] = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    const TensorType& t = in[i]->type;
    if (t.ndim() != nd)
      throw TypeError(name() + ": all inputs must have the same number of dimensions; input 0 has " +
                      std::to_string(nd) + ", input " + std::to_string(i) + " has " + std::to_string(t.ndim()));
    if (t.dtype != d)
      throw TypeError(name() + ": all inputs must have the same dtype (" + std::string(dtype_name(d)) + "), input " +
                      std::to_string(i) + " is " + std::string(dtype_name(t.dtype)));
    for (int k = 0; k < nd; ++k) {
      const int64_t s = t.shape[k];
      if (k == axis_) {
        shape[k] = (shape[k] < 0 || s < 0 || __builtin_add_overflow(shape[k], s, &shape[k])) ? -1 : shape[k];
      } else if (s >= 0) {
        if (shape[k] >= 0 && shape[k] != s)
          throw ValueError(name() + ": input shapes do not match on axis " + std::to_string(k) + " (" +
                           std::to_string(shape[k]) + " vs " + std::to_string(s) + ")");
        shape[k] = s;
      }
    }
  }
  return {TensorType(d, shape)};
}

std::vector<TensorType> JoinGrad::infer_types(const std::vector<Var>& in) const {
  if (static_cast<int>(in.size()) < i_ + 2) throw TypeError(name() + ": too few inputs");
  if (in[0]->ndim() != in[i_ + 1]->ndim()) throw TypeError(name() + ": gradient and input ranks differ");
  return {TensorType(in[0]->dtype(), in[i_ + 1]->type.shape)};
}

std::vector<Var> JoinGrad::grad(const Apply& node, const std::vector<Var>& gouts) const {
  std::vector<Var> gs(node.inputs.size(), nullptr);
  const Var& gz = node.inputs[0];
  if (!is_inexact(gz->dtype())) return gs;
  std::vector<Var> parts;
  for (size_t j = 1; j < node.inputs.size(); ++j)
    parts.push_back(static_cast<int>(j) - 1 == i_ ? cast(gouts[0], gz->dtype())
                                                  : zeros_like(node.inputs[j], gz->dtype()));
  gs[0] = join(axis_, parts);
  return gs;
}

std::vector<Var> Join::grad(const Apply& node, const std::vector<Var>& gouts) const {
  std::vector<Var> gs;
  std::vector<Var> jin = {gouts[0]};
  for (const auto& x : node.inputs) jin.push_back(x);
  for (size_t i = 0; i < node.inputs.size(); ++i) {
    const Var& x = node.inputs[i];
    if (!is_inexact(x->dtype())) {
      gs.push_back(nullptr);
      continue;
    }
    Var g = apply1(std::make_shared<JoinGrad>(axis_, static_cast<int>(i)), jin);
    if (g->dtype() != x->dtype()) g = cast(g, x->dtype());
    gs.push_back(g);
  }
  return gs;
}

}  // namespace ops

// ---- builders ----------------------------------------------------------------------------

Var dimshuffle(const Var& x, const std::vector<int>& new_order) {
  check_input(x, "dimshuffle");
  return apply1(std::make_shared<ops::DimShuffle>(new_order), {x});
}

Var transpose(const Var& x, const std::optional<std::vector<int>>& axes) {
  check_input(x, "transpose");
  const int nd = x->ndim();
  std::vector<int> order;
  if (!axes) {
    for (int i = nd - 1; i >= 0; --i) order.push_back(i);
  } else {
    if (static_cast<int>(axes->size()) != nd)
      throw ValueError("transpose: axes don't match array: got " + std::to_string(axes->size()) + " axes for " +
                       std::to_string(nd) + " dimensions");
    for (int a : *axes) {
      if (a < -nd || a >= nd)
        throw AxisError("transpose: axis " + std::to_string(a) + " is out of bounds for " + std::to_string(nd) +
                        " dimensions");
      order.push_back(a < 0 ? a + nd : a);
    }
  }
  return dimshuffle(x, order);
}

Var reshape(const Var& x, const Var& shape_vec, int ndim) {
  check_input(x, "reshape");
  if (!shape_vec) throw TypeError("reshape: the shape is None");
  if (ndim < 0) throw ValueError("reshape: ndim must be >= 0, got " + std::to_string(ndim));
  Var s = shape_vec;
  if (s->ndim() == 1 && is_discrete(s->dtype()) && s->dtype() != DType::Int64) s = cast(s, DType::Int64);
  return apply1(std::make_shared<ops::Reshape>(ndim), {x, s});
}

Var reshape(const Var& x, const std::vector<int64_t>& shape_values) {
  check_input(x, "reshape");
  int n_infer = 0;
  for (auto v : shape_values) {
    if (v == -1)
      ++n_infer;
    else if (v < 0)
      throw ValueError("reshape: negative dimension " + std::to_string(v) + " in " + ints_str(shape_values));
  }
  if (n_infer > 1)
    throw ValueError("reshape: can only specify one unknown dimension (-1) in " + ints_str(shape_values));
  Var s = constant(NDArray::from_vector(shape_values, {static_cast<int64_t>(shape_values.size())}));
  return reshape(x, s, static_cast<int>(shape_values.size()));
}

Var flatten(const Var& x, int outdim) {
  check_input(x, "flatten");
  const int nd = x->ndim();
  if (outdim < 1 || (outdim > 1 && outdim > nd))
    throw ValueError("flatten: outdim must be between 1 and the input's number of dimensions (" + std::to_string(nd) +
                     "), got " + std::to_string(outdim));
  auto dim = [&](int i) { return x->type.shape[i] >= 0 ? int_dim(x->type.shape[i]) : shape_i(x, i); };
  std::vector<Var> dims;
  for (int i = 0; i < outdim - 1; ++i) dims.push_back(dim(i));
  int64_t known = 1;
  bool all_known = true;
  for (int i = outdim - 1; i < nd; ++i) {
    if (x->type.shape[i] < 0)
      all_known = false;
    else
      known *= x->type.shape[i];
  }
  if (all_known) {
    dims.push_back(int_dim(known));
  } else {
    Var p;
    for (int i = outdim - 1; i < nd; ++i) {
      if (x->type.shape[i] >= 0) continue;
      p = p ? mul(p, shape_i(x, i)) : shape_i(x, i);
    }
    if (known != 1) p = mul(p, int_dim(known));
    dims.push_back(p);
  }
  return reshape(x, make_vector(dims, DType::Int64), outdim);
}

Var shape(const Var& x) {
  check_input(x, "shape");
  return apply1(std::make_shared<ops::ShapeOp>(), {x});
}

Var shape_i(const Var& x, int i) {
  check_input(x, "shape_i");
  const int nd = x->ndim();
  if (i < -nd || i >= nd)
    throw IndexError("shape_i: index " + std::to_string(i) + " is out of range for " + x->type.str());
  return apply1(std::make_shared<ops::ShapeI>(i < 0 ? i + nd : i), {x});
}

Var make_vector(const std::vector<Var>& scalars, DType dtype) {
  for (size_t i = 0; i < scalars.size(); ++i)
    if (!scalars[i]) throw TypeError("make_vector: input " + std::to_string(i) + " is None");
  return apply1(std::make_shared<ops::MakeVector>(dtype), scalars);
}

Var alloc(const Var& value, const std::vector<Var>& dims) {
  check_input(value, "alloc");
  std::vector<Var> in = {value};
  for (size_t i = 0; i < dims.size(); ++i) {
    if (!dims[i]) throw TypeError("alloc: dimension " + std::to_string(i) + " is None");
    in.push_back(dims[i]);
  }
  return apply1(std::make_shared<ops::Alloc>(), in);
}

Var zeros(const std::vector<Var>& dims, DType dtype) { return alloc(constant_like(0, dtype), dims); }
Var ones(const std::vector<Var>& dims, DType dtype) { return alloc(constant_like(1, dtype), dims); }

Var arange(const Var& start, const Var& stop, const Var& step, DType dtype) {
  if (!start || !stop || !step) throw TypeError("arange: start, stop and step must not be None");
  return apply1(std::make_shared<ops::ARange>(dtype), {start, stop, step});
}

Var eye(const Var& n, const Var& m, const Var& k, DType dtype) {
  if (!n) throw TypeError("eye: n must not be None");
  return apply1(std::make_shared<ops::Eye>(dtype), {n, m ? m : n, k ? k : int_dim(0)});
}

Var join(int axis, const std::vector<Var>& tensors) {
  if (tensors.empty()) throw ValueError("join: need at least one array to concatenate");
  for (size_t i = 0; i < tensors.size(); ++i)
    if (!tensors[i]) throw TypeError("join: input " + std::to_string(i) + " is None");
  const int nd = tensors[0]->ndim();
  if (nd == 0) throw ValueError("join: zero-dimensional arrays cannot be concatenated");
  if (axis < -nd || axis >= nd)
    throw AxisError("join: axis " + std::to_string(axis) + " is out of bounds for arrays of dimension " +
                    std::to_string(nd));
  const int ax = axis < 0 ? axis + nd : axis;
  DType d = tensors[0]->dtype();
  for (auto& t : tensors) d = upcast(d, t->dtype());
  std::vector<Var> in;
  for (auto& t : tensors) in.push_back(cast(t, d));
  if (in.size() == 1) return in[0];  // Theano returns a lone input as is
  return apply1(std::make_shared<ops::Join>(ax), in);
}

Var concatenate(const std::vector<Var>& tensors, int axis) { return join(axis, tensors); }

Var stack(const std::vector<Var>& tensors, int axis) {
  if (tensors.empty()) throw ValueError("stack: need at least one array to stack");
  for (size_t i = 0; i < tensors.size(); ++i)
    if (!tensors[i]) throw TypeError("stack: input " + std::to_string(i) + " is None");
  const int nd = tensors[0]->ndim() + 1;
  if (axis < -nd || axis >= nd)
    throw IndexError("stack: axis " + std::to_string(axis) + " is out of bounds for the result's " +
                     std::to_string(nd) + " dimensions");
  const int ax = axis < 0 ? axis + nd : axis;
  std::vector<Var> parts;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Var& t = tensors[i];
    if (t->ndim() != nd - 1)
      throw ValueError("stack: all input arrays must have the same number of dimensions; input 0 has " +
                       std::to_string(nd - 1) + ", input " + std::to_string(i) + " has " + std::to_string(t->ndim()));
    std::vector<int> order;
    for (int k = 0; k < nd - 1; ++k) {
      if (k == ax) order.push_back(-1);
      order.push_back(k);
    }
    if (ax == nd - 1) order.push_back(-1);
    parts.push_back(dimshuffle(t, order));
  }
  return join(ax, parts);  // a lone input comes back as its dimshuffle
}

const std::vector<int>& dimshuffle_order(const Op& op) { return static_cast<const ops::DimShuffle&>(op).order(); }
int shape_i_axis(const Op& op) { return static_cast<const ops::ShapeI&>(op).axis(); }

Var ops::DimShuffle::infer_shape(const Apply&, int, int axis, const InputSize& input_size) const {
  const int src = order()[axis];
  return src < 0 ? scalar_constant<int64_t>(1) : input_size(0, src);
}

namespace {

// Whether a shape entry cannot be -1 (Reshape's "the rest"): a constant >= 0,
// a size (Shape_i), or sums and products of such, as flatten builds.
bool known_nonnegative(const Var& e, int depth = 0) {
  double v = 0;
  if (get_constant_scalar(e, &v)) return v >= 0;
  if (!e->owner || depth > 16) return false;
  const Apply& n = *e->owner;
  if (n.op->kind() == OpKind::ShapeI) return true;
  if (n.op->kind() == OpKind::Cast) return known_nonnegative(n.inputs[0], depth + 1);
  if (n.op->kind() != OpKind::Elemwise) return false;
  const ScalarOpId id = elemwise_id(*n.op);
  if (id != ScalarOpId::add && id != ScalarOpId::mul) return false;
  return std::all_of(n.inputs.begin(), n.inputs.end(), [&](const Var& in) { return known_nonnegative(in, depth + 1); });
}

}  // namespace

// The entry of the requested shape when it is a MakeVector entry that cannot
// be -1; else unknown.
Var ops::Join::infer_shape(const Apply& node, int, int axis, const InputSize& input_size) const {
  if (axis != axis_) return input_size(0, axis);
  Var total = input_size(0, axis);
  for (size_t i = 1; i < node.inputs.size(); ++i) total = add(total, input_size(static_cast<int>(i), axis));
  return total;
}

Var ops::Reshape::infer_shape(const Apply& node, int, int axis, const InputSize&) const {
  const Var& shp = node.inputs[1];
  if (!shp->owner || shp->owner->op->kind() != OpKind::MakeVector) return nullptr;
  const Var& e = shp->owner->inputs[axis];
  if (!known_nonnegative(e)) return nullptr;
  return e->dtype() == DType::Int64 ? e : cast(e, DType::Int64);
}

std::vector<Var> ops::ARange::grad(const Apply& node, const std::vector<Var>& g) const {
  if (!is_inexact(dtype_)) return {nullptr, nullptr, nullptr};
  Var out = const_cast<Apply&>(node).output(0);
  const Var steps = arange(scalar_constant<int64_t>(0), shape_i(out, 0), scalar_constant<int64_t>(1), dtype_);
  const auto like = [&](const Var& v, const Var& x) {
    return v->dtype() == x->dtype() || !is_inexact(x->dtype()) ? v : cast(v, x->dtype());  // ints: as if real
  };
  return {like(sum(g[0], std::nullopt), node.inputs[0]), nullptr,
          like(sum(mul(g[0], steps), std::nullopt), node.inputs[2])};
}

Var ops::Alloc::infer_shape(const Apply& node, int, int axis, const InputSize&) const {
  const Var& dim = node.inputs[1 + axis];
  return dim->dtype() == DType::Int64 ? dim : cast(dim, DType::Int64);
}

}  // namespace theon
