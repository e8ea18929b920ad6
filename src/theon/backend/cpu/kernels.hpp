// What the CPU backend's kernel families share: their registration functions
// (listed once, in kernel_families.def) and the adapter from a kernel written
// against its op class to the backend's Kernel signature.
#pragma once
#include <vector>

#include "backend/backend.hpp"

namespace theon {

#define THEON_CPU_KERNELS(family) void add_##family##_kernels(Backend& cpu);
#include "backend/cpu/kernel_families.def"
#undef THEON_CPU_KERNELS

// A kernel written as F(const OpT&, in, out, ws), registered against the op
// kind that only OpT reports (the static_cast relies on that).
template <class OpT>
using TypedKernel = void (*)(const OpT& op, const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws);

template <class OpT, TypedKernel<OpT> F>
void typed_kernel(const Op& op, const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws) {
  F(static_cast<const OpT&>(op), in, out, ws);
}

// A preflight check (backend.hpp) from a function of the op's own type that
// throws what the kernel would throw: false when it does.
template <class OpT, void (*F)(const OpT&, const std::vector<NDArray>&, const Apply*)>
bool typed_preflight(const Op& op, const std::vector<NDArray>& in, const Apply* node) {
  try {
    F(static_cast<const OpT&>(op), in, node);
    return true;
  } catch (const UserError&) {
    return false;
  }
}

}  // namespace theon
