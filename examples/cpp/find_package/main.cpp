#include <cstdio>

#include "theon/theon.hpp"
int main() {
  using namespace theon;
  Var x = variable(TensorType(DType::Float64, {-1}), "x");
  Var c = sum(mul(x, x));
  Function f({x}, {c, grad(c, x)});
  auto out = f({NDArray::from_vector<double>({1, 2}, {2})});
  std::printf("%g %g\n", out[0].item_double(), out[1].get_double(1));
}
