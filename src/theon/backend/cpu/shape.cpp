// CPU kernels of the shape and construction ops (ops/shape.hpp): DimShuffle,
// Reshape, Shape, Shape_i, MakeVector, Alloc, ARange, Eye, Join and JoinGrad.
#include "ops/shape.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <type_traits>

#include "backend/cpu/kernels.hpp"
#include "core/convert.hpp"

namespace theon {

namespace {

// ---- Shape / Shape_i ------------------------------------------------------------

void shape_kernel(const ops::ShapeOp&, const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws) {
  out[0] = ws.empty(DType::Int64, {in[0].ndim()});
  std::copy(in[0].shape.begin(), in[0].shape.end(), out[0].ptr<int64_t>());
}

void shape_i_kernel(const ops::ShapeI& op, const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws) {
  if (op.axis() >= in[0].ndim())
    throw IndexError(op.name() + ": axis out of range for an array of shape " + shape_str(in[0].shape));
  out[0] = ws.empty(DType::Int64, {});
  *out[0].ptr<int64_t>() = in[0].shape[op.axis()];
}

// ---- MakeVector -------------------------------------------------------------------

void make_vector_kernel(const ops::MakeVector& op, const std::vector<NDArray>& in, std::vector<NDArray>& out,
                        Workspace& ws) {
  const DType dtype = op.dtype();
  NDArray& o = out[0];
  o = ws.empty(dtype, {static_cast<int64_t>(in.size())});
  const size_t isz = itemsize(dtype);
  for (size_t i = 0; i < in.size(); ++i) {
    NDArray dst = NDArray::wrap(o.data + i * isz, dtype, {}, {}, o.base);
    copy_into(in[i], dst);
  }
}

// ---- DimShuffle ---------------------------------------------------------------------

void dimshuffle_kernel(const ops::DimShuffle& op, const std::vector<NDArray>& in, std::vector<NDArray>& out,
                       Workspace&) {
  const NDArray& x = in[0];
  std::vector<bool> used(x.ndim(), false);
  NDArray o;
  o.dtype = x.dtype;
  o.base = x.base;
  o.data = x.data;
  for (int e : op.order()) {
    if (e < 0) {
      o.shape.push_back(1);
      o.strides.push_back(0);
    } else {
      if (e >= x.ndim())
        throw ValueError(op.name() + ": input of shape " + shape_str(x.shape) + " has too few dimensions");
      used[e] = true;
      o.shape.push_back(x.shape[e]);
      o.strides.push_back(x.strides[e]);
    }
  }
  for (int d = 0; d < x.ndim(); ++d)
    if (!used[d] && x.shape[d] != 1)
      throw ValueError(op.name() + ": cannot drop dimension " + std::to_string(d) + " of an array of shape " +
                       shape_str(x.shape) + " (its size is not 1)");
  out[0] = std::move(o);
}

// ---- Reshape ------------------------------------------------------------------------

void reshape_kernel(const ops::Reshape& op, const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws) {
  const int ndim = op.ndim();
  const NDArray& x = in[0];
  const NDArray& s = in[1];
  if (s.ndim() != 1 || s.shape[0] != ndim)
    throw ValueError(op.name() + ": the shape vector has shape " + shape_str(s.shape) + ", expected (" +
                     std::to_string(ndim) + ",)");
  Shape shape(ndim);
  int infer = -1;
  int64_t known = 1;
  bool bad = false;
  for (int i = 0; i < ndim; ++i) {
    shape[i] = s.get_int(i);
    if (shape[i] == -1 && infer < 0)
      infer = i;
    else if (shape[i] < 0 || !mul_fits(known, shape[i], &known))
      bad = true;
  }
  if (infer >= 0 && !bad) {
    if (known == 0 || x.size() % known != 0)
      bad = true;
    else
      shape[infer] = x.size() / known;
  } else if (known != x.size()) {
    bad = true;
  }
  // An empty result may still not exist: (0, 2**62, 2**62) has no strides in int64.
  if (!bad && element_count_or_minus1(shape, itemsize(x.dtype)) < 0)
    checked_element_count(shape, x.dtype, op.name() + ": cannot reshape array of shape " + shape_str(x.shape));
  if (bad)
    throw ValueError(op.name() + ": cannot reshape array of shape " + shape_str(x.shape) + " (size " +
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

// ---- Alloc --------------------------------------------------------------------------

void alloc_kernel(const ops::Alloc& op, const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws) {
  const NDArray& v = in[0];
  const int nd = static_cast<int>(in.size()) - 1;
  Shape shape(nd);
  for (int d = 0; d < nd; ++d) {
    shape[d] = in[d + 1].item_int();
    if (shape[d] < 0)
      throw ValueError(op.name() + ": negative dimensions are not allowed, got shape " + shape_str(shape));
  }
  Strides st(nd, 0);
  for (int d = 0; d < nd; ++d) {
    const int j = d - (nd - v.ndim());
    if (j < 0) continue;
    if (v.shape[j] == shape[d])
      st[d] = v.strides[j];
    else if (v.shape[j] != 1)
      throw ValueError(op.name() + ": cannot broadcast a value of shape " + shape_str(v.shape) + " to shape " +
                       shape_str(shape));
  }
  NDArray view = NDArray::wrap(v.data, v.dtype, shape, st, v.base);
  out[0] = ws.empty(v.dtype, shape);
  copy_into(view, out[0]);
}

// ---- ARange / Eye --------------------------------------------------------------------

void arange_kernel(const ops::ARange& op, const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws) {
  const DType dtype = op.dtype();
  const bool ints = is_discrete(in[0].dtype) && is_discrete(in[1].dtype) && is_discrete(in[2].dtype);
  if (ints) {
    const int64_t a = in[0].item_int(), b = in[1].item_int(), s = in[2].item_int();
    if (s == 0)
      throw ValueError(op.name() + ": step must not be zero (arange(" + std::to_string(a) + ", " + std::to_string(b) +
                       ", 0))");
    const int64_t n = ops::arange_length_int(op, a, b, s);
    out[0] = ws.empty(dtype, {n});
    visit_dtype(dtype, [&]<class T>() {
      T* p = out[0].ptr<T>();
      // In uint64: a + i*s stays within [a, b) but i*s alone may not fit int64.
      const uint64_t ua = static_cast<uint64_t>(a), us = static_cast<uint64_t>(s);
      for (int64_t i = 0; i < n; ++i) p[i] = convert_value<T>(static_cast<int64_t>(ua + static_cast<uint64_t>(i) * us));
    });
  } else {
    const double a = in[0].item_double(), b = in[1].item_double(), s = in[2].item_double();
    if (s == 0) throw ValueError(op.name() + ": step must not be zero");
    if (!std::isfinite(a) || !std::isfinite(b) || !std::isfinite(s))
      throw ValueError(op.name() + ": arange requires finite start, stop and step");
    const int64_t n = ops::arange_length_double(op, a, b, s);
    out[0] = ws.empty(dtype, {n});
    visit_dtype(dtype, [&]<class T>() {
      T* p = out[0].ptr<T>();
      if constexpr (is_floating_v<T>) {
        // NumPy's fill: the first two values, then first + i * (their difference), in T
        // (so float results equal numpy.arange's bit for bit).
        if (n > 0) p[0] = static_cast<T>(a);
        if (n > 1) p[1] = static_cast<T>(a + s);
        const T delta = n > 1 ? static_cast<T>(p[1] - p[0]) : T(0);
        for (int64_t i = 2; i < n; ++i) p[i] = static_cast<T>(p[0] + static_cast<T>(i) * delta);
      } else {
        for (int64_t i = 0; i < n; ++i) p[i] = convert_value<T>(a + static_cast<double>(i) * s);
      }
    });
  }
}

void eye_kernel(const ops::Eye& op, const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws) {
  const DType dtype = op.dtype();
  const int64_t n = in[0].item_int(), m = in[1].item_int(), k = in[2].item_int();
  if (n < 0 || m < 0)
    throw ValueError(op.name() + ": negative dimensions are not allowed (n=" + std::to_string(n) +
                     ", m=" + std::to_string(m) + ")");
  out[0] = ws.empty(dtype, {n, m});
  std::memset(out[0].data, 0, out[0].nbytes());
  visit_dtype(dtype, [&]<class T>() {
    T* p = out[0].ptr<T>();
    for (int64_t i = std::max<int64_t>(0, -k); i < n && i + k < m; ++i) p[i * m + i + k] = convert_value<T>(1);
  });
}

// ---- Join / JoinGrad -------------------------------------------------------------------

std::string shapes_of(const std::vector<NDArray>& in, size_t from = 0) {
  std::vector<std::string> p;
  for (size_t i = from; i < in.size(); ++i) p.push_back(shape_str(in[i].shape));
  return join_strings(p, ", ");
}

void join_kernel(const ops::Join& op, const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws) {
  const int axis = op.axis();
  const int nd = in[0].ndim();
  Shape shape = in[0].shape;
  shape[axis] = 0;
  for (const auto& a : in) {
    bool ok = a.ndim() == nd;
    for (int k = 0; ok && k < nd; ++k) ok = k == axis || a.shape[k] == shape[k];
    if (!ok)
      throw ValueError(op.name() +
                       ": all input array dimensions except for the concatenation axis must match "
                       "exactly; input shapes are " +
                       shapes_of(in));
    // Inputs may be broadcast views of any length: the total is checked.
    if (__builtin_add_overflow(shape[axis], a.shape[axis], &shape[axis]))
      throw ValueError(op.name() +
                       ": array is too big: the joined axis would have more than 2**63-1 elements; "
                       "input shapes are " +
                       shapes_of(in));
  }
  NDArray& o = out[0];
  o = ws.empty(in[0].dtype, shape);
  int64_t off = 0;
  for (const auto& a : in) {
    NDArray dst = NDArray::wrap(o.data + off * o.strides[axis], o.dtype, a.shape, o.strides, o.base);
    copy_into(a, dst);
    off += a.shape[axis];
  }
}

void join_grad_kernel(const ops::JoinGrad& op, const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace&) {
  const int axis = op.axis(), i = op.input();
  const NDArray& gz = in[0];
  int64_t off = 0, total = 0;
  for (size_t j = 1; j < in.size(); ++j) {
    if (static_cast<int>(j) - 1 < i) off += in[j].shape[axis];
    total += in[j].shape[axis];
  }
  const NDArray& x = in[i + 1];
  bool ok = gz.ndim() == x.ndim() && gz.shape[axis] == total;
  for (int k = 0; ok && k < gz.ndim(); ++k) ok = k == axis || gz.shape[k] == x.shape[k];
  if (!ok)
    throw ValueError(op.name() + ": gradient of shape " + shape_str(gz.shape) + " does not match the joined inputs " +
                     shapes_of(in, 1));
  NDArray o = gz;
  o.shape[axis] = x.shape[axis];
  o.data = gz.data + off * gz.strides[axis];
  out[0] = std::move(o);
}

}  // namespace

void add_shape_kernels(Backend& cpu) {
  cpu.add(OpKind::DimShuffle, &typed_kernel<ops::DimShuffle, dimshuffle_kernel>);
  cpu.add(OpKind::Reshape, &typed_kernel<ops::Reshape, reshape_kernel>);
  cpu.add(OpKind::Shape, &typed_kernel<ops::ShapeOp, shape_kernel>);
  cpu.add(OpKind::ShapeI, &typed_kernel<ops::ShapeI, shape_i_kernel>);
  cpu.add(OpKind::MakeVector, &typed_kernel<ops::MakeVector, make_vector_kernel>);
  cpu.add(OpKind::Alloc, &typed_kernel<ops::Alloc, alloc_kernel>);
  cpu.add(OpKind::ARange, &typed_kernel<ops::ARange, arange_kernel>);
  cpu.add(OpKind::Eye, &typed_kernel<ops::Eye, eye_kernel>);
  cpu.add(OpKind::Join, &typed_kernel<ops::Join, join_kernel>);
  cpu.add(OpKind::JoinGrad, &typed_kernel<ops::JoinGrad, join_grad_kernel>);
}

}  // namespace theon
