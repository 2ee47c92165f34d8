// The HTTP/1.1 server on Boost.Beast: keep-alive, header/body/idle timeouts,
// a request body limit (413 before the body is read when Content-Length is
// too large), Expect: 100-continue, and graceful shutdown: on SIGINT/SIGTERM
// or Stop() it stops accepting, closes idle keep-alive connections, lets
// in-flight requests finish (up to `drain_timeout`), then Run() returns.
//
// This is the only translation unit that includes Beast.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "http/dispatcher.h"
#include "util/status.h"

namespace leadterra::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0 picks a free port (see Listen)
  int threads = 2;
  size_t max_body_bytes = 32u << 20;
  size_t max_header_bytes = 64u << 10;
  std::chrono::seconds header_timeout{30};
  std::chrono::seconds body_timeout{120};
  std::chrono::seconds idle_timeout{60};
  std::chrono::seconds drain_timeout{20};
};

class Server {
 public:
  Server(Dispatcher& dispatcher, ServerOptions options);
  ~Server();

  // Binds and listens; returns the bound port.
  Result<uint16_t> Listen();
  // Serves until a signal or Stop(); returns once drained.
  void Run();
  // Thread-safe; idempotent.
  void Stop();

  struct Impl;  // opaque; public only so server.cc's session class can name it

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace leadterra::http
