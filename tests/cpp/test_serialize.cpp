// Graph serialization (theon/serialize.hpp): every op kind round-trips with
// its parameters and computes the same values after loading; identity, deep
// graphs, inner graphs, leaf checks, format errors, and corrupt bytes.
#include <gtest/gtest.h>

#include <cstring>
#include <set>
#include <unordered_map>

#include "compile/graph_op.hpp"
#include "compile/ifelse_op.hpp"
#include "compile/scan_op.hpp"
#include "ops/callback.hpp"
#include "ops/fused.hpp"
#include "ops/op_info.hpp"
#include "ops/shape.hpp"
#include "theon/serialize.hpp"
#include "theon/theon.hpp"

using namespace theon;

namespace {

Var input(DType d, Shape s, const char* name) { return variable(TensorType(d, std::move(s)), name); }
Var dmat(const char* name) { return input(DType::Float64, {-1, -1}, name); }
Var dvec(const char* name) { return input(DType::Float64, {-1}, name); }
Var dscalar(const char* name) { return input(DType::Float64, {}, name); }
Var iscalar(const char* name) { return input(DType::Int64, {}, name); }

NDArray dvals(const Shape& s, double start = 0.5, double step = 0.25) {
  NDArray a = NDArray::empty(DType::Float64, s);
  for (int64_t i = 0; i < a.size(); ++i) a.ptr<double>()[i] = start + step * static_cast<double>((i * 7) % 17);
  return a;
}
NDArray ivec(std::vector<int64_t> v) { return NDArray::from_vector(v, {static_cast<int64_t>(v.size())}); }
NDArray ival(int64_t v) { return NDArray::scalar<int64_t>(v); }

// A host-language op, as a Python op would be: doubles its input.
class Doubler final : public ops::HostCallback {
 public:
  std::string name() const override { return "Doubler"; }
  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override {
    if (in.size() != 1) throw TypeError("Doubler takes one input");
    return {in[0]->type};
  }
  void run(const Apply*, const std::vector<NDArray>& in, std::vector<NDArray>& out) const override {
    out[0] = in[0].astype(DType::Float64);
    for (int64_t i = 0; i < out[0].size(); ++i) out[0].ptr<double>()[i] *= 2;
  }
};

// Kinds in the graph of `outputs`, inner graphs included.
void collect_kinds(const std::vector<Var>& outputs, std::set<OpKind>* kinds) {
  for (Apply* n : toposort(outputs)) {
    kinds->insert(n->op->kind());
    std::vector<Var> inner;
    if (n->op->kind() == OpKind::Scan) inner = static_cast<const ops::ScanOp&>(*n->op).step_outputs();
    if (n->op->kind() == OpKind::IfElse) {
      const auto& o = static_cast<const ops::IfElseOp&>(*n->op);
      inner = o.then_outputs();
      inner.insert(inner.end(), o.else_outputs().begin(), o.else_outputs().end());
    }
    if (n->op->kind() == OpKind::OpFromGraph) {
      const auto& s = static_cast<const ops::GraphOp&>(*n->op).spec();
      inner = s.outputs;
      for (const auto& v : s.grad_overrides)
        if (v) inner.push_back(v);
    }
    collect_kinds(inner, kinds);
  }
}

// The two graphs are the same node for node: ops (kind, name, parameters),
// wiring, output types and names, constants; inner graphs likewise. Roots
// that are not constants must be the same variables, or pairs in `roots`.
using VarMap = std::unordered_map<const Variable*, const Variable*>;
void expect_same_graph(const std::vector<Var>& a, const std::vector<Var>& b, VarMap map = {}) {
  ASSERT_EQ(a.size(), b.size());
  std::vector<Apply*> na = toposort(a), nb = toposort(b);
  ASSERT_EQ(na.size(), nb.size());
  auto same_var = [&](const Var& x, const Var& y) {
    if (!x || !y) return !x && !y;
    if (const Constant* c = as_constant(x)) {
      const Constant* d = as_constant(y);
      return d && c->same_value(*d) && c->name == d->name;
    }
    auto it = map.find(x.get());
    if (it == map.end()) return !x->owner && x == y;
    return it->second == y.get();
  };
  // The inner graphs of two nodes of the same kind, their inputs paired.
  auto inner = [](const Op& op, std::vector<Var>* in, std::vector<Var>* out) {
    if (op.kind() == OpKind::Scan) {
      const auto& o = static_cast<const ops::ScanOp&>(op);
      *in = o.seq_inner();
      in->insert(in->end(), o.tap_inner().begin(), o.tap_inner().end());
      in->insert(in->end(), o.param_inner().begin(), o.param_inner().end());
      *out = o.step_outputs();
    } else if (op.kind() == OpKind::IfElse) {
      const auto& o = static_cast<const ops::IfElseOp&>(op);
      *in = o.params();
      *out = o.then_outputs();
      out->insert(out->end(), o.else_outputs().begin(), o.else_outputs().end());
    } else if (op.kind() == OpKind::OpFromGraph) {
      const auto& s = static_cast<const ops::GraphOp&>(op).spec();
      for (const auto* l : {&s.inputs, &s.output_grads, &s.eval_points}) in->insert(in->end(), l->begin(), l->end());
      for (const auto* l : {&s.outputs, &s.grad_overrides, &s.rop_overrides})
        out->insert(out->end(), l->begin(), l->end());
    }
  };
  for (size_t i = 0; i < na.size(); ++i) {
    const Apply &x = *na[i], &y = *nb[i];
    ASSERT_EQ(x.op->kind(), y.op->kind());
    ASSERT_EQ(x.op->name(), y.op->name());
    std::vector<Var> xin, xout, yin, yout;
    inner(*x.op, &xin, &xout);
    inner(*y.op, &yin, &yout);
    if (!xout.empty() || !xin.empty()) {
      ASSERT_EQ(xin.size(), yin.size());
      VarMap m;
      for (size_t j = 0; j < xin.size(); ++j) {
        EXPECT_EQ(xin[j]->type, yin[j]->type);
        EXPECT_EQ(xin[j]->name, yin[j]->name);
        m[xin[j].get()] = yin[j].get();
      }
      expect_same_graph(xout, yout, m);
    } else if (x.op->kind() != OpKind::NullGrad && x.op->kind() != OpKind::HostCallback) {
      EXPECT_TRUE(x.op->equals(*y.op)) << x.op->name();
    }
    EXPECT_EQ(x.op->destroys(), y.op->destroys());
    ASSERT_EQ(x.inputs.size(), y.inputs.size());
    for (size_t j = 0; j < x.inputs.size(); ++j) EXPECT_TRUE(same_var(x.inputs[j], y.inputs[j])) << x.str();
    ASSERT_EQ(x.num_outputs(), y.num_outputs());
    for (int j = 0; j < x.num_outputs(); ++j) {
      EXPECT_EQ(x.raw_output(j)->type, y.raw_output(j)->type) << x.str();
      EXPECT_EQ(x.raw_output(j)->name, y.raw_output(j)->name);
      map[x.raw_output(j)] = y.raw_output(j);
    }
  }
  for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(same_var(a[i], b[i]));
}

void expect_same_values(const std::vector<NDArray>& a, const std::vector<NDArray>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].dtype, b[i].dtype);
    ASSERT_EQ(a[i].shape, b[i].shape);
    NDArray x = a[i].contiguous(), y = b[i].contiguous();
    EXPECT_EQ(std::memcmp(x.data, y.data, x.nbytes()), 0) << "output " << i;
  }
}

