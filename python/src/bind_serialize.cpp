// Graphs to bytes and back (include/theon/serialize.hpp), for pickling: the
// leaves (inputs, shared variables) and the ops written in Python stay Python
// objects, which the pickle holds next to the bytes.
#include "bindings.hpp"
#include "py_op.hpp"
#include "theon/serialize.hpp"

namespace theon::py {

void bind_serialize(nb::module_& m) {
  m.def(
      "save_graph",
      [](const std::vector<Var>& outputs) {
        for (const Var& v : outputs)
          if (!v) throw TypeError("save_graph: an output is None");
        std::vector<Var> leaves;
        nb::list host_ops;
        HostOpCodec codec;
        codec.save = [&](const Op& op) -> int64_t {
          const auto* p = dynamic_cast<const PyOp*>(&op);
          if (!p) throw TypeError("save_graph: the op " + op.name() + " cannot be saved");
          host_ops.append(p->python_op());
          return static_cast<int64_t>(host_ops.size()) - 1;
        };
        const std::string bytes = save_graph(outputs, &leaves, &codec);
        return nb::make_tuple(nb::bytes(bytes.data(), bytes.size()), leaves, host_ops);
      },
      nb::arg("outputs"),
      "(bytes, leaves, python_ops): the graph of `outputs` as bytes, the root variables it reads (inputs\n"
      "and shared variables, which the bytes refer to by position) and the Python ops of its nodes.");
  m.def(
      "load_graph",
      [](nb::bytes bytes, const std::vector<Var>& leaves, nb::list host_ops) {
        for (const Var& v : leaves)
          if (!v) throw TypeError("load_graph: a leaf is None");
        HostOpCodec codec;
        codec.load = [&](int64_t i, const std::vector<TensorType>& types) -> OpPtr {
          if (i < 0 || static_cast<size_t>(i) >= host_ops.size())
            throw ValueError("load_graph: the graph names Python op " + std::to_string(i) + " of " +
                             std::to_string(host_ops.size()));
          nb::set_leak_warnings(false);  // as python_apply: a Python op's node may sit in a cycle through C++
          return std::make_shared<PyOp>(nb::borrow(host_ops[static_cast<size_t>(i)]), types);
        };
        return load_graph(std::string_view(bytes.c_str(), bytes.size()), leaves, &codec);
      },
      nb::arg("bytes"), nb::arg("leaves"), nb::arg("python_ops"),
      "The outputs of a graph save_graph wrote, rebuilt over `leaves` and `python_ops` (as save_graph gave\n"
      "them, or variables of the same types). Bytes that are not such a graph raise ValueError.");
}

}  // namespace theon::py
