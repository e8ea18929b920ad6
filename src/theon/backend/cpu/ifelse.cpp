// The CPU kernel of the IfElse op (compile/ifelse_op.hpp): runs the branch the
// condition selects, and only that one.
#include "backend/cpu/kernels.hpp"
#include "compile/ifelse_op.hpp"
#include "compile/inner_function.hpp"
#include "theon/function.hpp"

namespace theon {

namespace {

void ifelse_kernel(const ops::IfElseOp& op, const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws) {
  const bool take_then = in[0].item_double() != 0;
  std::vector<NDArray> params(in.begin() + 1, in.end());
  Function* fn = prepared_inner(ws, take_then ? 0 : 1);
  std::vector<NDArray> res = (fn ? *fn : op.branch(take_then))(params);
  for (size_t k = 0; k < res.size(); ++k) out[k] = res[k];
}

// Both branches are compiled with the function (the one not taken is not run).
std::unique_ptr<KernelState> prepare_ifelse(const Op& op, const FunctionOptions* options) {
  const auto& ie = static_cast<const ops::IfElseOp&>(op);
  auto s = std::make_unique<InnerFunctions>();
  s->fns.push_back(ie.compile_branch(true, options));
  s->fns.push_back(ie.compile_branch(false, options));
  return s;
}

}  // namespace

void add_ifelse_kernels(Backend& cpu) {
  cpu.add(OpKind::IfElse, &typed_kernel<ops::IfElseOp, ifelse_kernel>, &prepare_ifelse);
}

}  // namespace theon
