// The byte encoding of saved graphs (compile/serialize.cpp): LEB128 varints
// (signed values zigzag-coded), IEEE doubles and length-prefixed strings,
// little-endian. The reader checks every read against the bytes left, so
// corrupt or truncated input is a ValueError, never a read out of bounds.
#pragma once
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "theon/error.hpp"
#include "theon/graph.hpp"

namespace theon::serial {

// The most dimensions a saved type or parameter may have (NumPy's limit).
inline constexpr int64_t kMaxNdim = 64;

class Writer {
 public:
  void u8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void boolean(bool v) { u8(v ? 1 : 0); }
  void uvar(uint64_t v) {
    while (v >= 0x80) {
      u8(static_cast<uint8_t>(v | 0x80));
      v >>= 7;
    }
    u8(static_cast<uint8_t>(v));
  }
  void ivar(int64_t v) { uvar((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63)); }
  void f64(double v) {
    uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    for (int i = 0; i < 8; ++i) u8(static_cast<uint8_t>(bits >> (8 * i)));
  }
  void bytes(const void* p, size_t n) { out_.append(static_cast<const char*>(p), n); }
  void str(std::string_view s) {
    uvar(s.size());
    bytes(s.data(), s.size());
  }
  template <class T>
  void ints(const std::vector<T>& v) {
    uvar(v.size());
    for (T e : v) ivar(static_cast<int64_t>(e));
  }
  void dtype(DType d) { u8(static_cast<uint8_t>(d)); }
  void type(const TensorType& t) {
    dtype(t.dtype);
    uvar(t.shape.size());
    for (int64_t d : t.shape) ivar(d);
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  size_t left() const { return in_.size() - pos_; }
  size_t pos() const { return pos_; }
  [[noreturn]] void fail(const std::string& what) const {
    throw ValueError("load_graph: corrupt graph data at byte " + std::to_string(pos_) + ": " + what);
  }
  uint8_t u8() {
    if (pos_ >= in_.size()) fail("the data ends early");
    return static_cast<uint8_t>(in_[pos_++]);
  }
  bool boolean() {
    const uint8_t b = u8();
    if (b > 1) fail("a flag of value " + std::to_string(b));
    return b == 1;
  }
  uint64_t uvar() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      const uint8_t b = u8();
      if (shift == 63 && b > 1) break;
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    fail("an integer longer than 64 bits");
  }
  int64_t ivar() {
    const uint64_t u = uvar();
    return static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
  }
  // An int64 in [lo, hi], named `what` in the error.
  int64_t int_in(int64_t lo, int64_t hi, const char* what) {
    const int64_t v = ivar();
    if (v < lo || v > hi)
      fail(std::string(what) + " " + std::to_string(v) + " is outside [" + std::to_string(lo) + ", " +
           std::to_string(hi) + "]");
    return v;
  }
  int i32(const char* what) {
    return static_cast<int>(int_in(std::numeric_limits<int>::min(), std::numeric_limits<int>::max(), what));
  }
  // A count of items that take at least one byte each: never more than the bytes left.
  size_t count(const char* what) {
    const uint64_t n = uvar();
    if (n > left())
      fail(std::string(what) + " " + std::to_string(n) + " exceeds the " + std::to_string(left()) + " bytes left");
    return static_cast<size_t>(n);
  }
  // An index into a table of n entries.
  size_t index(size_t n, const char* what) {
    const uint64_t i = uvar();
    if (i >= n) fail(std::string(what) + " " + std::to_string(i) + " is out of range (" + std::to_string(n) + ")");
    return static_cast<size_t>(i);
  }
  double f64() {
    const char* p = take(8);
    uint64_t bits = 0;
    for (int i = 0; i < 8; ++i) bits |= static_cast<uint64_t>(static_cast<uint8_t>(p[i])) << (8 * i);
    double v;
    std::memcpy(&v, &bits, sizeof v);
    return v;
  }
  const char* take(size_t n) {
    if (n > left())
      fail("the data ends early (" + std::to_string(n) + " bytes wanted, " + std::to_string(left()) + " left)");
    const char* p = in_.data() + pos_;
    pos_ += n;
    return p;
  }
  std::string str() {
    const size_t n = count("a string length");
    return std::string(take(n), n);
  }
  std::vector<int64_t> int64s(int64_t lo, int64_t hi, const char* what) {
    std::vector<int64_t> v(count(what));
    for (auto& e : v) e = int_in(lo, hi, what);
    return v;
  }
  std::vector<int> ints(int lo, int hi, const char* what) {
    std::vector<int> v(count(what));
    for (auto& e : v) e = static_cast<int>(int_in(lo, hi, what));
    return v;
  }
  // An enum stored as one byte, below `n` values.
  template <class E>
  E enumeration(int n, const char* what) {
    const uint8_t b = u8();
    if (b >= n)
      fail(std::string(what) + " " + std::to_string(b) + " is not one of the " + std::to_string(n) + " known");
    return static_cast<E>(b);
  }
  DType dtype() { return enumeration<DType>(kNumDTypes, "dtype"); }
  TensorType type() {
    const DType d = dtype();
    const size_t nd = count("a number of dimensions");
    if (static_cast<int64_t>(nd) > kMaxNdim) fail(std::to_string(nd) + " dimensions");
    Shape s(nd);
    for (auto& e : s) e = int_in(-1, std::numeric_limits<int64_t>::max(), "a static size");
    return TensorType(d, std::move(s));
  }

 private:
  std::string_view in_;
  size_t pos_ = 0;
};

}  // namespace theon::serial
