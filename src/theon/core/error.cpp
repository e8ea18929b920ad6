#include "theon/error.hpp"

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

void rethrow_with_message(const UserError& e, const std::string& what) {
  // Most derived first: a subclass must not be caught by its base's line.
  if (dynamic_cast<const MissingInputError*>(&e)) throw MissingInputError(what);
  if (dynamic_cast<const UnusedInputError*>(&e)) throw UnusedInputError(what);
  if (dynamic_cast<const DisconnectedInputError*>(&e)) throw DisconnectedInputError(what);
  if (dynamic_cast<const NullTypeGradError*>(&e)) throw NullTypeGradError(what);
  if (auto* os = dynamic_cast<const OSError*>(&e)) throw OSError(os->error_number, what);
  if (dynamic_cast<const TypeError*>(&e)) throw TypeError(what);
  if (dynamic_cast<const IndexError*>(&e)) throw IndexError(what);
  if (dynamic_cast<const NotImplementedError*>(&e)) throw NotImplementedError(what);
  if (dynamic_cast<const AssertionError*>(&e)) throw AssertionError(what);
  if (dynamic_cast<const MemoryError*>(&e)) throw MemoryError(what);
  throw ValueError(what);
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
