// Backends: the CPU backend has a kernel for every op kind in the op list, and
// a backend that registers nothing reports each missing kernel by name.
#include <gtest/gtest.h>

#include <string>

#include "backend/backend.hpp"
#include "theon/ops.hpp"

using namespace theon;

namespace {

class StubBackend final : public Backend {
 public:
  StubBackend() : Backend("stub", Device::Host) {}
  void* allocate(size_t) const override { return nullptr; }
  void deallocate(void*) const override {}
};

}  // namespace

TEST(Backend, CpuHasAKernelForEveryOpKind) {
  std::string missing;
  for (OpKind k : cpu_backend().missing_kernels()) missing += std::string(op_kind_name(k)) + " ";
  EXPECT_EQ(missing, "");
  EXPECT_EQ(cpu_backend().name(), "cpu");
  EXPECT_EQ(cpu_backend().device(), Device::Host);
}

TEST(Backend, AStubBackendReportsEveryMissingKernel) {
  StubBackend stub;
  EXPECT_EQ(stub.missing_kernels().size(), static_cast<size_t>(kNumOpKinds));
  Var x = variable(TensorType(DType::Float64, {-1}));
  Var s = sort(x, 0);
  try {
    stub.kernel_for(*s->owner->op);
    FAIL() << "expected NotImplementedError";
  } catch (const NotImplementedError& e) {
    EXPECT_NE(std::string(e.what()).find("no kernel for Sort on stub"), std::string::npos) << e.what();
  }
}

TEST(Backend, AKindIsRegisteredOnce) {
  StubBackend stub;
  const Kernel k = cpu_backend().kernel(OpKind::Sort);
  stub.add(OpKind::Sort, k);
  EXPECT_EQ(stub.kernel(OpKind::Sort), k);
  EXPECT_EQ(stub.missing_kernels().size(), static_cast<size_t>(kNumOpKinds - 1));
  EXPECT_THROW(stub.add(OpKind::Sort, k), InternalError);
}
