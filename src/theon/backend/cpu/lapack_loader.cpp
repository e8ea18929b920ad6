// Finds LAPACK in the BLAS library at run time; see backend/cpu/lapack.hpp.
#include <memory>
#include <mutex>
#include <type_traits>
#include <vector>

#include "backend/cpu/dynlib.hpp"
#include "backend/cpu/lapack.hpp"
#include "theon/backend/cpu/blas.hpp"

namespace theon {

namespace {

template <class T>
bool resolve_all(void* h, const std::string& prefix, char p, LapackFns<T>& f, std::string* missing) {
  auto r = [&](const char* name, auto& fn) {
    std::string sym = prefix + p + name + "_";
    if (resolve_symbol(h, sym, fn)) return true;
    if (missing->empty()) *missing = sym;
    return false;
  };
  // Every routine is resolved (no short-circuit), so the first missing one is named.
  bool ok = r("getrf", f.getrf);
  ok &= r("getri", f.getri);
  ok &= r("getrs", f.getrs);
  if constexpr (!std::is_floating_point_v<T>) return ok;  // complex: the LU routines only
  ok &= r("potrf", f.potrf);
  ok &= r("potrs", f.potrs);
  ok &= r("trtrs", f.trtrs);
  ok &= r("sysv", f.sysv);
  ok &= r("syevd", f.syevd);
  ok &= r("sygvd", f.sygvd);
  ok &= r("gesdd", f.gesdd);
  ok &= r("geqrf", f.geqrf);
  ok &= r("orgqr", f.orgqr);
  ok &= r("geev", f.geev);
  ok &= r("gelsd", f.gelsd);
  return ok;
}

}  // namespace

const Lapack* lapack(std::string* why) {
  // One table per BLAS library ever used (kept until exit, as the BLAS tables are).
  static std::mutex mutex;
  static std::vector<std::unique_ptr<Lapack>> tables;
  static std::vector<std::string> failures;  // parallel to tables: why a library has none
  const Blas* b = blas();
  if (!b) {
    if (why) *why = "no BLAS library was found (" + blas_info() + ")";
    return nullptr;
  }
  std::lock_guard<std::mutex> lock(mutex);
  for (size_t i = 0; i < tables.size(); ++i) {
    if (tables[i]->path != b->path) continue;
    if (tables[i]->d.getrf) return tables[i].get();
    if (why) *why = failures[i];
    return nullptr;
  }
  auto t = std::make_unique<Lapack>();
  t->path = b->path;
  std::string reason, missing;
  if (void* h = open_library(b->path, &reason)) {
    if (!resolve_all(h, b->prefix, 's', t->s, &missing) || !resolve_all(h, b->prefix, 'd', t->d, &missing) ||
        !resolve_all(h, b->prefix, 'c', t->c, &missing) || !resolve_all(h, b->prefix, 'z', t->z, &missing)) {
      t->s = {};
      t->d = {};
      t->c = {};
      t->z = {};
      reason = "the BLAS library " + b->path + " has no LAPACK routine " + missing;
    }
  }
  tables.push_back(std::move(t));
  failures.push_back(reason);
  if (!tables.back()->d.getrf) {
    if (why) *why = reason;
    return nullptr;
  }
  return tables.back().get();
}

}  // namespace theon
