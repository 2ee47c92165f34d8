// The Leadterra-Signature header: "t=<unix seconds>,v1=<hex HMAC-SHA256>"
// over "<t>.<raw body>", keyed with the endpoint's whole secret ("whsec_…").
// Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace leadterra::webhook {

inline constexpr char kSignatureHeader[] = "Leadterra-Signature";

std::string SignatureValue(std::string_view secret, std::string_view body, int64_t unix_seconds);

// True when `header` carries a v1 signature of `body` under `secret` whose
// timestamp is within `tolerance_seconds` of `now_seconds` (what a receiver
// checks; the tests use it as a second implementation of the scheme).
bool VerifySignature(std::string_view header, std::string_view secret, std::string_view body,
                     int64_t now_seconds, int64_t tolerance_seconds);

}  // namespace leadterra::webhook