FunctionOptions lenient() {
  FunctionOptions o;
  o.on_unused_input = UnusedInputPolicy::Ignore;
  return o;
}

// One graph of the every-kind test: its inputs, outputs and values to run
// it with (no values: compared by structure only).
struct Case {
  std::string name;
  std::vector<Var> inputs, outputs;
  std::vector<NDArray> values;
  bool run = true;
};

std::vector<Case> every_kind_cases() {
  std::vector<Case> cs;
  const Var x = dmat("x"), y = dmat("y"), v = dvec("v"), s = dscalar("s");
  const NDArray X = dvals({3, 4}), Y = dvals({3, 4}, -1.0, 0.5), V = dvals({5}, 2.0, -0.75), S = dvals({}, 1.5);
  // elementwise, casts, reductions, shapes
  cs.push_back({"elemwise",
                {x, y, s},
                {add(x, y), exp(x), switch_(gt(x, y), x, s), cast(x, DType::Float32), cast(x, DType::Int16),
                 sum(x, std::vector<int>{0}), prod(x, std::vector<int>{1}, true), max(x), any(gt(x, s)),
                 argmax(x, std::vector<int>{1}), argmin(x), transpose(x), dimshuffle(s, {-1, -1}),
                 reshape(x, std::vector<int64_t>{4, 3}), flatten(x), shape(x), shape_i(x, 1)},
                {X, Y, S}});
  const Var n = iscalar("n"), m = iscalar("m"), k = iscalar("k");
  cs.push_back({"construction",
                {s, n, m, k},
                {make_vector({n, m, k}), alloc(s, {n, m}), arange(k, n, m, DType::Int64), eye(n, m, k, DType::Float32),
                 concatenate({dimshuffle(s, {-1}), dimshuffle(s, {-1})}), stack({s, s})},
                {S, ival(5), ival(2), ival(1)}});
  const Var gz = dvec("gz");
  cs.push_back({"join_grad",
                {gz, v, s},
                {apply1(std::make_shared<ops::JoinGrad>(0, 1), {gz, dimshuffle(s, {-1}), v})},
                {dvals({6}), V, S}});
  cs.push_back(
      {"specify_shape", {x, v}, {specify_static_shape(x, {3, kKeepLength}), specify_shape(v, shape(v))}, {X, V}});
  // BLAS, including what the BLAS phase makes
  const Var x3 = input(DType::Float64, {-1, -1, -1}, "x3"), z = dmat("z");
  cs.push_back({"blas",
                {x, y, x3, z, s, v},
                {dot(x, transpose(y)), matmul(x3, dimshuffle(x3, {0, 2, 1})), outer(v, v),
                 gemm(z, s, x, transpose(y), s), gemm(z, s, x, transpose(y), s, true), dot_scalar(x, transpose(y), s)},
                {X, Y, dvals({2, 3, 4}), dvals({3, 3}, 0.1), S, V}});
  // indexing
  const Var i = iscalar("i"), idx = input(DType::Int64, {-1}, "idx");
  Var sub = subtensor(x, {IndexEntry::slice(scalar_constant<int64_t>(1), nullptr, nullptr), IndexEntry::integer(i)});
  Var adv = subtensor(x, {IndexEntry::array(idx)});
  cs.push_back({"indexing",
                {x, i, idx, s},
                {sub, adv, inc_subtensor(sub, s), set_subtensor(adv, s),
                 subtensor(x, {IndexEntry::slice(nullptr, nullptr, scalar_constant<int64_t>(-1))})},
                {X, ival(2), ivec({2, 0, 2}), S}});
  // sorting and scans
  cs.push_back({"sort_scan",
                {v, x, k},
                {sort(v), argsort(x, 0), topk(v, k, -1, true, true)[0], topk(v, k, -1, true, true)[1],
                 topk(x, k, 1, false, true, DType::Int32)[0], cumsum(x, 1), cumprod(v), searchsorted(sort(v), x, true),
                 nonzero(gt(x, scalar_constant<double>(1.0)))[1]},
                {V, X, ival(2)}});
  // neural network
  const Var b = dvec("b"), labels = input(DType::Int64, {-1}, "labels"), dy = dvec("dy");
  auto ce = crossentropy_softmax_1hot(x, b, labels);
  cs.push_back({"nnet",
                {x, b, labels, dy},
                {softmax(x), log_softmax(x, 0), logsumexp(x), ce[0], ce[1], ce[2],
                 crossentropy_softmax_1hot(x, nullptr, labels)[0], crossentropy_softmax_1hot_dx(dy, ce[1], labels)},
                {X, dvals({4}), ivec({0, 3, 1}), dvals({3})}});
  // linear algebra
  const Var a = dmat("a");
  NDArray A = dvals({3, 3}, 0.2, 0.1);
  for (int r = 0; r < 3; ++r) A.ptr<double>()[r * 4] += 4;  // well conditioned, positive definite
  const Var spd =
      add(dot(a, transpose(a)), eye(shape_i(a, 0), shape_i(a, 0), scalar_constant<int64_t>(0), DType::Float64));
  cs.push_back({"linalg",
                {a, v},
                {matrix_inverse(a), det(a), slogdet(a)[1], cholesky(spd, false), solve(a, v, MatrixStructure::General),
                 solve_triangular(a, v, true, true), cho_solve(cholesky(spd), v), eigh(spd)[0], svd(a, false)[1],
                 qr(a, QRMode::Complete)[1], pinv(a, 1e-10), expm(a)},
                {A, dvals({3}, 1.0)}});
  // convolutions and pooling
  const Var img = input(DType::Float64, {-1, -1, -1, -1}, "img"), w = input(DType::Float64, {-1, -1, -1, -1}, "w");
  const Var gy = input(DType::Float64, {-1, -1, -1, -1}, "gy"), cb = dvec("cb");
  ConvParams cp;
  cp.nd = 2;
  cp.pad = {1, 0};
  cp.stride = {1, 2};
  cp.flip = false;
  PoolParams pp;
  pp.nd = 2;
  pp.ws = {2, 2};
  pp.mode = PoolMode::AverageExcPad;
  PoolParams mp;
  mp.nd = 2;
  mp.ws = {2, 2};
  mp.stride = {1, 1};
  const Var pooled = pool(img, mp);
  cs.push_back(
      {"conv_pool",
       {img, w, gy, cb},
       {conv(img, w, cp), conv_bias_act(img, w, cb, cp, ConvActivation::Tanh),
        conv_grad_inputs(w, gy, constant(ivec({5, 5})), cp), conv_grad_weights(img, gy, constant(ivec({3, 3})), cp),
        pool(img, pp), pool_grad(img, pooled, exp(pooled), mp), max_pool_grad_grad(img, pooled, img, mp)},
       {dvals({2, 2, 5, 5}), dvals({3, 2, 3, 3}, -0.3, 0.1), dvals({2, 3, 5, 2}), dvals({3})}});
  // random numbers: pure functions of their state inputs
  const Var rstate = input(DType::Int32, {-1, 6}, "rstate"), size = input(DType::Int64, {1}, "size");
  const Var pvals = dmat("pvals"), unis = dvec("unis"), state = input(DType::UInt32, {-1}, "state");
  std::vector<int32_t> seed = mrg_substreams({12345, 12345, 12345, 12345, 12345, 12345}, 2);
  NDArray RS = NDArray::from_vector(seed, {2, 6});
  NDArray ST = NDArray::zeros(DType::UInt32, {628});
  for (int q = 0; q < 624; ++q) ST.ptr<uint32_t>()[q] = static_cast<uint32_t>(q * 2654435761u + 1);
  ST.ptr<uint32_t>()[624] = 624;
  NDArray PV = NDArray::from_vector(std::vector<double>{0.2, 0.3, 0.5, 0.6, 0.1, 0.3}, {2, 3});
  auto mrg = mrg_uniform(rstate, size, DType::Float64, 1);
  cs.push_back({"random",
                {rstate, size, pvals, unis, state, v},
                {mrg[0], mrg[1], box_muller_normal(mrg[1]), box_muller_radius(v), box_muller_angle(v)[1],
                 multinomial_from_uniform(pvals, unis, scalar_constant<int64_t>(2), DType::Int64),
                 choice_from_uniform(pvals, unis, scalar_constant<int64_t>(2), DType::Int64),
                 random_state_draw("normal", state, size, {s, s}, DType::Float64, 1)[1]},
                {RS, ivec({4}), PV, dvals({4}, 0.1, 0.05), ST, dvals({4}, 0.1, 0.05)}});
  cs.back().inputs.push_back(s);
  cs.back().values.push_back(S);
  // gradient controls and checks
  cs.push_back({"grad_control",
                {x, s},
                {zero_grad(x), disconnected_grad(x), undefined_grad(x), consider_constant(x), grad_clip(x, -1, 2),
                 grad_scale(x, 3), assert_op(x, {gt(s, scalar_constant<double>(0.0))}, "s > 0", CheckFailure::Value)},
                {X, S}});
  cs.push_back({"null_grad", {x}, {null_grad(x, "no gradient here")}, {}, false});
  cs.push_back(
      {"load_npy", {}, {load_npy("/nonexistent/a.npy", TensorType(DType::Float32, {-1, 3}), true)}, {}, false});
  // inner graphs
  {
    const Var xt = dscalar("xt"), h = dscalar("h"), h2 = dscalar("h2"), p = dscalar("p");
    ScanArgs sa;
    sa.n_steps = shape_i(v, 0);
    sa.sequences = {{v, xt}};
    sa.states = {{dimshuffle(s, {-1, -1}) /* two initial rows */, {-2, -1}, {h2, h}, add(mul(h, xt), h2), true}};
    sa.states[0].init = join(0, {dimshuffle(s, {-1}), dimshuffle(s, {-1})});
    sa.outputs = {mul(h, p)};
    sa.params = {{s, p}};
    sa.until = gt(h, scalar_constant<double>(1e6));
    sa.truncate_gradient = 3;
    sa.label = "recurrence";
    auto out = scan(sa);
    auto br = ifelse(gt(s, scalar_constant<double>(1.0)), {mul(v, s), sum(v)}, {exp(v), s}, "branch");
    GraphOpSpec spec;
    const Var gi = dvec("gi"), go = dvec("go");
    spec.inputs = {gi};
    spec.outputs = {mul(gi, gi)};
    spec.output_grads = {go};
    spec.grad_overrides = {mul(go, scalar_constant<double>(3.0))};
    spec.name = "square";
    auto g = apply_graph_op(spec, {v});
    cs.push_back({"inner_graphs",
                  {v, s},
                  {out[0], out[1], br[0], br[1], g[0], grad(sum(g[0]), std::vector<Var>{v})[0]},
                  {V, S}});
  }
  cs.push_back({"host", {v}, {apply1(std::make_shared<Doubler>(), {v})}, {V}});
  // rewrite-made ops, built directly: fused programs
  FusedProgram prog;
  prog.dtype = DType::Float64;
  prog.n_inputs = 2;
  prog.uniform = {false, false};
  prog.code = {{ScalarOpId::mul, {0, 1}, false}, {ScalarOpId::exp, {2}, false}, {ScalarOpId::add, {3, 0}, false}};
  cs.push_back({"fused", {x, y}, {composite(prog, {x, y}), fused_reduce(prog, {x, y}, ReduceKind::Max, {1})}, {X, Y}});
  return cs;
}

}  // namespace

