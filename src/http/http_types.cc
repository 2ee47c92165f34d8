#include "http/http_types.h"

namespace leadterra::http {
namespace {

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::vector<HeaderListElement> SplitHeaderList(std::string_view value) {
  std::vector<HeaderListElement> out;
  while (true) {
    const size_t comma = value.find(',');
    const std::string_view element = TrimSpaces(value.substr(0, comma));
    if (!element.empty()) {
      const size_t semicolon = element.find(';');
      out.push_back({TrimSpaces(element.substr(0, semicolon)),
                     semicolon == std::string_view::npos
                         ? std::string_view()
                         : TrimSpaces(element.substr(semicolon + 1))});
    }
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return out;
}

std::string_view HttpRequest::Header(std::string_view lowercase_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lowercase_name) return value;
  }
  return {};
}

}  // namespace leadterra::http
