// Assert: passes x through once every condition holds at run time (Theano's
// Assert). The rewriter drops conditions that are constant true
// (useless_assert); the gradient and R-op of x pass straight through.
#include "ops/op_info.hpp"
#include "theon/grad.hpp"
#include "theon/ops.hpp"

namespace theon {

namespace {

class Assert final : public Op {
 public:
  Assert(std::string message, CheckFailure failure) : message_(std::move(message)), failure_(failure) {}
  std::string name() const override {
    static const char* const kNames[] = {"Assert", "CheckIndex", "CheckValue"};
    return std::string(kNames[static_cast<int>(failure_)]) + "{msg=" + message_ + "}";
  }
  OpKind kind() const override { return OpKind::Assert; }
  const std::string& message() const { return message_; }
  CheckFailure failure() const { return failure_; }

  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override {
    if (in.empty()) throw TypeError("Assert takes the checked value and its conditions");
    for (size_t i = 1; i < in.size(); ++i)
      if (in[i]->ndim() != 0)
        throw TypeError("Assert: condition " + std::to_string(i - 1) + " must be a scalar (0-d), got " +
                        in[i]->type.str() + "; reduce it first, e.g. with T.all(cond)");
    return {in[0]->type};
  }
  void perform(const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace&) const override {
    for (size_t i = 1; i < in.size(); ++i)
      if (in[i].get_double(0) == 0.0) {
        std::string why = message_ + (in.size() > 2 ? " (condition " + std::to_string(i - 1) + " is false)" : "");
        if (failure_ == CheckFailure::Index) throw IndexError(why);
        if (failure_ == CheckFailure::Value) throw ValueError(why);
        throw AssertionError(why);
      }
    out[0] = in[0];  // a view: the value itself is untouched
  }
  int view_of(int) const override { return 0; }
  bool equals(const Op& o) const override {
    auto* a = dynamic_cast<const Assert*>(&o);
    return a && a->message_ == message_ && a->failure_ == failure_;
  }
  bool connected(int input) const override { return input == 0; }
  std::vector<Var> grad(const Apply& node, const std::vector<Var>& gouts) const override {
    std::vector<Var> g(node.inputs.size());
    g[0] = gouts[0];
    return g;
  }
  std::vector<Var> rop(const Apply&, const std::vector<Var>& t) const override { return {t[0]}; }

 private:
  std::string message_;
  CheckFailure failure_;  // the error class of a failed check
};

const Assert& as_assert(const Op& op) {
  THEON_CHECK(op.kind() == OpKind::Assert, op.name() + " is not an Assert");
  return static_cast<const Assert&>(op);
}

}  // namespace

Var assert_op(const Var& x, const std::vector<Var>& conditions, const std::string& message, CheckFailure failure) {
  if (conditions.empty()) return x;
  std::vector<Var> in{x};
  in.insert(in.end(), conditions.begin(), conditions.end());
  return apply1(std::make_shared<Assert>(message, failure), std::move(in));
}

Var assert_op(const Var& x, const std::vector<Var>& conditions, const std::string& message, bool index_error) {
  return assert_op(x, conditions, message, index_error ? CheckFailure::Index : CheckFailure::Assertion);
}

Var assert_like(const Op& op, const Var& x, const std::vector<Var>& conditions) {
  const Assert& a = as_assert(op);
  return assert_op(x, conditions, a.message(), a.failure());
}

}  // namespace theon
