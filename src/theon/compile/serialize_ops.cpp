// Op records of saved graphs (compile/serialize.cpp): one case per op kind,
// each listing the op's parameters once through the Archive, which writes
// them when saving and reads and range-checks them when loading. A loaded op
// is made through its constructor after the checks its builder would make
// (the node is then made by make_apply, which checks the op against its
// inputs); no parameter reaches an op unchecked, so corrupt bytes give a
// ValueError. A new op kind without a case here is a -Wswitch warning.
#include <algorithm>
#include <limits>
#include <typeinfo>

#include "compile/graph_op.hpp"
#include "compile/ifelse_op.hpp"
#include "compile/scan_op.hpp"
#include "compile/serialize_internal.hpp"
#include "ops/assert.hpp"
#include "ops/blas.hpp"
#include "ops/callback.hpp"
#include "ops/conv.hpp"
#include "ops/elemwise.hpp"
#include "ops/fused_ops.hpp"
#include "ops/grad_control.hpp"
#include "ops/io.hpp"
#include "ops/linalg.hpp"
#include "ops/nnet.hpp"
#include "ops/pool.hpp"
#include "ops/random.hpp"
#include "ops/reduce.hpp"
#include "ops/scalar_table.hpp"
#include "ops/shape.hpp"
#include "ops/sort_scan.hpp"
#include "ops/specify_shape.hpp"
#include "ops/subtensor.hpp"

