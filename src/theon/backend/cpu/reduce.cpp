#include "backend/cpu/kernels.hpp"

namespace theon {

void add_reduce_kernels(Backend&) {}

}  // namespace theon
