// The indexing ops: what Subtensor and IncSubtensor (and their Advanced
// forms) mean, and the index layout and arithmetic their type checks
// (ops/subtensor.cpp) share with their CPU kernels (backend/cpu/subtensor.cpp).
#pragma once
#include <algorithm>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "theon/graph.hpp"
#include "theon/ops.hpp"

namespace theon::ops {

// ---- index layout --------------------------------------------------------------------

struct EntrySpec {
  IndexEntry::Kind kind = IndexEntry::Slice;
  bool start = false, stop = false, step = false;  // slice components present
  bool operator==(const EntrySpec&) const = default;
  int n_inputs() const { return kind == IndexEntry::Slice ? int(start) + int(stop) + int(step) : 1; }
};
using IndexLayout = std::vector<EntrySpec>;

inline bool has_array(const IndexLayout& l) {
  return std::any_of(l.begin(), l.end(), [](const EntrySpec& e) { return e.kind == IndexEntry::Array; });
}

// ---- index arithmetic ----------------------------------------------------------------

// Python's slice.indices(n): clipped start, the step and the length.
struct SliceBounds {
  int64_t start, step, len;
};
inline SliceBounds adjust_slice(const int64_t* start, const int64_t* stop, int64_t step, int64_t n) {
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

[[noreturn]] inline void out_of_bounds(const std::string& shown, int64_t n, const std::string& op, int axis,
                                       const Shape& xshape) {
  throw IndexError(op + ": index " + shown + " is out of bounds for axis " + std::to_string(axis) + " with size " +
                   std::to_string(n) + " (indexing an array of shape " + shape_str(xshape) + ")");
}

inline int64_t wrap_index(int64_t v, int64_t n, const std::string& op, int axis, const Shape& xshape) {
  if (v < -n || v >= n) out_of_bounds(std::to_string(v), n, op, axis, xshape);
  return v < 0 ? v + n : v;
}

// An integer scalar index: a uint64 too big for int64 is out of bounds, not
// the negative number its bits make.
inline int64_t wrap_index(const NDArray& i, int64_t n, const std::string& op, int axis, const Shape& xshape) {
  bool too_big;
  const int64_t v = i.item_index(&too_big);
  if (too_big) out_of_bounds(std::to_string(static_cast<uint64_t>(i.get_int(0))), n, op, axis, xshape);
  return wrap_index(v, n, op, axis, xshape);
}

// ---- the ops -----------------------------------------------------------------------

// What the indexing ops share: the index layout and whether it has index arrays.
class IndexOpBase : public Op {
 public:
  IndexOpBase(IndexLayout l, bool adv) : layout_(std::move(l)), adv_(adv) {}
  const IndexLayout& layout() const { return layout_; }
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
  IndexLayout layout_;
  bool adv_;
};

// x[index]: a view for basic indexing, a copy for advanced. Inputs (x, components...).
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

  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override;
  // Basic indexing: a slice's length from its bounds and the input's size
  // (Python's slice.indices, built symbolically; a symbolic step: unknown).
  Var infer_shape(const Apply& node, int output, int axis, const InputSize& input_size) const override;

  bool linear() const override { return true; }
  std::vector<Var> grad(const Apply& node, const std::vector<Var>& gouts) const override;
};

// x with x[index] set to y or incremented by y. Inputs (x, y, components...).
class IncSubtensorOp final : public IndexOpBase {
 public:
  OpKind kind() const override { return OpKind::IncSubtensor; }
  IncSubtensorOp(IndexLayout l, bool adv, bool set, bool inplace = false)
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
  bool inplace() const { return inplace_; }
  bool connected(int i) const override { return i < 2; }
  bool equals(const Op& o) const override {
    auto* s = dynamic_cast<const IncSubtensorOp*>(&o);
    return s && same_index(*s) && s->set_ == set_ && s->inplace_ == inplace_;
  }
  size_t hash() const override { return index_hash() * 2 + (set_ ? 1 : 0); }

  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override;
  Var infer_shape(const Apply&, int, int axis, const InputSize& input_size) const override {
    return input_size(0, axis);  // x's shape
  }

  bool linear() const override { return true; }
  std::vector<Var> grad(const Apply& node, const std::vector<Var>& gouts) const override;

 private:
  bool set_;
  bool inplace_;
};

}  // namespace theon::ops
