// Shape and construction ops: DimShuffle, Reshape, Shape, Shape_i, MakeVector,
// Alloc, ARange, Eye, Join (and JoinGrad, the slice its gradient takes), plus
// the builders of ops.hpp's "shape and construction" section.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <typeinfo>

#include "core/convert.hpp"
#include "ops/op_info.hpp"
#include "theon/grad.hpp"
#include "theon/ops.hpp"

namespace theon {

namespace {

// Structural equality for ops whose name spells out all their parameters.
class NamedOp : public Op {
 public:
  bool equals(const Op& o) const override { return typeid(*this) == typeid(o) && name() == o.name(); }
};

std::string ints_str(const std::vector<int64_t>& v) {
  std::vector<std::string> p;
  for (auto x : v) p.push_back(std::to_string(x));
  return "(" + join_strings(p, ", ") + ")";
}

void check_arity(const Op& op, const std::vector<Var>& in, size_t n) {
  if (in.size() != n)
    throw TypeError(op.name() + " takes " + std::to_string(n) + " inputs, got " + std::to_string(in.size()));
}

void check_int_scalar(const Op& op, const Var& v, const char* what) {
  if (v->ndim() != 0 || !is_discrete(v->dtype()))
    throw TypeError(op.name() + ": " + what + " must be an integer scalar, got " + v->type.str());
}

// ---- Shape / Shape_i ------------------------------------------------------------

class ShapeOp final : public NamedOp {
 public:
  OpKind kind() const override { return OpKind::Shape; }
  std::string name() const override { return "Shape"; }
  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override {
    check_arity(*this, in, 1);
    return {TensorType(DType::Int64, {in[0]->ndim()})};
  }
  void perform(const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws) const override {
    out[0] = ws.empty(DType::Int64, {in[0].ndim()});
    std::copy(in[0].shape.begin(), in[0].shape.end(), out[0].ptr<int64_t>());
  }
  std::vector<Var> grad(const Apply&, const std::vector<Var>&) const override { return {nullptr}; }
  bool connected(int) const override { return false; }
};

class ShapeI final : public NamedOp {
 public:
  OpKind kind() const override { return OpKind::ShapeI; }
  explicit ShapeI(int i) : i_(i) {}
  int axis() const { return i_; }
  std::string name() const override { return "Shape_i{" + std::to_string(i_) + "}"; }
  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override {
    check_arity(*this, in, 1);
    if (i_ < 0 || i_ >= in[0]->ndim())
      throw IndexError(name() + ": axis " + std::to_string(i_) + " is out of range for an input with " +
                       std::to_string(in[0]->ndim()) + " dimensions");
    return {TensorType(DType::Int64, {})};
  }
  void perform(const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws) const override {
    if (i_ >= in[0].ndim())
      throw IndexError(name() + ": axis out of range for an array of shape " + shape_str(in[0].shape));
    out[0] = ws.empty(DType::Int64, {});
    *out[0].ptr<int64_t>() = in[0].shape[i_];
  }
  std::vector<Var> grad(const Apply&, const std::vector<Var>&) const override { return {nullptr}; }
  bool connected(int) const override { return false; }

