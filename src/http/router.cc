#include "http/router.h"

#include <algorithm>

namespace leadterra::http {
namespace {

std::vector<std::string> SplitPattern(const std::string& pattern) {
  std::vector<std::string> out;
  size_t start = 1;
  while (start <= pattern.size()) {
    size_t end = pattern.find('/', start);
    if (end == std::string::npos) end = pattern.size();
    out.push_back(pattern.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool MatchSegments(const std::vector<std::string>& pattern, const std::vector<std::string>& path,
                   std::map<std::string, std::string>* params) {
  if (pattern.size() != path.size()) return false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (!pattern[i].empty() && pattern[i][0] == ':') {
      if (path[i].empty()) return false;
      if (params) (*params)[pattern[i].substr(1)] = path[i];
    } else if (pattern[i] != path[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

void Router::Add(Route route) {
  compiled_.push_back({SplitPattern(route.pattern)});
  routes_.push_back(std::move(route));
}

void Router::SetPageFallback(std::vector<std::string> reserved_prefixes, Route route) {
  fallback_reserved_ = std::move(reserved_prefixes);
  fallback_ = std::move(route);
}

Router::Match Router::Find(const std::string& method,
                           const std::vector<std::string>& segments) const {
  Match match;
  for (size_t i = 0; i < routes_.size(); ++i) {
    if (!MatchSegments(compiled_[i].segments, segments, nullptr)) continue;
    if (routes_[i].method == method) {
      match.route = &routes_[i];
      MatchSegments(compiled_[i].segments, segments, &match.params);
      return match;
    }
    if (std::find(match.allowed.begin(), match.allowed.end(), routes_[i].method) ==
        match.allowed.end()) {
      match.allowed.push_back(routes_[i].method);
    }
  }
  if (fallback_ && match.allowed.empty() && method == "GET" &&
      (segments.empty() || std::find(fallback_reserved_.begin(), fallback_reserved_.end(),
                                     segments.front()) == fallback_reserved_.end())) {
    match.route = &*fallback_;
  }
  return match;
}

}  // namespace leadterra::http
