// The dashboard's files (SPEC §14): built from web/ at build time and
// embedded in the binary (embedded_web_files.h), or read from a directory
// for front-end development (--web-dir). Serves them with the page security
// headers: a strict Content-Security-Policy on every response, hashed assets
// as immutable, precompressed gzip/brotli chosen by Accept-Encoding, and
// index.html for every other page path so client-side routes survive reload.
#pragma once

#include <map>
#include <span>
#include <string>
#include <string_view>

#include "http/http_types.h"

namespace leadterra::http {

// One built file; `gzip` and `brotli` are empty when compression did not
// make it smaller.
struct EmbeddedWebFile {
  std::string_view path;  // "/index.html", "/assets/app-3fa9c1.js"
  std::string_view content_type;
  std::string_view identity;
  std::string_view gzip;
  std::string_view brotli;
};

inline constexpr std::string_view kDashboardCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'";

class WebBundle {
 public:
  // Files compiled into the binary (they outlive the bundle).
  static WebBundle Embedded(std::span<const EmbeddedWebFile> files);
  // Files read from `directory` on every request (development only).
  static WebBundle FromDirectory(std::string directory);

  // GET /assets/<name>: the file, 404 when unknown.
  HttpResponse Asset(const HttpRequest& request) const;
  // Any other page path: index.html (no-cache), or 404 when there is no
  // dashboard in this build.
  HttpResponse Page(const HttpRequest& request) const;

 private:
  struct File {
    std::string content_type;
    std::string identity, gzip, brotli;
  };
  bool Find(const std::string& path, File& out) const;
  HttpResponse Serve(const HttpRequest& request, const std::string& path, bool immutable) const;

  std::map<std::string, File, std::less<>> files_;
  std::string directory_;  // set: read files from here instead
};

}  // namespace leadterra::http
