// BLAS resolved at run time (dlopen): no link-time dependency. The library is
// chosen by, in order: set_blas_library(), $THEON_BLAS ("path[:prefix]"), then
// the system's libopenblas / libcblas / libblas. Private to the library.
#pragma once
#include <string>

namespace theon {

// CBLAS enum values (declared here so that cblas.h is not needed).
inline constexpr int kCblasRowMajor = 101;
inline constexpr int kCblasNoTrans = 111;
inline constexpr int kCblasTrans = 112;

struct Blas {
  using sgemm_t = void (*)(int order, int ta, int tb, int m, int n, int k, float alpha, const float* a, int lda,
                           const float* b, int ldb, float beta, float* c, int ldc);
  using dgemm_t = void (*)(int order, int ta, int tb, int m, int n, int k, double alpha, const double* a, int lda,
                           const double* b, int ldb, double beta, double* c, int ldc);
  // Complex: alpha/beta and the matrices are passed by pointer.
  using zgemm_t = void (*)(int order, int ta, int tb, int m, int n, int k, const void* alpha, const void* a, int lda,
                           const void* b, int ldb, const void* beta, void* c, int ldc);
  using sgemv_t = void (*)(int order, int trans, int m, int n, float alpha, const float* a, int lda, const float* x,
                           int incx, float beta, float* y, int incy);
  using dgemv_t = void (*)(int order, int trans, int m, int n, double alpha, const double* a, int lda, const double* x,
                           int incx, double beta, double* y, int incy);
  using zgemv_t = void (*)(int order, int trans, int m, int n, const void* alpha, const void* a, int lda, const void* x,
                           int incx, const void* beta, void* y, int incy);
  using sdot_t = float (*)(int n, const float* x, int incx, const float* y, int incy);
  using ddot_t = double (*)(int n, const double* x, int incx, const double* y, int incy);

  // Required.
  sgemm_t sgemm = nullptr;
  dgemm_t dgemm = nullptr;
  zgemm_t cgemm = nullptr;
  zgemm_t zgemm = nullptr;
  sgemv_t sgemv = nullptr;
  dgemv_t dgemv = nullptr;
  // Optional (nullptr when the library lacks them).
  zgemv_t cgemv = nullptr;
  zgemv_t zgemv = nullptr;
  sdot_t sdot = nullptr;
  ddot_t ddot = nullptr;

  // OpenBLAS's thread control (optional): theon sets it to one thread. Its
  // pool would otherwise split every product statically and wait for a
  // thread the OS may not schedule (a busy machine), and spin beside theon's
  // pool; theon's pool runs large products as panels instead (blas.cpp).
  void (*set_threads)(int) = nullptr;

  std::string path;    // as given to dlopen
  std::string prefix;  // symbol prefix ("scipy_" for the scipy-openblas wheels)
  std::string config;  // openblas_get_config(), when available
};

// The BLAS in use (loaded on first call; thread-safe), or nullptr if none was found.
const Blas* blas();
// Loads `path`, whose CBLAS symbols are named prefix + "cblas_dgemm" etc. Returns
// false (and keeps the current library) if it cannot be opened or lacks a
// symbol, with the reason in *why when given.
bool set_blas_library(const std::string& path, const std::string& symbol_prefix = "", std::string* why = nullptr);
// The thread count set by set_num_threads(), or 0 while the default holds.
int explicit_num_threads();
// A one-line description of the BLAS in use.
std::string blas_info();

}  // namespace theon
