// THE ordered list of rewrite phases (Theano's order), and the driver that
// runs them under a Mode's level, inclusions and exclusions.
#include <chrono>
#include <cstdlib>
#include <set>
#include <sstream>

#include "rewrite/engine.hpp"

namespace theon {

bool verify_ir_by_default() {
  static const bool on = [] {
#ifndef NDEBUG
    return true;
#else
    const char* env = std::getenv("THEON_VERIFY_IR");
    return env && std::string(env) == "1";
#endif
  }();
  return on;
}

namespace {

using Clock = std::chrono::steady_clock;

// A phase is a graph pass or an equilibrium over the node rules of its name.
struct Phase {
  const char* name;
  rw::PassFn pass;  // null: equilibrium over the rules whose phase is `name`
  std::vector<const char*> tags;
};

// The order is Theano's: merge, scan merge, canonicalize, stabilize, specialize, BLAS,
// uncanonicalize, fusion (elementwise, then into reductions), inplace (after the destroy handler), final merge.
const std::vector<Phase>& phases() {
  static const std::vector<Phase> list = {
      {"merge", rw::merge_pass, {"fast_compile", "merge"}},
      // before the scan rules change either loop: a gradient's copy of a
      // forward loop is merged while both still share their step graphs
      {"scan_merge", rw::scan_merge_pass, {"fast_compile", "scan"}},
      {"canonicalize", nullptr, {"fast_compile"}},
      {"stabilize", nullptr, {"fast_compile"}},
      {"specialize", nullptr, {}},
      {"blas", nullptr, {}},
      {"uncanonicalize", nullptr, {}},
      {"scan_save_mem", rw::scan_save_mem_pass, {"scan"}},
      {"fusion", rw::fusion_pass, {"fusion"}},
      {"reduce_fusion", rw::reduce_fusion_pass, {"fusion"}},
      {"inplace", nullptr, {"inplace"}},
      {"final_merge", rw::merge_pass, {"fast_compile", "merge"}},
  };
  return list;
}

std::vector<const rw::NodeRule*> all_rules() {
  std::vector<const rw::NodeRule*> v;
  for (const auto* family : {
#define THEON_RULE_FAMILY(family) &rw::family##_rules(),
#include "rewrite/rule_families.def"
#undef THEON_RULE_FAMILY
       })
    for (const auto& r : *family) v.push_back(&r);
  return v;
}

bool has(const std::vector<std::string>& set, const std::string& s) {
  return std::find(set.begin(), set.end(), s) != set.end();
}

// On at FAST_RUN (except "unsafe" rules); at FAST_COMPILE only when tagged fast_compile; name or tag
// in `including` switches on, in `excluding` switches off; with `requiring`,
// only rules that carry every required name or tag stay.
bool enabled(const std::string& name, const std::vector<const char*>& tags, const RewriteOptions& o) {
  auto named = [&](const std::vector<std::string>& set) {
    if (has(set, name)) return true;
    for (const char* t : tags)
      if (has(set, t)) return true;
    return false;
  };
  if (named(o.excluding)) return false;
  for (const auto& need : o.requiring) {  // a rule must carry every required tag
    bool ok = name == need;
    for (const char* t : tags) ok |= need == t;
    if (!ok) return false;
  }
  // Rules tagged "unsafe" change what a graph checks (remove_all_assert): on
  // only when asked for by name or by the tag "unsafe", never through their
  // phase or another tag ("canonicalize" switches on the safe rules only).
  if (std::any_of(tags.begin(), tags.end(), [](const char* t) { return std::string(t) == "unsafe"; }))
    return has(o.including, name) || has(o.including, "unsafe");
  if (named(o.including)) return true;
  switch (o.level) {
    case RewriteOptions::Level::None:
      return false;
    case RewriteOptions::Level::FastCompile:
      return std::any_of(tags.begin(), tags.end(), [](const char* t) { return std::string(t) == "fast_compile"; });
    case RewriteOptions::Level::FastRun:
      return true;
  }
  return false;
}

}  // namespace

std::string graph_text(const FunctionGraph& fg) {
  std::ostringstream os;
  std::unordered_map<const Variable*, std::string> names;
  int next = 0;
  auto name_of = [&](const Var& v) -> std::string {
    auto it = names.find(v.get());
    if (it != names.end()) return it->second;
    std::string n;
    if (const Constant* c = as_constant(v))
      n = c->value.size() == 1 ? "Constant{" + std::to_string(c->value.get_double(0)) + "}"
                               : "Constant" + shape_str(c->value.shape);
    else if (!v->name.empty() && !v->owner)
      n = v->name;
    else
      n = "v" + std::to_string(next++);
    names[v.get()] = n;
    return n;
  };
  for (const auto& node : fg.nodes()) {
    std::vector<std::string> ins, outs;
    for (const auto& in : node->inputs) ins.push_back(name_of(in));
    for (int i = 0; i < node->num_outputs(); ++i) outs.push_back(name_of(node->output(i)));
    os << node->op->name() << "(" << join_strings(ins, ", ") << ") -> " << join_strings(outs, ", ") << "\n";
  }
  return os.str();
}

std::string RewriteReport::str() const {
  std::ostringstream os;
  os << "rewriting took " << seconds * 1e3 << " ms\n";
  for (const auto& p : phases)
    os << "  phase " << p.name << ": " << p.seconds * 1e3 << " ms, " << p.nodes_after << " nodes after\n";
  for (const auto& [name, n] : fired) os << "  " << name << ": fired " << n << " time" << (n == 1 ? "" : "s") << "\n";
  return os.str();
}

std::vector<RuleInfo> list_rewrites() {
  std::vector<RuleInfo> out;
  for (const auto& p : phases())
    if (p.pass) out.push_back({p.name, p.name, std::vector<std::string>(p.tags.begin(), p.tags.end())});
  for (const auto* r : all_rules())
    out.push_back({r->name, r->phase, std::vector<std::string>(r->tags.begin(), r->tags.end())});
  return out;
}

void rewrite_graph(FunctionGraph& fg, const RewriteOptions& opts, RewriteReport* report) {
  RewriteReport local;
  RewriteReport& rep = report ? *report : local;
  auto t_all = Clock::now();
  const auto rules = all_rules();
  std::set<std::string> known;
  for (const auto& info : list_rewrites()) {
    known.insert(info.name);
    known.insert(info.tags.begin(), info.tags.end());
    known.insert(info.phase);
  }
  for (const auto* set : {&opts.including, &opts.excluding, &opts.requiring})
    for (const auto& n : *set)
      if (!known.count(n))
        throw ValueError("Mode: unknown rewrite or tag '" + n + "'; theon.compile.mode.list_rewrites() lists them");

  for (const Phase& ph : phases()) {
    auto t0 = Clock::now();
    bool ran = false;
    if (ph.pass) {
      if (enabled(ph.name, ph.tags, opts) ||
          (std::string(ph.name) == "final_merge" && enabled("merge", ph.tags, opts))) {
        ph.pass(fg, rep);
        ran = true;
      }
    } else {
      std::vector<const rw::NodeRule*> selected;
      for (const auto* r : rules) {
        if (std::string(r->phase) != ph.name) continue;
        std::vector<const char*> tags = r->tags;
        tags.push_back(r->phase);
        if (enabled(r->name, tags, opts)) selected.push_back(r);
      }
      if (!selected.empty()) {
        rw::equilibrium(fg, selected, rep);
        ran = true;
      }
    }
    if (!ran) continue;
    if (opts.verify) fg.verify();
    RewriteReport::Phase p{ph.name, std::chrono::duration<double>(Clock::now() - t0).count(),
                           static_cast<int>(fg.num_nodes()), ""};
    if (opts.print_after_phase) p.graph = graph_text(fg);
    rep.phases.push_back(std::move(p));
  }
  rep.seconds = std::chrono::duration<double>(Clock::now() - t_all).count();
}

}  // namespace theon
