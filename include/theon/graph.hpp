// The expression graph: types, variables, constants, shared variables, Apply
// nodes and the Op interface. User graphs are immutable DAGs.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "theon/dtype.hpp"
#include "theon/error.hpp"
#include "theon/ndarray.hpp"

namespace theon {

// A tensor type: dtype plus a static shape; -1 is an unknown size. A dim of
// static size 1 is "broadcastable" in Theano's sense.
struct TensorType {
  DType dtype = DType::Float64;
  Shape shape;

  TensorType() = default;
  TensorType(DType d, Shape s) : dtype(d), shape(std::move(s)) {}
  static TensorType from_broadcastable(DType d, const std::vector<bool>& bcast);

  int ndim() const { return static_cast<int>(shape.size()); }
  bool broadcastable(int i) const { return shape[i] == 1; }
  std::vector<bool> broadcastable_pattern() const;
  bool operator==(const TensorType& o) const { return dtype == o.dtype && shape == o.shape; }
  bool operator!=(const TensorType& o) const { return !(*this == o); }
  // Theano's spelling: TensorType(float64, matrix) / TensorType(float32, (True, False)).
  std::string str() const;
  // Why `a` does not fit this type, or "" if it does.
  std::string check_value(const NDArray& a) const;
  // Can a value of type `o` be used where this type is expected (same dtype/ndim,
  // o at least as specific)?
  bool accepts(const TensorType& o) const;
};

class Apply;
class Op;
class Variable;
using Var = std::shared_ptr<Variable>;
using OpPtr = std::shared_ptr<const Op>;
using ApplyPtr = std::shared_ptr<Apply>;

enum class VarKind : uint8_t { Input, Constant, Shared, Output };

// One use of a variable inside a FunctionGraph.
struct Client {
  Apply* node;  // nullptr = the graph output at `index`
  int index;
};

class Variable {
 public:
  Variable(TensorType t, std::string name = "");
  virtual ~Variable() = default;
  Variable(const Variable&) = delete;
  Variable& operator=(const Variable&) = delete;

  TensorType type;
  std::string name;
  SourceSite site;         // where the user built it
  Apply* owner = nullptr;  // set for outputs of an Apply (which keeps us alive)
  int index = 0;           // which output of owner
  uint64_t id;             // creation order, for stable printing and hashing
  // Who reads this node output inside the FunctionGraph that holds its owner
  // (kept there, not in a hash map: the rewriter asks on every step).
  std::vector<Client> graph_clients;
  // Theano's tag.test_value: a value of `type` the graph is tried on while it
  // is built (include/theon/test_values.hpp); undefined when none.
  NDArray test_value;

  virtual VarKind kind() const { return owner ? VarKind::Output : VarKind::Input; }
  DType dtype() const { return type.dtype; }
  int ndim() const { return type.ndim(); }
  std::string str() const;  // the name, or a short description
  std::shared_ptr<Apply> owner_ptr() const;
};

class Constant : public Variable {
 public:
  Constant(NDArray value, std::string name = "");
  NDArray value;
  VarKind kind() const override { return VarKind::Constant; }
  // Structural signature: equal constants merge.
  bool same_value(const Constant& o) const;
};

// A variable whose value lives across calls; the value is replaced (not
// mutated) on update so that a failed call leaves it untouched. (Theano's
// default_update lives in the Python layer: an expression that refers back to
// its shared variable would make a reference cycle here.)
class SharedVariable : public Variable {
 public:
  SharedVariable(NDArray value, TensorType type, std::string name = "");
  NDArray value;
  VarKind kind() const override { return VarKind::Shared; }
  // Validates against the type; does not copy.
  void set_value(NDArray v);
};

class Apply : public std::enable_shared_from_this<Apply> {
 public:
  Apply(OpPtr op, std::vector<Var> inputs);
  // Releases the inputs without recursion: a chain of a million nodes is
  // freed in a loop, not one stack frame per node.
  ~Apply();
  Apply(const Apply&) = delete;
  Apply& operator=(const Apply&) = delete;
  OpPtr op;
  std::vector<Var> inputs;
  SourceSite site;
  Var output(int i);  // keeps this Apply alive through the returned pointer
  int num_outputs() const { return static_cast<int>(outputs_.size()); }
  Variable* raw_output(int i) const { return outputs_[i].get(); }
  std::vector<Var> outputs();
  std::string str() const;  // "Elemwise{add}(x, y)"

  // Bookkeeping of the one FunctionGraph that holds this node (0 = none):
  // membership and traversal marks live on the node so that the rewriter's
  // most frequent questions cost no hash lookup. User graphs never set them
  // (the compiler works on a clone).
  uint64_t graph_id = 0;
  uint64_t graph_mark = 0;
  bool graph_queued = false;  // on the rewrite engine's worklist

