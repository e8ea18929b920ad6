// Elementwise fusion: maximal groups of elementwise nodes that compute in
// one float dtype (reading inputs of any real dtype; float32 members of a
// float64 group keep computing in float32), share the root's broadcast pattern (so no value is
// recomputed for broadcast copies) and whose inner results nobody else
// reads, become one Composite node.
#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "ops/fused.hpp"
#include "ops/scalar_table.hpp"
#include "rewrite/engine.hpp"

namespace theon::rw {

namespace {

// A float32 node inside a float64 group computes in float32 on arguments
// narrowed from float64 registers; that equals the unfused node's own
// conversion on load unless an input is a 64-bit integer (int64 -> float64
// -> float32 can round twice).
bool narrow_ok(const Apply& node) {
  return std::none_of(node.inputs.begin(), node.inputs.end(),
                      [](const Var& in) { return in->dtype() == DType::Int64 || in->dtype() == DType::UInt64; });
}

// Can `node` be part of a group computing in `dtype` with broadcast pattern
// `like`? Its output has that dtype, or is float32 in a float64 group.
bool fusable(const Apply& node, DType dtype, const TensorType& like) {
  if (node.op->kind() != OpKind::Elemwise || node.num_outputs() != 1) return false;
  const Variable* out = node.raw_output(0);
  const bool narrow = out->dtype() == DType::Float32 && dtype == DType::Float64;
  if ((out->dtype() != dtype && !narrow) || !fits(like, out->type)) return false;
  // Inputs of other real dtypes are fine: the node itself computes in its
  // output's compute type, converting them on load, as the Composite does.
  for (const auto& in : node.inputs)
    if (is_complex(in->dtype())) return false;
  if (narrow && !narrow_ok(node)) return false;
  const auto& def = scalar_def(elemwise_id(*node.op));
  const CT want = compute_type(out->dtype());
  const int ct = static_cast<int>(want);
  return def.fn[ct] && def.out_ct[ct] == want;
}

// Inputs whose static shape is all ones: one value for every position.
std::vector<bool> uniform_inputs(const std::vector<Var>& inputs) {
  std::vector<bool> u;
  for (const auto& in : inputs)
    u.push_back(std::all_of(in->type.shape.begin(), in->type.shape.end(), [](int64_t s) { return s == 1; }));
  return u;
}

}  // namespace

void fusion_pass(FunctionGraph& fg, RewriteReport& report) {
  std::unordered_set<const Apply*> taken;
  const std::vector<ApplyPtr> order = fg.nodes();
  std::unordered_map<const Apply*, size_t> position;
  position.reserve(order.size());
  taken.reserve(order.size() / 4);
  for (size_t i = 0; i < order.size(); ++i) position[order[i].get()] = i;

  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    Apply* root = it->get();
    if (taken.count(root) || !fg.contains(root)) continue;
    const DType dtype = root->raw_output(0)->dtype();
    if (!is_float(dtype) || is_storage_only(dtype)) continue;
    const TensorType& like = root->raw_output(0)->type;
    if (!fusable(*root, dtype, like)) continue;
    // Most roots stay alone (their producers are read elsewhere or are not
    // fusable): find that out before building any sets.
    const bool can_grow = std::any_of(root->inputs.begin(), root->inputs.end(), [&](const Var& in) {
      Apply* p = in->owner;
      if (!p || taken.count(p) || !fusable(*p, dtype, like)) return false;
      const auto& users = fg.clients(p->raw_output(0));
      return std::all_of(users.begin(), users.end(), [&](const Client& c) { return c.node == root; });
    });
    if (!can_grow) continue;

    // Grow the group towards the inputs: a producer joins when all its users are members.
    // Members are visited in decreasing topological position, so a producer
    // is looked at only after every member that could read it has joined:
    // one visit per candidate, linear in the group.
    std::unordered_set<const Apply*> group{root};
    auto later = [&](Apply* a, Apply* b) { return position[a] < position[b]; };
    std::vector<Apply*> frontier{root};  // a max-heap by position
    std::unordered_set<const Apply*> queued{root};
    while (!frontier.empty()) {
      std::pop_heap(frontier.begin(), frontier.end(), later);
      Apply* m = frontier.back();
      frontier.pop_back();
      if (m != root) {
        const auto& users = fg.clients(m->raw_output(0));
        bool inside =
            std::all_of(users.begin(), users.end(), [&](const Client& c) { return c.node && group.count(c.node); });
        if (!inside) continue;
        group.insert(m);
      }
      for (const auto& in : m->inputs) {
        Apply* p = in->owner;
        if (!p || queued.count(p) || taken.count(p) || !fusable(*p, dtype, like)) continue;
        queued.insert(p);
        frontier.push_back(p);
        std::push_heap(frontier.begin(), frontier.end(), later);
      }
    }
    if (group.size() < 2) continue;

    // The program: members in topological order; outside values become inputs.
    std::vector<Apply*> members;
    for (const Apply* m : group) members.push_back(const_cast<Apply*>(m));
    std::sort(members.begin(), members.end(), [&](Apply* a, Apply* b) { return position[a] < position[b]; });
    FusedProgram prog;
    prog.dtype = dtype;
    std::vector<Var> inputs;
    std::unordered_map<const Variable*, int> reg;
    for (Apply* m : members)
      for (const auto& in : m->inputs) {
        if (reg.count(in.get()) || (in->owner && group.count(in->owner))) continue;
        reg[in.get()] = static_cast<int>(inputs.size());
        inputs.push_back(in);
      }
    prog.n_inputs = static_cast<int>(inputs.size());
    prog.uniform = uniform_inputs(inputs);
    for (Apply* m : members) {
      FusedProgram::Instr ins{elemwise_id(*m->op), {}, m->raw_output(0)->dtype() != dtype};
      for (const auto& in : m->inputs) ins.args.push_back(reg.at(in.get()));
      reg[m->raw_output(0)] = prog.n_inputs + static_cast<int>(prog.code.size());
      prog.code.push_back(std::move(ins));
    }
    Var fused;
    {
      SiteScope scope(root->site);
      fused = composite(std::move(prog), inputs);
    }
    Var old = root->output(0);
    if (!fits(old->type, fused->type)) continue;
    fused->name = old->name;
    for (Apply* m : members) taken.insert(m);
    fg.replace(old, fused);
    ++report.fired["elemwise_fusion"];
  }
}

