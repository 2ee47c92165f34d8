#include "http/server.h"

#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "http/framing.h"

namespace leadterra::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

class Session;

struct Server::Impl {
  Impl(Dispatcher& d, ServerOptions o)
      : dispatcher(d),
        options(std::move(o)),
        ioc(options.threads),
        acceptor(ioc),
        signals(ioc, SIGINT, SIGTERM) {}

  void Accept();
  void Register(Session* session, std::weak_ptr<Session> weak);
  void Unregister(Session* session);
  void BeginShutdown();

  Dispatcher& dispatcher;
  ServerOptions options;
  asio::io_context ioc;
  tcp::acceptor acceptor;
  asio::signal_set signals;
  std::atomic<bool> stopping{false};
  std::mutex sessions_mu;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;
  // Run() and the drain watchdog meet here.
  std::mutex done_mu;
  std::condition_variable done_cv;
  bool done = false;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  static constexpr size_t kReadChunk = 64 * 1024;

  Session(tcp::socket socket, Server::Impl& server) : stream_(std::move(socket)), server_(server) {
    // Beast sizes each socket read by the buffer's spare capacity (512 bytes
    // at least): a roomy buffer turns a 2 MiB body into 32 reads, not 4,000.
    buffer_.reserve(kReadChunk);
  }
  ~Session() { server_.Unregister(this); }

  void Start() {
    remote_ = stream_.socket().remote_endpoint(ignored_).address().to_string();
    server_.Register(this, weak_from_this());
    asio::dispatch(stream_.get_executor(),
                   beast::bind_front_handler(&Session::ReadHeader, shared_from_this()));
  }

  // Called on shutdown: closes the connection if it is waiting for a request.
  void CancelIfIdle() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      if (self->idle_) self->stream_.socket().cancel(self->ignored_);
    });
  }

 private:
  void ReadHeader() {
    if (server_.stopping) return Close();
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(server_.options.max_header_bytes));
    parser_->body_limit(server_.options.max_body_bytes);
    idle_ = true;
    stream_.expires_after(first_ ? server_.options.header_timeout : server_.options.idle_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  void OnHeader(beast::error_code ec, size_t) {
    idle_ = false;
    first_ = false;
    if (ec) return OnReadError(ec);
    const auto& req = parser_->get();
    RequestFraming framing;
    framing.version = req.version();
    framing.has_content_length = req.count(bhttp::field::content_length) > 0;
    for (auto [it, end] = req.equal_range(bhttp::field::transfer_encoding); it != end; ++it) {
      framing.transfer_encodings.push_back(it->value());
    }
    if (Status framing_ok = CheckRequestFraming(framing); !framing_ok.ok()) {
      return ReplyError(framing_ok);
    }
    // Belt and braces: a Transfer-Encoding the rules accept must be one Beast
    // reads as chunked too, or the two would frame the body differently.
    if (!framing.transfer_encodings.empty() && !parser_->chunked()) {
      return ReplyError(InvalidArgument("Transfer-Encoding could not be read as chunked"));
    }
    if (auto length = parser_->content_length();
        length && *length > server_.options.max_body_bytes) {
      return ReplyError(Status(ErrorCode::kPayloadTooLarge, BodyLimitMessage()));
    }
    if (auto length = parser_->content_length()) {
      parser_->get().body().reserve(static_cast<size_t>(*length));
    }
    stream_.expires_after(server_.options.body_timeout);
    if (beast::iequals(req[bhttp::field::expect], "100-continue")) {
      auto cont = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_,
                                                                       req.version());
      bhttp::async_write(stream_, *cont,
                         [self = shared_from_this(), cont](beast::error_code wec, size_t) {
                           if (wec) return self->Close();
                           self->ReadBody();
                         });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&Session::OnBody, shared_from_this()));
  }

  std::string BodyLimitMessage() const {
    return "request body is larger than the limit of " +
           std::to_string(server_.options.max_body_bytes) + " bytes";
  }

  void OnReadError(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
        ec == asio::error::eof) {
      return Close();
    }
    if (ec == bhttp::error::body_limit) {
      return ReplyError(Status(ErrorCode::kPayloadTooLarge, BodyLimitMessage()));
    }
    if (ec == bhttp::error::header_limit) {
      return ReplyError(InvalidArgument("request headers are too large"));
    }
    ReplyError(InvalidArgument("malformed HTTP request (" + ec.message() + ")"));
  }

  void OnBody(beast::error_code ec, size_t) {
    if (ec) return OnReadError(ec);
    bhttp::request<bhttp::string_body> req = parser_->release();
    HttpRequest request;
    request.method = std::string(req.method_string());
    request.target = std::string(req.target());
    request.remote_address = remote_;
    for (const auto& field : req) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      request.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    request.body = std::move(req.body());
    const bool keep_alive = req.keep_alive();
    const unsigned version = req.version();
    // The answer may come from a work pool thread; the guard keeps the
    // io_context running (through a drain) until it has been written.
    auto guard = asio::make_work_guard(server_.ioc);
    server_.dispatcher.Handle(std::move(request), [self = shared_from_this(), keep_alive, version,
                                                   guard](HttpResponse response) {
      asio::dispatch(self->stream_.get_executor(), [self, keep_alive, version,
                                                    response = std::move(response)]() mutable {
        self->Write(std::move(response), keep_alive && !self->server_.stopping, version);
      });
    });
  }

  // Answers a request that could not be read or framed, then closes. The
  // rest of its bytes are never parsed as another request.
  void ReplyError(const Status& status) {
    linger_ = true;
    Write(server_.dispatcher.TransportError(status), /*keep_alive=*/false, 11);
  }

  void Write(HttpResponse response, bool keep_alive, unsigned version) {
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>(
        static_cast<bhttp::status>(response.status), version);
    res->set(bhttp::field::server, "leadterra");
    res->set(bhttp::field::content_type, response.content_type);
    for (auto& [name, value] : response.headers) res->set(name, value);
    res->body() = std::move(response.body);
    res->keep_alive(keep_alive);
    res->prepare_payload();
    stream_.expires_after(server_.options.body_timeout);
    bhttp::async_write(stream_, *res,
                       [self = shared_from_this(), res, keep_alive](beast::error_code ec, size_t) {
                         if (ec) return self->Close();
                         if (!keep_alive)
                           return self->linger_ ? self->LingerClose() : self->Close();
                         self->ReadHeader();
                       });
  }

  void Close() {
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored_);
    stream_.socket().close(ignored_);
  }

  // Half-closes, then reads and discards what the client still sends (for a
  // short while, up to a cap) before closing: closing with unread bytes
  // would reset the connection and could destroy the answer in flight.
  void LingerClose() {
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored_);
    stream_.expires_after(std::chrono::seconds(2));  // for the whole drain
    DrainThenClose(std::make_shared<std::array<char, 16 * 1024>>());
  }

  void DrainThenClose(std::shared_ptr<std::array<char, 16 * 1024>> discard) {
    static constexpr size_t kLingerBytes = 1u << 20;
    stream_.async_read_some(asio::buffer(*discard),
                            [self = shared_from_this(), discard](beast::error_code ec, size_t n) {
                              self->lingered_ += n;
                              if (ec || self->lingered_ >= kLingerBytes) return self->Close();
                              self->DrainThenClose(discard);
                            });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  Server::Impl& server_;
  std::string remote_;
  bool idle_ = true;
  bool first_ = true;
  bool linger_ = false;
  size_t lingered_ = 0;
  beast::error_code ignored_;
};

