// Random number ops (classes in ops/random.hpp) and their builders, plus the
// MRG31k3p stream jumps that seed them.
#include "ops/random.hpp"

#include "ops/op_info.hpp"
#include "ops/random_engines.hpp"
#include "ops/shape.hpp"
#include "theon/ops.hpp"

namespace theon {

namespace {

void check_size_vector(const Op& op, const Var& size, int len) {
  if (size->ndim() != 1 || !is_discrete(size->dtype()))
    throw TypeError(op.name() + ": size must be an integer vector, got " + size->type.str());
  if (size->type.shape[0] >= 0 && len >= 0 && size->type.shape[0] != len)
    throw ValueError(op.name() + ": size has " + std::to_string(size->type.shape[0]) + " entries for " +
                     std::to_string(len) + " dimensions");
}

std::vector<int64_t> static_size(const Op& op, const Var& size, int n) {
  std::vector<int64_t> shape = static_entries(size, n);
  if (const Constant* c = as_constant(size))
    for (int i = 0; i < n && i < c->value.size(); ++i)
      if (c->value.get_int(i) < 0)
        throw ValueError(op.name() + ": size has a negative entry " + std::to_string(c->value.get_int(i)));
  return shape;
}

const rng::Mat3& jump(int component, int e) {
  static const rng::Mat3 a1_72 = rng::mat_pow2_mod(rng::kA1, 72, rng::kM1);
  static const rng::Mat3 a2_72 = rng::mat_pow2_mod(rng::kA2, 72, rng::kM2);
  static const rng::Mat3 a1_134 = rng::mat_pow2_mod(rng::kA1, 134, rng::kM1);
  static const rng::Mat3 a2_134 = rng::mat_pow2_mod(rng::kA2, 134, rng::kM2);
  return e == 72 ? (component == 0 ? a1_72 : a2_72) : (component == 0 ? a1_134 : a2_134);
}

void check_mrg_seed(const std::vector<int32_t>& seed, const char* what) {
  if (seed.size() != 6)
    throw ValueError(std::string(what) + ": an MRG31k3p state has 6 values, got " + std::to_string(seed.size()));
  for (int c = 0; c < 2; ++c) {
    const int32_t m = c == 0 ? rng::kM1 : rng::kM2;
    bool all_zero = true;
    for (int i = 0; i < 3; ++i) {
      const int32_t v = seed[3 * c + i];
      if (v < 0 || v >= m)
        throw ValueError(std::string(what) + ": state value " + std::to_string(v) + " is outside [0, " +
                         std::to_string(m) + ")");
      all_zero = all_zero && v == 0;
    }
    if (all_zero)
      throw ValueError(std::string(what) + ": the " + (c == 0 ? "first" : "last") + " 3 values of a state are all 0");
  }
}

}  // namespace

namespace ops {

std::vector<Var> NamedRandomOp::grad(const Apply& node, const std::vector<Var>&) const {
  std::vector<Var> g(node.inputs.size(), nullptr);
  for (size_t i = 0; i < g.size(); ++i)
    if (connected(static_cast<int>(i)) && is_inexact(node.inputs[i]->dtype()))
      g[i] = null_grad(node.inputs[i], "no gradient flows through the random draw " + name());
  return g;
}

std::string MRGUniform::name() const {
  return "mrg_uniform{" + std::string(dtype_name(dtype_)) + "," + std::to_string(ndim_) + "d}";
}

std::vector<TensorType> MRGUniform::infer_types(const std::vector<Var>& in) const {
  if (in.size() != 2) throw TypeError(name() + " takes 2 inputs (rstate, size), got " + std::to_string(in.size()));
  if (!is_float(dtype_)) throw TypeError(name() + ": samples must be float16, float32 or float64");
  const TensorType& rs = in[0]->type;
  if (rs.ndim() != 2 || rs.dtype != DType::Int32 || (rs.shape[1] >= 0 && rs.shape[1] != 6))
    throw TypeError(name() + ": rstate must be an int32 matrix of 6 columns, got " + rs.str());
  check_size_vector(*this, in[1], ndim_);
  return {rs, TensorType(dtype_, static_size(*this, in[1], ndim_))};
}

Var MRGUniform::infer_shape(const Apply& node, int output, int axis, const InputSize& input_size) const {
  if (output == 0) return input_size(0, axis);
  const Var& size = node.inputs[1];
  if (!size->owner || size->owner->op->kind() != OpKind::MakeVector) return nullptr;
  const Var& e = size->owner->inputs[axis];
  return e->dtype() == DType::Int64 ? e : cast(e, DType::Int64);
}

std::string FromUniform::name() const {
  const std::string d(dtype_name(odtype_));
  if (!choice_) return "MultinomialFromUniform{" + d + "}";
  return "ChoiceFromUniform{" + d + (replace_ ? ",replace" : ",no_replace") + "}";
}

std::vector<TensorType> FromUniform::infer_types(const std::vector<Var>& in) const {
  if (in.size() != 3) throw TypeError(name() + " takes 3 inputs (pvals, unis, n), got " + std::to_string(in.size()));
  const TensorType &p = in[0]->type, &u = in[1]->type, &n = in[2]->type;
  if (p.ndim() != 2 || !is_float(p.dtype)) throw TypeError(name() + ": pvals must be a float matrix, got " + p.str());
  if (u.ndim() != 1 || !is_float(u.dtype)) throw TypeError(name() + ": unis must be a float vector, got " + u.str());
  if (n.ndim() != 0 || !is_discrete(n.dtype)) throw TypeError(name() + ": n must be an integer scalar, got " + n.str());
  if (!is_int(odtype_) && !is_float(odtype_)) throw TypeError(name() + ": the output dtype must be numeric");
  if (!choice_) return {TensorType(odtype_, p.shape)};
  const auto ns = static_int(in[2]);
  return {TensorType(odtype_, {p.shape[0], ns && *ns >= 0 ? *ns : -1})};
}

std::string BoxMuller::name() const {
  switch (part_) {
    case BoxMullerPart::Radius:
      return "BoxMullerRadius";
    case BoxMullerPart::Angle:
      return "BoxMullerAngle";
    default:
      return "BoxMullerNormal";
  }
}

std::vector<TensorType> BoxMuller::infer_types(const std::vector<Var>& in) const {
  if (in.size() != 1) throw TypeError(name() + " takes 1 input, got " + std::to_string(in.size()));
  const TensorType& t = in[0]->type;
  if (t.dtype != DType::Float32 && t.dtype != DType::Float64)
    throw TypeError(name() + ": needs float32 or float64 uniforms, got " + t.str());
  if (part_ == BoxMullerPart::Normal && t.ndim() != 1)
    throw TypeError(name() + ": needs a vector of uniforms, got " + t.str());
  if (part_ == BoxMullerPart::Angle) return {t, t};
  return {t};
}

const char* random_dist_name(RandomDist d) {
  switch (d) {
#define X(e, s, p1, p2) \
  case RandomDist::e:   \
    return s;
    THEON_RANDOM_DISTS(X)
#undef X
  }
  return "?";
}

int random_dist_params(RandomDist d) {
  switch (d) {
    case RandomDist::Poisson:
    case RandomDist::Permutation:
      return 1;
    case RandomDist::Choice:
      return 3;
    default:
      return 2;
  }
}

std::string RandomStateDraw::name() const {
  return "RandomFunction{" + std::string(random_dist_name(dist_)) + "," + std::string(dtype_name(dtype_)) + "," +
         std::to_string(ndim_) + "d}";
}

std::vector<TensorType> RandomStateDraw::infer_types(const std::vector<Var>& in) const {
  const int np = random_dist_params(dist_);
  if (static_cast<int>(in.size()) != 2 + np)
    throw TypeError(name() + " takes " + std::to_string(2 + np) + " inputs (state, size and its parameters), got " +
                    std::to_string(in.size()));
  const TensorType& st = in[0]->type;
  if (st.ndim() != 1 || st.dtype != DType::UInt32 || (st.shape[0] >= 0 && st.shape[0] != rng::kRandomStateWords))
    throw TypeError(name() + ": the state must be a uint32 vector of " + std::to_string(rng::kRandomStateWords) +
                    " words, got " + st.str());
  check_size_vector(*this, in[1], -1);
  const bool adds = random_dist_adds_axis(dist_);
  const bool integer_out = dist_ != RandomDist::Uniform && dist_ != RandomDist::Normal;
  if (integer_out ? !(is_int(dtype_) || is_float(dtype_)) : !is_float(dtype_))
    throw TypeError(name() + ": cannot draw " + random_dist_name(dist_) + " samples of dtype " +
                    std::string(dtype_name(dtype_)));
  for (int i = 0; i < np; ++i) {
    const TensorType& t = in[2 + i]->type;
    if (!(is_int(t.dtype) || is_float(t.dtype) || is_bool(t.dtype)))
      throw TypeError(name() + ": parameter " + std::to_string(i) + " must be numeric, got " + t.str());
  }
  if (adds && ndim_ < 1) throw TypeError(name() + ": needs at least one output dimension");
  const int64_t size_len = in[1]->type.shape[0];
  std::vector<int64_t> shape(ndim_, -1);
  // A size whose length does not fit ndim fails when the function runs (Theano's ValueError).
  if (size_len > 0 && size_len == ndim_ - (adds ? 1 : 0)) {
    const auto s = static_size(*this, in[1], static_cast<int>(size_len));
    std::copy(s.begin(), s.end(), shape.begin());
  }
  return {st, TensorType(dtype_, shape)};
}

}  // namespace ops

std::string random_distribution(const Op& op) {
  switch (op.kind()) {
    case OpKind::MRGUniform:
      return "uniform";
    case OpKind::FromUniform:
      return static_cast<const ops::FromUniform&>(op).choice() ? "choice" : "multinomial";
    case OpKind::RandomStateDraw:
      return ops::random_dist_name(static_cast<const ops::RandomStateDraw&>(op).dist());
    default:
      return "";
  }
}

std::vector<Var> mrg_uniform(const Var& rstate, const Var& size, DType dtype, int ndim) {
  return make_apply(std::make_shared<ops::MRGUniform>(dtype, ndim), {rstate, size})->outputs();
}

Var box_muller_radius(const Var& u) {
  return apply1(std::make_shared<ops::BoxMuller>(ops::BoxMullerPart::Radius), {u});
}

std::vector<Var> box_muller_angle(const Var& u) {
  return make_apply(std::make_shared<ops::BoxMuller>(ops::BoxMullerPart::Angle), {u})->outputs();
}

Var box_muller_normal(const Var& u) {
  return apply1(std::make_shared<ops::BoxMuller>(ops::BoxMullerPart::Normal), {u});
}

Var multinomial_from_uniform(const Var& pvals, const Var& unis, const Var& n, DType odtype) {
  return apply1(std::make_shared<ops::FromUniform>(odtype, false, true), {pvals, unis, n});
}

Var choice_from_uniform(const Var& pvals, const Var& unis, const Var& n, DType odtype, bool replace) {
  return apply1(std::make_shared<ops::FromUniform>(odtype, true, replace), {pvals, unis, n});
}

std::vector<Var> random_state_draw(const std::string& dist, const Var& state, const Var& size,
                                   const std::vector<Var>& params, DType dtype, int ndim) {
  std::optional<ops::RandomDist> d;
#define X(e, s, p1, p2) \
  if (dist == s) d = ops::RandomDist::e;
  THEON_RANDOM_DISTS(X)
#undef X
  if (!d) throw ValueError("random_state_draw: unknown distribution '" + dist + "'");
  std::vector<Var> in{state, size};
  in.insert(in.end(), params.begin(), params.end());
  return make_apply(std::make_shared<ops::RandomStateDraw>(*d, dtype, ndim), in)->outputs();
}

std::vector<int32_t> mrg_substreams(const std::vector<int32_t>& seed, int64_t n) {
  check_mrg_seed(seed, "mrg_substreams");
  if (n < 1 || n > (int64_t{1} << 24))
    throw ValueError("mrg_substreams: n_streams must be in [1, 2^24], got " + std::to_string(n));
  std::vector<int32_t> out(static_cast<size_t>(n) * 6);
  std::copy(seed.begin(), seed.end(), out.begin());
  for (int64_t i = 1; i < n; ++i) rng::mrg_jump(jump(0, 72), jump(1, 72), &out[(i - 1) * 6], &out[i * 6]);
  return out;
}

std::vector<int32_t> mrg_next_generator(const std::vector<int32_t>& seed) {
  check_mrg_seed(seed, "mrg_next_generator");
  std::vector<int32_t> out(6);
  rng::mrg_jump(jump(0, 134), jump(1, 134), seed.data(), out.data());
  return out;
}

}  // namespace theon
