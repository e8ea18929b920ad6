// The CPU kernels of the fused ops (ops/fused_ops.hpp), Composite and
// FusedReduce, and the program runner they share (program_runner.hpp): the
// interpreter of a fused program over cache-sized blocks, or the native
// tier's compiled block function once the step has one.
#include <algorithm>
#include <memory>
#include <optional>
#include <string>

#include "backend/cpu/kernels.hpp"
#include "backend/cpu/program_runner.hpp"
#include "backend/cpu/reduce_loop.hpp"
#include "backend/cpu/vector_math.hpp"
#include "ops/fused_ops.hpp"
#include "ops/scalar_table.hpp"

namespace theon {

namespace {

constexpr int64_t kMaxBlock = 1024;

char* align64(char* p) { return reinterpret_cast<char*>((reinterpret_cast<uintptr_t>(p) + 63) & ~uintptr_t(63)); }

}  // namespace

// ---- the program runner --------------------------------------------------------

ProgramRunner::ProgramRunner(const FusedProgram& p) : prog_(p) {
  const CT ct = compute_type(p.dtype);
  for (const auto& ins : p.code) {
    fns_.push_back(cpu_block_fn(ins.id, ins.narrow ? CT::F32 : ct));
    cost_ += scalar_cost(ins.id) + (ins.narrow ? 2 : 0);
  }
  assign_slots();
}

void ProgramRunner::run(int64_t n, const void* const* in, void* out) const {
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

void ProgramRunner::assign_slots() {
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

void ProgramRunner::run_narrow(size_t k, int64_t n, const std::vector<const void*>& reg, void* dst) const {
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

// ---- the kernels -----------------------------------------------------------------

namespace {

// The step's runner, or one built now (a kernel run outside a program).
template <class OpT>
const ProgramRunner& runner_of(const OpT& op, const Workspace& ws, std::optional<ProgramRunner>& local) {
  if (ws.state) return static_cast<const ProgramRunner&>(*ws.state);
  return local.emplace(op.program());
}

template <class OpT>
std::unique_ptr<KernelState> prepare_runner(const Op& op, const FunctionOptions*) {
  return std::make_unique<ProgramRunner>(static_cast<const OpT&>(op).program());
}

// Runs one block: the native tier's compiled function when the step has one.
inline void run_block(const ProgramRunner& runner, BlockFn native, int64_t n, const void* const* in, void* out) {
  if (native)
    native(n, in, out);
  else
    runner.run(n, in, out);
}

void composite_kernel(const ops::Composite& op, const std::vector<NDArray>& in, std::vector<NDArray>& out,
                      Workspace& ws) {
  const FusedProgram& prog = op.program();
  std::optional<ProgramRunner> local;
  const ProgramRunner& runner = runner_of(op, ws, local);
  const BlockFn native = ws.native_block;
  const int inplace = op.inplace();
  Shape shape = broadcast_shape(op, in, ws.node);
  if (inplace >= 0 && ws.destroy_ok && in[inplace].dtype == prog.dtype && in[inplace].shape == shape)
    out[0] = in[inplace];  // each block is read into registers before its output is written
  else
    out[0] = ws.empty(prog.dtype, shape);
  const CT ct = compute_type(prog.dtype);
  const size_t isz = itemsize(prog.dtype);
  const int nin = prog.n_inputs;
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
        run_block(runner, native, n, r, res);
      },
      runner.cost());
}

void fused_reduce_kernel(const ops::FusedReduce& op, const std::vector<NDArray>& in, std::vector<NDArray>& out,
                         Workspace& ws) {
  const FusedProgram& prog = op.program();
  std::optional<ProgramRunner> local;
  const ProgramRunner& runner = runner_of(op, ws, local);
  const BlockFn native = ws.native_block;
  const std::vector<int>& axes = op.axes();
  const ReduceKind kind = op.reduce_kind();
  const Shape shape = broadcast_shape(op, in, ws.node);
  Shape oshape;
  int64_t rsize = 1;
  for (int d = 0; d < static_cast<int>(shape.size()); ++d) {
    if (std::find(axes.begin(), axes.end(), d) != axes.end())
      rsize *= shape[d];
    else
      oshape.push_back(shape[d]);
  }
  out[0] = ws.empty(prog.dtype, oshape);
  NDArray& o = out[0];
  if (o.size() == 0) return;
  if (rsize == 0 && (kind == ReduceKind::Max || kind == ReduceKind::Min))
    throw ValueError(op.name_ref() + ": " + (kind == ReduceKind::Max ? "max" : "min") + " of an empty axis (shape " +
                     shape_str(shape) + "): the reduction has no identity");
  NDArray acc = prog.dtype == DType::Float64 ? o : NDArray::empty(DType::Float64, oshape);
  fill_identity(kind, RC::F64, acc);
  const CT ct = compute_type(prog.dtype);
  const int64_t isz = static_cast<int64_t>(itemsize(prog.dtype));
  const LoadFn load = block_loader(prog.dtype, ct);
  const int nin = prog.n_inputs;
  reduce_loop(
      in, shape, axes, kind, RC::F64, ct, acc,
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
        run_block(runner, native, n, regs.data(), res);
        return res;
      },
      runner.cost());
  if (acc.data != o.data) block_storer(CT::F64, prog.dtype)(acc.data, o.size(), o.data, isz);
}

}  // namespace

namespace {
// What the composite kernel can raise: shapes that do not broadcast.
void composite_check(const ops::Composite& op, const std::vector<NDArray>& in, const Apply* node) {
  broadcast_shape(op, in, node);
}
}  // namespace

void add_fused_kernels(Backend& cpu) {
  cpu.set_preflight(OpKind::Fused, &typed_preflight<ops::Composite, composite_check>);
  cpu.add(OpKind::Fused, &typed_kernel<ops::Composite, composite_kernel>, &prepare_runner<ops::Composite>);
  cpu.add(OpKind::FusedReduce, &typed_kernel<ops::FusedReduce, fused_reduce_kernel>, &prepare_runner<ops::FusedReduce>);
}

}  // namespace theon
