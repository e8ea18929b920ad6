#include "backend/cpu/native/emit.hpp"

#include <sstream>

#include "backend/cpu/vector_math_list.hpp"
#include "ops/scalar_table.hpp"

namespace theon {

namespace {

// glibc's libm functions that have libmvec vector variants: declared "simd"
// so that the compiler's vectorizer calls them (the same kernels as the VM's
// vector_math.cpp, NaN/Inf handled by their scalar fallback), without
// -ffast-math.
// (the list is backend/cpu/vector_math_list.hpp, shared with the VM's kernels).
#define THEON_LIBM_NAME(op, libm) #libm,
constexpr const char* kVectorMath[] = {THEON_MVEC_UNARY(THEON_LIBM_NAME)};
constexpr const char* kVectorMath2[] = {THEON_MVEC_BINARY(THEON_LIBM_NAME)};
#undef THEON_LIBM_NAME

// On an AVX-512 host (GCC), float32 exp is theon's own kernel (simd_math.inc
// over GCC's builtins: no <immintrin.h> to parse; 1.5-2x libmvec's speed):
// declared "simd", with the vector-ABI variants the vectorizer calls defined
// here (narrower ones run the 16-lane kernel on a partly used vector) and a
// scalar entry point that runs it on one lane, so every element gets the
// same function. The scalar entry gets its name by an assembler alias: a C++
// definition of a "declare simd" function would make GCC generate its own
// variants.
constexpr const char* kOwnFloatMath =
    R"(#if defined(__AVX512F__) && defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define THEON_SIMD_BUILTINS 1
#include "backend/cpu/simd_math.inc"
#define THEON_OWN_FLOAT_MATH 1
typedef float theon_v8sf __attribute__((vector_size(32)));
typedef float theon_v4sf __attribute__((vector_size(16)));
extern "C" {
#pragma omp declare simd notinbranch
float theon_expf(float);
__attribute__((visibility("hidden"))) theon_v16sf _ZGVeN16v_theon_expf(theon_v16sf x) { return theon_exp16(x); }
__attribute__((visibility("hidden"))) theon_v8sf _ZGVdN8v_theon_expf(theon_v8sf x) {
  const theon_v16sf y = theon_exp16(__builtin_shufflevector(x, x, 0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7));
  return __builtin_shufflevector(y, y, 0, 1, 2, 3, 4, 5, 6, 7);
}
__attribute__((visibility("hidden"))) theon_v8sf _ZGVcN8v_theon_expf(theon_v8sf x) { return _ZGVdN8v_theon_expf(x); }
__attribute__((visibility("hidden"))) theon_v4sf _ZGVbN4v_theon_expf(theon_v4sf x) {
  const theon_v16sf y = theon_exp16(__builtin_shufflevector(x, x, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3));
  return __builtin_shufflevector(y, y, 0, 1, 2, 3);
}
__attribute__((visibility("hidden"))) float theon_expf_lane(float x) { return theon_exp16(theon_set1(x))[0]; }
}
asm(".globl theon_expf\n.hidden theon_expf\n.set theon_expf, theon_expf_lane");
#endif

)";

}  // namespace

std::string emit_kernel(const FusedProgram& p, const std::string& name) {
  const char* T = p.dtype == DType::Float32 ? "float" : "double";
  std::ostringstream os;
  os << "// " << name << ": " << p.code.size() << " instructions over " << p.n_inputs << " inputs\n";
  os << "extern \"C\" void " << name << "(int64_t n, const void* const* in, void* out) {\n";
  os << "  using T = " << T << ";\n";
  for (int i = 0; i < p.n_inputs; ++i)
    os << "  const T* __restrict i" << i << " = static_cast<const T*>(in[" << i << "]);\n";
  os << "  T* __restrict o = static_cast<T*>(out);\n";
  // A single value is read once: a per-iteration load of a filled block
  // costs a load and, around vector-math calls, a spill of it.
  auto uniform = [&](int i) { return i < static_cast<int>(p.uniform.size()) && p.uniform[i]; };
  for (int i = 0; i < p.n_inputs; ++i)
    if (uniform(i)) os << "  const T u" << i << " = i" << i << "[0];\n";
  os << "#pragma omp simd\n";
  os << "  for (int64_t k = 0; k < n; ++k) {\n";
  for (int i = 0; i < p.n_inputs; ++i)
    os << "    const T r" << i << " = " << (uniform(i) ? "u" : "i") << i << (uniform(i) ? "" : "[k]") << ";\n";
  for (size_t k = 0; k < p.code.size(); ++k) {
    const auto& ins = p.code[k];
    const ScalarOpDef& def = scalar_def(ins.id);
    // A float32 instruction of a float64 program narrows its (float32-valued) arguments and widens its result.
    const std::string U = ins.narrow ? "float" : "T";
    os << "    const T r" << p.n_inputs + k << " = static_cast<T>(" << (ins.narrow ? "static_cast<float>(" : "")
       << def.functor << "::f<" << U << ">(";
    for (size_t a = 0; a < ins.args.size(); ++a)
      os << (a ? ", " : "") << (ins.narrow ? "static_cast<float>(r" : "r") << ins.args[a] << (ins.narrow ? ")" : "");
    os << (ins.narrow ? ")" : "") << "));  // " << def.name << (ins.narrow ? " in float32" : "") << "\n";
  }
  os << "    o[k] = r" << p.n_inputs + static_cast<int>(p.code.size()) - 1 << ";\n";
  os << "  }\n}\n";
  return os.str();
}

std::string emit_module(const std::vector<std::pair<std::string, FusedProgram>>& kernels) {
  std::ostringstream os;
  os << "// theon native module: generated from the scalar table; do not edit.\n";
  os << "#include <cmath>\n#include <cstdint>\n\n";
  os << "#ifdef THEON_VECTOR_MATH\nextern \"C\" {\n";
  for (const char* f : kVectorMath)
    os << "#pragma omp declare simd notinbranch\ndouble " << f
       << "(double);\n#pragma omp declare simd notinbranch\nfloat " << f << "f(float);\n";
  for (const char* f : kVectorMath2)
    os << "#pragma omp declare simd notinbranch\ndouble " << f << "(double, double);\n"
       << "#pragma omp declare simd notinbranch\nfloat " << f << "f(float, float);\n";
  os << "}\n#endif\n\n";
  os << kOwnFloatMath;
  os << "#include \"ops/scalar_functors.hpp\"\n\n";
  for (const auto& [name, prog] : kernels) os << emit_kernel(prog, name) << "\n";
  return os.str();
}

}  // namespace theon
