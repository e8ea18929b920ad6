// Elemwise: a scalar function from the table mapped over broadcast tensors,
// plus Cast, and the elementwise builders of ops.hpp.
#include <algorithm>
#include <cstring>

#include "core/convert.hpp"
#include "ops/op_info.hpp"
#include "ops/scalar_table.hpp"
#include "theon/grad.hpp"
#include "theon/ops.hpp"
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

template <class C>
void visit_ct(CT c, C&& f) {
  switch (c) {
    case CT::Bool:
      f.template operator()<bool>();
      break;
    case CT::I64:
      f.template operator()<int64_t>();
      break;
    case CT::U64:
      f.template operator()<uint64_t>();
      break;
    case CT::F32:
      f.template operator()<float>();
      break;
    case CT::F64:
      f.template operator()<double>();
      break;
    case CT::C64:
      f.template operator()<std::complex<float>>();
      break;
    case CT::C128:
      f.template operator()<std::complex<double>>();
      break;
  }
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

// ---- dtype rules -------------------------------------------------------------

DType upcast_all(const std::vector<DType>& ds, size_t from = 0) {
  DType d = ds[from];
  for (size_t i = from + 1; i < ds.size(); ++i) d = upcast(d, ds[i]);
  return d;
}

struct Plan {
  DType out;
  CT in_ct;
};

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

// ---- the op -------------------------------------------------------------------

class Elemwise final : public Op {
 public:
  OpKind kind() const override { return cast_to_ ? OpKind::Cast : OpKind::Elemwise; }
  Elemwise(ScalarOpId id, std::optional<DType> cast_to, int inplace = -1)
      : id_(id), cast_to_(cast_to), inplace_(inplace) {}
  int destroys() const override { return inplace_; }
  ScalarOpId id() const { return id_; }
  DType cast_to() const { return *cast_to_; }

  std::string name() const override {
    // Theano's spelling of an inplace elementwise op: Elemwise{add}[(0, 1)].
    const std::string tail = inplace_ >= 0 ? "[(0, " + std::to_string(inplace_) + ")]" : "";
    if (cast_to_) return "Elemwise{Cast{" + std::string(dtype_name(*cast_to_)) + "}}" + tail;
    return "Elemwise{" + std::string(scalar_def(id_).name) + "}" + tail;
  }
  bool equals(const Op& o) const override {
    auto* e = dynamic_cast<const Elemwise*>(&o);
    return e && e->id_ == id_ && e->cast_to_ == cast_to_ && e->inplace_ == inplace_;
  }
  size_t hash() const override {
    return (static_cast<size_t>(id_) * 31 + (cast_to_ ? static_cast<size_t>(*cast_to_) + 1 : 0)) * 7 + (inplace_ + 1);
  }
  OpPtr with_inplace(int k) const { return std::make_shared<Elemwise>(id_, cast_to_, k); }

  // Output dtype and the compute type the kernel runs in.
  Plan plan(const std::vector<DType>& ds) const {
    if (cast_to_) return {*cast_to_, compute_type(*cast_to_)};
    const auto& def = scalar_def(id_);
    Plan p = plan_types(def, ds);
    if (!def.fn[static_cast<int>(p.in_ct)])
      throw TypeError(name() + " is not defined for inputs of dtype " + dtypes_str(ds) + " (computing in " +
                      std::string(dtype_name(ct_dtype(p.in_ct))) + ")");
    return p;
  }

  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override {
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

  void perform(const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws) const override;
  std::vector<Var> grad(const Apply& node, const std::vector<Var>& gouts) const override;
  std::vector<Var> rop(const Apply& node, const std::vector<Var>& tangents) const override;

 private:
  ScalarOpId id_;
  std::optional<DType> cast_to_;
  int inplace_ = -1;  // the input overwritten when the runtime allows (-1: none)
};

// Broadcast shape check at run time (Theano's rule: only static-1 dims broadcast,
// which the VM checks against the types; here sizes must agree or be 1).
}  // namespace

Shape broadcast_shape(const std::string& op_name, const std::vector<NDArray>& in, const Apply* node) {
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
        throw ValueError(op_name + ": input dimensions mismatch on axis " + std::to_string(d) + ": input shapes are " +
                         join_strings(shapes, ", ") +
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

namespace {

void Elemwise::perform(const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws) const {
  std::vector<DType> ds;
  for (auto& a : in) ds.push_back(a.dtype);
  const Plan p = plan(ds);
  const auto& def = scalar_def(id_);
  BlockFn fn = cast_to_ ? nullptr : def.fn[static_cast<int>(p.in_ct)];
  const CT out_ct = cast_to_ ? p.in_ct : def.out_ct[static_cast<int>(p.in_ct)];
  Shape shape = broadcast_shape(name(), in, ws.node);
  NDArray& o = out[0];
  if (inplace_ >= 0 && ws.destroy_ok && in[inplace_].dtype == p.out && in[inplace_].shape == shape)
    o = in[inplace_];  // same positions read then written, block by block
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
      cast_to_ ? 1 : scalar_cost(id_));
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
    if (!is_inexact(x->dtype())) {
      gs[i] = nullptr;  // integer inputs get no gradient
      continue;
    }
    Var g = sum_to_like(gs[i], x);
    if (g->dtype() != x->dtype()) g = cast(g, x->dtype());
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

LoadFn block_loader(DType src, CT to) { return converters().load[static_cast<int>(src)][static_cast<int>(to)]; }
StoreFn block_storer(CT from, DType dst) { return converters().store[static_cast<int>(from)][static_cast<int>(dst)]; }

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

}  // namespace theon
