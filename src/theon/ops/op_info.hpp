// What rewrites may read from an op: its parameters, by kind. Each accessor
// is valid only for ops of the named kind (checked with op.kind() first) and
// lives in the file of its op family.
#pragma once
#include <vector>

#include "theon/conv.hpp"
#include "theon/graph.hpp"
#include "theon/linalg.hpp"
#include "theon/ops.hpp"
#include "theon/scalar.hpp"

namespace theon {

// OpKind::Elemwise: the scalar function.      OpKind::Cast: the target dtype.
ScalarOpId elemwise_id(const Op& op);
DType cast_dtype(const Op& op);
// The shared Elemwise op of a scalar function (for building nodes directly).
OpPtr elemwise_op_of(ScalarOpId id);

// Inplace variants (made by the inplace phase): the same op overwriting input
// `input` (Elemwise, Cast, Fused) or x (IncSubtensor) when the runtime allows.
OpPtr elemwise_inplace(const Op& op, int input);
OpPtr composite_inplace(const Op& op, int input);
OpPtr inc_subtensor_inplace(const Op& op);

// OpKind::Conv / ConvGradInputs / ConvGradWeights: the convolution's parameters.
const ConvParams& conv_params(const Op& op);

// OpKind::Linalg: the function and its parameters.
const LinalgParams& linalg_params(const Op& op);

// OpKind::DimShuffle: the new order (-1 = an inserted broadcastable axis).
const std::vector<int>& dimshuffle_order(const Op& op);

// OpKind::Reduce / ArgReduce / FusedReduce: the kind and the reduced axes (sorted).
ReduceKind reduce_kind_of(const Op& op);
const std::vector<int>& reduce_axes(const Op& op);
// OpKind::ArgReduce: argmax (true) or argmin.
bool arg_reduce_is_max(const Op& op);

// OpKind::SpecifyShape: whether it checks sizes given as symbolic inputs
// (SpecifyShape) or only a static broadcast pattern (Theano's Rebroadcast).
bool specify_shape_symbolic(const Op& op);

// OpKind::Subtensor / IncSubtensor: the index entries (components taken from
// the node's inputs), whether it uses array indexing, and set vs increment.
std::vector<IndexEntry> index_entries(const Apply& node);
bool index_advanced(const Op& op);
bool inc_subtensor_sets(const Op& op);

// OpKind::Assert: the same check (message, error class) over other conditions.
Var assert_like(const Op& op, const Var& x, const std::vector<Var>& conditions);

// OpKind::Gemm: beta * z + alpha * dot(x, y) (float dtypes; alpha, beta 0-d),
// named Gemm, Gemv or Ger by the operands; `inplace` overwrites z's buffer.
Var gemm(const Var& z, const Var& alpha, const Var& x, const Var& y, const Var& beta, bool inplace = false);
// a * dot(x, y) as one BLAS call (Dot22Scalar), a 0-d of the product's dtype.
Var dot_scalar(const Var& x, const Var& y, const Var& a);

// OpKind::Softmax: the axis, and whether it is the log-softmax.
int softmax_axis(const Op& op);
bool softmax_is_log(const Op& op);
// OpKind::LogSumExp: its axis.
int logsumexp_axis(const Op& op);
// The random ops' distribution: "uniform" for MRGUniform, "multinomial" or
// "choice" for FromUniform, the RandomState distribution for RandomStateDraw.
std::string random_distribution(const Op& op);

// Ops over an inner graph (Scan): the step's inputs (sequence rows, state
// taps, parameters) and outputs (next states, outputs, until). False for
// other kinds. Defined in compile/scan_op.cpp.
bool inner_graph(const Op& op, std::vector<Var>* inputs, std::vector<Var>* outputs);
// OpKind::IfElse: the outputs of each branch (Theano's IfElse.n_outs).
int ifelse_n_outputs(const Op& op);  // compile/ifelse_op.cpp

// OpKind::ShapeI: the axis.
int shape_i_axis(const Op& op);

// OpKind::Sort / ArgSort / CumOp / TopK: the axis they walk.
int sort_scan_axis(const Op& op);
// OpKind::TopK: which outputs it gives and the positions' dtype.
struct TopKOutputs {
  bool values, indices;
  DType idx_dtype;
};
TopKOutputs topk_outputs(const Op& op);

// The stable form of log(x) when x is sigmoid(z) or 1 - sigmoid(z) (also
// spelled with exp) or softmax(z) (-> log_softmax), else null
// (ops/stable_forms.cpp). The log builder applies it at once, so that
// gradients are built from the stable form too; the stabilize phase's rules
// apply the same forms.
Var stable_log_of(const Var& x);
// Only the sigmoid forms of stable_log_of (the log_sigmoid rule).
Var stable_log_of_sigmoid(const Var& x);
// Only the softmax forms: log(softmax(x)) and log(softmax(x)[i, y]).
Var log_of_softmax(const Var& x);

// The value of a variable that is a scalar constant, seen through broadcasts
// (DimShuffle) and fill(model, constant).
bool scalar_value(const Var& v, double* out);

// Convenience: is v the output of an elementwise `id` (not a cast)?
inline bool is_elemwise_var(const Var& v, ScalarOpId id) {
  return v && v->owner && v->owner->op->kind() == OpKind::Elemwise && elemwise_id(*v->owner->op) == id;
}

}  // namespace theon
