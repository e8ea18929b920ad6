// Libraries opened at run time (the BLAS and oneDNN loaders): dlopen with the
// reason when it fails, and symbols resolved into typed function pointers.
#pragma once
#include <dlfcn.h>

#include <string>

namespace theon {

// dlopen(path, RTLD_NOW | RTLD_LOCAL), or nullptr with the reason in *why.
inline void* open_library(const std::string& path, std::string* why) {
  if (path.empty()) {
    if (why) *why = "the path is empty";
    return nullptr;
  }
  void* h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!h && why) {
    const char* e = dlerror();
    *why = e ? e : "dlopen failed";
  }
  return h;
}

// fn = the symbol `name` of library h (found through its dependencies too); false when missing.
template <class F>
bool resolve_symbol(void* h, const std::string& name, F& fn) {
  fn = reinterpret_cast<F>(dlsym(h, name.c_str()));
  return fn != nullptr;
}

}  // namespace theon
