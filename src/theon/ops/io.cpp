// LoadFromDisk: a NumPy .npy file read at each call (Theano's tensor.io.load).
// The file is read when the function runs, not when it is built, so one
// compiled function follows a file that changes between calls; mmap "c" maps
// it copy-on-write instead of reading it. The node has no inputs, so constant
// folding leaves it alone. The class is in ops/io.hpp; the reader, its kernel,
// in backend/cpu/io.cpp.
#include "ops/io.hpp"

#include "theon/ops.hpp"

namespace theon {

Var load_npy(const std::string& path, const TensorType& type, bool mmap) {
  return apply1(std::make_shared<ops::LoadFromDisk>(path, type, mmap), {});
}

}  // namespace theon
