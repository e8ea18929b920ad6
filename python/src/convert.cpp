#define PY_ARRAY_UNIQUE_SYMBOL theon_ARRAY_API
#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#include "convert.hpp"

#include <numpy/arrayobject.h>

#include <cstring>
#include <unordered_map>

#include "theon/error.hpp"

namespace theon::py {

void init_numpy() {
  if (_import_array() < 0) throw nb::python_error();
}

namespace {
int npy_type(DType d) {
  switch (d) {
    case DType::Bool:
      return NPY_BOOL;
    case DType::Int8:
      return NPY_INT8;
    case DType::Int16:
      return NPY_INT16;
    case DType::Int32:
      return NPY_INT32;
    case DType::Int64:
      return NPY_INT64;
    case DType::UInt8:
      return NPY_UINT8;
    case DType::UInt16:
      return NPY_UINT16;
    case DType::UInt32:
      return NPY_UINT32;
    case DType::UInt64:
      return NPY_UINT64;
    case DType::Float16:
      return NPY_FLOAT16;
    case DType::Float32:
      return NPY_FLOAT32;
    case DType::Float64:
      return NPY_FLOAT64;
    case DType::Complex64:
      return NPY_COMPLEX64;
    case DType::Complex128:
      return NPY_COMPLEX128;
  }
  return NPY_FLOAT64;
}

bool theon_dtype(int t, DType* out) {
  for (int i = 0; i < kNumDTypes; ++i) {
    DType d = static_cast<DType>(i);
    if (PyArray_EquivTypenums(t, npy_type(d))) {
      *out = d;
      return true;
    }
  }
  return false;
}

// Keeps a Python object alive from C++; drops the reference under the GIL.
void release_pyobject(void* obj) {
  PyGILState_STATE s = PyGILState_Ensure();
  Py_DECREF(static_cast<PyObject*>(obj));
  PyGILState_Release(s);
}
}  // namespace

bool from_numpy(PyObject* obj, NDArray* out) {
  if (!PyArray_Check(obj)) return false;
  auto* arr = reinterpret_cast<PyArrayObject*>(obj);
  DType d;
  if (!theon_dtype(PyArray_TYPE(arr), &d)) return false;
  if (!PyArray_ISALIGNED(arr) || !PyArray_ISNOTSWAPPED(arr)) return false;
  const int nd = PyArray_NDIM(arr);
  Shape shape(PyArray_DIMS(arr), PyArray_DIMS(arr) + nd);
  Strides strides(PyArray_STRIDES(arr), PyArray_STRIDES(arr) + nd);
  Py_INCREF(obj);
  std::shared_ptr<void> ref(obj, &release_pyobject);
  *out = NDArray::wrap(PyArray_DATA(arr), d, std::move(shape), std::move(strides), std::move(ref));
  return true;
}

NDArray from_numpy_or_throw(nb::handle obj) {
  NDArray a;
  if (from_numpy(obj.ptr(), &a)) return a;
  PyObject* arr = PyArray_FromAny(obj.ptr(), nullptr, 0, 0, NPY_ARRAY_ALIGNED | NPY_ARRAY_NOTSWAPPED, nullptr);
  if (!arr) throw nb::python_error();
  nb::object holder = nb::steal(arr);
  if (!from_numpy(arr, &a)) {
    nb::object desc =
        nb::steal(PyObject_Str(reinterpret_cast<PyObject*>(PyArray_DESCR(reinterpret_cast<PyArrayObject*>(arr)))));
    const char* dname = desc.is_valid() ? PyUnicode_AsUTF8(desc.ptr()) : nullptr;
    PyErr_Clear();
    throw TypeError(
        std::string("cannot convert a value of NumPy dtype ") + (dname ? dname : "?") +
        " to a theon array (supported: bool, int8-int64, uint8-uint64, float16, float32, float64, complex64, "
        "complex128)");
  }
  return a;
}

bool numpy_writeable(nb::handle obj) {
  return PyArray_Check(obj.ptr()) && PyArray_ISWRITEABLE(reinterpret_cast<PyArrayObject*>(obj.ptr()));
}

nb::object to_numpy(const NDArray& a) {
  // The capsule owns a reference to the storage; NumPy keeps the capsule as base.
  auto* keep = new std::shared_ptr<void>(a.base);
  PyObject* cap = PyCapsule_New(
      keep, nullptr, [](PyObject* c) { delete static_cast<std::shared_ptr<void>*>(PyCapsule_GetPointer(c, nullptr)); });
  if (!cap) {
    delete keep;
    throw nb::python_error();
  }
  std::vector<npy_intp> dims(a.shape.begin(), a.shape.end()), strides(a.strides.begin(), a.strides.end());
  PyObject* arr = PyArray_New(&PyArray_Type, a.ndim(), dims.data(), npy_type(a.dtype), strides.data(), a.data, 0,
                              NPY_ARRAY_WRITEABLE | NPY_ARRAY_ALIGNED, nullptr);
  if (!arr) {
    Py_DECREF(cap);
    throw nb::python_error();
  }
  if (PyArray_SetBaseObject(reinterpret_cast<PyArrayObject*>(arr), cap) < 0) {
    Py_DECREF(arr);
    throw nb::python_error();
  }
  return nb::steal(arr);
}

namespace {
std::string g_package_dir;  // set once at import, before any other thread runs theon

bool internal_file(const char* file) {
  return (!g_package_dir.empty() && std::strncmp(file, g_package_dir.c_str(), g_package_dir.size()) == 0) ||
         std::strncmp(file, "<frozen", 7) == 0;
}
}  // namespace

int internal_frame_depth() {
  PyFrameObject* f = PyEval_GetFrame();  // borrowed
  if (f) Py_INCREF(f);
  int depth = 0;
  while (f) {
    PyCodeObject* code = PyFrame_GetCode(f);
    const char* file = PyUnicode_AsUTF8(code->co_filename);
    const bool internal = internal_file(file ? file : "");
    Py_DECREF(code);
    if (!internal) {
      Py_DECREF(f);
      return depth;
    }
    ++depth;
    PyFrameObject* back = PyFrame_GetBack(f);  // new reference
    Py_DECREF(f);
    f = back;
  }
  return -1;
}

void install_site_provider(const std::string& package_dir) {
  g_package_dir = package_dir;
  // Sites are interned by (code object, line): the nodes built on one line
  // share one record. The file and function names are checked on a hit, so
  // a code object freed and its address reused never gives a wrong site.
  struct Key {
    const void* code;
    int line;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const {
      return std::hash<const void*>()(k.code) * 31 + static_cast<size_t>(k.line);
    }
  };
  auto cache = std::make_shared<std::unordered_map<Key, SourceSite, KeyHash>>();
  set_site_provider([package_dir, cache]() -> SourceSite {
    if (!Py_IsInitialized() || !PyGILState_Check()) return {};
    PyFrameObject* f = PyEval_GetFrame();  // borrowed
    if (f) Py_INCREF(f);
    SourceSite site;
    while (f) {
      PyCodeObject* code = PyFrame_GetCode(f);
      const char* file = PyUnicode_AsUTF8(code->co_filename);
      if (!file) file = "";
      const bool internal = internal_file(file);
      if (!internal) {
        const int line = PyFrame_GetLineNumber(f);
        const char* fn = PyUnicode_AsUTF8(code->co_name);
        if (!fn) fn = "";
        auto& slot = (*cache)[Key{code, line}];
        if (!slot.known() || slot.file() != file || slot.function() != fn) {
          if (cache->size() > 100000) cache->clear();  // bounded; a miss only costs a new record
          slot = SourceSite(file, line, fn);
        }
        site = slot;
        Py_DECREF(code);
        Py_DECREF(f);
        break;
      }
      Py_DECREF(code);
      PyFrameObject* back = PyFrame_GetBack(f);  // new reference
      Py_DECREF(f);
      f = back;
    }
    return site;
  });
}

}  // namespace theon::py
