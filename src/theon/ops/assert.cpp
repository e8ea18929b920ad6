// Assert: passes x through once every condition holds at run time (Theano's
// Assert). The rewriter drops conditions that are constant true
// (useless_assert); the gradient and R-op of x pass straight through. The
// class is in ops/assert.hpp; its kernel in backend/cpu/checks.cpp.
#include "ops/assert.hpp"

#include "ops/op_info.hpp"
#include "theon/grad.hpp"
#include "theon/ops.hpp"

namespace theon {

namespace ops {

std::vector<TensorType> Assert::infer_types(const std::vector<Var>& in) const {
  if (in.empty()) throw TypeError("Assert takes the checked value and its conditions");
  for (size_t i = 1; i < in.size(); ++i)
    if (in[i]->ndim() != 0)
      throw TypeError("Assert: condition " + std::to_string(i - 1) + " must be a scalar (0-d), got " +
                      in[i]->type.str() + "; reduce it first, e.g. with T.all(cond)");
  return {in[0]->type};
}

std::vector<Var> Assert::grad(const Apply& node, const std::vector<Var>& gouts) const {
  std::vector<Var> g(node.inputs.size());
  g[0] = gouts[0];
  return g;
}

}  // namespace ops

namespace {

const ops::Assert& as_assert(const Op& op) {
  THEON_CHECK(op.kind() == OpKind::Assert, op.name() + " is not an Assert");
  return static_cast<const ops::Assert&>(op);
}

}  // namespace

Var assert_op(const Var& x, const std::vector<Var>& conditions, const std::string& message, CheckFailure failure) {
  if (conditions.empty()) return x;
  std::vector<Var> in{x};
  in.insert(in.end(), conditions.begin(), conditions.end());
  return apply1(std::make_shared<ops::Assert>(message, failure), std::move(in));
}

Var assert_op(const Var& x, const std::vector<Var>& conditions, const std::string& message, bool index_error) {
  return assert_op(x, conditions, message, index_error ? CheckFailure::Index : CheckFailure::Assertion);
}

Var assert_like(const Op& op, const Var& x, const std::vector<Var>& conditions) {
  const ops::Assert& a = as_assert(op);
  return assert_op(x, conditions, a.message(), a.failure());
}

}  // namespace theon
