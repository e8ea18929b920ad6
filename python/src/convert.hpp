// NumPy <-> NDArray without copies where the layout allows, and the Python
// site provider.
#pragma once
#include <nanobind/nanobind.h>

#include "theon/ndarray.hpp"

namespace theon::py {
namespace nb = nanobind;

void init_numpy();  // import_array; call once from the module init
// Wraps a NumPy array (borrowing its memory); returns false if `obj` is not a
// NumPy array of a supported dtype.
bool from_numpy(PyObject* obj, NDArray* out);
NDArray from_numpy_or_throw(nb::handle obj);  // np.asarray first if needed
nb::object to_numpy(const NDArray& a);
// Whether `obj` is a NumPy array whose memory may be written (not a read-only
// buffer or memmap).
bool numpy_writeable(nb::handle obj);
// Records where the user built nodes: the innermost frame outside the theon package.
void install_site_provider(const std::string& package_dir);
// How many Python frames, from the innermost, lie inside theon's package (or
// are frozen importlib frames) before the user's code; -1 when no frame is
// the user's (a background thread). Needs the GIL.
int internal_frame_depth();

}  // namespace theon::py
