// Options of the functions compiled for ops' inner graphs (inner_function.hpp).
#include "compile/inner_function.hpp"

namespace theon {

FunctionOptions inner_options(const FunctionOptions* outer, std::string name) {
  FunctionOptions o;
  if (outer) {
    o.rewrite = outer->rewrite;
    // Native code for an inner graph comes from the outer function's module
    // (Function::start_native): one compile, not one per step function.
    o.native = outer->native;
    o.native.mode = NativeMode::Off;
  }
  o.on_unused_input = UnusedInputPolicy::Ignore;
  o.name = std::move(name);
  return o;
}

}  // namespace theon
