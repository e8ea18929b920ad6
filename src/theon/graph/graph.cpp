#include "theon/graph.hpp"

#include <atomic>
#include <cstdint>
#include <cstring>
#include <iterator>

#include "theon/ops.hpp"

namespace theon {

namespace {
std::atomic<uint64_t> next_id{1};
}

const char* op_kind_name(OpKind kind) {
  static const char* const kNames[] = {
#define THEON_OP(kind) #kind,
#include "theon/op_kinds.def"
#undef THEON_OP
  };
  static_assert(std::size(kNames) == kNumOpKinds);
  const int k = static_cast<int>(kind);
  return k >= 0 && k < kNumOpKinds ? kNames[k] : "?";
}

// ---- TensorType ---------------------------------------------------------------

TensorType TensorType::from_broadcastable(DType d, const std::vector<bool>& bcast) {
  std::vector<int64_t> s;
  for (bool b : bcast) s.push_back(b ? 1 : -1);
  return {d, s};
}

std::vector<bool> TensorType::broadcastable_pattern() const {
  std::vector<bool> out;
  for (auto d : shape) out.push_back(d == 1);
  return out;
}

std::string TensorType::str() const {
  std::string kind;
  auto b = broadcastable_pattern();
  bool unknown = true;
  for (auto d : shape) unknown = unknown && (d == -1 || d == 1);
  if (unknown) {
    if (b.empty())
      kind = "scalar";
    else if (b == std::vector<bool>{false})
      kind = "vector";
    else if (b == std::vector<bool>{false, false})
      kind = "matrix";
    else if (b == std::vector<bool>{true, false})
      kind = "row";
    else if (b == std::vector<bool>{false, true})
      kind = "col";
    else if (b == std::vector<bool>{false, false, false})
      kind = "3D";
    else if (b == std::vector<bool>{false, false, false, false})
      kind = "4D";
  }
  if (kind.empty()) {
    kind = "(";
    for (size_t i = 0; i < shape.size(); ++i) {
      if (i) kind += ", ";
      kind += shape[i] == 1 ? "True" : shape[i] < 0 ? "False" : std::to_string(shape[i]);
    }
    kind += shape.size() == 1 ? ",)" : ")";
  }
  return "TensorType(" + std::string(dtype_name(dtype)) + ", " + kind + ")";
}

std::string TensorType::check_value(const NDArray& a) const {
  if (a.dtype != dtype)
    return "expected dtype " + std::string(dtype_name(dtype)) + ", got " + std::string(dtype_name(a.dtype));
  if (a.ndim() != ndim())
    return "expected " + std::to_string(ndim()) + " dimensions, got an array of shape " + shape_str(a.shape) + " (" +
           std::to_string(a.ndim()) + " dimensions)";
  for (int i = 0; i < ndim(); ++i)
    if (shape[i] >= 0 && a.shape[i] != shape[i])
      return "dimension " + std::to_string(i) + " must have size " + std::to_string(shape[i]) +
             (shape[i] == 1 ? " (it is broadcastable)" : "") + ", got an array of shape " + shape_str(a.shape);
  return "";
}

bool TensorType::accepts(const TensorType& o) const {
  if (dtype != o.dtype || ndim() != o.ndim()) return false;
  for (int i = 0; i < ndim(); ++i)
    if (shape[i] >= 0 && shape[i] != o.shape[i]) return false;
  return true;
}

// ---- variables --------------------------------------------------------------

Variable::Variable(TensorType t, std::string n) : type(std::move(t)), name(std::move(n)), id(next_id++) {}

std::string Variable::str() const {
  if (!name.empty()) return name;
  if (kind() == VarKind::Constant) {
    const auto& c = static_cast<const Constant&>(*this);
    if (c.value.size() == 1) {
      double v = c.value.get_double(0);
      if (is_discrete(c.value.dtype)) return "TensorConstant{" + std::to_string(c.value.get_int(0)) + "}";
      std::string s = std::to_string(v);
      while (s.size() > 1 && s.back() == '0' && s[s.size() - 2] != '.') s.pop_back();
      return "TensorConstant{" + s + "}";
    }
    return "TensorConstant{" + c.value.str() + "}";
  }
  if (owner) return owner->op->name() + ".out" + (owner->num_outputs() > 1 ? std::to_string(index) : "");
  return "<" + type.str() + ">";
}

std::shared_ptr<Apply> Variable::owner_ptr() const { return owner ? owner->shared_from_this() : nullptr; }

Constant::Constant(NDArray v, std::string n)
    : Variable(TensorType{v.dtype, v.shape}, std::move(n)), value(std::move(v)) {
  // Theano marks only size-1 dims of a constant broadcastable; others stay known.
}

bool Constant::same_value(const Constant& o) const {
  if (value.dtype != o.value.dtype || value.shape != o.value.shape) return false;
  NDArray a = value.contiguous(), b = o.value.contiguous();
  return std::memcmp(a.data, b.data, a.nbytes()) == 0;
}

SharedVariable::SharedVariable(NDArray v, TensorType t, std::string n) : Variable(std::move(t), std::move(n)) {
  set_value(std::move(v));
}

void SharedVariable::set_value(NDArray v) {
  std::string why = type.check_value(v);
  if (!why.empty())
    throw TypeError("shared variable '" + (name.empty() ? std::string("<unnamed>") : name) + "' of type " + type.str() +
                    " cannot hold this value: " + why);
  value = std::move(v);
}

// ---- Apply ----------------------------------------------------------------------

Apply::Apply(OpPtr o, std::vector<Var> in) : op(std::move(o)), inputs(std::move(in)) {}

Var Apply::output(int i) {
  // Aliasing pointer: the Apply (and so the variable) lives while it is held.
  return Var(shared_from_this(), outputs_.at(i).get());
}

std::vector<Var> Apply::outputs() {
  std::vector<Var> out;
  for (int i = 0; i < num_outputs(); ++i) out.push_back(output(i));
  return out;
}

std::string Apply::str() const {
  std::vector<std::string> parts;
  for (auto& v : inputs) parts.push_back(v->str());
  return op->name() + "(" + join_strings(parts, ", ") + ")";
}

std::string describe_types(const std::vector<Var>& inputs) {
  std::vector<std::string> parts;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const auto& v = inputs[i];
    parts.push_back("input " + std::to_string(i) + (v->name.empty() ? "" : " '" + v->name + "'") + ": " +
                    v->type.str());
  }
  return join_strings(parts, "; ");
}

