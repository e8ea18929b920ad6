// The CPU kernel of the GraphOp (compile/graph_op.hpp): calls its compiled function.
#include "compile/graph_op.hpp"

#include "backend/cpu/kernels.hpp"
#include "compile/inner_function.hpp"
#include "theon/function.hpp"

namespace theon {

namespace {

void graph_op_kernel(const ops::GraphOp& op, const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws) {
  Function* fn = prepared_inner(ws, 0);
  std::vector<NDArray> res = (fn ? *fn : op.function())(in);
  for (size_t k = 0; k < res.size(); ++k) out[k] = res[k];
}

std::unique_ptr<KernelState> prepare_graph_op(const Op& op, const FunctionOptions* options) {
  auto s = std::make_unique<InnerFunctions>();
  s->fns.push_back(static_cast<const ops::GraphOp&>(op).compile(options));
  return s;
}

}  // namespace

void add_graph_op_kernels(Backend& cpu) {
  cpu.add(OpKind::OpFromGraph, &typed_kernel<ops::GraphOp, graph_op_kernel>, &prepare_graph_op);
}

}  // namespace theon
