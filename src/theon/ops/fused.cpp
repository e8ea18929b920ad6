// Composite: a fused chain of elementwise functions run as a small scalar
// program over cache-sized blocks, so no full-size temporary is ever made.
// Built by the fusion phase (rewrite/fusion.cpp); all registers share one
// float compute type.
#include <algorithm>

#include "ops/fused.hpp"
#include "ops/op_info.hpp"
#include "ops/scalar_table.hpp"

namespace theon {

namespace {

constexpr int64_t kMaxBlock = 1024;

class Composite final : public Op {
 public:
  explicit Composite(FusedProgram p, int inplace = -1) : prog_(std::move(p)), inplace_(inplace) {
    std::vector<std::string> names;
    for (const auto& ins : prog_.code) names.emplace_back(scalar_def(ins.id).name);
    name_ = "Composite{" + join_strings(names, ",") + "}" + (inplace >= 0 ? "[(0, " + std::to_string(inplace) + ")]" : "");
    assign_slots();
  }
  OpKind kind() const override { return OpKind::Fused; }
  int destroys() const override { return inplace_; }
  OpPtr with_inplace(int k) const { return std::make_shared<Composite>(prog_, k); }
  std::string name() const override { return name_; }
  bool equals(const Op& o) const override {
    auto* c = dynamic_cast<const Composite*>(&o);
    if (!c || c->inplace_ != inplace_ || c->prog_.dtype != prog_.dtype || c->prog_.n_inputs != prog_.n_inputs || c->prog_.code.size() != prog_.code.size())
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
    if (inplace_ >= 0 && ws.destroy_ok && in[inplace_].dtype == prog_.dtype && in[inplace_].shape == shape)
      out[0] = in[inplace_];  // each block is read into registers before its output is written
    else
      out[0] = ws.empty(prog_.dtype, shape);
    const CT ct = compute_type(prog_.dtype);
    const size_t isz = itemsize(prog_.dtype);
    const int nin = prog_.n_inputs;
    // Single-element inputs (constants mostly) are filled into a block once
    // here, not once per block, and stay out of the strided loop.
    std::vector<std::vector<char>> filled(nin);
    std::vector<NDArray> looped;
    std::vector<int> loop_index(nin, -1);
    for (int i = 0; i < nin; ++i) {
      if (in[i].size() == 1 && out[0].size() > 1) {
        filled[i].resize(kMaxBlock * isz + 64);
        block_loader(in[i].dtype, ct)(in[i].data, 0, kMaxBlock, align64(filled[i].data()));
      } else {
        loop_index[i] = static_cast<int>(looped.size());
        looped.push_back(in[i]);
      }
    }
    if (looped.empty()) {  // everything is one element: loop over the first input
      looped.push_back(in[0]);
      loop_index[0] = 0;
      filled[0].clear();
    }
    std::vector<BlockFn> fns;
    for (const auto& ins : prog_.code) fns.push_back(scalar_def(ins.id).fn[static_cast<int>(ct)]);
    const size_t stride = kMaxBlock * isz + 64;
    const size_t nscratch = static_cast<size_t>(n_slots_);
    int64_t cost = 0;
    for (const auto& ins : prog_.code) cost += scalar_cost(ins.id);
    run_blocks(looped, out[0], ct, ct, [&](int64_t n, const void* const* ins, void* res) {
      // Per-thread registers: blocks run on several threads at once.
      thread_local std::vector<char> scratch;
      thread_local std::vector<const void*> reg, args;
      if (scratch.size() < nscratch * stride + 64) scratch.resize(nscratch * stride + 64);
      char* base = align64(scratch.data());
      reg.resize(nin + prog_.code.size());
      for (int i = 0; i < nin; ++i) reg[i] = loop_index[i] >= 0 ? ins[loop_index[i]] : align64(filled[i].data());
      for (size_t k = 0; k < prog_.code.size(); ++k) {
        const auto& op = prog_.code[k];
        args.clear();
        for (int a : op.args) args.push_back(reg[a]);
        void* dst = k + 1 == prog_.code.size() ? res : base + slot_[k] * stride;
        fns[k](n, args.data(), dst);
        reg[nin + k] = dst;
      }
    }, cost);
  }

  std::vector<Var> grad(const Apply& node, const std::vector<Var>&) const override {
    throw NotImplementedError(name_ + " is made by the fusion phase after gradients exist; differentiate the graph "
                              "before compiling it (node " + node.str() + ")");
  }

 private:
  static char* align64(char* p) { return reinterpret_cast<char*>((reinterpret_cast<uintptr_t>(p) + 63) & ~uintptr_t(63)); }

  // Scratch blocks are reused once their value is dead, so the working set of
  // a long chain stays a few blocks (in L1/L2) instead of one per instruction.
  void assign_slots() {
    const int nin = prog_.n_inputs, ncode = static_cast<int>(prog_.code.size());
    std::vector<int> last_use(nin + ncode, -1);
    for (int k = 0; k < ncode; ++k)
      for (int a : prog_.code[k].args) last_use[a] = k;
    slot_.assign(ncode, -1);
    std::vector<int> free_slots;
    for (int k = 0; k + 1 < ncode; ++k) {
      if (free_slots.empty()) {
        slot_[k] = n_slots_++;
      } else {
        slot_[k] = free_slots.back();
        free_slots.pop_back();
      }
      // Values read for the last time here free their slot for later instructions.
      for (int a : prog_.code[k].args)
        if (a >= nin && last_use[a] == k && slot_[a - nin] >= 0 &&
            std::find(free_slots.begin(), free_slots.end(), slot_[a - nin]) == free_slots.end())
          free_slots.push_back(slot_[a - nin]);
    }
  }

  FusedProgram prog_;
  int inplace_ = -1;
  std::string name_;
  std::vector<int> slot_;  // scratch block of each instruction's result (the last writes the output)
  int n_slots_ = 0;
};

}  // namespace

OpPtr composite_inplace(const Op& op, int input) { return static_cast<const Composite&>(op).with_inplace(input); }

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
