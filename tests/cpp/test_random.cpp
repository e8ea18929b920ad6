// Random ops through the C++ API and their engines against published values:
// MRG31k3p (L'Ecuyer's first output from seed 12345, the 2^72 jump matrix),
// MT19937 (the reference implementation's 10000th output from seed 5489).
#include <gtest/gtest.h>

#include <cmath>

#include "ops/random_engines.hpp"
#include "theon/theon.hpp"

using namespace theon;

namespace {

// MT19937's reference seeding (init_genrand), the way NumPy seeds RandomState(int).
std::vector<uint32_t> mt_state(uint32_t seed) {
  std::vector<uint32_t> w(rng::kRandomStateWords, 0);
  w[0] = seed;
  for (uint32_t i = 1; i < 624; ++i) w[i] = 1812433253u * (w[i - 1] ^ (w[i - 1] >> 30)) + i;
  w[624] = 624;
  return w;
}

}  // namespace

TEST(RandomEngines, MRG31k3pMatchesLEcuyer) {
  int32_t s[6] = {12345, 12345, 12345, 12345, 12345, 12345};
  EXPECT_EQ(rng::mrg_float64(rng::mrg_next(s)), 0.7353244530968368);
  // A^(2^72) of the first component, as published with the multi-stream package.
  const rng::Mat3 a = rng::mat_pow2_mod(rng::kA1, 72, rng::kM1);
  EXPECT_EQ(a[0][0], 1516919229);
  EXPECT_EQ(a[0][1], 758510237);
  EXPECT_EQ(a[2][2], 358115744);
}

TEST(RandomEngines, MT19937MatchesTheReferenceSequence) {
  rng::MT19937 g;
  const auto w = mt_state(5489);
  g.load(w.data());
  uint32_t v = 0;
  for (int i = 0; i < 10000; ++i) v = g.next32();
  EXPECT_EQ(v, 4123659995u);  // the C++ standard's check value of mt19937
}

TEST(RandomOps, MRGUniformAdvancesItsStates) {
  const std::vector<int32_t> states = mrg_substreams({1, 2, 3, 4, 5, 6}, 4);
  ASSERT_EQ(states.size(), 24u);
  Var rs = variable(TensorType(DType::Int32, {-1, 6}), "rs");
  auto out = mrg_uniform(rs, make_vector({scalar_constant<int64_t>(3), scalar_constant<int64_t>(5)}, DType::Int64),
                         DType::Float64, 2);
  Function f({rs}, out);
  auto r = f({NDArray::from_vector(states, {4, 6})});
  ASSERT_EQ(r[1].shape, (Shape{3, 5}));
  for (int64_t i = 0; i < 15; ++i) {
    const double u = r[1].get_double(i);
    EXPECT_GT(u, 0.0);
    EXPECT_LE(u, 1.0);
  }
  // Stream 0 gave samples 0, 4, 8, 12: three steps from its start.
  int32_t s0[6] = {1, 2, 3, 4, 5, 6};
  for (int k = 0; k < 4; ++k) EXPECT_EQ(r[1].get_double(4 * k), rng::mrg_float64(rng::mrg_next(s0)));
  for (int c = 0; c < 6; ++c) EXPECT_EQ(r[0].get_int(c), s0[c]);
}

TEST(RandomOps, BadSizesAndStatesAreUserErrors) {
  Var rs = variable(TensorType(DType::Int32, {-1, 6}), "rs");
  Var size = variable(TensorType(DType::Int64, {1}), "size");
  Function f({rs, size}, {mrg_uniform(rs, size, DType::Float32, 1)[1]});
  const auto good = NDArray::from_vector(mrg_substreams({7, 7, 7, 7, 7, 7}, 2), {2, 6});
  EXPECT_THROW(f({good, NDArray::from_vector(std::vector<int64_t>{-1}, {1})}), ValueError);
  EXPECT_THROW(f({NDArray::from_vector(std::vector<int32_t>(12, -5), {2, 6}),
                  NDArray::from_vector(std::vector<int64_t>{3}, {1})}),
               ValueError);
  EXPECT_THROW(mrg_uniform(rs, size, DType::Int32, 1), TypeError);
  EXPECT_THROW(mrg_substreams({0, 0, 0, 1, 1, 1}, 2), ValueError);
  EXPECT_THROW(mrg_substreams({1, 1, 1, 1, 1, 1}, 0), ValueError);
  EXPECT_THROW(random_state_draw("gamma", variable(TensorType(DType::UInt32, {628}), "s"), size, {}, DType::Float64, 1),
               ValueError);
}

TEST(RandomOps, RandomStateUniformIsNumPysLegacyDouble) {
  Var st = variable(TensorType(DType::UInt32, {628}), "st");
  auto size = make_vector({scalar_constant<int64_t>(3)}, DType::Int64);
  auto out = random_state_draw("uniform", st, size, {scalar_constant<double>(0.0), scalar_constant<double>(1.0)},
                               DType::Float64, 1);
  Function f({st}, out);
  const auto w = mt_state(5489);
  auto r = f({NDArray::from_vector(w, {628})});
  rng::MT19937 g;
  g.load(w.data());
  for (int i = 0; i < 3; ++i) {
    const double a = g.next32() >> 5, b = g.next32() >> 6;
    EXPECT_EQ(r[1].get_double(i), (a * 67108864.0 + b) / 9007199254740992.0);
  }
  EXPECT_EQ(r[0].get_int(624), 6);  // six words used
}