namespace theon::serial {

namespace {

constexpr int kMaxAxis = static_cast<int>(kMaxNdim) - 1;
constexpr int kIntMax = std::numeric_limits<int>::max();
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();

// The op being saved as its class (null when loading).
template <class T>
const T* source(const Archive& ar, const Op* op) {
  if (!ar.saving()) return nullptr;
  const T* t = dynamic_cast<const T*>(op);
  if (!t)
    throw InternalError("save_graph: an op of kind " + std::string(op_kind_name(op->kind())) + " is a " +
                        typeid(*op).name() + ", not the class of its kind");
  return t;
}

// The loaded op (null when saving).
template <class T, class... Args>
OpPtr make(const Archive& ar, Args&&... args) {
  if (ar.saving()) return nullptr;
  return std::make_shared<T>(std::forward<Args>(args)...);
}

// Reduced axes: strictly increasing, as the ops keep them.
void axes_field(Archive& ar, std::vector<int>& axes, const char* what) {
  ar.field(axes, 0, kMaxAxis, what);
  for (size_t i = 1; i < axes.size(); ++i)
    if (axes[i] <= axes[i - 1]) ar.fail(std::string(what) + " are not strictly increasing");
}

void program_field(Archive& ar, FusedProgram& p) {
  ar.field(p.dtype);
  ar.field(p.n_inputs, 1, kIntMax, "a fused program's input count");
  ar.field(p.uniform);
  size_t n = p.code.size();
  ar.count(n, "a fused program's length");
  p.code.resize(n);
  for (size_t k = 0; k < n; ++k) {
    auto& ins = p.code[k];
    ar.enumeration(ins.id, kNumScalarOps, "a scalar function");
    const int64_t regs = static_cast<int64_t>(p.n_inputs) + static_cast<int64_t>(k);
    ar.field(ins.args, 0, static_cast<int>(std::min<int64_t>(regs - 1, kIntMax)), "a fused program's register");
    ar.field(ins.narrow);
  }
  if (ar.saving()) return;
  // What composite() checks, and what its runners take for granted.
  if (p.code.empty()) ar.fail("an empty fused program");
  if (p.uniform.size() != static_cast<size_t>(p.n_inputs)) ar.fail("a fused program's uniform flags do not fit");
  if (is_storage_only(p.dtype)) ar.fail("a fused program of a storage-only dtype");
  for (const auto& ins : p.code) {
    const auto& def = scalar_def(ins.id);
    if (static_cast<int>(ins.args.size()) != def.arity)
      ar.fail(std::string(def.name) + " in a fused program takes " + std::to_string(def.arity) + " arguments");
    if (ins.narrow && p.dtype != DType::Float64) ar.fail("a float32 instruction in a non-float64 fused program");
    const CT want = ins.narrow ? CT::F32 : compute_type(p.dtype);
    const int ct = static_cast<int>(want);
    if (!def.fn[ct] || def.out_ct[ct] != want)
      ar.fail(std::string(def.name) + " cannot run in a fused program of " + std::string(dtype_name(p.dtype)));
  }
}

void index_layout_field(Archive& ar, ops::IndexLayout& l, bool& adv) {
  size_t n = l.size();
  ar.count(n, "an index length");
  if (static_cast<int64_t>(n) > kMaxNdim) ar.fail("an index of " + std::to_string(n) + " entries");
  l.resize(n);
  for (auto& e : l) {
    ar.enumeration(e.kind, 3, "an index entry kind");
    ar.field(e.start);
    ar.field(e.stop);
    ar.field(e.step);
    if (e.kind != IndexEntry::Slice && (e.start || e.stop || e.step)) ar.fail("an index entry with slice parts");
  }
  ar.field(adv);
  if (adv != ops::has_array(l)) ar.fail("an index whose advanced flag does not match its entries");
}

void conv_params_field(Archive& ar, ConvParams& p) {
  ar.field(p.nd, 1, 3, "a convolution's dimensions");
  ar.enumeration(p.border, 3, "a convolution border");
  ar.field(p.pad, 0, kMaxConvParam, "a convolution padding");
  ar.field(p.pad_hi, 0, kMaxConvParam, "a convolution padding");
  ar.field(p.stride, 1, kMaxConvParam, "a convolution stride");
  ar.field(p.dilation, 1, kMaxConvParam, "a convolution dilation");
  ar.field(p.groups, 1, kMaxConvParam, "a convolution's groups");
  ar.field(p.flip);
  ar.field(p.unshared);
  if (!ar.saving()) p.check("load_graph: a convolution");
}

void pool_params_field(Archive& ar, PoolParams& p) {
  ar.field(p.nd, 1, 3, "a pooling's dimensions");
  ar.field(p.ws, 1, kMaxPoolParam, "a pooling window");
  ar.field(p.stride, 1, kMaxPoolParam, "a pooling stride");
  ar.field(p.pad, 0, kMaxPoolParam, "a pooling padding");
  ar.field(p.ignore_border);
  ar.enumeration(p.mode, 4, "a pooling mode");
  ar.field(p.dynamic);
  if (!ar.saving()) p.check("load_graph: a pooling");
}

void linalg_params_field(Archive& ar, LinalgParams& p) {
  ar.enumeration(p.fn, static_cast<int>(LinalgFn::Expm) + 1, "a linalg function");
  ar.field(p.lower);
  ar.field(p.nan_on_error);
  ar.enumeration(p.structure, static_cast<int>(MatrixStructure::UpperTriangular) + 1, "a matrix structure");
  ar.field(p.trans);
  ar.field(p.unit_diagonal);
  ar.field(p.compute_v);
  ar.field(p.compute_uv);
  ar.field(p.full_matrices);
  ar.enumeration(p.qr_mode, static_cast<int>(QRMode::Raw) + 1, "a QR mode");
  ar.field(p.rcond);
}

OpPtr scan_field(Archive& ar, const ops::ScanOp* o) {
  std::string label = o ? o->label() : "";
  std::vector<ops::ScanStateInfo> states = o ? o->states() : std::vector<ops::ScanStateInfo>{};
  size_t n_seq = o ? o->n_sequences() : 0, n_param = o ? o->n_params() : 0, n_states = states.size();
  int n_outputs = o ? o->n_outputs() : 0;
  bool has_until = o && o->has_until();
  int64_t truncate = o ? o->truncate_gradient() : -1;
  ar.field(label);
  ar.count(n_states, "a number of scan states");
  states.resize(n_states);
  size_t n_taps = 0;
  for (auto& s : states) {
    ar.field(s.taps, -kIntMax, -1, "a scan tap");
    ar.field(s.keep_history);
    if (s.taps.empty()) ar.fail("a scan state without taps");
    for (size_t j = 1; j < s.taps.size(); ++j)
      if (s.taps[j] <= s.taps[j - 1]) ar.fail("a scan state's taps are not increasing");
    n_taps += s.taps.size();
  }
  ar.count(n_seq, "a number of scan sequences");
  ar.count(n_param, "a number of scan parameters");
  ar.field(n_outputs, 0, kIntMax, "a number of scan outputs");
  ar.field(has_until);
  ar.field(truncate, -1, kInt64Max, "a scan's truncate_gradient");
  std::vector<Var> inputs, outputs;
  if (o) {
    inputs = o->seq_inner();
    inputs.insert(inputs.end(), o->tap_inner().begin(), o->tap_inner().end());
    inputs.insert(inputs.end(), o->param_inner().begin(), o->param_inner().end());
    outputs = o->step_outputs();
  }
  ar.graph(inputs, outputs, false, "the step of Scan{" + label + "}");
  if (ar.saving()) return nullptr;
  if (inputs.size() != n_seq + n_taps + n_param)
    ar.fail("a scan step with " + std::to_string(inputs.size()) + " inputs for " + std::to_string(n_seq) +
            " sequences, " + std::to_string(n_taps) + " taps and " + std::to_string(n_param) + " parameters");
  if (outputs.size() != n_states + static_cast<size_t>(n_outputs) + (has_until ? 1 : 0))
    ar.fail("a scan step with " + std::to_string(outputs.size()) + " outputs");
  // What scan() checks: a state keeps its type across steps; until is a flag.
  for (size_t s = 0, tap = n_seq; s < n_states; ++s)
    for (size_t j = 0; j < states[s].taps.size(); ++j, ++tap)
      if (outputs[s]->dtype() != inputs[tap]->dtype() || outputs[s]->ndim() != inputs[tap]->ndim())
        ar.fail("a scan step returns " + outputs[s]->type.str() + " for a state it reads as " +
                inputs[tap]->type.str());
  if (has_until && (outputs.back()->ndim() != 0 || !is_discrete(outputs.back()->dtype())))
    ar.fail("a scan's until is " + outputs.back()->type.str());
  const auto at = [&](size_t a, size_t b) {
    return std::vector<Var>(inputs.begin() + static_cast<ptrdiff_t>(a), inputs.begin() + static_cast<ptrdiff_t>(b));
  };
  return std::make_shared<ops::ScanOp>(label, at(0, n_seq), states, at(n_seq, n_seq + n_taps),
                                       at(n_seq + n_taps, inputs.size()), outputs, n_outputs, has_until, truncate);
}

OpPtr ifelse_field(Archive& ar, const ops::IfElseOp* o) {
  std::string label = o ? o->label() : "";
  size_t n = o ? o->n_outputs() : 0;
  ar.field(label);
  ar.count(n, "a number of ifelse outputs");
  std::vector<Var> params, outputs;
  if (o) {
    params = o->params();
    outputs = o->then_outputs();
    outputs.insert(outputs.end(), o->else_outputs().begin(), o->else_outputs().end());
  }
  ar.graph(params, outputs, false, "the branches of IfElse{" + label + "}");
  if (ar.saving()) return nullptr;
  if (outputs.size() != 2 * n) ar.fail("ifelse branches with " + std::to_string(outputs.size()) + " outputs");
  for (size_t k = 0; k < n; ++k)
    if (outputs[k]->dtype() != outputs[n + k]->dtype() || outputs[k]->ndim() != outputs[n + k]->ndim())
      ar.fail("ifelse branches give " + outputs[k]->type.str() + " and " + outputs[n + k]->type.str());
  return std::make_shared<ops::IfElseOp>(label, params, std::vector<Var>(outputs.begin(), outputs.begin() + n),
                                         std::vector<Var>(outputs.begin() + n, outputs.end()));
}

OpPtr graph_op_field(Archive& ar, const ops::GraphOp* o) {
  GraphOpSpec s = o ? o->spec() : GraphOpSpec{};
  ar.field(s.name);
  size_t sizes[6] = {s.inputs.size(),  s.output_grads.size(),   s.eval_points.size(),
                     s.outputs.size(), s.grad_overrides.size(), s.rop_overrides.size()};
  for (auto& n : sizes) ar.count(n, "a graph op's list length");
  bool has_connection = !s.connection.empty();
  ar.field(has_connection);
  if (has_connection) {
    s.connection.resize(sizes[0]);
    for (auto& row : s.connection) {
      if (ar.saving() && row.size() != sizes[3]) ar.fail("a graph op's connection pattern does not fit");
      ar.field(row);
      if (row.size() != sizes[3]) ar.fail("a graph op's connection pattern does not fit");
    }
  }
  std::vector<Var> inputs = s.inputs, outputs = s.outputs;
  for (const auto* l : {&s.output_grads, &s.eval_points}) inputs.insert(inputs.end(), l->begin(), l->end());
  for (const auto* l : {&s.grad_overrides, &s.rop_overrides}) outputs.insert(outputs.end(), l->begin(), l->end());
  ar.graph(inputs, outputs, true, "the graph of " + s.name);
  if (ar.saving()) return nullptr;
  if (inputs.size() != sizes[0] + sizes[1] + sizes[2] || outputs.size() != sizes[3] + sizes[4] + sizes[5])
    ar.fail("a graph op's lists do not fit its graph");
  const auto split = [](const std::vector<Var>& v, size_t a, size_t n) {
    return std::vector<Var>(v.begin() + static_cast<ptrdiff_t>(a), v.begin() + static_cast<ptrdiff_t>(a + n));
  };
  s.inputs = split(inputs, 0, sizes[0]);
  s.output_grads = split(inputs, sizes[0], sizes[1]);
  s.eval_points = split(inputs, sizes[0] + sizes[1], sizes[2]);
  s.outputs = split(outputs, 0, sizes[3]);
  s.grad_overrides = split(outputs, sizes[3], sizes[4]);
  s.rop_overrides = split(outputs, sizes[3] + sizes[4], sizes[5]);
  // What apply_graph_op and the op's gradient and R-op take for granted.
  for (const Var& v : s.outputs)
    if (!v) ar.fail("a graph op with a missing (None) output");
  if (!s.grad_overrides.empty() &&
      (s.grad_overrides.size() != s.inputs.size() || s.output_grads.size() != s.outputs.size()))
    ar.fail("a graph op's gradient overrides do not fit its inputs and outputs");
  if (!s.rop_overrides.empty() &&
      (s.rop_overrides.size() != s.outputs.size() || s.eval_points.size() != s.inputs.size()))
    ar.fail("a graph op's R-op overrides do not fit its inputs and outputs");
  if (!s.output_grads.empty() && s.output_grads.size() != s.outputs.size())
    ar.fail("a graph op's output gradients do not fit its outputs");
  if (!s.eval_points.empty() && s.eval_points.size() != s.inputs.size())
    ar.fail("a graph op's evaluation points do not fit its inputs");
  return std::make_shared<ops::GraphOp>(std::move(s));
}

OpPtr host_op_field(Archive& ar, const Op* op, const std::vector<TensorType>& output_types) {
  if (!ar.host())
    ar.fail("the op " + (op ? op->name() + " " : std::string()) +
            "is written in the host language (a Python op); it needs a HostOpCodec");
  int64_t index = ar.saving() ? ar.host()->save(*op) : 0;
  ar.field(index, 0, kInt64Max, "a host op index");
  if (ar.saving()) return nullptr;
  OpPtr loaded = ar.host()->load(index, output_types);
  if (!loaded) ar.fail("the host op codec gave no op for index " + std::to_string(index));
  return loaded;
}

}  // namespace

OpPtr transfer_op(Archive& ar, const Op* op, const std::vector<TensorType>& output_types) {
  OpKind kind = op ? op->kind() : OpKind::count_;
  ar.enumeration(kind, kNumOpKinds, "an op kind");
  switch (kind) {
    case OpKind::Elemwise:
    case OpKind::Cast: {
      const auto* o = source<ops::Elemwise>(ar, op);
      ScalarOpId id = o ? o->id() : ScalarOpId::identity;
      std::optional<DType> to;
      int inplace = o ? o->inplace() : -1;
      ar.enumeration(id, kNumScalarOps, "a scalar function");
      if (kind == OpKind::Cast) {
        DType d = o ? o->cast_to() : DType::Float64;
        ar.field(d);
        to = d;
      }
      const int arity = kind == OpKind::Cast ? 1 : scalar_def(id).arity;
      ar.field(inplace, -1, arity - 1, "an overwritten input");
      return make<ops::Elemwise>(ar, id, to, inplace);
    }
    case OpKind::Fused: {
      const auto* o = source<ops::Composite>(ar, op);
      FusedProgram p = o ? o->program() : FusedProgram{};
      int inplace = o ? o->inplace() : -1;
      program_field(ar, p);
      ar.field(inplace, -1, p.n_inputs - 1, "an overwritten input");
      return make<ops::Composite>(ar, std::move(p), inplace);
    }
    case OpKind::FusedReduce: {
      const auto* o = source<ops::FusedReduce>(ar, op);
      FusedProgram p = o ? o->program() : FusedProgram{};
      ReduceKind k = o ? o->reduce_kind() : ReduceKind::Sum;
      std::vector<int> axes = o ? o->axes() : std::vector<int>{};
      program_field(ar, p);
      ar.enumeration(k, static_cast<int>(ReduceKind::Min) + 1, "a fused reduction");  // sum, prod, max, min
      axes_field(ar, axes, "reduced axes");
      if (!ar.saving() && !is_float(p.dtype)) ar.fail("a fused reduction of a non-float program");
      return make<ops::FusedReduce>(ar, std::move(p), k, std::move(axes));
    }
    case OpKind::Reduce: {
      const auto* o = source<ops::Reduce>(ar, op);
      ReduceKind k = o ? o->reduce_kind() : ReduceKind::Sum;
      std::vector<int> axes = o ? o->axes() : std::vector<int>{};
      ar.enumeration(k, static_cast<int>(ReduceKind::Any) + 1, "a reduction");
      axes_field(ar, axes, "reduced axes");
      return make<ops::Reduce>(ar, k, std::move(axes));
    }
    case OpKind::ArgReduce: {
      const auto* o = source<ops::ArgReduce>(ar, op);
      bool is_max = o && o->is_max();
      std::vector<int> axes = o ? o->axes() : std::vector<int>{};
      ar.field(is_max);
      axes_field(ar, axes, "reduced axes");
      return make<ops::ArgReduce>(ar, is_max, std::move(axes));
    }
    case OpKind::DimShuffle: {
      const auto* o = source<ops::DimShuffle>(ar, op);
      std::vector<int> order = o ? o->order() : std::vector<int>{};
      ar.field(order, -1, kMaxAxis, "a dimshuffle axis");
      if (static_cast<int64_t>(order.size()) > kMaxNdim) ar.fail("a dimshuffle to too many dimensions");
      return make<ops::DimShuffle>(ar, std::move(order));
    }
    case OpKind::Reshape: {
      const auto* o = source<ops::Reshape>(ar, op);
      int ndim = o ? o->ndim() : 0;
      ar.field(ndim, 0, static_cast<int>(kMaxNdim), "a reshape's dimensions");
      return make<ops::Reshape>(ar, ndim);
    }
    case OpKind::Shape:
      return make<ops::ShapeOp>(ar);
    case OpKind::ShapeI: {
      const auto* o = source<ops::ShapeI>(ar, op);
      int axis = o ? o->axis() : 0;
      ar.field(axis, 0, kMaxAxis, "an axis");
      return make<ops::ShapeI>(ar, axis);
    }
    case OpKind::MakeVector: {
      const auto* o = source<ops::MakeVector>(ar, op);
      DType d = o ? o->dtype() : DType::Int64;
      ar.field(d);
      return make<ops::MakeVector>(ar, d);
    }
    case OpKind::Alloc:
      return make<ops::Alloc>(ar);
    case OpKind::ARange: {
      const auto* o = source<ops::ARange>(ar, op);
      DType d = o ? o->dtype() : DType::Int64;
      ar.field(d);
      return make<ops::ARange>(ar, d);
    }
    case OpKind::Eye: {
      const auto* o = source<ops::Eye>(ar, op);
      DType d = o ? o->dtype() : DType::Float64;
      ar.field(d);
      return make<ops::Eye>(ar, d);
    }
    case OpKind::Join: {
      const auto* o = source<ops::Join>(ar, op);
      int axis = o ? o->axis() : 0;
      ar.field(axis, 0, kMaxAxis, "an axis");
      return make<ops::Join>(ar, axis);
    }
    case OpKind::JoinGrad: {
      const auto* o = source<ops::JoinGrad>(ar, op);
      int axis = o ? o->axis() : 0, i = o ? o->input() : 0;
      ar.field(axis, 0, kMaxAxis, "an axis");
      ar.field(i, 0, kIntMax - 2, "a joined input");
      return make<ops::JoinGrad>(ar, axis, i);
    }
    case OpKind::SpecifyShape: {
      const auto* o = source<ops::SpecifyShape>(ar, op);
      std::vector<int64_t> pattern = o ? o->pattern() : std::vector<int64_t>{};
      bool symbolic = o && o->symbolic();
      ar.field(pattern, kKeepLength, kInt64Max, "a specified length");
      ar.field(symbolic);
      return make<ops::SpecifyShape>(ar, std::move(pattern), symbolic);
    }
    case OpKind::Dot:
      return make<ops::Dot>(ar);
    case OpKind::Matmul:
      return make<ops::Matmul>(ar);
    case OpKind::Gemm: {
      const auto* o = source<ops::Gemm>(ar, op);
      bool inplace = o && o->inplace();
      std::string base = o ? o->base_name() : "";
      ar.field(inplace);
      ar.field(base);
      if (ar.saving()) return nullptr;
      auto g = std::make_shared<ops::Gemm>(inplace);
      g->set_base_name(std::move(base));
      return g;
    }
    case OpKind::DotScalar:
      return make<ops::DotScalar>(ar);
    case OpKind::Subtensor: {
      const auto* o = source<ops::SubtensorOp>(ar, op);
      ops::IndexLayout l = o ? o->layout() : ops::IndexLayout{};
      bool adv = o && o->advanced();
      index_layout_field(ar, l, adv);
      return make<ops::SubtensorOp>(ar, std::move(l), adv);
    }
    case OpKind::IncSubtensor: {
      const auto* o = source<ops::IncSubtensorOp>(ar, op);
      ops::IndexLayout l = o ? o->layout() : ops::IndexLayout{};
      bool adv = o && o->advanced(), set = o && o->sets(), inplace = o && o->inplace();
      index_layout_field(ar, l, adv);
      ar.field(set);
      ar.field(inplace);
      return make<ops::IncSubtensorOp>(ar, std::move(l), adv, set, inplace);
    }
    case OpKind::Sort:
    case OpKind::ArgSort: {
      const auto* o = source<ops::AxisOp>(ar, op);
      int axis = o ? o->axis() : 0;
      ar.field(axis, 0, kMaxAxis, "an axis");
      if (kind == OpKind::Sort) return make<ops::Sort>(ar, axis);
      return make<ops::ArgSort>(ar, axis);
    }
    case OpKind::TopK: {
      const auto* o = source<ops::TopK>(ar, op);
      int axis = o ? o->axis() : 0;
      bool values = o && o->returns_values(), indices = o && o->returns_indices();
      DType d = o ? o->idx_dtype() : DType::Int64;
      ar.field(axis, 0, kMaxAxis, "an axis");
      ar.field(values);
      ar.field(indices);
      ar.field(d);
      if (!ar.saving() && ((!values && !indices) || !is_int(d))) ar.fail("a TopK without outputs or integer positions");
      return make<ops::TopK>(ar, axis, values, indices, d);
    }
    case OpKind::CumOp: {
      const auto* o = source<ops::CumOp>(ar, op);
      int axis = o ? o->axis() : 0;
      bool mul = o && o->is_mul();
      ar.field(axis, 0, kMaxAxis, "an axis");
      ar.field(mul);
      return make<ops::CumOp>(ar, axis, mul);
    }
    case OpKind::SearchSorted: {
      const auto* o = source<ops::SearchSorted>(ar, op);
      bool right = o && o->right();
      ar.field(right);
      return make<ops::SearchSorted>(ar, right);
    }
    case OpKind::Nonzero:
      return make<ops::Nonzero>(ar);
    case OpKind::Softmax: {
      const auto* o = source<ops::Softmax>(ar, op);
      int axis = o ? o->axis() : 0;
      bool log_form = o && o->log_form();
      ar.field(axis, 0, kMaxAxis, "an axis");
      ar.field(log_form);
      return make<ops::Softmax>(ar, axis, log_form);
    }
    case OpKind::LogSumExp: {
      const auto* o = source<ops::LogSumExp>(ar, op);
      int axis = o ? o->axis() : 0;
      ar.field(axis, 0, kMaxAxis, "an axis");
      return make<ops::LogSumExp>(ar, axis);
    }
    case OpKind::Linalg: {
      const auto* o = source<ops::Linalg>(ar, op);
      LinalgParams p = o ? o->params() : LinalgParams{};
      linalg_params_field(ar, p);
      return make<ops::Linalg>(ar, p);
    }
    case OpKind::CrossentropySoftmax1Hot: {
      const auto* o = source<ops::CrossentropySoftmax1Hot>(ar, op);
      bool bias = o && o->with_bias();
      ar.field(bias);
      return make<ops::CrossentropySoftmax1Hot>(ar, bias);
    }
    case OpKind::CrossentropySoftmax1HotDx:
      return make<ops::CrossentropySoftmax1HotDx>(ar);
    case OpKind::Conv:
    case OpKind::ConvGradInputs:
    case OpKind::ConvGradWeights: {
      const auto* o = source<ops::Conv>(ar, op);
      const ops::ConvRole role = kind == OpKind::Conv             ? ops::ConvRole::Forward
                                 : kind == OpKind::ConvGradInputs ? ops::ConvRole::GradInputs
                                                                  : ops::ConvRole::GradWeights;
      ConvParams p = o ? o->params() : ConvParams{};
      bool bias = o && o->bias();
      ConvActivation act = o ? o->activation() : ConvActivation::None;
      conv_params_field(ar, p);
      ar.field(bias);
      ar.enumeration(act, static_cast<int>(ConvActivation::Sigmoid) + 1, "a convolution activation");
      if (!ar.saving() && role != ops::ConvRole::Forward && (bias || act != ConvActivation::None))
        ar.fail("a convolution gradient with a bias or an activation");
      return make<ops::Conv>(ar, role, std::move(p), bias, act);
    }
    case OpKind::Pool:
    case OpKind::PoolGrad:
    case OpKind::PoolGradGrad: {
      const auto* o = source<ops::Pool>(ar, op);
      const ops::PoolRole role = kind == OpKind::Pool       ? ops::PoolRole::Forward
                                 : kind == OpKind::PoolGrad ? ops::PoolRole::Grad
                                                            : ops::PoolRole::GradGrad;
      PoolParams p = o ? o->params() : PoolParams{};
      pool_params_field(ar, p);
      return make<ops::Pool>(ar, role, std::move(p));
    }
    case OpKind::MRGUniform: {
      const auto* o = source<ops::MRGUniform>(ar, op);
      DType d = o ? o->dtype() : DType::Float64;
      int ndim = o ? o->ndim() : 0;
      ar.field(d);
      ar.field(ndim, 0, static_cast<int>(kMaxNdim), "a sample's dimensions");
      return make<ops::MRGUniform>(ar, d, ndim);
    }
    case OpKind::FromUniform: {
      const auto* o = source<ops::FromUniform>(ar, op);
      DType d = o ? o->odtype() : DType::Int64;
      bool choice = o && o->choice(), replace = o && o->replace();
      ar.field(d);
      ar.field(choice);
      ar.field(replace);
      return make<ops::FromUniform>(ar, d, choice, replace);
    }
    case OpKind::RandomStateDraw: {
      const auto* o = source<ops::RandomStateDraw>(ar, op);
      ops::RandomDist dist = o ? o->dist() : ops::RandomDist::Uniform;
      DType d = o ? o->dtype() : DType::Float64;
      int ndim = o ? o->ndim() : 0;
      ar.enumeration(dist, static_cast<int>(ops::RandomDist::Choice) + 1, "a distribution");
      ar.field(d);
      ar.field(ndim, 0, static_cast<int>(kMaxNdim), "a sample's dimensions");
      return make<ops::RandomStateDraw>(ar, dist, d, ndim);
    }
    case OpKind::BoxMuller: {
      const auto* o = source<ops::BoxMuller>(ar, op);
      ops::BoxMullerPart part = o ? o->part() : ops::BoxMullerPart::Radius;
      ar.enumeration(part, static_cast<int>(ops::BoxMullerPart::Normal) + 1, "a Box-Muller step");
      return make<ops::BoxMuller>(ar, part);
    }
    case OpKind::GradControl: {
      using Control = ops::GradControl::Control;
      const auto* o = source<ops::GradControl>(ar, op);
      Control c = o ? o->control() : Control::Zero;
      double a = o ? o->a() : 0, b = o ? o->b() : 0;
      ar.enumeration(c, static_cast<int>(Control::Scale) + 1, "a gradient control");
      ar.field(a);
      ar.field(b);
      return make<ops::GradControl>(ar, c, a, b);
    }
    case OpKind::NullGrad: {
      const auto* o = source<ops::NullGrad>(ar, op);
      TensorType t = o ? o->type() : TensorType{};
      std::string why = o ? o->why() : "";
      ar.field(t);
      ar.field(why);
      return make<ops::NullGrad>(ar, std::move(t), std::move(why));
    }
    case OpKind::Assert: {
      const auto* o = source<ops::Assert>(ar, op);
      std::string message = o ? o->message() : "";
      CheckFailure f = o ? o->failure() : CheckFailure::Assertion;
      ar.field(message);
      ar.enumeration(f, static_cast<int>(CheckFailure::Type) + 1, "a check's error class");
      return make<ops::Assert>(ar, std::move(message), f);
    }
    case OpKind::Scan:
      return scan_field(ar, source<ops::ScanOp>(ar, op));
    case OpKind::IfElse:
      return ifelse_field(ar, source<ops::IfElseOp>(ar, op));
    case OpKind::OpFromGraph:
      return graph_op_field(ar, source<ops::GraphOp>(ar, op));
    case OpKind::LoadFromDisk: {
      const auto* o = source<ops::LoadFromDisk>(ar, op);
      std::string path = o ? o->path() : "";
      TensorType t = o ? o->type() : TensorType{};
      bool mmap = o && o->mmap();
      ar.field(path);
      ar.field(t);
      ar.field(mmap);
      return make<ops::LoadFromDisk>(ar, std::move(path), std::move(t), mmap);
    }
    case OpKind::HostCallback:
      return host_op_field(ar, op, output_types);
    case OpKind::count_:
      break;
  }
  ar.fail("an op of unknown kind");
}

}  // namespace theon::serial
