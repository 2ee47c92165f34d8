#include "http/unsubscribe_pages.h"

#include <spdlog/spdlog.h>

namespace leadterra::http {
namespace {

std::string Escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

// "/u/<token>?x" -> "<token>"
std::string_view TokenOf(const HttpRequest& request) {
  std::string_view path = std::string_view(request.target).substr(0, request.target.find('?'));
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
}

HttpResponse Page(int status, std::string_view title, const std::string& body_html) {
  HttpResponse response;
  response.status = status;
  response.content_type = "text/html; charset=utf-8";
  response.headers.emplace_back("Cache-Control", "no-store");
  response.headers.emplace_back("X-Robots-Tag", "noindex");
  response.body =
      "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
      "<title>" +
      std::string(title) +
      "</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;"
      "margin:4rem auto;padding:0 1rem;color:#222}button{font:inherit;padding:.5rem "
      "1.25rem;border:0;border-radius:.375rem;background:#222;color:#fff;"
      "cursor:pointer}</style></head><body>" +
      body_html + "</body></html>";
  return response;
}

HttpResponse NotFoundPage() {
  return Page(404, "Link not recognised",
              "<h1>Link not recognised</h1><p>This unsubscribe link is not valid. If you copied "
              "it from an email, make sure you have the whole link.</p>");
}

HttpResponse ErrorPage() {
  return Page(500, "Something went wrong",
              "<h1>Something went wrong</h1><p>Please try again in a minute.</p>");
}

}  // namespace

HttpResponse UnsubscribeGet(api::UnsubscribeApi& api, const HttpRequest& request) {
  auto view = api.Look(TokenOf(request));
  if (!view.ok()) {
    return view.status().code() == ErrorCode::kNotFound ? NotFoundPage() : ErrorPage();
  }
  return Page(200, "Unsubscribe",
              "<h1>Unsubscribe</h1><p>Stop all emails to <strong>" + Escape(view->email) +
                  "</strong> from this sender?</p><form method=\"post\"><input type=\"hidden\" "
                  "name=\"List-Unsubscribe\" value=\"One-Click\"><button "
                  "type=\"submit\">Unsubscribe</button></form>");
}

HttpResponse UnsubscribePost(api::UnsubscribeApi& api, const HttpRequest& request) {
  auto view = api.Confirm(TokenOf(request));
  if (!view.ok()) {
    if (view.status().code() == ErrorCode::kNotFound) return NotFoundPage();
    spdlog::error("unsubscribe failed: {}", view.status().message());
    return ErrorPage();
  }
  return Page(200, "Unsubscribed",
              "<h1>You are unsubscribed</h1><p><strong>" + Escape(view->email) +
                  "</strong> will not receive further emails from this sender.</p>");
}

}  // namespace leadterra::http
