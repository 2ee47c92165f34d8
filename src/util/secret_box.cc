#include "util/secret_box.h"

#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>

#include "util/crypto.h"

namespace leadterra {
namespace {

constexpr size_t kNonceSize = 12;
constexpr size_t kTagSize = 16;
constexpr std::string_view kVersion = "v1:";

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

namespace {

constexpr char kB64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

}  // namespace

std::string Base64UrlEncode(std::string_view in) {
  std::string out;
  size_t i = 0;
  while (i + 2 < in.size()) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out.push_back(kB64Url[(n >> s) & 63]);
    i += 3;
  }
  size_t rest = in.size() - i;
  if (rest == 1) {
    uint32_t n = uint8_t(in[i]) << 16;
    out.push_back(kB64Url[(n >> 18) & 63]);
    out.push_back(kB64Url[(n >> 12) & 63]);
  } else if (rest == 2) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out.push_back(kB64Url[(n >> 18) & 63]);
    out.push_back(kB64Url[(n >> 12) & 63]);
    out.push_back(kB64Url[(n >> 6) & 63]);
  }
  return out;
}

bool Base64UrlDecode(std::string_view in, std::string* out) {
  if (in.size() % 4 == 1) return false;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : in) {
    const char* p = std::char_traits<char>::find(kB64Url, 64, c);
    if (!p) return false;
    buffer = (buffer << 6) | static_cast<uint32_t>(p - kB64Url);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  return true;
}

std::string Base64Encode(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(data.data()),
                          static_cast<int>(data.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

bool Base64Decode(std::string_view text, std::string* out) {
  if (text.size() % 4 != 0) return false;
  std::string buf(3 * text.size() / 4, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(buf.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) return false;
  size_t pad = 0;
  if (!text.empty() && text.back() == '=') ++pad;
  if (text.size() > 1 && text[text.size() - 2] == '=') ++pad;
  buf.resize(static_cast<size_t>(n) - pad);
  *out = std::move(buf);
  return true;
}

Result<std::array<uint8_t, SecretBox::kKeySize>> SecretBox::ParseKey(std::string_view text) {
  std::array<uint8_t, kKeySize> key{};
  if (text.size() == 2 * kKeySize) {
    for (size_t i = 0; i < kKeySize; ++i) {
      int hi = HexValue(text[2 * i]), lo = HexValue(text[2 * i + 1]);
      if (hi < 0 || lo < 0) return InvalidArgument("master key: invalid hex");
      key[i] = static_cast<uint8_t>(hi * 16 + lo);
    }
    return key;
  }
  std::string raw;
  if (!Base64Decode(text, &raw) || raw.size() != kKeySize) {
    return InvalidArgument("master key must be 64 hex characters or base64 of 32 bytes");
  }
  std::memcpy(key.data(), raw.data(), kKeySize);
  return key;
}

Result<std::array<uint8_t, SecretBox::kKeySize>> SecretBox::LoadOrCreateKeyFile(
    const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    std::array<uint8_t, kKeySize> key{};
    FillRandom(key.data(), key.size());
    std::string hex;
    static constexpr char kHex[] = "0123456789abcdef";
    for (uint8_t b : key) {
      hex.push_back(kHex[b >> 4]);
      hex.push_back(kHex[b & 15]);
    }
    hex.push_back('\n');
    int out = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (out >= 0) {
      bool ok = ::write(out, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size()) &&
                ::fsync(out) == 0;
      ::close(out);
      if (!ok) return Internal("cannot write master key file " + path);
      return key;
    }
    if (errno != EEXIST) {
      return Internal("cannot create master key file " + path + ": " + std::strerror(errno));
    }
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);  // another process won the race
  }
  if (fd < 0) return Internal("cannot read master key file " + path + ": " + std::strerror(errno));
  char buf[256];
  ssize_t n = ::read(fd, buf, sizeof(buf));
  ::close(fd);
  if (n <= 0) return Internal("master key file " + path + " is empty");
  std::string_view text(buf, static_cast<size_t>(n));
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  return ParseKey(text);
}

std::string SecretBox::Seal(std::string_view plaintext, std::string_view purpose) const {
  uint8_t nonce[kNonceSize];
  FillRandom(nonce, sizeof(nonce));
  std::string out(kNonceSize + plaintext.size() + kTagSize, '\0');
  std::memcpy(out.data(), nonce, kNonceSize);
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int len = 0;
  auto* cipher = reinterpret_cast<unsigned char*>(out.data() + kNonceSize);
  EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), nonce);
  EVP_EncryptUpdate(ctx.get(), nullptr, &len,
                    reinterpret_cast<const unsigned char*>(purpose.data()),
                    static_cast<int>(purpose.size()));
  EVP_EncryptUpdate(ctx.get(), cipher, &len,
                    reinterpret_cast<const unsigned char*>(plaintext.data()),
                    static_cast<int>(plaintext.size()));
  EVP_EncryptFinal_ex(ctx.get(), cipher + len, &len);
  EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagSize,
                      out.data() + kNonceSize + plaintext.size());
  return std::string(kVersion) + Base64Encode(out);
}

