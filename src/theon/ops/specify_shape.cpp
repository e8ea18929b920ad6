// SpecifyShape: x itself, with a static shape the user vouches for and the
// runtime checks (Theano's SpecifyShape and Rebroadcast in one op). Each axis
// keeps x's static length, forgets it (unbroadcast), or asserts one
// (addbroadcast, specify_shape); a symbolic shape vector may be checked too.
// The class is in ops/specify_shape.hpp; its kernel in backend/cpu/checks.cpp.
#include "ops/specify_shape.hpp"

#include "ops/op_info.hpp"
#include "theon/grad.hpp"
#include "theon/ops.hpp"

namespace theon {

namespace ops {

std::string SpecifyShape::name() const {
  std::vector<std::string> p;
  for (int64_t s : pattern_) p.push_back(s == kKeepLength ? "?" : s == kAnyLength ? "*" : std::to_string(s));
  return std::string(symbolic_ ? "SpecifyShape" : "Rebroadcast") + "{" + join_strings(p, ", ") + "}";
}

std::vector<TensorType> SpecifyShape::infer_types(const std::vector<Var>& in) const {
  if (in.size() != (symbolic_ ? 2u : 1u))
    throw TypeError(name() + " takes " + (symbolic_ ? "2 inputs" : "1 input") + ", got " + std::to_string(in.size()));
  const Var& x = in[0];
  if (x->ndim() != static_cast<int>(pattern_.size()))
    throw ValueError(name() + ": " + std::to_string(pattern_.size()) + " lengths given for " + x->type.str());
  if (symbolic_ && (in[1]->ndim() != 1 || !is_discrete(in[1]->dtype())))
    throw TypeError(name() + ": the shape must be an integer vector, got " + in[1]->type.str());
  Shape s = x->type.shape;
  for (size_t d = 0; d < pattern_.size(); ++d) {
    const int64_t want = pattern_[d];
    if (want == kKeepLength) continue;
    if (want >= 0 && s[d] >= 0 && s[d] != want)
      throw ValueError(name() + ": axis " + std::to_string(d) + " of " + x->type.str() + " has length " +
                       std::to_string(s[d]) + ", not " + std::to_string(want));
    s[d] = want;
  }
  return {TensorType(x->dtype(), s)};
}

// The gradient has x's static shape again (g may know more, or less).
std::vector<Var> SpecifyShape::grad(const Apply& node, const std::vector<Var>& g) const {
  std::vector<Var> out(node.inputs.size(), nullptr);
  out[0] = specify_static_shape(g[0], node.inputs[0]->type.shape);
  return out;
}

}  // namespace ops

Var specify_static_shape(const Var& x, const std::vector<int64_t>& pattern) {
  bool same = static_cast<int>(pattern.size()) == x->ndim();
  for (int d = 0; same && d < x->ndim(); ++d) same = pattern[d] == kKeepLength || pattern[d] == x->type.shape[d];
  if (same) return x;
  return apply1(std::make_shared<ops::SpecifyShape>(pattern, false), {x});
}

Var specify_shape(const Var& x, const Var& shape) {
  std::vector<int64_t> pattern(x->ndim(), kKeepLength);
  if (const Constant* c = as_constant(shape))  // constant lengths become static ones
    for (int d = 0; d < x->ndim() && d < c->value.size(); ++d) {
      pattern[d] = c->value.get_int(d);
      if (pattern[d] < 0)
        throw ValueError("specify_shape: negative length " + std::to_string(pattern[d]) + " for axis " +
                         std::to_string(d) + " of " + x->type.str());
    }
  return apply1(std::make_shared<ops::SpecifyShape>(pattern, true), {x, shape});
}

bool specify_shape_symbolic(const Op& op) { return static_cast<const ops::SpecifyShape&>(op).symbolic(); }

}  // namespace theon
