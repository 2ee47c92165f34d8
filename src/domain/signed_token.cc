#include "domain/signed_token.h"

#include <openssl/crypto.h>

namespace leadterra::domain {
namespace {

constexpr size_t kMacChars = 32;  // 128 bits

std::string MacOf(const SecretBox& box, std::string_view purpose, std::string_view payload) {
  return box.Mac(purpose, payload).substr(0, kMacChars);
}

}  // namespace

std::string SignPayload(const SecretBox& box, std::string_view purpose, std::string_view payload) {
  return Base64UrlEncode(payload) + "." + MacOf(box, purpose, payload);
}

std::optional<std::string> OpenSignedPayload(const SecretBox& box, std::string_view purpose,
                                             std::string_view token, size_t max_bytes) {
  if (token.size() > max_bytes) return std::nullopt;
  const size_t dot = token.rfind('.');
  if (dot == std::string_view::npos) return std::nullopt;
  std::string payload;
  if (!Base64UrlDecode(token.substr(0, dot), &payload)) return std::nullopt;
  const std::string_view mac = token.substr(dot + 1);
  const std::string expected = MacOf(box, purpose, payload);
  if (mac.size() != expected.size() ||
      CRYPTO_memcmp(mac.data(), expected.data(), expected.size()) != 0) {
    return std::nullopt;
  }
  return payload;
}

}  // namespace leadterra::domain
