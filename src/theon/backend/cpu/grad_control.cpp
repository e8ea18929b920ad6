// CPU kernels of the gradient controls and the null gradient
// (ops/grad_control.hpp).
#include "ops/grad_control.hpp"

#include "backend/cpu/kernels.hpp"

namespace theon {

namespace {

void grad_control_kernel(const ops::GradControl&, const std::vector<NDArray>& in, std::vector<NDArray>& out,
                         Workspace&) {
  out[0] = in[0];  // a view: the forward pass is the identity
}

// A gradient that does not exist cannot be computed: the kernel raises why.
void null_grad_kernel(const ops::NullGrad& op, const std::vector<NDArray>&, std::vector<NDArray>&, Workspace&) {
  throw ValueError("this graph uses a gradient that does not exist: " + op.why());
}

}  // namespace

void add_grad_control_kernels(Backend& cpu) {
  cpu.add(OpKind::GradControl, &typed_kernel<ops::GradControl, grad_control_kernel>);
  cpu.add(OpKind::NullGrad, &typed_kernel<ops::NullGrad, null_grad_kernel>);
}

}  // namespace theon
