#include <cerrno>

#include "backend/cpu/blas.hpp"
#include "backend/cpu/onednn.hpp"
#include "backend/cpu/onednn_plan.hpp"
#include "bindings.hpp"

namespace theon::py {

DType dtype_arg(const std::string& name) { return dtype_from_name_or_throw(name); }

namespace {
// A core warning as a Python UserWarning labelled with the user's line (the
// first frame outside theon's package), not theon's or "sys:1".
void python_warning(const std::string& msg) {
  nb::gil_scoped_acquire gil;
  nb::object category = nb::module_::import_("builtins").attr("UserWarning");
  const int depth = internal_frame_depth();
  if (depth >= 0) {
    nb::module_::import_("warnings").attr("warn")(msg, category, depth + 1);
  } else {
    // No user frame (a background thread): say so instead of pointing anywhere.
    nb::module_::import_("warnings").attr("warn_explicit")(msg, category, "<theon background work>", 0);
  }
}
}  // namespace

}  // namespace theon::py

NB_MODULE(_core, m) {
  using namespace theon;
  using namespace theon::py;
  init_numpy();
  nb::exception<UserError>(m, "TheonError", PyExc_Exception);
  // C++ user errors become the Python exception their class names
  // (include/theon/errors.def): a builtin or one of theon._errors' classes.
  nb::register_exception_translator([](const std::exception_ptr& p, void*) {
    try {
      std::rethrow_exception(p);
    } catch (const UserError& e) {
      const std::string where = e.python_name();
      const size_t dot = where.rfind('.');
      nb::object cls = nb::module_::import_(where.substr(0, dot).c_str()).attr(where.substr(dot + 1).c_str());
      PyErr_SetString(cls.ptr(), e.what());
    } catch (const InternalError& e) {
      PyErr_SetString(PyExc_RuntimeError, (std::string("theon internal error (please report): ") + e.what()).c_str());
    }
  });
  m.def("user_error_classes", [] {
    std::vector<std::tuple<std::string, std::string, std::string>> out;
    for (const auto& c : user_error_classes()) out.emplace_back(c.name, c.python, c.meaning);
    return out;
  });
  m.def("op_kinds", [] {
    std::vector<std::string> out;
    for (int k = 0; k < kNumOpKinds; ++k) out.emplace_back(op_kind_name(static_cast<OpKind>(k)));
    return out;
  });
  set_warning_hook(&python_warning);
  m.attr("__version__") = THEON_VERSION;  // CMakeLists.txt's project() version, the one place it is written
  m.def("_install_site_provider", &install_site_provider);
  m.def(
      "set_blas_library",
      [](const std::string& path, const std::string& prefix) { return set_blas_library(path, prefix); },
      nb::arg("path"), nb::arg("prefix") = "");
  // "" when loaded, else why not.
  m.def(
      "load_blas_library",
      [](const std::string& path, const std::string& prefix) {
        std::string why;
        return set_blas_library(path, prefix, &why) ? std::string() : why;
      },
      nb::arg("path"), nb::arg("prefix") = "");
  m.def("blas_info", &blas_info);
  // oneDNN (convolutions, pooling): "" when loaded, else why not.
  m.def("load_onednn_library", [](const std::string& path) {
    std::string why;
    return dnnl::set_library(path, &why) ? std::string() : why;
  });
  m.def("onednn_info", &dnnl::info);
  m.def("set_onednn_enabled", &dnnl::set_enabled, nb::arg("on"));
  m.def("onednn_enabled", [] { return dnnl::api() != nullptr; });
  // The layouts new oneDNN plans use: "timed" (the default), "plain" or "blocked".
  m.def("set_onednn_layout", [](const std::string& l) {
    if (l == "timed")
      dnnl::set_layout(dnnl::Layout::Timed);
    else if (l == "plain")
      dnnl::set_layout(dnnl::Layout::Plain);
    else if (l == "blocked")
      dnnl::set_layout(dnnl::Layout::Blocked);
    else
      throw ValueError("set_onednn_layout: '" + l + "' is not timed, plain or blocked");
  });
  bind_graph(m);
  bind_ops(m);
  bind_function(m);
  bind_py_op(m);
  bind_serialize(m);
}
