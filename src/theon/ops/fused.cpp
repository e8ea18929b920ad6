// Composite: a fused chain of elementwise functions run as a small scalar
// program over cache-sized blocks, so no full-size temporary is ever made.
// Built by the fusion phase (rewrite/fusion.cpp); all registers share one
// float compute type.
#include "ops/fused.hpp"

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>

#include "ops/op_info.hpp"
#include "backend/cpu/reduce_loop.hpp"
#include "ops/scalar_table.hpp"

namespace theon {

namespace {

constexpr int64_t kMaxBlock = 1024;

char* align64(char* p) { return reinterpret_cast<char*>((reinterpret_cast<uintptr_t>(p) + 63) & ~uintptr_t(63)); }

bool same_program(const FusedProgram& a, const FusedProgram& b) {
  if (a.dtype != b.dtype || a.n_inputs != b.n_inputs || a.uniform != b.uniform || a.code.size() != b.code.size())
    return false;
  for (size_t i = 0; i < a.code.size(); ++i)
    if (a.code[i].id != b.code[i].id || a.code[i].args != b.code[i].args || a.code[i].narrow != b.code[i].narrow)
      return false;
  return true;
}

std::string program_name(const FusedProgram& p) {
  std::vector<std::string> names;
  for (const auto& ins : p.code) names.push_back(std::string(scalar_def(ins.id).name) + (ins.narrow ? ":f32" : ""));
  return "Composite{" + join_strings(names, ",") + "}";
}

// Fused ops exist only in compiled graphs, made after every gradient was built.
[[noreturn]] void no_grad_after_fusion(const Apply& node) {
  throw NotImplementedError(node.op->name() +
                            " is made by the fusion phase after gradients exist; differentiate the graph before "
                            "compiling it (node " +
                            node.str() + ")");
}

// Runs a program over blocks of at most kMaxBlock contiguous values.
// Scratch blocks are reused once their value is dead, so the working set of
// a long chain stays a few blocks (in L1/L2) instead of one per instruction.
class ProgramRunner {
 public:
  explicit ProgramRunner(const FusedProgram& p) : prog_(p) {
    const CT ct = compute_type(p.dtype);
    for (const auto& ins : p.code) {
      fns_.push_back(scalar_def(ins.id).fn[static_cast<int>(ins.narrow ? CT::F32 : ct)]);
      cost_ += scalar_cost(ins.id) + (ins.narrow ? 2 : 0);
    }
    assign_slots();
  }
  int64_t cost() const { return cost_; }
  const FusedProgram& program() const { return prog_; }
  // The native tier's compiled block function for this program; `module`
  // keeps its code loaded for as long as this op lives.
  void set_native(BlockFn fn, std::shared_ptr<void> module) const {
    std::lock_guard<std::mutex> lock(native_mu_);
    modules_.push_back(std::move(module));
    native_.store(fn, std::memory_order_release);
  }
  bool has_native() const { return native_.load(std::memory_order_acquire) != nullptr; }

  // in[i]: n values of input i (compute type); the result goes to out.
  void run(int64_t n, const void* const* in, void* out) const {
    if (BlockFn native = native_.load(std::memory_order_acquire)) return native(n, in, out);
    // Per-thread registers: blocks run on several threads at once.
    thread_local std::vector<char> scratch;
    thread_local std::vector<const void*> reg, args;
    const size_t stride = kMaxBlock * itemsize(prog_.dtype) + 64;
    const size_t need = static_cast<size_t>(n_slots_) * stride + 64;
    if (scratch.size() < need) scratch.resize(need);
    char* base = align64(scratch.data());
    const int nin = prog_.n_inputs;
    reg.resize(nin + prog_.code.size());
    for (int i = 0; i < nin; ++i) reg[i] = in[i];
    for (size_t k = 0; k < prog_.code.size(); ++k) {
      const auto& ins = prog_.code[k];
      void* dst = k + 1 == prog_.code.size() ? out : base + slot_[k] * stride;
      args.clear();
      if (ins.narrow) {
        run_narrow(k, n, reg, dst);
      } else {
        for (int a : ins.args) args.push_back(reg[a]);
        fns_[k](n, args.data(), dst);
      }
      reg[nin + k] = dst;
    }
  }

