// Compiled functions: a fast call path for exact NumPy arguments; anything else
// goes through the Python-side filter (Theano's TensorType.filter rules).
#include "bindings.hpp"

namespace theon::py {

namespace {
struct PyFunction {
  std::unique_ptr<Function> fn;
  nb::object filter;  // filter(i, value) -> ndarray of the exact type, or raises

  nb::object call(nb::args args) {
    const auto& ins = fn->inputs();
    if (args.size() != ins.size()) {
      throw TypeError("Function" + (fn->name().empty() ? std::string() : " '" + fn->name() + "'") + " expects " +
                      std::to_string(ins.size()) + " argument" + (ins.size() == 1 ? "" : "s") + ", got " +
                      std::to_string(args.size()));
    }
    std::vector<NDArray> values(ins.size());
    for (size_t i = 0; i < ins.size(); ++i) {
      NDArray a;
      if (!from_numpy(args[i].ptr(), &a) || !ins[i]->type.check_value(a).empty()) {
        nb::object conv = filter(i, args[i]);
        if (!from_numpy(conv.ptr(), &a)) throw InternalError("filter did not return an ndarray");
      }
      values[i] = std::move(a);
    }
    std::vector<NDArray> outs = (*fn)(values);
    nb::list result;
    for (auto& o : outs) result.append(to_numpy(o));
    return result;
  }
};
}  // namespace

void bind_function(nb::module_& m) {
  nb::class_<FunctionGraph>(m, "FunctionGraph")
      .def_prop_ro("inputs", &FunctionGraph::inputs)
      .def_prop_ro("outputs", &FunctionGraph::outputs)
      .def("toposort", [](const FunctionGraph& g) { return g.nodes(); })
      .def_prop_ro("apply_nodes", [](const FunctionGraph& g) { return g.nodes(); })
      .def("verify", &FunctionGraph::verify);

  nb::class_<PyFunction>(m, "CompiledFunction")
      .def("__init__", [](PyFunction* self, std::vector<Var> inputs, std::vector<Var> outputs,
                          std::vector<std::pair<std::shared_ptr<SharedVariable>, Var>> updates,
                          std::vector<std::pair<Var, Var>> givens, const std::string& on_unused,
                          const std::string& name, nb::object filter) {
        FunctionOptions o;
        o.updates = std::move(updates);
        o.givens = std::move(givens);
        o.name = name;
        if (on_unused == "raise") o.on_unused_input = UnusedInputPolicy::Raise;
        else if (on_unused == "warn") o.on_unused_input = UnusedInputPolicy::Warn;
        else if (on_unused == "ignore") o.on_unused_input = UnusedInputPolicy::Ignore;
        else throw ValueError("on_unused_input must be 'raise', 'warn' or 'ignore', got '" + on_unused + "'");
        new (self) PyFunction{std::make_unique<Function>(std::move(inputs), std::move(outputs), std::move(o)),
                              std::move(filter)};
      })
      .def("__call__", &PyFunction::call)
      .def_prop_ro("fgraph", [](const PyFunction& f) -> const FunctionGraph& { return f.fn->fgraph(); },
                   nb::rv_policy::reference_internal);
}

}  // namespace theon::py
