#include "backend/cpu/native/native.hpp"

#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "backend/cpu/native/subprocess.hpp"
#include "core/sha256.hpp"

#ifndef THEON_VERSION
#define THEON_VERSION "dev"
#endif
#ifndef THEON_SOURCE_INCLUDE_DIR
#define THEON_SOURCE_INCLUDE_DIR ""
#endif

namespace theon {

namespace fs = std::filesystem;

namespace {

const char* const kCompileFlags = "-std=c++17 -fopenmp-simd -ffp-contract=off -fPIC -shared";

std::string errno_message() { return std::error_code(errno, std::generic_category()).message(); }

// compute(key) until it gives a non-empty answer, once per key and process
// after that: a failed answer (a compiler killed once) is asked again.
template <class F>
std::string once_per_key(std::mutex& mu, std::map<std::string, std::string>& known, const std::string& key, F compute) {
  std::lock_guard<std::mutex> lock(mu);
  auto it = known.find(key);
  if (it != known.end()) return it->second;
  std::string answer = compute(key);
  if (!answer.empty()) known[key] = answer;
  return answer;
}

// `cxx --version` (first line), once per compiler; "" when it does not run.
std::string compiler_identity(const std::string& cxx) {
  static std::mutex mu;
  static std::map<std::string, std::string> known;
  return once_per_key(mu, known, cxx, [](const std::string& c) {
    const ProcessResult run = run_process({c, "--version"});
    if (!run.succeeded()) return std::string();
    return run.output.empty() ? c : run.output.substr(0, run.output.find('\n'));
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
    static const char* const kModuleHeaders[] = {
#define THEON_MODULE_HEADER(path) path,
#include "backend/cpu/native/module_headers.def"
#undef THEON_MODULE_HEADER
    };
    std::string all;
    for (const char* h : kModuleHeaders) {
      std::ifstream in(d + "/" + h, std::ios::binary);
      all += std::string(h) + "\n" + std::string(std::istreambuf_iterator<char>(in), {}) + "\n";
    }
    return sha256_hex(all);
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

// ---- trust: code is loaded only from what no other user could have written

// Why a cache directory or file with status `st` must not be trusted ("" when it may be).
std::string ownership_problem(const struct stat& st) {
  if (st.st_uid != geteuid())
    return "it is owned by uid " + std::to_string(st.st_uid) + ", not by this user (uid " + std::to_string(geteuid()) +
           ")";
  if (st.st_mode & (S_IWGRP | S_IWOTH)) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return std::string("it is writable by group or others (mode ") + mode + ")";
  }
  return "";
}

// Creates the missing directories of `dir` with mode 0700, whatever the
// umask: the cache holds code that this process will run.
bool make_private_directories(const std::string& dir, std::string* why) {
  fs::path so_far;
  for (const fs::path& part : fs::path(dir)) {
    so_far /= part;
    struct stat st;
    if (stat(so_far.c_str(), &st) == 0) continue;
    if (mkdir(so_far.c_str(), 0700) == 0)
      chmod(so_far.c_str(), 0700);  // mkdir's mode is cut by the umask
    else if (errno != EEXIST) {
      *why = "cannot create the cache directory " + so_far.string() + ": " + errno_message();
      return false;
    }
  }
  return true;
}

bool directory_is_trusted(const std::string& dir, std::string* why) {
  struct stat st;
  if (stat(dir.c_str(), &st) != 0) {
    *why = "cannot read the cache directory " + dir + ": " + errno_message();
    return false;
  }
  std::string problem = S_ISDIR(st.st_mode) ? ownership_problem(st) : "it is not a directory";
  if (problem.empty()) return true;
  *why = "the cache directory " + dir + " is not trusted (" + problem +
         "), so no code is loaded from it; make it private to this user (chmod 700) or set config.compiledir "
         "to another directory";
  return false;
}

// A cache file opened once for every check and use that follows, so that it
// cannot be swapped between the check and the use. fd < 0 with `problem`
// empty: there is no such file.
struct CacheFile {
  int fd = -1;
  std::string problem;
  CacheFile() = default;
  CacheFile(const CacheFile&) = delete;
  CacheFile& operator=(const CacheFile&) = delete;
  ~CacheFile() {
    if (fd >= 0) close(fd);
  }
  int release() { return std::exchange(fd, -1); }
};

// O_NONBLOCK: a FIFO planted under a module's name must not hang the open.
void open_cache_file(const std::string& path, CacheFile* file) {
  file->fd = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (file->fd < 0) {
    if (errno != ENOENT)
      file->problem = errno == ELOOP ? "it is a symbolic link" : "cannot open it: " + errno_message();
    return;
  }
  struct stat st;
  if (fstat(file->fd, &st) != 0)
    file->problem = "cannot read its status: " + errno_message();
  else
    file->problem = S_ISREG(st.st_mode) ? ownership_problem(st) : "it is not a regular file";
  if (!file->problem.empty()) close(file->release());
}

// The SHA-256 of what `fd` holds, read from its start; "" on a read error.
std::string hash_of_file(int fd) {
  Sha256 hash;
  char buf[65536];
  for (off_t at = 0;;) {
    const ssize_t n = pread(fd, buf, sizeof buf, at);
    if (n == 0) return hash.finish_hex();
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return "";
    hash.update(buf, static_cast<size_t>(n));
    at += n;
  }
}

// A module's hash record, in sha256sum's format: "<64 hex digits>  <key>.so\n".
std::string hash_record(const std::string& hash, const std::string& key) { return hash + "  " + key + ".so\n"; }

// The hash that the record in `fd` gives for the module of `key`; "" when it gives none.
std::string recorded_hash(int fd, const std::string& key) {
  char buf[256];
  const ssize_t n = pread(fd, buf, sizeof buf, 0);
  if (n <= 64) return "";
  const std::string text(buf, static_cast<size_t>(n));
  const std::string hash = text.substr(0, 64);
  if (hash.find_first_not_of("0123456789abcdef") != std::string::npos) return "";
  return text == hash_record(hash, key) ? hash : "";
}

// Writes `content` to a new file `path` (mode 0600); on any failure (a full
// disk, a file size limit) removes what it wrote and says why.
bool write_private_file(const std::string& path, const std::string& content, std::string* why) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    *why = "cannot write " + path + ": " + errno_message();
    return false;
  }
  for (size_t done = 0; done < content.size();) {
    const ssize_t n = write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *why = "cannot write " + path + ": " + errno_message();
      close(fd);
      unlink(path.c_str());
      return false;
    }
    done += static_cast<size_t>(n);
  }
  if (close(fd) != 0) {
    *why = "cannot write " + path + ": " + errno_message();
    unlink(path.c_str());
    return false;
  }
  return true;
}

// Paths removed when this goes out of scope, unless kept (renamed into place).
struct TemporaryFiles {
  std::vector<std::string> paths;
  ~TemporaryFiles() {
    for (const std::string& p : paths) unlink(p.c_str());
  }
  void keep(const std::string& path) { std::erase(paths, path); }
};

// ---- loading through a descriptor

std::string descriptor_path(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

// glibc remembers a library by the name it was opened under
// (/proc/self/fd/N) and hands that library to any later dlopen of the same
// name. So N stays open ("parked") while a library of that name is loaded
// (one glibc will not unload, or the same file loaded again under another
// number), and N is closed only once none is: a number in use can name no
// other file. Each parked descriptor keeps the path of its module.
std::mutex parked_mutex;
std::vector<std::pair<int, std::string>> parked_descriptors;

bool name_is_loaded(int fd) {
  void* handle = dlopen(descriptor_path(fd).c_str(), RTLD_LAZY | RTLD_NOLOAD);
  if (!handle) return false;
  dlclose(handle);
  return true;
}

void release_load_descriptor(int fd, const std::string& path) {
  std::lock_guard<std::mutex> lock(parked_mutex);
  parked_descriptors.emplace_back(fd, path);
  std::erase_if(parked_descriptors, [](const auto& parked) {
    if (name_is_loaded(parked.first)) return false;
    close(parked.first);
    return true;
  });
}

bool answers_key(void* handle, const std::string& key) {
  auto answer = reinterpret_cast<const char* (*)()>(dlsym(handle, "theon_module_key"));
  return answer && key == answer();
}

// dlopen of the verified file open at `fd` (never of its path, which could
// name another file by now); the module must answer its own key.
std::shared_ptr<NativeModule> load_from_descriptor(int fd, const std::string& key, const std::string& path,
                                                   std::string* why) {
  void* handle = dlopen(descriptor_path(fd).c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* err = dlerror();
    *why = "the compiled module " + path + " could not be loaded: " + std::string(err ? err : "unknown error");
    release_load_descriptor(fd, path);
    return nullptr;
  }
  if (!answers_key(handle, key)) {
    dlclose(handle);
    release_load_descriptor(fd, path);
    *why = "the compiled module " + path + " does not answer its key";
    return nullptr;
  }
  return std::make_shared<NativeModule>(handle, fd, key, path);
}

// The modules this process has loaded, by path: a function built again
// shares the loaded code instead of opening the file once more (a second
// descriptor of a library glibc keeps would stay parked for good).
std::mutex loaded_mutex;
std::map<std::string, std::weak_ptr<NativeModule>> loaded_modules;

std::shared_ptr<NativeModule> remember_loaded(std::shared_ptr<NativeModule> module) {
  if (!module) return module;
  std::lock_guard<std::mutex> lock(loaded_mutex);
  std::erase_if(loaded_modules, [](const auto& entry) { return entry.second.expired(); });
  loaded_modules[module->path()] = module;
  return module;
}

// The module at `path` when this process has it loaded: one in use, or one
// that glibc kept loaded after its last user (through its parked descriptor).
std::shared_ptr<NativeModule> already_loaded(const std::string& path, const std::string& key) {
  {
    std::lock_guard<std::mutex> lock(loaded_mutex);
    auto it = loaded_modules.find(path);
    if (it != loaded_modules.end())
      if (auto module = it->second.lock(); module && module->key() == key) return module;
  }
  std::lock_guard<std::mutex> lock(parked_mutex);
  for (auto it = parked_descriptors.begin(); it != parked_descriptors.end(); ++it) {
    if (it->second != path) continue;
    void* handle = dlopen(descriptor_path(it->first).c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD);
    if (!handle) continue;
    if (!answers_key(handle, key)) {
      dlclose(handle);
      continue;
    }
    const int fd = it->first;
    parked_descriptors.erase(it);
    return std::make_shared<NativeModule>(handle, fd, key, path);
  }
  return nullptr;
}

enum class CacheLookup { Loaded, Stale, Refused };

// The cached module `<base>.so` when it is this user's own and matches its
// hash record `<base>.sha256`. A missing, truncated or foreign module, or one
// without a matching record, is Stale: it is never loaded, and is rebuilt.
// One that is not this user's own, or writable by others, is Refused.
CacheLookup load_cached_module(const std::string& base, const std::string& key, std::shared_ptr<NativeModule>* out,
                               std::string* why) {
  const std::string module_path = base + ".so", record_path = base + ".sha256";
  CacheFile module, record;
  open_cache_file(module_path, &module);
  if (module.fd < 0 && module.problem.empty()) return CacheLookup::Stale;  // a miss
  open_cache_file(record_path, &record);
  for (auto [file, path] : {std::pair{&module, &module_path}, std::pair{&record, &record_path}}) {
    if (file->problem.empty()) continue;
    *why = "the cache file " + *path + " is not trusted (" + file->problem +
           "), so it is not loaded; remove it (theon-cache clear) or set config.compiledir to another directory";
    return CacheLookup::Refused;
  }
  if (record.fd < 0) return CacheLookup::Stale;
  const std::string expected = recorded_hash(record.fd, key);
  if (expected.empty() || hash_of_file(module.fd) != expected) return CacheLookup::Stale;
  futimens(module.fd, nullptr);  // a use: the least recently used modules are evicted first
  std::string load_error;
  *out = load_from_descriptor(module.release(), key, module_path, &load_error);
  return *out ? CacheLookup::Loaded : CacheLookup::Stale;
}

// ---- compiling

std::vector<std::string> compiler_argv(const NativeOptions& o) {
  std::vector<std::string> argv{o.cxx};
  for (std::string& flag : split_on_whitespace(o.flags)) argv.push_back(std::move(flag));
  return argv;
}

std::string compiler_failure(const NativeOptions& o, const ProcessResult& run, const std::string& doing) {
  std::string text = "the C++ compiler failed (" + o.cxx + " " + run.describe() + doing + ")";
  if (!run.output.empty()) text += ":\n" + run.output.substr(0, 2000);
  return text;
}

// Links an empty library with -lmvec (and without, when that fails) to tell
// whether libmvec is there: "yes", "no", or "" and *why.
std::string probe_libmvec(const NativeOptions& o, const std::string& dir, std::string* why) {
  auto link_empty_library = [&](bool with_libmvec) {
    const std::string out = dir + "/libmvec-probe.so" + unique_suffix();
    std::vector<std::string> argv = compiler_argv(o);
    argv.insert(argv.end(), {"-fPIC", "-shared", "-x", "c++", "/dev/null", "-o", out});
    if (with_libmvec) argv.push_back("-lmvec");
    argv.push_back("-lm");
    ProcessResult run = run_process(argv);
    unlink(out.c_str());
    return run;
  };
  const ProcessResult with = link_empty_library(true);
  if (with.succeeded()) return "yes";
  // "no" only when the failure names libmvec and the same link without it works.
  if (with.started && with.signal == 0 && with.output.find("mvec") != std::string::npos) {
    const ProcessResult without = link_empty_library(false);
    if (without.succeeded()) return "no";
    *why = compiler_failure(o, without, " linking an empty library");
    return "";
  }
  *why = compiler_failure(o, with, " linking an empty library with -lmvec");
  return "";
}

// Whether -lmvec links with this compiler and these flags: "yes", "no", or
// "" (and *why) when the compiler cannot tell (it fails for another reason,
// or was killed: asked again next time). The answer is part of the key, so a
// module built without libmvec is served only where libmvec is absent.
// The answer is also kept on disk (`libmvec-<digest>`, a private file like
// the modules), so that a new process with a warm cache does not pay a link
// (~70 ms) before its first module loads.
std::string libmvec_links(const NativeOptions& o, const std::string& compiler, const std::string& dir,
                          std::string* why) {
  static std::mutex mu;
  static std::map<std::string, std::string> known;
  return once_per_key(mu, known, o.cxx + "\n" + o.flags, [&](const std::string&) -> std::string {
    const std::string record = dir + "/libmvec-" + sha256_hex(compiler + "\n" + o.cxx + "\n" + o.flags).substr(0, 32);
    {
      CacheFile kept;
      open_cache_file(record, &kept);
      char buf[8];
      const ssize_t n = kept.fd >= 0 ? pread(kept.fd, buf, sizeof buf, 0) : -1;
      if (n == 4 && std::string(buf, 4) == "yes\n") return "yes";
      if (n == 3 && std::string(buf, 3) == "no\n") return "no";
    }
    std::string answer = probe_libmvec(o, dir, why);
    if (!answer.empty()) {
      const std::string tmp = record + unique_suffix();
      std::string ignored;  // an answer that cannot be kept is asked again next time
      if (write_private_file(tmp, answer + "\n", &ignored) && rename(tmp.c_str(), record.c_str()) != 0)
        unlink(tmp.c_str());
    }
    return answer;
  });
}

std::string cache_key(const std::string& source, const NativeOptions& opts, const std::string& compiler,
                      const std::string& libmvec) {
  return sha256_hex(source + "\n--\n" + compiler + "\n" + opts.flags + " " + kCompileFlags + "\nlibmvec=" + libmvec +
                    "\n" + host_cpu() + "\n" + headers_digest(include_dir(opts)) + "\n" THEON_VERSION);
}

// Removes the least recently used modules of `dir` (a load touches a
// module's mtime) until the modules take at most `max_mb`; never `keep_key`,
// the module just built. Half-written entries (no module) are not counted.
void evict_least_recently_used(const std::string& dir, double max_mb, const std::string& keep_key) {
  if (!(max_mb > 0)) return;
  struct Entry {
    uint64_t bytes = 0;
    timespec used{};
    bool has_module = false;
  };
  std::map<std::string, Entry> entries;
  static const char* const kExtensions[] = {".so", ".cpp", ".sha256"};
  DIR* listing = opendir(dir.c_str());
  if (!listing) return;
  while (const dirent* item = readdir(listing)) {
    const std::string name = item->d_name;
    const size_t dot = name.find('.');
    const std::string key = name.substr(0, dot), extension = dot == std::string::npos ? "" : name.substr(dot);
    if ((key.size() != 64 && key.size() != 32) || key.find_first_not_of("0123456789abcdef") != std::string::npos ||
        std::find(std::begin(kExtensions), std::end(kExtensions), extension) == std::end(kExtensions))
      continue;
    struct stat st;
    if (fstatat(dirfd(listing), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    Entry& e = entries[key];
    e.bytes += static_cast<uint64_t>(st.st_size);
    if (extension == ".so") e.used = st.st_mtim, e.has_module = true;
  }
  closedir(listing);
  std::vector<std::pair<timespec, std::string>> by_use;
  double total = 0;
  for (const auto& [key, e] : entries) {
    if (!e.has_module) continue;
    total += static_cast<double>(e.bytes);
    by_use.emplace_back(e.used, key);
  }
  std::sort(by_use.begin(), by_use.end(), [](const auto& a, const auto& b) {
    return a.first.tv_sec != b.first.tv_sec ? a.first.tv_sec < b.first.tv_sec : a.first.tv_nsec < b.first.tv_nsec;
  });
  const double limit = max_mb * 1024 * 1024;
  for (const auto& [used, key] : by_use) {
    if (total <= limit) break;
    if (key == keep_key) continue;
    for (const char* extension : kExtensions) unlink((dir + "/" + key + extension).c_str());
    total -= static_cast<double>(entries[key].bytes);
  }
}

// Compiles the module of `key` into the cache and loads it. The source is
// renamed into place as `<key>.cpp` first and compiled under that name, so
// every process builds the same bytes for a key (the object records its
// source's name); the module and its hash record are written under
// temporary names and renamed into place, the record first: whoever sees
// the module sees its record.
std::shared_ptr<NativeModule> build_module(const std::string& source, const NativeOptions& opts, const std::string& dir,
                                           const std::string& key, bool with_libmvec, std::string* why) {
  const std::string base = dir + "/" + key, tag = unique_suffix();
  const std::string source_path = base + ".cpp", module_path = base + ".so", record_path = base + ".sha256";
  const std::string source_tmp = source_path + tag, module_tmp = module_path + tag, record_tmp = record_path + tag;
  TemporaryFiles temporaries{{source_tmp, module_tmp, record_tmp}};
  const std::string text = source + "\nextern \"C\" const char* theon_module_key() { return \"" + key + "\"; }\n";
  if (!write_private_file(source_tmp, text, why)) return nullptr;
  if (rename(source_tmp.c_str(), source_path.c_str()) != 0) {
    *why = "cannot rename " + source_tmp + ": " + errno_message();
    return nullptr;
  }
  temporaries.keep(source_tmp);

  std::vector<std::string> argv = compiler_argv(opts);
  for (std::string& flag : split_on_whitespace(kCompileFlags)) argv.push_back(std::move(flag));
  argv.insert(argv.end(), {"-I", include_dir(opts), "-x", "c++", source_path, "-o", module_tmp});
  if (with_libmvec) argv.insert(argv.end(), {"-DTHEON_VECTOR_MATH", "-lmvec"});
  argv.push_back("-lm");
  const ProcessResult run = run_process(argv);
  if (!run.succeeded()) {
    unlink(source_path.c_str());
    *why = compiler_failure(opts, run, "");
    return nullptr;
  }

  CacheFile built;
  built.fd = open(module_tmp.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  struct stat st;
  if (built.fd < 0 || fstat(built.fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
    *why = "the compiler's output " + module_tmp + " is not a file of this user";
    return nullptr;
  }
  fchmod(built.fd, 0600);  // the linker made it 0777 minus the umask; the cache is private
  const std::string hash = hash_of_file(built.fd);
  if (hash.empty()) {
    *why = "cannot read the compiler's output " + module_tmp + ": " + errno_message();
    return nullptr;
  }
  if (!write_private_file(record_tmp, hash_record(hash, key), why)) return nullptr;
  for (auto [from, to] : {std::pair{&record_tmp, &record_path}, std::pair{&module_tmp, &module_path}}) {
    if (rename(from->c_str(), to->c_str()) != 0) {
      *why = "cannot rename " + *from + ": " + errno_message();
      return nullptr;
    }
    temporaries.keep(*from);
  }
  auto module = load_from_descriptor(built.release(), key, module_path, why);
  if (module) evict_least_recently_used(dir, opts.cache_max_mb, key);
  return module;
}

}  // namespace

NativeModule::~NativeModule() {
  if (handle_) dlclose(handle_);
  if (fd_ >= 0) release_load_descriptor(fd_, path_);
}

void* NativeModule::symbol(const std::string& name) const { return dlsym(handle_, name.c_str()); }

std::string native_module_dir(const NativeOptions& opts) { return cache_root(opts) + "/native"; }

std::string native_compiler_problem(const NativeOptions& opts) {
  if (opts.cxx.empty()) return "no C++ compiler is configured (config.cxx is empty)";
  if (compiler_identity(opts.cxx).empty())
    return "the C++ compiler '" + opts.cxx + "' was not found or does not run (set config.cxx or THEON_FLAGS=cxx=...)";
  return "";
}

std::shared_ptr<NativeModule> load_native_module(const std::string& source, const NativeOptions& opts,
                                                 std::string* why) {
  if (std::string problem = native_compiler_problem(opts); !problem.empty()) {
    *why = problem;
    return nullptr;
  }
  const std::string compiler = compiler_identity(opts.cxx);
  const std::string root = cache_root(opts), dir = native_module_dir(opts);
  // The root is checked before anything is created in it.
  if (!make_private_directories(root, why) || !directory_is_trusted(root, why) || !make_private_directories(dir, why) ||
      !directory_is_trusted(dir, why))
    return nullptr;
  const std::string libmvec = libmvec_links(opts, compiler, dir, why);
  if (libmvec.empty()) return nullptr;
  const std::string key = cache_key(source, opts, compiler, libmvec);
  const std::string module_path = dir + "/" + key + ".so";
  if (auto module = already_loaded(module_path, key)) {
    utimensat(AT_FDCWD, module_path.c_str(), nullptr, AT_SYMLINK_NOFOLLOW);  // a use, for the eviction order
    return remember_loaded(module);
  }
  std::shared_ptr<NativeModule> module;
  switch (load_cached_module(dir + "/" + key, key, &module, why)) {
    case CacheLookup::Loaded:
      return remember_loaded(module);
    case CacheLookup::Refused:
      return nullptr;
    case CacheLookup::Stale:
      break;
  }
  return remember_loaded(build_module(source, opts, dir, key, libmvec == "yes", why));
}

}  // namespace theon
