// The compiler driver and disk cache of the native tier (docs/native.md).
//
// A module's source is hashed (SHA-256) with the compiler's identity, the
// flags, whether libmvec links, the host CPU, the content of the headers it
// includes and theon's version into a key. `<cache>/native/<key>.so` is
// written under a temporary name and renamed into place (no global lock),
// next to `<key>.sha256`, the module's content hash. Before a module is
// loaded, the directories and files are checked (owned by this user, not
// writable by others) and the module is hashed through the one descriptor
// that dlopen then loads: a truncated, foreign or planted file is never
// loaded (it is rebuilt, or refused when it is not this user's own).
#pragma once
#include <memory>
#include <string>

#include "theon/function.hpp"

namespace theon {

class NativeModule {
 public:
  // `fd` is the descriptor the module was loaded through (/proc/self/fd/N).
  NativeModule(void* handle, int fd, std::string key, std::string path)
      : handle_(handle), fd_(fd), key_(std::move(key)), path_(std::move(path)) {}
  ~NativeModule();
  NativeModule(const NativeModule&) = delete;
  NativeModule& operator=(const NativeModule&) = delete;
  void* symbol(const std::string& name) const;
  const std::string& key() const { return key_; }
  const std::string& path() const { return path_; }

 private:
  void* handle_;
  int fd_;
  std::string key_, path_;
};

// Loads the module of `source` from the cache, compiling it first when it is
// missing or stale. Returns null and sets *why when no module can be had (no
// compiler, a failed or killed compile, an untrusted cache directory or
// file): the caller stays on the VM tier.
// Why these options cannot build native code ("" when the configured compiler
// runs). Cheap after the first call per compiler; Function asks before
// starting a background compile, so the warning comes from the user's call.
std::string native_compiler_problem(const NativeOptions& opts);
std::shared_ptr<NativeModule> load_native_module(const std::string& source, const NativeOptions& opts,
                                                 std::string* why);

// The directory holding the modules: <cache_dir>/native.
std::string native_module_dir(const NativeOptions& opts);

}  // namespace theon
