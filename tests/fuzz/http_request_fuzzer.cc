// Fuzzes request framing as the server reads it: Beast's request parser (the
// same header and body limits as the server) followed by the framing rules of
// http/framing.h. Any crash or sanitizer report is a bug. Invariants: a
// request the rules accept has a body length Beast determined itself
// (Content-Length, chunked, or none), and a request carrying any
// Transfer-Encoding is only accepted when that is exactly `chunked` on
// HTTP/1.1 without Content-Length.
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "http/framing.h"

namespace bhttp = boost::beast::http;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(64 * 1024);
  parser.body_limit(1 << 20);
  parser.eager(false);
  boost::beast::error_code ec;
  const auto* bytes = reinterpret_cast<const char*>(data);
  size_t used = parser.put(boost::asio::buffer(bytes, size), ec);
  // Feed the rest as the socket would, in several reads, until the header is done.
  while (!ec && !parser.is_header_done() && used < size) {
    size_t n = parser.put(boost::asio::buffer(bytes + used, size - used), ec);
    if (n == 0) break;
    used += n;
  }
  if (ec || !parser.is_header_done()) return 0;
  const auto& req = parser.get();
  leadterra::http::RequestFraming framing;
  framing.version = req.version();
  framing.has_content_length = req.count(bhttp::field::content_length) > 0;
  for (auto [it, end] = req.equal_range(bhttp::field::transfer_encoding); it != end; ++it) {
    framing.transfer_encodings.push_back(it->value());
  }
  const bool accepted = leadterra::http::CheckRequestFraming(framing).ok();
  if (accepted && !framing.transfer_encodings.empty()) {
    if (!parser.chunked() || framing.has_content_length || framing.version != 11) {
      __builtin_trap();
    }
  }
  if (accepted && framing.transfer_encodings.empty() && parser.chunked()) __builtin_trap();
  return 0;
}
