// The graph-building functions. Argument conversion only: no math here.
#include <cmath>
#include <unordered_map>

#include "bindings.hpp"
#include "compile/inner_function.hpp"
#include "ops/scalar_table.hpp"
#include "theon/test_values.hpp"

namespace theon::py {

namespace {
DisconnectedPolicy disconnected_policy(const char* fn, const char* arg, const std::string& v) {
  if (v == "raise") return DisconnectedPolicy::Raise;
  if (v == "warn") return DisconnectedPolicy::Warn;
  if (v == "ignore") return DisconnectedPolicy::Ignore;
  throw ValueError(std::string(fn) + ": " + arg + " must be 'raise', 'warn' or 'ignore', got '" + v + "'");
}
}  // namespace

namespace {
ScalarOpId scalar_id(const std::string& name) {
  static const std::unordered_map<std::string, ScalarOpId> ids = [] {
    std::unordered_map<std::string, ScalarOpId> m;
#define X(n, a) m[#n] = ScalarOpId::n;
    THEON_SCALAR_OPS(X)
#undef X
    return m;
  }();
  auto it = ids.find(name);
  if (it == ids.end()) throw ValueError("unknown elementwise function '" + name + "'");
  return it->second;
}

ReduceKind reduce_kind(const std::string& k) { return reduce_kind_from_name(k); }

// Index entries arrive as tuples: ("int", v), ("slice", a, b, c), ("array", v).
std::vector<IndexEntry> index_entries(const std::vector<nb::tuple>& items) {
  std::vector<IndexEntry> out;
  for (const auto& t : items) {
    std::string kind = nb::cast<std::string>(t[0]);
    auto var_or_null = [&](size_t i) -> Var { return t[i].is_none() ? nullptr : nb::cast<Var>(t[i]); };
    if (kind == "int")
      out.push_back(IndexEntry::integer(nb::cast<Var>(t[1])));
    else if (kind == "array")
      out.push_back(IndexEntry::array(nb::cast<Var>(t[1])));
    else
      out.push_back(IndexEntry::slice(var_or_null(1), var_or_null(2), var_or_null(3)));
  }
  return out;
}
}  // namespace

void bind_ops(nb::module_& m) {
  m.def("scalar_ops", [] {
    std::vector<std::pair<std::string, int>> v;
    for (int i = 0; i < kNumScalarOps; ++i) {
      const auto& info = scalar_op_info(static_cast<ScalarOpId>(i));
      v.push_back({std::string(info.name), info.arity});
    }
    return v;
  });
  // Each row of the scalar table as (name, arity, dtype rule, the input dtypes
  // it computes in, differentiable): theon.tensor's elementwise functions write
  // their docstrings from it.
  m.def("scalar_op_details", [] {
    std::vector<std::tuple<std::string, int, std::string, std::vector<std::string>, bool>> v;
    for (int i = 0; i < kNumScalarOps; ++i) {
      const ScalarOpDef& d = scalar_def(static_cast<ScalarOpId>(i));
      const char* rule = "upcast";
      switch (d.rule) {
        case TypeRule::Upcast:
          rule = "upcast";
          break;
        case TypeRule::Float:
          rule = "float";
          break;
        case TypeRule::Bool:
          rule = "bool";
          break;
        case TypeRule::RealUpcast:
          rule = "real_upcast";
          break;
        case TypeRule::Switch:
          rule = "switch";
          break;
        case TypeRule::Second:
          rule = "second";
          break;
        case TypeRule::Complex:
          rule = "complex";
          break;
      }
      std::vector<std::string> in;
      for (int k = 0; k < kNumCT; ++k)
        if (d.fn[k]) in.emplace_back(dtype_name(ct_dtype(static_cast<CT>(k))));
      v.emplace_back(std::string(d.name), d.arity, rule, in, d.grad != nullptr);
    }
    return v;
  });
  m.def("elemwise",
        [](const std::string& name, std::vector<Var> in) { return elemwise(scalar_id(name), std::move(in)); });
  m.def("cast", [](const Var& x, const std::string& d) { return cast(x, dtype_arg(d)); });
  m.def("reduce", [](const std::string& k, const Var& x, Axes axes, bool keepdims) {
    return reduce(reduce_kind(k), x, axes, keepdims);
  });
  m.def("mean", [](const Var& x, Axes a, bool k) { return mean(x, a, k); });
  m.def("var", [](const Var& x, Axes a, bool k) { return var(x, a, k); });
  m.def("std", [](const Var& x, Axes a, bool k) { return stddev(x, a, k); });
  m.def("softmax", [](const Var& x, int axis) { return softmax(x, axis); });
  m.def("log_softmax", [](const Var& x, int axis) { return log_softmax(x, axis); });
  m.def("logsumexp", [](const Var& x, int axis) { return logsumexp(x, axis); });
  m.def(
      "crossentropy_softmax_1hot",
      [](const Var& x, std::optional<Var> b, const Var& y) {
        return crossentropy_softmax_1hot(x, b.value_or(nullptr), y);
      },
      nb::arg("x"), nb::arg("b").none(), nb::arg("y_idx"));
  m.def("crossentropy_softmax_1hot_dx", &crossentropy_softmax_1hot_dx, nb::arg("dy"), nb::arg("sm"), nb::arg("y_idx"));
  m.def(
      "mrg_uniform",
      [](const Var& rstate, const Var& size, const std::string& d, int ndim) {
        return mrg_uniform(rstate, size, dtype_arg(d), ndim);
      },
      nb::arg("rstate"), nb::arg("size"), nb::arg("dtype"), nb::arg("ndim"));
  m.def(
      "multinomial_from_uniform",
      [](const Var& p, const Var& u, const Var& n, const std::string& d) {
        return multinomial_from_uniform(p, u, n, dtype_arg(d));
      },
      nb::arg("pvals"), nb::arg("unis"), nb::arg("n"), nb::arg("odtype"));
  m.def(
      "choice_from_uniform",
      [](const Var& p, const Var& u, const Var& n, const std::string& d, bool replace) {
        return choice_from_uniform(p, u, n, dtype_arg(d), replace);
      },
      nb::arg("pvals"), nb::arg("unis"), nb::arg("n"), nb::arg("odtype"), nb::arg("replace") = false);
  m.def(
      "random_state_draw",
      [](const std::string& dist, const Var& state, const Var& size, const std::vector<Var>& params,
         const std::string& d, int ndim) { return random_state_draw(dist, state, size, params, dtype_arg(d), ndim); },
      nb::arg("dist"), nb::arg("state"), nb::arg("size"), nb::arg("params"), nb::arg("dtype"), nb::arg("ndim"));
  m.def("box_muller_radius", &box_muller_radius, nb::arg("u"));
  m.def("box_muller_angle", &box_muller_angle, nb::arg("u"));
  m.def("box_muller_normal", &box_muller_normal, nb::arg("u"));
  m.def("mrg_substreams", &mrg_substreams, nb::arg("seed"), nb::arg("n"));
  m.def("mrg_next_generator", &mrg_next_generator, nb::arg("seed"));
  m.def("argmax", [](const Var& x, Axes a, bool k) { return argmax(x, a, k); });
  m.def("argmin", [](const Var& x, Axes a, bool k) { return argmin(x, a, k); });
  m.def("dimshuffle", &dimshuffle);
  m.def("transpose", &transpose);
  m.def("reshape", [](const Var& x, const Var& shape, int ndim) { return reshape(x, shape, ndim); });
  m.def("flatten", &flatten);
  m.def("shape", &shape);
  m.def("shape_i", &shape_i);
  m.def("make_vector", [](const std::vector<Var>& xs, const std::string& d) { return make_vector(xs, dtype_arg(d)); });
  m.def("alloc", &alloc);
  m.def("arange",
        [](const Var& a, const Var& b, const Var& c, const std::string& d) { return arange(a, b, c, dtype_arg(d)); });
  m.def("eye",
        [](const Var& n, const Var& mm, const Var& k, const std::string& d) { return eye(n, mm, k, dtype_arg(d)); });
  m.def("join", &join);
  m.def("stack", &stack);
  m.def("dot", &dot);
  m.def("matmul", &matmul);
  m.def("outer", &outer);
  m.def("tensordot", [](const Var& a, const Var& b, const std::vector<int>& aa, const std::vector<int>& ab) {
    return tensordot(a, b, aa, ab);
  });
  m.def("subtensor", [](const Var& x, const std::vector<nb::tuple>& idx) { return subtensor(x, index_entries(idx)); });
  m.def("set_subtensor", &set_subtensor);
  m.def("inc_subtensor", &inc_subtensor);
  m.def("take_along_axis", &take_along_axis);
  m.def(
      "sort", [](const Var& x, std::optional<int> axis) { return sort(x, axis); }, nb::arg("x"),
      nb::arg("axis").none());
  m.def(
      "argsort", [](const Var& x, std::optional<int> axis) { return argsort(x, axis); }, nb::arg("x"),
      nb::arg("axis").none());
  m.def(
      "topk",
      [](const Var& x, const Var& k, std::optional<int> axis, bool values, bool indices, const std::string& d) {
        return topk(x, k, axis, values, indices, dtype_arg(d));
      },
      nb::arg("x"), nb::arg("k"), nb::arg("axis").none(), nb::arg("values"), nb::arg("indices"), nb::arg("idx_dtype"));
  m.def(
      "cumsum", [](const Var& x, std::optional<int> axis) { return cumsum(x, axis); }, nb::arg("x"),
      nb::arg("axis").none());
  m.def(
      "cumprod", [](const Var& x, std::optional<int> axis) { return cumprod(x, axis); }, nb::arg("x"),
      nb::arg("axis").none());
  m.def(
      "linalg",
      [](const std::string& fn, std::vector<Var> inputs, bool lower, bool nan_on_error, const std::string& structure,
         bool trans, bool unit_diagonal, bool compute_v, bool compute_uv, bool full_matrices, const std::string& mode,
         double rcond) {
        LinalgParams p;
        if (!linalg_fn_from_name(fn, &p.fn)) throw ValueError("linalg: no function named '" + fn + "'");
        static const std::pair<const char*, MatrixStructure> structures[] = {
            {"general", MatrixStructure::General},
            {"symmetric", MatrixStructure::Symmetric},
            {"pos", MatrixStructure::PosDef},
            {"lower_triangular", MatrixStructure::LowerTriangular},
            {"upper_triangular", MatrixStructure::UpperTriangular}};
        bool found = false;
        for (const auto& [name, s] : structures)
          if (structure == name) {
            p.structure = s;
            found = true;
          }
        if (!found)
          throw ValueError(
              "Solve: A_structure must be one of general, symmetric, pos, lower_triangular, "
              "upper_triangular; got '" +
              structure + "'");
        static const std::pair<const char*, QRMode> modes[] = {
            {"reduced", QRMode::Reduced}, {"complete", QRMode::Complete}, {"r", QRMode::R}, {"raw", QRMode::Raw}};
        found = false;
        for (const auto& [name, m] : modes)
          if (mode == name) {
            p.qr_mode = m;
            found = true;
          }
        if (!found) throw ValueError("qr: mode must be 'reduced', 'complete', 'r' or 'raw', got '" + mode + "'");
        if (p.structure == MatrixStructure::LowerTriangular) lower = true;
        if (p.structure == MatrixStructure::UpperTriangular) lower = false;
        p.lower = lower;
        p.nan_on_error = nan_on_error;
        p.trans = trans;
        p.unit_diagonal = unit_diagonal;
        p.compute_v = compute_v;
        p.compute_uv = compute_uv;
        p.full_matrices = full_matrices;
        if (!(rcond >= 0) || !std::isfinite(rcond))
          throw ValueError("pinv: rcond must be a finite non-negative number, got " + std::to_string(rcond));
        p.rcond = rcond;
        return linalg(p, std::move(inputs));
      },
      nb::arg("fn"), nb::arg("inputs"), nb::arg("lower") = true, nb::arg("nan_on_error") = false,
      nb::arg("structure") = "general", nb::arg("trans") = false, nb::arg("unit_diagonal") = false,
      nb::arg("compute_v") = true, nb::arg("compute_uv") = true, nb::arg("full_matrices") = true,
      nb::arg("mode") = "reduced", nb::arg("rcond") = 1e-15);
  m.def("nonzero", &nonzero);
  m.def("searchsorted", &searchsorted);
  m.def("specify_static_shape", &specify_static_shape);
  m.def("specify_shape", &specify_shape);
  m.def("load_npy", &load_npy, nb::arg("path"), nb::arg("type"), nb::arg("mmap") = false);
  m.def(
      "grad",
      [](const Var& cost, const std::vector<Var>& wrt, const std::vector<Var>& consider_constant,
         const std::string& disconnected, const std::vector<std::pair<Var, Var>>& known, bool null_raise,
         bool known_replace) {
        GradOptions o;
        o.known_grads_replace = known_replace;
        o.consider_constant = consider_constant;
        o.known_grads = known;
        o.disconnected_inputs = disconnected_policy("grad", "disconnected_inputs", disconnected);
        o.null_gradients_raise = null_raise;
        return derive_with_test_values([&] { return grad(cost, wrt, o); });
      },
      nb::arg("cost").none(), nb::arg("wrt"), nb::arg("consider_constant"), nb::arg("disconnected"), nb::arg("known"),
      nb::arg("null_raise") = true, nb::arg("known_replace") = false);
  m.def("jacobian", [](const Var& expression, const std::vector<Var>& wrt, const std::vector<Var>& consider_constant,
                       const std::string& disconnected, bool hessian) {
    GradOptions o;
    o.consider_constant = consider_constant;
    o.disconnected_inputs = disconnected_policy(hessian ? "hessian" : "jacobian", "disconnected_inputs", disconnected);
    return derive_with_test_values(
        [&] { return hessian ? theon::hessian(expression, wrt, o) : theon::jacobian(expression, wrt, o); });
  });
  // scan: sequences (outer, inner), states (init, taps, inner per tap, next,
  // keep_history), outputs, params (outer, inner), until or None, label.
  m.def(
      "scan",
      [](const Var& n_steps, const std::vector<std::pair<Var, Var>>& sequences,
         const std::vector<std::tuple<Var, std::vector<int>, std::vector<Var>, Var, bool>>& states,
         const std::vector<Var>& outputs, const std::vector<std::pair<Var, Var>>& params, std::optional<Var> until,
         const std::string& label, int64_t truncate_gradient) {
        ScanArgs a;
        a.n_steps = n_steps;
        for (const auto& [outer, inner] : sequences) a.sequences.push_back({outer, inner});
        for (const auto& [init, taps, inner, next, keep] : states) a.states.push_back({init, taps, inner, next, keep});
        a.outputs = outputs;
        a.params = params;
        a.until = until.value_or(nullptr);
        a.label = label;
        a.truncate_gradient = truncate_gradient;
        return scan(a);
      },
      nb::arg("n_steps"), nb::arg("sequences"), nb::arg("states"), nb::arg("outputs"), nb::arg("params"),
      nb::arg("until").none(), nb::arg("label"), nb::arg("truncate_gradient") = -1);
  m.def(
      "ifelse",
      [](const Var& cond, const std::vector<Var>& then_, const std::vector<Var>& else_, const std::string& name) {
        return ifelse(cond, then_, else_, name);
      },
      nb::arg("cond"), nb::arg("then_branch"), nb::arg("else_branch"), nb::arg("name"));
  m.def(
      "apply_graph_op",
      [](const std::vector<Var>& inputs, const std::vector<Var>& outputs, const std::vector<Var>& output_grads,
         const std::vector<std::optional<Var>>& grad_overrides, const std::vector<Var>& eval_points,
         const std::vector<std::optional<Var>>& rop_overrides, const std::string& name, const std::vector<Var>& args,
         const std::vector<std::vector<bool>>& connection) {
        GraphOpSpec s;
        s.inputs = inputs;
        s.outputs = outputs;
        s.output_grads = output_grads;
        for (const auto& g : grad_overrides) s.grad_overrides.push_back(g.value_or(nullptr));
        s.eval_points = eval_points;
        for (const auto& r : rop_overrides) s.rop_overrides.push_back(r.value_or(nullptr));
        s.name = name;
        if (!connection.empty()) {
          if (connection.size() != inputs.size())
            throw ValueError(name + ": the connection pattern needs one row per input");
          for (const auto& row : connection)
            if (row.size() != outputs.size())
              throw ValueError(name + ": the connection pattern needs one entry per output in each row");
        }
        s.connection = connection;
        return apply_graph_op(s, args);
      },
      nb::arg("inputs"), nb::arg("outputs"), nb::arg("output_grads"), nb::arg("grad_overrides"), nb::arg("eval_points"),
      nb::arg("rop_overrides"), nb::arg("name"), nb::arg("args"),
      nb::arg("connection") = std::vector<std::vector<bool>>{});
  m.def("Rop", [](const std::vector<Var>& f, const std::vector<Var>& wrt, const std::vector<Var>& eval_points,
                  const std::string& disconnected) {
    return derive_with_test_values(
        [&] { return Rop(f, wrt, eval_points, disconnected_policy("Rop", "disconnected_outputs", disconnected)); });
  });
  m.def("zero_grad", &zero_grad);
  m.def("disconnected_grad", &disconnected_grad);
  m.def("undefined_grad", &undefined_grad);
  m.def("consider_constant", &consider_constant);
  m.def("grad_clip", &grad_clip);
  m.def(
      "assert_op",
      [](const Var& x, const std::vector<Var>& conditions, const std::string& message, bool index_error,
         const std::string& error) {
        CheckFailure f = index_error ? CheckFailure::Index : CheckFailure::Assertion;
        if (error == "ValueError")
          f = CheckFailure::Value;
        else if (error == "IndexError")
          f = CheckFailure::Index;
        else if (error == "TypeError")
          f = CheckFailure::Type;
        else if (!error.empty() && error != "AssertionError")
          throw ValueError(
              "assert_op: error must be 'AssertionError', 'IndexError', 'ValueError' or 'TypeError', got '" + error +
              "'");
        return assert_op(x, conditions, message, f);
      },
      nb::arg("x"), nb::arg("conditions"), nb::arg("message"), nb::arg("index_error") = false, nb::arg("error") = "");
  m.def("grad_scale", &grad_scale);
  m.def("null_grad", &null_grad);
  m.def("null_grad_reason", [](const Var& v) -> std::optional<std::string> {
    std::string why;
    if (is_null_grad(v, &why)) return why;
    return std::nullopt;
  });
  m.def("toposort", [](const std::vector<Var>& outs) {
    std::vector<std::shared_ptr<Apply>> v;
    for (Apply* a : toposort(outs)) v.push_back(a->shared_from_this());
    return v;
  });
  m.def("graph_inputs", &graph_inputs);
  // A copy of the graph of `outputs` with each (old, new) pair's old variable
  // replaced by new (theano.clone, gof.graph.clone); the user's graph is untouched.
  m.def("clone_replace", [](const std::vector<Var>& outputs, const std::vector<std::pair<Var, Var>>& replace) {
    for (const auto& [a, b] : replace)
      if (!a || !b) throw TypeError("clone: a replace pair contains None");
    return clone_replace(outputs, replace);
  });
  // Convolutions: role "forward" (x, w), "grad_inputs" (w, gy, input spatial
  // shape) or "grad_weights" (x, gy, filter spatial shape). A forward with a
  // bias or an activation ("relu", "tanh", "sigmoid") is conv_bias_act, the
  // fused op the rewriter makes.
  m.def(
      "conv",
      [](const std::string& role, const Var& a, const Var& b, std::optional<Var> shape, int nd,
         const std::string& border, std::vector<int64_t> pad, std::vector<int64_t> stride,
         std::vector<int64_t> dilation, int64_t groups, bool flip, std::vector<int64_t> pad_hi, std::optional<Var> bias,
         const std::string& activation, bool unshared) {
        ConvParams p;
        p.nd = nd;
        if (border == "full")
          p.border = ConvBorder::Full;
        else if (border == "half")
          p.border = ConvBorder::Half;
        else if (border != "explicit")
          throw ValueError("conv: unknown border mode '" + border + "'");
        p.pad = std::move(pad);
        p.pad_hi = std::move(pad_hi);
        p.stride = std::move(stride);
        p.dilation = std::move(dilation);
        p.groups = groups;
        p.flip = flip;
        p.unshared = unshared;
        static const std::pair<const char*, ConvActivation> acts[] = {{"", ConvActivation::None},
                                                                      {"relu", ConvActivation::Relu},
                                                                      {"tanh", ConvActivation::Tanh},
                                                                      {"sigmoid", ConvActivation::Sigmoid}};
        const auto* act =
            std::find_if(std::begin(acts), std::end(acts), [&](auto& e) { return activation == e.first; });
        if (act == std::end(acts)) throw ValueError("conv: unknown activation '" + activation + "'");
        if (role == "forward" && (bias || act->second != ConvActivation::None))
          return conv_bias_act(a, b, bias ? *bias : Var(), p, act->second);
        if (role == "forward") return conv(a, b, p);
        if (!shape) throw TypeError("conv: the " + role + " role needs a shape");
        if (role == "grad_inputs") return conv_grad_inputs(a, b, *shape, p);
        if (role == "grad_weights") return conv_grad_weights(a, b, *shape, p);
        throw ValueError("conv: unknown role '" + role + "'");
      },
      nb::arg("role"), nb::arg("a"), nb::arg("b"), nb::arg("shape").none(), nb::arg("nd"), nb::arg("border"),
      nb::arg("pad"), nb::arg("stride"), nb::arg("dilation"), nb::arg("groups"), nb::arg("flip"),
      nb::arg("pad_hi") = std::vector<int64_t>{}, nb::arg("bias").none() = nb::none(), nb::arg("activation") = "",
      nb::arg("unshared") = false);
  // Pooling: role "forward" (x), "grad" (x, y, gy) or "grad_grad" (x, y, g).
  m.def(
      "pool",
      [](const std::string& role, const std::vector<Var>& in, int nd, std::vector<int64_t> ws,
         std::vector<int64_t> stride, std::vector<int64_t> pad, bool ignore_border, const std::string& mode,
         bool dynamic) {
        PoolParams p;
        p.dynamic = dynamic;
        p.nd = nd;
        p.ws = std::move(ws);
        p.stride = std::move(stride);
        p.pad = std::move(pad);
        p.ignore_border = ignore_border;
        if (mode == "max")
          p.mode = PoolMode::Max;
        else if (mode == "sum")
          p.mode = PoolMode::Sum;
        else if (mode == "average_inc_pad")
          p.mode = PoolMode::AverageIncPad;
        else if (mode == "average_exc_pad")
          p.mode = PoolMode::AverageExcPad;
        else
          throw ValueError("pool: mode must be 'max', 'sum', 'average_inc_pad' or 'average_exc_pad', got '" + mode +
                           "'");
        const size_t want = (role == "forward" ? 1 : 3) + (dynamic ? 3 : 0);
        if (in.size() != want) throw TypeError("pool: the " + role + " role takes " + std::to_string(want) + " inputs");
        if (dynamic) {  // ws, stride, pad last
          if (role == "forward") return pool(in[0], in[1], in[2], in[3], p);
          throw NotImplementedError("pool: the " + role + " role with run-time parameters: differentiate the pooling");
        }
        if (role == "forward") return pool(in[0], p);
        if (role == "grad") return pool_grad(in[0], in[1], in[2], p);
        if (role == "grad_grad") return max_pool_grad_grad(in[0], in[1], in[2], p);
        throw ValueError("pool: unknown role '" + role + "'");
      },
      nb::arg("role"), nb::arg("inputs"), nb::arg("nd"), nb::arg("ws"), nb::arg("stride"), nb::arg("pad"),
      nb::arg("ignore_border"), nb::arg("mode"), nb::arg("dynamic") = false);
  // Theano's io_connection_pattern: per input, per output, whether the
  // output depends on it differentiably (through each node's own pattern).
  m.def("io_connection_pattern", [](const std::vector<Var>& inputs, const std::vector<Var>& outputs) {
    const auto by_output = inner_connection(inputs, outputs);
    std::vector<std::vector<bool>> p(inputs.size(), std::vector<bool>(outputs.size()));
    for (size_t j = 0; j < outputs.size(); ++j)
      for (size_t i = 0; i < inputs.size(); ++i) p[i][j] = by_output[j][i];
    return p;
  });
}

}  // namespace theon::py