 private:
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

  // A float32 instruction of a float64 program: narrow the arguments (exact:
  // they hold float32 values), call the float32 function, widen the result.
  void run_narrow(size_t k, int64_t n, const std::vector<const void*>& reg, void* dst) const {
    static const LoadFn narrow = block_loader(DType::Float64, CT::F32);
    static const LoadFn widen = block_loader(DType::Float32, CT::F64);
    constexpr size_t kBlockF32 = kMaxBlock * sizeof(float) + 64;
    thread_local std::vector<char> scratch;
    thread_local std::vector<const void*> args;
    const auto& ins = prog_.code[k];
    if (scratch.size() < (ins.args.size() + 1) * kBlockF32 + 64) scratch.resize((ins.args.size() + 1) * kBlockF32 + 64);
    char* base = align64(scratch.data());
    args.clear();
    for (size_t a = 0; a < ins.args.size(); ++a) {
      char* t = base + (a + 1) * kBlockF32;
      narrow(static_cast<const char*>(reg[ins.args[a]]), sizeof(double), n, t);
      args.push_back(t);
    }
    fns_[k](n, args.data(), base);
    widen(base, sizeof(float), n, dst);
  }

  FusedProgram prog_;
  std::vector<BlockFn> fns_;
  int64_t cost_ = 0;
  std::vector<int> slot_;  // scratch block of each instruction's result (the last writes the output)
  int n_slots_ = 0;
  mutable std::atomic<BlockFn> native_{nullptr};
  mutable std::mutex native_mu_;
  mutable std::vector<std::shared_ptr<void>> modules_;
};

// The output type of a program over `in` (same rank and dtype; broadcast dims).
TensorType program_type(const std::string& name, const FusedProgram& prog, const std::vector<Var>& in) {
  if (static_cast<int>(in.size()) != prog.n_inputs)
    throw TypeError(name + " takes " + std::to_string(prog.n_inputs) + " inputs, got " + std::to_string(in.size()));
  const int nd = in[0]->ndim();
  std::vector<int64_t> shape(nd, 1);
  for (const auto& v : in) {
    if (v->ndim() != nd || is_complex(v->dtype()))
      throw TypeError(name + ": every input must be a real tensor of " + std::to_string(nd) +
                      " dimensions (converted to " + std::string(dtype_name(prog.dtype)) + " on load), got " +
                      v->type.str());
    for (int d = 0; d < nd; ++d) {
      int64_t s = v->type.shape[d];
      if (s == 1) continue;
      if (shape[d] == 1 || shape[d] < 0) shape[d] = s;
    }
  }
  return TensorType(prog.dtype, shape);
}

class Composite final : public Op {
 public:
  explicit Composite(FusedProgram p, int inplace = -1) : prog_(std::move(p)), runner_(prog_), inplace_(inplace) {
    name_ = program_name(prog_) + (inplace >= 0 ? "[(0, " + std::to_string(inplace) + ")]" : "");
  }
  OpKind kind() const override { return OpKind::Fused; }
  const ProgramRunner& runner() const { return runner_; }
  int destroys() const override { return inplace_; }
  OpPtr with_inplace(int k) const { return std::make_shared<Composite>(prog_, k); }
  const FusedProgram& program() const { return prog_; }
  std::string name() const override { return name_; }
  bool equals(const Op& o) const override {
    auto* c = dynamic_cast<const Composite*>(&o);
    return c && c->inplace_ == inplace_ && same_program(c->prog_, prog_);
  }
  size_t hash() const override { return std::hash<std::string>()(name_) ^ prog_.code.size(); }

  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override {
    return {program_type(name_, prog_, in)};
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
    std::vector<std::unique_ptr<char[]>> filled(nin);  // uninitialised: the loader fills it
    std::vector<NDArray> looped;
    std::vector<int> loop_index(nin, -1);
    for (int i = 0; i < nin; ++i) {
      if (in[i].size() == 1 && out[0].size() > 1) {
        filled[i].reset(new char[kMaxBlock * isz + 64]);
        block_loader(in[i].dtype, ct)(in[i].data, 0, kMaxBlock, align64(filled[i].get()));
      } else {
        loop_index[i] = static_cast<int>(looped.size());
        looped.push_back(in[i]);
      }
    }
    if (looped.empty()) {  // everything is one element: loop over the first input
      looped.push_back(in[0]);
      loop_index[0] = 0;
      filled[0].reset();
    }
    run_blocks(
        looped, out[0], ct, ct,
        [&](int64_t n, const void* const* ins, void* res) {
          const void* regs[64];
          std::vector<const void*> many;
          const void** r = nin <= 64 ? regs : (many.resize(nin), many.data());
          for (int i = 0; i < nin; ++i) r[i] = loop_index[i] >= 0 ? ins[loop_index[i]] : align64(filled[i].get());
          runner_.run(n, r, res);
        },
        runner_.cost());
  }