namespace {
std::atomic<NodeBuiltHook> node_built_hook{nullptr};
}  // namespace

void set_node_built_hook(NodeBuiltHook hook) { node_built_hook.store(hook); }

namespace {
// The inputs of nodes being released on this thread, while the outermost
// ~Apply drains them: a node dying inside that loop hands its inputs over
// instead of releasing them itself.
thread_local std::vector<Var>* releasing = nullptr;
}  // namespace

Apply::~Apply() {
  if (releasing) {
    for (Var& v : inputs) releasing->push_back(std::move(v));
    return;
  }
  std::vector<Var> pending = std::move(inputs);
  releasing = &pending;
  while (!pending.empty()) {
    Var v = std::move(pending.back());
    pending.pop_back();
    v.reset();  // may end another node, which appends its inputs to `pending`
  }
  releasing = nullptr;
}

ApplyPtr make_apply(OpPtr op, std::vector<Var> inputs) {
  for (size_t i = 0; i < inputs.size(); ++i)
    if (!inputs[i]) throw TypeError(op->name() + ": input " + std::to_string(i) + " is None");
  SourceSite site = current_site();
  std::vector<TensorType> types;
  try {
    types = op->infer_types(inputs);
  } catch (const UserError& e) {
    std::string msg = std::string(e.what()) + "\n  (" + describe_types(inputs) + ")";
    if (site.known()) msg += "\n  built at " + site.str();
    rethrow_with_message(e, msg);
  }
  for (const auto& t : types)
    if (element_count_or_minus1(t.shape, itemsize(t.dtype)) < 0) {
      std::string msg = op->name() + ": array is too big: the output " + t.str() + " would need more than the " +
                        std::to_string(PTRDIFF_MAX) + " bytes an array can hold\n  (" + describe_types(inputs) + ")";
      if (site.known()) msg += "\n  built at " + site.str();
      throw ValueError(msg);
    }
  auto node = std::make_shared<Apply>(std::move(op), std::move(inputs));
  node->site = site;
  node->outputs_.reserve(types.size());
  for (size_t i = 0; i < types.size(); ++i) {
    auto v = std::make_unique<Variable>(std::move(types[i]));
    v->owner = node.get();
    v->index = static_cast<int>(i);
    v->site = site;
    node->outputs_.push_back(std::move(v));
  }
  if (NodeBuiltHook hook = node_built_hook.load()) hook(*node);
  return node;
}

