#include "webhook/signature.h"

#include <openssl/crypto.h>

#include <charconv>
#include <cstdlib>

#include "util/crypto.h"

namespace leadterra::webhook {

std::string SignatureValue(std::string_view secret, std::string_view body, int64_t unix_seconds) {
  const std::string t = std::to_string(unix_seconds);
  std::string message;
  message.reserve(t.size() + 1 + body.size());
  message.append(t).append(".").append(body);
  return "t=" + t + ",v1=" + HmacSha256Hex(secret, message);
}

bool VerifySignature(std::string_view header, std::string_view secret, std::string_view body,
                     int64_t now_seconds, int64_t tolerance_seconds) {
  std::string_view t;
  std::string_view v1;
  while (!header.empty()) {
    const size_t comma = header.find(',');
    std::string_view part = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    if (part.rfind("t=", 0) == 0) t = part.substr(2);
    if (part.rfind("v1=", 0) == 0) v1 = part.substr(3);
  }
  int64_t ts = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), ts);
  if (t.empty() || ec != std::errc() || end != t.data() + t.size()) return false;
  if (std::llabs(now_seconds - ts) > tolerance_seconds) return false;
  const std::string expected = SignatureValue(secret, body, ts);
  const std::string_view expected_v1 = std::string_view(expected).substr(expected.find("v1=") + 3);
  return v1.size() == expected_v1.size() &&
         CRYPTO_memcmp(v1.data(), expected_v1.data(), v1.size()) == 0;
}

}  // namespace leadterra::webhook
