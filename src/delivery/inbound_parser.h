// Parses one raw message read back over IMAP into InboundFacts with GMime:
// sender, subject, threading headers (In-Reply-To, References), auto-reply
// headers, a text snippet, and for delivery status notifications (RFC 3464
// multipart/report) the per-recipient fields and the original Message-ID
// from the returned headers or message. Thread-safe (calls InitMime).
#pragma once

#include <string_view>

#include "domain/inbound.h"
#include "util/status.h"

namespace leadterra::delivery {

// Initializes GMime (once per process; later calls do nothing).
void InitMime();

// kInvalidArgument when the bytes are not a message at all.
Result<domain::InboundFacts> ParseInbound(std::string_view raw);

}  // namespace leadterra::delivery
