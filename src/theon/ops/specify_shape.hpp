// SpecifyShape: x itself, with a static shape the user vouches for and the
// runtime checks. Its CPU kernel lives in backend/cpu/checks.cpp.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "theon/graph.hpp"
#include "theon/ops.hpp"

namespace theon::ops {

class SpecifyShape final : public Op {
 public:
  OpKind kind() const override { return OpKind::SpecifyShape; }
  SpecifyShape(std::vector<int64_t> pattern, bool symbolic) : pattern_(std::move(pattern)), symbolic_(symbolic) {}
  // Per axis: a length to check, kKeepLength or kAnyLength.
  const std::vector<int64_t>& pattern() const { return pattern_; }
  // Whether a second input (a shape vector) is checked too.
  bool symbolic() const { return symbolic_; }
  std::string name() const override;
  bool equals(const Op& o) const override {
    auto* s = dynamic_cast<const SpecifyShape*>(&o);
    return s && s->pattern_ == pattern_ && s->symbolic_ == symbolic_;
  }
  int view_of(int) const override { return 0; }
  bool linear() const override { return true; }
  bool connected(int i) const override { return i == 0; }
  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override;
  std::vector<Var> grad(const Apply& node, const std::vector<Var>& g) const override;

 private:
  std::vector<int64_t> pattern_;
  bool symbolic_;
};

}  // namespace theon::ops
