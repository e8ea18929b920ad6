// oneDNN (the onednn-cpu-gomp wheel's libdnnl.so.3) resolved at run time, the
// way BLAS is (blas.hpp): no build-time dependency. The few C API entries the
// convolution kernels use are declared here; the enum values are
// checked against the loaded library's own names for them (dnnl_*2str) before
// it is used, so a library that numbers them differently is refused, never
// misread. The library is chosen by set_onednn_library() (the Python package
// points it at the wheel), then $THEON_ONEDNN, then "libdnnl.so.3" on the
// loader's path. Without one the kernels use their im2col + GEMM fallback and
// say so once. Private to the library.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace theon::dnnl {

// Opaque handles of the C API.
using handle = void*;
using chandle = const void*;
using dims_t = int64_t[12];  // DNNL_MAX_NDIMS

struct ExecArg {
  int arg;
  handle memory;
};

// Enum values (dnnl_types.h, oneDNN 3.x), verified at load time.
inline constexpr int kSuccess = 0;
inline constexpr int kOutOfMemory = 1;
inline constexpr int kF32 = 3;
inline constexpr int kTagAny = 1;
inline constexpr int kTagPlain1 = 2;  // dnnl_a; the plain tag of n dimensions is kTagPlain1 + n - 1
inline constexpr int kForwardTraining = 64;
inline constexpr int kForwardInference = 96;
inline constexpr int kBackwardData = 160;
inline constexpr int kBackwardWeights = 192;
inline constexpr int kConvolutionDirect = 0x1;
inline constexpr int kEltwiseRelu = 0x20;
inline constexpr int kEltwiseTanh = 0x21;
inline constexpr int kEltwiseLogistic = 0x29;
inline constexpr int kCpuEngine = 1;
inline constexpr unsigned kStreamInOrder = 0x1U;
inline constexpr int kQuerySrcMd = 129, kQueryDiffSrcMd = 130, kQueryWeightsMd = 131, kQueryDiffWeightsMd = 132,
                     kQueryDstMd = 133, kQueryDiffDstMd = 134;
inline constexpr int kArgSrc = 1, kArgDst = 17, kArgWeights = 33, kArgBias = 41, kArgDiffSrc = 129, kArgDiffDst = 145,
                     kArgDiffWeights = 161;

// The C API entries in use.
struct Api {
  int (*engine_create)(handle* engine, int kind, size_t index) = nullptr;
  int (*stream_create)(handle* stream, handle engine, unsigned flags) = nullptr;
  int (*stream_wait)(handle stream) = nullptr;
  int (*stream_destroy)(handle stream) = nullptr;
  int (*memory_desc_create_with_tag)(handle* md, int ndims, const dims_t dims, int data_type, int tag) = nullptr;
  int (*memory_desc_destroy)(handle md) = nullptr;
  int (*memory_desc_equal)(chandle a, chandle b) = nullptr;
  size_t (*memory_desc_get_size)(chandle md) = nullptr;
  int (*memory_create)(handle* memory, chandle md, handle engine, void* data) = nullptr;  // data null: bound later
  int (*memory_set_data_handle)(handle memory, void* data) = nullptr;
  int (*memory_destroy)(handle memory) = nullptr;
  int (*primitive_attr_create)(handle* attr) = nullptr;
  int (*primitive_attr_destroy)(handle attr) = nullptr;
  int (*primitive_attr_set_post_ops)(handle attr, chandle post_ops) = nullptr;
  int (*post_ops_create)(handle* post_ops) = nullptr;
  int (*post_ops_destroy)(handle post_ops) = nullptr;
  int (*post_ops_append_eltwise)(handle post_ops, int alg, float alpha, float beta) = nullptr;
  int (*convolution_forward_primitive_desc_create)(handle* pd, handle engine, int prop, int alg, chandle src,
                                                   chandle weights, chandle bias, chandle dst, const dims_t strides,
                                                   const dims_t dilates, const dims_t pad_l, const dims_t pad_r,
                                                   chandle attr) = nullptr;
  int (*convolution_backward_data_primitive_desc_create)(handle* pd, handle engine, int alg, chandle diff_src,
                                                         chandle weights, chandle diff_dst, const dims_t strides,
                                                         const dims_t dilates, const dims_t pad_l, const dims_t pad_r,
                                                         chandle hint, chandle attr) = nullptr;
  int (*convolution_backward_weights_primitive_desc_create)(handle* pd, handle engine, int alg, chandle src,
                                                            chandle diff_weights, chandle diff_bias, chandle diff_dst,
                                                            const dims_t strides, const dims_t dilates,
                                                            const dims_t pad_l, const dims_t pad_r, chandle hint,
                                                            chandle attr) = nullptr;
  int (*reorder_primitive_desc_create)(handle* pd, chandle src, handle src_engine, chandle dst, handle dst_engine,
                                       chandle attr) = nullptr;
  chandle (*primitive_desc_query_md)(chandle pd, int what, int index) = nullptr;
  int (*primitive_desc_destroy)(handle pd) = nullptr;
  int (*primitive_create)(handle* primitive, chandle pd) = nullptr;
  int (*primitive_execute)(chandle primitive, handle stream, int nargs, const ExecArg* args) = nullptr;
  int (*primitive_destroy)(handle primitive) = nullptr;
  const char* (*status2str)(int status) = nullptr;
  void (*omp_set_num_threads)(int n) = nullptr;  // the OpenMP runtime oneDNN runs on (libgomp)

  handle engine = nullptr;  // the CPU engine, made once
  std::string path;         // as given to dlopen
  std::string version;      // "3.2.0"
};

// The oneDNN in use (loaded on first call; thread-safe), or nullptr when none
// could be loaded or it is disabled (set_onednn_enabled(false), THEON_ONEDNN=0).
const Api* api();
// Loads `path`; false (keeping the current library) with the reason in *why.
bool set_library(const std::string& path, std::string* why = nullptr);
// Turns the oneDNN kernels off (the fallback runs) or back on; tests compare the two.
void set_enabled(bool on);
bool enabled();
// A one-line description: the library and version, or why there is none.
std::string info();
// Warns once, naming `what`, that the fallback runs because oneDNN could not be loaded.
void warn_fallback(const char* what);

// Raises RuntimeError naming `what` when a call failed.
void check(const Api& a, int status, const char* what);
// Sets the calling thread's OpenMP team size to theon's thread count (the
// process's one budget: OpenBLAS runs single-threaded, theon's pool is idle
// while a primitive runs on the caller).
void set_threads(const Api& a);

}  // namespace theon::dnnl
