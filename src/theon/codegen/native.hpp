// The compiler driver and disk cache of the native tier. A module's source
// is hashed with the compiler's identity, the flags, the host CPU, the
// content of the headers it includes and theon's version into a key; `<cache>/native/<key>.so` is written to a
// temporary name and renamed into place (no global lock: two processes
// building the same key both succeed, the last rename wins with identical
// content), and a loaded module must answer its own key, so a truncated or
// foreign file is detected, removed and rebuilt.
#pragma once
#include <memory>
#include <string>

#include "theon/function.hpp"

namespace theon {

class NativeModule {
 public:
  NativeModule(void* handle, std::string key, std::string path)
      : handle_(handle), key_(std::move(key)), path_(std::move(path)) {}
  ~NativeModule();
  NativeModule(const NativeModule&) = delete;
  NativeModule& operator=(const NativeModule&) = delete;
  void* symbol(const std::string& name) const;
  const std::string& key() const { return key_; }
  const std::string& path() const { return path_; }

 private:
  void* handle_;
  std::string key_, path_;
};

// The cache key of `source` under `opts` (32 hex digits).
std::string native_cache_key(const std::string& source, const NativeOptions& opts);

// Loads the module of `source` from the cache, compiling it first when it is
// missing or unusable. Returns null and sets *why when no module can be had
// (no compiler, a failed compile: the caller stays on the VM tier).
std::shared_ptr<NativeModule> load_native_module(const std::string& source, const NativeOptions& opts,
                                                 std::string* why);

// The directory holding the modules: <cache_dir>/native.
std::string native_module_dir(const NativeOptions& opts);

}  // namespace theon
