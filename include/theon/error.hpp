// User-facing errors (mapped to Python's TypeError/ValueError/...) and the
// "where did the user build this" record every graph node carries.
#pragma once
#include <cerrno>
#include <functional>
#include <memory>
#include <source_location>
#include <stdexcept>
#include <string>
#include <vector>

namespace theon {

// Where a node or variable was created in user code. A handle to a shared,
// immutable record: every node built on one line shares it, so a graph of
// many nodes does not copy file and function names into each.
struct SourceSite {
  struct Info {
    std::string file;
    int line = 0;
    std::string function;
    std::string code;  // the source line, when known
  };
  SourceSite() = default;
  SourceSite(std::string file, int line, std::string function, std::string code = "");
  bool known() const { return info_ && !info_->file.empty(); }
  const std::string& file() const;
  int line() const { return info_ ? info_->line : 0; }
  const std::string& function() const;
  std::string str() const;  // "file:line (in function)\n    code"

 private:
  std::shared_ptr<const Info> info_;
};

// The site provider: the Python binding installs one that walks Python frames;
// C++ users get the call site recorded by SiteScope, or nothing.
using SiteProvider = std::function<SourceSite()>;
void set_site_provider(SiteProvider p);
SourceSite current_site();

// Records a C++ call site for the nodes built inside the scope.
class SiteScope {
 public:
  explicit SiteScope(std::source_location loc = std::source_location::current());
  // Attributes the nodes built inside the scope to `site` (rewrites build
  // nodes on behalf of the user's node they replace).
  explicit SiteScope(const SourceSite& site);
  ~SiteScope();
  SiteScope(const SiteScope&) = delete;
  SiteScope& operator=(const SiteScope&) = delete;

 private:
  SourceSite saved_;
  bool had_;
};

// What a user did wrong (Python sees the builtin or theon._errors class its
// python_name() gives). Adding context keeps the class: rethrow_with.
class UserError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
  // Where Python finds the exception this becomes ("builtins.ValueError").
  virtual const char* python_name() const { return "builtins.ValueError"; }
  // Throws a copy of this error's own class with the message `what`.
  [[noreturn]] virtual void rethrow_with(const std::string& what) const { throw UserError(what); }
};

#define THEON_ERROR(Class, Base, python, meaning)                                                 \
  class Class : public Base {                                                                     \
   public:                                                                                        \
    using Base::Base;                                                                             \
    const char* python_name() const override { return python; }                                   \
    [[noreturn]] void rethrow_with(const std::string& what) const override { throw Class(what); } \
  };
#include "theon/errors.def"
#undef THEON_ERROR

// A file could not be opened or read (Python's OSError; FileNotFoundError for ENOENT).
class OSError : public UserError {
 public:
  OSError(int err, const std::string& what) : UserError(what), error_number(err) {}
  const char* python_name() const override {
    return error_number == ENOENT ? "builtins.FileNotFoundError" : "builtins.OSError";
  }
  [[noreturn]] void rethrow_with(const std::string& what) const override { throw OSError(error_number, what); }
  int error_number;
};

// Every user error class as (name, python name, meaning), from errors.def:
// for the bindings' consistency check.
struct UserErrorClass {
  const char* name;
  const char* python;
  const char* meaning;
};
const std::vector<UserErrorClass>& user_error_classes();

class InternalError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

// Throws a copy of `e`'s class with the message `what`: context added to an
// error never changes what it is.
[[noreturn]] inline void rethrow_with_message(const UserError& e, const std::string& what) {
  e.rethrow_with(what);
  throw ValueError(what);  // not reached: every rethrow_with throws
}

std::string join_strings(const std::vector<std::string>& parts, const std::string& sep);

// Warnings go through this hook (the Python binding routes them to
// warnings.warn); without one they go to stderr.
using WarningHook = void (*)(const std::string&);
void set_warning_hook(WarningHook h);
void warn(const std::string& msg);

#define THEON_CHECK(cond, msg)                                                                                \
  do {                                                                                                        \
    if (!(cond)) throw ::theon::InternalError(std::string("internal check failed: ") + #cond + ": " + (msg)); \
  } while (0)

}  // namespace theon
