// The CPU kernel of the IfElse op (compile/ifelse_op.hpp): runs the branch the
// condition selects, and only that one.
#include "backend/cpu/kernels.hpp"
#include "compile/ifelse_op.hpp"
#include "theon/function.hpp"

namespace theon {

namespace {

void ifelse_kernel(const ops::IfElseOp& op, const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace&) {
  const bool take_then = in[0].item_double() != 0;
  std::vector<NDArray> params(in.begin() + 1, in.end());
  std::vector<NDArray> res = op.branch(take_then)(params);
  for (size_t k = 0; k < res.size(); ++k) out[k] = res[k];
}

}  // namespace

void add_ifelse_kernels(Backend& cpu) { cpu.add(OpKind::IfElse, &typed_kernel<ops::IfElseOp, ifelse_kernel>); }

}  // namespace theon
