// Ops written in Python; see py_op.hpp.
#include "py_op.hpp"

#include <Python.h>

#include "theon/error.hpp"
#include "theon/ops.hpp"

namespace theon::py {

namespace {

// str(h) (nanobind's nb::str(h) only borrows an object that already is one).
std::string py_str(nb::handle h) {
  nb::object s = nb::steal(PyObject_Str(h.ptr()));
  if (!s.is_valid()) {
    PyErr_Clear();
    return "<unprintable>";
  }
  return nb::cast<std::string>(s);
}

// A Python exception raised by user code, as theon's error of the same kind
// (the VM then adds the node and the user's line).
[[noreturn]] void rethrow_python(const std::string& where, nb::python_error& e) {
  std::string msg = where + " raised " + py_str(e.type().attr("__name__")) + ": " + py_str(e.value());
  if (e.matches(PyExc_TypeError)) throw TypeError(msg);
  if (e.matches(PyExc_IndexError)) throw IndexError(msg);
  if (e.matches(PyExc_NotImplementedError)) throw NotImplementedError(msg);
  if (e.matches(PyExc_AssertionError)) throw AssertionError(msg);
  if (e.matches(PyExc_MemoryError)) throw MemoryError(msg);
  throw ValueError(msg);
}

nb::object as_tensor_variable() {
  // Kept for the process's life: a static nb::object would be released after the interpreter is gone.
  static nb::handle f = nb::object(nb::module_::import_("theon.tensor.basic").attr("as_tensor_variable")).release();
  return nb::borrow(f);
}

// A gradient Python returned: a variable, or None / a non-tensor marker (disconnected).
Var grad_var(nb::handle g, const Var& like) {
  if (g.is_none()) return nullptr;
  Var v;
  if (nb::try_cast<Var>(g, v) && v) return v->dtype() == like->dtype() ? v : cast(v, like->dtype());
  if (nb::hasattr(g, "type") && nb::hasattr(g.attr("type"), "dtype")) return nullptr;
  return nb::cast<Var>(as_tensor_variable()(g));
}

}  // namespace

PyOp::PyOp(nb::object op, std::vector<TensorType> types) : op_(std::move(op)), types_(std::move(types)) {
  name_ = py_str(op_);
}

PyOp::~PyOp() {
  if (!Py_IsInitialized() || _Py_IsFinalizing()) {
    op_.release();  // the interpreter is going (a cache emptied at exit): nothing left to release it to
    return;
  }
  nb::gil_scoped_acquire gil;
  op_.reset();
}

std::vector<TensorType> PyOp::infer_types(const std::vector<Var>&) const { return types_; }

bool PyOp::equals(const Op& o) const {
  const auto* p = dynamic_cast<const PyOp*>(&o);
  if (!p || p->types_ != types_) return false;
  nb::gil_scoped_acquire gil;
  try {
    return op_.equal(p->op_);
  } catch (nb::python_error&) {
    return op_.is(p->op_);
  }
}

size_t PyOp::hash() const {
  nb::gil_scoped_acquire gil;
  try {
    return static_cast<size_t>(nb::hash(op_));
  } catch (nb::python_error&) {
    return std::hash<std::string>()(name_);
  }
}

std::vector<Var> PyOp::grad(const Apply& node, const std::vector<Var>& gouts) const {
  nb::gil_scoped_acquire gil;
  Apply& n = const_cast<Apply&>(node);
  const std::vector<Var> outs = n.outputs();
  nb::list inputs, outputs, grads;
  for (const Var& v : node.inputs) inputs.append(nb::cast(v));
  for (size_t i = 0; i < outs.size(); ++i) {
    outputs.append(nb::cast(outs[i]));
    grads.append(nb::cast(gouts[i] ? gouts[i] : zeros_like(outs[i])));
  }
  nb::object res;
  try {
    if (nb::hasattr(op_, "L_op"))
      res = op_.attr("L_op")(inputs, outputs, grads);
    else if (nb::hasattr(op_, "grad"))
      res = op_.attr("grad")(inputs, grads);
  } catch (nb::python_error& e) {
    rethrow_python(name_ + ".grad", e);
  }
  std::vector<Var> g(node.inputs.size());
  if (!res.is_valid() || res.is_none()) {  // no gradient method: reaching it is an error grad() reports
    for (size_t i = 0; i < g.size(); ++i)
      g[i] = null_grad(node.inputs[i], name_ + " (a Python op) defines no grad or L_op");
    return g;
  }
  nb::list lst(res);
  if (lst.size() != g.size())
    throw ValueError(name_ + ".grad returned " + std::to_string(lst.size()) + " gradients for " +
                     std::to_string(g.size()) + " inputs");
  for (size_t i = 0; i < g.size(); ++i) g[i] = grad_var(lst[i], node.inputs[i]);
  return g;
}

Var PyOp::infer_shape(const Apply& node, int output, int axis, const InputSize& input_size) const {
  nb::gil_scoped_acquire gil;
  if (!nb::hasattr(op_, "infer_shape")) return nullptr;
  nb::list shapes;
  for (size_t i = 0; i < node.inputs.size(); ++i) {
    nb::list s;
    for (int d = 0; d < node.inputs[i]->ndim(); ++d) s.append(nb::cast(input_size(static_cast<int>(i), d)));
    shapes.append(nb::tuple(s));
  }
  try {
    nb::object res = op_.attr("infer_shape")(nb::cast(const_cast<Apply&>(node).shared_from_this()), shapes);
    nb::object dim = nb::list(res)[static_cast<size_t>(output)][static_cast<size_t>(axis)];
    Var v = nb::cast<Var>(as_tensor_variable()(dim));
    return v->dtype() == DType::Int64 ? v : cast(v, DType::Int64);
  } catch (nb::python_error&) {
    return nullptr;  // the shape comes from running the op instead
  } catch (const nb::cast_error&) {
    return nullptr;
  }
}

void PyOp::run(const Apply* node, const std::vector<NDArray>& in, std::vector<NDArray>& out) const {
  nb::gil_scoped_acquire gil;
  static nb::handle np = nb::module_::import_("numpy").release();  // kept for the process's life
  nb::list inputs, storage;
  // perform must not overwrite its inputs, except those its destroy_map
  // declares: those get a private copy (the graph never plans the op in place).
  nb::object destroy_map = nb::getattr(op_, "destroy_map", nb::none());
  std::vector<bool> destroyed(in.size(), false);
  try {
    if (nb::isinstance<nb::dict>(destroy_map))
      for (auto [out, ins] : nb::borrow<nb::dict>(destroy_map))
        for (nb::handle i : nb::iter(ins)) {
          const auto k = nb::cast<int64_t>(i);
          if (k >= 0 && static_cast<size_t>(k) < in.size()) destroyed[static_cast<size_t>(k)] = true;
        }
  } catch (const std::exception&) {
    throw TypeError(name_ + ".destroy_map must map each output to a list of input indices, got " + py_str(destroy_map));
  }
  for (size_t k = 0; k < in.size(); ++k) {
    nb::object arr = to_numpy(destroyed[k] ? in[k].copy() : in[k]);
    if (!destroyed[k]) arr.attr("setflags")(nb::arg("write") = false);
    inputs.append(arr);
  }
  for (size_t i = 0; i < types_.size(); ++i) {
    nb::list cell;
    cell.append(nb::none());
    storage.append(cell);
  }
  nb::object py_node = node ? nb::cast(const_cast<Apply*>(node)->shared_from_this()) : nb::none();
  try {
    op_.attr("perform")(py_node, inputs, storage);
  } catch (nb::python_error& e) {
    rethrow_python(name_ + ".perform", e);
  }
  for (size_t i = 0; i < types_.size(); ++i) {
    nb::object v = nb::borrow<nb::list>(storage[i])[0];
    const std::string what = name_ + ".perform: output " + std::to_string(i);
    if (v.is_none()) throw ValueError(what + " was not set (output_storage[" + std::to_string(i) + "][0])");
    const std::string dt(dtype_name(types_[i].dtype));
    nb::object arr = np.attr("asarray")(v);
    const std::string got = py_str(arr.attr("dtype"));
    if (got != dt) {
      if (!nb::cast<bool>(np.attr("can_cast")(arr.attr("dtype"), dt, "same_kind")))
        throw TypeError(what + " has dtype " + got + " where " + types_[i].str() + " was declared");
      arr = arr.attr("astype")(dt);
    }
    NDArray a = from_numpy_or_throw(arr);
    if (a.ndim() != types_[i].ndim())
      throw TypeError(what + " has " + std::to_string(a.ndim()) + " dimensions where " + types_[i].str() +
                      " was declared");
    for (int d = 0; d < a.ndim(); ++d) {
      const int64_t s = types_[i].shape[static_cast<size_t>(d)];
      if (s >= 0 && a.shape[static_cast<size_t>(d)] != s)
        throw ValueError(what + " has shape " + shape_str(a.shape) + " where " + types_[i].str() + " was declared");
    }
    // A copy the graph owns: the array may be an input or a view of one, and
    // memory Python owns must not outlive the interpreter in theon's caches.
    out[i] = a.copy();
  }
}

void bind_py_op(nb::module_& m) {
  m.def(
      "python_apply",
      [](nb::object op, const std::vector<Var>& inputs, const std::vector<Var>& outputs) {
        std::vector<TensorType> types;
        for (const Var& o : outputs) {
          if (!o) throw TypeError("Apply: an output is None");
          types.push_back(o->type);
        }
        for (const Var& i : inputs)
          if (!i) throw TypeError("Apply: an input is None");
        // The node holds the op, whose methods' globals often hold the graph's variables: a cycle through
        // C++ that Python's collector cannot see, alive until exit (as Theano's graphs were). nanobind would
        // list it as leaked when the interpreter exits.
        nb::set_leak_warnings(false);
        return make_apply(std::make_shared<PyOp>(std::move(op), std::move(types)), inputs);
      },
      nb::arg("op"), nb::arg("inputs"), nb::arg("outputs"),
      "The node of a Python op (a subclass of theano.Op): ``theano.Apply(op, inputs, outputs)`` calls it; "
      "the outputs give the types, the node makes its own output variables.");
}

}  // namespace theon::py