  std::vector<Var> grad(const Apply& node, const std::vector<Var>&) const override { no_grad_after_fusion(node); }

 private:
  FusedProgram prog_;
  ProgramRunner runner_;
  int inplace_ = -1;
  std::string name_;
};

// A program reduced as it is computed (sum/prod/max/min over axes of its
// broadcast shape): no full-size temporary, one pass over the inputs.
class FusedReduce final : public Op {
 public:
  FusedReduce(FusedProgram p, ReduceKind kind, std::vector<int> axes)
      : prog_(std::move(p)), runner_(prog_), kind_(kind), axes_(std::move(axes)) {
    std::vector<std::string> ax;
    for (int a : axes_) ax.push_back(std::to_string(a));
    name_ = program_name(prog_) + "->" + reduce_kind_title(kind_) + "{axis=[" + join_strings(ax, ", ") + "]}";
  }
  OpKind kind() const override { return OpKind::FusedReduce; }
  const ProgramRunner& runner() const { return runner_; }
  std::string name() const override { return name_; }
  bool equals(const Op& o) const override {
    auto* c = dynamic_cast<const FusedReduce*>(&o);
    return c && c->kind_ == kind_ && c->axes_ == axes_ && same_program(c->prog_, prog_);
  }
  size_t hash() const override { return std::hash<std::string>()(name_) ^ prog_.code.size(); }

  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override {
    const TensorType t = program_type(name_, prog_, in);
    for (const auto& v : in)  // the reduction loop reads blocks in the program's dtype
      if (v->dtype() != prog_.dtype)
        throw TypeError(name_ + ": every input must be " + std::string(dtype_name(prog_.dtype)) + ", got " +
                        v->type.str());
    Shape kept;
    for (int d = 0; d < t.ndim(); ++d) {
      if (std::find(axes_.begin(), axes_.end(), d) != axes_.end()) continue;
      kept.push_back(t.shape[d]);
    }
    for (int a : axes_)
      if (a >= t.ndim()) throw IndexError(name_ + ": axis " + std::to_string(a) + " is out of bounds");
    return {TensorType(prog_.dtype, kept)};
  }

