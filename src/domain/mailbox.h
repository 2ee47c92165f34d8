// Sending mailboxes: SMTP (and optionally IMAP) accounts a workspace sends
// from. Passwords are held sealed (encrypted, see util/secret_box.h); the
// domain never sees them in clear. Plain data plus validation; no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/status.h"

namespace leadterra::domain {

enum class Security { kStartTls, kTls, kNone };
std::string_view ToString(Security security);
std::optional<Security> ParseSecurity(std::string_view text);

struct ServerSettings {
  std::string host;
  int port = 0;
  std::string username;
  std::string password_sealed;  // empty when no password is set
  Security security = Security::kStartTls;
};

enum class MailboxStatus { kActive, kPaused };
std::string_view ToString(MailboxStatus status);
std::optional<MailboxStatus> ParseMailboxStatus(std::string_view text);

struct Mailbox {
  std::string id;  // mbx_…
  std::string workspace_id;
  std::string email;
  std::string from_name;
  ServerSettings smtp;
  std::optional<ServerSettings> imap;
  int imap_poll_seconds = 60;
  int daily_limit = 50;
  MailboxStatus status = MailboxStatus::kActive;
  std::string last_error;
  std::optional<int64_t> verified_at;
  std::optional<int64_t> last_polled_at;  // last IMAP poll, successful or not
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

inline constexpr int kMaxDailyLimit = 100000;

// Validates everything but the password; errors name the field
// ("smtp.port"). `prefix` is "smtp" or "imap".
Status ValidateServer(const ServerSettings& server, std::string_view prefix);
Status ValidateMailbox(const Mailbox& mailbox);
// The SecretBox purpose a mailbox password is sealed under; `which` is
// "smtp" or "imap".
inline std::string MailboxSecretPurpose(const std::string& mailbox_id, std::string_view which) {
  return "mailbox-" + std::string(which) + ":" + mailbox_id;
}

// The domain part of the mailbox address, for Message-IDs.
std::string_view MailboxDomain(const Mailbox& mailbox);

}  // namespace leadterra::domain
