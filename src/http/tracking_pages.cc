#include "http/tracking_pages.h"

#include <string_view>

namespace leadterra::http {
namespace {

// A 1x1 transparent GIF (GIF89a, 43 bytes).
constexpr unsigned char kPixel[] = {
    0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00,
    0x00, 0xff, 0xff, 0xff, 0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00,
    0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b};

// "/t/o/<token>?x" -> "<token>"
std::string_view TokenOf(const HttpRequest& request) {
  std::string_view path = std::string_view(request.target).substr(0, request.target.find('?'));
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
}

HttpResponse NotFound() {
  HttpResponse response{404, "text/plain; charset=utf-8", {}, "Not found\n"};
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

}  // namespace

HttpResponse TrackingPages::Handle(domain::TrackingKind kind, const HttpRequest& request) {
  const std::string_view token = TokenOf(request);
  std::optional<domain::TrackingTarget> target = domain::ParseTrackingToken(box_, kind, token);
  if (!target) return NotFound();
  HttpResponse response;
  response.headers.emplace_back("Cache-Control", "no-store, private");
  response.headers.emplace_back("Referrer-Policy", "no-referrer");
  if (kind == domain::TrackingKind::kOpen) {
    response.status = 200;
    response.content_type = "image/gif";
    if (request.method != "HEAD") {
      response.body.assign(reinterpret_cast<const char*>(kPixel), sizeof kPixel);
    }
  } else {
    response.status = 302;
    response.content_type = "text/plain; charset=utf-8";
    response.headers.emplace_back("Location", domain::LocationHeaderValue(target->url));
  }
  if (limiter_.Acquire(std::string(token)) != 0) return response;
  domain::TrackingHit hit;
  hit.target = std::move(*target);
  hit.head = request.method == "HEAD";
  hit.user_agent = std::string(request.Header("user-agent").substr(0, 512));
  hit.remote_ip = request.remote_address;
  hit.at = clock_.NowMillis();
  recorder_.Enqueue(std::move(hit));
  return response;
}

}  // namespace leadterra::http
