// Composite: a fused chain of elementwise functions run as a small scalar
// program over cache-sized blocks, so no full-size temporary is ever made.
// Built by the fusion phase (rewrite/fusion.cpp); all registers share one
// float compute type. The kernels (and the program's interpreter) are in
// backend/cpu/fused.cpp.
#include "ops/fused.hpp"

#include <algorithm>
#include <memory>

#include "ops/fused_ops.hpp"
#include "ops/op_info.hpp"
#include "ops/scalar_table.hpp"

namespace theon {

using ops::Composite;
using ops::FusedReduce;

namespace {

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

}  // namespace

namespace ops {

Composite::Composite(FusedProgram p, int inplace) : prog_(std::move(p)), inplace_(inplace) {
  name_ = program_name(prog_) + (inplace >= 0 ? "[(0, " + std::to_string(inplace) + ")]" : "");
}

bool Composite::equals(const Op& o) const {
  auto* c = dynamic_cast<const Composite*>(&o);
  return c && c->inplace_ == inplace_ && same_program(c->prog_, prog_);
}

std::vector<TensorType> Composite::infer_types(const std::vector<Var>& in) const {
  return {program_type(name_, prog_, in)};
}

std::vector<Var> Composite::grad(const Apply& node, const std::vector<Var>&) const { no_grad_after_fusion(node); }

FusedReduce::FusedReduce(FusedProgram p, ReduceKind kind, std::vector<int> axes)
    : prog_(std::move(p)), kind_(kind), axes_(std::move(axes)) {
  std::vector<std::string> ax;
  for (int a : axes_) ax.push_back(std::to_string(a));
  name_ = program_name(prog_) + "->" + reduce_kind_title(kind_) + "{axis=[" + join_strings(ax, ", ") + "]}";
}

bool FusedReduce::equals(const Op& o) const {
  auto* c = dynamic_cast<const FusedReduce*>(&o);
  return c && c->kind_ == kind_ && c->axes_ == axes_ && same_program(c->prog_, prog_);
}

std::vector<TensorType> FusedReduce::infer_types(const std::vector<Var>& in) const {
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

std::vector<Var> FusedReduce::grad(const Apply& node, const std::vector<Var>&) const { no_grad_after_fusion(node); }

}  // namespace ops

OpPtr composite_inplace(const Op& op, int input) { return static_cast<const Composite&>(op).with_inplace(input); }

const FusedProgram& fused_program(const Op& op) { return static_cast<const Composite&>(op).program(); }

const FusedProgram* block_program(const Op& op) {
  if (op.kind() == OpKind::Fused) return &static_cast<const Composite&>(op).program();
  if (op.kind() == OpKind::FusedReduce) return &static_cast<const FusedReduce&>(op).program();
  return nullptr;
}

Var fused_reduce(FusedProgram program, const std::vector<Var>& inputs, ReduceKind kind, std::vector<int> axes) {
  if (kind == ReduceKind::All || kind == ReduceKind::Any || !is_float(program.dtype) || is_storage_only(program.dtype))
    throw InternalError("fused_reduce: only sum/prod/max/min of a float program");
  return apply1(std::make_shared<FusedReduce>(std::move(program), kind, std::move(axes)), inputs);
}

Var composite(FusedProgram program, const std::vector<Var>& inputs) {
  if (is_storage_only(program.dtype))
    throw InternalError("composite: a " + std::string(dtype_name(program.dtype)) + " program (a storage-only dtype)");
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
