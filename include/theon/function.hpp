// function(): compile a graph into a callable that runs on the VM.
#pragma once
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "theon/function_graph.hpp"
#include "theon/graph.hpp"
#include "theon/rewrite.hpp"

namespace theon {

enum class UnusedInputPolicy : uint8_t { Raise, Warn, Ignore };

struct FunctionOptions {
  std::vector<std::pair<std::shared_ptr<SharedVariable>, Var>> updates;
  std::vector<std::pair<Var, Var>> givens;
  UnusedInputPolicy on_unused_input = UnusedInputPolicy::Raise;
  std::string name;
  RewriteOptions rewrite;  // the Mode's rewrites (FAST_RUN by default)
  // Per input (empty = none): the function may overwrite the caller's array
  // (Theano's In(mutable=True)), so inplace ops can reuse it.
  std::vector<bool> mutable_inputs;
};

class Program;  // the compiled schedule (runtime)

class Function {
 public:
  Function(std::vector<Var> inputs, std::vector<Var> outputs, FunctionOptions opts = {});
  ~Function();
  Function(const Function&) = delete;
  Function& operator=(const Function&) = delete;

  // Runs the graph. Inputs must match the input types exactly (dtype, ndim,
  // static sizes); the binding layer converts Python values first. Shared
  // updates are applied only after every output was computed.
  std::vector<NDArray> operator()(const std::vector<NDArray>& inputs);

  const std::vector<Var>& inputs() const { return inputs_; }
  const std::vector<Var>& outputs() const { return outputs_; }
  const FunctionGraph& fgraph() const;
  const std::string& name() const { return opts_.name; }
  // Which rewrites fired and how long each phase took.
  const RewriteReport& rewrite_report() const { return report_; }

 private:
  std::vector<Var> inputs_, outputs_;
  FunctionOptions opts_;
  RewriteReport report_;
  std::unique_ptr<Program> program_;
};

}  // namespace theon
