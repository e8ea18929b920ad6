// CPU kernel of LoadFromDisk (ops/io.hpp): reads a NumPy .npy file, or maps
// it copy-on-write, at each call.
#include "ops/io.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "backend/cpu/kernels.hpp"

namespace theon {

namespace {

struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

[[noreturn]] void os_error(const std::string& what, const std::string& path) {
  const int err = errno;
  throw OSError(err, "LoadFromDisk: " + what + " '" + path + "': " + std::strerror(err));
}

// Reads exactly n bytes at the file position (short reads retried).
void read_all(int fd, char* dst, size_t n, const std::string& path) {
  while (n > 0) {
    const ssize_t r = ::read(fd, dst, n);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) os_error("cannot read", path);
    if (r == 0) throw ValueError("LoadFromDisk: '" + path + "' ends before its data does (truncated .npy file)");
    dst += r;
    n -= static_cast<size_t>(r);
  }
}

// The parts of a .npy header dict theon needs.
struct NpyHeader {
  DType dtype;
  Shape shape;
  bool fortran = false;
  size_t data_offset = 0;
};

// The value text after 'key': in the header's dict literal.
std::string dict_value(const std::string& h, const std::string& key, const std::string& path) {
  const size_t k = h.find("'" + key + "'");
  const size_t colon = k == std::string::npos ? k : h.find(':', k);
  if (colon == std::string::npos)
    throw ValueError("LoadFromDisk: '" + path + "' is not a .npy file (its header has no '" + key + "')");
  size_t b = colon + 1;
  while (b < h.size() && h[b] == ' ') ++b;
  const char open = b < h.size() ? h[b] : '\0';
  const size_t e = open == '(' ? h.find(')', b) : open == '\'' ? h.find('\'', b + 1) : h.find_first_of(",}", b);
  if (e == std::string::npos) throw ValueError("LoadFromDisk: '" + path + "' has a malformed .npy header");
  return h.substr(b, e - b + (open == '(' || open == '\'' ? 1 : 0));
}

DType npy_dtype(const std::string& descr, const std::string& path) {
  // '<f4', '|b1', '<c16', ...: byte order, kind, item size.
  const std::string d = descr.size() >= 2 ? descr.substr(1, descr.size() - 2) : "";
  if (d.size() < 3) throw ValueError("LoadFromDisk: '" + path + "' has dtype " + descr + ", which theon cannot read");
  if (d[0] == '>' && d.substr(2) != "1")
    throw ValueError("LoadFromDisk: '" + path + "' holds big-endian data (" + descr +
                     "); save it little-endian (a.astype(a.dtype.newbyteorder('<')))");
  static const struct {
    const char* code;
    DType dtype;
  } kCodes[] = {{"b1", DType::Bool},      {"i1", DType::Int8},       {"i2", DType::Int16},   {"i4", DType::Int32},
                {"i8", DType::Int64},     {"u1", DType::UInt8},      {"u2", DType::UInt16},  {"u4", DType::UInt32},
                {"u8", DType::UInt64},    {"f2", DType::Float16},    {"f4", DType::Float32}, {"f8", DType::Float64},
                {"c8", DType::Complex64}, {"c16", DType::Complex128}};
  for (const auto& c : kCodes)
    if (d.substr(1) == c.code) return c.dtype;
  throw ValueError("LoadFromDisk: '" + path + "' has dtype " + descr + ", which theon cannot read");
}

NpyHeader read_header(int fd, const std::string& path) {
  char pre[10];
  read_all(fd, pre, sizeof pre, path);
  if (std::memcmp(pre, "\x93NUMPY", 6) != 0) throw ValueError("LoadFromDisk: '" + path + "' is not a .npy file");
  const int major = static_cast<unsigned char>(pre[6]);
  size_t len = 0, prefix = 10;
  if (major == 1) {
    len = static_cast<unsigned char>(pre[8]) | static_cast<size_t>(static_cast<unsigned char>(pre[9])) << 8;
  } else if (major == 2 || major == 3) {
    char more[2];
    read_all(fd, more, 2, path);
    for (int i = 3; i >= 0; --i) len = len << 8 | static_cast<unsigned char>(i < 2 ? pre[8 + i] : more[i - 2]);
    prefix = 12;
  } else {
    throw ValueError("LoadFromDisk: '" + path + "' has .npy format version " + std::to_string(major) +
                     ", which theon cannot read");
  }
  if (len > (size_t(1) << 20)) throw ValueError("LoadFromDisk: '" + path + "' has a malformed .npy header");
  std::string h(len, '\0');
  read_all(fd, h.data(), len, path);
  NpyHeader out;
  out.dtype = npy_dtype(dict_value(h, "descr", path), path);
  out.fortran = dict_value(h, "fortran_order", path) == "True";
  const std::string s = dict_value(h, "shape", path);
  for (size_t i = 1; i < s.size();) {
    while (i < s.size() && (s[i] == ' ' || s[i] == ',')) ++i;
    if (i >= s.size() || s[i] == ')') break;
    size_t used = 0;
    try {
      out.shape.push_back(std::stoll(s.substr(i), &used));
    } catch (const std::exception&) {
      throw ValueError("LoadFromDisk: '" + path + "' has a malformed shape " + s);
    }
    i += used;
  }
  out.data_offset = prefix + len;
  return out;
}

void load_from_disk_kernel(const ops::LoadFromDisk& op, const std::vector<NDArray>&, std::vector<NDArray>& out,
                           Workspace&) {
  const std::string& path = op.path();
  const TensorType& type = op.type();
  Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.fd < 0) os_error("cannot open", path);
  const NpyHeader h = read_header(f.fd, path);
  if (h.dtype != type.dtype)
    throw TypeError("LoadFromDisk: expected an array of dtype " + std::string(dtype_name(type.dtype)) + ", but '" +
                    path + "' holds " + std::string(dtype_name(h.dtype)));
  // A hostile or corrupt header may claim any shape: its size is checked
  // (no overflow) before anything is allocated, mapped or compared with the file.
  checked_element_count(h.shape, h.dtype, "LoadFromDisk: '" + path + "' has a header claiming an impossible array");
  NDArray header = NDArray::layout(h.dtype, h.shape);
  std::string why = type.check_value(header);
  if (!why.empty())
    throw ValueError("LoadFromDisk: '" + path + "' holds an array of shape " + shape_str(h.shape) + ", which " +
                     type.str() + " does not accept (" + why + ")");
  Strides strides = c_strides(h.shape, itemsize(h.dtype));
  if (h.fortran) {  // column-major: the same bytes, reversed strides
    int64_t step = static_cast<int64_t>(itemsize(h.dtype));
    for (int d = 0; d < header.ndim(); ++d) strides[d] = step, step *= h.shape[d];
  }
  const size_t nbytes = header.nbytes();
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) os_error("cannot stat", path);
  if (static_cast<size_t>(st.st_size) < h.data_offset + nbytes)
    throw ValueError("LoadFromDisk: '" + path + "' ends before its data does (truncated .npy file: " +
                     std::to_string(st.st_size) + " bytes, " + std::to_string(h.data_offset + nbytes) + " needed)");
  if (op.mmap() && nbytes > 0) {
    // Copy-on-write: the function may write into its result without touching the file.
    const size_t span = h.data_offset + nbytes;
    void* p = ::mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE, f.fd, 0);
    if (p == MAP_FAILED) os_error("cannot map", path);
    std::shared_ptr<void> owner(p, [span](void* q) { ::munmap(q, span); });
    out[0] = NDArray::wrap(static_cast<char*>(p) + h.data_offset, h.dtype, h.shape, strides, std::move(owner));
    return;
  }
  NDArray a = NDArray::empty(h.dtype, h.shape);
  read_all(f.fd, a.data, nbytes, path);
  a.strides = strides;
  out[0] = std::move(a);
}

}  // namespace

void add_io_kernels(Backend& cpu) {
  cpu.add(OpKind::LoadFromDisk, &typed_kernel<ops::LoadFromDisk, load_from_disk_kernel>);
}

}  // namespace theon
