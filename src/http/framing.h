// Request framing rules that Beast's parser leaves to the server (RFC 9112
// §6): which combinations of Transfer-Encoding and Content-Length a request
// may carry. Beast itself refuses a Content-Length next to a chunked
// Transfer-Encoding and conflicting Content-Length values; this check covers
// the rest, so that no body byte is ever read as the start of another request.
//
// A request is refused when it carries Transfer-Encoding and
// - it is HTTP/1.0 (framing is then faulty, §6.1), or
// - it also carries Content-Length, or
// - the codings are empty, the final coding is not `chunked`, or `chunked`
//   appears more than once: 400 `invalid_request`;
// - otherwise, when any coding besides the final `chunked` is present (the
//   server decodes none): 501 `not_implemented`.
// The server answers once and closes the connection after any of them.
// Pure function, no Beast, thread-safe.
#pragma once

#include <string_view>
#include <vector>

#include "util/status.h"

namespace leadterra::http {

struct RequestFraming {
  unsigned version = 11;                             // 10 or 11
  std::vector<std::string_view> transfer_encodings;  // every Transfer-Encoding field value
  bool has_content_length = false;
};

Status CheckRequestFraming(const RequestFraming& framing);

}  // namespace leadterra::http
