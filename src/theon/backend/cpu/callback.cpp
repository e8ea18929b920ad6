// The CPU kernel of HostCallback ops (ops/callback.hpp): the op runs itself.
#include "ops/callback.hpp"

#include "backend/cpu/kernels.hpp"

namespace theon {

namespace {

void callback_kernel(const ops::HostCallback& op, const std::vector<NDArray>& in, std::vector<NDArray>& out,
                     Workspace& ws) {
  op.run(ws.node, in, out);
}

}  // namespace

void add_callback_kernels(Backend& cpu) {
  cpu.add(OpKind::HostCallback, &typed_kernel<ops::HostCallback, callback_kernel>);
}

}  // namespace theon
