#include "theon/ndarray.hpp"

#include <sys/mman.h>

#include <complex>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "core/convert.hpp"
#include "theon/error.hpp"

namespace theon {

std::string ints_str(const std::vector<int64_t>& v) {
  std::string out = "(";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + std::to_string(v[i]);
  return out + (v.size() == 1 ? ",)" : ")");
}

std::string shape_str(const Shape& s) {
  std::string out = "(";
  for (size_t i = 0; i < s.size(); ++i) {
    if (i) out += ", ";
    out += s[i] < 0 ? std::string("?") : std::to_string(s[i]);
  }
  if (s.size() == 1) out += ",";
  return out + ")";
}

Strides c_strides(const Shape& shape, size_t isz) {
  Strides st(shape.size());
  int64_t acc = static_cast<int64_t>(isz);
  for (int i = static_cast<int>(shape.size()) - 1; i >= 0; --i) {
    st[i] = acc;
    acc *= std::max<int64_t>(shape[i], 1);
  }
  return st;
}

int64_t element_count_or_minus1(const Shape& shape, size_t itemsize) {
  // As NumPy, zero-length dims count as 1 in the bound: the strides of an
  // empty (0, 2**62, 2**62) array would overflow as well as its byte count.
  int64_t n = 1, bound = static_cast<int64_t>(std::max<size_t>(itemsize, 1));
  for (auto d : shape) {
    if (d < 0) continue;
    if (!mul_fits(bound, std::max<int64_t>(d, 1), &bound)) return -1;
    n *= d;  // cannot overflow: n <= bound
  }
  return n;
}

int64_t checked_element_count(const Shape& shape, DType dtype, const std::string& what) {
  for (auto d : shape)
    if (d < 0) throw ValueError(what + ": negative dimensions are not allowed, got shape " + shape_str(shape));
  const int64_t n = element_count_or_minus1(shape, itemsize(dtype));
  if (n < 0)
    throw ValueError(what + ": array is too big: shape " + shape_str(shape) + " of " + std::string(dtype_name(dtype)) +
                     " needs more than the " + std::to_string(PTRDIFF_MAX) + " bytes an array can hold");
  return n;
}

const char* device_name(Device d) {
  switch (d) {
    case Device::Host:
      return "host";
  }
  return "?";
}

void* alloc_array_storage(size_t bytes) {
  constexpr size_t kHuge = size_t(2) << 20;
  if (bytes >= 8 * kHuge) {
    size_t rounded = (bytes + kHuge - 1) / kHuge * kHuge;
    void* p = std::aligned_alloc(kHuge, rounded);
    if (p) madvise(p, rounded, MADV_HUGEPAGE);  // advice only: failure is harmless
    return p;
  }
  return std::aligned_alloc(64, (std::max<size_t>(bytes, 1) + 63) / 64 * 64);
}

void free_array_storage(void* p) { std::free(p); }

void throw_out_of_memory(const NDArray& a) {
  throw MemoryError("unable to allocate " + std::to_string(a.nbytes()) + " bytes for an array of shape " +
                    shape_str(a.shape) + " and dtype " + std::string(dtype_name(a.dtype)));
}

int64_t NDArray::size() const {
  int64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

NDArray NDArray::layout(DType dtype, const Shape& shape) {
  NDArray a;
  a.dtype = dtype;
  a.shape = shape;
  checked_element_count(shape, dtype, "cannot allocate an array");
  a.strides = c_strides(shape, itemsize(dtype));
  return a;
}

NDArray NDArray::empty(DType dtype, const Shape& shape) {
  NDArray a = layout(dtype, shape);
  void* p = alloc_array_storage(a.nbytes());
  if (!p) throw_out_of_memory(a);
  a.base = std::shared_ptr<void>(p, &free_array_storage);
  a.data = static_cast<char*>(p);
  return a;
}

NDArray NDArray::zeros(DType dtype, const Shape& shape) {
  NDArray a = empty(dtype, shape);
  std::memset(a.data, 0, a.nbytes());
  return a;
}

NDArray NDArray::wrap(void* data, DType dtype, Shape shape, Strides strides, std::shared_ptr<void> owner) {
  NDArray a;
  a.dtype = dtype;
  a.shape = std::move(shape);
  a.strides = std::move(strides);
  a.base = std::move(owner);
  a.data = static_cast<char*>(data);
  return a;
}

bool NDArray::is_c_contiguous() const {
  // As NumPy: an empty array is contiguous whatever its strides (nothing is read).
  for (auto d : shape)
    if (d == 0) return true;
  int64_t expect = static_cast<int64_t>(itemsize(dtype));
  for (int i = ndim() - 1; i >= 0; --i) {
    if (shape[i] == 1) continue;
    if (strides[i] != expect) return false;
    expect *= shape[i];
  }
  return true;
}

namespace {
// Byte offset of the element with flat C-order index `flat`.
int64_t offset_of(const NDArray& a, int64_t flat) {
  int64_t off = 0;
  for (int i = a.ndim() - 1; i >= 0; --i) {
    int64_t d = a.shape[i];
    off += (flat % d) * a.strides[i];
    flat /= d;
  }
  return off;
}

}  // namespace

double NDArray::get_double(int64_t flat) const {
  const char* p = data + offset_of(*this, flat);
  return visit_dtype(dtype, [&]<class T>() { return convert_value<double>(*reinterpret_cast<const T*>(p)); });
}

int64_t NDArray::get_int(int64_t flat) const {
  const char* p = data + offset_of(*this, flat);
  return visit_dtype(dtype, [&]<class T>() { return convert_value<int64_t>(*reinterpret_cast<const T*>(p)); });
}

int64_t NDArray::item_index(bool* too_big) const {
  *too_big = false;
  if (dtype == DType::UInt64) {
    const uint64_t u = *reinterpret_cast<const uint64_t*>(data + offset_of(*this, 0));
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      *too_big = true;
      return std::numeric_limits<int64_t>::max();
    }
    return static_cast<int64_t>(u);
  }
  return get_int(0);
}

namespace {

// Calls f(src, dst) at each position of the first `nd` dimensions of `shape`
// in C order, the pointers advanced by the two arrays' strides (an odometer).
template <class F>
void for_each_position(int nd, const NDArray& src, NDArray& dst, int64_t count, F f) {
  std::vector<int64_t> idx(static_cast<size_t>(nd), 0);
  const char* ps = src.data;
  char* pd = dst.data;
  for (int64_t k = 0; k < count; ++k) {
    f(ps, pd);
    for (int i = nd - 1; i >= 0; --i) {
      if (++idx[i] < src.shape[i]) {
        ps += src.strides[i];
        pd += dst.strides[i];
        break;
      }
      ps -= src.strides[i] * (src.shape[i] - 1);
      pd -= dst.strides[i] * (dst.shape[i] - 1);
      idx[i] = 0;
    }
  }
}

}  // namespace

void copy_into(const NDArray& src, NDArray& dst) {
  if (src.shape != dst.shape)
    throw ValueError("copy: shape " + shape_str(src.shape) + " does not match " + shape_str(dst.shape));
  const int64_t n = src.size();
  if (n == 0) return;
  if (src.dtype == dst.dtype && src.is_c_contiguous() && dst.is_c_contiguous()) {
    std::memcpy(dst.data, src.data, src.nbytes());
    return;
  }
  const int nd = src.ndim();
  // Same dtype: memcpy the largest trailing block both sides hold contiguously
  // (a reversed or sliced sequence copies row by row), an odometer over the rest.
  if (src.dtype == dst.dtype) {
    const int64_t item = itemsize(src.dtype);
    int64_t block = item;
    int inner = nd;  // dims [inner, nd) form the block
    while (inner > 0 && src.strides[inner - 1] == block && dst.strides[inner - 1] == block) {
      block *= src.shape[inner - 1];
      --inner;
    }
    if (block >= 64 || inner == 0) {
      for_each_position(inner, src, dst, n * item / block,
                        [block](const char* ps, char* pd) { std::memcpy(pd, ps, static_cast<size_t>(block)); });
      return;
    }
  }
  // Element by element, converting.
  visit_dtype(src.dtype, [&]<class S>() {
    visit_dtype(dst.dtype, [&]<class D>() {
      for_each_position(nd, src, dst, n, [](const char* ps, char* pd) {
        *reinterpret_cast<D*>(pd) = convert_value<D>(*reinterpret_cast<const S*>(ps));
      });
    });
  });
}

NDArray NDArray::copy() const {
  NDArray out = empty(dtype, shape);
  copy_into(*this, out);
  return out;
}

NDArray NDArray::contiguous() const { return is_c_contiguous() ? *this : copy(); }

NDArray NDArray::astype(DType d) const {
  NDArray out = empty(d, shape);
  copy_into(*this, out);
  return out;
}

std::string NDArray::str() const { return std::string(dtype_name(dtype)) + shape_str(shape); }

}  // namespace theon
