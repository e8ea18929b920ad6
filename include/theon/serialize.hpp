// Graph serialization: a graph written to bytes and rebuilt from them, in this
// process or another. The bytes hold every node's op with all its parameters
// (inner graphs of Scan, IfElse and OpFromGraph nested), its inputs and its
// outputs' names and types, and constants inline. The graph's leaves (plain
// inputs and shared variables) are not written: the caller keeps them (the
// Python binding pickles them) and hands them back to load_graph.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "theon/graph.hpp"

namespace theon {

// The format written; load_graph reads only this one.
inline constexpr uint32_t kGraphFormatVersion = 1;

// How ops that live outside the library (OpKind::HostCallback: a Python op)
// are written and read back: the caller keeps them (e.g. in a Python list)
// and the bytes hold the index it gives.
struct HostOpCodec {
  std::function<int64_t(const Op&)> save;
  std::function<OpPtr(int64_t index, const std::vector<TensorType>& output_types)> load;
};

// Writes the graph from `outputs` (null entries are not allowed) back to its
// leaves: the root variables that are not constants. They are appended to
// *leaves in first-visit order, each once, and the bytes refer to them by
// position. Node ops are rebuilt through their parameters, so every op kind
// is written; a HostCallback op needs `host`.
std::string save_graph(const std::vector<Var>& outputs, std::vector<Var>* leaves, const HostOpCodec* host = nullptr);

// Rebuilds the graph over `leaves` (as many as save_graph gave, each of a type
// the saved leaf accepts) and returns its outputs. Every node is made again
// through make_apply, so types are inferred and checked again. Bytes that are
// not a graph this theon wrote (corrupt, truncated, another format version)
// give a ValueError saying what is wrong; nothing is read out of bounds.
std::vector<Var> load_graph(std::string_view bytes, const std::vector<Var>& leaves, const HostOpCodec* host = nullptr);

}  // namespace theon