TEST(Serialize, EveryKindRoundTripsAndComputesTheSameValues) {
  std::set<OpKind> seen;
  for (Case& c : every_kind_cases()) {
    SCOPED_TRACE(c.name);
    // Host ops go to a list by index, as the Python binding keeps them.
    HostOpCodec codec;
    std::vector<OpPtr> host_ops;
    codec.save = [&](const Op& op) -> int64_t {
      for (size_t i = 0; i < host_ops.size(); ++i)
        if (host_ops[i].get() == &op) return static_cast<int64_t>(i);
      for (Apply* n : toposort(c.outputs))
        if (n->op.get() == &op) host_ops.push_back(n->op);
      return static_cast<int64_t>(host_ops.size() - 1);
    };
    codec.load = [&](int64_t i, const std::vector<TensorType>&) { return host_ops.at(static_cast<size_t>(i)); };
    std::vector<Var> leaves;
    const std::string bytes = save_graph(c.outputs, &leaves, &codec);
    std::vector<Var> loaded = load_graph(bytes, leaves, &codec);
    expect_same_graph(c.outputs, loaded);
    collect_kinds(loaded, &seen);
    // Saving the loaded graph gives the same bytes.
    std::vector<Var> leaves2;
    EXPECT_EQ(save_graph(loaded, &leaves2, &codec), bytes);
    EXPECT_EQ(leaves2, leaves);
    if (!c.run) continue;
    Function f(c.inputs, c.outputs, lenient()), g(c.inputs, loaded, lenient());
    expect_same_values(f(c.values), g(c.values));
  }
  std::vector<std::string> missing;
  for (int k = 0; k < kNumOpKinds; ++k)
    if (!seen.count(static_cast<OpKind>(k))) missing.push_back(op_kind_name(static_cast<OpKind>(k)));
  EXPECT_TRUE(missing.empty()) << "kinds no case covers: " << join_strings(missing, ", ");
}

