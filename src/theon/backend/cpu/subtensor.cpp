// The CPU kernels of the indexing ops (ops/subtensor.hpp): the layout and the
// component values resolve to a Region, the indexed elements of x as a strided
// walk plus, for advanced indexing, a table of byte offsets contributed by the
// index arrays; Subtensor views or copies it, IncSubtensor sets or adds y there.
#include "ops/subtensor.hpp"

#include <algorithm>
#include <cstring>
#include <limits>

#include "backend/cpu/kernels.hpp"

namespace theon {

namespace {

using ops::adjust_slice;
using ops::EntrySpec;
using ops::has_array;
using ops::IndexLayout;
using ops::out_of_bounds;
using ops::SliceBounds;
using ops::wrap_index;

// ---- run-time resolution -----------------------------------------------------------

// A uint64 index array as int64 positions; values beyond int64 are out of bounds.
void check_uint64_indices(const NDArray& v, int64_t n, const std::string& op, int axis, const Shape& xshape) {
  const NDArray c = v.contiguous();
  const uint64_t* p = c.ptr<uint64_t>();
  for (int64_t i = 0, m = c.size(); i < m; ++i)
    if (p[i] > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      out_of_bounds(std::to_string(p[i]), n, op, axis, xshape);
}

// The indexed elements of an array: region dim d walks `xstride[d]` bytes of the
// array and `bstride[d]` entries of `table` (the index arrays' byte offsets).
struct Region {
  Shape shape;
  Strides xstride;
  std::vector<int64_t> bstride;
  int64_t offset = 0;
  std::vector<int64_t> table{0};
};

Region resolve(const std::string& op, const IndexLayout& l, const Shape& xshape, const Strides& xstrides,
               const std::vector<NDArray>& in, size_t first) {
  if (l.size() > xshape.size()) throw IndexError(op + ": too many indices for an array of shape " + shape_str(xshape));
  const bool adv = has_array(l);
  Region r;
  struct Dim {
    int64_t len, stride;
  };
  std::vector<Dim> before, after;
  std::vector<int> adv_axes;
  std::vector<NDArray> adv_idx;
  bool gap = false;
  size_t k = first;
  for (size_t a = 0; a < l.size(); ++a) {
    const EntrySpec& s = l[a];
    const int64_t n = xshape[a];
    if (s.kind == IndexEntry::Int && !adv) {
      r.offset += wrap_index(in[k++], n, op, static_cast<int>(a), xshape) * xstrides[a];
    } else if (s.kind != IndexEntry::Slice) {
      if (!adv_axes.empty() && !after.empty()) gap = true;
      adv_axes.push_back(static_cast<int>(a));
      const NDArray& v = in[k++];
      if (!is_int(v.dtype)) throw IndexError(op + ": index arrays must have an integer dtype, got " + v.str());
      if (v.dtype == DType::UInt64) check_uint64_indices(v, n, op, static_cast<int>(a), xshape);
      adv_idx.push_back(v.dtype == DType::Int64 && v.is_c_contiguous() ? v : v.astype(DType::Int64));
    } else {
      int64_t vals[3] = {0, 0, 1};
      const bool has[3] = {s.start, s.stop, s.step};
      bool too_big;  // a uint64 bound beyond int64 saturates: it is past the end, as in NumPy
      for (int c = 0; c < 3; ++c)
        if (has[c]) vals[c] = in[k++].item_index(&too_big);
      if (vals[2] == 0)
        throw ValueError(op + ": slice step cannot be zero (axis " + std::to_string(a) + ", array of shape " +
                         shape_str(xshape) + ")");
      SliceBounds b = adjust_slice(s.start ? &vals[0] : nullptr, s.stop ? &vals[1] : nullptr, vals[2], n);
      if (b.len > 0) r.offset += b.start * xstrides[a];
      // One element or none: the step is never taken (and a huge one would overflow).
      const int64_t stride = b.len > 1 ? b.step * xstrides[a] : xstrides[a];
      (adv_axes.empty() ? before : after).push_back({b.len, stride});
    }
  }
  for (size_t a = l.size(); a < xshape.size(); ++a)
    (adv_axes.empty() ? before : after).push_back({xshape[a], xstrides[a]});

  // Broadcast the index arrays and tabulate their byte offsets.
  Shape bshape;
  for (auto& v : adv_idx) {
    if (v.ndim() > static_cast<int>(bshape.size())) bshape.insert(bshape.begin(), v.ndim() - bshape.size(), 1);
    for (int i = 0; i < v.ndim(); ++i) {
      int64_t& b = bshape[bshape.size() - v.ndim() + i];
      const int64_t d = v.shape[i];
      if (d == b || d == 1) continue;
      if (b != 1) {
        std::vector<std::string> shapes;
        for (auto& w : adv_idx) shapes.push_back(shape_str(w.shape));
        throw IndexError(op + ": shape mismatch: indexing arrays could not be broadcast together with shapes " +
                         join_strings(shapes, " "));
      }
      b = d;
    }
  }
  const int bnd = static_cast<int>(bshape.size());
  Strides bstr(bnd);
  int64_t bsize = 1;
  for (int d = bnd - 1; d >= 0; --d) bstr[d] = bsize, bsize *= bshape[d];
  if (adv) {
    r.table.assign(bsize, 0);
    std::vector<int64_t> pos(bnd);
    for (size_t j = 0; j < adv_idx.size(); ++j) {
      const NDArray& v = adv_idx[j];
      const int axis = adv_axes[j];
      const int pad = bnd - v.ndim();
      Strides es(bnd, 0);  // element strides of v broadcast to bshape
      for (int i = 0; i < v.ndim(); ++i) es[pad + i] = v.shape[i] == 1 ? 0 : v.strides[i] / 8;
      const int64_t* p = v.ptr<int64_t>();
      std::fill(pos.begin(), pos.end(), 0);
      int64_t off = 0;
      for (int64_t f = 0; f < bsize; ++f) {
        r.table[f] += wrap_index(p[off], xshape[axis], op, axis, xshape) * xstrides[axis];
        for (int d = bnd - 1; d >= 0; --d) {
          if (++pos[d] < bshape[d]) {
            off += es[d];
            break;
          }
          off -= es[d] * (bshape[d] - 1);
          pos[d] = 0;
        }
      }
    }
  }
  auto push = [&](const std::vector<Dim>& ds) {
    for (auto& d : ds) r.shape.push_back(d.len), r.xstride.push_back(d.stride), r.bstride.push_back(0);
  };
  auto push_b = [&] {
    for (int d = 0; d < bnd; ++d) r.shape.push_back(bshape[d]), r.xstride.push_back(0), r.bstride.push_back(bstr[d]);
  };
  if (gap) {
    push_b();
    push(before);
  } else {
    push(before);
    push_b();
  }
  push(after);
  return r;
}

// Calls f(region element of `pbase`, matching element of the other operand) in
// C order over the region; `ostr` are the other operand's byte strides.
template <class F>
void walk(const Region& r, char* pbase, char* obase, const Strides& ostr, F&& f) {
  int64_t total = 1;
  for (auto s : r.shape) total *= s;
  if (total == 0) return;
  const int nd = static_cast<int>(r.shape.size());
  if (nd == 0) {
    f(pbase + r.offset + r.table[0], obase);
    return;
  }
  const int64_t n = r.shape[nd - 1], xs = r.xstride[nd - 1], bs = r.bstride[nd - 1], os = ostr[nd - 1];
  const int64_t* table = r.table.data();
  std::vector<int64_t> idx(nd, 0);
  for (int64_t row = 0, rows = total / n; row < rows; ++row) {
    char* p = pbase + r.offset;
    char* o = obase;
    int64_t b = 0;
    for (int d = 0; d < nd - 1; ++d) p += idx[d] * r.xstride[d], o += idx[d] * ostr[d], b += idx[d] * r.bstride[d];
    for (int64_t i = 0; i < n; ++i) f(p + i * xs + table[b + i * bs], o + i * os);
    for (int d = nd - 2; d >= 0; --d) {
      if (++idx[d] < r.shape[d]) break;
      idx[d] = 0;
    }
  }
}

inline void copy_elem(char* dst, const char* src, size_t isz) {
  switch (isz) {
    case 1:
      *dst = *src;
      break;
    case 2:
      std::memcpy(dst, src, 2);
      break;
    case 4:
      std::memcpy(dst, src, 4);
      break;
    case 8:
      std::memcpy(dst, src, 8);
      break;
    case 16:
      std::memcpy(dst, src, 16);
      break;
    default:
      std::memcpy(dst, src, isz);
  }
}

// ---- the kernels -------------------------------------------------------------------

void subtensor_kernel(const ops::SubtensorOp& op, const std::vector<NDArray>& in, std::vector<NDArray>& out,
                      Workspace& ws) {
  const NDArray& x = in[0];
  Region r = resolve(op.name(), op.layout(), x.shape, x.strides, in, 1);
  if (!op.advanced()) {  // a view
    NDArray o;
    o.dtype = x.dtype;
    o.base = x.base;
    o.shape = r.shape;
    o.strides = r.xstride;
    int64_t total = 1;
    for (auto s : r.shape) total *= s;
    o.data = total == 0 ? x.data : x.data + r.offset;
    out[0] = std::move(o);
    return;
  }
  NDArray o = ws.empty(x.dtype, r.shape);
  const size_t isz = itemsize(x.dtype);
  walk(r, x.data, o.data, o.strides, [isz](char* px, char* po) { copy_elem(po, px, isz); });
  out[0] = std::move(o);
}

// The indexed region of x and y's strides over it (0 where y broadcasts);
// throws on an index out of range or a y that does not fit, before any write.
std::pair<Region, Strides> inc_region(const ops::IncSubtensorOp& op, const std::vector<NDArray>& in, const NDArray& x,
                                      const NDArray& y, const Apply* node) {
  Region r = resolve(op.desc(), op.layout(), x.shape, x.strides, in, 2);
  const int nd = static_cast<int>(r.shape.size());
  if (y.ndim() > nd)
    throw ValueError(op.desc() + ": y of shape " + shape_str(y.shape) +
                     " has more dimensions than the indexed region " + shape_str(r.shape));
  const int pad = nd - y.ndim();
  Strides ys(nd, 0);
  for (int d = 0; d < y.ndim(); ++d) {
    const int64_t n = y.shape[d], rn = r.shape[pad + d];
    const bool bcast = node ? node->inputs[1]->type.shape[d] == 1 : n == 1;
    if (n == rn) {
      ys[pad + d] = n == 1 ? 0 : y.strides[d];
    } else if (n != 1 || !bcast) {
      throw ValueError(op.desc() + ": cannot broadcast y of shape " + shape_str(y.shape) + " (" + y.str() +
                       ") to the indexed region of shape " + shape_str(r.shape) + " of x with shape " +
                       shape_str(x.shape) +
                       " (only dimensions of y whose type is broadcastable, i.e. of static size 1, broadcast)");
    }
  }
  return {std::move(r), std::move(ys)};
}

void inc_subtensor_check(const ops::IncSubtensorOp& op, const std::vector<NDArray>& in, const Apply* node) {
  inc_region(op, in, in[0], in[1], node);
}

void inc_subtensor_kernel(const ops::IncSubtensorOp& op, const std::vector<NDArray>& in, std::vector<NDArray>& out,
                          Workspace& ws) {
  const NDArray& x = in[0];
  NDArray y = in[1].dtype == x.dtype ? in[1] : in[1].astype(x.dtype);
  NDArray o;
  if (ws.destroy_ok) {
    o = x;  // the runtime owns x's buffer and nobody reads it after this node
  } else {
    o = ws.empty(x.dtype, x.shape);
    copy_into(x, o);
  }
  auto [r, ys] = inc_region(op, in, o, y, ws.node);
  if (op.sets()) {
    const size_t isz = itemsize(x.dtype);
    walk(r, o.data, y.data, ys, [isz](char* po, char* py) { copy_elem(po, py, isz); });
  } else {
    visit_dtype(x.dtype, [&]<class T>() {
      walk(r, o.data, y.data, ys, [](char* po, char* py) {
        T& d = *reinterpret_cast<T*>(po);
        const T s = *reinterpret_cast<const T*>(py);
        if constexpr (std::is_same_v<T, bool>)
          d = d || s;
        else
          d = static_cast<T>(d + s);
      });
    });
  }
  out[0] = std::move(o);
}

}  // namespace

void add_subtensor_kernels(Backend& cpu) {
  cpu.add(OpKind::Subtensor, &typed_kernel<ops::SubtensorOp, subtensor_kernel>);
  cpu.add(OpKind::IncSubtensor, &typed_kernel<ops::IncSubtensorOp, inc_subtensor_kernel>);
  cpu.set_preflight(OpKind::IncSubtensor, &typed_preflight<ops::IncSubtensorOp, inc_subtensor_check>);
}

}  // namespace theon
