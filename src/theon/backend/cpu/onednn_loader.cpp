// Finds oneDNN at run time with dlopen; see backend/cpu/onednn.hpp.
#include <dlfcn.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

#include "backend/cpu/dynlib.hpp"
#include "backend/cpu/onednn.hpp"
#include "theon/error.hpp"
#include "theon/runtime.hpp"

namespace theon::dnnl {

namespace {

std::mutex g_mutex;
std::atomic<const Api*> g_api{nullptr};
std::atomic<bool> g_enabled{true};
bool g_searched = false;    // the automatic search ran (under g_mutex)
bool g_turned_off = false;  // THEON_ONEDNN=0: the fallback is what the user asked for (under g_mutex)
std::string g_why;          // why no library is in use (under g_mutex)
std::atomic<bool> g_warned{false};

// Tables (and their libraries) stay until exit: a running kernel may hold one.
std::vector<std::unique_ptr<Api>>& all_tables() {
  static std::vector<std::unique_ptr<Api>> tables;
  return tables;
}

// The library's names for the enum values onednn.hpp declares must be the
// ones meant: a library that numbers them otherwise is refused.
std::string check_enums(void* h) {
  using str_t = const char* (*)(int);
  struct Expect {
    const char* fn;
    int value;
    const char* name;
  };
  const Expect expect[] = {
      {"dnnl_dt2str", kF32, "f32"},
      {"dnnl_fmt_tag2str", kTagAny, "any"},
      {"dnnl_fmt_tag2str", kTagPlain1, "a"},
      {"dnnl_fmt_tag2str", kTagPlain1 + 4, "abcde"},
      {"dnnl_prop_kind2str", kForwardTraining, "forward_training"},
      {"dnnl_prop_kind2str", kForwardInference, "forward_inference"},
      {"dnnl_prop_kind2str", kBackwardData, "backward_data"},
      {"dnnl_prop_kind2str", kBackwardWeights, "backward_weights"},
      {"dnnl_alg_kind2str", kConvolutionDirect, "convolution_direct"},
      {"dnnl_alg_kind2str", kEltwiseRelu, "eltwise_relu"},
      {"dnnl_alg_kind2str", kEltwiseTanh, "eltwise_tanh"},
      {"dnnl_alg_kind2str", kEltwiseLogistic, "eltwise_logistic"},
      {"dnnl_engine_kind2str", kCpuEngine, "cpu"},
      {"dnnl_status2str", kSuccess, "success"},
  };
  for (const Expect& e : expect) {
    str_t fn = nullptr;
    if (!resolve_symbol(h, e.fn, fn)) return std::string("it has no ") + e.fn;
    const char* got = fn(e.value);
    if (!got || std::strcmp(got, e.name) != 0)
      return std::string("its enum value ") + std::to_string(e.value) + " means '" + (got ? got : "?") + "', not '" +
             e.name + "'";
  }
  return {};
}

const Api* load(const std::string& path, std::string* why) {
  auto fail = [&](std::string reason) -> const Api* {
    if (why) *why = std::move(reason);
    return nullptr;
  };
  void* h = open_library(path, why);
  if (!h) return nullptr;
  struct Version {
    int major, minor, patch;
    const char* hash;
    unsigned cpu_runtime, gpu_runtime;
  };
  const Version* (*version)() = nullptr;
  if (!resolve_symbol(h, "dnnl_version", version) || !version() || version()->major != 3) {
    dlclose(h);
    return fail("it is not oneDNN 3.x");
  }
  if (std::string bad = check_enums(h); !bad.empty()) {
    dlclose(h);
    return fail(bad);
  }
  auto owned = std::make_unique<Api>();
  Api* a = owned.get();
#define THEON_DNNL(field) resolve_symbol(h, "dnnl_" #field, a->field)
  const bool ok =
      THEON_DNNL(engine_create) && THEON_DNNL(stream_create) && THEON_DNNL(stream_wait) && THEON_DNNL(stream_destroy) &&
      THEON_DNNL(memory_desc_create_with_tag) && THEON_DNNL(memory_desc_destroy) && THEON_DNNL(memory_desc_equal) &&
      THEON_DNNL(memory_desc_get_size) && THEON_DNNL(memory_create) && THEON_DNNL(memory_set_data_handle) &&
      THEON_DNNL(memory_destroy) && THEON_DNNL(primitive_attr_create) && THEON_DNNL(primitive_attr_destroy) &&
      THEON_DNNL(primitive_attr_set_post_ops) && THEON_DNNL(post_ops_create) && THEON_DNNL(post_ops_destroy) &&
      THEON_DNNL(post_ops_append_eltwise) && THEON_DNNL(convolution_forward_primitive_desc_create) &&
      THEON_DNNL(convolution_backward_data_primitive_desc_create) &&
      THEON_DNNL(convolution_backward_weights_primitive_desc_create) &&

      THEON_DNNL(reorder_primitive_desc_create) && THEON_DNNL(primitive_desc_query_md) &&
      THEON_DNNL(primitive_desc_destroy) && THEON_DNNL(primitive_create) && THEON_DNNL(primitive_execute) &&
      THEON_DNNL(primitive_destroy) && THEON_DNNL(status2str);
#undef THEON_DNNL
  if (!ok) {
    dlclose(h);
    return fail("it lacks an entry of oneDNN's C API");
  }
  resolve_symbol(h, "omp_set_num_threads", a->omp_set_num_threads);  // found through libdnnl's libgomp
  if (a->engine_create(&a->engine, kCpuEngine, 0) != kSuccess) {
    dlclose(h);
    return fail("it cannot make a CPU engine");
  }
  a->path = path;
  const Version* v = version();
  a->version = std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
  all_tables().push_back(std::move(owned));
  return a;
}

// libgomp's idle threads spin for a long while after each parallel region by
// default, beside theon's pool and the caller on the same cores: ask for a
// short spin unless the user chose (read by libgomp when it loads).
void tame_openmp_spin() {
  if (!std::getenv("OMP_WAIT_POLICY") && !std::getenv("GOMP_SPINCOUNT")) setenv("GOMP_SPINCOUNT", "10000", 0);
}

const Api* search() {
  const char* env = std::getenv("THEON_ONEDNN");
  if (env && (std::strcmp(env, "0") == 0 || std::strcmp(env, "off") == 0)) {
    g_why = "THEON_ONEDNN=" + std::string(env) + " turns it off";
    g_turned_off = true;
    return nullptr;
  }
  tame_openmp_spin();
  std::string why;
  // A setting that names a library is a request: that one or none.
  const std::string path = env && *env ? env : "libdnnl.so.3";
  const Api* a = load(path, &why);
  if (!a && env && *env) warn("THEON_ONEDNN='" + path + "' cannot be used (" + why + ")");
  if (!a) g_why = path + " could not be loaded: " + why;
  return a;
}

}  // namespace

const Api* api() {
  if (!g_enabled.load(std::memory_order_relaxed)) return nullptr;
  if (const Api* a = g_api.load(std::memory_order_acquire)) return a;
  std::lock_guard<std::mutex> lock(g_mutex);
  if (const Api* a = g_api.load(std::memory_order_acquire)) return a;
  if (g_searched) return nullptr;
  g_searched = true;
  const Api* a = search();
  g_api.store(a, std::memory_order_release);
  return a;
}

bool set_library(const std::string& path, std::string* why) {
  std::lock_guard<std::mutex> lock(g_mutex);
  tame_openmp_spin();
  const Api* a = load(path, why);
  if (!a) return false;
  g_searched = true;
  g_api.store(a, std::memory_order_release);
  return true;
}

void set_enabled(bool on) { g_enabled.store(on); }
bool enabled() { return g_enabled.load(); }

std::string info() {
  if (!g_enabled.load()) return "oneDNN turned off: convolutions use theon's own kernels";
  if (const Api* a = api()) return a->path + " (oneDNN " + a->version + ")";
  std::lock_guard<std::mutex> lock(g_mutex);
  return "no oneDNN (" + g_why + "): convolutions use theon's own kernels";
}

void warn_fallback(const char* what) {
  if (!g_enabled.load() || g_warned.exchange(true)) return;
  std::string why;
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    if (g_turned_off) return;
    why = g_why;
  }
  warn(std::string(what) + " runs on theon's im2col + GEMM kernels, slower than oneDNN: " + why +
       " (install the onednn-cpu-gomp wheel, or set THEON_ONEDNN to libdnnl.so.3's path)");
}

void check(const Api& a, int status, const char* what) {
  if (status == kSuccess) return;
  const char* s = a.status2str ? a.status2str(status) : nullptr;
  const std::string msg = std::string("oneDNN: ") + what + " failed (" + (s ? s : std::to_string(status)) + ")";
  if (status == kOutOfMemory) throw MemoryError(msg);
  throw ValueError(msg);
}

void set_threads(const Api& a) {
  thread_local int current = 0;
  const int n = num_threads();
  if (a.omp_set_num_threads && n != current) {
    a.omp_set_num_threads(n);
    current = n;
  }
}

}  // namespace theon::dnnl