ApplyPtr clone_apply(const Apply& node, std::vector<Var> inputs) {
  bool same = inputs.size() == node.inputs.size();
  for (size_t i = 0; same && i < inputs.size(); ++i) same = inputs[i] && inputs[i]->type == node.inputs[i]->type;
  if (!same) {
    ApplyPtr fresh = make_apply(node.op, std::move(inputs));
    fresh->site = node.site;
    return fresh;
  }
  auto fresh = std::make_shared<Apply>(node.op, std::move(inputs));
  fresh->site = node.site;
  fresh->outputs_.reserve(node.outputs_.size());
  for (const auto& old : node.outputs_) {
    auto v = std::make_unique<Variable>(old->type);
    v->owner = fresh.get();
    v->index = old->index;
    v->site = old->site;
    fresh->outputs_.push_back(std::move(v));
  }
  return fresh;
}

Var apply1(OpPtr op, std::vector<Var> inputs) { return make_apply(std::move(op), std::move(inputs))->output(0); }

std::vector<Var> Op::grad(const Apply& node, const std::vector<Var>&) const {
  std::string msg = "the gradient of " + name() + " is not implemented";
  if (node.site.known()) msg += "\n  the node was built at " + node.site.str();
  throw NotImplementedError(msg);
}

// ---- roots ----------------------------------------------------------------------

Var variable(TensorType t, std::string name) {
  if (element_count_or_minus1(t.shape, itemsize(t.dtype)) < 0)
    throw ValueError("array is too big: a variable of type " + t.str() + " would need more than the " +
                     std::to_string(PTRDIFF_MAX) + " bytes an array can hold");
  auto v = std::make_shared<Variable>(std::move(t), std::move(name));
  v->site = current_site();
  return v;
}

Var constant(NDArray value, std::string name) {
  auto v = std::make_shared<Constant>(std::move(value), std::move(name));
  v->site = current_site();
  return v;
}

Var constant_like(double v, DType d) {
  NDArray a = NDArray::scalar<double>(v).astype(d);
  return constant(a);
}

std::shared_ptr<SharedVariable> shared(NDArray value, std::string name) {
  TensorType t(value.dtype, std::vector<int64_t>(value.ndim(), -1));
  auto v = std::make_shared<SharedVariable>(std::move(value), t, std::move(name));
  v->site = current_site();
  return v;
}

const Constant* as_constant(const Var& v) {
  return v && v->kind() == VarKind::Constant ? static_cast<const Constant*>(v.get()) : nullptr;
}

bool get_constant_index(const Var& v, int64_t* out, bool* too_big) {
  const Constant* c = as_constant(v);
  if (!c || c->value.size() != 1 || !is_int(c->value.dtype)) return false;
  *out = c->value.item_index(too_big);
  return true;
}

bool get_constant_scalar(const Var& v, double* out) {
  const Constant* c = as_constant(v);
  if (!c || c->value.size() != 1) return false;
  *out = c->value.get_double(0);
  return true;
}

}  // namespace theon
