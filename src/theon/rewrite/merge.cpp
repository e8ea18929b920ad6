// Merge (common subexpression elimination): equal constants become one, and
// nodes applying equal ops to the same inputs become one. One sweep in
// topological order suffices: a merged node's users are visited later, and
// by then they read the surviving variables.
#include <cstring>
#include <unordered_map>

#include "rewrite/engine.hpp"

namespace theon::rw {

namespace {

size_t mix(size_t h, size_t v) { return h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2)); }

size_t constant_hash(const Constant& c) {
  size_t h = mix(static_cast<size_t>(c.dtype()), c.value.shape.size());
  for (auto d : c.value.shape) h = mix(h, static_cast<size_t>(d));
  const int64_t n = std::min<int64_t>(c.value.size(), 16);
  for (int64_t i = 0; i < n; ++i) h = mix(h, std::hash<double>()(c.value.get_double(i)));
  return h;
}

}  // namespace

void merge_pass(FunctionGraph& fg, RewriteReport& report) {
  // Constants first, so that nodes reading equal constants then merge too.
  std::unordered_map<size_t, std::vector<Var>> constants;
  std::vector<std::pair<Var, Var>> const_pairs;
  for (const Var& v : fg.variables()) {
    const Constant* c = as_constant(v);
    if (!c) continue;
    auto& bucket = constants[constant_hash(*c)];
    Var same;
    for (const Var& k : bucket)
      if (k->type == v->type && static_cast<const Constant&>(*k).same_value(*c)) same = k;
    if (same)
      const_pairs.push_back({v, same});
    else
      bucket.push_back(v);
  }
  if (!const_pairs.empty()) {
    fg.replace_all(const_pairs);
    report.fired["merge_constants"] += static_cast<int>(const_pairs.size());
  }

  std::unordered_map<size_t, std::vector<Apply*>> seen;
  const std::vector<ApplyPtr> order = fg.nodes();  // a snapshot: merging prunes nodes
  for (const ApplyPtr& node : order) {
    if (!fg.contains(node.get())) continue;
    size_t h = node->op->hash();
    for (const auto& in : node->inputs) h = mix(h, std::hash<const void*>()(in.get()));
    auto& bucket = seen[h];
    Apply* twin = nullptr;
    for (Apply* cand : bucket) {
      if (!fg.contains(cand) || cand->inputs.size() != node->inputs.size()) continue;
      if (!(cand->op == node->op || cand->op->equals(*node->op))) continue;
      bool same = true;
      for (size_t i = 0; i < cand->inputs.size() && same; ++i) same = cand->inputs[i] == node->inputs[i];
      if (same) {
        twin = cand;
        break;
      }
    }
    if (!twin) {
      bucket.push_back(node.get());
      continue;
    }
    std::vector<std::pair<Var, Var>> pairs;
    for (int i = 0; i < node->num_outputs(); ++i) {
      Var keep = twin->output(i);
      Var gone = node->output(i);
      if (keep->type != gone->type) {
        pairs.clear();
        break;
      }
      if (keep->name.empty()) keep->name = gone->name;
      pairs.push_back({gone, keep});
    }
    if (pairs.empty()) {
      bucket.push_back(node.get());
      continue;
    }
    fg.replace_all(pairs);
    ++report.fired["merge"];
  }
}

}  // namespace theon::rw
