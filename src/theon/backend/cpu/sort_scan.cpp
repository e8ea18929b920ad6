// CPU kernels of the ops that walk one axis at a time (ops/sort_scan.hpp):
// Sort, ArgSort, CumOp, SearchSorted and Nonzero. Each works on 1-d lanes of a
// C-contiguous copy of its input: lane (o, j) of an array viewed as
// (outer, n, inner) holds the n values x[o, :, j] of the chosen axis.
#include "ops/sort_scan.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <type_traits>

#include "backend/cpu/kernels.hpp"

namespace theon {

namespace {

template <class T>
constexpr bool kOrdered = std::is_arithmetic_v<T> || std::is_same_v<T, half>;  // every real dtype, not complex

// NumPy's order: NaN sorts after everything, including +inf.
template <class T>
bool less_nan_last(T a, T b) {
  if constexpr (is_floating_v<T>) {
    if (a != a) return false;
    if (b != b) return true;
  }
  return a < b;
}

struct Lanes {
  int64_t outer = 1, n = 1, inner = 1;
  Lanes(const Shape& s, int axis) {
    for (int d = 0; d < static_cast<int>(s.size()); ++d) {
      if (d < axis)
        outer *= s[d];
      else if (d > axis)
        inner *= s[d];
      else
        n = s[d];
    }
  }
  // Calls f(first element offset, stride) for every lane, in elements.
  template <class F>
  void each(F&& f) const {
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t j = 0; j < inner; ++j) f(o * n * inner + j, inner);
  }
};

void sort_kernel(const ops::Sort& op, const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws) {
  const int axis = op.axis();
  const NDArray x = in[0].contiguous();
  out[0] = ws.empty(x.dtype, x.shape);
  const Lanes lanes(x.shape, axis);
  visit_dtype(x.dtype, [&]<class T>() {
    if constexpr (kOrdered<T>) {
      const T* src = x.ptr<T>();
      T* dst = out[0].ptr<T>();
      std::vector<T> buf(lanes.n);
      lanes.each([&](int64_t first, int64_t stride) {
        for (int64_t i = 0; i < lanes.n; ++i) buf[i] = src[first + i * stride];
        std::stable_sort(buf.begin(), buf.end(), less_nan_last<T>);
        for (int64_t i = 0; i < lanes.n; ++i) dst[first + i * stride] = buf[i];
      });
    }
  });
}

void argsort_kernel(const ops::ArgSort& op, const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws) {
  const int axis = op.axis();
  const NDArray x = in[0].contiguous();
  out[0] = ws.empty(DType::Int64, x.shape);
  const Lanes lanes(x.shape, axis);
  int64_t* dst = out[0].ptr<int64_t>();
  visit_dtype(x.dtype, [&]<class T>() {
    if constexpr (kOrdered<T>) {
      const T* src = x.ptr<T>();
      std::vector<int64_t> idx(lanes.n);
      lanes.each([&](int64_t first, int64_t stride) {
        std::iota(idx.begin(), idx.end(), int64_t{0});
        std::stable_sort(idx.begin(), idx.end(), [&](int64_t a, int64_t b) {
          return less_nan_last(src[first + a * stride], src[first + b * stride]);
        });
        for (int64_t i = 0; i < lanes.n; ++i) dst[first + i * stride] = idx[i];
      });
    }
  });
}

// Per lane: the positions of the |k| most extreme values by a partial sort
// (O(n log |k|)), ties broken by position so the order is argsort's, reversed
// for k > 0.
void topk_kernel(const ops::TopK& op, const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws) {
  const int axis = op.axis();
  const NDArray x = in[0].contiguous();
  bool too_big = false;
  const int64_t k = in[1].item_index(&too_big);
  const Lanes lanes(x.shape, axis);
  if (too_big || k == 0 || k < -lanes.n || k > lanes.n)
    throw ValueError(op.name() + ": k = " + std::to_string(k) + " must be nonzero and at most the length " +
                     std::to_string(lanes.n) + " of axis " + std::to_string(axis) + " of the input of shape " +
                     shape_str(x.shape));
  const int64_t m = k < 0 ? -k : k;
  Shape shape = x.shape;
  shape[axis] = m;
  const Lanes out_lanes(shape, axis);
  NDArray values;
  if (op.returns_values()) values = ws.empty(x.dtype, shape);
  NDArray positions = ws.empty(DType::Int64, shape);  // in idx_dtype at the end, by one conversion
  int64_t* pos = positions.ptr<int64_t>();
  visit_dtype(x.dtype, [&]<class T>() {
    if constexpr (kOrdered<T>) {
      const T* src = x.ptr<T>();
      std::vector<int64_t> idx(lanes.n);
      int64_t lane = 0;
      lanes.each([&](int64_t first, int64_t stride) {
        const auto at = [&](int64_t i) { return src[first + i * stride]; };
        std::iota(idx.begin(), idx.end(), int64_t{0});
        if (k > 0)
          std::partial_sort(idx.begin(), idx.begin() + m, idx.end(), [&](int64_t a, int64_t b) {
            return less_nan_last(at(b), at(a)) || (!less_nan_last(at(a), at(b)) && a > b);
          });
        else
          std::partial_sort(idx.begin(), idx.begin() + m, idx.end(), [&](int64_t a, int64_t b) {
            return less_nan_last(at(a), at(b)) || (!less_nan_last(at(b), at(a)) && a < b);
          });
        const int64_t o = lane / lanes.inner, j = lane % lanes.inner;
        const int64_t ofirst = o * m * lanes.inner + j;
        ++lane;
        for (int64_t i = 0; i < m; ++i) pos[ofirst + i * out_lanes.inner] = idx[i];
        if (op.returns_values()) {
          T* dst = values.ptr<T>();
          for (int64_t i = 0; i < m; ++i) dst[ofirst + i * out_lanes.inner] = at(idx[i]);
        }
      });
    }
  });
  size_t o = 0;
  if (op.returns_values()) out[o++] = values;
  if (op.returns_indices()) out[o] = op.idx_dtype() == DType::Int64 ? positions : positions.astype(op.idx_dtype());
}

void cum_kernel(const ops::CumOp& op, const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws) {
  const int axis = op.axis();
  const bool is_mul = op.is_mul();
  const DType d = in[0].dtype == DType::Bool ? DType::Int64 : in[0].dtype;
  const NDArray x = in[0].dtype == d ? in[0].contiguous() : in[0].astype(d);
  out[0] = ws.empty(d, x.shape);
  const Lanes lanes(x.shape, axis);
  visit_dtype(d, [&]<class T>() {
    if constexpr (!std::is_same_v<T, bool>) {
      const T* src = x.ptr<T>();
      T* dst = out[0].ptr<T>();
      lanes.each([&](int64_t first, int64_t stride) {
        T acc = is_mul ? T(1) : T(0);  // accumulated in the dtype itself, in order, as NumPy
        for (int64_t i = 0; i < lanes.n; ++i) {
          const T v = src[first + i * stride];
          acc = is_mul ? static_cast<T>(acc * v) : static_cast<T>(acc + v);
          dst[first + i * stride] = acc;
        }
      });
    }
  });
}

void searchsorted_kernel(const ops::SearchSorted& op, const std::vector<NDArray>& in, std::vector<NDArray>& out,
                         Workspace& ws) {
  const bool right = op.right();
  const NDArray a = in[0].contiguous(), v = in[1].contiguous();  // one dtype: the builder casts
  out[0] = ws.empty(DType::Int64, v.shape);
  int64_t* o = out[0].ptr<int64_t>();
  const int64_t n = a.size(), m = v.size();
  visit_dtype(a.dtype, [&]<class T>() {
    if constexpr (kOrdered<T>) {
      const T* pa = a.ptr<T>();
      const T* pv = v.ptr<T>();
      // NumPy's binary search, key after key: each search starts from the
      // previous key's bounds (fast for sorted keys), which also gives
      // NumPy's answers when a is not sorted.
      auto before = [&](const T& x, const T& key) {  // x goes before key (left: x < key, right: x <= key)
        return right ? !less_nan_last<T>(key, x) : less_nan_last<T>(x, key);
      };
      int64_t lo = 0, hi = n;
      T last = m > 0 ? pv[0] : T{};
      for (int64_t i = 0; i < m; ++i) {
        const T key = pv[i];
        if (before(last, key)) {
          hi = n;
        } else {
          lo = 0;
          hi = hi < n ? hi + 1 : n;
        }
        last = key;
        while (lo < hi) {
          const int64_t mid = lo + ((hi - lo) >> 1);
          if (before(pa[mid], key))
            lo = mid + 1;
          else
            hi = mid;
        }
        o[i] = lo;
      }
    }
  });
}

void nonzero_kernel(const ops::Nonzero&, const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws) {
  const NDArray x = in[0].contiguous();
  const int nd = x.ndim();
  const int64_t n = x.size();
  std::vector<int64_t> hits;
  visit_dtype(x.dtype, [&]<class T>() {
    const T* p = x.ptr<T>();
    for (int64_t i = 0; i < n; ++i)
      if (p[i] != T{}) hits.push_back(i);
  });
  const int64_t m = static_cast<int64_t>(hits.size());
  for (int d = 0; d < nd; ++d) out[d] = ws.empty(DType::Int64, {m});
  for (int64_t k = 0; k < m; ++k) {  // unravel each flat position, last axis fastest
    int64_t r = hits[k];
    for (int d = nd - 1; d >= 0; --d) {
      out[d].ptr<int64_t>()[k] = r % x.shape[d];
      r /= x.shape[d];
    }
  }
}

}  // namespace

void add_sort_scan_kernels(Backend& cpu) {
  cpu.add(OpKind::Sort, &typed_kernel<ops::Sort, sort_kernel>);
  cpu.add(OpKind::ArgSort, &typed_kernel<ops::ArgSort, argsort_kernel>);
  cpu.add(OpKind::TopK, &typed_kernel<ops::TopK, topk_kernel>);
  cpu.add(OpKind::CumOp, &typed_kernel<ops::CumOp, cum_kernel>);
  cpu.add(OpKind::SearchSorted, &typed_kernel<ops::SearchSorted, searchsorted_kernel>);
  cpu.add(OpKind::Nonzero, &typed_kernel<ops::Nonzero, nonzero_kernel>);
}

}  // namespace theon
