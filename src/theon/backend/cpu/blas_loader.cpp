// Finds a CBLAS at run time with dlopen; see backend/cpu/blas.hpp.
#include <dlfcn.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <vector>

#include "backend/cpu/dynlib.hpp"
#include "theon/backend/cpu/blas.hpp"
#include "theon/error.hpp"

namespace theon {

namespace {

std::mutex g_mutex;
std::atomic<const Blas*> g_blas{nullptr};
bool g_searched = false;  // the automatic search ran (under g_mutex)

template <class F>
bool resolve(void* h, const std::string& prefix, const char* name, F& fn) {
  return resolve_symbol(h, prefix + name, fn);
}

// Every table ever loaded, kept until exit: a running op may still hold an old
// one, so tables (and their libraries) are never released early.
std::vector<std::unique_ptr<Blas>>& all_tables() {
  static std::vector<std::unique_ptr<Blas>> tables;
  return tables;
}

// Opens `path` and resolves the symbols; nullptr on failure, with the reason in *why.
const Blas* load(const std::string& path, const std::string& prefix, std::string* why = nullptr) {
  auto fail = [&](std::string reason) -> const Blas* {
    if (why) *why = std::move(reason);
    return nullptr;
  };
  void* h = open_library(path, why);
  if (!h) return nullptr;
  auto owned = std::make_unique<Blas>();
  Blas* b = owned.get();
  bool ok = resolve(h, prefix, "cblas_sgemm", b->sgemm) && resolve(h, prefix, "cblas_dgemm", b->dgemm) &&
            resolve(h, prefix, "cblas_cgemm", b->cgemm) && resolve(h, prefix, "cblas_zgemm", b->zgemm) &&
            resolve(h, prefix, "cblas_sgemv", b->sgemv) && resolve(h, prefix, "cblas_dgemv", b->dgemv);
  if (!ok) {
    dlclose(h);
    return fail("it has no CBLAS gemm/gemv symbols" +
                (prefix.empty() ? std::string() : " with the prefix '" + prefix + "'") +
                " (cblas_sgemm, cblas_dgemm, cblas_cgemm, cblas_zgemm, cblas_sgemv, cblas_dgemv)");
  }
  resolve(h, prefix, "cblas_cgemv", b->cgemv);
  resolve(h, prefix, "cblas_zgemv", b->zgemv);
  resolve(h, prefix, "cblas_sdot", b->sdot);
  resolve(h, prefix, "cblas_ddot", b->ddot);
  if (resolve(h, prefix, "openblas_set_num_threads", b->set_threads)) b->set_threads(1);  // see Blas::set_threads
  using config_t = char* (*)();
  config_t cfg = nullptr;
  if (resolve(h, prefix, "openblas_get_config", cfg) && cfg) {
    if (const char* s = cfg()) b->config = s;
  }
  b->path = path;
  b->prefix = prefix;
  all_tables().push_back(std::move(owned));
  return b;
}

// $THEON_BLAS = "path" or "path:prefix".
const Blas* load_from_env() {
  const char* env = std::getenv("THEON_BLAS");
  if (!env || !*env) return nullptr;
  std::string spec(env), path = spec, prefix;
  auto colon = spec.rfind(':');
  if (colon != std::string::npos && spec.find('/', colon) == std::string::npos) {
    path = spec.substr(0, colon);
    prefix = spec.substr(colon + 1);
  }
  std::string why;
  const Blas* b = load(path, prefix, &why);
  // A setting that names a library is a request: say when it cannot be honoured.
  if (!b) warn("THEON_BLAS='" + spec + "' cannot be used (" + why + "); searching the default BLAS libraries instead");
  return b;
}

}  // namespace

const Blas* blas() {
  if (const Blas* b = g_blas.load(std::memory_order_acquire)) return b;
  std::lock_guard<std::mutex> lock(g_mutex);
  if (const Blas* b = g_blas.load(std::memory_order_acquire)) return b;
  if (g_searched) return nullptr;
  g_searched = true;
  const Blas* b = load_from_env();
  for (const char* name : {"libopenblas.so.0", "libopenblas.so", "libcblas.so.3", "libblas.so.3"}) {
    if (b) break;
    b = load(name, "");
  }
  g_blas.store(b, std::memory_order_release);
  return b;
}

bool set_blas_library(const std::string& path, const std::string& symbol_prefix, std::string* why) {
  std::lock_guard<std::mutex> lock(g_mutex);
  const Blas* b = load(path, symbol_prefix, why);
  if (!b) return false;
  g_searched = true;
  g_blas.store(b, std::memory_order_release);
  return true;
}

std::string blas_info() {
  const Blas* b = blas();
  if (!b) return "no BLAS found: dot/matmul use a built-in C++ loop (set THEON_BLAS=path[:prefix])";
  std::string s = b->path;
  if (!b->prefix.empty()) s += " (symbol prefix '" + b->prefix + "')";
  if (!b->config.empty()) s += ": " + b->config;
  return s;
}

}  // namespace theon
