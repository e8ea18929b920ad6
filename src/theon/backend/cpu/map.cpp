// The CPU kernel of the Map op (compile/map_op.hpp): runs the inner function
// once per index value and stacks the rows.
#include "backend/cpu/kernels.hpp"
#include "compile/map_op.hpp"
#include "theon/function.hpp"

namespace theon {

namespace {

void map_kernel(const ops::MapOp& op, const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws) {
  int64_t n = in[0].item_int();
  if (n < 0) throw ValueError(op.name() + ": the number of rows must be >= 0, got " + std::to_string(n));
  std::vector<NDArray> args(in.begin(), in.end());
  std::vector<Shape> row_shape(op.outputs().size());
  for (int64_t i = 0; i < n; ++i) {
    args[0] = NDArray::scalar<int64_t>(i);
    std::vector<NDArray> rows = op.inner_function()(args);
    for (size_t k = 0; k < rows.size(); ++k) {
      if (i == 0) {
        row_shape[k] = rows[k].shape;
        Shape full{n};
        full.insert(full.end(), row_shape[k].begin(), row_shape[k].end());
        out[k] = ws.empty(op.outputs()[k]->dtype(), full);
      } else if (rows[k].shape != row_shape[k]) {
        throw ValueError(op.name() + ": output " + std::to_string(k) + " has shape " + shape_str(rows[k].shape) +
                         " at index " + std::to_string(i) + " but " + shape_str(row_shape[k]) +
                         " at index 0; every row must have the same shape");
      }
      NDArray row = out[k];
      row.data += i * row.strides[0];
      row.shape.erase(row.shape.begin());
      row.strides.erase(row.strides.begin());
      copy_into(rows[k], row);
    }
  }
  if (n > 0) return;
  for (size_t k = 0; k < op.outputs().size(); ++k) {
    Shape full{0};
    if (op.row_like()[k] >= 0) {
      const Shape& s = in[op.row_like()[k]].shape;
      full.insert(full.end(), s.begin(), s.end());
    } else {
      for (int64_t d : op.outputs()[k]->type.shape) {
        if (d < 0)
          throw ValueError(op.name() + ": zero rows, and the shape of a row of output " + std::to_string(k) +
                           " is not known without running it");
        full.push_back(d);
      }
    }
    out[k] = ws.empty(op.outputs()[k]->dtype(), full);
  }
}

}  // namespace

void add_map_kernels(Backend& cpu) { cpu.add(OpKind::Map, &typed_kernel<ops::MapOp, map_kernel>); }

}  // namespace theon
