#include "util/rsa_key.h"

#include <openssl/bio.h>
#include <openssl/buffer.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

namespace leadterra {
namespace {

constexpr std::string_view kParam = "privateKey";
// A 4096-bit PKCS#1 PEM is about 3.3 KB; anything far larger is not a key.
constexpr size_t kMaxPemSize = 64 * 1024;

using Pkey = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)>;
using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;

Status BadKey(std::string message) {
  ERR_clear_error();
  return InvalidArgument(std::move(message), std::string(kParam));
}

Status OpensslFailure(std::string_view what) {
  unsigned long err = ERR_get_error();
  std::string message = "OpenSSL: " + std::string(what) + " failed";
  if (err != 0) {
    char buf[256];
    ERR_error_string_n(err, buf, sizeof(buf));
    message += ": ";
    message += buf;
  }
  ERR_clear_error();
  return Internal(std::move(message));
}

// Refuses to prompt on the terminal for a passphrase (OpenSSL's default).
int NoPassphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*u*/) { return -1; }

// Serializes `pkey` as PKCS#8 PEM plus base64 DER SubjectPublicKeyInfo.
Result<RsaKeyPair> Export(EVP_PKEY* pkey) {
  RsaKeyPair pair;
  {
    // Secure heap where available: the buffer is cleansed when freed.
    Bio bio(BIO_new(BIO_s_secmem()), &BIO_free);
    if (!bio) return OpensslFailure("BIO_new");
    if (PEM_write_bio_PrivateKey(bio.get(), pkey, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
      return OpensslFailure("PEM_write_bio_PrivateKey");
    }
    BUF_MEM* mem = nullptr;
    BIO_get_mem_ptr(bio.get(), &mem);
    if (mem == nullptr || mem->length == 0) return Internal("OpenSSL: empty private key PEM");
    pair.private_key_pem.assign(mem->data, mem->length);
  }

  unsigned char* der = nullptr;
  int der_len = i2d_PUBKEY(pkey, &der);
  if (der_len <= 0 || der == nullptr) return OpensslFailure("i2d_PUBKEY");
  std::string b64(4 * ((static_cast<size_t>(der_len) + 2) / 3) + 1, '\0');
  int b64_len = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()), der, der_len);
  OPENSSL_free(der);
  if (b64_len <= 0) return OpensslFailure("EVP_EncodeBlock");
  b64.resize(static_cast<size_t>(b64_len));
  pair.public_key_base64 = std::move(b64);
  return pair;
}

// Parses `pem` as is and applies the RSA and size rules.
Result<Pkey> LoadRsaKey(std::string_view pem) {
  if (pem.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return BadKey("privateKey is empty");
  }
  if (pem.size() > kMaxPemSize) {
    return BadKey("privateKey is too large to be a PEM private key");
  }
  if (pem.find('\0') != std::string_view::npos ||
      pem.find("-----BEGIN ") == std::string_view::npos) {
    return BadKey(
        "privateKey must be a PEM private key (\"-----BEGIN PRIVATE KEY-----\" or "
        "\"-----BEGIN RSA PRIVATE KEY-----\")");
  }
  if (pem.find("ENCRYPTED") != std::string_view::npos) {
    return BadKey("privateKey is encrypted; provide an unencrypted private key");
  }
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  if (!bio) return OpensslFailure("BIO_new_mem_buf");
  ERR_clear_error();
  Pkey pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, &NoPassphrase, nullptr), &EVP_PKEY_free);
  if (!pkey) {
    return BadKey("privateKey could not be parsed as a PEM private key (truncated or corrupt?)");
  }
  if (EVP_PKEY_is_a(pkey.get(), "RSA") != 1) {
    return BadKey("privateKey must be an RSA key");
  }
  int bits = EVP_PKEY_get_bits(pkey.get());
  if (bits < kMinRsaKeyBits || bits > kMaxRsaKeyBits) {
    return BadKey("privateKey must be an RSA key of " + std::to_string(kMinRsaKeyBits) + " to " +
                  std::to_string(kMaxRsaKeyBits) + " bits (got " + std::to_string(bits) + ")");
  }
  return pkey;
}

}  // namespace

Result<RsaKeyPair> GenerateRsaKey(int bits) {
  if (bits < kMinRsaKeyBits || bits > kMaxRsaKeyBits) {
    return InvalidArgument("RSA key size must be between " + std::to_string(kMinRsaKeyBits) +
                               " and " + std::to_string(kMaxRsaKeyBits) + " bits",
                           "bits");
  }
  PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr), &EVP_PKEY_CTX_free);
  if (!ctx) return OpensslFailure("EVP_PKEY_CTX_new_from_name");
  if (EVP_PKEY_keygen_init(ctx.get()) != 1) return OpensslFailure("EVP_PKEY_keygen_init");
  if (EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), bits) != 1) {
    return OpensslFailure("EVP_PKEY_CTX_set_rsa_keygen_bits");
  }
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_generate(ctx.get(), &raw) != 1 || raw == nullptr) {
    return OpensslFailure("EVP_PKEY_generate");
  }
  Pkey pkey(raw, &EVP_PKEY_free);
  return Export(pkey.get());
}

Result<RsaKeyPair> ParseRsaPrivateKey(std::string_view pem) {
  // Pasted keys come with CRLF, indentation or blank lines; OpenSSL wants each
  // "-----BEGIN" line flush left.
  std::string clean;
  struct Wipe {
    std::string& text;
    ~Wipe() { OPENSSL_cleanse(text.data(), text.size()); }
  } wipe{clean};
  if (pem.size() <= kMaxPemSize) {
    clean.reserve(pem.size());
    for (size_t pos = 0; pos < pem.size();) {
      size_t eol = pem.find('\n', pos);
      if (eol == std::string_view::npos) eol = pem.size();
      std::string_view line = pem.substr(pos, eol - pos);
      size_t first = line.find_first_not_of(" \t\r");
      if (first != std::string_view::npos) {
        size_t last = line.find_last_not_of(" \t\r");
        clean.append(line.substr(first, last - first + 1));
        clean.push_back('\n');
      }
      pos = eol + 1;
    }
  }
  LT_ASSIGN_OR_RETURN(Pkey pkey, LoadRsaKey(pem.size() <= kMaxPemSize ? clean : pem));
  PkeyCtx check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr), &EVP_PKEY_CTX_free);
  if (!check) return OpensslFailure("EVP_PKEY_CTX_new_from_pkey");
  if (EVP_PKEY_pairwise_check(check.get()) != 1) {
    return BadKey("privateKey is not a consistent RSA key pair");
  }
  return Export(pkey.get());
}

Status CheckRsaPrivateKey(std::string_view pem) {
  Result<Pkey> pkey = LoadRsaKey(pem);
  return pkey.ok() ? Status::Ok() : pkey.status();
}

std::string DkimTxtRecord(std::string_view public_key_base64) {
  std::string record = "v=DKIM1; k=rsa; p=";
  record += public_key_base64;
  return record;
}

}  // namespace leadterra
