// LoadFromDisk: a NumPy .npy file read at each call. Its CPU kernel (the .npy
// reader) lives in backend/cpu/io.cpp.
#pragma once
#include <string>
#include <vector>

#include "theon/graph.hpp"
#include "theon/ops.hpp"

namespace theon::ops {

class LoadFromDisk final : public Op {
 public:
  OpKind kind() const override { return OpKind::LoadFromDisk; }
  LoadFromDisk(std::string path, TensorType type, bool mmap)
      : path_(std::move(path)), type_(std::move(type)), mmap_(mmap) {}
  const std::string& path() const { return path_; }
  const TensorType& type() const { return type_; }  // what the file must hold
  bool mmap() const { return mmap_; }               // map copy-on-write instead of reading
  std::string name() const override {
    return "LoadFromDisk{" + std::string(dtype_name(type_.dtype)) + ", " + shape_str(type_.shape) +
           (mmap_ ? ", mmap c" : "") + ", " + path_ + "}";
  }
  bool equals(const Op& o) const override {
    auto* l = dynamic_cast<const LoadFromDisk*>(&o);
    return l && l->path_ == path_ && l->type_ == type_ && l->mmap_ == mmap_;
  }
  std::vector<TensorType> infer_types(const std::vector<Var>& in) const override {
    if (!in.empty()) throw TypeError(name() + " takes no inputs, got " + std::to_string(in.size()));
    return {type_};
  }

 private:
  std::string path_;
  TensorType type_;
  bool mmap_;
};

}  // namespace theon::ops
