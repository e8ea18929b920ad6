// Compiled functions: a fast call path for exact NumPy arguments; anything else
// goes through the Python-side filter (Theano's TensorType.filter rules).
#include "bindings.hpp"

namespace theon::py {

namespace {
// The byte range [lo, hi) an array's elements span (empty arrays: none).
std::pair<const char*, const char*> byte_span(const NDArray& a) {
  if (a.size() == 0) return {nullptr, nullptr};
  const char *lo = a.data, *hi = a.data + itemsize(a.dtype);
  for (int d = 0; d < a.ndim(); ++d) {
    const int64_t reach = a.strides[d] * (a.shape[d] - 1);
    (reach < 0 ? lo : hi) += reach;
  }
  return {lo, hi};
}

bool overlaps(const NDArray& a, const NDArray& b) {
  auto [alo, ahi] = byte_span(a);
  auto [blo, bhi] = byte_span(b);
  return alo && blo && alo < bhi && blo < ahi;
}

RewriteOptions::Level rewrite_level(const std::string& level) {
  if (level == "fast_run") return RewriteOptions::Level::FastRun;
  if (level == "fast_compile") return RewriteOptions::Level::FastCompile;
  if (level == "none") return RewriteOptions::Level::None;
  throw ValueError("unknown rewrite level '" + level + "'");
}

struct PyFunction {
  std::unique_ptr<Function> fn;
  nb::object filter;  // filter(i, value) -> ndarray of the exact type, or raises
  std::vector<bool> mutable_inputs;

  // A mutable input is overwritten by the function: memory NumPy marks
  // read-only (a bytes buffer, a read-only memmap) or that another argument
  // also reads is copied first, as Theano did, never written into.
  // `writeable(i)` is asked only of mutable inputs: calls without any pay nothing.
  template <class Writeable>
  void protect_mutable_inputs(Writeable writeable, std::vector<NDArray>& values) const {
    for (size_t i = 0; i < values.size() && i < mutable_inputs.size(); ++i) {
      if (!mutable_inputs[i]) continue;
      bool copy = !writeable(i);
      for (size_t j = 0; j < values.size() && !copy; ++j) copy = j != i && overlaps(values[i], values[j]);
      if (copy) values[i] = values[i].copy();
    }
  }

  nb::object call(nb::args args) {
    const auto& ins = fn->inputs();
    if (args.size() != ins.size()) {
      throw TypeError("Function" + (fn->name().empty() ? std::string() : " '" + fn->name() + "'") + " expects " +
                      std::to_string(ins.size()) + " argument" + (ins.size() == 1 ? "" : "s") + ", got " +
                      std::to_string(args.size()));
    }
    std::vector<NDArray> values(ins.size());
    // Where each value's memory comes from: the argument itself, the filter's
    // result, or a private copy (always writeable).
    std::vector<nb::object> converted(ins.size());
    std::vector<bool> private_copy(ins.size(), false);
    for (size_t i = 0; i < ins.size(); ++i) {
      NDArray a;
      if (!from_numpy(args[i].ptr(), &a) || !ins[i]->type.check_value(a).empty()) {
        converted[i] = filter(i, args[i]);
        // An unaligned or byte-swapped result is copied into aligned native memory.
        if (!from_numpy(converted[i].ptr(), &a)) {
          a = from_numpy_or_throw(converted[i]);
          private_copy[i] = true;
        }
      }
      values[i] = std::move(a);
    }
    protect_mutable_inputs(
        [&](size_t i) {
          return private_copy[i] || numpy_writeable(converted[i].is_valid() ? converted[i] : nb::handle(args[i]));
        },
        values);
    std::vector<NDArray> outs = (*fn)(values);
    nb::list result;
    for (auto& o : outs) result.append(to_numpy(o));
    return result;
  }

