// Builds the RFC 5322 message for one step with GMime: multipart/alternative
// (text/plain made from the HTML, then text/html), From with display name,
// To, Subject (RFC 2047-encoded when not ASCII, and wholly encoded when the
// text itself contains "=?", so that a name written as an encoded word shows
// literally instead of being decoded by the mail program), Date, Message-ID, and
// In-Reply-To/References for follow-ups. Bodies are encoded to 7-bit safe
// transfer encodings and lines end in CRLF. Call InitMime() once per process
// before use; afterwards BuildMessage is thread-safe.
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

void InitMime();
std::string BuildMessage(const OutgoingMessage& message);

}  // namespace leadterra::delivery
