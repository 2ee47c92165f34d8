// Cryptographic helpers over OpenSSL. All functions are thread-safe; randomness
// comes from the OS CSPRNG and aborts the process if it is unavailable (there is
// no safe fallback for key material).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace leadterra {

void FillRandom(uint8_t* out, size_t size);
// `length` characters drawn uniformly from [0-9A-Za-z].
std::string RandomBase62(size_t length);
// Lowercase hex of `len` bytes.
std::string ToHex(const unsigned char* data, size_t len);
// Lowercase hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);
// Lowercase hex HMAC-SHA256 of `message` under `key`.
std::string HmacSha256Hex(std::string_view key, std::string_view message);

}  // namespace leadterra
