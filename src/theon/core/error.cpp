#include "theon/error.hpp"

#include <atomic>
#include <iostream>
#include <optional>

namespace theon {

namespace {
SiteProvider& provider() {
  static SiteProvider p;
  return p;
}
thread_local std::optional<SourceSite> scoped_site;
}  // namespace

SourceSite::SourceSite(std::string file, int line, std::string function, std::string code)
    : info_(std::make_shared<const Info>(Info{std::move(file), line, std::move(function), std::move(code)})) {}

const std::string& SourceSite::file() const {
  static const std::string none;
  return info_ ? info_->file : none;
}
const std::string& SourceSite::function() const {
  static const std::string none;
  return info_ ? info_->function : none;
}

std::string SourceSite::str() const {
  if (!known()) return "<unknown location>";
  std::string s = info_->file + ":" + std::to_string(info_->line);
  if (!info_->function.empty()) s += " (in " + info_->function + ")";
  if (!info_->code.empty()) s += "\n    " + info_->code;
  return s;
}

void set_site_provider(SiteProvider p) { provider() = std::move(p); }

SourceSite current_site() {
  if (scoped_site) return *scoped_site;
  if (provider()) return provider()();
  return {};
}

SiteScope::SiteScope(std::source_location loc) : had_(scoped_site.has_value()) {
  if (had_) saved_ = *scoped_site;
  scoped_site = SourceSite{loc.file_name(), static_cast<int>(loc.line()), loc.function_name(), ""};
}

SiteScope::SiteScope(const SourceSite& site) : had_(scoped_site.has_value()) {
  if (had_) saved_ = *scoped_site;
  scoped_site = site;
}

SiteScope::~SiteScope() {
  if (had_)
    scoped_site = saved_;
  else
    scoped_site.reset();
}

namespace {
std::atomic<WarningHook> warning_hook{nullptr};
}  // namespace

void set_warning_hook(WarningHook h) { warning_hook = h; }

void warn(const std::string& msg) {
  if (WarningHook hook = warning_hook.load())
    hook(msg);
  else
    std::cerr << "theon warning: " << msg << "\n";
}

const std::vector<UserErrorClass>& user_error_classes() {
  static const std::vector<UserErrorClass> classes = {
#define THEON_ERROR(Class, Base, python, meaning) {#Class, python, meaning},
#include "theon/errors.def"
#undef THEON_ERROR
  };
  return classes;
}

std::string join_strings(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

}  // namespace theon
