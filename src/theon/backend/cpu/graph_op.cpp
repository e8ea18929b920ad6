// The CPU kernel of the GraphOp (compile/graph_op.hpp): calls its compiled function.
#include "compile/graph_op.hpp"

#include "backend/cpu/kernels.hpp"
#include "theon/function.hpp"

namespace theon {

namespace {

void graph_op_kernel(const ops::GraphOp& op, const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace&) {
  std::vector<NDArray> res = op.function()(in);
  for (size_t k = 0; k < res.size(); ++k) out[k] = res[k];
}

}  // namespace

void add_graph_op_kernels(Backend& cpu) { cpu.add(OpKind::OpFromGraph, &typed_kernel<ops::GraphOp, graph_op_kernel>); }

}  // namespace theon
