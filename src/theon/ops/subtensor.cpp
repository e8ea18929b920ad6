// Indexing: Subtensor (basic slices/ints, a view), AdvancedSubtensor (NumPy
// integer-array indexing, a copy), and their IncSubtensor/AdvancedIncSubtensor
// counterparts behind set_subtensor/inc_subtensor.
//
// An op stores the index *layout* (which entries are ints, slices with which
// components, or arrays); the components themselves are the node's inputs after
// x (and y for the inc ops). At run time the layout and the component values
// resolve to a Region: the indexed elements of x as a strided walk plus, for
// advanced indexing, a table of byte offsets contributed by the index arrays.
#include <algorithm>
#include <cstring>
#include <limits>

#include "ops/op_info.hpp"
#include "theon/grad.hpp"
#include "theon/ops.hpp"

namespace theon {

namespace {

// ---- index layout --------------------------------------------------------------------

struct EntrySpec {
  IndexEntry::Kind kind = IndexEntry::Slice;
  bool start = false, stop = false, step = false;  // slice components present
  bool operator==(const EntrySpec&) const = default;
  int n_inputs() const { return kind == IndexEntry::Slice ? int(start) + int(stop) + int(step) : 1; }
};
using Layout = std::vector<EntrySpec>;

bool has_array(const Layout& l) {
  return std::any_of(l.begin(), l.end(), [](const EntrySpec& e) { return e.kind == IndexEntry::Array; });
}
int layout_inputs(const Layout& l) {
  int n = 0;
  for (auto& e : l) n += e.n_inputs();
  return n;
}

// Splits entries into a layout and the component variables (appended to `vars`).
Layout flatten(const std::vector<IndexEntry>& index, std::vector<Var>& vars, const char* fname) {
  Layout l;
  for (size_t a = 0; a < index.size(); ++a) {
    const IndexEntry& e = index[a];
    EntrySpec s;
    s.kind = e.kind;
    if (e.kind == IndexEntry::Slice) {
      s.start = e.start != nullptr, s.stop = e.stop != nullptr, s.step = e.step != nullptr;
      for (const Var* v : {&e.start, &e.stop, &e.step})
        if (*v) vars.push_back(*v);
    } else {
      if (!e.index) throw TypeError(std::string(fname) + ": the index for axis " + std::to_string(a) + " is None");
      vars.push_back(e.index);
    }
    l.push_back(s);
  }
  return l;
}

// Rebuilds index entries from a layout and a node's inputs starting at `first`.
std::vector<IndexEntry> unflatten(const Layout& l, const std::vector<Var>& in, size_t first) {
  std::vector<IndexEntry> out;
  size_t k = first;
  for (auto& s : l) {
    if (s.kind == IndexEntry::Slice) {
      Var a = s.start ? in[k++] : nullptr;
      Var b = s.stop ? in[k++] : nullptr;
      Var c = s.step ? in[k++] : nullptr;
      out.push_back(IndexEntry::slice(a, b, c));
    } else {
      out.push_back({s.kind, in[k++], nullptr, nullptr, nullptr});
    }
  }
  return out;
}

std::string layout_str(const Layout& l) {
  std::vector<std::string> p;
  for (auto& s : l) {
    if (s.kind == IndexEntry::Int)
      p.emplace_back("int");
    else if (s.kind == IndexEntry::Array)
      p.emplace_back("array");
    else
      p.push_back(std::string(s.start ? "a" : "") + ":" + (s.stop ? "b" : "") + (s.step ? ":c" : ""));
  }
  return "[" + join_strings(p, ", ") + "]";
}

// ---- static (build-time) analysis ----------------------------------------------------

// A constant index component, read exactly (a uint64 beyond int64 saturates).
bool const_int(const Var& v, int64_t* out) {
  bool too_big;
  return v && get_constant_index(v, out, &too_big);
}

// Python's slice.indices(n): clipped start, the step and the length.
struct SliceBounds {
  int64_t start, step, len;
};
SliceBounds adjust_slice(const int64_t* start, const int64_t* stop, int64_t step, int64_t n) {
  // -INT64_MIN overflows below; any step of magnitude >= n takes the same elements.
  step = std::max(step, -std::numeric_limits<int64_t>::max());
  auto clip = [&](const int64_t* v, int64_t dflt) {
    if (!v) return dflt;
    int64_t x = *v;
    if (x < 0) {
      x += n;
      if (x < 0) x = step < 0 ? -1 : 0;
    } else if (x >= n) {
      x = step < 0 ? n - 1 : n;
    }
    return x;
  };
  const int64_t b = clip(start, step < 0 ? n - 1 : 0);
  const int64_t e = clip(stop, step < 0 ? -1 : n);
  int64_t len = 0;
  if (step < 0 && e < b) len = (b - e - 1) / (-step) + 1;
  if (step > 0 && b < e) len = (e - b - 1) / step + 1;
  return {b, step, len};
}

[[noreturn]] void out_of_bounds(const std::string& shown, int64_t n, const std::string& op, int axis,
                                const Shape& xshape) {
  throw IndexError(op + ": index " + shown + " is out of bounds for axis " + std::to_string(axis) + " with size " +
                   std::to_string(n) + " (indexing an array of shape " + shape_str(xshape) + ")");
}

int64_t wrap_index(int64_t v, int64_t n, const std::string& op, int axis, const Shape& xshape) {
  if (v < -n || v >= n) out_of_bounds(std::to_string(v), n, op, axis, xshape);
  return v < 0 ? v + n : v;
}

// An integer scalar index: a uint64 too big for int64 is out of bounds, not
// the negative number its bits make.
int64_t wrap_index(const NDArray& i, int64_t n, const std::string& op, int axis, const Shape& xshape) {
  bool too_big;
  const int64_t v = i.item_index(&too_big);
  if (too_big) out_of_bounds(std::to_string(static_cast<uint64_t>(i.get_int(0))), n, op, axis, xshape);
  return wrap_index(v, n, op, axis, xshape);
}

// A uint64 index array as int64 positions; values beyond int64 are out of bounds.
void check_uint64_indices(const NDArray& v, int64_t n, const std::string& op, int axis, const Shape& xshape) {
  const NDArray c = v.contiguous();
  const uint64_t* p = c.ptr<uint64_t>();
  for (int64_t i = 0, m = c.size(); i < m; ++i)
    if (p[i] > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      out_of_bounds(std::to_string(p[i]), n, op, axis, xshape);
}

void check_int_scalar(const std::string& op, const Var& v, const char* what, size_t axis) {
  if (v->ndim() != 0 || !is_int(v->dtype()))
    throw TypeError(op + ": the " + what + " for axis " + std::to_string(axis) + " must be an integer scalar, got " +
                    v->type.str());
}

// Validates the index components and returns the static type of x[index].
TensorType indexed_type(const std::string& op, const TensorType& x, const Layout& l, const std::vector<Var>& in,
                        size_t first) {
  if (static_cast<int>(l.size()) > x.ndim())
    throw IndexError(op + ": too many indices for " + x.str() + ": " + std::to_string(l.size()) + " indices for " +
                     std::to_string(x.ndim()) + " dimensions");
  if (in.size() != first + static_cast<size_t>(layout_inputs(l)))
    throw TypeError(op + ": expected " + std::to_string(first + layout_inputs(l)) + " inputs for the index layout " +
                    layout_str(l) + ", got " + std::to_string(in.size()));
  const bool adv = has_array(l);
  std::vector<int64_t> before, after, bshape;  // slice dims before/after the index dims, and those
  bool seen_adv = false, gap = false;
  size_t k = first;
  for (size_t a = 0; a < l.size(); ++a) {
    const EntrySpec& s = l[a];
    const int64_t n = x.shape[a];
    if (s.kind != IndexEntry::Slice) {
      const Var& v = in[k++];
      if (s.kind == IndexEntry::Int) {
        check_int_scalar(op, v, "index", a);
        if (const Constant* c = as_constant(v); c && n >= 0 && c->value.size() == 1)
          wrap_index(c->value, n, op, static_cast<int>(a), x.shape);
      } else if (!is_int(v->dtype())) {
        throw TypeError(op + ": index arrays must have an integer dtype, got " + v->type.str() + " for axis " +
                        std::to_string(a) + (is_bool(v->dtype()) ? " (boolean masks are not supported)" : ""));
      }
      if (!adv) continue;
      if (seen_adv && !after.empty()) gap = true;
      seen_adv = true;
      // Broadcast the index shapes (NumPy rules: right-aligned, 1 stretches).
      const auto& vs = v->type.shape;
      if (vs.size() > bshape.size()) bshape.insert(bshape.begin(), vs.size() - bshape.size(), 1);
      for (size_t i = 0; i < vs.size(); ++i) {
        int64_t& b = bshape[bshape.size() - vs.size() + i];
        const int64_t d = vs[i];
        if (d == 1) continue;
        if (b == 1)
          b = d;
        else if (d >= 0 && b >= 0 && d != b)
          throw IndexError(op + ": shape mismatch: indexing arrays could not be broadcast together (sizes " +
                           std::to_string(b) + " and " + std::to_string(d) + ")");
        else if (b < 0 && d >= 0)
          b = d;
      }
      continue;
    }
    const Var* comps[3] = {nullptr, nullptr, nullptr};
    if (s.start) comps[0] = &in[k++];
    if (s.stop) comps[1] = &in[k++];
    if (s.step) comps[2] = &in[k++];
    static const char* names[3] = {"slice start", "slice stop", "slice step"};
    int64_t vals[3] = {0, 0, 1};
    bool known[3] = {true, true, true};
    for (int c = 0; c < 3; ++c) {
      if (!comps[c]) continue;
      check_int_scalar(op, *comps[c], names[c], a);
      known[c] = const_int(*comps[c], &vals[c]);
    }
    if (known[2] && vals[2] == 0) throw ValueError(op + ": slice step cannot be zero (axis " + std::to_string(a) + ")");
    int64_t len = -1;
    if (n >= 0 && known[0] && known[1] && known[2]) {
      len = adjust_slice(comps[0] ? &vals[0] : nullptr, comps[1] ? &vals[1] : nullptr, vals[2], n).len;
    } else if (!comps[0] && !comps[1] && known[2] && (vals[2] == 1 || vals[2] == -1)) {
      len = n;
    }
    (seen_adv ? after : before).push_back(len);
  }
  for (int a = static_cast<int>(l.size()); a < x.ndim(); ++a) (seen_adv ? after : before).push_back(x.shape[a]);
  std::vector<int64_t> shape;
  if (gap) {  // non-adjacent index arrays: their dims go first
    shape = bshape;
    shape.insert(shape.end(), before.begin(), before.end());
  } else {
    shape = before;
    shape.insert(shape.end(), bshape.begin(), bshape.end());
  }
  shape.insert(shape.end(), after.begin(), after.end());
  return TensorType(x.dtype, shape);
}

// ---- run-time resolution -----------------------------------------------------------

// The indexed elements of an array: region dim d walks `xstride[d]` bytes of the
// array and `bstride[d]` entries of `table` (the index arrays' byte offsets).
struct Region {
  Shape shape;
  Strides xstride;
  std::vector<int64_t> bstride;
  int64_t offset = 0;
  std::vector<int64_t> table{0};
};

Region resolve(const std::string& op, const Layout& l, const Shape& xshape, const Strides& xstrides,
               const std::vector<NDArray>& in, size_t first) {
  if (l.size() > xshape.size()) throw IndexError(op + ": too many indices for an array of shape " + shape_str(xshape));
  const bool adv = has_array(l);
  Region r;
  struct Dim {
    int64_t len, stride;
  };
  std::vector<Dim> before, after;
  std::vector<int> adv_axes;
  std::vector<NDArray> adv_idx;
  bool gap = false;
  size_t k = first;
  for (size_t a = 0; a < l.size(); ++a) {
    const EntrySpec& s = l[a];
    const int64_t n = xshape[a];
    if (s.kind == IndexEntry::Int && !adv) {
      r.offset += wrap_index(in[k++], n, op, static_cast<int>(a), xshape) * xstrides[a];
    } else if (s.kind != IndexEntry::Slice) {
      if (!adv_axes.empty() && !after.empty()) gap = true;
      adv_axes.push_back(static_cast<int>(a));
      const NDArray& v = in[k++];
      if (!is_int(v.dtype)) throw IndexError(op + ": index arrays must have an integer dtype, got " + v.str());
      if (v.dtype == DType::UInt64) check_uint64_indices(v, n, op, static_cast<int>(a), xshape);
      adv_idx.push_back(v.dtype == DType::Int64 && v.is_c_contiguous() ? v : v.astype(DType::Int64));
    } else {
      int64_t vals[3] = {0, 0, 1};
      const bool has[3] = {s.start, s.stop, s.step};
      bool too_big;  // a uint64 bound beyond int64 saturates: it is past the end, as in NumPy
      for (int c = 0; c < 3; ++c)
        if (has[c]) vals[c] = in[k++].item_index(&too_big);
      if (vals[2] == 0)
        throw ValueError(op + ": slice step cannot be zero (axis " + std::to_string(a) + ", array of shape " +
                         shape_str(xshape) + ")");
      SliceBounds b = adjust_slice(s.start ? &vals[0] : nullptr, s.stop ? &vals[1] : nullptr, vals[2], n);
      if (b.len > 0) r.offset += b.start * xstrides[a];
      // One element or none: the step is never taken (and a huge one would overflow).
      const int64_t stride = b.len > 1 ? b.step * xstrides[a] : xstrides[a];
      (adv_axes.empty() ? before : after).push_back({b.len, stride});
    }
  }
  for (size_t a = l.size(); a < xshape.size(); ++a)
    (adv_axes.empty() ? before : after).push_back({xshape[a], xstrides[a]});

  // Broadcast the index arrays and tabulate their byte offsets.
  Shape bshape;
  for (auto& v : adv_idx) {
    if (v.ndim() > static_cast<int>(bshape.size())) bshape.insert(bshape.begin(), v.ndim() - bshape.size(), 1);
    for (int i = 0; i < v.ndim(); ++i) {
      int64_t& b = bshape[bshape.size() - v.ndim() + i];
      const int64_t d = v.shape[i];
      if (d == b || d == 1) continue;
      if (b != 1) {
        std::vector<std::string> shapes;
        for (auto& w : adv_idx) shapes.push_back(shape_str(w.shape));
        throw IndexError(op + ": shape mismatch: indexing arrays could not be broadcast together with shapes " +
                         join_strings(shapes, " "));
      }
      b = d;
    }
  }
  const int bnd = static_cast<int>(bshape.size());
  Strides bstr(bnd);
  int64_t bsize = 1;
  for (int d = bnd - 1; d >= 0; --d) bstr[d] = bsize, bsize *= bshape[d];
  if (adv) {
    r.table.assign(bsize, 0);
    std::vector<int64_t> pos(bnd);
    for (size_t j = 0; j < adv_idx.size(); ++j) {
      const NDArray& v = adv_idx[j];
      const int axis = adv_axes[j];
      const int pad = bnd - v.ndim();
      Strides es(bnd, 0);  // element strides of v broadcast to bshape
      for (int i = 0; i < v.ndim(); ++i) es[pad + i] = v.shape[i] == 1 ? 0 : v.strides[i] / 8;
      const int64_t* p = v.ptr<int64_t>();
      std::fill(pos.begin(), pos.end(), 0);
      int64_t off = 0;
      for (int64_t f = 0; f < bsize; ++f) {
        r.table[f] += wrap_index(p[off], xshape[axis], op, axis, xshape) * xstrides[axis];
        for (int d = bnd - 1; d >= 0; --d) {
          if (++pos[d] < bshape[d]) {
            off += es[d];
            break;
          }
          off -= es[d] * (bshape[d] - 1);
          pos[d] = 0;
        }
      }
    }
  }
  auto push = [&](const std::vector<Dim>& ds) {
    for (auto& d : ds) r.shape.push_back(d.len), r.xstride.push_back(d.stride), r.bstride.push_back(0);
  };
  auto push_b = [&] {
    for (int d = 0; d < bnd; ++d) r.shape.push_back(bshape[d]), r.xstride.push_back(0), r.bstride.push_back(bstr[d]);
  };
  if (gap) {
    push_b();
    push(before);
  } else {
    push(before);
    push_b();
  }
  push(after);
  return r;
}

// Calls f(region element of `pbase`, matching element of the other operand) in
// C order over the region; `ostr` are the other operand's byte strides.
template <class F>
void walk(const Region& r, char* pbase, char* obase, const Strides& ostr, F&& f) {
  int64_t total = 1;
  for (auto s : r.shape) total *= s;
  if (total == 0) return;
  const int nd = static_cast<int>(r.shape.size());
  if (nd == 0) {
    f(pbase + r.offset + r.table[0], obase);
    return;
  }
  const int64_t n = r.shape[nd - 1], xs = r.xstride[nd - 1], bs = r.bstride[nd - 1], os = ostr[nd - 1];
  const int64_t* table = r.table.data();
  std::vector<int64_t> idx(nd, 0);
  for (int64_t row = 0, rows = total / n; row < rows; ++row) {
    char* p = pbase + r.offset;
    char* o = obase;
    int64_t b = 0;
    for (int d = 0; d < nd - 1; ++d) p += idx[d] * r.xstride[d], o += idx[d] * ostr[d], b += idx[d] * r.bstride[d];
    for (int64_t i = 0; i < n; ++i) f(p + i * xs + table[b + i * bs], o + i * os);
    for (int d = nd - 2; d >= 0; --d) {
      if (++idx[d] < r.shape[d]) break;
      idx[d] = 0;
    }
  }
}

inline void copy_elem(char* dst, const char* src, size_t isz) {
  switch (isz) {
    case 1:
      *dst = *src;
      break;
    case 2:
      std::memcpy(dst, src, 2);
      break;
    case 4:
      std::memcpy(dst, src, 4);
      break;
    case 8:
      std::memcpy(dst, src, 8);
      break;
    case 16:
      std::memcpy(dst, src, 16);
      break;
    default:
      std::memcpy(dst, src, isz);
  }
}

// ---- the ops -----------------------------------------------------------------------

class IndexOpBase : public Op {
 public:
  IndexOpBase(Layout l, bool adv) : layout_(std::move(l)), adv_(adv) {}
  const Layout& layout() const { return layout_; }
  bool advanced() const { return adv_; }

 protected:
  bool same_index(const IndexOpBase& o) const { return o.adv_ == adv_ && o.layout_ == layout_; }
  size_t index_hash() const {
    size_t h = std::hash<std::string>()(name());
    for (auto& s : layout_)
      h = h * 1000003u +
          (static_cast<size_t>(s.kind) << 3 | size_t(s.start) << 2 | size_t(s.stop) << 1 | size_t(s.step));
    return h;
  }
  Layout layout_;
  bool adv_;
};

class SubtensorOp final : public IndexOpBase {
 public:
  OpKind kind() const override { return OpKind::Subtensor; }
  using IndexOpBase::IndexOpBase;
  std::string name() const override { return adv_ ? "AdvancedSubtensor" : "Subtensor"; }
  int view_of(int) const override { return adv_ ? -1 : 0; }
  bool connected(int i) const override { return i == 0; }
  bool equals(const Op& o) const override {
    auto* s = dynamic_cast<const SubtensorOp*>(&o);
    return s && same_index(*s);
  }
  size_t hash() const override { return index_hash(); }

  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override {
    if (in.empty() || !in[0]) throw TypeError(name() + ": missing the indexed tensor");
    return {indexed_type(name(), in[0]->type, layout_, in, 1)};
  }

  void perform(const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws) const override {
    const NDArray& x = in[0];
    Region r = resolve(name(), layout_, x.shape, x.strides, in, 1);
    if (!adv_) {  // a view
      NDArray o;
      o.dtype = x.dtype;
      o.base = x.base;
      o.shape = r.shape;
      o.strides = r.xstride;
      int64_t total = 1;
      for (auto s : r.shape) total *= s;
      o.data = total == 0 ? x.data : x.data + r.offset;
      out[0] = std::move(o);
      return;
    }
    NDArray o = ws.empty(x.dtype, r.shape);
    const size_t isz = itemsize(x.dtype);
    walk(r, x.data, o.data, o.strides, [isz](char* px, char* po) { copy_elem(po, px, isz); });
    out[0] = std::move(o);
  }

  bool linear() const override { return true; }
  std::vector<Var> grad(const Apply& node, const std::vector<Var>& gouts) const override {
    std::vector<Var> gs(node.inputs.size(), nullptr);
    const Var& x = node.inputs[0];
    if (!is_inexact(x->dtype()) || !gouts[0]) return gs;
    std::vector<IndexEntry> idx = unflatten(layout_, node.inputs, 1);
    Var gz = gouts[0]->dtype() == x->dtype() ? gouts[0] : cast(gouts[0], x->dtype());
    gs[0] = inc_subtensor(subtensor(zeros_like(x), idx), gz);
    return gs;
  }
};

class IncSubtensorOp final : public IndexOpBase {
 public:
  OpKind kind() const override { return OpKind::IncSubtensor; }
  IncSubtensorOp(Layout l, bool adv, bool set, bool inplace = false)
      : IndexOpBase(std::move(l), adv), set_(set), inplace_(inplace) {}
  std::string name() const override {
    return std::string(adv_ ? "AdvancedIncSubtensor" : "IncSubtensor") + (inplace_ ? "{inplace}" : "");
  }
  int destroys() const override { return inplace_ ? 0 : -1; }
  std::shared_ptr<const Op> inplace_variant() const {
    return std::make_shared<IncSubtensorOp>(layout_, adv_, set_, true);
  }
  std::string desc() const { return name() + (set_ ? "{set}" : "{inc}"); }
  bool sets() const { return set_; }
  bool connected(int i) const override { return i < 2; }
  bool equals(const Op& o) const override {
    auto* s = dynamic_cast<const IncSubtensorOp*>(&o);
    return s && same_index(*s) && s->set_ == set_ && s->inplace_ == inplace_;
  }
  size_t hash() const override { return index_hash() * 2 + (set_ ? 1 : 0); }

  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override {
    if (in.size() < 2 || !in[0] || !in[1]) throw TypeError(desc() + ": missing x or y");
    const TensorType region = indexed_type(desc(), in[0]->type, layout_, in, 2);
    const TensorType& y = in[1]->type;
    if (y.dtype != in[0]->dtype())
      throw TypeError(desc() + ": y has dtype " + std::string(dtype_name(y.dtype)) + " but x has dtype " +
                      std::string(dtype_name(in[0]->dtype())) + " (cast y first)");
    if (y.ndim() > region.ndim())
      throw TypeError(desc() + ": y of type " + y.str() + " has more dimensions than the indexed region " +
                      region.str());
    const int pad = region.ndim() - y.ndim();
    for (int d = 0; d < y.ndim(); ++d) {
      const int64_t ys = y.shape[d], rs = region.shape[pad + d];
      if (ys >= 0 && rs >= 0 && ys != rs && ys != 1)
        throw ValueError(desc() + ": cannot broadcast y of static shape " + shape_str(y.shape) +
                         " to the indexed region of static shape " + shape_str(region.shape));
    }
    return {in[0]->type};
  }

  void perform(const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace& ws) const override {
    const NDArray& x = in[0];
    NDArray y = in[1].dtype == x.dtype ? in[1] : in[1].astype(x.dtype);
    NDArray o;
    if (ws.destroy_ok) {
      o = x;  // the runtime owns x's buffer and nobody reads it after this node
    } else {
      o = ws.empty(x.dtype, x.shape);
      copy_into(x, o);
    }
    Region r = resolve(desc(), layout_, o.shape, o.strides, in, 2);
    const int nd = static_cast<int>(r.shape.size());
    if (y.ndim() > nd)
      throw ValueError(desc() + ": y of shape " + shape_str(y.shape) + " has more dimensions than the indexed region " +
                       shape_str(r.shape));
    const int pad = nd - y.ndim();
    Strides ys(nd, 0);
    for (int d = 0; d < y.ndim(); ++d) {
      const int64_t n = y.shape[d], rn = r.shape[pad + d];
      const bool bcast = ws.node ? ws.node->inputs[1]->type.shape[d] == 1 : n == 1;
      if (n == rn) {
        ys[pad + d] = n == 1 ? 0 : y.strides[d];
      } else if (n != 1 || !bcast) {
        throw ValueError(desc() + ": cannot broadcast y of shape " + shape_str(y.shape) + " (" + y.str() +
                         ") to the indexed region of shape " + shape_str(r.shape) + " of x with shape " +
                         shape_str(x.shape) +
                         " (only dimensions of y whose type is broadcastable, i.e. of static size 1, broadcast)");
      }
    }
    if (set_) {
      const size_t isz = itemsize(x.dtype);
      walk(r, o.data, y.data, ys, [isz](char* po, char* py) { copy_elem(po, py, isz); });
    } else {
      visit_dtype(x.dtype, [&]<class T>() {
        walk(r, o.data, y.data, ys, [](char* po, char* py) {
          T& d = *reinterpret_cast<T*>(po);
          const T s = *reinterpret_cast<const T*>(py);
          if constexpr (std::is_same_v<T, bool>)
            d = d || s;
          else
            d = static_cast<T>(d + s);
        });
      });
    }
    out[0] = std::move(o);
  }

  bool linear() const override { return true; }
  std::vector<Var> grad(const Apply& node, const std::vector<Var>& gouts) const override {
    std::vector<Var> gs(node.inputs.size(), nullptr);
    const Var& x = node.inputs[0];
    const Var& y = node.inputs[1];
    if (!gouts[0]) return gs;
    const Var gz = gouts[0]->dtype() == x->dtype() ? gouts[0] : cast(gouts[0], x->dtype());
    std::vector<IndexEntry> idx = unflatten(layout_, node.inputs, 2);
    if (is_inexact(x->dtype())) gs[0] = set_ ? set_subtensor(subtensor(gz, idx), constant_like(0, gz->dtype())) : gz;
    if (is_inexact(y->dtype())) {
      Var g = sum_to_like(subtensor(gz, idx), y);
      gs[1] = g->dtype() == y->dtype() ? g : cast(g, y->dtype());
    }
    return gs;
  }

 private:
  bool set_;
  bool inplace_;
};

Var inc_or_set(const Var& indexed, const Var& y, bool set);

// y may have at most the region's rank (it broadcasts from the left).
void check_value_rank(const Var& region, const Var& y, bool set) {
  if (y->ndim() > region->ndim())
    throw TypeError(std::string(set ? "set_subtensor: cannot set" : "inc_subtensor: cannot increment") + " a " +
                    std::to_string(region->ndim()) + "-dimensional region (" + region->type.str() + ") with a " +
                    std::to_string(y->ndim()) + "-dimensional value (" + y->type.str() + ")");
}

// indexed = DimShuffle(r) of an indexing result r (x[None, 1:3], x[i].T): y,
// broadcast to indexed's shape, is laid out as r and goes to r instead. The
// axes the DimShuffle added must be 1 in y too (checked at run time if unknown).
Var inc_or_set_through_dimshuffle(const Var& indexed, const Var& y, bool set) {
  const std::vector<int>& order = dimshuffle_order(*indexed->owner->op);
  const Var& r = indexed->owner->inputs[0];
  const int nd = indexed->ndim();
  check_value_rank(indexed, y, set);
  std::vector<int> pad(nd - y->ndim(), -1);
  for (int d = 0; d < y->ndim(); ++d) pad.push_back(d);
  Var yy = y->ndim() < nd ? dimshuffle(y, pad) : y;
  std::vector<int64_t> ones(nd, kKeepLength);
  for (int i = 0; i < nd; ++i) {
    if (order[i] >= 0) continue;
    ones[i] = 1;
    if (yy->type.shape[i] > 1)
      throw ValueError(std::string(set ? "set_subtensor" : "inc_subtensor") + ": y (" + y->type.str() +
                       ") does not broadcast to the region (" + indexed->type.str() + "): axis " + std::to_string(i) +
                       " of the region has length 1, y's " + std::to_string(yy->type.shape[i]));
  }
  yy = specify_static_shape(yy, ones);
  std::vector<int> back(r->ndim(), -1);  // an axis of r the DimShuffle dropped gets a new one in y
  for (int i = 0; i < nd; ++i)
    if (order[i] >= 0) back[order[i]] = i;
  return inc_or_set(r, dimshuffle(yy, back), set);
}

Var inc_or_set(const Var& indexed, const Var& y, bool set) {
  const std::string fname = set ? "set_subtensor" : "inc_subtensor";
  if (indexed && y && indexed->owner && indexed->owner->op->kind() == OpKind::DimShuffle) {
    const Var& r = indexed->owner->inputs[0];
    if (r->owner && dynamic_cast<const SubtensorOp*>(r->owner->op.get()))
      return inc_or_set_through_dimshuffle(indexed, y, set);
  }
  const IndexOpBase* op =
      indexed && indexed->owner ? dynamic_cast<const SubtensorOp*>(indexed->owner->op.get()) : nullptr;
  if (!op)
    throw TypeError(
        "set_subtensor/inc_subtensor: the first argument must be the result of indexing, e.g. x[1:3]" +
        std::string(indexed ? ", got " + indexed->str() + " of type " + indexed->type.str() : ", got None"));
  if (!y) throw TypeError(fname + ": y is None");
  const std::vector<Var>& ins = indexed->owner->inputs;
  const Var& x = ins[0];
  check_value_rank(indexed, y, set);
  Var yy = y;
  const DType xd = x->dtype(), yd = y->dtype();
  if (yd != xd) {
    if ((is_inexact(yd) && !is_inexact(xd)) || (is_complex(yd) && !is_complex(xd)))
      throw TypeError(fname + ": cannot " + (set ? "set" : "increment") + " a region of x with dtype " +
                      std::string(dtype_name(xd)) + " by y of dtype " + std::string(dtype_name(yd)) +
                      ": that would downcast y; cast it explicitly first");
    yy = cast(y, xd);
  }
  std::vector<Var> inputs{x, yy};
  inputs.insert(inputs.end(), ins.begin() + 1, ins.end());
  return apply1(std::make_shared<IncSubtensorOp>(op->layout(), op->advanced(), set), std::move(inputs));
}

}  // namespace

Var subtensor(const Var& x, const std::vector<IndexEntry>& index) {
  if (!x) throw TypeError("subtensor: the indexed tensor is None");
  std::vector<Var> inputs{x};
  Layout l = flatten(index, inputs, "subtensor");
  const bool adv = has_array(l);
  return apply1(std::make_shared<SubtensorOp>(std::move(l), adv), std::move(inputs));
}

Var set_subtensor(const Var& indexed, const Var& y) { return inc_or_set(indexed, y, true); }
Var inc_subtensor(const Var& indexed, const Var& y) { return inc_or_set(indexed, y, false); }

std::vector<IndexEntry> index_entries(const Apply& node) {
  const auto& op = static_cast<const IndexOpBase&>(*node.op);
  return unflatten(op.layout(), node.inputs, node.op->kind() == OpKind::IncSubtensor ? 2 : 1);
}
bool index_advanced(const Op& op) { return static_cast<const IndexOpBase&>(op).advanced(); }
bool inc_subtensor_sets(const Op& op) { return static_cast<const IncSubtensorOp&>(op).sets(); }
OpPtr inc_subtensor_inplace(const Op& op) { return static_cast<const IncSubtensorOp&>(op).inplace_variant(); }

}  // namespace theon
