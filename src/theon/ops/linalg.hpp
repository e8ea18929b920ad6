// Linear algebra on the last two axes (ops/linalg.cpp): one op kind, Linalg,
// whose function is a row of THEON_LINALG_FNS, with the few parameters the
// functions take. Leading axes are a batch, as in numpy.linalg. The CPU
// kernels (backend/cpu/linalg.cpp) call LAPACK from the BLAS library.
#pragma once
#include <string>
#include <vector>

#include "theon/graph.hpp"
#include "theon/linalg.hpp"

namespace theon::ops {

class Linalg final : public Op {
 public:
  explicit Linalg(LinalgParams p) : p_(p) {}
  OpKind kind() const override { return OpKind::Linalg; }
  const LinalgParams& params() const { return p_; }
  LinalgFn fn() const { return p_.fn; }
  std::string name() const override;
  bool equals(const Op& o) const override {
    auto* l = dynamic_cast<const Linalg*>(&o);
    return l && l->p_ == p_;
  }
  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override;
  Var infer_shape(const Apply& node, int output, int axis, const InputSize& input_size) const override;
  std::vector<Var> grad(const Apply& node, const std::vector<Var>& gouts) const override;
  bool connected(int input) const override { return !(p_.fn == LinalgFn::Lstsq && input == 2); }

  // Solve/ChoSolve: whether b is one vector (b.ndim == 1, NumPy 2's rule).
  static bool vector_rhs(const std::vector<Var>& in) { return in[1]->ndim() == 1; }

 private:
  LinalgParams p_;
};

}  // namespace theon::ops
