// The CPU kernel of Elemwise and Cast (ops/elemwise.hpp), and the machinery
// of the elementwise loops that the fused, reduction and softmax kernels share
// (ops/scalar_table.hpp): block loads/stores between storage dtypes and
// compute types, the run-time broadcast check and the blocked loop.
#include "ops/elemwise.hpp"

#include <algorithm>
#include <cstring>
#include <memory>

#include "backend/cpu/kernels.hpp"
#include "backend/cpu/vector_math.hpp"
#include "core/convert.hpp"
#include "ops/scalar_table.hpp"
#include "theon/runtime.hpp"

namespace theon {

namespace {

constexpr int64_t kBlock = 1024;  // elements per block: scratch stays in L1/L2

// ---- load/store between storage dtypes and compute types --------------------
template <class S, class C>
void load_impl(const char* src, int64_t stride, int64_t n, void* dst) {
  C* d = static_cast<C*>(dst);
  if (stride == 0) {
    C v = convert_value<C>(*reinterpret_cast<const S*>(src));
    std::fill(d, d + n, v);
    return;
  }
  for (int64_t i = 0; i < n; ++i) d[i] = convert_value<C>(*reinterpret_cast<const S*>(src + i * stride));
}
template <class C, class D>
void store_impl(const void* src, int64_t n, char* dst, int64_t stride) {
  const C* s = static_cast<const C*>(src);
  for (int64_t i = 0; i < n; ++i) *reinterpret_cast<D*>(dst + i * stride) = convert_value<D>(s[i]);
}

struct Converters {
  LoadFn load[kNumDTypes][kNumCT];
  StoreFn store[kNumCT][kNumDTypes];
  Converters() {
    for (int d = 0; d < kNumDTypes; ++d)
      for (int c = 0; c < kNumCT; ++c)
        visit_dtype(static_cast<DType>(d), [&]<class S>() {
          visit_ct(static_cast<CT>(c), [&]<class C>() {
            load[d][c] = &load_impl<S, C>;
            store[c][d] = &store_impl<C, S>;
          });
        });
  }
};
const Converters& converters() {
  static const Converters c;
  return c;
}

}  // namespace

// Broadcast shape check at run time (Theano's rule: only static-1 dims broadcast,
// which the VM checks against the types; here sizes must agree or be 1).
Shape broadcast_shape(const Op& op, const std::vector<NDArray>& in, const Apply* node) {
  const int nd = in[0].ndim();
  Shape shape(nd, 1);
  for (int d = 0; d < nd; ++d) {
    int64_t size = -1;  // agreed size of the non-broadcastable inputs
    for (size_t i = 0; i < in.size(); ++i) {
      int64_t s = in[i].shape[d];
      // With the node at hand, only statically broadcastable dims broadcast (Theano's rule).
      bool bcast = node ? node->inputs[i]->type.shape[d] == 1 : s == 1;
      if (bcast) continue;
      if (size < 0) {
        size = s;
      } else if (s != size) {
        std::vector<std::string> shapes;
        for (auto& a : in) shapes.push_back(shape_str(a.shape));
        throw ValueError(op.name() + ": input dimensions mismatch on axis " + std::to_string(d) +
                         ": input shapes are " + join_strings(shapes, ", ") +
                         " (only dimensions whose type is broadcastable broadcast; use a row/col type, "
                         "dimshuffle('x', ...) or addbroadcast to declare one)");
      }
    }
    shape[d] = size < 0 ? 1 : size;
  }
  return shape;
}

void run_blocks(const std::vector<NDArray>& in, NDArray& o, CT in_ct, CT out_ct, const BlockKernel& kernel,
                int64_t cost) {
  const Shape& shape = o.shape;
  const int64_t total = o.size();
  if (total == 0) return;

  // One element (index arithmetic, a loss, a learning rate): no loop set-up.
  constexpr size_t kFastInputs = 8;
  if (total == 1 && in.size() <= kFastInputs) {
    const auto& cv = converters();
    const DType in_ct_dtype = ct_dtype(in_ct), out_ct_dtype = ct_dtype(out_ct);
    alignas(64) unsigned char vals[kFastInputs][16];
    alignas(64) unsigned char res[16];
    const void* ins[kFastInputs];
    for (size_t i = 0; i < in.size(); ++i) {
      if (in[i].dtype == in_ct_dtype) {
        ins[i] = in[i].data;
      } else {
        cv.load[static_cast<int>(in[i].dtype)][static_cast<int>(in_ct)](in[i].data, 0, 1, vals[i]);
        ins[i] = vals[i];
      }
    }
    const bool direct = o.dtype == out_ct_dtype;
    kernel(1, ins, direct ? o.data : reinterpret_cast<char*>(res));
    if (!direct)
      cv.store[static_cast<int>(out_ct)][static_cast<int>(o.dtype)](res, 1, o.data,
                                                                    static_cast<int64_t>(itemsize(o.dtype)));
    return;
  }

  // Operand strides with broadcast dims at stride 0, then coalesce dims.
  const int nops = static_cast<int>(in.size()) + 1;
  const int nd = static_cast<int>(shape.size());
  std::vector<Strides> st(nops, Strides(nd));
  for (int d = 0; d < nd; ++d) {
    for (size_t i = 0; i < in.size(); ++i) st[i][d] = in[i].shape[d] == 1 ? 0 : in[i].strides[d];
    st[nops - 1][d] = o.strides[d];
  }
  Shape cs;
  std::vector<Strides> cst(nops);
  for (int d = 0; d < nd; ++d) {
    if (shape[d] == 1) continue;
    bool merge = !cs.empty();
    for (int k = 0; k < nops && merge; ++k) merge = cst[k].back() == st[k][d] * shape[d];
    if (merge) {
      cs.back() *= shape[d];
      for (int k = 0; k < nops; ++k) cst[k].back() = st[k][d];
    } else {
      cs.push_back(shape[d]);
      for (int k = 0; k < nops; ++k) cst[k].push_back(st[k][d]);
    }
  }
  if (cs.empty()) {
    cs.push_back(1);
    for (int k = 0; k < nops; ++k) cst[k].push_back(0);
  }
  const int cnd = static_cast<int>(cs.size());
  const int64_t inner = cs.back();
  const int64_t outer = total / inner;

  const auto& cv = converters();
  const size_t in_isz = itemsize(ct_dtype(in_ct)), out_isz = itemsize(ct_dtype(out_ct));
  const int nin = static_cast<int>(in.size());
  const DType in_ct_dtype = ct_dtype(in_ct), out_ct_dtype = ct_dtype(out_ct);
  const int64_t per_row = (inner + kBlock - 1) / kBlock;  // blocks in one row of the innermost dim

  // Items are (row, block) pairs numbered row-major; a chunk of items runs on
  // one thread with its own scratch.
  auto run_items = [&](int64_t first, int64_t last) {
    // One block per operand, kept per thread across calls (no allocation or
    // zero-fill per call: small arrays are dominated by such fixed costs).
    const size_t slot = static_cast<size_t>(kBlock) * std::max(in_isz, out_isz) + 64;
    thread_local std::unique_ptr<char[]> scratch_mem;
    thread_local size_t scratch_size = 0;
    if (scratch_size < slot * (nin + 1)) {
      scratch_mem.reset(new char[slot * (nin + 1)]);
      scratch_size = slot * (nin + 1);
    }
    struct Scratch {
      char* p;
      char* data() const { return p; }
    };
    std::vector<Scratch> scratch(nin + 1);
    for (int i = 0; i <= nin; ++i) scratch[i].p = scratch_mem.get() + i * slot;
    auto align = [](char* ptr) {
      return reinterpret_cast<char*>((reinterpret_cast<uintptr_t>(ptr) + 63) & ~uintptr_t(63));
    };
    std::vector<const void*> ins(nin);
    std::vector<const char*> filled_from(nin, nullptr);
    std::vector<char*> base(nops);
    int64_t cur_row = -1;
    for (int64_t item = first; item < last; ++item) {
      const int64_t row = item / per_row, start = (item % per_row) * kBlock;
      if (row != cur_row) {  // row start pointers: unravel the row over the outer dims
        cur_row = row;
        for (int k = 0; k < nops; ++k) base[k] = k < nin ? in[k].data : o.data;
        int64_t r = row;
        for (int d = cnd - 2; d >= 0; --d) {
          const int64_t i_d = r % cs[d];
          r /= cs[d];
          for (int k = 0; k < nops; ++k) base[k] += i_d * cst[k][d];
        }
      }
      const int64_t n = std::min(kBlock, inner - start);
      for (int i = 0; i < nin; ++i) {
        const char* src = base[i] + start * cst[i][cnd - 1];
        if (in[i].dtype == in_ct_dtype && cst[i][cnd - 1] == static_cast<int64_t>(in_isz)) {
          ins[i] = src;
        } else if (cst[i][cnd - 1] == 0 && filled_from[i] == src) {
          ins[i] = align(scratch[i].data());  // a broadcast value: the block is already filled with it
        } else {
          char* dst = align(scratch[i].data());
          // A broadcast value fills the whole block once, so later blocks can reuse it.
          const bool bcast = cst[i][cnd - 1] == 0;
          cv.load[static_cast<int>(in[i].dtype)][static_cast<int>(in_ct)](src, cst[i][cnd - 1], bcast ? kBlock : n,
                                                                          dst);
          filled_from[i] = bcast ? src : nullptr;
          ins[i] = dst;
        }
      }
      char* dst = base[nops - 1] + start * cst[nops - 1][cnd - 1];
      const bool direct = o.dtype == out_ct_dtype && cst[nops - 1][cnd - 1] == static_cast<int64_t>(out_isz);
      char* res = direct ? dst : align(scratch[nin].data());
      kernel(n, ins.data(), res);
      if (!direct) cv.store[static_cast<int>(out_ct)][static_cast<int>(o.dtype)](res, n, dst, cst[nops - 1][cnd - 1]);
    }
  };
  // A chunk needs ~kParallelWork adds of work to pay for waking a thread.
  const int64_t elems = std::max<int64_t>(1, kParallelWork / std::max<int64_t>(1, cost));
  const int64_t grain = std::max<int64_t>(1, elems / std::min(inner, kBlock));
  parallel_for(outer * per_row, grain, run_items);
}

LoadFn block_loader(DType src, CT to) { return converters().load[static_cast<int>(src)][static_cast<int>(to)]; }
StoreFn block_storer(CT from, DType dst) { return converters().store[static_cast<int>(from)][static_cast<int>(dst)]; }

namespace {

void elemwise_kernel(const ops::Elemwise& op, const std::vector<NDArray>& in, std::vector<NDArray>& out,
                     Workspace& ws) {
  std::vector<DType> ds;
  for (auto& a : in) ds.push_back(a.dtype);
  const ops::Elemwise::Plan p = op.plan(ds);
  const auto& def = scalar_def(op.id());
  BlockFn fn = op.is_cast() ? nullptr : cpu_block_fn(op.id(), p.in_ct);
  const CT out_ct = op.is_cast() ? p.in_ct : def.out_ct[static_cast<int>(p.in_ct)];
  Shape shape = broadcast_shape(op, in, ws.node);
  NDArray& o = out[0];
  const int inplace = op.inplace();
  if (inplace >= 0 && ws.destroy_ok && in[inplace].dtype == p.out && in[inplace].shape == shape)
    o = in[inplace];  // same positions read then written, block by block
  else
    o = ws.empty(p.out, shape);
  const size_t in_isz = itemsize(ct_dtype(p.in_ct));
  run_blocks(
      in, o, p.in_ct, out_ct,
      [&](int64_t n, const void* const* ins, void* res) {
        if (fn)
          fn(n, ins, res);
        else
          std::memcpy(res, ins[0], n * in_isz);  // Cast: the conversion happened on load
      },
      op.is_cast() ? 1 : scalar_cost(op.id()));
}

// What the kernel can raise: shapes that do not broadcast.
void elemwise_check(const ops::Elemwise& op, const std::vector<NDArray>& in, const Apply* node) {
  broadcast_shape(op, in, node);
}

}  // namespace

void add_elemwise_kernels(Backend& cpu) {
  cpu.add(OpKind::Elemwise, &typed_kernel<ops::Elemwise, elemwise_kernel>);
  cpu.add(OpKind::Cast, &typed_kernel<ops::Elemwise, elemwise_kernel>);
  cpu.set_preflight(OpKind::Elemwise, &typed_preflight<ops::Elemwise, elemwise_check>);
  cpu.set_preflight(OpKind::Cast, &typed_preflight<ops::Elemwise, elemwise_check>);
}

}  // namespace theon
