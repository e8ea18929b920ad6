// The rewrite engine's vocabulary: node rules, graph passes, and the
// worklist that applies rules to a fixed point. Rule families live in
// rules_*.cpp; phases.cpp lists the phases in order.
#pragma once
#include <string>
#include <vector>

#include "ops/op_info.hpp"
#include "theon/rewrite.hpp"

namespace theon::rw {

// A node rule looks at one node and returns replacements for its outputs
// (nullptr keeps an output), or nothing when it does not apply. It builds the
// replacement with the ordinary graph API; the engine checks types, imports
// the new nodes and attributes them to the user's line of the old node.
using NodeFn = std::vector<Var> (*)(FunctionGraph& fg, Apply& node);

struct NodeRule {
  const char* name;
  const char* phase;              // canonicalize, stabilize, specialize, blas, uncanonicalize
  std::vector<OpKind> tracks;     // kinds of node it looks at; empty = every node
  std::vector<const char*> tags;  // e.g. fast_compile, stability, shape, local
  NodeFn fn;
};

// A pass sees the whole graph (merge, fusion, inplace): procedural rewrites.
using PassFn = void (*)(FunctionGraph& fg, RewriteReport& report);
struct GraphPass {
  const char* name;
  const char* phase;
  std::vector<const char*> tags;
  PassFn fn;
};

// The rule families (rewrite/rule_families.def, one file each).
#define THEON_RULE_FAMILY(family) const std::vector<NodeRule>& family##_rules();
#include "rewrite/rule_families.def"
#undef THEON_RULE_FAMILY
void merge_pass(FunctionGraph& fg, RewriteReport& report);          // merge.cpp
void fusion_pass(FunctionGraph& fg, RewriteReport& report);         // fusion.cpp
void reduce_fusion_pass(FunctionGraph& fg, RewriteReport& report);  // fusion.cpp
void scan_merge_pass(FunctionGraph& fg, RewriteReport& report);     // rules_scan.cpp
void scan_save_mem_pass(FunctionGraph& fg, RewriteReport& report);  // rules_scan.cpp

// Applies `rules` until none fires (or a budget proportional to the graph
// is spent, with a warning): work is queued per changed node, so the cost
// follows the changes, not the graph size times the number of sweeps.
void equilibrium(FunctionGraph& fg, const std::vector<const NodeRule*>& rules, RewriteReport& report);

// ---- helpers for rules ---------------------------------------------------------
// A scalar constant equal to `value` (scalar_value, ops/op_info.hpp).
inline bool is_scalar(const Var& v, double value) {
  double got;
  return scalar_value(v, &got) && got == value;
}
// The node's op is the elementwise `id` (not a cast).
inline bool is_op(const Apply& node, ScalarOpId id) {
  return node.op->kind() == OpKind::Elemwise && elemwise_id(*node.op) == id;
}
// Number of users of v (nodes and graph outputs).
inline size_t n_clients(const FunctionGraph& fg, const Var& v) { return fg.clients(v.get()).size(); }
// Can a value of type `repl` stand where `old` was? Same rank, the same
// broadcastable (static size 1) dims, and no conflicting known sizes. (A
// static 1 where `old` has an unknown size would be a different value.)
bool fits(const TensorType& old, const TensorType& repl);
// x broadcast to the shape of `like` (same type as like's output), when x's
// type alone would lose like's shape: fill(like, x), cast to like's dtype.
Var broadcast_like(const Var& x, const Var& like);
// A variable's size along `axis` without computing it: a constant when the
// type knows it, else what its op infers from its inputs' sizes (each found
// the same way, else read with Shape_i), else nullptr (rules_basic.cpp).
Var size_along(const Var& x, int axis, int depth = 0);

}  // namespace theon::rw
