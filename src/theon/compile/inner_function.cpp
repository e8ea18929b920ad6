// Options of the functions compiled for ops' inner graphs (inner_function.hpp).
#include "compile/inner_function.hpp"

namespace theon {

FunctionOptions inner_options(const FunctionOptions* outer, std::string name) {
  FunctionOptions o;
  if (outer) {
    o.rewrite = outer->rewrite;
    o.native = outer->native;
  }
  o.on_unused_input = UnusedInputPolicy::Ignore;
  o.name = std::move(name);
  return o;
}

}  // namespace theon
