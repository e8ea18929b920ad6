#include "codegen/native.hpp"

#include <dlfcn.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#ifndef THEON_VERSION
#define THEON_VERSION "dev"
#endif
#ifndef THEON_SOURCE_INCLUDE_DIR
#define THEON_SOURCE_INCLUDE_DIR ""
#endif

namespace theon {

namespace fs = std::filesystem;

namespace {

// Two FNV-1a lanes with different seeds: a stable 128-bit digest (not a
// security boundary; the cache directory is the user's own).
std::string digest(const std::string& text) {
  uint64_t a = 0xcbf29ce484222325ULL, b = 0x84222325cbf29ce4ULL;
  for (unsigned char c : text) {
    a = (a ^ c) * 0x100000001b3ULL;
    b = (b ^ (c + 0x9e)) * 0x100000001b3ULL;
  }
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(a),
                static_cast<unsigned long long>(b));
  return buf;
}

std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// Runs a shell command; returns its exit status and sets *output to what it printed.
int run_command(const std::string& cmd, std::string* output) {
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return -1;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) output->append(buf, n);
  const int status = pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// compute(key) once per key and process; later calls return the kept value.
template <class F>
std::string once_per_key(std::mutex& mu, std::map<std::string, std::string>& known, const std::string& key, F compute) {
  std::lock_guard<std::mutex> lock(mu);
  auto it = known.find(key);
  return it != known.end() ? it->second : known[key] = compute(key);
}

// `cxx --version` (first line), once per compiler; "" when it does not run.
std::string compiler_identity(const std::string& cxx) {
  static std::mutex mu;
  static std::map<std::string, std::string> known;
  return once_per_key(mu, known, cxx, [](const std::string& c) {
    std::string out;
    return run_command(quote(c) + " --version", &out) == 0 ? out.substr(0, out.find('\n')) : std::string();
  });
}

// -march=native code is valid only on this CPU model: the model and its flags join the key.
const std::string& host_cpu() {
  static const std::string cpu = [] {
    std::ifstream in("/proc/cpuinfo");
    std::string line, model, flags;
    while (std::getline(in, line)) {
      if (model.empty() && line.rfind("model name", 0) == 0) model = line;
      if (flags.empty() && line.rfind("flags", 0) == 0) flags = line;
      if (!model.empty() && !flags.empty()) break;
    }
    return model + "|" + flags;
  }();
  return cpu;
}

std::string include_dir(const NativeOptions& o) {
  return o.include_dir.empty() ? std::string(THEON_SOURCE_INCLUDE_DIR) : o.include_dir;
}

// The headers a module includes, by content: a changed functor or kernel
// means new modules even within one theon version (the version alone would
// keep serving modules built from the old headers). Read once per directory.
std::string headers_digest(const std::string& dir) {
  static std::mutex mu;
  static std::map<std::string, std::string> known;
  return once_per_key(mu, known, dir, [](const std::string& d) {
    static const char* const kModuleHeaders[] = {"ops/scalar_functors.hpp", "ops/special_functions.hpp",
                                                 "ops/simd_math.inc", "core/convert.hpp"};
    std::string all;
    for (const char* h : kModuleHeaders) {
      std::ifstream in(d + "/" + h, std::ios::binary);
      all += std::string(h) + "\n" + std::string(std::istreambuf_iterator<char>(in), {}) + "\n";
    }
    return digest(all);
  });
}

std::string cache_root(const NativeOptions& o) {
  if (!o.cache_dir.empty()) return o.cache_dir;
  if (const char* env = std::getenv("THEON_COMPILEDIR"); env && *env) return env;
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : "/tmp") + "/.theon";
}

std::string unique_suffix() {
  static std::atomic<uint64_t> counter{0};
  std::ostringstream os;
  os << ".tmp-" << getpid() << "-" << std::hash<std::thread::id>()(std::this_thread::get_id()) << "-" << counter++;
  return os.str();
}

// Opens `path` and checks that it is the module of `key`; null if not.
std::shared_ptr<NativeModule> open_module(const std::string& path, const std::string& key) {
  void* h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!h) return nullptr;
  auto fn = reinterpret_cast<const char* (*)()>(dlsym(h, "theon_module_key"));
  if (!fn || key != fn()) {
    dlclose(h);
    return nullptr;
  }
  return std::make_shared<NativeModule>(h, key, path);
}

const char* kCompileFlags = "-std=c++17 -fopenmp-simd -ffp-contract=off -fPIC -shared";

}  // namespace

NativeModule::~NativeModule() {
  if (handle_) dlclose(handle_);
}

void* NativeModule::symbol(const std::string& name) const { return dlsym(handle_, name.c_str()); }

std::string native_module_dir(const NativeOptions& opts) { return cache_root(opts) + "/native"; }

std::string native_cache_key(const std::string& source, const NativeOptions& opts) {
  return digest(source + "\n--\n" + compiler_identity(opts.cxx) + "\n" + opts.flags + " " + kCompileFlags + "\n" +
                host_cpu() + "\n" + headers_digest(include_dir(opts)) + "\n" THEON_VERSION);
}

std::shared_ptr<NativeModule> load_native_module(const std::string& source, const NativeOptions& opts,
                                                 std::string* why) {
  if (opts.cxx.empty()) {
    *why = "no C++ compiler is configured (config.cxx is empty)";
    return nullptr;
  }
  if (compiler_identity(opts.cxx).empty()) {
    *why = "the C++ compiler '" + opts.cxx + "' was not found or does not run (set config.cxx or THEON_FLAGS=cxx=...)";
    return nullptr;
  }
  const std::string key = native_cache_key(source, opts);
  const std::string dir = native_module_dir(opts);
  const std::string so = dir + "/" + key + ".so";
  if (auto m = open_module(so, key)) return m;  // a cache hit
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    *why = "cannot create the cache directory " + dir + ": " + ec.message();
    return nullptr;
  }
  fs::remove(so, ec);  // unusable (truncated, foreign): rebuilt below

  // Source and module under private names, then renamed into place.
  const std::string tag = unique_suffix();
  const std::string src = dir + "/" + key + ".cpp" + tag, tmp = so + tag;
  {
    std::ofstream out(src);
    out << source << "\nextern \"C\" const char* theon_module_key() { return \"" << key << "\"; }\n";
    if (!out) {
      *why = "cannot write " + src;
      return nullptr;
    }
  }
  const std::string base = quote(opts.cxx) + " " + opts.flags + " " + kCompileFlags + " -I" + quote(include_dir(opts)) +
                           " -x c++ " + quote(src) + " -o " + quote(tmp);
  std::string log;
  int rc = run_command(base + " -DTHEON_VECTOR_MATH -lmvec -lm", &log);
  if (rc != 0) {  // no libmvec here: scalar math, still one fused loop
    log.clear();
    rc = run_command(base + " -lm", &log);
  }
  if (rc != 0) {
    fs::remove(src, ec);
    fs::remove(tmp, ec);
    *why = "the C++ compiler failed (" + opts.cxx + "):\n" + log.substr(0, 2000);
    return nullptr;
  }
  fs::rename(tmp, so, ec);
  if (!ec) fs::rename(src, dir + "/" + key + ".cpp", ec);
  if (ec) {
    fs::remove(src, ec);
    fs::remove(tmp, ec);
  }
  if (auto m = open_module(so, key)) return m;
  const char* err = dlerror();
  *why = "the compiled module " + so + " could not be loaded: " + std::string(err ? err : "its key does not match");
  return nullptr;
}

}  // namespace theon
