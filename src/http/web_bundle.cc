#include "http/web_bundle.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace leadterra::http {
namespace {

std::string_view ContentTypeFor(std::string_view path) {
  const size_t dot = path.rfind('.');
  std::string_view ext = dot == std::string_view::npos ? "" : path.substr(dot + 1);
  if (ext == "html") return "text/html; charset=utf-8";
  if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "png") return "image/png";
  if (ext == "ico") return "image/x-icon";
  if (ext == "woff2") return "font/woff2";
  if (ext == "json" || ext == "map") return "application/json";
  if (ext == "txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

// A coding named in Accept-Encoding (or matched by "*") without q=0.
bool Accepts(std::string_view header, std::string_view coding) {
  for (const HeaderListElement& element : SplitHeaderList(header)) {
    if (element.name != coding && element.name != "*") continue;
    const size_t q = element.params.find("q=");
    if (q == std::string_view::npos) return true;
    return std::strtod(std::string(element.params.substr(q + 2)).c_str(), nullptr) > 0;
  }
  return false;
}

// Paths as the bundle names them: no "..", no empty or hidden segments.
bool IsSafeAssetName(std::string_view name) {
  if (name.empty() || name.front() == '.') return false;
  for (unsigned char c : name) {
    if (!(std::isalnum(c) || c == '-' || c == '_' || c == '.')) return false;
  }
  return true;
}

HttpResponse NotFoundPage() {
  HttpResponse response{404, "text/plain; charset=utf-8", {}, "not found\n"};
  response.headers.emplace_back("Content-Security-Policy", std::string(kDashboardCsp));
  return response;
}

}  // namespace

WebBundle WebBundle::Embedded(std::span<const EmbeddedWebFile> files) {
  WebBundle bundle;
  for (const EmbeddedWebFile& f : files) {
    bundle.files_[std::string(f.path)] = File{std::string(f.content_type), std::string(f.identity),
                                              std::string(f.gzip), std::string(f.brotli)};
  }
  return bundle;
}

WebBundle WebBundle::FromDirectory(std::string directory) {
  WebBundle bundle;
  bundle.directory_ = std::move(directory);
  return bundle;
}

bool WebBundle::Find(const std::string& path, File& out) const {
  if (directory_.empty()) {
    auto it = files_.find(path);
    if (it == files_.end()) return false;
    out = it->second;
    return true;
  }
  std::ifstream in(directory_ + path, std::ios::binary);
  if (!in) return false;
  std::ostringstream content;
  content << in.rdbuf();
  out = File{std::string(ContentTypeFor(path)), content.str(), {}, {}};
  return true;
}

HttpResponse WebBundle::Serve(const HttpRequest& request, const std::string& path,
                              bool immutable) const {
  File file;
  if (!Find(path, file)) return NotFoundPage();
  HttpResponse response;
  response.status = 200;
  response.content_type = file.content_type;
  std::string_view accept = request.Header("accept-encoding");
  if (!file.brotli.empty() && Accepts(accept, "br")) {
    response.body = std::move(file.brotli);
    response.headers.emplace_back("Content-Encoding", "br");
  } else if (!file.gzip.empty() && Accepts(accept, "gzip")) {
    response.body = std::move(file.gzip);
    response.headers.emplace_back("Content-Encoding", "gzip");
  } else {
    response.body = std::move(file.identity);
  }
  response.headers.emplace_back("Vary", "Accept-Encoding");
  response.headers.emplace_back("Cache-Control", immutable && directory_.empty()
                                                     ? "public, max-age=31536000, immutable"
                                                     : "no-cache");
  response.headers.emplace_back("Content-Security-Policy", std::string(kDashboardCsp));
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("Referrer-Policy", "no-referrer");
  response.headers.emplace_back("X-Frame-Options", "DENY");
  return response;
}

HttpResponse WebBundle::Asset(const HttpRequest& request) const {
  std::string_view target = request.target;
  target = target.substr(0, target.find('?'));
  constexpr std::string_view kPrefix = "/assets/";
  if (target.substr(0, kPrefix.size()) != kPrefix) return NotFoundPage();
  std::string_view name = target.substr(kPrefix.size());
  if (!IsSafeAssetName(name)) return NotFoundPage();
  return Serve(request, std::string(target), /*immutable=*/true);
}

HttpResponse WebBundle::Page(const HttpRequest& request) const {
  return Serve(request, "/index.html", /*immutable=*/false);
}

}  // namespace leadterra::http