 private:
  friend ApplyPtr make_apply(OpPtr, std::vector<Var>);
  friend ApplyPtr clone_apply(const Apply&, std::vector<Var>);
  std::vector<std::unique_ptr<Variable>> outputs_;
};

// Every op class, listed once (include/theon/op_kinds.def): rewrites
// dispatch on an op's kind and read its parameters through
// src/theon/ops/op_info.hpp.
enum class OpKind : uint8_t {
#define THEON_OP(kind) kind,
#include "theon/op_kinds.def"
#undef THEON_OP
  count_
};
inline constexpr int kNumOpKinds = static_cast<int>(OpKind::count_);
// The kind's name as listed ("Sort"): what Python's op.kind answers.
const char* op_kind_name(OpKind kind);

class Op {
 public:
  virtual ~Op() = default;
  virtual std::string name() const = 0;
  virtual OpKind kind() const = 0;
  // Validates the inputs and returns the output types; throws TypeError/ValueError.
  virtual std::vector<TensorType> infer_types(const std::vector<Var>& inputs) const = 0;
  // The size of output `output` along `axis` as an int64 scalar variable,
  // built from the inputs' sizes (input_size(i, d): the size of input i along
  // d) without computing the output; null when the op cannot tell. Rewrites
  // answer x.shape through it without running x (rewrite/rules_basic.cpp).
  using InputSize = std::function<Var(int input, int axis)>;
  virtual Var infer_shape(const Apply& /*node*/, int /*output*/, int /*axis*/, const InputSize& /*input_size*/) const {
    return nullptr;
  }
  // Vector-Jacobian product: one gradient per input (nullptr = disconnected/zero).
  virtual std::vector<Var> grad(const Apply& node, const std::vector<Var>& output_grads) const;
  // Jacobian-vector product (R-op): each output's tangent given one tangent
  // per input (nullptr = zero). The default applies a linear op to the
  // tangents and otherwise transposes grad() with a second reverse pass, so
  // every op has one; ops override it where a direct form is cheaper.
  virtual std::vector<Var> rop(const Apply& node, const std::vector<Var>& tangents) const;
  // True when the outputs are linear in the connected inputs jointly (views,
  // sums, joins, indexing): their R-op is the op applied to the tangents.
  virtual bool linear() const { return false; }
  // Which outputs are views of which input (output index -> input index, -1 = none).
  virtual int view_of(int /*output*/) const { return -1; }
  // The input whose buffer output 0 may overwrite (Theano's destroy_map), or
  // -1. The runtime decides per call (Workspace::destroy_ok in
  // backend/backend.hpp); inplace ops are
  // made only by the inplace phase.
  virtual int destroys() const { return -1; }
  // Structural equality for merging.
  virtual bool equals(const Op& o) const { return this == &o; }
  virtual size_t hash() const { return std::hash<std::string>()(name()); }
  // Inputs the gradient does not flow to (e.g. index or shape inputs).
  virtual bool connected(int /*input*/) const { return true; }
  // Whether `output` depends on `input` differentiably (Theano's
  // connection_pattern): a loop's state that never reads another's taps does
  // not depend on that one's initial value.
  virtual bool connected(int input, int /*output*/) const { return connected(input); }
  // No gradient exists through this op, even from its discrete outputs (which
  // otherwise carry none): grad() reaching its connected inputs through it
  // gives null gradients (Theano's RandomFunction).
  virtual bool gradient_undefined() const { return false; }
};

// Builds an Apply of `op` over `inputs` (types checked, site recorded), then
// calls the node-built hook, if one is set, on it.
ApplyPtr make_apply(OpPtr op, std::vector<Var> inputs);
// What make_apply calls with each node it builds (null: nothing). The compile
// layer sets it while test values are on (include/theon/test_values.hpp).
using NodeBuiltHook = void (*)(Apply& node);
void set_node_built_hook(NodeBuiltHook hook);
// A copy of `node` over new inputs. When every input keeps its type the output
// types are copied instead of inferred again (cloning a large graph).
ApplyPtr clone_apply(const Apply& node, std::vector<Var> inputs);
// Convenience: the single output of make_apply.
Var apply1(OpPtr op, std::vector<Var> inputs);

// Root variable constructors.
Var variable(TensorType t, std::string name = "");
Var constant(NDArray value, std::string name = "");
template <class T>
Var scalar_constant(T v) {
  return constant(NDArray::scalar<T>(v));
}
Var constant_like(double v, DType d);  // a 0-d constant of dtype d
std::shared_ptr<SharedVariable> shared(NDArray value, std::string name = "");

// A 0-d constant's value, if `v` is one (or a constant-valued broadcast of one).
bool get_constant_scalar(const Var& v, double* out);
// A constant integer scalar's exact value (NDArray::item_index: a uint64
// beyond int64 reads INT64_MAX and sets *too_big); false for non-integers.
bool get_constant_index(const Var& v, int64_t* out, bool* too_big);
const Constant* as_constant(const Var& v);

// Formats the node's inputs for an error message: shapes/dtypes and the site.
std::string describe_types(const std::vector<Var>& inputs);

}  // namespace theon
