#include "http/framing.h"

#include <cctype>
#include <optional>
#include <string>

#include "http/http_types.h"

namespace leadterra::http {
namespace {

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// RFC 9110 §5.6.2 token characters.
bool IsTokenChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (std::isalnum(u)) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// The coding names of every field value, in order; empty list elements are
// skipped (RFC 9110 §5.6.1) and parameters (";q=…") dropped. An element that
// does not start with a token makes the whole header malformed (nullopt):
// parsers that disagree on such a value are how requests get smuggled.
std::optional<std::vector<std::string_view>> CodingNames(
    const std::vector<std::string_view>& values) {
  std::vector<std::string_view> names;
  for (std::string_view value : values) {
    for (const HeaderListElement& element : SplitHeaderList(value)) {
      if (element.name.empty()) return std::nullopt;
      for (char c : element.name) {
        if (!IsTokenChar(c)) return std::nullopt;
      }
      names.push_back(element.name);
    }
  }
  return names;
}

}  // namespace

Status CheckRequestFraming(const RequestFraming& framing) {
  if (framing.transfer_encodings.empty()) return Status::Ok();
  if (framing.version < 11) {
    return InvalidArgument("Transfer-Encoding is not allowed in an HTTP/1.0 request");
  }
  if (framing.has_content_length) {
    return InvalidArgument("a request may not carry both Transfer-Encoding and Content-Length");
  }
  const std::optional<std::vector<std::string_view>> parsed =
      CodingNames(framing.transfer_encodings);
  if (!parsed) return InvalidArgument("Transfer-Encoding is not a list of transfer codings");
  const std::vector<std::string_view>& names = *parsed;
  if (names.empty() || !IEquals(names.back(), "chunked")) {
    return InvalidArgument(
        "the final Transfer-Encoding of a request must be chunked; the body length is unknown");
  }
  for (size_t i = 0; i + 1 < names.size(); ++i) {
    if (IEquals(names[i], "chunked")) {
      return InvalidArgument("Transfer-Encoding applies chunked more than once");
    }
  }
  if (names.size() > 1) {
    return Status(ErrorCode::kNotImplemented,
                  "Transfer-Encoding '" + std::string(names.front()) +
                      "' is not supported; send the body chunked or with Content-Length");
  }
  return Status::Ok();
}

}  // namespace leadterra::http