// A reduction whose input is a fused program (or one elementwise node) that
// nothing else reads becomes one FusedReduce: the program's values are
// reduced block by block as they are computed.
void reduce_fusion_pass(FunctionGraph& fg, RewriteReport& report) {
  const std::vector<ApplyPtr> order = fg.nodes();
  for (const ApplyPtr& node : order) {
    if (!fg.contains(node.get()) || node->op->kind() != OpKind::Reduce) continue;
    const ReduceKind kind = reduce_kind_of(*node->op);
    if (kind == ReduceKind::All || kind == ReduceKind::Any) continue;
    const Var& in = node->inputs[0];
    Apply* p = in->owner;
    if (!p) continue;
    const auto& users = fg.clients(in.get());
    if (users.size() != 1 || users[0].node != node.get()) continue;  // read elsewhere (or a graph output)
    const DType dtype = in->dtype();
    if (!is_float(dtype) || is_storage_only(dtype) || node->raw_output(0)->dtype() != dtype) continue;
    // A FusedReduce reads its inputs in the program's dtype.
    if (!std::all_of(p->inputs.begin(), p->inputs.end(), [&](const Var& v) { return v->dtype() == dtype; })) continue;
    FusedProgram prog;
    if (p->op->kind() == OpKind::Fused && p->op->destroys() < 0) {
      prog = fused_program(*p->op);
    } else if (fusable(*p, dtype, in->type)) {
      prog.dtype = dtype;
      prog.n_inputs = static_cast<int>(p->inputs.size());
      prog.uniform = uniform_inputs(p->inputs);
      FusedProgram::Instr ins{elemwise_id(*p->op), {}};
      for (int i = 0; i < prog.n_inputs; ++i) ins.args.push_back(i);
      prog.code.push_back(std::move(ins));
    } else {
      continue;
    }
    Var fused;
    {
      SiteScope scope(node->site);
      fused = fused_reduce(std::move(prog), p->inputs, kind, reduce_axes(*node->op));
    }
    Var old = node->output(0);
    if (!fits(old->type, fused->type)) continue;
    fused->name = old->name;
    fg.replace(old, fused);
    ++report.fired["reduce_fusion"];
  }
}

}  // namespace theon::rw
