// The host CPU backend: host memory (64-byte aligned) and a kernel for every
// op kind, registered by family (kernel_families.def).
#include "backend/cpu/kernels.hpp"

namespace theon {

namespace {

class CpuBackend final : public Backend {
 public:
  CpuBackend() : Backend("cpu", Device::Host) {
#define THEON_CPU_KERNELS(family) add_##family##_kernels(*this);
#include "backend/cpu/kernel_families.def"
#undef THEON_CPU_KERNELS
  }
  void* allocate(size_t bytes) const override { return alloc_array_storage(bytes); }
  void deallocate(void* p) const override { free_array_storage(p); }
  bool emits_fused_kernels() const override { return true; }
};

}  // namespace

const Backend& cpu_backend() {
  static const CpuBackend backend;
  return backend;
}

}  // namespace theon
