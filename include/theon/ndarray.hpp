// A strided n-dimensional array over shared storage: the runtime value type.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "theon/dims.hpp"
#include "theon/dtype.hpp"

namespace theon {

using Shape = Dims;
using Strides = Dims;  // in bytes

std::string shape_str(const Shape& s);                // "(3, 4)"
std::string ints_str(const std::vector<int64_t>& v);  // "(3, -1)": parameters as given (shape_str shows -1 as ?)

// Where an array's storage lives. Host memory only today; a backend checks the
// device of every buffer its kernels receive (backend/backend.hpp).
enum class Device : uint8_t { Host };
const char* device_name(Device d);  // "host"

struct NDArray {
  DType dtype = DType::Float64;
  Shape shape;
  Strides strides;
  std::shared_ptr<void> base;  // keeps the storage alive (our buffer or a NumPy array)
  char* data = nullptr;        // first element
  Device device = Device::Host;

  // User-provided so that NDArray() does not zero-fill the inline shape storage first.
  NDArray() noexcept {}

  static NDArray empty(DType dtype, const Shape& shape);
  // A C-contiguous array header (shape checked, strides set) without storage yet.
  static NDArray layout(DType dtype, const Shape& shape);
  static NDArray zeros(DType dtype, const Shape& shape);
  // Wraps external memory; `owner` keeps it alive.
  static NDArray wrap(void* data, DType dtype, Shape shape, Strides strides, std::shared_ptr<void> owner);
  template <class T>
  static NDArray scalar(T v) {
    NDArray a = empty(dtype_of<T>(), {});
    *reinterpret_cast<T*>(a.data) = v;
    return a;
  }
  template <class T>
  static NDArray from_vector(const std::vector<T>& v, const Shape& shape);

  int ndim() const { return static_cast<int>(shape.size()); }
  int64_t size() const;
  size_t nbytes() const { return static_cast<size_t>(size()) * itemsize(dtype); }
  bool defined() const { return data != nullptr || (base != nullptr); }
  bool is_c_contiguous() const;
  template <class T>
  T* ptr() const {
    return reinterpret_cast<T*>(data);
  }
  // Element access by flat C-order index (slow; for tests and scalars).
  double get_double(int64_t flat) const;
  int64_t get_int(int64_t flat) const;
  // Reads a 0-d (or 1-element) array as int64 / double.
  int64_t item_int() const { return get_int(0); }
  double item_double() const { return get_double(0); }
  // Reads a 1-element integer array exactly as an index or bound: a uint64
  // above INT64_MAX (which int64 would wrap negative) reads INT64_MAX and
  // sets *too_big.
  int64_t item_index(bool* too_big) const;

  NDArray copy() const;           // C-contiguous copy
  NDArray contiguous() const;     // self if C-contiguous, else a copy
  NDArray astype(DType d) const;  // converting copy
  bool shares_memory_with(const NDArray& o) const { return base && base == o.base; }
  std::string str() const;  // short description: dtype + shape
};

Strides c_strides(const Shape& shape, size_t itemsize);

// a * b for sizes and counts; false when the product does not fit in int64.
inline bool mul_fits(int64_t a, int64_t b, int64_t* out) { return !__builtin_mul_overflow(a, b, out); }

// The number of elements of `shape` (dims < 0, unknown in static types, are
// skipped), or -1 when the count, or its byte size at `itemsize`, exceeds what
// an array can hold (PTRDIFF_MAX bytes, as NumPy).
int64_t element_count_or_minus1(const Shape& shape, size_t itemsize);

// The element count of an array of `shape`; throws ValueError ("array is too
// big", naming `what`, the shape and dtype) when it cannot exist, and for a
// negative dimension.
int64_t checked_element_count(const Shape& shape, DType dtype, const std::string& what = "array");

// Raw storage for array data: 64-byte aligned; blocks of 16 MiB and more are 2 MiB aligned
// and advised as huge pages (fewer page faults on first touch). Returns null
// on failure; release with free_array_storage.
void* alloc_array_storage(size_t bytes);
void free_array_storage(void* p);
// The MemoryError of a failed allocation for `a` (a layout without storage).
[[noreturn]] void throw_out_of_memory(const NDArray& a);

// Copies src into dst (same shape), converting dtype; handles any strides.
void copy_into(const NDArray& src, NDArray& dst);

template <class T>
NDArray NDArray::from_vector(const std::vector<T>& v, const Shape& shape) {
  NDArray a = empty(dtype_of<T>(), shape);
  T* p = a.ptr<T>();
  for (size_t i = 0; i < v.size() && i < static_cast<size_t>(a.size()); ++i) p[i] = v[i];
  return a;
}

}  // namespace theon
