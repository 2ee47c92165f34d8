// Builds the RFC 5322 message for one step: multipart/alternative
// (text/plain made from the HTML, then text/html), From and To with display
// names (RFC 2047-encoded when not ASCII, quoted when not atoms; IDNA domains),
// Subject (wholly RFC 2047-encoded when not ASCII or when the text itself
// contains "=?", so that a name written as an encoded word shows literally
// instead of being decoded by the mail program), Date, Message-Id, and
// In-Reply-To/References for follow-ups. Header lines are folded within 78
// characters where the words allow; bodies are in 7-bit safe transfer
// encodings (none, quoted-printable or base64) and lines end in CRLF.
//
// Written directly rather than through GMime's object model, which cost
// about 100 us of CPU per message (a quarter of a send, measured) and takes
// process-wide GObject locks; GMime still parses every built message in the
// tests. Thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace leadterra::delivery {

struct OutgoingMessage {
  std::string from_name;
  std::string from_email;
  std::string to_name;  // may be empty
  std::string to_email;
  std::string subject;                  // header-safe already (no CR/LF)
  std::string body_html;                // rendered
  std::string body_text;                // the text part; empty: made from body_html
  std::string message_id;               // "<id@domain>"
  std::vector<std::string> references;  // earlier Message-IDs in the thread, oldest first
  int64_t date_millis = 0;
  // Extra headers (name, value), e.g. List-Unsubscribe; values must be header-safe.
  std::vector<std::pair<std::string, std::string>> extra_headers;
};

std::string BuildMessage(const OutgoingMessage& message);

}  // namespace leadterra::delivery
