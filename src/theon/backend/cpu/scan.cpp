// The CPU kernel of the Scan op (compile/scan_op.hpp): runs the step function
// once per step. Each state lives in one buffer of [initial rows, the values
// of the steps]: a step reads its taps as views of earlier rows and its value
// is written into the next row. Sequences are read as row views, never copied.
#include "backend/cpu/kernels.hpp"
#include "compile/inner_function.hpp"
#include "compile/scan_op.hpp"
#include "theon/function.hpp"

namespace theon {

namespace {

// Row i of x as a view (no copy).
NDArray row_view(const NDArray& x, int64_t i) {
  NDArray r = x;
  r.data += i * r.strides[0];
  r.shape.erase(r.shape.begin());
  r.strides.erase(r.strides.begin());
  return r;
}

// Rows [a, b) of x as a view.
NDArray rows_view(const NDArray& x, int64_t a, int64_t b) {
  NDArray r = x;
  r.data += a * r.strides[0];
  r.shape[0] = b - a;
  return r;
}

Shape with_rows(int64_t n, const Shape& row) {
  Shape s{n};
  s.insert(s.end(), row.begin(), row.end());
  return s;
}

void scan_kernel(const ops::ScanOp& op, const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws) {
  const std::string& name = op.name();
  const int64_t n = in[0].item_int();
  if (n < 0) throw ValueError(name + ": n_steps must be >= 0, got " + std::to_string(n));
  const size_t nseq = op.n_sequences(), ns = op.states().size(), nout = static_cast<size_t>(op.n_outputs());
  for (size_t k = 0; k < nseq; ++k)
    if (in[1 + k].shape[0] < n)
      throw ValueError(name + ": sequence " + std::to_string(k) + " has " + std::to_string(in[1 + k].shape[0]) +
                       " rows, fewer than the " + std::to_string(n) + " steps asked for " + shape_str(in[1 + k].shape));
  // State buffers: [L initial rows, n step values].
  std::vector<NDArray> buf(ns);
  std::vector<Shape> state_row(ns);
  for (size_t s = 0; s < ns; ++s) {
    const NDArray& init = in[op.first_init() + s];
    const int L = op.states()[s].lags();
    if (init.shape[0] < L)
      throw ValueError(name + ": state " + std::to_string(s) + " reads " + std::to_string(L) +
                       " steps back but its initial value has " + std::to_string(init.shape[0]) + " rows " +
                       shape_str(init.shape));
    state_row[s] = Shape(init.shape.begin() + 1, init.shape.end());
    // A state whose history is not returned cycles through L + 1 rows.
    buf[s] = ws.empty(init.dtype, with_rows(op.states()[s].keep_history ? L + n : L + 1, state_row[s]));
    NDArray head = rows_view(buf[s], 0, L);
    copy_into(rows_view(init, init.shape[0] - L, init.shape[0]), head);
  }
  std::vector<NDArray> stacked(nout);
  std::vector<Shape> out_row(nout);
  std::vector<NDArray> args, into;
  args.reserve(nseq + op.tap_inner().size() + op.n_params());
  into.reserve(ns + nout);
  Function* prepared = prepared_inner(ws, 0);
  Function& step = prepared ? *prepared : op.step_function();
  // The buffer row of position p (p = L + t holds step t's value).
  auto at = [&](size_t s, int64_t p) { return op.states()[s].keep_history ? p : p % (op.states()[s].lags() + 1); };
  int64_t done = n;
  for (int64_t t = 0; t < n; ++t) {
    args.clear();
    for (size_t k = 0; k < nseq; ++k) args.push_back(row_view(in[1 + k], t));
    for (size_t s = 0; s < ns; ++s) {
      const int L = op.states()[s].lags();
      for (int tap : op.states()[s].taps) args.push_back(row_view(buf[s], at(s, L + t + tap)));
    }
    for (size_t j = 0; j < op.n_params(); ++j) args.push_back(in[op.first_param() + j]);
    // Scan in place: the step computes its values in the rows they go to
    // (a state's next history row, a stacked output's row t) when its last
    // node allocates them; otherwise they are copied there below.
    into.clear();
    for (size_t s = 0; s < ns; ++s) into.push_back(row_view(buf[s], at(s, op.states()[s].lags() + t)));
    for (size_t m = 0; m < nout && t > 0; ++m) into.push_back(row_view(stacked[m], t));
    // The step's inputs fit its types: rows of the checked outer values.
    std::vector<NDArray> res = step.run_checked_inputs(args, &into);
    for (size_t s = 0; s < ns; ++s) {
      if (res[s].shape != state_row[s])
        throw ValueError(name + ": step " + std::to_string(t) + " returns state " + std::to_string(s) + " with shape " +
                         shape_str(res[s].shape) + ", but its initial value has rows of shape " +
                         shape_str(state_row[s]) + "; a state keeps its shape across steps");
      if (res[s].data != into[s].data) copy_into(res[s], into[s]);
    }
    for (size_t m = 0; m < nout; ++m) {
      const NDArray& y = res[ns + m];
      if (t == 0) {
        out_row[m] = y.shape;
        stacked[m] = ws.empty(y.dtype, with_rows(n, y.shape));
      } else if (y.shape != out_row[m]) {
        throw ValueError(name + ": output " + std::to_string(m) + " has shape " + shape_str(y.shape) + " at step " +
                         std::to_string(t) + " but " + shape_str(out_row[m]) + " at step 0; every step must give " +
                         "the same shape");
      }
      if (t == 0 || y.data != into[ns + m].data) {
        NDArray dst = row_view(stacked[m], t);
        copy_into(y, dst);
      }
    }
    if (op.has_until() && res.back().item_int() != 0) {
      done = t + 1;
      break;
    }
  }
  for (size_t s = 0; s < ns; ++s) {
    const int L = op.states()[s].lags();
    out[s] = op.states()[s].keep_history ? rows_view(buf[s], L, L + done) : row_view(buf[s], at(s, L + done - 1));
  }
  if (n > 0) {
    for (size_t m = 0; m < nout; ++m) out[ns + m] = rows_view(stacked[m], 0, done);
    return;
  }
  // Zero steps: each output is (0, row shape). A row shape the types do not
  // fix is what the step's shape graph gives for zero rows of the sequences
  // (a jacobian's rows are shaped like its wrt whatever the index).
  std::vector<NDArray> row_shapes;
  for (size_t m = 0; m < nout && row_shapes.empty(); ++m)
    for (int64_t d : op.step_outputs()[ns + m]->type.shape)
      if (d < 0) {
        std::vector<NDArray> probe;
        for (size_t k = 0; k < nseq; ++k)
          probe.push_back(NDArray::zeros(in[1 + k].dtype, Shape(in[1 + k].shape.begin() + 1, in[1 + k].shape.end())));
        for (size_t s = 0; s < ns; ++s)
          for (int tap : op.states()[s].taps) probe.push_back(row_view(buf[s], op.states()[s].lags() + tap));
        for (size_t j = 0; j < op.n_params(); ++j) probe.push_back(in[op.first_param() + j]);
        try {
          row_shapes = op.row_shape_function()(probe);
        } catch (const UserError& e) {
          throw ValueError(name + ": zero steps, and the shape of output " + std::to_string(m) +
                           " depends on the values of a step (" + e.what() + ")");
        }
        break;
      }
  for (size_t m = 0; m < nout; ++m) {
    Shape full{0};
    const auto& type_shape = op.step_outputs()[ns + m]->type.shape;
    for (size_t d = 0; d < type_shape.size(); ++d)
      full.push_back(type_shape[d] >= 0 ? type_shape[d] : row_shapes[m].get_int(static_cast<int64_t>(d)));
    out[ns + m] = ws.empty(op.step_outputs()[ns + m]->dtype(), full);
  }
}

std::unique_ptr<KernelState> prepare_scan(const Op& op, const FunctionOptions* options) {
  auto s = std::make_unique<InnerFunctions>();
  s->fns.push_back(static_cast<const ops::ScanOp&>(op).compile_step(options));
  return s;
}

}  // namespace

void add_scan_kernels(Backend& cpu) { cpu.add(OpKind::Scan, &typed_kernel<ops::ScanOp, scan_kernel>, &prepare_scan); }

}  // namespace theon
