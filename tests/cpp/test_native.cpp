// The native tier from C++: a function compiled with NativeMode::Wait runs
// generated code (from the build's source tree headers) with the VM's values.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "theon/theon.hpp"

using namespace theon;

TEST(Native, WaitModeCompilesAndMatchesTheVm) {
  const std::string dir = std::filesystem::temp_directory_path() / ("theon-native-test-" + std::to_string(getpid()));
  Var x = variable(TensorType(DType::Float64, {-1}), "x");
  Var out = add(mul(tanh(x), exp(neg(x))), scalar_constant<double>(0.5));
  FunctionOptions native;
  native.native.mode = NativeMode::Wait;
  native.native.cache_dir = dir;
  Function f({x}, {out}, native);
  Function vm({x}, {out});
  NDArray in = NDArray::from_vector<double>({-2, -0.5, 0, 0.25, 3, NAN}, {6});
  NDArray a = f({in})[0], b = vm({in})[0];
  // A machine with a compiler must get native code; one without runs the VM.
  const bool have_cxx = std::system("c++ --version >/dev/null 2>&1") == 0;
  ASSERT_EQ(f.native_ready(), have_cxx);
  EXPECT_FALSE(vm.native_ready());
  for (int64_t i = 0; i < 5; ++i) EXPECT_NEAR(a.get_double(i), b.get_double(i), 1e-15 * (1 + std::fabs(b.get_double(i))));
  EXPECT_TRUE(std::isnan(a.get_double(5)));
  EXPECT_NE(f.native_source().find("theon::sf::Tanh::f<T>"), std::string::npos);
  if (!have_cxx) return;
  std::filesystem::remove_all(dir);
}
