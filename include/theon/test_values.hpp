// Test values (Theano's config.compute_test_value): while they are on, every
// node built is run at once on its inputs' test values (Variable::test_value;
// a constant's or shared variable's own value), and its outputs get theirs.
// A shape or value error then stops the graph at the line that builds the
// faulty node, not at the first call of a compiled function.
#pragma once
#include <string>
#include <type_traits>
#include <vector>

#include "theon/graph.hpp"

namespace theon {

enum class TestValueMode {
  Off,     // nothing is computed
  Ignore,  // a node with an input lacking a test value is skipped
  Warn,    // ... skipped with a warning
  Raise,   // ... is an error (ValueError naming the input)
};
void set_test_value_mode(TestValueMode mode);
TestValueMode test_value_mode();
// "off", "ignore", "warn", "raise" (Theano's "pdb" is "raise" here).
TestValueMode parse_test_value_mode(const std::string& s);

// While one lives, nodes built on this thread compute no test values (the
// compiler's own graphs: rewrites, clones, a test value's evaluation).
class TestValuesPaused {
 public:
  TestValuesPaused();
  ~TestValuesPaused();
  TestValuesPaused(const TestValuesPaused&) = delete;
  TestValuesPaused& operator=(const TestValuesPaused&) = delete;
};

// While one lives, a node with an input lacking a test value is skipped
// whatever the mode: the library is deriving a graph (a gradient, an R-op)
// whose inner graphs have placeholders without values. fill_test_values then
// computes what it can over the result.
class TestValuesLenient {
 public:
  TestValuesLenient();
  ~TestValuesLenient();
  TestValuesLenient(const TestValuesLenient&) = delete;
  TestValuesLenient& operator=(const TestValuesLenient&) = delete;
};
// Computes the test values missing in the graphs of `outputs` where every
// input of a node has one (in topological order).
void fill_test_values(const std::vector<Var>& outputs);

// build() under TestValuesLenient, then fill_test_values over its result.
template <class Build>
auto derive_with_test_values(Build build) {
  auto out = [&] {
    const TestValuesLenient lenient;
    return build();
  }();
  if (test_value_mode() != TestValueMode::Off) {
    if constexpr (std::is_same_v<decltype(out), Var>)
      fill_test_values({out});
    else
      fill_test_values(out);
  }
  return out;
}

}  // namespace theon
