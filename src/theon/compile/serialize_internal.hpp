// What the graph records (compile/serialize.cpp) and the op records
// (compile/serialize_ops.cpp) share: an Archive that writes a field when saving
// and reads (and range-checks) it when loading, so that each op's fields are
// listed once for both directions.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "compile/serialize_io.hpp"
#include "theon/graph.hpp"
#include "theon/serialize.hpp"

namespace theon::serial {

// How deeply inner graphs (a scan inside an ifelse inside ...) may nest.
inline constexpr int kMaxNesting = 64;

class Archive {
 public:
  Archive(Writer* w, const HostOpCodec* host) : w_(w), host_(host) {}
  Archive(Reader* r, const HostOpCodec* host) : r_(r), host_(host) {}
  bool saving() const { return w_ != nullptr; }
  const HostOpCodec* host() const { return host_; }
  Writer& writer() { return *w_; }
  Reader& reader() { return *r_; }
  // A ValueError naming the direction (and, when loading, the byte offset).
  [[noreturn]] void fail(const std::string& what) const;

  void field(bool& v) { saving() ? w_->boolean(v) : void(v = r_->boolean()); }
  void field(double& v) { saving() ? w_->f64(v) : void(v = r_->f64()); }
  void field(std::string& v) { saving() ? w_->str(v) : void(v = r_->str()); }
  void field(DType& v) { saving() ? w_->dtype(v) : void(v = r_->dtype()); }
  void field(TensorType& v) { saving() ? w_->type(v) : void(v = r_->type()); }
  void field(int64_t& v, int64_t lo, int64_t hi, const char* what);
  void field(int& v, int lo, int hi, const char* what);
  void field(std::vector<int64_t>& v, int64_t lo, int64_t hi, const char* what);
  void field(std::vector<int>& v, int lo, int hi, const char* what);
  void field(std::vector<bool>& v);
  // A count of items that follow (bounded by the bytes left when loading).
  void count(size_t& n, const char* what);
  // An enum of `n` values, stored by its number.
  template <class E>
  void enumeration(E& v, int n, const char* what) {
    int64_t x = static_cast<int64_t>(v);
    field(x, 0, n - 1, what);
    v = static_cast<E>(x);
  }
  // An inner graph: its inputs (fresh variables when loading) and its outputs
  // (null entries allowed where `nulls`); `what` names it in errors.
  void graph(std::vector<Var>& inputs, std::vector<Var>& outputs, bool nulls, const std::string& what);

  int depth = 0;  // inner graphs entered

 private:
  Writer* w_ = nullptr;
  Reader* r_ = nullptr;
  const HostOpCodec* host_;
};

// One op record: its kind and parameters (compile/serialize_ops.cpp). Saving
// writes `op` and returns null; loading returns the op, made for a node with
// `output_types` (what the host codec needs).
OpPtr transfer_op(Archive& ar, const Op* op, const std::vector<TensorType>& output_types);

}  // namespace theon::serial