 private:
  int i_;
};

// ---- MakeVector -------------------------------------------------------------------

class MakeVector final : public NamedOp {
 public:
  OpKind kind() const override { return OpKind::MakeVector; }
  explicit MakeVector(DType d) : dtype_(d) {}
  std::string name() const override { return "MakeVector{dtype=" + std::string(dtype_name(dtype_)) + "}"; }
  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override {
    for (size_t i = 0; i < in.size(); ++i)
      if (in[i]->ndim() != 0)
        throw TypeError(name() + ": input " + std::to_string(i) + " must be a scalar (0-d), got " + in[i]->type.str());
    return {TensorType(dtype_, {static_cast<int64_t>(in.size())})};
  }
  void perform(const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws) const override {
    NDArray& o = out[0];
    o = ws.empty(dtype_, {static_cast<int64_t>(in.size())});
    const size_t isz = itemsize(dtype_);
    for (size_t i = 0; i < in.size(); ++i) {
      NDArray dst = NDArray::wrap(o.data + i * isz, dtype_, {}, {}, o.base);
      copy_into(in[i], dst);
    }
  }
  bool linear() const override { return true; }
  std::vector<Var> grad(const Apply& node, const std::vector<Var>& gouts) const override {
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

 private:
  DType dtype_;
};

// The value of an integer scalar when known while building: a constant, or the
// Shape_i of a statically known dimension.
std::optional<int64_t> static_int(const Var& v) {
  if (const Constant* c = as_constant(v)) {
    if (c->value.size() == 1) return c->value.get_int(0);
    return std::nullopt;
  }
  if (v->owner) {
    if (auto* s = dynamic_cast<const ShapeI*>(v->owner->op.get())) {
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
  } else if (s->owner && dynamic_cast<const MakeVector*>(s->owner->op.get())) {
    for (int i = 0; i < n && i < static_cast<int>(s->owner->inputs.size()); ++i)
      if (auto v = static_int(s->owner->inputs[i])) out[i] = *v;
  } else if (s->owner && dynamic_cast<const ShapeOp*>(s->owner->op.get())) {
    const auto& sh = s->owner->inputs[0]->type.shape;
    for (int i = 0; i < n && i < static_cast<int>(sh.size()); ++i) out[i] = sh[i];
  }
  for (auto& v : out)
    if (v < 0) v = -1;
  return out;
}

// ---- DimShuffle ---------------------------------------------------------------------

class DimShuffle final : public NamedOp {
 public:
  OpKind kind() const override { return OpKind::DimShuffle; }
  explicit DimShuffle(std::vector<int> order) : order_(std::move(order)) {}
  const std::vector<int>& order() const { return order_; }
  std::string name() const override {
    std::vector<std::string> p;
    for (int e : order_) p.push_back(e < 0 ? "x" : std::to_string(e));
    return "DimShuffle{" + join_strings(p, ",") + "}";
  }
  int view_of(int) const override { return 0; }

  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override {
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

  void perform(const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace&) const override {
    const NDArray& x = in[0];
    std::vector<bool> used(x.ndim(), false);
    NDArray o;
    o.dtype = x.dtype;
    o.base = x.base;
    o.data = x.data;
    for (int e : order_) {
      if (e < 0) {
        o.shape.push_back(1);
        o.strides.push_back(0);
      } else {
        if (e >= x.ndim()) throw ValueError(name() + ": input of shape " + shape_str(x.shape) + " has too few dimensions");
        used[e] = true;
        o.shape.push_back(x.shape[e]);
        o.strides.push_back(x.strides[e]);
      }
    }
    for (int d = 0; d < x.ndim(); ++d)
      if (!used[d] && x.shape[d] != 1)
        throw ValueError(name() + ": cannot drop dimension " + std::to_string(d) + " of an array of shape " +
                         shape_str(x.shape) + " (its size is not 1)");
    out[0] = std::move(o);
  }

  bool linear() const override { return true; }
  std::vector<Var> grad(const Apply& node, const std::vector<Var>& gouts) const override {
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

 private:
  std::vector<int> order_;
};

// ---- Reshape ------------------------------------------------------------------------

class Reshape final : public NamedOp {
 public:
  OpKind kind() const override { return OpKind::Reshape; }
  explicit Reshape(int ndim) : ndim_(ndim) {}
  std::string name() const override { return "Reshape{" + std::to_string(ndim_) + "}"; }
  int view_of(int) const override { return 0; }
  bool connected(int i) const override { return i == 0; }

  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override {
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
      if (shape[i] < 0) ++unknown, at = i;
      else if (!mul_fits(known, shape[i], &known)) known = -1, unknown = ndim_;  // too big: left to make_apply
    }
    int64_t size = 1;
    for (auto d : in[0]->type.shape) size = (size < 0 || d < 0 || !mul_fits(size, d, &size)) ? -1 : size;
    if (unknown == 1 && size >= 0 && known > 0 && size % known == 0) shape[at] = size / known;
    return {TensorType(in[0]->dtype(), shape)};
  }

  void perform(const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws) const override {
    const NDArray& x = in[0];
    const NDArray& s = in[1];
    if (s.ndim() != 1 || s.shape[0] != ndim_)
      throw ValueError(name() + ": the shape vector has shape " + shape_str(s.shape) + ", expected (" +
                       std::to_string(ndim_) + ",)");
    Shape shape(ndim_);
    int infer = -1;
    int64_t known = 1;
    bool bad = false;
    for (int i = 0; i < ndim_; ++i) {
      shape[i] = s.get_int(i);
      if (shape[i] == -1 && infer < 0) infer = i;
      else if (shape[i] < 0 || !mul_fits(known, shape[i], &known)) bad = true;
    }
    if (infer >= 0 && !bad) {
      if (known == 0 || x.size() % known != 0) bad = true;
      else shape[infer] = x.size() / known;
    } else if (known != x.size()) {
      bad = true;
    }
    // An empty result may still not exist: (0, 2**62, 2**62) has no strides in int64.
    if (!bad && element_count_or_minus1(shape, itemsize(x.dtype)) < 0)
      checked_element_count(shape, x.dtype, name() + ": cannot reshape array of shape " + shape_str(x.shape));
    if (bad)
      throw ValueError(name() + ": cannot reshape array of shape " + shape_str(x.shape) + " (size " +
                       std::to_string(x.size()) + ") into shape " + shape_str(shape) +
                       (infer >= 0 ? " (? = the inferred -1 entry)" : ""));
    NDArray src = x;
    if (!x.is_c_contiguous()) {
      src = ws.empty(x.dtype, x.shape);
      copy_into(x, src);
    }
    src.shape = shape;
    src.strides = c_strides(shape, itemsize(x.dtype));
    out[0] = std::move(src);
  }

  bool linear() const override { return true; }
  std::vector<Var> grad(const Apply& node, const std::vector<Var>& gouts) const override {
    const Var& x = node.inputs[0];
    if (!is_inexact(x->dtype())) return {nullptr, nullptr};
    Var g = reshape(gouts[0], shape(x), x->ndim());
    if (g->dtype() != x->dtype()) g = cast(g, x->dtype());
    return {g, nullptr};
  }

 private:
  int ndim_;
};

// ---- Alloc --------------------------------------------------------------------------

class Alloc final : public NamedOp {
 public:
  OpKind kind() const override { return OpKind::Alloc; }
  std::string name() const override { return "Alloc"; }
  bool connected(int i) const override { return i == 0; }

  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override {
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

  void perform(const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws) const override {
    const NDArray& v = in[0];
    const int nd = static_cast<int>(in.size()) - 1;
    Shape shape(nd);
    for (int d = 0; d < nd; ++d) {
      shape[d] = in[d + 1].item_int();
      if (shape[d] < 0) throw ValueError(name() + ": negative dimensions are not allowed, got shape " + shape_str(shape));
    }
    Strides st(nd, 0);
    for (int d = 0; d < nd; ++d) {
      const int j = d - (nd - v.ndim());
      if (j < 0) continue;
      if (v.shape[j] == shape[d]) st[d] = v.strides[j];
      else if (v.shape[j] != 1)
        throw ValueError(name() + ": cannot broadcast a value of shape " + shape_str(v.shape) + " to shape " +
                         shape_str(shape));
    }
    NDArray view = NDArray::wrap(v.data, v.dtype, shape, st, v.base);
    out[0] = ws.empty(v.dtype, shape);
    copy_into(view, out[0]);
  }

  bool linear() const override { return true; }
  std::vector<Var> grad(const Apply& node, const std::vector<Var>& gouts) const override {
    std::vector<Var> gs(node.inputs.size(), nullptr);
    const Var& v = node.inputs[0];
    if (!is_inexact(v->dtype())) return gs;
    Var g = sum_to_like(gouts[0], v);
    if (g->dtype() != v->dtype()) g = cast(g, v->dtype());
    gs[0] = g;
    return gs;
  }
};

// ---- ARange / Eye --------------------------------------------------------------------

// The length of arange(start, stop, step), exactly (ceil((stop - start) / step)
// clipped at 0, in 128-bit arithmetic: the span of two int64s can exceed
// int64); a length beyond int64 is NumPy's "Maximum allowed size exceeded".
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

class ARange final : public NamedOp {
 public:
  OpKind kind() const override { return OpKind::ARange; }
  explicit ARange(DType d) : dtype_(d) {}
  std::string name() const override { return "ARange{dtype=" + std::string(dtype_name(dtype_)) + "}"; }

  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override {
    check_arity(*this, in, 3);
    const char* names[] = {"start", "stop", "step"};
    bool ints = true;
    for (int i = 0; i < 3; ++i) {
      if (in[i]->ndim() != 0) throw TypeError(name() + ": " + names[i] + " must be a scalar, got " + in[i]->type.str());
      if (is_complex(in[i]->dtype())) throw TypeError(name() + ": " + names[i] + " must be real, got " + in[i]->type.str());
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

  void perform(const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws) const override {
    const bool ints = is_discrete(in[0].dtype) && is_discrete(in[1].dtype) && is_discrete(in[2].dtype);
    if (ints) {
      const int64_t a = in[0].item_int(), b = in[1].item_int(), s = in[2].item_int();
      if (s == 0) throw ValueError(name() + ": step must not be zero (arange(" + std::to_string(a) + ", " +
                                   std::to_string(b) + ", 0))");
      const int64_t n = arange_length_int(*this, a, b, s);
      out[0] = ws.empty(dtype_, {n});
      visit_dtype(dtype_, [&]<class T>() {
        T* p = out[0].ptr<T>();
        // In uint64: a + i*s stays within [a, b) but i*s alone may not fit int64.
        const uint64_t ua = static_cast<uint64_t>(a), us = static_cast<uint64_t>(s);
        for (int64_t i = 0; i < n; ++i) p[i] = convert_value<T>(static_cast<int64_t>(ua + static_cast<uint64_t>(i) * us));
      });
    } else {
      const double a = in[0].item_double(), b = in[1].item_double(), s = in[2].item_double();
      if (s == 0) throw ValueError(name() + ": step must not be zero");
      if (!std::isfinite(a) || !std::isfinite(b) || !std::isfinite(s))
        throw ValueError(name() + ": arange requires finite start, stop and step");
      const int64_t n = arange_length_double(*this, a, b, s);
      out[0] = ws.empty(dtype_, {n});
      visit_dtype(dtype_, [&]<class T>() {
        T* p = out[0].ptr<T>();
        for (int64_t i = 0; i < n; ++i) p[i] = convert_value<T>(a + static_cast<double>(i) * s);
      });
    }
  }
  std::vector<Var> grad(const Apply& node, const std::vector<Var>&) const override {
    return std::vector<Var>(node.inputs.size(), nullptr);
  }
  bool connected(int) const override { return false; }

 private:
  DType dtype_;
};

class Eye final : public NamedOp {
 public:
  OpKind kind() const override { return OpKind::Eye; }
  explicit Eye(DType d) : dtype_(d) {}
  std::string name() const override { return "Eye{dtype=" + std::string(dtype_name(dtype_)) + "}"; }

  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override {
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

  void perform(const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws) const override {
    const int64_t n = in[0].item_int(), m = in[1].item_int(), k = in[2].item_int();
    if (n < 0 || m < 0)
      throw ValueError(name() + ": negative dimensions are not allowed (n=" + std::to_string(n) + ", m=" +
                       std::to_string(m) + ")");
    out[0] = ws.empty(dtype_, {n, m});
    std::memset(out[0].data, 0, out[0].nbytes());
    visit_dtype(dtype_, [&]<class T>() {
      T* p = out[0].ptr<T>();
      for (int64_t i = std::max<int64_t>(0, -k); i < n && i + k < m; ++i) p[i * m + i + k] = convert_value<T>(1);
    });
  }
  std::vector<Var> grad(const Apply& node, const std::vector<Var>&) const override {
    return std::vector<Var>(node.inputs.size(), nullptr);
  }
  bool connected(int) const override { return false; }

 private:
  DType dtype_;
};

// ---- Join / JoinGrad -------------------------------------------------------------------

std::string shapes_of(const std::vector<NDArray>& in, size_t from = 0) {
  std::vector<std::string> p;
  for (size_t i = from; i < in.size(); ++i) p.push_back(shape_str(in[i].shape));
  return join_strings(p, ", ");
}

class Join final : public NamedOp {
 public:
  OpKind kind() const override { return OpKind::Join; }
  explicit Join(int axis) : axis_(axis) {}
  std::string name() const override { return "Join{axis=" + std::to_string(axis_) + "}"; }

  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override {
    if (in.empty()) throw ValueError(name() + ": need at least one array to concatenate");
    const int nd = in[0]->ndim();
    const DType d = in[0]->dtype();
    if (nd == 0) throw ValueError(name() + ": zero-dimensional arrays cannot be concatenated");
    if (axis_ < 0 || axis_ >= nd)
      throw IndexError(name() + ": axis " + std::to_string(axis_) + " is out of bounds for inputs with " +
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

  void perform(const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws) const override {
    const int nd = in[0].ndim();
    Shape shape = in[0].shape;
    shape[axis_] = 0;
    for (const auto& a : in) {
      bool ok = a.ndim() == nd;
      for (int k = 0; ok && k < nd; ++k) ok = k == axis_ || a.shape[k] == shape[k];
      if (!ok)
        throw ValueError(name() + ": all input array dimensions except for the concatenation axis must match "
                         "exactly; input shapes are " + shapes_of(in));
      // Inputs may be broadcast views of any length: the total is checked.
      if (__builtin_add_overflow(shape[axis_], a.shape[axis_], &shape[axis_]))
        throw ValueError(name() + ": array is too big: the joined axis would have more than 2**63-1 elements; "
                         "input shapes are " + shapes_of(in));
    }
    NDArray& o = out[0];
    o = ws.empty(in[0].dtype, shape);
    int64_t off = 0;
    for (const auto& a : in) {
      NDArray dst = NDArray::wrap(o.data + off * o.strides[axis_], o.dtype, a.shape, o.strides, o.base);
      copy_into(a, dst);
      off += a.shape[axis_];
    }
  }

  bool linear() const override { return true; }
  std::vector<Var> grad(const Apply& node, const std::vector<Var>& gouts) const override;

 private:
  int axis_;
};

// The piece of a Join's output gradient that belongs to input `i`: inputs are
// (gz, x_0, ..., x_{n-1}); the output is a view of gz with x_i's type.
class JoinGrad final : public NamedOp {
 public:
  OpKind kind() const override { return OpKind::JoinGrad; }
  JoinGrad(int axis, int i) : axis_(axis), i_(i) {}
  std::string name() const override { return "JoinGrad{axis=" + std::to_string(axis_) + ", i=" + std::to_string(i_) + "}"; }
  int view_of(int) const override { return 0; }
  bool connected(int i) const override { return i == 0; }

  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override {
    if (static_cast<int>(in.size()) < i_ + 2) throw TypeError(name() + ": too few inputs");
    if (in[0]->ndim() != in[i_ + 1]->ndim()) throw TypeError(name() + ": gradient and input ranks differ");
    return {TensorType(in[0]->dtype(), in[i_ + 1]->type.shape)};
  }

  void perform(const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace&) const override {
    const NDArray& gz = in[0];
    int64_t off = 0, total = 0;
    for (size_t j = 1; j < in.size(); ++j) {
      if (static_cast<int>(j) - 1 < i_) off += in[j].shape[axis_];
      total += in[j].shape[axis_];
    }
    const NDArray& x = in[i_ + 1];
    bool ok = gz.ndim() == x.ndim() && gz.shape[axis_] == total;
    for (int k = 0; ok && k < gz.ndim(); ++k) ok = k == axis_ || gz.shape[k] == x.shape[k];
    if (!ok)
      throw ValueError(name() + ": gradient of shape " + shape_str(gz.shape) + " does not match the joined inputs " +
                       shapes_of(in, 1));
    NDArray o = gz;
    o.shape[axis_] = x.shape[axis_];
    o.data = gz.data + off * gz.strides[axis_];
    out[0] = std::move(o);
  }

  bool linear() const override { return true; }
  std::vector<Var> grad(const Apply& node, const std::vector<Var>& gouts) const override {
    std::vector<Var> gs(node.inputs.size(), nullptr);
    const Var& gz = node.inputs[0];
    if (!is_inexact(gz->dtype())) return gs;
    std::vector<Var> parts;
    for (size_t j = 1; j < node.inputs.size(); ++j)
      parts.push_back(static_cast<int>(j) - 1 == i_ ? cast(gouts[0], gz->dtype()) : zeros_like(node.inputs[j], gz->dtype()));
    gs[0] = join(axis_, parts);
    return gs;
  }

 private:
  int axis_, i_;
};

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

Var check_input(const Var& x, const char* op) {
  if (!x) throw TypeError(std::string(op) + ": input is None");
  return x;
}

Var int_dim(int64_t n) { return scalar_constant<int64_t>(n); }

}  // namespace

// ---- builders ----------------------------------------------------------------------------

Var dimshuffle(const Var& x, const std::vector<int>& new_order) {
  check_input(x, "dimshuffle");
  return apply1(std::make_shared<DimShuffle>(new_order), {x});
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
        throw ValueError("transpose: axis " + std::to_string(a) + " is out of bounds for " + std::to_string(nd) +
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
  return apply1(std::make_shared<Reshape>(ndim), {x, s});
}

Var reshape(const Var& x, const std::vector<int64_t>& shape_values) {
  check_input(x, "reshape");
  int n_infer = 0;
  for (auto v : shape_values) {
    if (v == -1) ++n_infer;
    else if (v < 0) throw ValueError("reshape: negative dimension " + std::to_string(v) + " in " + ints_str(shape_values));
  }
  if (n_infer > 1) throw ValueError("reshape: can only specify one unknown dimension (-1) in " + ints_str(shape_values));
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
    if (x->type.shape[i] < 0) all_known = false;
    else known *= x->type.shape[i];
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
  return apply1(std::make_shared<ShapeOp>(), {x});
}

Var shape_i(const Var& x, int i) {
  check_input(x, "shape_i");
  const int nd = x->ndim();
  if (i < -nd || i >= nd)
    throw IndexError("shape_i: index " + std::to_string(i) + " is out of range for " + x->type.str());
  return apply1(std::make_shared<ShapeI>(i < 0 ? i + nd : i), {x});
}

Var make_vector(const std::vector<Var>& scalars, DType dtype) {
  for (size_t i = 0; i < scalars.size(); ++i)
    if (!scalars[i]) throw TypeError("make_vector: input " + std::to_string(i) + " is None");
  return apply1(std::make_shared<MakeVector>(dtype), scalars);
}

Var alloc(const Var& value, const std::vector<Var>& dims) {
  check_input(value, "alloc");
  std::vector<Var> in = {value};
  for (size_t i = 0; i < dims.size(); ++i) {
    if (!dims[i]) throw TypeError("alloc: dimension " + std::to_string(i) + " is None");
    in.push_back(dims[i]);
  }
  return apply1(std::make_shared<Alloc>(), in);
}

Var zeros(const std::vector<Var>& dims, DType dtype) { return alloc(constant_like(0, dtype), dims); }
Var ones(const std::vector<Var>& dims, DType dtype) { return alloc(constant_like(1, dtype), dims); }

Var arange(const Var& start, const Var& stop, const Var& step, DType dtype) {
  if (!start || !stop || !step) throw TypeError("arange: start, stop and step must not be None");
  return apply1(std::make_shared<ARange>(dtype), {start, stop, step});
}

Var eye(const Var& n, const Var& m, const Var& k, DType dtype) {
  if (!n) throw TypeError("eye: n must not be None");
  return apply1(std::make_shared<Eye>(dtype), {n, m ? m : n, k ? k : int_dim(0)});
}

Var join(int axis, const std::vector<Var>& tensors) {
  if (tensors.empty()) throw ValueError("join: need at least one array to concatenate");
  for (size_t i = 0; i < tensors.size(); ++i)
    if (!tensors[i]) throw TypeError("join: input " + std::to_string(i) + " is None");
  const int nd = tensors[0]->ndim();
  if (nd == 0) throw ValueError("join: zero-dimensional arrays cannot be concatenated");
  if (axis < -nd || axis >= nd)
    throw IndexError("join: axis " + std::to_string(axis) + " is out of bounds for arrays of dimension " +
                     std::to_string(nd));
  const int ax = axis < 0 ? axis + nd : axis;
  DType d = tensors[0]->dtype();
  for (auto& t : tensors) d = upcast(d, t->dtype());
  std::vector<Var> in;
  for (auto& t : tensors) in.push_back(cast(t, d));
  if (in.size() == 1) return in[0];  // Theano returns a lone input as is
  return apply1(std::make_shared<Join>(ax), in);
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

const std::vector<int>& dimshuffle_order(const Op& op) { return static_cast<const DimShuffle&>(op).order(); }
int shape_i_axis(const Op& op) { return static_cast<const ShapeI&>(op).axis(); }

}  // namespace theon
