#include "backend/cpu/kernels.hpp"

namespace theon {

void add_elemwise_kernels(Backend&) {}

}  // namespace theon
