#include "backend/backend.hpp"

namespace theon {

Kernel Backend::kernel_for(const Op& op) const {
  if (Kernel k = kernel(op.kind())) return k;
  throw NotImplementedError(std::string("no kernel for ") + op_kind_name(op.kind()) + " on " + name_ + " (op " +
                            op.name() + ")");
}

std::vector<OpKind> Backend::missing_kernels() const {
  std::vector<OpKind> missing;
  for (int k = 0; k < kNumOpKinds; ++k)
    if (!kernels_[k]) missing.push_back(static_cast<OpKind>(k));
  return missing;
}

void Backend::add(OpKind kind, Kernel kernel, PrepareFn prepare) {
  Kernel& slot = kernels_[static_cast<int>(kind)];
  THEON_CHECK(kernel && !slot, std::string("backend ") + name_ + ": kernel for " + op_kind_name(kind) +
                                   (kernel ? " registered twice" : " is null"));
  slot = kernel;
  prepares_[static_cast<int>(kind)] = prepare;
}

void check_device(const Backend& backend, const Op& op, const std::vector<NDArray>& in) {
  for (size_t i = 0; i < in.size(); ++i)
    if (in[i].device != backend.device())
      throw ValueError(op.name() + ": input " + std::to_string(i) + " lives on " + device_name(in[i].device) +
                       ", but the " + backend.name() + " backend runs on " + device_name(backend.device()));
}

}  // namespace theon