TEST(Serialize, CompiledGraphsRoundTrip) {
  // What the rewriter makes (fused programs, BLAS calls, inplace ops) saved
  // from a compiled function's graph and run again.
  const Var x = dmat("x"), y = dmat("y"), z = dmat("z");
  const Var out = add(z, mul(scalar_constant<double>(2.0), dot(x, y)));
  const Var e = sum(exp(mul(x, x)), std::vector<int>{1});
  Function f({x, y, z}, {out, e, tanh(add(x, z))});
  std::vector<Var> leaves;
  const std::string bytes = save_graph(f.fgraph().outputs(), &leaves);
  std::vector<Var> loaded = load_graph(bytes, leaves);
  expect_same_graph(f.fgraph().outputs(), loaded);
  std::set<OpKind> kinds;
  collect_kinds(loaded, &kinds);
  EXPECT_TRUE(kinds.count(OpKind::Fused) || kinds.count(OpKind::FusedReduce));
  FunctionOptions none;
  none.rewrite.level = RewriteOptions::Level::None;
  Function g(leaves, loaded, none);
  const std::vector<NDArray> in{dvals({3, 3}), dvals({3, 3}, 1.0), dvals({3, 3}, -2.0)};
  std::vector<NDArray> want = f(in), got;
  std::vector<NDArray> args;
  for (const Var& l : leaves) args.push_back(l == x ? in[0] : l == y ? in[1] : in[2]);
  got = g(args);
  expect_same_values(want, got);
}

