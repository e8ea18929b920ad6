// Composite: a fused chain of elementwise functions run as a small scalar
// program over cache-sized blocks, so no full-size temporary is ever made.
// Built by the fusion phase (rewrite/fusion.cpp); all registers share one
// float compute type.
#include <algorithm>

#include "ops/fused.hpp"
#include "ops/scalar_table.hpp"

namespace theon {

namespace {

constexpr int64_t kMaxBlock = 1024;

class Composite final : public Op {
 public:
  explicit Composite(FusedProgram p) : prog_(std::move(p)) {
    std::vector<std::string> names;
    for (const auto& ins : prog_.code) names.emplace_back(scalar_def(ins.id).name);
    name_ = "Composite{" + join_strings(names, ",") + "}";
  }
  OpKind kind() const override { return OpKind::Fused; }
  std::string name() const override { return name_; }
  bool equals(const Op& o) const override {
    auto* c = dynamic_cast<const Composite*>(&o);
    if (!c || c->prog_.dtype != prog_.dtype || c->prog_.n_inputs != prog_.n_inputs || c->prog_.code.size() != prog_.code.size())
      return false;
    for (size_t i = 0; i < prog_.code.size(); ++i)
      if (c->prog_.code[i].id != prog_.code[i].id || c->prog_.code[i].args != prog_.code[i].args) return false;
    return true;
  }
  size_t hash() const override { return std::hash<std::string>()(name_) ^ prog_.code.size(); }

  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override {
    if (static_cast<int>(in.size()) != prog_.n_inputs)
      throw TypeError(name_ + " takes " + std::to_string(prog_.n_inputs) + " inputs, got " + std::to_string(in.size()));
    const int nd = in[0]->ndim();
    std::vector<int64_t> shape(nd, 1);
    for (const auto& v : in) {
      if (v->ndim() != nd || v->dtype() != prog_.dtype)
        throw TypeError(name_ + ": every input must be a " + std::string(dtype_name(prog_.dtype)) + " tensor of " +
                        std::to_string(nd) + " dimensions, got " + v->type.str());
      for (int d = 0; d < nd; ++d) {
        int64_t s = v->type.shape[d];
        if (s == 1) continue;
        if (shape[d] == 1 || shape[d] < 0) shape[d] = s;
      }
    }
    return {TensorType(prog_.dtype, shape)};
  }

  void perform(const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws) const override {
    Shape shape = broadcast_shape(name_, in, ws.node);
    out[0] = ws.empty(prog_.dtype, shape);
    const CT ct = compute_type(prog_.dtype);
    const size_t isz = itemsize(prog_.dtype);
    const int nreg = prog_.n_inputs + static_cast<int>(prog_.code.size());
    // One scratch block per instruction but the last, which writes the output.
    std::vector<char> scratch((prog_.code.size() + 1) * (kMaxBlock * isz + 64));
    char* base = reinterpret_cast<char*>((reinterpret_cast<uintptr_t>(scratch.data()) + 63) & ~uintptr_t(63));
    std::vector<BlockFn> fns;
    for (const auto& ins : prog_.code) fns.push_back(scalar_def(ins.id).fn[static_cast<int>(ct)]);
    std::vector<const void*> reg(nreg);
    std::vector<const void*> args;
    run_blocks(in, out[0], ct, ct, [&](int64_t n, const void* const* ins, void* res) {
      for (int i = 0; i < prog_.n_inputs; ++i) reg[i] = ins[i];
      for (size_t k = 0; k < prog_.code.size(); ++k) {
        const auto& op = prog_.code[k];
        args.clear();
        for (int a : op.args) args.push_back(reg[a]);
        void* dst = k + 1 == prog_.code.size() ? res : base + k * (kMaxBlock * isz + 64);
        fns[k](n, args.data(), dst);
        reg[prog_.n_inputs + k] = dst;
      }
    });
  }

  std::vector<Var> grad(const Apply& node, const std::vector<Var>&) const override {
    throw NotImplementedError(name_ + " is made by the fusion phase after gradients exist; differentiate the graph "
                              "before compiling it (node " + node.str() + ")");
  }

 private:
  FusedProgram prog_;
  std::string name_;
};

}  // namespace

Var composite(FusedProgram program, const std::vector<Var>& inputs) {
  for (const auto& ins : program.code) {
    const auto& def = scalar_def(ins.id);
    const int ct = static_cast<int>(compute_type(program.dtype));
    if (!def.fn[ct] || def.out_ct[ct] != compute_type(program.dtype))
      throw InternalError("composite: " + std::string(def.name) + " cannot run in " + std::string(dtype_name(program.dtype)));
  }
  return apply1(std::make_shared<Composite>(std::move(program)), inputs);
}

}  // namespace theon
