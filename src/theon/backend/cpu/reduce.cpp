// CPU kernels of the reductions (ops/reduce.hpp): Reduce runs on the shared
// reduction loop (reduce_loop.hpp); Argmax/Argmin walk the input's rows here.
#include "ops/reduce.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "backend/cpu/kernels.hpp"
#include "backend/cpu/reduce_loop.hpp"
#include "core/convert.hpp"
#include "ops/scalar_table.hpp"

namespace theon {

namespace {

constexpr int64_t kBlock = 1024;  // elements converted per block

// ---- strided iteration --------------------------------------------------------
// One input dimension: its size, the input byte stride, the accumulator element
// stride (0 on reduced axes) and the stride of the flat index within the reduced
// sub-space (argmax; 0 on kept axes).
struct Dim {
  int64_t n, in, acc, r;
};

// Drops size-1 dims, orders dims by decreasing input stride (memory order) and
// merges neighbours that walk all three operands uniformly.
std::vector<Dim> coalesce(std::vector<Dim> dims) {
  std::vector<Dim> d;
  for (auto& x : dims)
    if (x.n != 1) d.push_back(x);
  std::stable_sort(d.begin(), d.end(), [](const Dim& a, const Dim& b) { return std::llabs(a.in) > std::llabs(b.in); });
  std::vector<Dim> out;
  for (auto& x : d) {
    if (!out.empty()) {
      Dim& o = out.back();
      if (o.in == x.in * x.n && o.acc == x.acc * x.n && o.r == x.r * x.n) {
        o = {o.n * x.n, x.in, x.acc, x.r};
        continue;
      }
    }
    out.push_back(x);
  }
  if (out.empty()) out.push_back({1, 0, 0, 0});
  return out;
}

// Calls f(ptr, in_stride, acc_offset, acc_stride, r_offset, r_stride, n) per inner row.
template <class F>
void for_rows(const char* base, const std::vector<Dim>& d, F&& f) {
  const int nd = static_cast<int>(d.size());
  const Dim& inner = d.back();
  int64_t outer = 1;
  for (int i = 0; i + 1 < nd; ++i) outer *= d[i].n;
  std::vector<int64_t> idx(nd, 0);
  const char* p = base;
  int64_t a = 0, r = 0;
  for (int64_t row = 0; row < outer; ++row) {
    f(p, inner.in, a, inner.acc, r, inner.r, inner.n);
    for (int i = nd - 2; i >= 0; --i) {
      if (++idx[i] < d[i].n) {
        p += d[i].in;
        a += d[i].acc;
        r += d[i].r;
        break;
      }
      p -= d[i].in * (d[i].n - 1);
      a -= d[i].acc * (d[i].n - 1);
      r -= d[i].r * (d[i].n - 1);
      idx[i] = 0;
    }
  }
}

// ---- Reduce ----------------------------------------------------------------------

// The accumulator of a `kind` reduction of an input of dtype `in`.
RC compute_rc(ReduceKind kind, DType in) {
  if (kind == ReduceKind::All || kind == ReduceKind::Any) return RC::Bool;
  return numeric_rc(kind == ReduceKind::Max || kind == ReduceKind::Min ? in : sum_dtype(in));
}

void reduce_kernel(const ops::Reduce& op, const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws) {
  const ReduceKind kind = op.reduce_kind();
  const std::vector<int>& axes = op.axes();
  const NDArray& x = in[0];
  ops::check_axes_fit(op.name(), axes, x.ndim());
  const Shape oshape = ops::kept_shape(x.shape, axes);
  const DType od = op.out_dtype(x.dtype);
  const RC rc = compute_rc(kind, x.dtype);
  const DType cd = rc_dtype(rc);
  NDArray& o = out[0];
  o = ws.empty(od, oshape);
  const int64_t osize = o.size();
  int64_t rsize = 1;
  for (int a : axes) rsize *= x.shape[a];
  if (rsize == 0 && osize > 0 && (kind == ReduceKind::Max || kind == ReduceKind::Min))
    throw ValueError(op.name() + ": " + reduce_kind_name(kind) + " of an empty axis (input shape " +
                     shape_str(x.shape) + "): the reduction has no identity");
  if (osize == 0) return;
  // One element (a batch of one): the value itself, converted (also -0.0, as NumPy's reduce).
  if (osize == 1 && x.size() == 1 && kind != ReduceKind::All && kind != ReduceKind::Any) {
    alignas(64) unsigned char v[16];
    block_loader(x.dtype, rc_ct(rc))(x.data, 0, 1, v);
    block_storer(rc_ct(rc), od)(v, 1, o.data, static_cast<int64_t>(itemsize(od)));
    return;
  }

  // Accumulate straight into the output when its dtype is the compute type.
  NDArray acc = od == cd ? o : NDArray::empty(cd, oshape);
  fill_identity(kind, rc, acc);
  // float32 (and float16) values accumulate in float64 without a widened copy.
  const CT values = rc == RC::F64 && compute_type(x.dtype) == CT::F32 ? CT::F32 : rc_ct(rc);
  const DType vd = ct_dtype(values);
  const int64_t vsz = static_cast<int64_t>(itemsize(vd));
  const LoadFn load = block_loader(x.dtype, values);
  reduce_loop({x}, x.shape, axes, kind, rc, values, acc,
              [&](const char* const* p, const int64_t* s, int64_t n, void* scratch) -> const void* {
                if (x.dtype == vd && s[0] == vsz) return p[0];
                load(p[0], s[0], n, scratch);
                return scratch;
              });
  if (acc.data != o.data) block_storer(rc_ct(rc), od)(acc.data, osize, o.data, static_cast<int64_t>(itemsize(od)));
}

// ---- Argmax / Argmin -------------------------------------------------------------

using ArgFn = void (*)(const void* v, int64_t n, void* val, int64_t* idx, int64_t as, int64_t r0, int64_t rs);

template <class C, bool Max>
inline bool better(C x, int64_t r, C cur, int64_t ci) {
  if (ci < 0) return true;
  if constexpr (std::is_floating_point_v<C>) {
    const bool xn = x != x, cn = cur != cur;
    if (cn) return xn && r < ci;  // NaN is the extreme; the first one wins
    if (xn) return true;
  }
  if (Max ? x > cur : x < cur) return true;
  return x == cur && r < ci;  // ties: first in C order of the reduced axes
}

template <class C, bool Max>
void arg_block(const void* vp, int64_t n, void* valp, int64_t* idx, int64_t as, int64_t r0, int64_t rs) {
  const C* v = static_cast<const C*>(vp);
  C* val = static_cast<C*>(valp);
  if (as == 0 && n > 0) {
    // One output: find the block's first extreme (or first NaN), then merge.
    int64_t bi = 0;
    C best = v[0];
    bool nan = false;
    if constexpr (std::is_floating_point_v<C>) nan = best != best;
    for (int64_t i = 1; i < n && !nan; ++i) {
      const C x = v[i];
      if constexpr (std::is_floating_point_v<C>) {
        if (x != x) {
          best = x, bi = i, nan = true;
          break;
        }
      }
      if (Max ? x > best : x < best) best = x, bi = i;
    }
    const int64_t r = r0 + bi * rs;
    if (better<C, Max>(best, r, *val, *idx)) *val = best, *idx = r;
    return;
  }
  for (int64_t i = 0; i < n; ++i) {
    const int64_t r = r0 + i * rs;
    C& cur = val[i * as];
    int64_t& ci = idx[i * as];
    if (better<C, Max>(v[i], r, cur, ci)) {
      cur = v[i];
      ci = r;
    }
  }
}

void arg_reduce_kernel(const ops::ArgReduce& op, const std::vector<NDArray>& in, std::vector<NDArray>& out,
                       Workspace& ws) {
  const bool is_max = op.is_max();
  const std::vector<int>& axes = op.axes();
  const NDArray& x = in[0];
  ops::check_axes_fit(op.name(), axes, x.ndim());
  const Shape oshape = ops::kept_shape(x.shape, axes);
  NDArray& o = out[0];
  o = ws.empty(DType::Int64, oshape);
  const int64_t osize = o.size();
  if (osize == 0) return;
  if (x.size() == 0)
    throw ValueError(op.name() + ": attempt to get " + (is_max ? "argmax" : "argmin") +
                     " of an empty sequence (input shape " + shape_str(x.shape) + ")");
  const RC rc = numeric_rc(x.dtype);
  const DType cd = rc_dtype(rc);
  NDArray val = NDArray::empty(cd, oshape);
  int64_t* idx = o.ptr<int64_t>();
  std::fill(idx, idx + osize, int64_t(-1));

  Shape rshape;
  for (int a : axes) rshape.push_back(x.shape[a]);
  Strides rst = c_strides(rshape, 1), ast = c_strides(oshape, 1);
  std::vector<Dim> dims;
  int k = 0, j = 0;
  for (int d = 0; d < x.ndim(); ++d) {
    bool red = std::find(axes.begin(), axes.end(), d) != axes.end();
    if (red)
      dims.push_back({x.shape[d], x.strides[d], 0, rst[j++]});
    else
      dims.push_back({x.shape[d], x.strides[d], ast[k++], 0});
  }
  dims = coalesce(std::move(dims));
  ArgFn fn = nullptr;
  visit_rc(rc, [&]<class C>() {
    if constexpr (!is_complex_v<C> && !std::is_same_v<C, bool>)
      fn = is_max ? &arg_block<C, true> : &arg_block<C, false>;
  });
  THEON_CHECK(fn != nullptr, "argmax compute type");
  LoadFn load = block_loader(x.dtype, rc_ct(rc));
  const int64_t csz = static_cast<int64_t>(itemsize(cd));
  std::vector<int64_t> scratch(kBlock);
  for_rows(x.data, dims, [&](const char* p, int64_t s, int64_t a, int64_t as, int64_t r, int64_t rs, int64_t n) {
    for (int64_t start = 0; start < n; start += kBlock) {
      const int64_t m = std::min(kBlock, n - start);
      const char* src = p + start * s;
      const void* buf = src;
      if (!(x.dtype == cd && s == csz)) {
        load(src, s, m, scratch.data());
        buf = scratch.data();
      }
      const int64_t off = a + start * as;
      fn(buf, m, val.data + off * csz, idx + off, as, r + start * rs, rs);
    }
  });
}

}  // namespace

void add_reduce_kernels(Backend& cpu) {
  cpu.add(OpKind::Reduce, &typed_kernel<ops::Reduce, reduce_kernel>);
  cpu.add(OpKind::ArgReduce, &typed_kernel<ops::ArgReduce, arg_reduce_kernel>);
}

}  // namespace theon
