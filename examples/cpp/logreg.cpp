// Logistic regression from C++: build a graph, take its gradient, compile a
// training function with shared-variable updates, and run it.
#include <cmath>
#include <cstdio>
#include <random>

#include "theon/theon.hpp"

int main() {
  using namespace theon;
  SiteScope here;  // nodes built below record this file as their site
  const int n = 400, d = 5;
  std::mt19937 rng(0);
  std::normal_distribution<double> normal;
  std::vector<double> xs(n * d), ys(n), w_true = {1.5, -2.0, 0.5, 0.0, 1.0};
  for (int i = 0; i < n; ++i) {
    double z = 0;
    for (int j = 0; j < d; ++j) z += (xs[i * d + j] = normal(rng)) * w_true[j];
    ys[i] = z > 0 ? 1.0 : 0.0;
  }
  Var x = variable(TensorType(DType::Float64, {-1, -1}), "x");
  Var y = variable(TensorType(DType::Float64, {-1}), "y");
  auto w = shared(NDArray::zeros(DType::Float64, {d}), "w");
  auto b = shared(NDArray::zeros(DType::Float64, {}), "b");
  Var p = sigmoid(add(dot(x, w), b));
  // Cross-entropy, written with softplus so it stays finite.
  Var z = add(dot(x, w), b);
  Var cost = mean(sub(softplus(z), mul(y, z)));
  auto g = grad(cost, {w, b});
  Var lr = scalar_constant<double>(0.5);
  FunctionOptions opts;
  opts.updates = {{w, sub(w, mul(lr, g[0]))}, {b, sub(b, mul(lr, g[1]))}};
  Function train({x, y}, {cost}, opts);
  Function predict({x}, {gt(p, scalar_constant<double>(0.5))});

  NDArray X = NDArray::from_vector(xs, {n, d}), Y = NDArray::from_vector(ys, {n});
  double first = 0, last = 0;
  for (int epoch = 0; epoch < 200; ++epoch) {
    last = train({X, Y})[0].item_double();
    if (epoch == 0) first = last;
  }
  NDArray pred = predict({X})[0];
  int correct = 0;
  for (int i = 0; i < n; ++i) correct += (pred.get_int(i) == static_cast<int64_t>(ys[i]));
  std::printf("cost %.4f -> %.4f, training accuracy %.3f\n", first, last, correct / double(n));
  if (!(last < first) || correct < 0.95 * n) {
    std::printf("FAILED: the model did not learn\n");
    return 1;
  }
  return 0;
}
