// The Linalg op (ops/linalg.hpp): names, types, shapes and gradients, and the
// builders of include/theon/linalg.hpp.
//
// Gradients are graphs of other linalg nodes and products, so they batch and
// differentiate again. Functions that read one triangle of their matrix
// (Cholesky, Eigh, Solve with a symmetric or triangular structure) get the
// gradient of what they read: the other triangle's entries are zero, which
// is the exact derivative of the computed function (and, composed with a
// symmetric input such as x x^T, the usual symmetric-matrix gradient).
#include "ops/linalg.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "ops/op_info.hpp"
#include "theon/error.hpp"
#include "theon/grad.hpp"
#include "theon/ops.hpp"

namespace theon {

namespace {

constexpr const char* kFnNames[] = {
#define X(e, n) n,
    THEON_LINALG_FNS(X)
#undef X
};
constexpr const char* kFnEnum[] = {
#define X(e, n) #e,
    THEON_LINALG_FNS(X)
#undef X
};

}  // namespace

const char* linalg_fn_name(LinalgFn f) { return kFnNames[static_cast<int>(f)]; }
const char* linalg_fn_id(LinalgFn f) { return kFnEnum[static_cast<int>(f)]; }

bool linalg_fn_from_name(const std::string& name, LinalgFn* out) {
  for (size_t i = 0; i < std::size(kFnEnum); ++i)
    if (name == kFnEnum[i]) {
      *out = static_cast<LinalgFn>(i);
      return true;
    }
  return false;
}

const char* structure_name(MatrixStructure s) {
  static constexpr const char* names[] = {"general", "symmetric", "pos", "lower_triangular", "upper_triangular"};
  return names[static_cast<int>(s)];
}

namespace {

using ops::Linalg;

// ---- graph helpers ------------------------------------------------------------------

Var int_const(int64_t v) { return scalar_constant<int64_t>(v); }

std::vector<int> iota(int n) {
  std::vector<int> o(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) o[static_cast<size_t>(i)] = i;
  return o;
}

Var mT(const Var& x) {  // the last two axes swapped
  std::vector<int> o = iota(x->ndim());
  std::swap(o[o.size() - 1], o[o.size() - 2]);
  return dimshuffle(x, o);
}

Var mm(const Var& a, const Var& b) { return matmul(a, b); }

Var expand_last(const Var& v) {  // (..., n) -> (..., n, 1)
  std::vector<int> o = iota(v->ndim());
  o.push_back(-1);
  return dimshuffle(v, o);
}

Var expand_row(const Var& v) {  // (..., n) -> (..., 1, n)
  std::vector<int> o = iota(v->ndim());
  o.insert(o.end() - 1, -1);
  return dimshuffle(v, o);
}

Var expand2(const Var& v) {  // (...) -> (..., 1, 1)
  std::vector<int> o = iota(v->ndim());
  o.push_back(-1);
  o.push_back(-1);
  return dimshuffle(v, o);
}

Var last_size(const Var& x, int from_end) { return shape_i(x, x->ndim() - from_end); }

Var identity_like(const Var& x) {  // eye(n) of x's dtype for x (..., n, n)
  const Var n = last_size(x, 1);
  return eye(n, n, int_const(0), x->dtype());
}

Var diag_matrix(const Var& v) {  // (..., n) -> (..., n, n) with v on the diagonal
  const Var n = last_size(v, 1);
  return mul(expand_last(v), eye(n, n, int_const(0), v->dtype()));
}

// The diagonal of the last two axes, read by indexing (no n x n temporary).
Var diag_part(const Var& x) {
  const Var i = arange(int_const(0), minimum(last_size(x, 2), last_size(x, 1)), int_const(1), DType::Int64);
  std::vector<IndexEntry> idx(static_cast<size_t>(x->ndim() - 2), IndexEntry::slice());
  idx.push_back(IndexEntry::array(i));
  idx.push_back(IndexEntry::array(i));
  return subtensor(x, idx);
}

// Row and column positions of the last two axes, broadcastable against them.
std::pair<Var, Var> positions(const Var& x) {
  return {dimshuffle(arange(int_const(0), last_size(x, 2), int_const(1), DType::Int64), {0, -1}),
          dimshuffle(arange(int_const(0), last_size(x, 1), int_const(1), DType::Int64), {-1, 0})};
}

// x with the entries outside the lower (upper) triangle zeroed; k shifts the diagonal.
Var triangle(const Var& x, bool lower, int64_t k = 0) {
  const auto [rows, cols] = positions(x);
  const Var shifted = add(rows, int_const(k));
  return switch_(lower ? ge(shifted, cols) : le(shifted, cols), x, zeros_like(x));
}

// The strict lower (upper) triangle of x, its diagonal times diag_scale, and
// zeros: one elementwise pass (fused), no diagonal matrix.
Var triangle_scaled_diagonal(const Var& x, bool lower, double diag_scale) {
  const auto [rows, cols] = positions(x);
  const Var zero = zeros_like(x);
  return switch_(lower ? gt(rows, cols) : lt(rows, cols), x,
                 switch_(eq(rows, cols), mul(x, scalar_like(diag_scale, x)), zero));
}

// The gradient of a function that reads one triangle of its (symmetric)
// matrix, from its gradient g with respect to the symmetric matrix: the read
// off-diagonal entries get both halves, g_ij + g_ji; the diagonal g_ii.
Var read_triangle_grad(const Var& g, bool lower) { return triangle_scaled_diagonal(add(g, mT(g)), lower, 0.5); }

Var grad_like(Var g, const Var& x) {
  if (g && g->dtype() != x->dtype()) g = cast(g, x->dtype());
  return g;
}

// F_ij = 1 / (d_j - d_i) off the diagonal, 0 on it (d: (..., n)).
Var inverse_gaps(const Var& d) {
  const Var gaps = sub(expand_row(d), expand_last(d));
  const Var eye_n = identity_like(gaps);
  const Var one = scalar_like(1.0, gaps);
  return mul(true_div(one, add(gaps, eye_n)), sub(one, eye_n));
}

std::vector<Var> linalg_node(const LinalgParams& p, std::vector<Var> in) {
  return make_apply(std::make_shared<Linalg>(p), std::move(in))->outputs();
}

// ---- checks -------------------------------------------------------------------------

[[noreturn]] void linalg_type_error(const std::string& op, const std::string& what) {
  throw TypeError(op + ": " + what);
}

void check_matrix(const std::string& op, const Var& x, const char* role, bool square) {
  if (x->ndim() < 2)
    linalg_type_error(
        op, std::string(role) + " must have at least 2 dimensions (a matrix or a stack of them), got " + x->type.str());
  const int64_t r = x->type.shape[static_cast<size_t>(x->ndim() - 2)];
  const int64_t c = x->type.shape[static_cast<size_t>(x->ndim() - 1)];
  if (square && r >= 0 && c >= 0 && r != c)
    throw LinAlgError(op + ": " + role + " must be square in its last two dimensions, got " + x->type.str() +
                      " of static shape " + shape_str(x->type.shape));
}

// The batch shape two inputs' leading axes broadcast to (Theano's rule: an axis of static length 1 broadcasts).
Shape broadcast_batch(const std::string& op, const Var& a, int a_core, const Var& b, int b_core) {
  const int na = a->ndim() - a_core, nb = b->ndim() - b_core, n = std::max(na, nb);
  Shape out(static_cast<size_t>(n), 1);
  for (int i = 0; i < n; ++i) {
    const int ia = i - (n - na), ib = i - (n - nb);
    const int64_t sa = ia >= 0 ? a->type.shape[static_cast<size_t>(ia)] : 1;
    const int64_t sb = ib >= 0 ? b->type.shape[static_cast<size_t>(ib)] : 1;
    if (sa == 1)
      out[static_cast<size_t>(i)] = sb;
    else if (sb == 1)
      out[static_cast<size_t>(i)] = sa;
    else if (sa >= 0 && sb >= 0 && sa != sb)
      throw ValueError(op + ": the batch shapes of " + a->type.str() + " " + shape_str(a->type.shape) + " and " +
                       b->type.str() + " " + shape_str(b->type.shape) + " do not broadcast");
    else
      out[static_cast<size_t>(i)] = sa >= 0 ? sa : sb;
  }
  return out;
}

Shape batch_of(const Var& x, int core) { return Shape(x->type.shape.begin(), x->type.shape.end() - core); }

Shape with(Shape s, std::initializer_list<int64_t> tail) {
  for (int64_t t : tail) s.push_back(t);
  return s;
}

int64_t static_min(int64_t a, int64_t b) { return a >= 0 && b >= 0 ? std::min(a, b) : -1; }

DType complex_of(DType d) { return d == DType::Float32 ? DType::Complex64 : DType::Complex128; }

// The functions that take complex matrices (LAPACK's complex LU routines).
bool takes_complex(const LinalgParams& p) {
  return p.fn == LinalgFn::Inv || p.fn == LinalgFn::Det ||
         (p.fn == LinalgFn::Solve && p.structure == MatrixStructure::General);
}

}  // namespace

namespace ops {

std::string Linalg::name() const {
  std::string s = linalg_fn_name(p_.fn), args;
  auto arg = [&](const std::string& a) { args += (args.empty() ? "" : ", ") + a; };
  switch (p_.fn) {
    case LinalgFn::Cholesky:
      arg(p_.lower ? "lower" : "upper");
      if (p_.nan_on_error) arg("on_error=nan");
      break;
    case LinalgFn::Solve:
      arg(std::string("A_structure=") + structure_name(p_.structure));
      if (p_.structure != MatrixStructure::General) arg(p_.lower ? "lower" : "upper");
      if (p_.trans) arg("trans");
      if (p_.unit_diagonal) arg("unit_diagonal");
      break;
    case LinalgFn::ChoSolve:
    case LinalgFn::Eigh:
      arg(p_.lower ? "L" : "U");
      break;
    case LinalgFn::SVD:
      arg(std::string("full_matrices=") + (p_.full_matrices ? "True" : "False"));
      arg(std::string("compute_uv=") + (p_.compute_uv ? "True" : "False"));
      break;
    case LinalgFn::QR: {
      static constexpr const char* modes[] = {"reduced", "complete", "r", "raw"};
      arg(std::string("mode=") + modes[static_cast<int>(p_.qr_mode)]);
      break;
    }
    default:
      break;
  }
  if (p_.fn == LinalgFn::Eigh && !p_.compute_v) s = "Eigvalsh";
  return args.empty() ? s : s + "{" + args + "}";
}

std::vector<TensorType> Linalg::infer_types(const std::vector<Var>& in) const {
  const std::string op = name();
  auto need_inputs = [&](size_t lo, size_t hi) {
    if (in.size() < lo || in.size() > hi)
      throw TypeError(op + " takes " + std::to_string(lo) + (hi > lo ? " or " + std::to_string(hi) : "") +
                      " inputs, got " + std::to_string(in.size()));
  };
  size_t n_inputs = 1;
  if (p_.fn == LinalgFn::Solve || p_.fn == LinalgFn::ChoSolve) n_inputs = 2;
  if (p_.fn == LinalgFn::Lstsq) n_inputs = 3;
  need_inputs(n_inputs, p_.fn == LinalgFn::Eigh ? 2 : n_inputs);
  const DType d = in[0]->dtype();
  const bool complex_ok = takes_complex(p_) && (d == DType::Complex64 || d == DType::Complex128);
  if (d != DType::Float32 && d != DType::Float64 && !complex_ok)
    linalg_type_error(op, "computes in float32 or float64, got " + in[0]->type.str() + " (the builders cast)");
  for (size_t i = 1; i < in.size(); ++i)
    if (!(p_.fn == LinalgFn::Lstsq && i == 2) && in[i]->dtype() != d)
      linalg_type_error(op, "its inputs must share a dtype, got " + in[0]->type.str() + " and " + in[i]->type.str());
  const Var& a = in[0];
  const auto& sh = a->type.shape;
  const int64_t rows = a->ndim() >= 2 ? sh[sh.size() - 2] : -1, cols = a->ndim() >= 2 ? sh.back() : -1;
  const Shape batch = a->ndim() >= 2 ? batch_of(a, 2) : Shape{};
  switch (p_.fn) {
    case LinalgFn::Inv:
    case LinalgFn::Cholesky:
    case LinalgFn::Expm:
      check_matrix(op, a, "the matrix", true);
      return {a->type};
    case LinalgFn::Det:
      check_matrix(op, a, "the matrix", true);
      return {TensorType(d, batch)};
    case LinalgFn::SlogDet:
      check_matrix(op, a, "the matrix", true);
      return {TensorType(d, batch), TensorType(d, batch)};
    case LinalgFn::Pinv:
      check_matrix(op, a, "the matrix", false);
      return {TensorType(d, with(batch, {cols, rows}))};
    case LinalgFn::Solve:
    case LinalgFn::ChoSolve: {
      check_matrix(op, a, "a", true);
      const Var& b = in[1];
      const int64_t n = rows >= 0 ? rows : cols;
      if (vector_rhs(in)) {
        if (n >= 0 && b->type.shape[0] >= 0 && b->type.shape[0] != n)
          throw ValueError(op + ": b has " + std::to_string(b->type.shape[0]) + " rows where a has " +
                           std::to_string(n) + " (a " + shape_str(sh) + ", b " + shape_str(b->type.shape) + ")");
        return {TensorType(d, with(batch, {n >= 0 ? n : b->type.shape[0]}))};
      }
      check_matrix(op, b, "b (not one vector)", false);
      const int64_t brows = b->type.shape[b->type.shape.size() - 2];
      if (n >= 0 && brows >= 0 && brows != n)
        throw ValueError(op + ": b has " + std::to_string(brows) + " rows where a has " + std::to_string(n) + " (a " +
                         shape_str(sh) + ", b " + shape_str(b->type.shape) + ")");
      return {TensorType(d, with(broadcast_batch(op, a, 2, b, 2), {n >= 0 ? n : brows, b->type.shape.back()}))};
    }
    case LinalgFn::Eigh: {
      check_matrix(op, a, "the matrix", true);
      const int64_t n = rows >= 0 ? rows : cols;
      if (in.size() == 2) {
        check_matrix(op, in[1], "b", true);
        if (in[1]->ndim() != a->ndim())
          linalg_type_error(op, "a and b must have the same rank, got " + a->type.str() + " and " + in[1]->type.str());
        broadcast_batch(op, a, 2, in[1], 2);
      }
      if (!p_.compute_v) return {TensorType(d, with(batch, {n}))};
      return {TensorType(d, with(batch, {n})), TensorType(d, with(batch, {n, n}))};
    }
    case LinalgFn::Eig: {
      check_matrix(op, a, "the matrix", true);
      const int64_t n = rows >= 0 ? rows : cols;
      return {TensorType(complex_of(d), with(batch, {n})), TensorType(complex_of(d), with(batch, {n, n}))};
    }
    case LinalgFn::SVD: {
      check_matrix(op, a, "the matrix", false);
      const int64_t k = static_min(rows, cols);
      const TensorType s(d, with(batch, {k}));
      if (!p_.compute_uv) return {s};
      if (p_.full_matrices)
        return {TensorType(d, with(batch, {rows, rows})), s, TensorType(d, with(batch, {cols, cols}))};
      return {TensorType(d, with(batch, {rows, k})), s, TensorType(d, with(batch, {k, cols}))};
    }
    case LinalgFn::QR: {
      check_matrix(op, a, "the matrix", false);
      const int64_t k = static_min(rows, cols);
      switch (p_.qr_mode) {
        case QRMode::Reduced:
          return {TensorType(d, with(batch, {rows, k})), TensorType(d, with(batch, {k, cols}))};
        case QRMode::Complete:
          return {TensorType(d, with(batch, {rows, rows})), TensorType(d, with(batch, {rows, cols}))};
        case QRMode::R:
          return {TensorType(d, with(batch, {k, cols}))};
        case QRMode::Raw:
          return {TensorType(d, with(batch, {cols, rows})), TensorType(d, with(batch, {k}))};
      }
      break;
    }
    case LinalgFn::Lstsq: {
      if (a->ndim() != 2) throw LinAlgError(op + ": a must be a matrix, got " + a->type.str());
      const Var& b = in[1];
      if (b->ndim() != 1 && b->ndim() != 2)
        throw LinAlgError(op + ": b must be a vector or a matrix, got " + b->type.str());
      if (in[2]->ndim() != 0) throw LinAlgError(op + ": rcond must be a scalar, got " + in[2]->type.str());
      if (!is_float(in[2]->dtype())) linalg_type_error(op, "rcond must be a float, got " + in[2]->type.str());
      const int64_t brows = b->type.shape[0];
      if (rows >= 0 && brows >= 0 && rows != brows)
        throw LinAlgError(op + ": a has " + std::to_string(rows) + " rows and b " + std::to_string(brows) +
                          " (incompatible dimensions)");
      const Shape x = b->ndim() == 1 ? Shape{cols} : Shape{cols, b->type.shape[1]};
      return {TensorType(d, x), TensorType(d, {-1}), TensorType(DType::Int32, {}),
              TensorType(d, {static_min(rows, cols)})};
    }
  }
  throw TypeError(op + ": unknown function");
}

Var Linalg::infer_shape(const Apply& node, int output, int axis, const InputSize& input_size) const {
  const Var& a = node.inputs[0];
  const int nd = a->ndim();
  const Var rows = nd >= 2 ? input_size(0, nd - 2) : nullptr, cols = nd >= 2 ? input_size(0, nd - 1) : nullptr;
  const int out_nd = node.raw_output(output)->ndim();
  const int from_end = out_nd - axis;     // 1 = the last axis
  auto batch_size = [&](int ax) -> Var {  // a batch axis of an output: a's, or the broadcast one
    if (node.inputs.size() >= 2 && (p_.fn == LinalgFn::Solve || p_.fn == LinalgFn::ChoSolve) &&
        !vector_rhs(node.inputs)) {
      const Var& b = node.inputs[1];
      const int nb = out_nd - 2;
      const int ia = ax - (nb - (nd - 2)), ib = ax - (nb - (b->ndim() - 2));
      const bool a_has = ia >= 0 && a->type.shape[static_cast<size_t>(ia)] != 1;
      if (a_has) return input_size(0, ia);
      if (ib >= 0) return input_size(1, ib);
      return int_const(1);
    }
    return input_size(0, ax);
  };
  auto min_rc = [&] { return minimum(rows, cols); };
  switch (p_.fn) {
    case LinalgFn::Inv:
    case LinalgFn::Cholesky:
    case LinalgFn::Expm:
    case LinalgFn::Det:
    case LinalgFn::SlogDet:
    case LinalgFn::Eig:
      return input_size(0, axis);
    case LinalgFn::Eigh:
      return input_size(0, std::min(axis, nd - 1));
    case LinalgFn::Pinv:
      return from_end == 1 ? rows : from_end == 2 ? cols : input_size(0, axis);
    case LinalgFn::Solve:
    case LinalgFn::ChoSolve:
      if (vector_rhs(node.inputs)) return from_end == 1 ? rows : input_size(0, axis);
      if (from_end == 1) return input_size(1, node.inputs[1]->ndim() - 1);
      if (from_end == 2) return rows;
      return batch_size(axis);
    case LinalgFn::SVD: {
      if (from_end > (output == 1 || !p_.compute_uv ? 1 : 2)) return input_size(0, axis);
      if (!p_.compute_uv || output == 1) return min_rc();
      if (p_.full_matrices) return output == 0 ? rows : cols;
      if (output == 0) return from_end == 2 ? rows : min_rc();
      return from_end == 2 ? min_rc() : cols;
    }
    case LinalgFn::QR: {
      const bool vec = p_.qr_mode == QRMode::Raw && output == 1;
      if (from_end > (vec ? 1 : 2)) return input_size(0, axis);
      switch (p_.qr_mode) {
        case QRMode::Reduced:
          if (output == 0) return from_end == 2 ? rows : min_rc();
          return from_end == 2 ? min_rc() : cols;
        case QRMode::Complete:
          return from_end == 2 ? rows : output == 0 ? rows : cols;
        case QRMode::R:
          return from_end == 2 ? min_rc() : cols;
        case QRMode::Raw:
          return vec ? min_rc() : from_end == 2 ? cols : rows;
      }
      return nullptr;
    }
    case LinalgFn::Lstsq:
      if (output == 0) return axis == 0 ? cols : input_size(1, 1);
      if (output == 3) return min_rc();
      return nullptr;  // the residuals' length depends on the rank
  }
  return nullptr;
}

std::vector<Var> Linalg::grad(const Apply& node, const std::vector<Var>& gouts) const {
  const Var& a = node.inputs[0];
  const auto outs = const_cast<Apply&>(node).outputs();  // the graph's outputs (owned by the node)
  const std::string op = name();
  switch (p_.fn) {
    case LinalgFn::Inv: {  // d(a^-1) = -a^-1 da a^-1
      const Var& x = outs[0];
      const Var xt = mT(x);
      return {grad_like(neg(mm(xt, mm(gouts[0], xt))), a)};
    }
    case LinalgFn::Det: {  // d det = det tr(a^-1 da)
      const Var& g = gouts[0];
      return {grad_like(mul(expand2(mul(g, outs[0])), mT(matrix_inverse(a))), a)};
    }
    case LinalgFn::SlogDet: {  // the sign is piecewise constant
      if (!gouts[1]) return {nullptr};
      return {grad_like(mul(expand2(gouts[1]), mT(matrix_inverse(a))), a)};
    }
    case LinalgFn::Cholesky: {
      // a = L L^T: with phi(X) = tril(X) with its diagonal halved,
      // S = L^-T phi(L^T gL) L^-1 and the gradient is read_triangle_grad(S).
      const bool lower = p_.lower;
      const Var L = lower ? outs[0] : mT(outs[0]);
      const Var gL = lower ? gouts[0] : mT(gouts[0]);
      const Var m = mm(mT(L), gL);
      const Var phi = triangle_scaled_diagonal(m, true, 0.5);
      // L^-T phi L^-1 = (L^-T (L^-T phi)^T)^T, two triangular solves
      const Var t = solve_triangular(L, phi, true, true);
      const Var s = mT(solve_triangular(L, mT(t), true, true));
      // The gradient wrt the symmetric matrix is sym(s); Theano's form, tril(s + s^T) - diag(s), reads one triangle.
      const Var full = add(s, mT(s));
      Var ga = triangle_scaled_diagonal(full, lower, 0.5);
      if (p_.nan_on_error) {  // a factor of NaNs (not positive definite): a gradient of NaNs, as Theano's
        const int nd = a->ndim();
        const Var bad = any(isnan(outs[0]), std::vector<int>{nd - 2, nd - 1}, true);
        ga = switch_(bad, scalar_like(std::numeric_limits<double>::quiet_NaN(), ga), ga);
      }
      return {grad_like(ga, a)};
    }
    case LinalgFn::Solve: {
      const Var &b = node.inputs[1], &x = outs[0], &g = gouts[0];
      const bool vec = vector_rhs(node.inputs);
      LinalgParams tp = p_;
      tp.trans = !p_.trans;
      const Var gb = linalg_node(tp, {a, g})[0];
      // a x = b: da = -gb x^T (a^T x = b: -x gb^T)
      Var ga = vec ? neg(mul(expand_last(gb), expand_row(x))) : neg(mm(gb, mT(x)));
      if (p_.trans) ga = mT(ga);
      switch (p_.structure) {
        case MatrixStructure::LowerTriangular:
          ga = triangle(ga, true);
          break;
        case MatrixStructure::UpperTriangular:
          ga = triangle(ga, false);
          break;
        case MatrixStructure::Symmetric:
        case MatrixStructure::PosDef:
          ga = read_triangle_grad(ga, p_.lower);
          break;
        case MatrixStructure::General:
          break;
      }
      if (p_.unit_diagonal) ga = triangle_scaled_diagonal(ga, p_.lower, 0.0);
      return {sum_to_like(grad_like(ga, a), a), sum_to_like(grad_like(gb, b), b)};
    }
    case LinalgFn::ChoSolve: {
      // x = (L L^T)^-1 b: gb = cho_solve(L, g); with A = L L^T, gA = -gb x^T
      // and gL = tril((gA + gA^T) L). gA has the rank of b's columns, so
      // (gA + gA^T) L = -(gb (L^T x)^T + x (L^T gb)^T): products of n x k
      // matrices, not of two n x n ones (upper: L (gA + gA^T), likewise).
      const Var &b = node.inputs[1], &x = outs[0], &g = gouts[0];
      const bool vec = vector_rhs(node.inputs);
      const Var gb = linalg_node(p_, {a, g})[0];
      const Var xm = vec ? expand_last(x) : x, gbm = vec ? expand_last(gb) : gb;  // (..., n, k)
      Var prod;
      if (p_.lower)
        prod = add(mm(gbm, mT(mm(mT(a), xm))), mm(xm, mT(mm(mT(a), gbm))));
      else
        prod = add(mm(mm(a, xm), mT(gbm)), mm(mm(a, gbm), mT(xm)));
      const Var gc = triangle(neg(prod), p_.lower);
      return {sum_to_like(grad_like(gc, a), a), sum_to_like(grad_like(gb, b), b)};
    }
    case LinalgFn::Eigh: {
      const Var& w = outs[0];
      if (node.inputs.size() == 2) {  // generalized, eigenvalues only: a v = w b v with v^T b v = I
        const Var& bm = node.inputs[1];
        if (!gouts[0]) return {nullptr, nullptr};
        LinalgParams vp = p_;
        vp.compute_v = true;
        const Var v = linalg_node(vp, {a, bm})[1];
        const Var ga = mm(v, mm(diag_matrix(gouts[0]), mT(v)));
        const Var gb = neg(mm(v, mm(diag_matrix(mul(gouts[0], w)), mT(v))));
        return {grad_like(read_triangle_grad(ga, p_.lower), a), grad_like(read_triangle_grad(gb, p_.lower), bm)};
      }
      LinalgParams full = p_;
      full.compute_v = true;
      const Var v = p_.compute_v ? outs[1] : linalg_node(full, {a})[1];
      const Var gw = gouts[0], gv = p_.compute_v ? gouts[1] : nullptr;
      if (!gw && !gv) return {nullptr};
      Var inner = gw ? diag_matrix(gw) : nullptr;
      if (gv) {
        const Var f = mul(inverse_gaps(w), mm(mT(v), gv));
        inner = inner ? add(inner, f) : f;
      }
      return {grad_like(read_triangle_grad(mm(v, mm(inner, mT(v))), p_.lower), a)};
    }
    case LinalgFn::SVD: {
      // Townsend's formula on the reduced factors. Full factors of a
      // non-square matrix have columns that are not unique: checked when the
      // gradient runs (static shapes are rarely known).
      LinalgParams rp = p_;
      rp.compute_uv = true;
      rp.full_matrices = false;
      const Var gs = p_.compute_uv ? gouts[1] : gouts[0];
      Var gu = p_.compute_uv ? gouts[0] : nullptr, gvt = p_.compute_uv ? gouts[2] : nullptr;
      const std::vector<Var> r =
          p_.compute_uv && !p_.full_matrices ? std::vector<Var>{outs[0], outs[1], outs[2]} : linalg_node(rp, {a});
      if (p_.full_matrices && (gu || gvt)) {
        const Var square = eq(last_size(a, 1), last_size(a, 2));
        const std::string msg = op +
                                ": the gradient through U and V^T of a non-square matrix needs "
                                "full_matrices=False (the extra columns are not unique)";
        if (gu) gu = assert_op(gu, {square}, msg, CheckFailure::Value);
        if (gvt) gvt = assert_op(gvt, {square}, msg, CheckFailure::Value);
      }
      const Var &u = r[0], &s = r[1], &vt = r[2];
      const Var v = mT(vt);
      Var inner = gs ? diag_matrix(gs) : zeros_like(mul(expand_last(s), expand_row(s)));
      Var extra = nullptr;
      if (gu || gvt) {
        const Var s2 = sqr(s);
        const Var F = inverse_gaps(s2);
        const Var S = diag_matrix(s);
        const Var sinv = expand_row(true_div(scalar_like(1.0, s), s));  // scales columns
        if (gu) {
          const Var utg = mm(mT(u), gu);
          inner = add(inner, mm(mul(F, sub(utg, mT(utg))), S));
          // (I - U U^T) gU S^-1 V^T
          const Var proj = sub(gu, mm(u, utg));
          extra = mm(mul(proj, sinv), vt);
        }
        if (gvt) {
          const Var gv = mT(gvt);
          const Var vtg = mm(vt, gv);
          inner = add(inner, mm(S, mul(F, sub(vtg, mT(vtg)))));
          // U S^-1 gV^T (I - V V^T)
          const Var proj = sub(gvt, mm(mm(gvt, v), vt));
          const Var e = mm(mul(u, sinv), proj);
          extra = extra ? add(extra, e) : e;
        }
      }
      Var ga = mm(u, mm(inner, vt));
      if (extra) ga = add(ga, extra);
      return {grad_like(ga, a)};
    }
    case LinalgFn::QR: {
      if (p_.qr_mode == QRMode::Raw) throw NotImplementedError(op + ": mode='raw' has no gradient");
      LinalgParams rp = p_;
      rp.qr_mode = QRMode::Reduced;
      // mode='complete' differentiates as 'reduced' (the same factors when square; checked below).
      const std::vector<Var> qr_ = p_.qr_mode == QRMode::Reduced ? outs : linalg_node(rp, {a});
      const Var &q = qr_[0], &r = qr_[1];
      const Var gq = p_.qr_mode == QRMode::R ? nullptr : gouts[0];
      const Var gr = p_.qr_mode == QRMode::R ? gouts[0] : gouts[1];
      // M = R gR^T - gQ^T Q; gA = (gQ + Q copyltu(M)) R^-T
      Var m = gr ? mm(r, mT(gr)) : zeros_like(mm(r, mT(r)));
      if (gq) m = sub(m, mm(mT(gq), q));
      const Var copyltu = add(triangle(m, true, -1), mT(triangle(m, true)));
      Var b = mm(q, copyltu);
      if (gq) b = add(b, gq);
      // b R^-T = (R^-1 b^T)^T
      // Only wide-or-square R is invertible: checked when the gradient runs.
      const Var fits =
          p_.qr_mode == QRMode::Complete ? eq(last_size(a, 2), last_size(a, 1)) : ge(last_size(a, 2), last_size(a, 1));
      b = assert_op(
          b, {fits},
          op + (p_.qr_mode == QRMode::Complete ? ": the gradient of mode='complete' needs a square matrix"
                                               : ": the gradient needs a matrix with at least as many rows as columns"),
          CheckFailure::Value);
      return {grad_like(mT(solve_triangular(r, mT(b), false)), a)};
    }
    case LinalgFn::Pinv: {
      // dP = -P da P + P P^T da^T (I - a P) + (I - P a) da^T P^T P, transposed.
      const Var& p = outs[0];
      const Var& g = gouts[0];
      const Var pt = mT(p), gt = mT(g);
      const Var t1 = neg(mm(pt, mm(g, pt)));
      const Var x2 = mm(gt, mm(p, pt));  // g^T P P^T
      const Var t2 = sub(x2, mm(a, mm(p, x2)));
      const Var x3 = mm(mm(pt, p), gt);  // P^T P g^T
      const Var t3 = sub(x3, mm(mm(x3, p), a));
      return {grad_like(add(add(t1, t2), t3), a)};
    }
    case LinalgFn::Expm: {
      // The upper-right block of expm([[a^T, g], [0, a^T]]) (Van Loan / Najfeld-Havel).
      const Var at = mT(a), g = grad_like(gouts[0], a);
      const int nd = a->ndim();
      const Var top = join(nd - 1, {at, g}), bottom = join(nd - 1, {zeros_like(at), at});
      const Var e = expm(join(nd - 2, {top, bottom}));
      const Var n = last_size(a, 1);
      std::vector<IndexEntry> idx(static_cast<size_t>(nd - 2), IndexEntry::slice());
      idx.push_back(IndexEntry::slice(nullptr, n));
      idx.push_back(IndexEntry::slice(n, nullptr));
      return {subtensor(e, idx)};
    }
    case LinalgFn::Lstsq: {  // x = pinv(a) b for the gradient (exact where the rank is full)
      const Var& b = node.inputs[1];
      if (!gouts[0]) return {nullptr, nullptr, nullptr};
      const Var x = mm(pinv(a), b);
      auto g = Lop({x}, {a, b}, {gouts[0]});
      return {g[0], g[1], nullptr};
    }
    case LinalgFn::Eig: {
      // a = V diag(w) V^-1 with unit-norm columns (LAPACK's normalization).
      // With F_ij = 1/(w_j - w_i) off the diagonal, c_i = Re((V^T gV)_ii):
      // ga = Re(V^-T (diag(gw) + F o (V^T gV - V^T conj(V) diag(c))) V^T).
      // Real a only; repeated eigenvalues make F infinite (as for eigh).
      const Var &w = outs[0], &v = outs[1];
      const Var &gw = gouts[0], &gv = gouts[1];
      if (!gw && !gv) return {nullptr};
      Var inner = gw ? diag_matrix(gw) : nullptr;
      if (gv) {
        const Var vtg = mm(mT(v), gv);
        const Var c = real(diag_part(vtg));
        const Var h = sub(vtg, mul(mm(mT(v), conj(v)), expand_row(cast(c, v->dtype()))));
        const Var k = mul(inverse_gaps(w), h);
        inner = inner ? add(inner, k) : k;
      }
      // V^-T X V^T: the solve with the transpose flag of V
      LinalgParams sp;
      sp.fn = LinalgFn::Solve;
      sp.trans = true;
      const Var x = linalg_node(sp, {v, mm(inner, mT(v))})[0];
      return {grad_like(real(x), a)};
    }
  }
  return std::vector<Var>(node.inputs.size(), nullptr);
}

}  // namespace ops

// ---- builders -------------------------------------------------------------------------

namespace {

// The dtype a linalg function computes in: float32 for float16/float32,
// float64 for the other reals, the complex dtype for the functions that take one.
DType compute_dtype(DType d, const LinalgParams& p) {
  if (is_complex(d)) {
    if (!takes_complex(p))
      throw NotImplementedError(std::string(linalg_fn_name(p.fn)) + ": complex matrices are not supported yet (got " +
                                std::string(dtype_name(d)) + "; inverse, det and the general solve take them)");
    return d;
  }
  return d == DType::Float32 || d == DType::Float16 ? DType::Float32 : DType::Float64;
}

Var as_compute(const Var& x, DType d) { return x->dtype() == d ? x : cast(x, d); }

void not_null(const Var& x, const std::string& op, const char* role) {
  if (!x) throw TypeError(op + ": " + role + " is None");
}

Var one(LinalgParams p, const Var& a) {
  not_null(a, linalg_fn_name(p.fn), "the matrix");
  return linalg_node(p, {as_compute(a, compute_dtype(a->dtype(), p))})[0];
}

std::vector<Var> all(LinalgParams p, const Var& a) {
  not_null(a, linalg_fn_name(p.fn), "the matrix");
  return linalg_node(p, {as_compute(a, compute_dtype(a->dtype(), p))});
}

LinalgParams params(LinalgFn f) {
  LinalgParams p;
  p.fn = f;
  return p;
}

// a and b cast to the dtype both compute in.
std::pair<Var, Var> common(const Var& a, const Var& b, const LinalgParams& p) {
  const std::string op = linalg_fn_name(p.fn);
  not_null(a, op, "a");
  not_null(b, op, "b");
  const DType d = compute_dtype(upcast(a->dtype(), b->dtype()), p);
  return {as_compute(a, d), as_compute(b, d)};
}

}  // namespace

const LinalgParams& linalg_params(const Op& op) { return static_cast<const ops::Linalg&>(op).params(); }

std::vector<Var> linalg(const LinalgParams& p, std::vector<Var> inputs) {
  const std::string op = linalg_fn_name(p.fn);
  if (inputs.empty()) throw TypeError(op + ": no inputs");
  const size_t n = p.fn == LinalgFn::Lstsq ? std::min<size_t>(2, inputs.size()) : inputs.size();
  DType d = DType::Bool;
  for (size_t i = 0; i < n; ++i) {
    not_null(inputs[i], op, "an input");
    d = upcast(d, inputs[i]->dtype());
  }
  d = compute_dtype(d, p);
  for (size_t i = 0; i < n; ++i) inputs[i] = as_compute(inputs[i], d);
  if (p.fn == LinalgFn::Lstsq && inputs.size() == 3 && inputs[2] && !is_float(inputs[2]->dtype()))
    inputs[2] = cast(inputs[2], DType::Float64);
  return linalg_node(p, std::move(inputs));
}

Var matrix_inverse(const Var& a) { return one(params(LinalgFn::Inv), a); }
Var det(const Var& a) { return one(params(LinalgFn::Det), a); }
std::vector<Var> slogdet(const Var& a) { return all(params(LinalgFn::SlogDet), a); }
Var expm(const Var& a) { return one(params(LinalgFn::Expm), a); }

Var cholesky(const Var& a, bool lower, bool nan_on_error) {
  LinalgParams p = params(LinalgFn::Cholesky);
  p.lower = lower;
  p.nan_on_error = nan_on_error;
  return one(p, a);
}

Var solve(const Var& a, const Var& b, MatrixStructure s, bool lower, bool trans, bool unit_diagonal) {
  LinalgParams p = params(LinalgFn::Solve);
  p.structure = s;
  p.lower = s == MatrixStructure::LowerTriangular ? true : s == MatrixStructure::UpperTriangular ? false : lower;
  p.trans = trans;
  p.unit_diagonal = unit_diagonal && (s == MatrixStructure::LowerTriangular || s == MatrixStructure::UpperTriangular);
  auto [x, y] = common(a, b, p);
  return linalg_node(p, {x, y})[0];
}

Var solve_triangular(const Var& a, const Var& b, bool lower, bool trans, bool unit_diagonal) {
  return solve(a, b, lower ? MatrixStructure::LowerTriangular : MatrixStructure::UpperTriangular, lower, trans,
               unit_diagonal);
}

Var cho_solve(const Var& c, const Var& b, bool lower) {
  LinalgParams p = params(LinalgFn::ChoSolve);
  p.lower = lower;
  auto [x, y] = common(c, b, p);
  return linalg_node(p, {x, y})[0];
}

std::vector<Var> eigh(const Var& a, bool lower) {
  LinalgParams p = params(LinalgFn::Eigh);
  p.lower = lower;
  return all(p, a);
}

Var eigvalsh(const Var& a, const Var& b, bool lower) {
  LinalgParams p = params(LinalgFn::Eigh);
  p.lower = lower;
  p.compute_v = false;
  if (!b) return one(p, a);
  auto [x, y] = common(a, b, p);
  return linalg_node(p, {x, y})[0];
}

std::vector<Var> eig(const Var& a) { return all(params(LinalgFn::Eig), a); }

std::vector<Var> svd(const Var& a, bool full_matrices, bool compute_uv) {
  LinalgParams p = params(LinalgFn::SVD);
  p.full_matrices = full_matrices;
  p.compute_uv = compute_uv;
  return all(p, a);
}

std::vector<Var> qr(const Var& a, QRMode mode) {
  LinalgParams p = params(LinalgFn::QR);
  p.qr_mode = mode;
  return all(p, a);
}

std::vector<Var> lstsq(const Var& a, const Var& b, const Var& rcond) {
  auto [x, y] = common(a, b, params(LinalgFn::Lstsq));
  not_null(rcond, "Lstsq", "rcond");
  Var rc = rcond;
  if (!is_float(rc->dtype())) rc = cast(rc, DType::Float64);
  return linalg_node(params(LinalgFn::Lstsq), {x, y, rc});
}

Var pinv(const Var& a, double rcond) {
  if (!(rcond >= 0) || !std::isfinite(rcond))
    throw ValueError("MatrixPinv: rcond must be a finite non-negative number, got " + std::to_string(rcond));
  LinalgParams p = params(LinalgFn::Pinv);
  p.rcond = rcond;
  return one(p, a);
}

}  // namespace theon
