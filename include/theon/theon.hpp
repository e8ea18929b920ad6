// Umbrella header for C++ users.
#pragma once
#include "theon/dtype.hpp"
#include "theon/error.hpp"
#include "theon/function.hpp"
#include "theon/function_graph.hpp"
#include "theon/grad.hpp"
#include "theon/graph.hpp"
#include "theon/map.hpp"
#include "theon/scan.hpp"
#include "theon/ndarray.hpp"
#include "theon/ops.hpp"
#include "theon/runtime.hpp"
#include "theon/scalar.hpp"