TEST(Serialize, SharedSubgraphsStayShared) {
  const Var x = dmat("x"), sh = shared(dvals({3, 4}), "w");
  const Var c = constant(dvals({3, 4}), "c");
  const Var t = exp(add(x, sh));
  t->name = "t";
  const std::vector<Var> outs{mul(t, t), add(t, c), t, sub(c, t)};
  std::vector<Var> leaves;
  const std::vector<Var> l = load_graph(save_graph(outs, &leaves), leaves);
  ASSERT_EQ(leaves.size(), 2u);
  EXPECT_EQ(leaves[0], x);
  EXPECT_EQ(leaves[1], sh);
  EXPECT_EQ(l[2]->name, "t");
  EXPECT_EQ(l[0]->owner->inputs[0], l[2]);
  EXPECT_EQ(l[0]->owner->inputs[1], l[2]);
  EXPECT_EQ(l[1]->owner->inputs[0], l[2]);
  EXPECT_EQ(l[1]->owner->inputs[1], l[3]->owner->inputs[0]);  // one constant
  EXPECT_EQ(as_constant(l[1]->owner->inputs[1])->name, "c");
  EXPECT_EQ(l[2]->owner->inputs[0]->owner->inputs[1], sh);
  EXPECT_EQ(toposort(l).size(), toposort(outs).size());
  // Outputs that are leaves or constants.
  std::vector<Var> leaves2;
  const std::vector<Var> r = load_graph(save_graph({x, c, x}, &leaves2), leaves2);
  EXPECT_EQ(r[0], x);
  EXPECT_EQ(r[2], x);
  EXPECT_TRUE(as_constant(r[1])->same_value(*as_constant(c)));
}

