// CPU kernels of the nnet ops (ops/nnet.hpp): Softmax, LogSoftmax and
// LogSumExp. Each row is one pass to find the max, one SIMD exp pass and one
// scaling (or summing) pass while the row is in cache, so nothing overflows
// for large inputs and the data is read from memory once.
#include "ops/nnet.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "backend/cpu/kernels.hpp"
#include "backend/cpu/reduce_loop.hpp"
#include "backend/cpu/vector_math.hpp"
#include "ops/scalar_table.hpp"
#include "theon/runtime.hpp"

namespace theon {

namespace {

// The next row to prefetch while this one computes (null: none).
struct Next {
  const void* p = nullptr;
  int64_t bytes = 0;
};

// The kernels a row runs on, for one compute type: the SIMD row kernels
// when the CPU has them (exp_sum, max may be null), else block kernels.
struct RowKernels {
  BlockFn exp;
  ExpSumFn exp_sum;
  RowMaxFn max;
  explicit RowKernels(CT ct)
      : exp(vector_kernel(ScalarOpId::exp, ct)), exp_sum(exp_sum_kernel(ct)), max(row_max_kernel(ct)) {
    if (!exp) exp = cpu_block_fn(ScalarOpId::exp, ct);
  }
  template <class C>
  C row_max(const C* b, int64_t n) const {
    return max ? static_cast<C>(max(b, n)) : max_of(b, n);
  }
};

// Softmax (or log-softmax) of one row in place; tmp holds n values.
template <class C>
void softmax_row(C* b, int64_t n, bool log_form, const RowKernels& k, C* tmp, Next next) {
  const C m = k.row_max(b, n);
  double s;
  if (k.exp_sum) {
    s = k.exp_sum(b, n, m, tmp, next.p, next.bytes);  // tmp = exp(b - m)
    if (log_form)
      for (int64_t i = 0; i < n; ++i) b[i] -= m;
  } else {
    for (int64_t i = 0; i < n; ++i) b[i] -= m;  // b = x - max
    const void* in[1] = {b};
    k.exp(n, in, tmp);
    s = sum_of(tmp, n);
  }
  if (log_form) {
    const C ls = static_cast<C>(std::log(s));
    for (int64_t i = 0; i < n; ++i) b[i] -= ls;
  } else {
    const C r = static_cast<C>(1.0 / s);
    for (int64_t i = 0; i < n; ++i) b[i] = tmp[i] * r;
  }
}

// The rows along `axis`: row r's offsets in x and in o (whose strides over
// the other axes are `o_strides`, in x's order without the axis).
struct Rows {
  std::vector<int64_t> sizes, xs, os;
  int64_t count = 1;
  Rows(const NDArray& x, int axis, const std::vector<int64_t>& o_strides) {
    for (int d = 0, j = 0; d < x.ndim(); ++d)
      if (d != axis) sizes.push_back(x.shape[d]), xs.push_back(x.strides[d]), os.push_back(o_strides[j++]);
    for (int64_t s : sizes) count *= s;
  }
  void offsets(int64_t r, int64_t* xo, int64_t* oo) const {
    *xo = *oo = 0;
    for (int k = static_cast<int>(sizes.size()) - 1; k >= 0; --k) {
      const int64_t i = r % sizes[k];
      r /= sizes[k];
      *xo += i * xs[k];
      *oo += i * os[k];
    }
  }
};

// log(sum(exp(b))) of one row (b is not written). An infinite max is the
// answer itself (log of a sum holding exp(inf), or of zeros); NaN stays NaN.
template <class C>
C logsumexp_row(const C* b, int64_t n, const RowKernels& k, C* tmp, Next next) {
  const C m = k.row_max(b, n);
  if (std::isnan(m) || std::isinf(m)) return m;
  double s;
  if (k.exp_sum) {
    s = k.exp_sum(b, n, m, nullptr, next.p, next.bytes);
  } else {
    for (int64_t i = 0; i < n; ++i) tmp[i] = b[i] - m;
    const void* in[1] = {tmp};
    k.exp(n, in, tmp);
    s = sum_of(tmp, n);
  }
  return static_cast<C>(m + std::log(s));
}

// Row r of x (r < 0: none) as a prefetch target, when its values are contiguous.
Next next_row(const Rows& rows, const NDArray& x, int64_t r, int64_t stride, int64_t n) {
  const int64_t isz = static_cast<int64_t>(itemsize(x.dtype));
  if (r < 0 || stride != isz) return {};
  int64_t xo, oo;
  rows.offsets(r, &xo, &oo);
  return {x.data + xo, n * isz};
}

// Short rows along the last axis, rows [r0, r1) of o (C-contiguous, of the
// compute dtype C), pass by pass over the block: row maxima and shift, one
// vector exp call, row sums, then scaling (or, for the log form, the shifted
// values less the log of the sum). A kernel call per row would cost more than
// a row of ten values.
template <class C>
void softmax_short_rows(const NDArray& x, const Rows& rows_of_x, LoadFn load, int64_t n, int64_t r0, int64_t r1,
                        bool log_form, const RowKernels& k, C* o) {
  const int64_t rows = r1 - r0;
  C* block = o + r0 * n;
  for (int64_t r = r0; r < r1; ++r) {
    C* v = o + r * n;
    int64_t xo, oo;
    rows_of_x.offsets(r, &xo, &oo);
    load(x.data + xo, x.strides[x.ndim() - 1], n, v);
    C m = v[0];
    for (int64_t j = 1; j < n; ++j) m = v[j] > m || std::isnan(v[j]) ? v[j] : m;
    for (int64_t j = 0; j < n; ++j) v[j] -= m;
  }
  std::vector<C> e(log_form ? static_cast<size_t>(rows * n) : 0);
  C* ex = log_form ? e.data() : block;
  const void* in[1] = {block};
  k.exp(rows * n, in, ex);
  for (int64_t r = r0; r < r1; ++r) {
    C* v = o + r * n;
    const C* er = ex + (r - r0) * n;
    double sum = 0;
    for (int64_t j = 0; j < n; ++j) sum += er[j];
    if (log_form) {
      const C ls = static_cast<C>(std::log(sum));
      for (int64_t j = 0; j < n; ++j) v[j] -= ls;
    } else {
      const C inv = static_cast<C>(1.0 / sum);
      for (int64_t j = 0; j < n; ++j) v[j] *= inv;
    }
  }
}

void softmax_kernel(const ops::Softmax& op, const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws) {
  const int axis = op.axis();
  const bool log_form = op.log_form();
  const NDArray& x = in[0];
  const DType od = upgrade_to_float(x.dtype);
  out[0] = ws.empty(od, x.shape);
  NDArray& o = out[0];
  const int64_t n = x.shape[axis];
  if (o.size() == 0) return;
  const CT ct = compute_type(od);
  std::vector<int64_t> o_strides;
  for (int d = 0; d < o.ndim(); ++d)
    if (d != axis) o_strides.push_back(o.strides[d]);
  const Rows rows(x, axis, o_strides);
  const LoadFn load = block_loader(x.dtype, ct);
  const StoreFn store = block_storer(ct, od);
  const RowKernels kernels(ct);
  constexpr int64_t kShortRow = 128;
  if (axis == x.ndim() - 1 && n <= kShortRow && od == ct_dtype(ct)) {
    auto run_short = [&](int64_t r0, int64_t r1) {
      if (ct == CT::F32)
        softmax_short_rows(x, rows, load, n, r0, r1, log_form, kernels, o.ptr<float>());
      else
        softmax_short_rows(x, rows, load, n, r0, r1, log_form, kernels, o.ptr<double>());
    };
    parallel_for(rows.count, std::max<int64_t>(1, kParallelWork / std::max<int64_t>(1, 12 * n)), run_short);
    return;
  }
  const int64_t isz = static_cast<int64_t>(itemsize(ct_dtype(ct)));
  const int64_t xstride = x.strides[axis], ostride = o.strides[axis];
  auto run = [&](int64_t r0, int64_t r1) {
    std::vector<char> buf(static_cast<size_t>(2 * n * isz));
    for (int64_t r = r0; r < r1; ++r) {
      int64_t xo, oo;
      rows.offsets(r, &xo, &oo);
      load(x.data + xo, xstride, n, buf.data());
      const Next next = next_row(rows, x, r + 1 < r1 ? r + 1 : -1, xstride, n);
      if (ct == CT::F32)
        softmax_row(reinterpret_cast<float*>(buf.data()), n, log_form, kernels,
                    reinterpret_cast<float*>(buf.data()) + n, next);
      else
        softmax_row(reinterpret_cast<double*>(buf.data()), n, log_form, kernels,
                    reinterpret_cast<double*>(buf.data()) + n, next);
      store(buf.data(), n, o.data + oo, ostride);
    }
  };
  parallel_for(rows.count, std::max<int64_t>(1, kParallelWork / std::max<int64_t>(1, 12 * n)), run);
}

void logsumexp_kernel(const ops::LogSumExp& op, const std::vector<NDArray>& in, std::vector<NDArray>& out,
                      Workspace& ws) {
  const int axis = op.axis();
  const NDArray& x = in[0];
  const DType od = upgrade_to_float(x.dtype);
  Shape kept;
  for (int d = 0; d < x.ndim(); ++d)
    if (d != axis) kept.push_back(x.shape[d]);
  out[0] = ws.empty(od, kept);
  NDArray& o = out[0];
  if (o.size() == 0) return;
  const int64_t n = x.shape[axis];
  const CT ct = compute_type(od);
  const Rows rows(x, axis, std::vector<int64_t>(o.strides.begin(), o.strides.end()));
  const LoadFn load = block_loader(x.dtype, ct);
  const StoreFn store = block_storer(ct, od);
  const RowKernels kernels(ct);
  const int64_t isz = static_cast<int64_t>(itemsize(ct_dtype(ct)));
  const bool direct = x.dtype == ct_dtype(ct) && (x.strides[axis] == isz || n == 1);
  auto run = [&](int64_t r0, int64_t r1) {
    std::vector<char> buf(static_cast<size_t>(2 * std::max<int64_t>(n, 1) * isz));
    for (int64_t r = r0; r < r1; ++r) {
      int64_t xo, oo;
      rows.offsets(r, &xo, &oo);
      // A contiguous row of the compute dtype is read in place (the only
      // pass over memory); others are gathered and converted first.
      const char* row = x.data + xo;
      if (!direct) {
        load(row, x.strides[axis], n, buf.data() + n * isz);
        row = buf.data() + n * isz;
      }
      const Next next = next_row(rows, x, r + 1 < r1 ? r + 1 : -1, x.strides[axis], n);
      if (ct == CT::F32) {
        float v =
            logsumexp_row(reinterpret_cast<const float*>(row), n, kernels, reinterpret_cast<float*>(buf.data()), next);
        store(&v, 1, o.data + oo, 0);
      } else {
        double v = logsumexp_row(reinterpret_cast<const double*>(row), n, kernels,
                                 reinterpret_cast<double*>(buf.data()), next);
        store(&v, 1, o.data + oo, 0);
      }
    }
  };
  parallel_for(rows.count, std::max<int64_t>(1, kParallelWork / std::max<int64_t>(1, 10 * n)), run);
}

// ---- the softmax crossentropy family ----------------------------------------------

// The labels as int64, each checked against the number of classes (a
// LabelError: IndexError and, as Theano's op raised, ValueError).
std::vector<int64_t> checked_labels(const std::string& op, const NDArray& y, int64_t rows, int64_t classes) {
  if (y.size() != rows)
    throw ValueError(op + ": " + std::to_string(rows) + " rows of logits but " + std::to_string(y.size()) +
                     " labels (y_idx of shape " + shape_str(y.shape) + "); one label per row");
  NDArray y64 = y.dtype == DType::Int64 ? y.contiguous() : y.astype(DType::Int64);
  std::vector<int64_t> labels(y64.ptr<int64_t>(), y64.ptr<int64_t>() + rows);
  for (int64_t i = 0; i < rows; ++i)
    if (labels[i] < 0 || labels[i] >= classes)
      throw LabelError(op + ": label " + std::to_string(labels[i]) + " of row " + std::to_string(i) +
                       " is out of range for " + std::to_string(classes) + " classes (labels are 0 to " +
                       std::to_string(classes - 1) + ")");
  return labels;
}

// Rows [r0, r1) of the crossentropy, written into sm (rows of n values,
// contiguous), nll and am. Pass by pass over the whole block (row maxima,
// shift, one vector exp call, row sums, scaling), so rows of ten classes cost
// what their elements cost, not a kernel call each.
template <class C>
void crossentropy_rows(const NDArray& x, const NDArray* b, const std::vector<int64_t>& labels, int64_t r0, int64_t r1,
                       const RowKernels& k, C* sm, C* nll, int64_t* am) {
  const int64_t n = x.shape[1];
  C* block = sm + r0 * n;
  for (int64_t r = r0; r < r1; ++r) {
    C* v = sm + r * n;
    const char* xr = x.data + r * x.strides[0];
    for (int64_t j = 0; j < n; ++j) v[j] = *reinterpret_cast<const C*>(xr + j * x.strides[1]);
    if (b)
      for (int64_t j = 0; j < n; ++j) v[j] += *reinterpret_cast<const C*>(b->data + j * b->strides[0]);
    C m = v[0];
    int64_t arg = 0;
    for (int64_t j = 1; j < n; ++j)
      if (v[j] > m || (std::isnan(v[j]) && !std::isnan(m))) m = v[j], arg = j;
    am[r] = arg;
    if (!std::isfinite(m)) m = std::isnan(m) ? m : C(0);  // inf logits: inf - inf would make NaN of a finite row
    for (int64_t j = 0; j < n; ++j) v[j] -= m;
    nll[r] = -v[labels[r]];  // -(x[y] - max); log(sum) is added below
  }
  const void* in[1] = {block};
  k.exp((r1 - r0) * n, in, block);
  for (int64_t r = r0; r < r1; ++r) {
    C* v = sm + r * n;
    double s = 0;
    for (int64_t j = 0; j < n; ++j) s += v[j];
    nll[r] = static_cast<C>(static_cast<double>(nll[r]) + std::log(s));
    const C inv = static_cast<C>(1.0 / s);
    for (int64_t j = 0; j < n; ++j) v[j] *= inv;
  }
}

void crossentropy_kernel(const ops::CrossentropySoftmax1Hot& op, const std::vector<NDArray>& in,
                         std::vector<NDArray>& out, Workspace& ws) {
  const NDArray& x = in[0];
  const NDArray* b = op.with_bias() ? &in[1] : nullptr;
  const int64_t rows = x.shape[0], n = x.shape[1];
  if (b && b->shape[0] != n)
    throw ValueError(op.name() + ": b has " + std::to_string(b->shape[0]) + " elements but x " + shape_str(x.shape) +
                     " has " + std::to_string(n) + " columns");
  if (rows > 0 && n == 0)
    throw ValueError(op.name() + ": x has no columns (shape " + shape_str(x.shape) + "): no class to pick");
  const std::vector<int64_t> labels = checked_labels(op.name(), in.back(), rows, rows > 0 ? n : 1);
  out[0] = ws.empty(x.dtype, {rows});
  out[1] = ws.empty(x.dtype, x.shape);
  out[2] = ws.empty(DType::Int64, {rows});
  if (rows == 0) return;
  const RowKernels kernels(compute_type(x.dtype));
  auto run = [&](int64_t r0, int64_t r1) {
    if (x.dtype == DType::Float32)
      crossentropy_rows<float>(x, b, labels, r0, r1, kernels, out[1].ptr<float>(), out[0].ptr<float>(),
                               out[2].ptr<int64_t>());
    else
      crossentropy_rows<double>(x, b, labels, r0, r1, kernels, out[1].ptr<double>(), out[0].ptr<double>(),
                                out[2].ptr<int64_t>());
  };
  parallel_for(rows, std::max<int64_t>(1, kParallelWork / std::max<int64_t>(1, 12 * n)), run);
}

void crossentropy_dx_kernel(const ops::CrossentropySoftmax1HotDx& op, const std::vector<NDArray>& in,
                            std::vector<NDArray>& out, Workspace& ws) {
  const NDArray &dy = in[0], &sm = in[1];
  const int64_t rows = sm.shape[0], n = sm.shape[1];
  const bool dy_bcast = ws.node ? ws.node->inputs[0]->type.shape[0] == 1 : dy.shape[0] == 1;
  if (dy.shape[0] != rows && !(dy_bcast && dy.shape[0] == 1))
    throw ValueError(op.name() + ": dy has " + std::to_string(dy.shape[0]) + " elements for " + std::to_string(rows) +
                     " rows of sm " + shape_str(sm.shape));
  const std::vector<int64_t> labels = checked_labels(op.name(), in[2], rows, rows > 0 ? n : 1);
  out[0] = ws.empty(sm.dtype, sm.shape);
  if (rows == 0 || n == 0) return;
  const int64_t dys = dy.shape[0] == 1 ? 0 : dy.strides[0];
  auto run = [&](int64_t r0, int64_t r1) {
    visit_dtype(sm.dtype, [&]<class T>() {
      if constexpr (std::is_floating_point_v<T>) {
        T* o = out[0].ptr<T>();
        for (int64_t r = r0; r < r1; ++r) {
          const T d = *reinterpret_cast<const T*>(dy.data + r * dys);
          const char* srow = sm.data + r * sm.strides[0];
          T* orow = o + r * n;
          for (int64_t j = 0; j < n; ++j) orow[j] = d * *reinterpret_cast<const T*>(srow + j * sm.strides[1]);
          orow[labels[r]] -= d;
        }
      }
    });
  };
  parallel_for(rows, std::max<int64_t>(1, kParallelWork / std::max<int64_t>(1, 2 * n)), run);
}

}  // namespace

void add_nnet_kernels(Backend& cpu) {
  cpu.add(OpKind::Softmax, &typed_kernel<ops::Softmax, softmax_kernel>);
  cpu.add(OpKind::LogSumExp, &typed_kernel<ops::LogSumExp, logsumexp_kernel>);
  cpu.add(OpKind::CrossentropySoftmax1Hot, &typed_kernel<ops::CrossentropySoftmax1Hot, crossentropy_kernel>);
  cpu.add(OpKind::CrossentropySoftmax1HotDx, &typed_kernel<ops::CrossentropySoftmax1HotDx, crossentropy_dx_kernel>);
}

}  // namespace theon
