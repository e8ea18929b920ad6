// Graph serialization (include/theon/serialize.hpp): the header, the graph
// records and constants. A graph record lists its inputs' types and names,
// then entries in topological order (a constant, or a node: its outputs'
// types and names, its inputs by number, its op), then its outputs by
// number. Variables are numbered as they are defined: inputs first, then
// each constant and each node's outputs, so a variable read twice is one
// variable after loading. The op records are compile/serialize_ops.cpp.
#include "theon/serialize.hpp"

#include <cstring>
#include <unordered_map>

#include "compile/serialize_internal.hpp"
#include "theon/function_graph.hpp"

namespace theon {

namespace serial {

namespace {

constexpr char kMagic[8] = {'T', 'H', 'E', 'O', 'N', 'G', 'R', 'F'};
enum Entry : uint8_t { kConstant = 0, kNode = 1 };

void write_constant(Writer& w, const Constant& c) {
  const NDArray v = c.value.contiguous();
  w.type(TensorType(v.dtype, v.shape));
  w.str(c.name);
  w.bytes(v.data, v.nbytes());
}

Var read_constant(Reader& r) {
  const TensorType t = r.type();
  for (int64_t d : t.shape)
    if (d < 0) r.fail("a constant of unknown size " + shape_str(t.shape));
  std::string name = r.str();
  const int64_t n = element_count_or_minus1(t.shape, itemsize(t.dtype));
  if (n < 0) r.fail("a constant of " + t.str() + " is too big");
  const size_t nbytes = static_cast<size_t>(n) * itemsize(t.dtype);
  const char* p = r.take(nbytes);  // checked before allocating
  NDArray a = NDArray::empty(t.dtype, t.shape);
  if (nbytes) std::memcpy(a.data, p, nbytes);
  if (t.dtype == DType::Bool)  // any other byte would not be a bool
    for (size_t i = 0; i < nbytes; ++i) a.data[i] = a.data[i] != 0;
  return constant(std::move(a), std::move(name));
}

void write_graph(Archive& ar, const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                 const std::string& what) {
  Writer& w = ar.writer();
  std::unordered_map<const Variable*, uint64_t> number;
  w.uvar(inputs.size());
  for (const Var& v : inputs) {
    if (!v || v->owner || v->kind() == VarKind::Constant || !number.emplace(v.get(), number.size()).second)
      ar.fail(what + ": its inputs must be distinct root variables");
    w.type(v->type);
    w.str(v->name);
  }
  // Entries first (their count comes before them), then the records.
  std::vector<const Constant*> constants;
  std::vector<const Apply*> entries;  // null: the next constant
  uint64_t next = inputs.size();
  const auto define = [&](const Var& v) {
    if (number.count(v.get())) return;
    const Constant* c = as_constant(v);
    if (!c)
      ar.fail(what + " reads " + v->str() + " (" + v->type.str() +
              "), which is neither its input nor a constant nor computed in it");
    number.emplace(v.get(), next++);
    constants.push_back(c);
    entries.push_back(nullptr);
  };
  for (const Apply* node : toposort(outputs)) {
    for (const Var& in : node->inputs) define(in);
    entries.push_back(node);
    for (int i = 0; i < node->num_outputs(); ++i) number.emplace(node->raw_output(i), next++);
  }
  for (const Var& o : outputs)
    if (o) define(o);
  w.uvar(entries.size());
  size_t c = 0;
  for (const Apply* node : entries) {
    if (!node) {
      w.u8(kConstant);
      write_constant(w, *constants[c++]);
      continue;
    }
    w.u8(kNode);
    w.uvar(static_cast<uint64_t>(node->num_outputs()));
    for (int i = 0; i < node->num_outputs(); ++i) {
      w.type(node->raw_output(i)->type);
      w.str(node->raw_output(i)->name);
    }
    w.uvar(node->inputs.size());
    for (const Var& in : node->inputs) w.uvar(number.at(in.get()));
    transfer_op(ar, node->op.get(), {});
  }
  w.uvar(outputs.size());
  for (const Var& o : outputs) w.uvar(o ? number.at(o.get()) + 1 : 0);
}

// Whether a rebuilt output type can stand for the saved one: the same dtype
// and rank, and no static size that contradicts it.
bool compatible(const TensorType& saved, const TensorType& got) {
  if (saved.dtype != got.dtype || saved.ndim() != got.ndim()) return false;
  for (int d = 0; d < saved.ndim(); ++d)
    if (saved.shape[d] >= 0 && got.shape[d] >= 0 && saved.shape[d] != got.shape[d]) return false;
  return true;
}

// Drops the table last variable first: a long chain is then released one
// node at a time, not by a recursion as deep as the chain.
void release(std::vector<Var>& vars) {
  while (!vars.empty()) vars.pop_back();
}

// Reads a graph record whose inputs are `given` (top level) or, when null,
// fresh variables of the saved types (inner graphs, returned in *fresh).
std::vector<Var> read_graph(Archive& ar, const std::vector<Var>* given, std::vector<Var>* fresh, bool nulls,
                            const std::string& what) {
  Reader& r = ar.reader();
  std::vector<Var> vars;
  struct Release {
    std::vector<Var>& v;
    ~Release() { release(v); }
  } guard{vars};
  const size_t n_inputs = r.count("a number of inputs");
  if (given && given->size() != n_inputs)
    throw ValueError("load_graph: the graph was saved with " + std::to_string(n_inputs) + " leaves, got " +
                     std::to_string(given->size()));
  for (size_t i = 0; i < n_inputs; ++i) {
    TensorType t = r.type();
    std::string name = r.str();
    if (!given) {
      vars.push_back(variable(std::move(t), std::move(name)));
      continue;
    }
    const Var& leaf = (*given)[i];
    if (!leaf) throw ValueError("load_graph: leaf " + std::to_string(i) + " is None");
    if (!t.accepts(leaf->type))
      throw TypeError("load_graph: leaf " + std::to_string(i) + (name.empty() ? "" : " ('" + name + "')") +
                      " was saved as " + t.str() + ", got " + leaf->type.str());
    vars.push_back(leaf);
  }
  if (fresh) *fresh = vars;
  const size_t n_entries = r.count("a number of entries");
  for (size_t e = 0; e < n_entries; ++e) {
    const uint8_t tag = r.u8();
    if (tag == kConstant) {
      vars.push_back(read_constant(r));
      continue;
    }
    if (tag != kNode) r.fail("an entry of kind " + std::to_string(tag));
    const size_t n_out = r.count("a number of node outputs");
    std::vector<TensorType> types(n_out);
    std::vector<std::string> names(n_out);
    for (size_t i = 0; i < n_out; ++i) {
      types[i] = r.type();
      names[i] = r.str();
    }
    const size_t n_in = r.count("a number of node inputs");
    std::vector<Var> inputs(n_in);
    for (auto& in : inputs) in = vars[r.index(vars.size(), "a variable number")];
    OpPtr op = transfer_op(ar, nullptr, types);
    const std::string where = "load_graph: node " + std::to_string(e) + " of " + what + " (" + op->name() + "): ";
    ApplyPtr node;
    try {
      node = make_apply(op, std::move(inputs));
    } catch (const UserError& err) {
      rethrow_with_message(err, where + err.what());
    }
    if (static_cast<size_t>(node->num_outputs()) != n_out)
      throw ValueError(where + "it was saved with " + std::to_string(n_out) + " outputs and is rebuilt with " +
                       std::to_string(node->num_outputs()));
    for (size_t i = 0; i < n_out; ++i) {
      Variable* out = node->raw_output(static_cast<int>(i));
      if (!compatible(types[i], out->type))
        throw TypeError(where + "output " + std::to_string(i) + " was saved as " + types[i].str() +
                        " and is rebuilt as " + out->type.str());
      out->name = std::move(names[i]);
    }
    for (int i = 0; i < node->num_outputs(); ++i) vars.push_back(node->output(i));
  }
  const size_t n_outputs = r.count("a number of outputs");
  std::vector<Var> outputs(n_outputs);
  for (auto& o : outputs) {
    const size_t k = r.index(vars.size() + 1, "an output number");
    if (k == 0 && !nulls) r.fail(what + " has a missing (None) output");
    if (k > 0) o = vars[k - 1];
  }
  return outputs;
}

}  // namespace

void Archive::fail(const std::string& what) const {
  if (r_) r_->fail(what);
  throw ValueError("save_graph: " + what);
}

void Archive::field(int64_t& v, int64_t lo, int64_t hi, const char* what) {
  if (saving()) {
    if (v < lo || v > hi)
      fail(std::string(what) + " " + std::to_string(v) + " is outside [" + std::to_string(lo) + ", " +
           std::to_string(hi) + "]");
    w_->ivar(v);
  } else {
    v = r_->int_in(lo, hi, what);
  }
}

void Archive::field(int& v, int lo, int hi, const char* what) {
  int64_t x = v;
  field(x, lo, hi, what);
  v = static_cast<int>(x);
}

void Archive::count(size_t& n, const char* what) { saving() ? w_->uvar(n) : void(n = r_->count(what)); }

void Archive::field(std::vector<int64_t>& v, int64_t lo, int64_t hi, const char* what) {
  size_t n = v.size();
  count(n, what);
  v.resize(n);
  for (auto& e : v) field(e, lo, hi, what);
}

void Archive::field(std::vector<int>& v, int lo, int hi, const char* what) {
  size_t n = v.size();
  count(n, what);
  v.resize(n);
  for (auto& e : v) field(e, lo, hi, what);
}

void Archive::field(std::vector<bool>& v) {
  size_t n = v.size();
  count(n, "a number of flags");
  v.resize(n);
  for (size_t i = 0; i < n; ++i) {
    bool b = v[i];
    field(b);
    v[i] = b;
  }
}

void Archive::graph(std::vector<Var>& inputs, std::vector<Var>& outputs, bool nulls, const std::string& what) {
  if (depth >= kMaxNesting) fail(what + " is nested more than " + std::to_string(kMaxNesting) + " inner graphs deep");
  ++depth;
  struct Leave {
    int& d;
    ~Leave() { --d; }
  } leave{depth};
  if (saving()) {
    for (const Var& o : outputs)
      if (!o && !nulls) fail(what + " has a missing (None) output");
    write_graph(*this, inputs, outputs, what);
  } else {
    outputs = read_graph(*this, nullptr, &inputs, nulls, what);
  }
}

}  // namespace serial

std::string save_graph(const std::vector<Var>& outputs, std::vector<Var>* leaves, const HostOpCodec* host) {
  for (size_t i = 0; i < outputs.size(); ++i)
    if (!outputs[i]) throw ValueError("save_graph: output " + std::to_string(i) + " is None");
  std::vector<Var> roots;
  for (const Var& v : graph_inputs(outputs))
    if (v->kind() != VarKind::Constant) roots.push_back(v);
  serial::Writer w;
  w.bytes(serial::kMagic, sizeof serial::kMagic);
  w.uvar(kGraphFormatVersion);
  serial::Archive ar(&w, host);
  serial::write_graph(ar, roots, outputs, "the graph");
  if (leaves) leaves->insert(leaves->end(), roots.begin(), roots.end());
  return w.take();
}

std::vector<Var> load_graph(std::string_view bytes, const std::vector<Var>& leaves, const HostOpCodec* host) {
  serial::Reader r(bytes);
  if (bytes.size() < sizeof serial::kMagic || std::memcmp(bytes.data(), serial::kMagic, sizeof serial::kMagic) != 0)
    throw ValueError("load_graph: these bytes are not a saved theon graph (they do not start with \"THEONGRF\")");
  r.take(sizeof serial::kMagic);
  const uint64_t version = r.uvar();
  if (version != kGraphFormatVersion)
    throw ValueError("load_graph: this graph was saved by a " +
                     std::string(version > kGraphFormatVersion ? "newer" : "older") + " theon (format " +
                     std::to_string(version) + "); this theon reads format " + std::to_string(kGraphFormatVersion));
  serial::Archive ar(&r, host);
  std::vector<Var> outputs = serial::read_graph(ar, &leaves, nullptr, false, "the graph");
  if (r.left()) r.fail(std::to_string(r.left()) + " bytes follow the end of the graph");
  return outputs;
}

}  // namespace theon