namespace {

// Releases a graph's nodes from its last ones back (a chain's recursive
// release would be as deep as the chain).
void release_deep(std::vector<Var>& outputs) {
  std::vector<ApplyPtr> nodes;
  for (Apply* n : toposort(outputs)) nodes.push_back(n->shared_from_this());
  outputs.clear();
  while (!nodes.empty()) nodes.pop_back();
}

}  // namespace

TEST(Serialize, DeepChainsNeedNoRecursion) {
  const Var x = dvec("x");
  const Var one = constant(NDArray::from_vector<double>({1.0}, {1}));
  Var v = x;
  constexpr int kDepth = 100000;
  for (int i = 0; i < kDepth; ++i) v = (i % 2) ? add(v, one) : mul(v, one);
  std::vector<Var> outs{std::move(v)}, leaves;  // `outs` alone holds the chain
  const std::string bytes = save_graph(outs, &leaves);
  std::vector<Var> loaded = load_graph(bytes, leaves);
  const auto nodes = toposort(loaded);
  ASSERT_EQ(nodes.size(), static_cast<size_t>(kDepth));
  EXPECT_EQ(nodes.front()->inputs[0], x);
  EXPECT_EQ(nodes[5]->inputs[1], nodes[7]->inputs[1]);  // the constant is one variable
  // A truncated chain fails without a deep release.
  EXPECT_THROW(load_graph(std::string_view(bytes).substr(0, bytes.size() - 3), leaves), ValueError);
  release_deep(loaded);
  release_deep(outs);
}

