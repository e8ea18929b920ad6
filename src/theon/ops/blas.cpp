// Linear algebra: the ops Dot (the 1-D/2-D core), Matmul (batched, with
// broadcast batch dims) and Gemm (ops/blas.hpp), and the builders
// dot/matmul/outer/tensordot of ops.hpp. Their kernels (BLAS gemm/gemv for float
// and complex dtypes, a C++ loop otherwise) are in backend/cpu/blas.cpp.
#include "ops/blas.hpp"

#include <algorithm>

#include "ops/op_info.hpp"
#include "theon/grad.hpp"
#include "theon/ops.hpp"

namespace theon {

namespace {

// ---- errors -------------------------------------------------------------------------

// A builder-level error: names the user's call site like make_apply does.
[[noreturn]] void build_error(std::string msg) {
  SourceSite site = current_site();
  if (site.known()) msg += "\n  built at " + site.str();
  throw ValueError(msg);
}

Var swap_last(const Var& x) {
  std::vector<int> order;
  for (int i = 0; i < x->ndim(); ++i) order.push_back(i);
  std::swap(order[order.size() - 1], order[order.size() - 2]);
  return dimshuffle(x, order);
}

Var grad_like(Var g, const Var& x) {
  if (g->dtype() != x->dtype()) g = cast(g, x->dtype());
  return g;
}

const OpPtr& dot_op() {
  static const OpPtr op = std::make_shared<ops::Dot>();
  return op;
}

const OpPtr& matmul_op() {
  static const OpPtr op = std::make_shared<ops::Matmul>();
  return op;
}

// ---- builder helpers ----------------------------------------------------------------

void check_inputs(const Var& a, const Var& b, const char* op) {
  if (!a || !b) throw TypeError(std::string(op) + ": input " + (a ? "1" : "0") + " is None");
}

// Casts both to their common (upcast) dtype.
std::pair<Var, Var> common_dtype(const Var& a, const Var& b) {
  const DType d = upcast(a->dtype(), b->dtype());
  return {cast(a, d), cast(b, d)};
}

// Left-pads x with broadcastable dims up to nd.
Var pad_to(const Var& x, int nd) {
  if (x->ndim() >= nd) return x;
  std::vector<int> order(nd - x->ndim(), -1);
  for (int i = 0; i < x->ndim(); ++i) order.push_back(i);
  return dimshuffle(x, order);
}

// A target dimension of a reshape: the product of some dims of some variables.
using DimParts = std::vector<std::pair<const Var*, int>>;

Var reshape_to(const Var& x, const std::vector<DimParts>& dims) {
  std::vector<int64_t> statics;
  bool all_static = true;
  for (const auto& parts : dims) {
    int64_t n = 1;
    for (const auto& [v, ax] : parts) {
      const int64_t s = (*v)->type.shape[ax];
      if (s < 0)
        all_static = false;
      else
        n *= s;
    }
    statics.push_back(n);
  }
  if (all_static) return reshape(x, statics);
  std::vector<Var> scalars;
  for (const auto& parts : dims) {
    Var p;
    int64_t known = 1;
    for (const auto& [v, ax] : parts) {
      const int64_t s = (*v)->type.shape[ax];
      if (s >= 0) {
        known *= s;
        continue;
      }
      Var si = shape_i(*v, ax);
      p = p ? mul(p, si) : si;
    }
    if (!p)
      p = scalar_constant<int64_t>(known);
    else if (known != 1)
      p = mul(p, scalar_constant<int64_t>(known));
    scalars.push_back(p);
  }
  return reshape(x, make_vector(scalars, DType::Int64), static_cast<int>(dims.size()));
}

}  // namespace

namespace ops {

// ---- Dot ----------------------------------------------------------------------------

std::vector<TensorType> Dot::infer_types(const std::vector<Var>& in) const {
  if (in.size() != 2) throw TypeError("Dot takes 2 inputs, got " + std::to_string(in.size()));
  for (int i = 0; i < 2; ++i)
    if (in[i]->ndim() < 1 || in[i]->ndim() > 2)
      throw TypeError("Dot: input " + std::to_string(i) + " must be a vector or a matrix, got " + in[i]->type.str() +
                      " (use dot() or tensordot() for other ranks)");
  const TensorType &a = in[0]->type, &b = in[1]->type;
  if (a.dtype != b.dtype)
    throw TypeError("Dot: inputs must have the same dtype, got " + a.str() + " and " + b.str() +
                    " (the dot() builder casts them)");
  const int64_t ka = a.shape.back(), kb = b.shape[0];
  if (ka >= 0 && kb >= 0 && ka != kb)
    throw ValueError("Dot: shapes are not aligned: " + a.str() + " and " + b.str() + ": dim " +
                     std::to_string(a.ndim() - 1) + " of the first has size " + std::to_string(ka) +
                     " but dim 0 of the second has size " + std::to_string(kb));
  std::vector<int64_t> shape;
  if (a.ndim() == 2) shape.push_back(a.shape[0]);
  if (b.ndim() == 2) shape.push_back(b.shape[1]);
  return {TensorType(a.dtype, shape)};
}

std::vector<Var> Dot::rop(const Apply& node, const std::vector<Var>& t) const {
  const Var &a = node.inputs[0], &b = node.inputs[1];
  Var r;
  if (t[0]) r = dot(t[0], b);
  if (t[1]) r = r ? add(r, dot(a, t[1])) : dot(a, t[1]);
  return {r};
}

std::vector<Var> Dot::grad(const Apply& node, const std::vector<Var>& gouts) const {
  const Var &a = node.inputs[0], &b = node.inputs[1];
  if (!is_inexact(a->dtype()) || !gouts[0]) return {nullptr, nullptr};
  const Var gz = grad_like(gouts[0], a);
  Var ga, gb;
  if (a->ndim() == 2 && b->ndim() == 2) {
    ga = dot(gz, dimshuffle(b, {1, 0}));
    gb = dot(dimshuffle(a, {1, 0}), gz);
  } else if (a->ndim() == 2) {  // (m,k).(k) -> (m)
    ga = outer(gz, b);
    gb = dot(dimshuffle(a, {1, 0}), gz);
  } else if (b->ndim() == 2) {  // (k).(k,n) -> (n)
    ga = dot(b, gz);
    gb = outer(a, gz);
  } else {  // (k).(k) -> ()
    ga = mul(gz, b);
    gb = mul(gz, a);
  }
  return {grad_like(ga, a), grad_like(gb, b)};
}

// ---- Gemm ---------------------------------------------------------------------------

std::vector<TensorType> Gemm::infer_types(const std::vector<Var>& in) const {
  if (in.size() != 5)
    throw TypeError("Gemm takes (Z, alpha, X, Y, beta), got " + std::to_string(in.size()) + " inputs");
  TensorType t = dot_op()->infer_types({in[2], in[3]})[0];
  const DType d = t.dtype;
  if (!is_float(d)) throw TypeError("Gemm: X and Y must be float32 or float64, got " + describe_types(in));
  if (in[0]->dtype() != d || in[0]->ndim() != t.ndim() || in[1]->ndim() != 0 || in[4]->ndim() != 0 ||
      in[1]->dtype() != d || in[4]->dtype() != d)
    throw TypeError("Gemm: Z must match dot(X, Y) and alpha, beta must be scalars of its dtype, got " +
                    describe_types(in));
  for (int k = 0; k < t.ndim(); ++k)
    if (t.shape[k] < 0) t.shape[k] = in[0]->type.shape[k] == 1 ? -1 : in[0]->type.shape[k];
  return {t};
}

std::vector<Var> Gemm::grad(const Apply& node, const std::vector<Var>&) const {
  throw NotImplementedError(name() + " is made by the BLAS phase after gradients exist (node " + node.str() + ")");
}

std::vector<TensorType> DotScalar::infer_types(const std::vector<Var>& in) const {
  if (in.size() != 3) throw TypeError("Dot22Scalar takes (X, Y, a), got " + std::to_string(in.size()) + " inputs");
  TensorType t = dot_op()->infer_types({in[0], in[1]})[0];
  if (!is_float(t.dtype) || in[2]->ndim() != 0 || in[2]->dtype() != t.dtype)
    throw TypeError("Dot22Scalar: X and Y must be float32 or float64 and a a scalar of their dtype, got " +
                    describe_types(in));
  return {t};
}

Var DotScalar::infer_shape(const Apply& node, int output, int axis, const InputSize& input_size) const {
  return dot_op()->infer_shape(node, output, axis, input_size);
}

std::vector<Var> DotScalar::grad(const Apply& node, const std::vector<Var>&) const {
  throw NotImplementedError(name() + " is made by the BLAS phase after gradients exist (node " + node.str() + ")");
}

// ---- Matmul -------------------------------------------------------------------------

std::vector<TensorType> Matmul::infer_types(const std::vector<Var>& in) const {
  if (in.size() != 2) throw TypeError("Matmul takes 2 inputs, got " + std::to_string(in.size()));
  const TensorType &a = in[0]->type, &b = in[1]->type;
  const int nd = a.ndim();
  if (nd < 2 || b.ndim() != nd)
    throw TypeError("Matmul: inputs must have the same number of dimensions (>= 2), got " + a.str() + " and " +
                    b.str() + " (the matmul() builder pads them)");
  if (a.dtype != b.dtype)
    throw TypeError("Matmul: inputs must have the same dtype, got " + a.str() + " and " + b.str());
  std::vector<int64_t> shape;
  for (int d = 0; d < nd - 2; ++d) {
    const int64_t sa = a.shape[d], sb = b.shape[d];
    if (sa == 1)
      shape.push_back(sb);
    else if (sb == 1)
      shape.push_back(sa);
    else if (sa >= 0 && sb >= 0 && sa != sb)
      throw ValueError("Matmul: batch dimension " + std::to_string(d) + " does not match: " + a.str() + " and " +
                       b.str());
    else
      shape.push_back(sa >= 0 ? sa : sb);
  }
  const int64_t ka = a.shape[nd - 1], kb = b.shape[nd - 2];
  if (ka >= 0 && kb >= 0 && ka != kb)
    throw ValueError("Matmul: shapes are not aligned: " + a.str() + " and " + b.str() +
                     ": the last dim of the first (" + std::to_string(ka) +
                     ") differs from the second-to-last of the second (" + std::to_string(kb) + ")");
  shape.push_back(a.shape[nd - 2]);
  shape.push_back(b.shape[nd - 1]);
  return {TensorType(a.dtype, shape)};
}

std::vector<Var> Matmul::rop(const Apply& node, const std::vector<Var>& t) const {
  const Var &a = node.inputs[0], &b = node.inputs[1];
  Var r;
  if (t[0]) r = matmul(t[0], b);
  if (t[1]) r = r ? add(r, matmul(a, t[1])) : matmul(a, t[1]);
  return {r};
}

std::vector<Var> Matmul::grad(const Apply& node, const std::vector<Var>& gouts) const {
  const Var &a = node.inputs[0], &b = node.inputs[1];
  if (!is_inexact(a->dtype()) || !gouts[0]) return {nullptr, nullptr};
  const Var gz = grad_like(gouts[0], a);
  Var ga = sum_to_like(apply1(matmul_op(), {gz, swap_last(b)}), a);
  Var gb = sum_to_like(apply1(matmul_op(), {swap_last(a), gz}), b);
  return {grad_like(ga, a), grad_like(gb, b)};
}

}  // namespace ops

// ---- builders -------------------------------------------------------------------------

Var dot(const Var& a, const Var& b) {
  check_inputs(a, b, "dot");
  if (a->ndim() == 0 || b->ndim() == 0) return mul(a, b);  // numpy.dot with a scalar
  auto [x, y] = common_dtype(a, b);
  if (x->ndim() <= 2 && y->ndim() <= 2) return apply1(dot_op(), {x, y});
  // numpy.dot: sum over the last axis of a and the second-to-last of b.
  return tensordot(x, y, {x->ndim() - 1}, {y->ndim() >= 2 ? y->ndim() - 2 : 0});
}

Var matmul(const Var& a, const Var& b) {
  check_inputs(a, b, "matmul");
  if (a->ndim() == 0 || b->ndim() == 0)
    throw TypeError("matmul: input operand " + std::string(a->ndim() == 0 ? "0" : "1") +
                    " is a scalar (0-d); matmul needs at least 1 dimension (use mul for scalars)");
  auto [x, y] = common_dtype(a, b);
  if (x->ndim() <= 2 && y->ndim() <= 2) return apply1(dot_op(), {x, y});
  const bool va = x->ndim() == 1, vb = y->ndim() == 1;
  if (va) x = dimshuffle(x, {-1, 0});  // (k) -> (1, k)
  if (vb) y = dimshuffle(y, {0, -1});  // (k) -> (k, 1)
  const int nd = std::max(x->ndim(), y->ndim());
  Var out = apply1(matmul_op(), {pad_to(x, nd), pad_to(y, nd)});
  if (va || vb) {  // drop the axis the vector gained
    const int drop = va ? nd - 2 : nd - 1;
    std::vector<int> order;
    for (int i = 0; i < nd; ++i)
      if (i != drop) order.push_back(i);
    out = dimshuffle(out, order);
  }
  return out;
}

Var outer(const Var& a, const Var& b) {
  check_inputs(a, b, "outer");
  auto [x, y] = common_dtype(a, b);
  if (x->ndim() != 1) x = flatten(x, 1);
  if (y->ndim() != 1) y = flatten(y, 1);
  return apply1(dot_op(), {dimshuffle(x, {0, -1}), dimshuffle(y, {-1, 0})});
}

Var tensordot(const Var& a, const Var& b, const std::vector<int>& axes_a, const std::vector<int>& axes_b) {
  check_inputs(a, b, "tensordot");
  if (axes_a.size() != axes_b.size())
    build_error("tensordot: the axes lists must have the same length, got " + ints_str({axes_a.begin(), axes_a.end()}) +
                " and " + ints_str({axes_b.begin(), axes_b.end()}));
  const int na = a->ndim(), nb = b->ndim();
  auto normalize = [](std::vector<int> axes, int nd, const char* which) {
    std::vector<bool> seen(nd, false);
    for (int& ax : axes) {
      if (ax < -nd || ax >= nd)
        build_error(std::string("tensordot: axis ") + std::to_string(ax) + " of " + which +
                    " is out of bounds for a tensor of dimension " + std::to_string(nd));
      if (ax < 0) ax += nd;
      if (seen[ax]) build_error(std::string("tensordot: repeated axis ") + std::to_string(ax) + " for " + which);
      seen[ax] = true;
    }
    return axes;
  };
  const std::vector<int> aa = normalize(axes_a, na, "a"), ab = normalize(axes_b, nb, "b");
  for (size_t i = 0; i < aa.size(); ++i) {
    const int64_t sa = a->type.shape[aa[i]], sb = b->type.shape[ab[i]];
    if (sa >= 0 && sb >= 0 && sa != sb)
      build_error("tensordot: shape mismatch for sum: axis " + std::to_string(aa[i]) + " of " + a->type.str() +
                  " has size " + std::to_string(sa) + " but axis " + std::to_string(ab[i]) + " of " + b->type.str() +
                  " has size " + std::to_string(sb));
  }
  auto [x, y] = common_dtype(a, b);
  if (aa.empty()) {  // no summed axes: the outer product of all elements
    if (na == 0 || nb == 0) return mul(x, y);
    std::vector<int> ox, oy(na, -1);
    for (int i = 0; i < na; ++i) ox.push_back(i);
    for (int i = 0; i < nb; ++i) {
      ox.push_back(-1);
      oy.push_back(i);
    }
    return mul(dimshuffle(x, ox), dimshuffle(y, oy));
  }
  std::vector<int> free_a, free_b;
  for (int i = 0; i < na; ++i)
    if (std::find(aa.begin(), aa.end(), i) == aa.end()) free_a.push_back(i);
  for (int i = 0; i < nb; ++i)
    if (std::find(ab.begin(), ab.end(), i) == ab.end()) free_b.push_back(i);

  // x -> (free_a..., summed...) -> (Ma, K) or (K); y -> (summed..., free_b...) -> (K, Nb) or (K).
  std::vector<int> perm_a = free_a, perm_b = ab;
  perm_a.insert(perm_a.end(), aa.begin(), aa.end());
  perm_b.insert(perm_b.end(), free_b.begin(), free_b.end());
  auto identity = [](const std::vector<int>& p) {
    for (size_t i = 0; i < p.size(); ++i)
      if (p[i] != static_cast<int>(i)) return false;
    return true;
  };
  Var xt = identity(perm_a) ? x : dimshuffle(x, perm_a);
  Var yt = identity(perm_b) ? y : dimshuffle(y, perm_b);

  DimParts k_parts, ma_parts, nb_parts;
  for (int ax : aa) k_parts.push_back({&x, ax});
  for (int ax : free_a) ma_parts.push_back({&x, ax});
  for (int ax : free_b) nb_parts.push_back({&y, ax});
  if (free_a.size() > 1 || aa.size() > 1) {
    std::vector<DimParts> dims;
    if (!free_a.empty()) dims.push_back(ma_parts);
    dims.push_back(k_parts);
    xt = reshape_to(xt, dims);
  }
  if (free_b.size() > 1 || ab.size() > 1) {
    std::vector<DimParts> dims{k_parts};
    if (!free_b.empty()) dims.push_back(nb_parts);
    yt = reshape_to(yt, dims);
  }
  Var out = apply1(dot_op(), {xt, yt});
  if (free_a.size() <= 1 && free_b.size() <= 1) return out;
  std::vector<DimParts> dims;
  for (int ax : free_a) dims.push_back({{&x, ax}});
  for (int ax : free_b) dims.push_back({{&y, ax}});
  return reshape_to(out, dims);
}

Var tensordot(const Var& a, const Var& b, int n_axes) {
  check_inputs(a, b, "tensordot");
  if (n_axes < 0) build_error("tensordot: the number of axes must be >= 0, got " + std::to_string(n_axes));
  if (n_axes > a->ndim() || n_axes > b->ndim())
    build_error("tensordot: cannot sum over " + std::to_string(n_axes) + " axes of " + a->type.str() + " and " +
                b->type.str());
  std::vector<int> aa, ab;
  for (int i = 0; i < n_axes; ++i) {
    aa.push_back(a->ndim() - n_axes + i);
    ab.push_back(i);
  }
  return tensordot(a, b, aa, ab);
}

Var gemm(const Var& z, const Var& alpha, const Var& x, const Var& y, const Var& beta, bool inplace) {
  auto op = std::make_shared<ops::Gemm>(inplace);
  // Theano's names by shape: Ger for an outer product, Gemv for matrix-vector.
  const bool outer = x->ndim() == 2 && y->ndim() == 2 && x->type.shape[1] == 1 && y->type.shape[0] == 1;
  op->set_base_name(outer ? "Ger" : (x->ndim() == 1 || y->ndim() == 1) ? "Gemv" : "Gemm");
  return apply1(op, {z, alpha, x, y, beta});
}

Var dot_scalar(const Var& x, const Var& y, const Var& a) {
  return apply1(std::make_shared<ops::DotScalar>(), {x, y, a});
}

// Matrix by matrix only: (m, k) . (k, n) is (m, n).
Var ops::Dot::infer_shape(const Apply& node, int, int axis, const InputSize& input_size) const {
  if (node.inputs[0]->ndim() != 2 || node.inputs[1]->ndim() != 2) return nullptr;
  return axis == 0 ? input_size(0, 0) : input_size(1, 1);
}

}  // namespace theon
