// User-facing errors (mapped to Python's TypeError/ValueError/...) and the
// "where did the user build this" record every graph node carries.
#pragma once
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

class UserError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
class TypeError : public UserError {
 public:
  using UserError::UserError;
};
class ValueError : public UserError {
 public:
  using UserError::UserError;
};
class IndexError : public UserError {
 public:
  using UserError::UserError;
};
class NotImplementedError : public UserError {
 public:
  using UserError::UserError;
};
// A runtime check of the graph failed (Assert; Python's AssertionError).
class AssertionError : public UserError {
 public:
  using UserError::UserError;
};
// A file could not be opened or read (Python's OSError; FileNotFoundError for ENOENT).
class OSError : public UserError {
 public:
  OSError(int err, const std::string& what) : UserError(what), error_number(err) {}
  int error_number;
};
// Memory for an array could not be had (Python's MemoryError).
class MemoryError : public UserError {
 public:
  using UserError::UserError;
};
// A graph input needed by an output was not given to function().
class MissingInputError : public ValueError {
 public:
  using ValueError::ValueError;
};
class UnusedInputError : public ValueError {
 public:
  using ValueError::ValueError;
};
// grad() with respect to a variable the cost does not depend on.
class DisconnectedInputError : public ValueError {
 public:
  using ValueError::ValueError;
};
// A gradient that does not exist (undefined, or an op without one) reached a
// variable grad() was asked about (Theano's NullTypeGradError).
class NullTypeGradError : public TypeError {
 public:
  using TypeError::TypeError;
};
class InternalError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

// Throws a copy of `e`'s class (the most derived of the classes above) with
// the message `what`: context added to an error never changes what it is.
[[noreturn]] void rethrow_with_message(const UserError& e, const std::string& what);

std::string join_strings(const std::vector<std::string>& parts, const std::string& sep);

#define THEON_CHECK(cond, msg) \
  do {                          \
    if (!(cond)) throw ::theon::InternalError(std::string("internal check failed: ") + #cond + ": " + (msg)); \
  } while (0)

}  // namespace theon