TEST(Serialize, InnerGraphsRoundTripWithValues) {
  // A scan whose step holds an ifelse whose branch holds a graph op.
  const Var v = dvec("v"), s = dscalar("s");
  const Var xt = dscalar("xt"), h = dscalar("h"), gi = dscalar("gi");
  GraphOpSpec spec;
  spec.inputs = {gi};
  spec.outputs = {mul(gi, add(gi, s))};  // s becomes an extra input
  const Var inner_ofg = apply_graph_op(spec, {h})[0];
  const Var step = ifelse(gt(xt, scalar_constant<double>(0.5)), {add(inner_ofg, xt)}, {sub(h, xt)})[0];
  ScanArgs sa;
  sa.n_steps = shape_i(v, 0);
  sa.sequences = {{v, xt}};
  sa.states = {{dimshuffle(s, {-1}), {-1}, {h}, step, true}};
  const std::vector<Var> outs = scan(sa);
  std::vector<Var> leaves;
  const std::string bytes = save_graph(outs, &leaves);
  const std::vector<Var> loaded = load_graph(bytes, leaves);
  expect_same_graph(outs, loaded);
  const auto& op = static_cast<const ops::ScanOp&>(*loaded[0]->owner->op);
  EXPECT_NE(op.seq_inner()[0], static_cast<const ops::ScanOp&>(*outs[0]->owner->op).seq_inner()[0]);
  EXPECT_EQ(op.seq_inner()[0]->name, "xt");
  Function f({v, s}, outs), g({v, s}, loaded);
  const std::vector<NDArray> in{dvals({6}, 0.1, 0.3), dvals({}, 0.3)};
  expect_same_values(f(in), g(in));
  // And its gradient, built on the loaded graph.
  Function gf({v, s}, grad(sum(outs[0]), {v, s})), gg({v, s}, grad(sum(loaded[0]), {v, s}));
  expect_same_values(gf(in), gg(in));
}