Result<std::string> SecretBox::Open(std::string_view sealed, std::string_view purpose) const {
  std::string raw;
  if (sealed.substr(0, kVersion.size()) != kVersion ||
      !Base64Decode(sealed.substr(kVersion.size()), &raw) || raw.size() < kNonceSize + kTagSize) {
    return InvalidArgument("sealed value is malformed");
  }
  const size_t text_size = raw.size() - kNonceSize - kTagSize;
  std::string plain(text_size, '\0');
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int len = 0;
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
  EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), bytes);
  EVP_DecryptUpdate(ctx.get(), nullptr, &len,
                    reinterpret_cast<const unsigned char*>(purpose.data()),
                    static_cast<int>(purpose.size()));
  EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &len,
                    bytes + kNonceSize, static_cast<int>(text_size));
  EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize,
                      const_cast<unsigned char*>(bytes + kNonceSize + text_size));
  if (EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()) + len, &len) !=
      1) {
    return InvalidArgument("sealed value failed authentication (wrong key or tampered)");
  }
  return plain;
}

// HMAC-SHA256 contexts keyed once per purpose. OpenSSL 3's one-shot HMAC()
// fetches the algorithm and sets up a context on every call, which cost more
// than the MAC itself (two of them were 3 % of a send's CPU); a copy of a
// keyed context costs a fraction of that.
struct SecretBox::MacKeys {
  using Ctx = std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)>;
  std::mutex mu;
  std::map<std::string, Ctx, std::less<>> by_purpose;
};

SecretBox::SecretBox(const std::array<uint8_t, kKeySize>& key)
    : key_(key), mac_keys_(std::make_shared<MacKeys>()) {}

std::string SecretBox::Mac(std::string_view purpose, std::string_view data) const {
  static EVP_MAC* const hmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  // A per-purpose key (HMAC(master, "mac:" + purpose)) keeps one use's
  // tokens from being valid for another.
  auto purpose_key = [&] {
    return HmacSha256Hex(std::string_view(reinterpret_cast<const char*>(key_.data()), key_.size()),
                         "mac:" + std::string(purpose));
  };
  MacKeys::Ctx ctx(nullptr, EVP_MAC_CTX_free);
  {
    std::lock_guard<std::mutex> lock(mac_keys_->mu);
    auto it = mac_keys_->by_purpose.find(purpose);
    if (it == mac_keys_->by_purpose.end()) {
      const std::string key = purpose_key();
      MacKeys::Ctx keyed(hmac ? EVP_MAC_CTX_new(hmac) : nullptr, EVP_MAC_CTX_free);
      char digest[] = "SHA256";
      const OSSL_PARAM params[] = {
          OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0), OSSL_PARAM_END};
      if (keyed && EVP_MAC_init(keyed.get(), reinterpret_cast<const unsigned char*>(key.data()),
                                key.size(), params) == 1) {
        it = mac_keys_->by_purpose.emplace(std::string(purpose), std::move(keyed)).first;
      }
    }
    if (it != mac_keys_->by_purpose.end()) ctx.reset(EVP_MAC_CTX_dup(it->second.get()));
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  size_t len = 0;
  if (ctx &&
      EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(data.data()), data.size()) ==
          1 &&
      EVP_MAC_final(ctx.get(), digest, &len, sizeof digest) == 1) {
    return ToHex(digest, len);
  }
  return HmacSha256Hex(purpose_key(), data);  // not expected; the one-shot way still works
}

}  // namespace leadterra
