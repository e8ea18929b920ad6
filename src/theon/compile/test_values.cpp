// Test values: each node built is compiled alone (no rewrites, VM tier) and
// run on its inputs' test values.
#include "theon/test_values.hpp"

#include <atomic>

#include "theon/function.hpp"
#include "theon/function_graph.hpp"
#include "theon/graph.hpp"

namespace theon {

namespace {

std::atomic<TestValueMode> mode{TestValueMode::Off};
thread_local int paused = 0;
thread_local int lenient = 0;

// The value a node input is tried on: its test value, or the value it holds.
const NDArray* value_of(const Var& v) {
  if (v->test_value.defined()) return &v->test_value;
  if (const auto* c = dynamic_cast<const Constant*>(v.get())) return &c->value;
  if (const auto* s = dynamic_cast<const SharedVariable*>(v.get())) return &s->value;
  return nullptr;
}

std::string where(const Apply& node) { return node.site.known() ? "\n  built at " + node.site.str() : ""; }

void compute(Apply& node) {
  if (paused) return;
  const TestValuesPaused pause;  // the evaluation below builds nodes of its own
  std::vector<NDArray> values;
  for (size_t i = 0; i < node.inputs.size(); ++i) {
    const NDArray* v = value_of(node.inputs[i]);
    if (v) {
      values.push_back(*v);
      continue;
    }
    const std::string msg = node.op->name() + ": cannot compute the test value: input " + std::to_string(i) + " (" +
                            node.inputs[i]->str() + ") has no test value; set its tag.test_value, or set " +
                            "config.compute_test_value to 'ignore' or 'off'" + where(node);
    if (lenient) return;
    switch (mode.load()) {
      case TestValueMode::Raise:
        throw ValueError(msg);
      case TestValueMode::Warn:
        warn(msg);
        return;
      default:
        return;
    }
  }
  // The node alone, over fresh inputs of its input types.
  std::vector<Var> fresh;
  for (const Var& in : node.inputs) fresh.push_back(variable(in->type, in->name));
  ApplyPtr copy = make_apply(node.op, fresh);
  FunctionOptions o;
  o.rewrite.level = RewriteOptions::Level::None;
  o.on_unused_input = UnusedInputPolicy::Ignore;
  std::vector<NDArray> out;
  try {
    Function f(fresh, copy->outputs(), o);
    out = f(values);
  } catch (const UserError& e) {
    // The kernel's message names the node, its input values and the line that built it.
    rethrow_with_message(e, node.op->name() + ": computing the test value failed: " + e.what());
  }
  for (size_t j = 0; j < out.size(); ++j) node.raw_output(static_cast<int>(j))->test_value = std::move(out[j]);
}

}  // namespace

TestValuesLenient::TestValuesLenient() { ++lenient; }
TestValuesLenient::~TestValuesLenient() { --lenient; }

void fill_test_values(const std::vector<Var>& outputs) {
  if (mode.load() == TestValueMode::Off || paused) return;
  const TestValuesLenient skip_missing;
  for (Apply* node : toposort(outputs)) {
    bool missing = false;
    for (int j = 0; j < node->num_outputs(); ++j) missing |= !node->raw_output(j)->test_value.defined();
    if (missing) compute(*node);
  }
}

TestValuesPaused::TestValuesPaused() { ++paused; }
TestValuesPaused::~TestValuesPaused() { --paused; }

void set_test_value_mode(TestValueMode m) {
  mode.store(m);
  set_node_built_hook(m == TestValueMode::Off ? nullptr : &compute);
}

TestValueMode test_value_mode() { return mode.load(); }

TestValueMode parse_test_value_mode(const std::string& s) {
  if (s == "off") return TestValueMode::Off;
  if (s == "ignore") return TestValueMode::Ignore;
  if (s == "warn") return TestValueMode::Warn;
  if (s == "raise" || s == "pdb") return TestValueMode::Raise;
  throw ValueError("compute_test_value must be 'off', 'ignore', 'warn', 'raise' or 'pdb', got '" + s + "'");
}

}  // namespace theon
