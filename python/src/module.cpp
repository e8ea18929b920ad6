#include <cerrno>

#include "bindings.hpp"
#include "runtime/blas.hpp"

namespace theon::py {

DType dtype_arg(const std::string& name) { return dtype_from_name_or_throw(name); }

namespace {
void python_warning(const std::string& msg) {
  nb::gil_scoped_acquire gil;
  nb::module_::import_("warnings").attr("warn")(msg, nb::module_::import_("builtins").attr("UserWarning"), 3);
}
}  // namespace

}  // namespace theon::py

NB_MODULE(_core, m) {
  using namespace theon;
  using namespace theon::py;
  init_numpy();
  nb::exception<UserError>(m, "TheonError", PyExc_Exception);
  // Map C++ error classes to Python's built-in ones (and Theano's names).
  nb::register_exception_translator([](const std::exception_ptr& p, void*) {
    try {
      std::rethrow_exception(p);
    } catch (const MissingInputError& e) {
      PyErr_SetString(nb::module_::import_("theon._errors").attr("MissingInputError").ptr(), e.what());
    } catch (const UnusedInputError& e) {
      PyErr_SetString(nb::module_::import_("theon._errors").attr("UnusedInputError").ptr(), e.what());
    } catch (const DisconnectedInputError& e) {
      PyErr_SetString(nb::module_::import_("theon._errors").attr("DisconnectedInputError").ptr(), e.what());
    } catch (const NullTypeGradError& e) {
      PyErr_SetString(nb::module_::import_("theon._errors").attr("NullTypeGradError").ptr(), e.what());
    } catch (const TypeError& e) {
      PyErr_SetString(PyExc_TypeError, e.what());
    } catch (const AssertionError& e) {
      PyErr_SetString(PyExc_AssertionError, e.what());
    } catch (const IndexError& e) {
      PyErr_SetString(PyExc_IndexError, e.what());
    } catch (const OSError& e) {
      PyErr_SetString(e.error_number == ENOENT ? PyExc_FileNotFoundError : PyExc_OSError, e.what());
    } catch (const MemoryError& e) {
      PyErr_SetString(PyExc_MemoryError, e.what());
    } catch (const NotImplementedError& e) {
      PyErr_SetString(PyExc_NotImplementedError, e.what());
    } catch (const ValueError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const UserError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const InternalError& e) {
      PyErr_SetString(PyExc_RuntimeError, (std::string("theon internal error (please report): ") + e.what()).c_str());
    }
  });
  set_warning_hook(&python_warning);
  m.def("_install_site_provider", &install_site_provider);
  m.def("set_blas_library", &set_blas_library, nb::arg("path"), nb::arg("prefix") = "");
  m.def("blas_info", &blas_info);
  bind_graph(m);
  bind_ops(m);
  bind_function(m);
}
