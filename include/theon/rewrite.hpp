// The graph rewriter: Theano's phases (merge, canonicalize, stabilize,
// specialize, BLAS, uncanonicalize, fusion, inplace, final merge) over a
// FunctionGraph. The ordered list of phases is src/theon/rewrite/phases.cpp.
#pragma once
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "theon/function_graph.hpp"

namespace theon {

// Whether rewrites check the IR after each phase unless told otherwise: in
// debug builds, and wherever THEON_VERIFY_IR=1 (the test suites set it).
bool verify_ir_by_default();

// Which rewrites run: a level, then names or tags added and removed
// (Theano's Mode.including / excluding / requiring).
struct RewriteOptions {
  enum class Level : uint8_t { None, FastCompile, FastRun };
  Level level = Level::FastRun;
  std::vector<std::string> including;    // rule names or tags switched on
  std::vector<std::string> excluding;    // rule names or tags switched off
  std::vector<std::string> requiring;    // only rules carrying all of these tags run
  bool print_after_phase = false;        // keep the graph's text after each phase in the report
  bool verify = verify_ir_by_default();  // check the IR after each phase
};

struct RewriteReport {
  struct Phase {
    std::string name;
    double seconds = 0;
    int nodes_after = 0;
    std::string graph;  // with print_after_phase
  };
  std::vector<Phase> phases;
  std::map<std::string, int> fired;  // rule name -> times it changed the graph
  double seconds = 0;
  std::string str() const;  // a readable summary
};

// Rewrites `fg` in place.
void rewrite_graph(FunctionGraph& fg, const RewriteOptions& opts, RewriteReport* report = nullptr);

// Every rule and pass theon has: name, tags, phase (for docs and tests).
struct RuleInfo {
  std::string name, phase;
  std::vector<std::string> tags;
};
std::vector<RuleInfo> list_rewrites();

// One line per node, inputs before users: "Elemwise{add}(x, y) -> z".
std::string graph_text(const FunctionGraph& fg);

}  // namespace theon
