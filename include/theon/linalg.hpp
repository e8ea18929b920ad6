// Linear algebra on the last two axes: the functions, their parameters and
// their builders. Leading axes are a batch, as in numpy.linalg; two inputs'
// batch axes broadcast by Theano's rule (an axis of static length 1
// broadcasts). Inputs are computed in float32 (float16, float32) or float64
// (integers, bool, float64). The op is ops/linalg.hpp; the CPU kernels call
// LAPACK from the BLAS library (backend/cpu/linalg.cpp).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "theon/graph.hpp"

namespace theon {

// X(enum name, Theano's op class name): the one list of linalg functions.
#define THEON_LINALG_FNS(X)    \
  X(Inv, "MatrixInverse")      \
  X(Det, "Det")                \
  X(SlogDet, "SlogDet")        \
  X(Cholesky, "Cholesky")      \
  X(Solve, "Solve")            \
  X(ChoSolve, "CholeskySolve") \
  X(Eigh, "Eigh")              \
  X(Eig, "Eig")                \
  X(SVD, "SVD")                \
  X(QR, "QR")                  \
  X(Lstsq, "Lstsq")            \
  X(Pinv, "MatrixPinv")        \
  X(Expm, "Expm")

enum class LinalgFn : uint8_t {
#define X(e, n) e,
  THEON_LINALG_FNS(X)
#undef X
};
const char* linalg_fn_name(LinalgFn f);  // Theano's op class name ("MatrixInverse")
const char* linalg_fn_id(LinalgFn f);    // the enum's spelling ("Inv"), as linalg_fn_from_name reads it
// The function named `name` (the enum's spelling, e.g. "Cholesky"); false if none.
bool linalg_fn_from_name(const std::string& name, LinalgFn* out);

// What Solve knows about its matrix (scipy.linalg.solve's assume_a, and
// Theano's A_structure): LAPACK reads only the named triangle of Symmetric,
// PosDef and the triangular structures.
enum class MatrixStructure : uint8_t { General, Symmetric, PosDef, LowerTriangular, UpperTriangular };
const char* structure_name(MatrixStructure s);

enum class QRMode : uint8_t { Reduced, Complete, R, Raw };

struct LinalgParams {
  LinalgFn fn = LinalgFn::Inv;
  bool lower = true;          // Cholesky's factor; the triangle Eigh/Solve(Symmetric, PosDef)/ChoSolve read
  bool nan_on_error = false;  // Cholesky: NaN factor instead of LinAlgError (Theano's on_error='nan')
  MatrixStructure structure = MatrixStructure::General;  // Solve
  bool trans = false;          // Solve: solve a^T x = b (a transpose folded into LAPACK's flag)
  bool unit_diagonal = false;  // Solve (triangular): the diagonal is taken as ones
  bool compute_v = true;       // Eigh: eigenvectors too (false: eigvalsh)
  bool compute_uv = true;      // SVD
  bool full_matrices = true;   // SVD
  QRMode qr_mode = QRMode::Reduced;
  double rcond = 1e-15;  // Pinv: singular values below rcond * max are zero
  bool operator==(const LinalgParams&) const = default;
};

// One node of the function p.fn (its outputs); the named builders below
// check their arguments and call it.
std::vector<Var> linalg(const LinalgParams& p, std::vector<Var> inputs);

Var matrix_inverse(const Var& a);
Var det(const Var& a);
std::vector<Var> slogdet(const Var& a);  // {sign, log|det|}
Var cholesky(const Var& a, bool lower = true, bool nan_on_error = false);
// a x = b; b is one vector when b.ndim == 1, else (..., n, k).
Var solve(const Var& a, const Var& b, MatrixStructure s = MatrixStructure::General, bool lower = false,
          bool trans = false, bool unit_diagonal = false);
Var solve_triangular(const Var& a, const Var& b, bool lower, bool trans = false, bool unit_diagonal = false);
// (c c^T) x = b with c = cholesky(.., lower) (upper: c^T c).
Var cho_solve(const Var& c, const Var& b, bool lower = true);
std::vector<Var> eigh(const Var& a, bool lower = true);                 // {w ascending, v}
Var eigvalsh(const Var& a, const Var& b = nullptr, bool lower = true);  // b: the generalized problem a v = w b v
std::vector<Var> eig(const Var& a);                                     // {w, v}, complex
std::vector<Var> svd(const Var& a, bool full_matrices = true, bool compute_uv = true);  // {u, s, vt} or {s}
std::vector<Var> qr(const Var& a, QRMode mode = QRMode::Reduced);
// numpy.linalg.lstsq: {x, residuals, rank, s}; rcond < 0 means machine precision * max(m, n).
std::vector<Var> lstsq(const Var& a, const Var& b, const Var& rcond);
Var pinv(const Var& a, double rcond = 1e-15);
Var expm(const Var& a);

}  // namespace theon
