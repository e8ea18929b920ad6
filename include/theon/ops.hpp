// The graph-building API: one function per op, shared by C++ users, the
// Python binding and the ops' own gradients.
#pragma once
#include <optional>
#include <vector>

#include "theon/graph.hpp"
#include "theon/scalar.hpp"

namespace theon {

using Axes = std::optional<std::vector<int>>;  // nullopt = all axes

// ---- elementwise (ops/elemwise.cpp) ------------------------------------------
// Broadcasts by Theano's rules: lower-rank inputs are left-padded with
// broadcastable dims; only broadcastable dims broadcast.
Var elemwise(ScalarOpId op, std::vector<Var> inputs);
#define THEON_DECL_1(n) Var n(const Var& a);
#define THEON_DECL_2(n) Var n(const Var& a, const Var& b);
#define THEON_DECL_3(n) Var n(const Var& a, const Var& b, const Var& c);
#define X(n, a) THEON_DECL_##a(n)
THEON_SCALAR_OPS(X)
#undef X
#undef THEON_DECL_1
#undef THEON_DECL_2
#undef THEON_DECL_3
Var cast(const Var& x, DType dtype);
// Scalar constant of the dtype that Theano would give `x op v` (x's dtype kept).
Var scalar_like(double v, const Var& x);
Var fill(const Var& model, const Var& value);  // value broadcast to model's shape
Var zeros_like(const Var& x, std::optional<DType> dtype = std::nullopt);
Var ones_like(const Var& x, std::optional<DType> dtype = std::nullopt);

// ---- gradient controls (ops/grad_control.cpp) ------------------------------
// Each is the identity (a view) in the forward pass and changes only the
// gradient that flows back through it.
Var zero_grad(const Var& x);          // gradient zero (still connected)
Var disconnected_grad(const Var& x);  // gradient disconnected (not propagated at all)
Var undefined_grad(const Var& x);     // gradient undefined: grad() raises if it reaches a wrt
Var consider_constant(const Var& x);  // Theano's deprecated spelling of zero_grad
Var grad_clip(const Var& x, double lower, double upper);
// x, once every 0-d condition is true (nonzero) at run time; otherwise an
// AssertionError with `message` (Theano's Assert). Gradients pass through.
// The error a failed check raises: AssertionError (Theano's Assert), IndexError
// (an index that does not fit), ValueError (a size or argument out of range),
// TypeError (where Theano raised it for data that does not fit, e.g. images2neibs).
enum class CheckFailure : uint8_t { Assertion, Index, Value, Type };
Var assert_op(const Var& x, const std::vector<Var>& conditions, const std::string& message, CheckFailure failure);
// index_error: a failed check raises IndexError (an index that does not fit x) instead of AssertionError.
Var assert_op(const Var& x, const std::vector<Var>& conditions, const std::string& message = "Theano Assert failed!",
              bool index_error = false);
Var grad_scale(const Var& x, double multiplier);
// A gradient that does not exist (Theano's NullType), shaped like `like`; it
// carries the reason. Running a graph that uses it raises that reason.
Var null_grad(const Var& like, const std::string& why);
// Whether `v` is a null gradient (and why).
bool is_null_grad(const Var& v, std::string* why = nullptr);

// ---- reductions (ops/reduce.cpp) -------------------------------------------
// Every reduction, listed once: X(Kind, "name"), the name as Python and
// error messages spell it; the op's title ("Sum") is the kind's own name.
#define THEON_REDUCE_KINDS(X) X(Sum, "sum") X(Prod, "prod") X(Max, "max") X(Min, "min") X(All, "all") X(Any, "any")
enum class ReduceKind : uint8_t {
#define THEON_REDUCE_KIND_ENUM(kind, name) kind,
  THEON_REDUCE_KINDS(THEON_REDUCE_KIND_ENUM)
#undef THEON_REDUCE_KIND_ENUM
};
const char* reduce_kind_name(ReduceKind k);   // "sum"
const char* reduce_kind_title(ReduceKind k);  // "Sum", as op names spell it
// The kind named `name` ("sum"); ValueError for a name that is none.
ReduceKind reduce_kind_from_name(const std::string& name);
// Axes may be negative; duplicates are an error. Sum/prod of ints accumulate
// in 64 bits (Theano's rule); max/min keep the dtype; all/any give bool.
Var reduce(ReduceKind kind, const Var& x, const Axes& axes = std::nullopt, bool keepdims = false);
Var sum(const Var& x, const Axes& axes = std::nullopt, bool keepdims = false);
Var prod(const Var& x, const Axes& axes = std::nullopt, bool keepdims = false);
Var max(const Var& x, const Axes& axes = std::nullopt, bool keepdims = false);
Var min(const Var& x, const Axes& axes = std::nullopt, bool keepdims = false);
Var all(const Var& x, const Axes& axes = std::nullopt, bool keepdims = false);
Var any(const Var& x, const Axes& axes = std::nullopt, bool keepdims = false);
Var mean(const Var& x, const Axes& axes = std::nullopt, bool keepdims = false);
Var var(const Var& x, const Axes& axes = std::nullopt, bool keepdims = false);
Var stddev(const Var& x, const Axes& axes = std::nullopt, bool keepdims = false);
Var argmax(const Var& x, const Axes& axes = std::nullopt, bool keepdims = false);
Var argmin(const Var& x, const Axes& axes = std::nullopt, bool keepdims = false);
// Normalizes axes against ndim (negative, None, duplicates); names `op` in errors.
std::vector<int> normalize_axes(const Axes& axes, int ndim, const char* op);

// ---- shape and construction (ops/shape.cpp) -------------------------------
// new_order entries are input axes or -1 for a new broadcastable ('x') axis;
// dropped input axes must be broadcastable.
Var dimshuffle(const Var& x, const std::vector<int>& new_order);
Var transpose(const Var& x, const std::optional<std::vector<int>>& axes = std::nullopt);
// `shape` is an integer vector variable of static length ndim; -1 infers one dim.
Var reshape(const Var& x, const Var& shape, int ndim);
Var reshape(const Var& x, const std::vector<int64_t>& shape);
Var flatten(const Var& x, int outdim = 1);
Var shape(const Var& x);           // int64 vector
Var shape_i(const Var& x, int i);  // int64 scalar
Var make_vector(const std::vector<Var>& scalars, DType dtype = DType::Int64);
Var alloc(const Var& value, const std::vector<Var>& dims);
Var zeros(const std::vector<Var>& dims, DType dtype);
Var ones(const std::vector<Var>& dims, DType dtype);
Var arange(const Var& start, const Var& stop, const Var& step, DType dtype);
Var eye(const Var& n, const Var& m, const Var& k, DType dtype);
Var join(int axis, const std::vector<Var>& tensors);
Var concatenate(const std::vector<Var>& tensors, int axis = 0);
Var stack(const std::vector<Var>& tensors, int axis = 0);

// ---- linear algebra through BLAS (ops/blas.cpp) -----------------------------
Var dot(const Var& a, const Var& b);  // numpy.dot semantics
Var matmul(const Var& a, const Var& b);
Var outer(const Var& a, const Var& b);
Var tensordot(const Var& a, const Var& b, const std::vector<int>& axes_a, const std::vector<int>& axes_b);
Var tensordot(const Var& a, const Var& b, int n_axes = 2);

// ---- nnet (ops/nnet.cpp) ------------------------------------------------------
// exp(x) / sum(exp(x)) and its log over `axis` (negative counts from the end),
// computed from x - max(x) so that neither overflows; ints give floats.
Var softmax(const Var& x, int axis = -1);
Var log_softmax(const Var& x, int axis = -1);
// log(sum(exp(x), axis)) without overflow, in one pass over the data (the
// reduced axis is dropped; infinite rows give +-inf, NaN rows NaN).
Var logsumexp(const Var& x, int axis = -1);
// Theano's crossentropy_softmax_argmax_1hot_with_bias: (nll, softmax(x + b),
// argmax(x + b, axis=1)) for a matrix of logits x, a bias vector b (null: none)
// and integer labels y, one per row (ops/nnet.hpp).
std::vector<Var> crossentropy_softmax_1hot(const Var& x, const Var& b, const Var& y);
// Its gradient: dy[:, None] * (sm - onehot(y)) (crossentropy_softmax_1hot_with_bias_dx).
Var crossentropy_softmax_1hot_dx(const Var& dy, const Var& sm, const Var& y);
// The logits x when `v` is log(softmax(x)) along the last axis of a matrix, as
// an op or written out (x - log(sum(exp(x), 1, keepdims)), optionally shifted
// by its row max first); else null. Rewrites and grad() recognise the
// crossentropy of a log-softmax through it.
Var log_softmax_logits(const Var& v);
// P = L[arange(0, rows, 1), labels] with L a log-softmax (log_softmax_logits)
// of a matrix of logits and labels an integer vector: the crossentropy of the
// tutorials (-mean(log(softmax(x))[arange(n), y])). Rewrites make it the
// crossentropy op; grad() differentiates it as that op (CrossentropySoftmax1HotDx).
struct LabelPick {
  Var logits, labels, rows;
};
bool label_pick(const Apply& node, LabelPick* out);
// Whether the pick's rows are, by construction, the labels' or the logits'
// length (then the op's own one-label-per-row check covers them).
bool label_pick_rows_implied(const LabelPick& p);
// v, once the pick's rows are checked at run time to be the logits' rows
// (v itself when label_pick_rows_implied).
Var check_label_pick_rows(const Var& v, const LabelPick& p);
// -nll of the crossentropy op for a label pick (rows checked to be the
// logits' rows at run time: one label per row, as the op needs).
Var label_pick_as_crossentropy(const LabelPick& p);

// ---- random numbers (ops/random.cpp) ------------------------------------------
// {advanced states, samples}: MRG31k3p uniforms in (0, 1] of dtype (float16,
// float32 or float64) with shape `size` (an integer vector of length ndim),
// sample i from stream i % rstate.shape[0]; rstate is int32 (streams, 6).
std::vector<Var> mrg_uniform(const Var& rstate, const Var& size, DType dtype, int ndim);
// The Box-Muller transform's steps as Theano's CPU code rounded them (scalar
// C library functions, in the uniforms' dtype): sqrt(-2 * log(u)), and
// {cos(2 pi u), sin(2 pi u)}; and for a vector u of even length 2h, the normal
// samples (r * cos(t) for the first half, r * sin(t) for the second) with r
// from u[:h] and t from u[h:].
Var box_muller_radius(const Var& u);
std::vector<Var> box_muller_angle(const Var& u);
Var box_muller_normal(const Var& u);
// Theano's MultinomialFromUniform (counts (m, k) of n draws per row of pvals)
// and ChoiceFromUniform (indices (m, n) without replacement), from uniforms
// unis of length m * n.
Var multinomial_from_uniform(const Var& pvals, const Var& unis, const Var& n, DType odtype);
Var choice_from_uniform(const Var& pvals, const Var& unis, const Var& n, DType odtype, bool replace = false);
// {advanced state, samples} of a NumPy legacy RandomState distribution (by
// name: uniform, normal, binomial, random_integers, poisson, permutation,
// multinomial, choice) drawn from state (628 uint32 words) with shape `size`
// (empty: the parameters' broadcast shape) and ndim output dimensions.
std::vector<Var> random_state_draw(const std::string& dist, const Var& state, const Var& size,
                                   const std::vector<Var>& params, DType dtype, int ndim);
// The MRG31k3p states of n streams, the first `seed`, each 2^72 steps after
// the one before (n * 6 int32, row-major); and the state 2^134 steps after
// seed, where the next generator starts.
std::vector<int32_t> mrg_substreams(const std::vector<int32_t>& seed, int64_t n);
std::vector<int32_t> mrg_next_generator(const std::vector<int32_t>& seed);

// ---- indexing (ops/subtensor.cpp) -------------------------------------------
// One entry per indexed axis. Int: `index` is an integer scalar (the axis is
// dropped). Slice: start/stop/step integer scalars or null for "none". Array:
// `index` is an integer tensor (NumPy's advanced indexing; arrays broadcast
// together).
struct IndexEntry {
  enum Kind : uint8_t { Int, Slice, Array } kind = Slice;
  Var index, start, stop, step;
  static IndexEntry integer(Var i) { return {Int, std::move(i), nullptr, nullptr, nullptr}; }
  static IndexEntry slice(Var a = nullptr, Var b = nullptr, Var c = nullptr) {
    return {Slice, nullptr, std::move(a), std::move(b), std::move(c)};
  }
  static IndexEntry array(Var i) { return {Array, std::move(i), nullptr, nullptr, nullptr}; }
};
Var subtensor(const Var& x, const std::vector<IndexEntry>& index);
// `indexed` must be the result of subtensor(); returns x with that region set
// to / incremented by y (broadcast). Duplicate array indices accumulate for inc.
Var set_subtensor(const Var& indexed, const Var& y);
Var inc_subtensor(const Var& indexed, const Var& y);
// x's values along `axis` at positions idx (same ndim): NumPy's take_along_axis.
Var take_along_axis(const Var& x, const Var& idx, int axis);

// x with a static shape the runtime checks: pattern[d] is a length, or
// kAnyLength (forget it: unbroadcast) or kKeepLength (x's own).
inline constexpr int64_t kAnyLength = -1, kKeepLength = -2;
Var specify_static_shape(const Var& x, const std::vector<int64_t>& pattern);
// x, checked at run time to have the shape `shape` (an int vector).
Var specify_shape(const Var& x, const Var& shape);

// A .npy file read at each call (mmap: mapped copy-on-write); its dtype and
// shape must fit `type`.
Var load_npy(const std::string& path, const TensorType& type, bool mmap = false);

// ---- along one axis (axis nullopt = the flattened array) ----
// Stable sorts, NaN last (NumPy's order); argsort gives int64 positions.
Var sort(const Var& x, std::optional<int> axis = -1);
Var argsort(const Var& x, std::optional<int> axis = -1);
// The |k| largest (k > 0) or smallest (k < 0) values along axis (nullopt: the
// flattened array), most extreme first, and/or their positions as idx_dtype:
// the outputs asked for, values first. k is an integer scalar (|k| <= the
// axis's length, checked at run time).
std::vector<Var> topk(const Var& x, const Var& k, std::optional<int> axis = -1, bool values = true,
                      bool indices = false, DType idx_dtype = DType::Int64);
// Running sum/product in x's dtype (bool counts as int64), as Theano's CumOp.
Var cumsum(const Var& x, std::optional<int> axis = std::nullopt);
Var cumprod(const Var& x, std::optional<int> axis = std::nullopt);
// Insertion positions of v's values in the sorted vector a (side right: after equal values).
Var searchsorted(const Var& a, const Var& v, bool right = false);
// The positions of x's nonzero values: one int64 vector per dimension, C order.
std::vector<Var> nonzero(const Var& x);

}  // namespace theon
