// CPU kernels of the run-time checks: SpecifyShape (ops/specify_shape.hpp) and
// Assert (ops/assert.hpp). Both pass their first input through as a view.
#include "backend/cpu/kernels.hpp"
#include "ops/assert.hpp"
#include "ops/specify_shape.hpp"

namespace theon {

namespace {

void specify_shape_kernel(const ops::SpecifyShape& op, const std::vector<NDArray>& in, std::vector<NDArray>& out,
                          Workspace&) {
  const std::vector<int64_t>& pattern = op.pattern();
  const NDArray& x = in[0];
  for (size_t d = 0; d < pattern.size(); ++d)
    if (pattern[d] >= 0 && x.shape[d] != pattern[d])
      throw ValueError(op.name() + ": axis " + std::to_string(d) + " of the input (shape " + shape_str(x.shape) +
                       ") has length " + std::to_string(x.shape[d]) + ", not " + std::to_string(pattern[d]));
  if (op.symbolic()) {
    const NDArray& want = in[1];
    bool ok = want.size() == x.ndim();
    for (int d = 0; ok && d < x.ndim(); ++d) ok = want.get_int(d) == x.shape[d];
    if (!ok) {
      std::vector<std::string> p;
      for (int64_t i = 0; i < want.size(); ++i) p.push_back(std::to_string(want.get_int(i)));
      throw ValueError(op.name() + ": the input has shape " + shape_str(x.shape) + ", but (" + join_strings(p, ", ") +
                       ") was specified");
    }
  }
  out[0] = x;
}

void assert_kernel(const ops::Assert& op, const std::vector<NDArray>& in, std::vector<NDArray>& out, Workspace&) {
  for (size_t i = 1; i < in.size(); ++i)
    if (in[i].get_double(0) == 0.0) {
      std::string why = op.message() + (in.size() > 2 ? " (condition " + std::to_string(i - 1) + " is false)" : "");
      if (op.failure() == CheckFailure::Index) throw IndexError(why);
      if (op.failure() == CheckFailure::Value) throw ValueError(why);
      if (op.failure() == CheckFailure::Type) throw TypeError(why);
      throw AssertionError(why);
    }
  out[0] = in[0];  // a view: the value itself is untouched
}

}  // namespace

void add_checks_kernels(Backend& cpu) {
  cpu.add(OpKind::SpecifyShape, &typed_kernel<ops::SpecifyShape, specify_shape_kernel>);
  cpu.add(OpKind::Assert, &typed_kernel<ops::Assert, assert_kernel>);
}

}  // namespace theon