  void perform(const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws) const override {
    const Shape shape = broadcast_shape(name_, in, ws.node);
    Shape oshape;
    int64_t rsize = 1;
    for (int d = 0; d < static_cast<int>(shape.size()); ++d) {
      if (std::find(axes_.begin(), axes_.end(), d) != axes_.end())
        rsize *= shape[d];
      else
        oshape.push_back(shape[d]);
    }
    out[0] = ws.empty(prog_.dtype, oshape);
    NDArray& o = out[0];
    if (o.size() == 0) return;
    if (rsize == 0 && (kind_ == ReduceKind::Max || kind_ == ReduceKind::Min))
      throw ValueError(name_ + ": " + (kind_ == ReduceKind::Max ? "max" : "min") + " of an empty axis (shape " +
                       shape_str(shape) + "): the reduction has no identity");
    NDArray acc = prog_.dtype == DType::Float64 ? o : NDArray::empty(DType::Float64, oshape);
    fill_identity(kind_, RC::F64, acc);
    const CT ct = compute_type(prog_.dtype);
    const int64_t isz = static_cast<int64_t>(itemsize(prog_.dtype));
    const LoadFn load = block_loader(prog_.dtype, ct);
    const int nin = prog_.n_inputs;
    reduce_loop(
        in, shape, axes_, kind_, RC::F64, ct, acc,
        [&](const char* const* p, const int64_t* s, int64_t n, void* res) -> const void* {
          thread_local std::vector<char> staged;
          thread_local std::vector<const void*> regs;
          const size_t blk = kMaxBlock * isz + 64;
          if (staged.size() < nin * blk + 64) staged.resize(nin * blk + 64);
          regs.resize(nin);
          for (int i = 0; i < nin; ++i) {
            if (s[i] == isz) {
              regs[i] = p[i];
            } else {  // strided, or broadcast along the loop (stride 0)
              char* b = align64(staged.data()) + i * blk;
              load(p[i], s[i], n, b);
              regs[i] = b;
            }
          }
          runner_.run(n, regs.data(), res);
          return res;
        },
        runner_.cost());
    if (acc.data != o.data) block_storer(CT::F64, prog_.dtype)(acc.data, o.size(), o.data, isz);
  }

  std::vector<Var> grad(const Apply& node, const std::vector<Var>&) const override { no_grad_after_fusion(node); }

 private:
  FusedProgram prog_;
  ProgramRunner runner_;
  ReduceKind kind_;
  std::vector<int> axes_;
  std::string name_;
};

}  // namespace

OpPtr composite_inplace(const Op& op, int input) { return static_cast<const Composite&>(op).with_inplace(input); }

const FusedProgram& fused_program(const Op& op) { return static_cast<const Composite&>(op).program(); }

namespace {
const ProgramRunner* runner_of(const Op& op) {
  if (op.kind() == OpKind::Fused) return &static_cast<const Composite&>(op).runner();
  if (op.kind() == OpKind::FusedReduce) return &static_cast<const FusedReduce&>(op).runner();
  return nullptr;
}
}  // namespace

const FusedProgram* block_program(const Op& op) {
  const ProgramRunner* r = runner_of(op);
  return r ? &r->program() : nullptr;
}

void set_native_kernel(const Op& op, BlockFn fn, std::shared_ptr<void> module) {
  const ProgramRunner* r = runner_of(op);
  THEON_CHECK(r, op.name() + " runs no fused program");
  r->set_native(fn, std::move(module));
}

bool has_native_kernel(const Op& op) {
  const ProgramRunner* r = runner_of(op);
  return r && r->has_native();
}

Var fused_reduce(FusedProgram program, const std::vector<Var>& inputs, ReduceKind kind, std::vector<int> axes) {
  if (kind == ReduceKind::All || kind == ReduceKind::Any || !is_float(program.dtype))
    throw InternalError("fused_reduce: only sum/prod/max/min of a float program");
  return apply1(std::make_shared<FusedReduce>(std::move(program), kind, std::move(axes)), inputs);
}

Var composite(FusedProgram program, const std::vector<Var>& inputs) {
  for (const auto& ins : program.code) {
    const auto& def = scalar_def(ins.id);
    if (ins.narrow && program.dtype != DType::Float64)
      throw InternalError("composite: a float32 instruction (" + std::string(def.name) + ") in a " +
                          std::string(dtype_name(program.dtype)) + " program");
    const CT want = ins.narrow ? CT::F32 : compute_type(program.dtype);
    const int ct = static_cast<int>(want);
    if (!def.fn[ct] || def.out_ct[ct] != want)
      throw InternalError("composite: " + std::string(def.name) + " cannot run in " +
                          (ins.narrow ? std::string("float32") : std::string(dtype_name(program.dtype))));
  }
  return apply1(std::make_shared<Composite>(std::move(program)), inputs);
}

}  // namespace theon
