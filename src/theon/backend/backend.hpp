// What a backend provides: a device, an allocator for it, a kernel for each op
// kind it runs, and (optionally) an emitter of fused kernels. Ops say what they
// mean (src/theon/ops/); backends say how it runs. A new device is a new
// directory beside backend/cpu/ that registers its kernels here; ops/ does not
// change. The VM resolves a node's kernel once, when its program is planned.
#pragma once
#include <array>
#include <memory>
#include <string>
#include <vector>

#include "theon/graph.hpp"
#include "theon/scalar.hpp"

namespace theon {

struct FunctionOptions;

// What a kernel prepares once per program step (see PrepareFn).
struct KernelState {
  virtual ~KernelState() = default;
};

// What a kernel gets besides its inputs: output allocation through a reusable
// pool, the node it runs, and its step's prepared state.
class Workspace {
 public:
  virtual ~Workspace() = default;
  const Apply* node = nullptr;  // the node being run (its static input types, its site)
  // The step's state from the kernel's prepare function (null when the
  // kernel runs outside a program, e.g. constant folding: it builds its own).
  const KernelState* state = nullptr;
  // The step's compiled block function when the native tier has loaded one.
  BlockFn native_block = nullptr;
  // For an op that destroys(): its input's buffer is exclusively the
  // runtime's and dead after this node, so the op may write its output there.
  bool destroy_ok = false;
  virtual NDArray empty(DType dtype, const Shape& shape) { return NDArray::empty(dtype, shape); }
};

// A kernel computes a node's outputs from its inputs. `out` arrives sized to the
// node's outputs (elements undefined); outputs are allocated through ws.
// Run-time errors throw ValueError/IndexError; the VM adds the node's context.
using Kernel = void (*)(const Op& op, const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws);
// Optional, per kernel: builds what the kernel would otherwise redo on every
// call (a fused program's interpreter; a library's compiled primitive, the
// inner functions of compile/inner_function.hpp), once per program step; the
// kernel reads it as ws.state. `options` are those of the function the program
// belongs to (null for a program made without one).
using PrepareFn = std::unique_ptr<KernelState> (*)(const Op& op, const FunctionOptions* options);
// Optional, per kernel of an op that destroys() an input: true when the kernel
// would run on `in` without raising (shapes agree, indices are in range). The
// VM asks it of every update written into a shared variable's buffer before
// the first such write, so that a call either raises before any shared value
// changes or writes them all (runtime/program.cpp).
using PreflightFn = bool (*)(const Op& op, const std::vector<NDArray>& in, const Apply* node);

class Backend {
 public:
  Backend(std::string name, Device device) : name_(std::move(name)), device_(device) {}
  virtual ~Backend() = default;
  Backend(const Backend&) = delete;
  Backend& operator=(const Backend&) = delete;

  const std::string& name() const { return name_; }
  Device device() const { return device_; }

  // Storage for arrays on this backend's device (null when none is left).
  virtual void* allocate(size_t bytes) const = 0;
  virtual void deallocate(void* p) const = 0;

  // The kernel registered for `kind`, or null.
  Kernel kernel(OpKind kind) const { return kernels_[static_cast<int>(kind)]; }
  // The kernel for `op`; NotImplementedError "no kernel for Sort on cuda" when
  // this backend has none.
  Kernel kernel_for(const Op& op) const;
  // Every op kind this backend has no kernel for, in the op list's order.
  std::vector<OpKind> missing_kernels() const;

  // Whether fused programs (OpKind::Fused/FusedReduce) can be compiled to
  // native code on this backend (the native tier); the CPU backend's emitter
  // lives in backend/cpu/native/.
  virtual bool emits_fused_kernels() const { return false; }

  // The prepare function registered with kind's kernel, or null.
  PrepareFn prepare(OpKind kind) const { return prepares_[static_cast<int>(kind)]; }

  // Registers `kernel` (and its prepare function) for `kind`; a kind is
  // registered once (InternalError otherwise).
  void add(OpKind kind, Kernel kernel, PrepareFn prepare = nullptr);
  // The preflight check of kind's kernel (see PreflightFn), or null: updates
  // of that kind are then never written into shared buffers.
  void set_preflight(OpKind kind, PreflightFn check) { preflights_[static_cast<int>(kind)] = check; }
  PreflightFn preflight(OpKind kind) const { return preflights_[static_cast<int>(kind)]; }

 private:
  std::string name_;
  Device device_;
  std::array<Kernel, kNumOpKinds> kernels_{};
  std::array<PrepareFn, kNumOpKinds> prepares_{};
  std::array<PreflightFn, kNumOpKinds> preflights_{};
};

// The host CPU backend (backend/cpu/): every op kind has a kernel there.
const Backend& cpu_backend();

// Checks that every input a kernel receives lives on `backend`'s device.
void check_device(const Backend& backend, const Op& op, const std::vector<NDArray>& in);

}  // namespace theon
