#include "backend/cpu/kernels.hpp"

namespace theon {

void add_checks_kernels(Backend&) {}

}  // namespace theon
