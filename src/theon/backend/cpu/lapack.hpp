// LAPACK resolved at run time from the library that serves BLAS (blas.hpp):
// the scipy-openblas wheels and the system's OpenBLAS ship both. Fortran entry
// points (column-major, arguments by pointer, 32-bit integers, a hidden length
// per character argument). Private to the library.
#pragma once
#include <complex>
#include <cstddef>
#include <string>
#include <type_traits>

namespace theon {

using lapack_int = int;
using flen = size_t;  // the hidden length of a Fortran CHARACTER argument

// One precision's routines (T = float or double; the complex types have
// only the LU routines: getrf, getri, getrs).
template <class T>
struct LapackFns {
  using I = lapack_int;
  void (*getrf)(const I* m, const I* n, T* a, const I* lda, I* ipiv, I* info) = nullptr;
  void (*getri)(const I* n, T* a, const I* lda, const I* ipiv, T* work, const I* lwork, I* info) = nullptr;
  void (*getrs)(const char* trans, const I* n, const I* nrhs, const T* a, const I* lda, const I* ipiv, T* b,
                const I* ldb, I* info, flen) = nullptr;
  void (*potrf)(const char* uplo, const I* n, T* a, const I* lda, I* info, flen) = nullptr;
  void (*potrs)(const char* uplo, const I* n, const I* nrhs, const T* a, const I* lda, T* b, const I* ldb, I* info,
                flen) = nullptr;
  void (*trtrs)(const char* uplo, const char* trans, const char* diag, const I* n, const I* nrhs, const T* a,
                const I* lda, T* b, const I* ldb, I* info, flen, flen, flen) = nullptr;
  void (*sysv)(const char* uplo, const I* n, const I* nrhs, T* a, const I* lda, I* ipiv, T* b, const I* ldb, T* work,
               const I* lwork, I* info, flen) = nullptr;
  void (*syevd)(const char* jobz, const char* uplo, const I* n, T* a, const I* lda, T* w, T* work, const I* lwork,
                I* iwork, const I* liwork, I* info, flen, flen) = nullptr;
  void (*sygvd)(const I* itype, const char* jobz, const char* uplo, const I* n, T* a, const I* lda, T* b, const I* ldb,
                T* w, T* work, const I* lwork, I* iwork, const I* liwork, I* info, flen, flen) = nullptr;
  void (*gesdd)(const char* jobz, const I* m, const I* n, T* a, const I* lda, T* s, T* u, const I* ldu, T* vt,
                const I* ldvt, T* work, const I* lwork, I* iwork, I* info, flen) = nullptr;
  void (*geqrf)(const I* m, const I* n, T* a, const I* lda, T* tau, T* work, const I* lwork, I* info) = nullptr;
  void (*orgqr)(const I* m, const I* n, const I* k, T* a, const I* lda, const T* tau, T* work, const I* lwork,
                I* info) = nullptr;
  void (*geev)(const char* jobvl, const char* jobvr, const I* n, T* a, const I* lda, T* wr, T* wi, T* vl, const I* ldvl,
               T* vr, const I* ldvr, T* work, const I* lwork, I* info, flen, flen) = nullptr;
  void (*gelsd)(const I* m, const I* n, const I* nrhs, T* a, const I* lda, T* b, const I* ldb, T* s, const T* rcond,
                I* rank, T* work, const I* lwork, I* iwork, I* info) = nullptr;
};

struct Lapack {
  LapackFns<float> s;
  LapackFns<double> d;
  LapackFns<std::complex<float>> c;
  LapackFns<std::complex<double>> z;
  template <class T>
  const LapackFns<T>& fns() const {
    if constexpr (std::is_same_v<T, float>)
      return s;
    else if constexpr (std::is_same_v<T, double>)
      return d;
    else if constexpr (std::is_same_v<T, std::complex<float>>)
      return c;
    else
      return z;
  }
  std::string path;  // the library (the BLAS library's)
};

// The LAPACK of the BLAS in use (loaded on first call), or nullptr with the
// reason in *why: no BLAS, or a BLAS without LAPACK (a reference libblas).
const Lapack* lapack(std::string* why = nullptr);

}  // namespace theon
