// Encryption at rest for secrets the engine must read back (mailbox and
// webhook passwords): AES-256-GCM with a random 96-bit nonce per value.
// Sealed values look like "v1:" + base64(nonce | ciphertext | tag) and are
// bound to a purpose string (additional authenticated data), so a value
// sealed as one mailbox's password cannot be replayed as another secret.
// Thread-safe; the key never leaves the object.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "util/status.h"

namespace leadterra {

class SecretBox {
 public:
  static constexpr size_t kKeySize = 32;
  explicit SecretBox(const std::array<uint8_t, kKeySize>& key);

  // Parses a key given as 64 hex characters or base64 of 32 bytes.
  static Result<std::array<uint8_t, kKeySize>> ParseKey(std::string_view text);
  // Reads the key from `path`, or creates it (mode 0600) with fresh random
  // bytes when the file does not exist.
  static Result<std::array<uint8_t, kKeySize>> LoadOrCreateKeyFile(const std::string& path);

  std::string Seal(std::string_view plaintext, std::string_view purpose) const;
  // kInvalidArgument when the value was tampered with, sealed for another
  // purpose or under another key.
  Result<std::string> Open(std::string_view sealed, std::string_view purpose) const;
  // Hex HMAC-SHA256 of `data` under a key derived from the master key for
  // `purpose`: for tokens the server must recognise later (unsubscribe links).
  std::string Mac(std::string_view purpose, std::string_view data) const;

 private:
  struct MacKeys;
  std::array<uint8_t, kKeySize> key_;
  // The per-purpose MAC keys, each set up once (shared by copies).
  std::shared_ptr<MacKeys> mac_keys_;
};

std::string Base64Encode(std::string_view data);
bool Base64Decode(std::string_view text, std::string* out);
// RFC 4648 §5 (URL- and filename-safe alphabet), without padding.
std::string Base64UrlEncode(std::string_view data);
bool Base64UrlDecode(std::string_view text, std::string* out);

}  // namespace leadterra
