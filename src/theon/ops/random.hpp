// Random number ops. Each draw is a pure function of a state tensor: it takes
// the state and returns the advanced state beside the samples, so a shared
// variable holding the state advances through an ordinary (default) update,
// the mechanism scan's steps reuse. A failing call returns nothing, so no
// state moves. The engines are in ops/random_engines.hpp; the kernels in
// backend/cpu/random.cpp. No gradient flows through a draw.
#pragma once
#include <cstdint>
#include <string>
#include <typeinfo>
#include <vector>

#include "theon/graph.hpp"
#include "theon/ops.hpp"

namespace theon::ops {

// Structural equality for ops whose name spells out all their parameters.
// A draw's distribution parameters (the inputs from first_param() on, up to
// last_param()) are connected to the samples but have no gradient: grad()
// reaching them raises NullTypeGradError, as Theano's grad_undefined did. The
// states and sizes are disconnected.
class NamedRandomOp : public Op {
 public:
  bool equals(const Op& o) const override { return typeid(*this) == typeid(o) && name() == o.name(); }
  bool connected(int i) const override { return i >= first_param() && i < last_param(); }
  std::vector<Var> grad(const Apply& node, const std::vector<Var>& gouts) const override;
  virtual int first_param() const { return 0; }
  virtual int last_param() const { return 0; }
};

// Theano's mrg_uniform: inputs (rstate, size), rstate an int32 (streams, 6)
// matrix of MRG31k3p states and size an integer vector of length ndim;
// outputs (the advanced states, samples in (0, 1] of dtype with that shape).
// Sample i comes from stream i % streams: the result is the same for any
// thread count.
class MRGUniform final : public NamedRandomOp {
 public:
  MRGUniform(DType dtype, int ndim) : dtype_(dtype), ndim_(ndim) {}
  OpKind kind() const override { return OpKind::MRGUniform; }
  DType dtype() const { return dtype_; }
  int ndim() const { return ndim_; }
  std::string name() const override;
  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override;
  Var infer_shape(const Apply& node, int output, int axis, const InputSize& input_size) const override;

 private:
  DType dtype_;
  int ndim_;
};

// Theano's MultinomialFromUniform (replace) and ChoiceFromUniform (without
// replacement): inputs (pvals (m, k), unis (m * n,), n). The first gives
// counts (m, k) of n draws per row, the second the indices (m, n) drawn,
// each taken row's probability then set to zero and the row renormalised.
class FromUniform final : public NamedRandomOp {
 public:
  FromUniform(DType odtype, bool choice, bool replace) : odtype_(odtype), choice_(choice), replace_(replace) {}
  OpKind kind() const override { return OpKind::FromUniform; }
  int last_param() const override { return 2; }  // pvals and unis
  DType odtype() const { return odtype_; }
  bool choice() const { return choice_; }
  bool replace() const { return replace_; }
  std::string name() const override;
  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override;

 private:
  DType odtype_;
  bool choice_, replace_;
};

// The Box-Muller transform as Theano's CPU code evaluated it, each step
// rounded to the dtype with the C library's scalar functions (vector
// approximations would move the last bit of Theano's normal samples). For
// uniforms u: Radius gives sqrt(-2 * log(u)); Angle gives (cos(t), sin(t))
// for t = 2 pi * u (2 pi rounded to the dtype first); Normal takes u of even
// length 2h and gives r * cos(t) for the first half and r * sin(t) for the
// second, r from u[:h] and t from u[h:] (Theano's join of z0 and z1).
// float32 and float64.
enum class BoxMullerPart : uint8_t { Radius, Angle, Normal };

class BoxMuller final : public NamedRandomOp {
 public:
  explicit BoxMuller(BoxMullerPart part) : part_(part) {}
  OpKind kind() const override { return OpKind::BoxMuller; }
  BoxMullerPart part() const { return part_; }
  std::string name() const override;
  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override;
  Var infer_shape(const Apply&, int, int axis, const InputSize& input_size) const override {
    return input_size(0, axis);
  }

 private:
  BoxMullerPart part_;
};

// The distributions of Theano's raw_random (NumPy's legacy RandomState), with
// their parameter names, listed once.
#define THEON_RANDOM_DISTS(X)                         \
  X(Uniform, "uniform", "low", "high")                \
  X(Normal, "normal", "avg", "std")                   \
  X(Binomial, "binomial", "n", "p")                   \
  X(RandomIntegers, "random_integers", "low", "high") \
  X(Poisson, "poisson", "lam", "")                    \
  X(Permutation, "permutation", "n", "")              \
  X(Multinomial, "multinomial", "n", "pvals")         \
  X(Choice, "choice", "a", "replace")

enum class RandomDist : uint8_t {
#define X(e, s, p1, p2) e,
  THEON_RANDOM_DISTS(X)
#undef X
};
const char* random_dist_name(RandomDist d);
// The number of parameter inputs (choice has a third, p).
int random_dist_params(RandomDist d);
// Permutations and multinomials add a last axis to the size.
inline bool random_dist_adds_axis(RandomDist d) { return d == RandomDist::Permutation || d == RandomDist::Multinomial; }

// Theano's RandomFunction: inputs (state, size, params...), the state a uint32
// vector of 628 words (an MT19937 RandomState: 624 key words, position,
// has_gauss, the cached gaussian's two words) and size an integer vector (empty:
// the parameters' broadcast shape); outputs (the advanced state, samples).
class RandomStateDraw final : public NamedRandomOp {
 public:
  // Theano's RandomFunction: its gradient is undefined (NullType), even
  // through integer samples (a multinomial whose pvals depend on a parameter).
  bool gradient_undefined() const override { return true; }
  RandomStateDraw(RandomDist dist, DType dtype, int ndim) : dist_(dist), dtype_(dtype), ndim_(ndim) {}
  OpKind kind() const override { return OpKind::RandomStateDraw; }
  int first_param() const override { return 2; }
  int last_param() const override { return 1 << 20; }
  RandomDist dist() const { return dist_; }
  DType dtype() const { return dtype_; }
  int ndim() const { return ndim_; }
  std::string name() const override;
  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override;

 private:
  RandomDist dist_;
  DType dtype_;
  int ndim_;
};

}  // namespace theon::ops
