#include "domain/mailbox.h"

#include "domain/lead.h"
#include "util/utf8.h"

namespace leadterra::domain {

std::string_view ToString(Security security) {
  switch (security) {
    case Security::kStartTls:
      return "starttls";
    case Security::kTls:
      return "tls";
    case Security::kNone:
      return "none";
  }
  return "starttls";
}

std::optional<Security> ParseSecurity(std::string_view text) {
  if (text == "starttls") return Security::kStartTls;
  if (text == "tls") return Security::kTls;
  if (text == "none") return Security::kNone;
  return std::nullopt;
}

std::string_view ToString(MailboxStatus status) {
  return status == MailboxStatus::kActive ? "active" : "paused";
}

std::optional<MailboxStatus> ParseMailboxStatus(std::string_view text) {
  if (text == "active") return MailboxStatus::kActive;
  if (text == "paused") return MailboxStatus::kPaused;
  return std::nullopt;
}

Status ValidateServer(const ServerSettings& server, std::string_view prefix) {
  const std::string p(prefix);
  if (server.host.empty() || server.host.size() > 253) {
    return InvalidArgument("host must be 1 to 253 characters", p + ".host");
  }
  for (unsigned char c : server.host) {
    if (c <= ' ' || c == '/' || c == '@' || c == 0x7f) {
      return InvalidArgument("host must be a host name or IP address", p + ".host");
    }
  }
  if (server.port < 1 || server.port > 65535) {
    return InvalidArgument("port must be from 1 to 65535", p + ".port");
  }
  if (server.username.size() > 320 || HasControlCharacters(server.username, false)) {
    return InvalidArgument("username must be at most 320 printable characters", p + ".username");
  }
  return Status::Ok();
}

Status ValidateMailbox(const Mailbox& m) {
  if (!IsValidEmail(NormalizeEmail(m.email))) {
    return InvalidArgument("email must be a valid address", "email");
  }
  if (CountCodePoints(m.from_name) > 200 || HasControlCharacters(m.from_name, false)) {
    return InvalidArgument("fromName must be at most 200 characters, without line breaks",
                           "fromName");
  }
  LT_RETURN_IF_ERROR(ValidateServer(m.smtp, "smtp"));
  if (m.imap) {
    LT_RETURN_IF_ERROR(ValidateServer(*m.imap, "imap"));
    if (m.imap_poll_seconds < 1 || m.imap_poll_seconds > 86400) {
      return InvalidArgument("pollIntervalSeconds must be from 1 to 86400",
                             "imap.pollIntervalSeconds");
    }
  }
  if (m.daily_limit < 1 || m.daily_limit > kMaxDailyLimit) {
    return InvalidArgument("dailyLimit must be from 1 to 100000", "dailyLimit");
  }
  return Status::Ok();
}

std::string_view MailboxDomain(const Mailbox& mailbox) {
  std::string_view email = mailbox.email;
  size_t at = email.rfind('@');
  return at == std::string_view::npos ? std::string_view("localhost") : email.substr(at + 1);
}

}  // namespace leadterra::domain