void Server::Impl::Register(Session* session, std::weak_ptr<Session> weak) {
  std::lock_guard<std::mutex> lock(sessions_mu);
  sessions[session] = std::move(weak);
}

void Server::Impl::Unregister(Session* session) {
  std::lock_guard<std::mutex> lock(sessions_mu);
  sessions.erase(session);
}

void Server::Impl::Accept() {
  acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == asio::error::operation_aborted || stopping) return;
      spdlog::warn("accept failed: {}", ec.message());
    } else {
      socket.set_option(tcp::no_delay(true), ec);
      std::make_shared<Session>(std::move(socket), *this)->Start();
    }
    if (!stopping) Accept();
  });
}

void Server::Impl::BeginShutdown() {
  asio::post(ioc, [this] {
    beast::error_code ignored;
    acceptor.close(ignored);
    signals.cancel(ignored);
    std::vector<std::shared_ptr<Session>> live;
    {
      std::lock_guard<std::mutex> lock(sessions_mu);
      for (auto& [ptr, weak] : sessions) {
        if (auto s = weak.lock()) live.push_back(std::move(s));
      }
    }
    for (auto& s : live) s->CancelIfIdle();
  });
}

Server::Server(Dispatcher& dispatcher, ServerOptions options)
    : impl_(std::make_unique<Impl>(dispatcher, std::move(options))) {}

Server::~Server() = default;

Result<uint16_t> Server::Listen() {
  beast::error_code ec;
  auto address = asio::ip::make_address(impl_->options.host, ec);
  if (ec) return InvalidArgument("invalid listen address '" + impl_->options.host + "'");
  tcp::endpoint endpoint(address, impl_->options.port);
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Internal("cannot listen on " + impl_->options.host + ":" +
                    std::to_string(impl_->options.port) + ": " + ec.message());
  }
  return acceptor.local_endpoint().port();
}

void Server::Run() {
  Impl& impl = *impl_;
  impl.signals.async_wait([this](beast::error_code ec, int signal) {
    if (ec) return;
    spdlog::info("received signal {}, draining", signal);
    Stop();
  });
  impl.Accept();

  // Watchdog: once stopping, give in-flight work drain_timeout to finish.
  std::thread watchdog([&impl] {
    std::unique_lock<std::mutex> lock(impl.done_mu);
    impl.done_cv.wait(lock, [&] { return impl.done || impl.stopping.load(); });
    if (impl.done) return;
    if (!impl.done_cv.wait_for(lock, impl.options.drain_timeout, [&] { return impl.done; })) {
      spdlog::warn("drain timeout reached; closing remaining connections");
      impl.ioc.stop();
    }
  });

  std::vector<std::thread> threads;
  for (int i = 1; i < std::max(1, impl.options.threads); ++i) {
    threads.emplace_back([&] { impl.ioc.run(); });
  }
  impl.ioc.run();
  for (auto& t : threads) t.join();
  {
    std::lock_guard<std::mutex> lock(impl.done_mu);
    impl.done = true;
  }
  impl.done_cv.notify_all();
  watchdog.join();
}

void Server::Stop() {
  if (impl_->stopping.exchange(true)) return;
  impl_->BeginShutdown();
  std::lock_guard<std::mutex> lock(impl_->done_mu);
  impl_->done_cv.notify_all();
}

}  // namespace leadterra::http
