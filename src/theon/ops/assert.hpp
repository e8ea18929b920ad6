// Assert: passes x through once every condition holds at run time. Its CPU
// kernel lives in backend/cpu/checks.cpp.
#pragma once
#include <string>
#include <vector>

#include "theon/graph.hpp"
#include "theon/ops.hpp"

namespace theon::ops {

class Assert final : public Op {
 public:
  Assert(std::string message, CheckFailure failure) : message_(std::move(message)), failure_(failure) {}
  std::string name() const override {
    static const char* const kNames[] = {"Assert", "CheckIndex", "CheckValue", "CheckType"};  // by CheckFailure
    return std::string(kNames[static_cast<int>(failure_)]) + "{msg=" + message_ + "}";
  }
  OpKind kind() const override { return OpKind::Assert; }
  const std::string& message() const { return message_; }
  CheckFailure failure() const { return failure_; }

  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override;
  int view_of(int) const override { return 0; }
  bool equals(const Op& o) const override {
    auto* a = dynamic_cast<const Assert*>(&o);
    return a && a->message_ == message_ && a->failure_ == failure_;
  }
  bool connected(int input) const override { return input == 0; }
  std::vector<Var> grad(const Apply& node, const std::vector<Var>& gouts) const override;
  std::vector<Var> rop(const Apply&, const std::vector<Var>& t) const override { return {t[0]}; }

 private:
  std::string message_;
  CheckFailure failure_;  // the error class of a failed check
};

}  // namespace theon::ops
