// Types, variables, constants, shared variables, Apply and Op.
#include "bindings.hpp"
#include "ops/op_info.hpp"
#include "ops/scalar_table.hpp"
#include "py_op.hpp"
#include "theon/test_values.hpp"

namespace theon::py {

namespace {
nb::tuple bcast_tuple(const TensorType& t) {
  nb::list l;
  for (bool b : t.broadcastable_pattern()) l.append(nb::bool_(b));
  return nb::tuple(l);
}
nb::tuple shape_tuple(const TensorType& t) {
  nb::list l;
  for (auto d : t.shape) {
    if (d < 0)
      l.append(nb::none());
    else
      l.append(nb::int_(d));
  }
  return nb::tuple(l);
}
}  // namespace

void bind_graph(nb::module_& m) {
  nb::class_<TensorType>(m, "TensorType",
                         "The type of a symbolic tensor: a dtype and a broadcast pattern.\n\n"
                         "``TensorType(dtype, broadcastable)``; calling a type with a name makes a\n"
                         "variable of it (``T.dmatrix('x')``). ``dtype`` is a dtype name, ``'floatX'``\n"
                         "or anything ``numpy.dtype`` takes; ``broadcastable`` holds one bool per axis,\n"
                         "true where the axis has length 1 and broadcasts.")
      // Theano's forms: a dtype name, "floatX", or a NumPy dtype or type;
      // name and sparse_grad are accepted (theon's types print by dtype and
      // pattern, and have no sparse gradients).
      .def(
          "__init__",
          [](TensorType* t, nb::handle dtype, nb::iterable pattern, nb::handle, bool) {
            std::vector<bool> bcast;  // any truthy values: Theano code writes [0, 1, 0]
            for (nb::handle b : pattern) {
              const int truth = PyObject_IsTrue(b.ptr());
              if (truth < 0) throw nb::python_error();
              bcast.push_back(truth != 0);
            }
            std::string d;
            if (nb::isinstance<nb::str>(dtype))
              d = nb::cast<std::string>(dtype);
            else
              d = nb::cast<std::string>(nb::module_::import_("numpy").attr("dtype")(dtype).attr("name"));
            if (d == "floatX") d = nb::cast<std::string>(nb::module_::import_("theon").attr("config").attr("floatX"));
            new (t) TensorType(TensorType::from_broadcastable(dtype_arg(d), bcast));
          },
          nb::arg("dtype"), nb::arg("broadcastable"), nb::arg("name") = nb::none(), nb::arg("sparse_grad") = false,
          "A type of dtype ``dtype`` with one broadcast flag per axis (``name`` and ``sparse_grad`` are ignored).")
      .def_static(
          "from_shape",
          [](const std::string& dtype, std::vector<int64_t> shape) { return TensorType(dtype_arg(dtype), shape); },
          nb::arg("dtype"), nb::arg("shape"), "A type with static lengths ``shape`` (-1 for an unknown length).")
      .def_prop_ro("dtype", [](const TensorType& t) { return std::string(dtype_name(t.dtype)); })
      .def_prop_ro("broadcastable", &bcast_tuple)
      .def_prop_ro("shape", &shape_tuple)
      .def_prop_ro("ndim", &TensorType::ndim)
      .def("__eq__", [](const TensorType& a,
                        nb::handle b) { return nb::isinstance<TensorType>(b) && a == nb::cast<const TensorType&>(b); })
      .def("__hash__",
           [](const TensorType& t) {
             size_t h = static_cast<size_t>(t.dtype);
             for (auto d : t.shape) h = h * 131 + static_cast<size_t>(d + 2);
             return h;
           })
      .def("__repr__", &TensorType::str)
      .def("__str__", &TensorType::str)
      .def(
          "__call__",
          [](const TensorType& t, std::optional<std::string> name) { return variable(t, name.value_or("")); },
          nb::arg("name") = nb::none(), "A new symbolic variable of this type, named ``name``.")
      .def(
          "filter_check",
          [](const TensorType& t, nb::handle value) { return t.check_value(from_numpy_or_throw(value)); },
          nb::arg("value"),
          "Why the array ``value`` does not fit this type (dtype, rank or static lengths), or '' if it does.");

  nb::class_<Op>(m, "Op",
                 "An operation of the C++ engine, as found on ``node.op``.\n\n"
                 "``op.kind`` names it in theon's op list; the other properties give its\n"
                 "parameters for the kinds that have them (None otherwise). Ops are made\n"
                 "by theon.tensor's functions, not constructed.")
      .def("__str__", &Op::name)
      .def("__repr__", &Op::name)
      .def_prop_ro("name", &Op::name)
      // What the op is, from the one op list (include/theon/op_kinds.def): "Elemwise", "Sort", ...
      .def_prop_ro("kind", [](const Op& o) { return std::string(op_kind_name(o.kind())); })
      // Its parameters Python code reads, by kind (None for other kinds).
      .def_prop_ro("scalar_op",
                   [](const Op& o) -> std::optional<std::string> {
                     if (o.kind() != OpKind::Elemwise) return std::nullopt;
                     return std::string(scalar_def(elemwise_id(o)).name);
                   })
      .def_prop_ro("cast_dtype",
                   [](const Op& o) -> std::optional<std::string> {
                     if (o.kind() != OpKind::Cast) return std::nullopt;
                     return std::string(dtype_name(cast_dtype(o)));
                   })
      .def_prop_ro("axis",  // an int; a tuple of the reduced axes for reductions (Theano's CAReduce.axis)
                   [](const Op& o) -> nb::object {
                     switch (o.kind()) {
                       case OpKind::ShapeI:
                         return nb::int_(shape_i_axis(o));
                       case OpKind::Softmax:
                         return nb::int_(softmax_axis(o));
                       case OpKind::LogSumExp:
                         return nb::int_(logsumexp_axis(o));
                       case OpKind::Sort:
                       case OpKind::ArgSort:
                       case OpKind::CumOp:
                       case OpKind::TopK:
                         return nb::int_(sort_scan_axis(o));
                       case OpKind::Reduce:
                       case OpKind::FusedReduce:
                       case OpKind::ArgReduce: {
                         nb::list axes;
                         for (int a : reduce_axes(o)) axes.append(nb::int_(a));
                         return nb::tuple(axes);
                       }
                       default:
                         return nb::none();
                     }
                   })
      // Theano's declarations: {output: [input]} for an output that overwrites (destroy_map) or is a view of
      // (view_map) an input.
      .def_prop_ro("destroy_map",
                   [](const Op& o) {
                     nb::dict d;
                     if (const int i = o.destroys(); i >= 0) d[nb::int_(0)] = nb::make_tuple(i);
                     return d;
                   })
      .def_prop_ro("view_map",
                   [](const Op& o) {
                     nb::dict d;
                     // theon's view ops have one output
                     if (const int i = o.view_of(0); i >= 0) d[nb::int_(0)] = nb::make_tuple(i);
                     return d;
                   })
      // Linalg ops: the function ("Cholesky", ...) and its parameters, as a dict.
      .def_prop_ro("linalg",
                   [](const Op& o) -> nb::object {
                     if (o.kind() != OpKind::Linalg) return nb::none();
                     const LinalgParams& p = linalg_params(o);
                     static constexpr const char* modes[] = {"reduced", "complete", "r", "raw"};
                     nb::dict d;
                     d["fn"] = linalg_fn_id(p.fn);
                     d["lower"] = p.lower;
                     d["nan_on_error"] = p.nan_on_error;
                     d["structure"] = structure_name(p.structure);
                     d["trans"] = p.trans;
                     d["unit_diagonal"] = p.unit_diagonal;
                     d["compute_v"] = p.compute_v;
                     d["compute_uv"] = p.compute_uv;
                     d["full_matrices"] = p.full_matrices;
                     d["mode"] = modes[static_cast<int>(p.qr_mode)];
                     d["rcond"] = p.rcond;
                     return d;
                   })
      // Random ops: the distribution drawn (MRGUniform, FromUniform, RandomStateDraw).
      .def_prop_ro("distribution",
                   [](const Op& o) -> std::optional<std::string> {
                     std::string d = random_distribution(o);
                     if (d.empty()) return std::nullopt;
                     return d;
                   })
      // Softmax: the log form (LogSoftmax) or not.
      .def_prop_ro("log_form",
                   [](const Op& o) -> std::optional<bool> {
                     if (o.kind() != OpKind::Softmax) return std::nullopt;
                     return softmax_is_log(o);
                   })
      // TopK (Theano's TopKOp): which outputs it gives and the positions' dtype.
      .def_prop_ro("return_values",
                   [](const Op& o) -> std::optional<bool> {
                     if (o.kind() != OpKind::TopK) return std::nullopt;
                     return topk_outputs(o).values;
                   })
      .def_prop_ro("return_indices",
                   [](const Op& o) -> std::optional<bool> {
                     if (o.kind() != OpKind::TopK) return std::nullopt;
                     return topk_outputs(o).indices;
                   })
      .def_prop_ro("idx_dtype",
                   [](const Op& o) -> std::optional<std::string> {
                     if (o.kind() != OpKind::TopK) return std::nullopt;
                     return std::string(dtype_name(topk_outputs(o).idx_dtype));
                   })
      .def_prop_ro("conv",  // a convolution's parameters (Theano's AbstractConv attributes), else None
                   [](const Op& o) -> nb::object {
                     const OpKind k = o.kind();
                     if (k != OpKind::Conv && k != OpKind::ConvGradInputs && k != OpKind::ConvGradWeights)
                       return nb::none();
                     const ConvParams& p = conv_params(o);
                     nb::dict d;
                     d["nd"] = p.nd;
                     nb::object explicit_pads = nb::tuple(nb::cast(p.pad));
                     if (p.pad_hi != p.pad) {
                       nb::list pairs;
                       for (size_t i = 0; i < p.pad.size(); ++i) pairs.append(nb::make_tuple(p.pad[i], p.pad_hi[i]));
                       explicit_pads = nb::tuple(pairs);
                     }
                     d["border_mode"] = p.border == ConvBorder::Full   ? nb::object(nb::str("full"))
                                        : p.border == ConvBorder::Half ? nb::object(nb::str("half"))
                                                                       : explicit_pads;
                     d["subsample"] = nb::tuple(nb::cast(p.stride));
                     d["filter_dilation"] = nb::tuple(nb::cast(p.dilation));
                     d["num_groups"] = p.groups;
                     d["filter_flip"] = p.flip;
                     return d;
                   })
      .def_prop_ro("new_order",  // Theano's DimShuffle.new_order: 'x' for an inserted axis
                   [](const Op& o) -> nb::object {
                     if (o.kind() != OpKind::DimShuffle) return nb::none();
                     nb::list order;
                     for (int d : dimshuffle_order(o)) order.append(d < 0 ? nb::object(nb::str("x")) : nb::int_(d));
                     return nb::tuple(order);
                   })
      .def_prop_ro("reduce_kind",  // "sum", "max", ... for Reduce; "argmax"/"argmin" for ArgReduce
                   [](const Op& o) -> std::optional<std::string> {
                     if (o.kind() == OpKind::Reduce || o.kind() == OpKind::FusedReduce)
                       return std::string(reduce_kind_name(reduce_kind_of(o)));
                     if (o.kind() == OpKind::ArgReduce) return std::string(arg_reduce_is_max(o) ? "argmax" : "argmin");
                     return std::nullopt;
                   })
      .def_prop_ro("symbolic_shape",  // SpecifyShape: True; Theano's Rebroadcast (a static pattern): False
                   [](const Op& o) -> std::optional<bool> {
                     if (o.kind() != OpKind::SpecifyShape) return std::nullopt;
                     return specify_shape_symbolic(o);
                   })
      .def_prop_ro("n_outs",  // IfElse: the outputs of each branch (Theano's IfElse.n_outs)
                   [](const Op& o) -> std::optional<int> {
                     if (o.kind() != OpKind::IfElse) return std::nullopt;
                     return ifelse_n_outputs(o);
                   })
      // Scan: its step graph, (inputs, outputs) as lists of variables; None for other kinds.
      .def_prop_ro("inner_graph",
                   [](const Op& o) -> nb::object {
                     std::vector<Var> in, out;
                     if (!inner_graph(o, &in, &out)) return nb::none();
                     return nb::make_tuple(nb::cast(in), nb::cast(out));
                   })
      .def_prop_ro("advanced",
                   [](const Op& o) -> std::optional<bool> {
                     if (o.kind() != OpKind::Subtensor && o.kind() != OpKind::IncSubtensor) return std::nullopt;
                     return index_advanced(o);
                   })
      // Another kind of object (a Theano-style op object of theon.tensor) decides itself.
      .def("__eq__",
           [](const Op& a, nb::handle b) -> nb::object {
             if (!nb::isinstance<Op>(b)) return nb::borrow(Py_NotImplemented);
             return nb::bool_(a.equals(nb::cast<const Op&>(b)));
           })
      .def("__hash__", &Op::hash)
      .def(
          "connection_pattern",
          [](const Op& o, const Apply& node) {
            std::vector<std::vector<bool>> p(node.inputs.size());
            for (size_t i = 0; i < node.inputs.size(); ++i)
              for (int j = 0; j < node.num_outputs(); ++j) p[i].push_back(o.connected(static_cast<int>(i), j));
            return p;
          },
          nb::arg("node"),
          "Theano's connection pattern: per input of ``node``, per output, whether the output depends on it "
          "differentiably.");

  nb::class_<Apply>(m, "Apply",
                    "A node of the graph: one application of an op to input variables.\n\n"
                    "``node.op``, ``node.inputs`` and ``node.outputs`` as in Theano; ``node.site``\n"
                    "is the (file, line) of the user code that built it.")
      .def_prop_ro("op",
                   [](const Apply& a) -> nb::object {
                     // a Python op's node gives the user's op object (isinstance(node.op, MyOp))
                     if (const auto* p = dynamic_cast<const PyOp*>(a.op.get())) return p->python_op();
                     return nb::cast(std::const_pointer_cast<Op>(a.op));
                   })
      .def_prop_ro("inputs", [](const Apply& a) { return a.inputs; })
      .def_prop_ro("outputs", [](Apply& a) { return a.outputs(); })
      .def_prop_ro("site", [](const Apply& a) { return nb::make_tuple(a.site.file(), a.site.line()); })
      .def("nin", [](const Apply& a) { return a.inputs.size(); })
      // An indexing node's index, one entry per indexed axis: ("int", i), ("array", a) or
      // ("slice", start, stop, step) with None for a missing part; None for other nodes.
      .def_prop_ro("index_entries",
                   [](const Apply& a) -> nb::object {
                     if (a.op->kind() != OpKind::Subtensor && a.op->kind() != OpKind::IncSubtensor) return nb::none();
                     nb::list l;
                     auto var = [](const Var& v) -> nb::object { return v ? nb::cast(v) : nb::none(); };
                     for (const IndexEntry& e : index_entries(a)) {
                       if (e.kind == IndexEntry::Slice)
                         l.append(nb::make_tuple("slice", var(e.start), var(e.stop), var(e.step)));
                       else
                         l.append(nb::make_tuple(e.kind == IndexEntry::Int ? "int" : "array", var(e.index)));
                     }
                     return l;
                   })
      .def("__str__", &Apply::str)
      .def("__repr__", &Apply::str);

  m.def(
      "set_test_value_mode", [](const std::string& mode) { set_test_value_mode(parse_test_value_mode(mode)); },
      nb::arg("mode"),
      "config.compute_test_value: 'off', 'ignore', 'warn', 'raise' or 'pdb' (include/theon/test_values.hpp).");

  nb::class_<Variable>(m, "TensorVariable", nb::dynamic_attr(),
                       "A symbolic tensor: an input, a constant, or an output of an Apply node.\n\n"
                       "It has NumPy's operators and methods (``x + y``, ``x[1:]``, ``x.sum(axis=0)``,\n"
                       "``x.T``) which build the graph; ``x.type``, ``x.dtype``, ``x.ndim`` and\n"
                       "``x.broadcastable`` describe it, and ``x.owner`` is the node computing it\n"
                       "(None for inputs and constants). Made by the constructors of theon.tensor\n"
                       "(``T.matrix('x')``) or by calling a TensorType.")
      .def_prop_ro("type", [](const Variable& v) { return v.type; })
      .def_prop_ro("dtype", [](const Variable& v) { return std::string(dtype_name(v.dtype())); })
      .def_prop_ro("ndim", &Variable::ndim)
      .def_prop_ro("broadcastable", [](const Variable& v) { return bcast_tuple(v.type); })
      .def_prop_ro("static_shape", [](const Variable& v) { return shape_tuple(v.type); })
      .def_prop_rw(
          "name",
          [](const Variable& v) -> nb::object {
            if (v.name.empty()) return nb::none();
            return nb::str(v.name.c_str());
          },
          [](Variable& v, std::optional<std::string> n) { v.name = n.value_or(""); }, nb::arg("name").none())
      .def_prop_ro("owner", [](const Variable& v) { return v.owner_ptr(); })
      // tag.test_value's storage (python/theon/tensor/methods.py converts the value to the type first).
      .def_prop_rw(
          "_test_value",
          [](const Variable& v) -> nb::object {
            if (!v.test_value.defined()) return nb::none();
            return to_numpy(v.test_value.copy());
          },
          [](Variable& v, nb::handle value) {
            if (value.is_none()) {
              v.test_value = NDArray();
              return;
            }
            NDArray a = from_numpy_or_throw(value).copy();
            if (std::string why = v.type.check_value(a); !why.empty())
              throw TypeError("test value of " + v.str() + " (" + v.type.str() + "): " + why);
            v.test_value = std::move(a);
          },
          nb::arg("value").none())
      .def_prop_ro("index", [](const Variable& v) { return v.index; })
      .def_prop_ro("site", [](const Variable& v) { return nb::make_tuple(v.site.file(), v.site.line()); })
      .def_prop_ro("_id", [](const Variable& v) { return v.id; })
      .def("_str", &Variable::str);

  nb::class_<Constant, Variable>(m, "TensorConstant",
                                 "A symbolic tensor with a fixed value, ``c.data`` (a read-only array).\n\n"
                                 "Made by ``theon.tensor.constant`` or when a Python or NumPy value meets\n"
                                 "a variable (``x + 1``).")
      .def_prop_ro("data", [](const Constant& c) {
        nb::object a = to_numpy(c.value);
        a.attr("flags").attr("writeable") = false;  // constants are immutable
        return a;
      });

  nb::class_<SharedVariable, Variable>(m, "TensorSharedVariable",
                                       "A symbolic tensor whose value is stored with it and shared between\n"
                                       "compiled functions: ``get_value()``, ``set_value()``, and ``updates``\n"
                                       "of ``theon.function`` change it. Made by ``theon.shared``.")
      .def("_get_value", [](const SharedVariable& s) { return to_numpy(s.value); })
      .def("_set_value", [](SharedVariable& s, nb::handle v) { s.set_value(from_numpy_or_throw(v)); });

  m.def(
      "variable", [](const TensorType& t, std::optional<std::string> name) { return variable(t, name.value_or("")); },
      nb::arg("type"), nb::arg("name") = nb::none());
  m.def(
      "constant",
      [](nb::handle value, std::optional<std::string> name) {
        return constant(from_numpy_or_throw(value).copy(), name.value_or(""));
      },
      nb::arg("value"), nb::arg("name") = nb::none());
  m.def(
      "shared",
      [](nb::handle value, std::optional<std::string> name, std::vector<bool> bcast, bool borrow) {
        NDArray a = from_numpy_or_throw(value);
        if (!borrow) a = a.copy();
        TensorType t = TensorType::from_broadcastable(a.dtype, bcast);
        auto sv = std::make_shared<SharedVariable>(a, t, name.value_or(""));
        sv->site = current_site();
        return sv;
      },
      nb::arg("value"), nb::arg("name"), nb::arg("broadcastable"), nb::arg("borrow"));
  m.def("shares_memory", [](const SharedVariable& s, nb::handle value) {
    NDArray a;
    if (!from_numpy(value.ptr(), &a)) return false;
    return a.data == s.value.data;
  });
}

}  // namespace theon::py