  // trust_input (PyTensor's): arguments must be NumPy arrays of the inputs'
  // exact types; nothing is converted or copied, and mutable inputs are
  // written as given. Still checked (cheaply, once): a wrong array raises
  // TypeError, it is never read as another type.
  nb::object call_trusted(nb::args args) {
    const auto& ins = fn->inputs();
    if (args.size() != ins.size())
      throw TypeError("Function" + (fn->name().empty() ? std::string() : " '" + fn->name() + "'") + " expects " +
                      std::to_string(ins.size()) + " arguments, got " + std::to_string(args.size()));
    std::vector<NDArray> values(ins.size());
    for (size_t i = 0; i < ins.size(); ++i) {
      std::string why;
      if (!from_numpy(args[i].ptr(), &values[i]))
        why = "not an aligned NumPy array in native byte order";
      else
        why = ins[i]->type.check_value(values[i]);
      if (!why.empty())
        throw TypeError("Bad input argument " + std::to_string(i) + " to theon function" +
                        (fn->name().empty() ? std::string() : " '" + fn->name() + "'") +
                        " called with trust_input=True (pass NumPy arrays of the inputs' exact types): " + why);
    }
    std::vector<NDArray> outs = fn->run_checked_inputs(values);
    if (outs.size() == 1) return to_numpy(outs[0]);
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

  m.def("num_threads", &num_threads,
        "The number of threads of theon's pool (the kernels and, as panels, large BLAS products).");
  m.def("default_num_threads", &default_num_threads);
  m.def("reset_num_threads", &reset_num_threads);
  m.def(
      "set_num_threads",
      [](int n) {
        if (n < 1)
          throw ValueError("set_num_threads: the number of threads must be at least 1, got " + std::to_string(n));
        set_num_threads(n);
      },
      nb::arg("n"),
      "Use ``n`` threads for the kernels and BLAS products (until config.num_threads or\n"
      "config.openmp changes).");
  m.def("simd_info", &simd_info,
        "The SIMD kernels in use, e.g. ``'AVX2 arithmetic, libmvec AVX2 transcendentals'``\n"
        "(THEON_SIMD_MATH=0 turns them off).");
  m.def("verify_ir_by_default", &verify_ir_by_default);
  m.def("list_rewrites", [] {
    std::vector<std::tuple<std::string, std::string, std::vector<std::string>>> v;
    for (const auto& r : list_rewrites()) v.emplace_back(r.name, r.phase, r.tags);
    return v;
  });
  m.def("graph_text", &graph_text);
  // Rewrites the graph between `inputs` and `outputs` in place (Theano's
  // optimizer.optimize(fgraph)): nodes are changed where they stand, so the
  // caller passes a graph it owns. Returns the new outputs and the rules that fired.
  m.def("rewrite_fgraph",
        [](std::vector<Var> inputs, std::vector<Var> outputs, const std::string& level,
           std::vector<std::string> including, std::vector<std::string> excluding, std::vector<std::string> requiring) {
          RewriteOptions o;
          o.level = rewrite_level(level);
          o.including = std::move(including);
          o.excluding = std::move(excluding);
          o.requiring = std::move(requiring);
          FunctionGraph fg(std::move(inputs), std::move(outputs));
          RewriteReport report;
          rewrite_graph(fg, o, &report);
          nb::dict fired;
          for (const auto& [k, v] : report.fired) fired[k.c_str()] = v;
          return nb::make_tuple(fg.outputs(), fired);
        });

  nb::class_<PyFunction>(m, "CompiledFunction")
      .def("__init__",
           [](PyFunction* self, std::vector<Var> inputs, std::vector<Var> outputs,
              std::vector<std::pair<std::shared_ptr<SharedVariable>, Var>> updates,
              std::vector<std::pair<Var, Var>> givens, const std::string& on_unused, const std::string& name,
              nb::object filter, const std::string& level, std::vector<std::string> including,
              std::vector<std::string> excluding, std::vector<std::string> requiring, bool print_after_phase,
              std::vector<bool> mutable_inputs, const std::string& native, const std::string& cxx,
              const std::string& compiledir, const std::string& include_dir, double compiledir_max_mb) {
             FunctionOptions o;
             if (native == "async")
               o.native.mode = NativeMode::Async;
             else if (native == "wait")
               o.native.mode = NativeMode::Wait;
             else if (native == "off")
               o.native.mode = NativeMode::Off;
             else
               throw ValueError("config.native must be 'async', 'wait' or 'off', got '" + native + "'");
             o.native.cxx = cxx;
             o.native.cache_dir = compiledir;
             o.native.include_dir = include_dir;
             o.native.cache_max_mb = compiledir_max_mb;
             o.mutable_inputs = std::move(mutable_inputs);
             o.rewrite.level = rewrite_level(level);
             o.rewrite.including = std::move(including);
             o.rewrite.excluding = std::move(excluding);
             o.rewrite.requiring = std::move(requiring);
             o.rewrite.print_after_phase = print_after_phase;
             o.updates = std::move(updates);
             o.givens = std::move(givens);
             o.name = name;
             if (on_unused == "raise")
               o.on_unused_input = UnusedInputPolicy::Raise;
             else if (on_unused == "warn")
               o.on_unused_input = UnusedInputPolicy::Warn;
             else if (on_unused == "ignore")
               o.on_unused_input = UnusedInputPolicy::Ignore;
             else
               throw ValueError("on_unused_input must be 'raise', 'warn' or 'ignore', got '" + on_unused + "'");
             std::vector<bool> mut = o.mutable_inputs;
             new (self) PyFunction{std::make_unique<Function>(std::move(inputs), std::move(outputs), std::move(o)),
                                   std::move(filter), std::move(mut)};
           })
      .def("__call__", &PyFunction::call)
      .def("call_trusted", &PyFunction::call_trusted,
           "Calls with trust_input semantics: exact NumPy arrays only, one output returned bare.")
      .def_prop_ro("native_ready", [](const PyFunction& f) { return f.fn->native_ready(); })
      .def("native_source", [](const PyFunction& f) { return f.fn->native_source(); })
      .def("wait_native",
           [](PyFunction& f) {
             nb::gil_scoped_release release;  // the compile thread never needs Python
             f.fn->wait_native();
           })
      .def_prop_rw(
          "profiling", [](const PyFunction& f) { return f.fn->profiling(); },
          [](PyFunction& f, bool on) { f.fn->set_profiling(on); },
          "Whether each call records per-node times (setting it starts the counts afresh).")
      .def(
          "profile_stats",
          [](const PyFunction& f) {
            FunctionProfile p = f.fn->profile();
            std::unordered_map<const Apply*, ApplyPtr> owned;
            for (const auto& a : f.fn->fgraph().nodes()) owned[a.get()] = a;
            nb::list nodes;
            for (const auto& n : p.nodes)
              nodes.append(nb::make_tuple(owned.at(n.node), n.calls, n.seconds, n.output_bytes));
            return nb::make_tuple(p.calls, p.call_seconds, nodes);
          },
          "(calls, seconds in calls, [(apply node, calls, seconds, output bytes)] in run order).")
      .def(
          "set_step_hook",
          [](PyFunction& f, nb::object fn, bool compare_native) {
            if (fn.is_none()) return f.fn->set_step_hook(nullptr);
            if (!PyCallable_Check(fn.ptr()))
              throw TypeError(
                  "set_step_hook: fn must be callable (index, node, inputs, outputs, interpreted) or None, "
                  "got " +
                  nb::cast<std::string>(nb::type_name(fn.type())));
            // The schedule's nodes as Python sees them (shared, so `node` is the graph's own object).
            auto owned = std::make_shared<std::unordered_map<const Apply*, ApplyPtr>>();
            for (const auto& a : f.fn->fgraph().nodes()) (*owned)[a.get()] = a;
            auto hook = std::make_shared<StepHook>();
            hook->compare_native = compare_native;
            auto arrays = [](const std::vector<NDArray>* v) -> nb::object {
              if (!v) return nb::none();
              nb::list l;
              for (const auto& a : *v) l.append(a.defined() ? to_numpy(a) : nb::none());
              return l;
            };
            hook->fn = [fn = std::make_shared<nb::object>(std::move(fn)), owned, arrays](const StepEvent& e) {
              nb::gil_scoped_acquire gil;
              (*fn)(e.index, owned->at(e.node), arrays(&e.inputs), arrays(e.outputs), arrays(e.interpreted));
            };
            f.fn->set_step_hook(std::move(hook));
            // A hook that refers to its function (MonitorMode's user hooks may) makes a cycle through
            // C++ that Python's collector cannot see, alive until exit: nanobind would list it as leaked.
            nb::set_leak_warnings(false);
          },
          nb::arg("fn").none(), nb::arg("compare_native") = false,
          "Calls fn(index, node, inputs, outputs, interpreted) around every step of later calls: before the\n"
          "kernel with outputs None, after it with the outputs (NumPy views of the step's own buffers) and,\n"
          "with compare_native, a fused step's interpreter results when it ran native code. None removes it.")
      .def_prop_ro("rewrite_report",
                   [](const PyFunction& f) {
                     const RewriteReport& r = f.fn->rewrite_report();
                     nb::dict d, fired;
                     for (const auto& [k, v] : r.fired) fired[k.c_str()] = v;
                     nb::list phases;
                     for (const auto& p : r.phases)
                       phases.append(nb::make_tuple(p.name, p.seconds, p.nodes_after, p.graph));
                     d["fired"] = fired;
                     d["phases"] = phases;
                     d["seconds"] = r.seconds;
                     d["text"] = r.str();
                     return d;
                   })
      .def_prop_ro(
          "fgraph", [](const PyFunction& f) -> const FunctionGraph& { return f.fn->fgraph(); },
          nb::rv_policy::reference_internal);
}

}  // namespace theon::py
