// The C++ emitter of the native tier: each fused program (Composite,
// FusedReduce) becomes one block function with the VM's BlockFn signature,
// computing every instruction per element in registers from the scalar
// table's functors; all kernels of a compiled function go into one
// translation unit.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "ops/fused.hpp"

namespace theon {

// `void name(int64_t n, const void* const* in, void* out)`: n contiguous
// values of every input in, n values of the result out.
std::string emit_kernel(const FusedProgram& program, const std::string& name);

// A whole translation unit: the prelude (functors, vector math declarations)
// and one kernel per (name, program).
std::string emit_module(const std::vector<std::pair<std::string, FusedProgram>>& kernels);

}  // namespace theon
