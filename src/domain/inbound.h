// Mail read back from a mailbox: what a parsed message is (a reply, an
// out-of-office auto-reply, a delivery status notification) and how it is
// tied back to what we sent. Pure rules over already-parsed fields; no I/O.
// Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace leadterra::domain {

enum class InboundKind {
  kReply,        // a person answered: counts, stops the sequence
  kAutoReply,    // out of office and the like: recorded only
  kBounce,       // permanent delivery failure report (5.x.x)
  kDelay,        // transient delivery status report (4.x.x): recorded only
  kUnsubscribe,  // the List-Unsubscribe mailto: request (subject "unsubscribe")
};
std::string_view ToString(InboundKind kind);

// One per-recipient block of an RFC 3464 report.
struct DsnRecipient {
  std::string final_recipient;  // address only, lowercase
  std::string action;           // failed, delayed, delivered, relayed, expanded
  std::string status;           // e.g. "5.1.1"
  std::string diagnostic;       // e.g. "smtp; 550 5.1.1 user unknown"
};

// What the parser extracts from one message.
struct InboundFacts {
  std::string from;     // sender address, lowercase
  std::string subject;  // decoded
  std::string message_id;
  std::vector<std::string> thread_ids;  // In-Reply-To then References, "<…>", newest first
  int64_t date = 0;                     // Date header, 0 if absent or unparsable
  std::string snippet;                  // the start of the text, whitespace collapsed
  std::string text;                     // the whole text (at most kTextMaxBytes)
  // Auto-reply signals.
  std::string auto_submitted, precedence;
  bool x_autoreply = false;
  // Delivery status notification (multipart/report; report-type=delivery-status).
  bool is_dsn = false;
  std::vector<DsnRecipient> dsn_recipients;
  std::string original_message_id;  // from the returned headers or message
};

inline constexpr size_t kSnippetMaxChars = 280;
inline constexpr size_t kTextMaxBytes = 64 * 1024;

bool IsAutoReply(const InboundFacts& facts);
// The DSN recipient block that decides the outcome (the first failure, else
// the first delay), or nullptr when none applies.
const DsnRecipient* DecisiveRecipient(const InboundFacts& facts);
// kBounce / kDelay for reports, kAutoReply, else kReply. nullopt for reports
// that say nothing actionable (e.g. only "delivered").
std::optional<InboundKind> Classify(const InboundFacts& facts);
// The SMTP code in a diagnostic such as "smtp; 550 5.1.1 …" (0 if none).
int DiagnosticSmtpCode(std::string_view diagnostic);

}  // namespace leadterra::domain
