#include "backend/cpu/kernels.hpp"

namespace theon {

void add_fused_kernels(Backend&) {}

}  // namespace theon
