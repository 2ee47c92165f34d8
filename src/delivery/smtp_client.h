// SMTP over libcurl: one SmtpSession is one connection to one server, reused
// across messages (curl keeps it open between transfers), with STARTTLS, TLS
// or plain transport and AUTH when credentials are set. A session is used by
// one thread at a time. Reply classification follows RFC 5321: 2xx accepted,
// 4xx transient, 5xx permanent; a connection or protocol failure has code 0.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "domain/mailbox.h"

namespace leadterra::delivery {

struct SmtpServer {
  std::string host;
  int port = 587;
  domain::Security security = domain::Security::kStartTls;
  std::string username;
  std::string password;
  std::string helo_domain = "localhost";
};

struct SmtpReply {
  int code = 0;      // last SMTP reply code; 0 when the server was not reached
  std::string text;  // the server's last reply line, or curl's error
  bool Accepted() const { return code >= 200 && code < 300; }
  bool Permanent() const { return code >= 500 && code < 600; }
};

class SmtpSession {
 public:
  virtual ~SmtpSession() = default;
  // Sends one message (`data` is the full RFC 5322 text with CRLF lines).
  virtual SmtpReply Send(std::string_view from, std::string_view to, std::string_view data) = 0;
  // Connects, says EHLO and authenticates, then NOOP: proves the settings.
  virtual SmtpReply Verify() = 0;
};

class SmtpConnector {
 public:
  virtual ~SmtpConnector() = default;
  virtual std::unique_ptr<SmtpSession> Open(const SmtpServer& server) = 0;
};

// The real connector (libcurl). Call curl_global_init before first use.
class CurlSmtpConnector final : public SmtpConnector {
 public:
  std::unique_ptr<SmtpSession> Open(const SmtpServer& server) override;
};

// Logs in to an IMAP server (libcurl) and logs out; for mailbox verification.
SmtpReply VerifyImap(const SmtpServer& server);

}  // namespace leadterra::delivery