TEST(Serialize, LeavesAreChecked) {
  const Var x = dmat("x"), i = iscalar("i");
  std::vector<Var> leaves;
  const std::string bytes = save_graph({add(x, cast(i, DType::Float64))}, &leaves);
  ASSERT_EQ(leaves, (std::vector<Var>{i, x}));  // first visited first
  EXPECT_THROW(load_graph(bytes, {i}), ValueError);
  EXPECT_THROW(load_graph(bytes, {i, x, x}), ValueError);
  EXPECT_THROW(load_graph(bytes, {x, i}), TypeError);
  EXPECT_THROW(load_graph(bytes, {i, nullptr}), ValueError);
  EXPECT_THROW(load_graph(bytes, {i, dvec("x")}), TypeError);
  // A more specific leaf is accepted; the types are inferred from it.
  const Var x34 = input(DType::Float64, {3, 4}, "x");
  const auto r = load_graph(bytes, {i, x34});
  EXPECT_EQ(r[0]->type, TensorType(DType::Float64, Shape{3, 4}));
  try {
    load_graph(bytes, {x, i});
    ADD_FAILURE();
  } catch (const TypeError& e) {
    EXPECT_NE(std::string(e.what()).find("leaf 0 ('i') was saved as"), std::string::npos) << e.what();
  }
  // A host op without a codec.
  const Var v = dvec("v");
  EXPECT_THROW(save_graph({apply1(std::make_shared<Doubler>(), {v})}, &leaves), ValueError);
}

TEST(Serialize, FormatVersionAndMagicAreChecked) {
  const Var x = dvec("x");
  std::vector<Var> leaves;
  std::string bytes = save_graph({exp(x)}, &leaves);
  ASSERT_EQ(bytes.substr(0, 8), "THEONGRF");
  std::string newer = bytes;
  newer[8] = static_cast<char>(kGraphFormatVersion + 1);
  try {
    load_graph(newer, leaves);
    ADD_FAILURE();
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("saved by a newer theon (format 2)"), std::string::npos) << e.what();
  }
  std::string older = bytes;
  older[8] = 0;
  EXPECT_THROW(load_graph(older, leaves), ValueError);
  EXPECT_THROW(load_graph("not a graph", leaves), ValueError);
  EXPECT_THROW(load_graph("", leaves), ValueError);
  EXPECT_THROW(load_graph(bytes + "x", leaves), ValueError);
}

namespace {

// Loads `bytes`; anything but success or a theon UserError is a failure.
void load_or_user_error(std::string_view bytes, const std::vector<Var>& leaves, const HostOpCodec* host,
                        const std::string& what) {
  try {
    load_graph(bytes, leaves, host);
  } catch (const UserError&) {
  } catch (const std::exception& e) {
    ADD_FAILURE() << what << ": " << typeid(e).name() << ": " << e.what();
  }
}

}  // namespace

TEST(Serialize, CorruptBytesNeverCrash) {
  // Every kind's records (the host op's through a codec), truncated at every
  // length and with each byte changed in several ways.
  std::vector<Var> outs;
  for (const Case& c : every_kind_cases()) outs.insert(outs.end(), c.outputs.begin(), c.outputs.end());
  HostOpCodec codec;
  std::vector<OpPtr> host_ops;
  codec.save = [&](const Op& op) -> int64_t {
    for (Apply* n : toposort(outs))
      if (n->op.get() == &op) host_ops.push_back(n->op);
    return static_cast<int64_t>(host_ops.size() - 1);
  };
  codec.load = [&](int64_t i, const std::vector<TensorType>&) -> OpPtr {
    if (i >= static_cast<int64_t>(host_ops.size())) throw ValueError("no host op " + std::to_string(i));
    return host_ops[static_cast<size_t>(i)];
  };
  std::vector<Var> leaves;
  const std::string bytes = save_graph(outs, &leaves, &codec);
  ASSERT_NO_THROW(load_graph(bytes, leaves, &codec));
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_THROW(load_graph(std::string_view(bytes).substr(0, n), leaves, &codec), ValueError) << "truncated at " << n;
    if (HasFailure()) return;
  }
  std::string b = bytes;
  for (size_t i = 0; i < b.size(); ++i) {
    for (int flip : {0x01, 0x04, 0x80, 0xff}) {
      b[i] = static_cast<char>(bytes[i] ^ flip);
      load_or_user_error(b, leaves, &codec, "byte " + std::to_string(i) + " ^ " + std::to_string(flip));
    }
    b[i] = 0;
    load_or_user_error(b, leaves, &codec, "byte " + std::to_string(i) + " = 0");
    b[i] = bytes[i];
    if (HasFailure()) return;
  }
  // Without a codec, a host op is an error, not a crash.
  load_or_user_error(bytes, leaves, nullptr, "no codec");
}
