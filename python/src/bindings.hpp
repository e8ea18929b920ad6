#pragma once
#include <nanobind/nanobind.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include "convert.hpp"
#include "theon/theon.hpp"

namespace theon::py {
namespace nb = nanobind;
void bind_graph(nb::module_& m);
void bind_ops(nb::module_& m);
void bind_function(nb::module_& m);
void bind_py_op(nb::module_& m);  // py_op.cpp
void bind_serialize(nb::module_& m);
DType dtype_arg(const std::string& name);
}  // namespace theon::py
