// Tokens this server hands out in links and must recognise later
// (unsubscribe links, tracking URLs): "<base64url(payload)>.<MAC>", the MAC
// being the first 128 bits (hex) of HMAC-SHA256 under a key derived from
// the master key for `purpose`. No lookup table; a token altered, forged, or
// made for another purpose is refused. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "util/secret_box.h"

namespace leadterra::domain {

std::string SignPayload(const SecretBox& box, std::string_view purpose, std::string_view payload);
// The payload of a token SignPayload made for `purpose`; nullopt for
// anything else, and for tokens longer than `max_bytes`.
std::optional<std::string> OpenSignedPayload(const SecretBox& box, std::string_view purpose,
                                             std::string_view token, size_t max_bytes);

}  // namespace leadterra::domain
