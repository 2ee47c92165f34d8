// DKIM signing (RFC 6376) of outgoing messages: rsa-sha256, relaxed/relaxed
// canonicalization, whole body, no l=/x=/z= tags. Canonicalization is done
// here (RFC 6376 §3.4.2, §3.4.4) and the RSA signature by OpenSSL with a key
// parsed once per DkimSigner (OpenSSL 3 takes about 1 ms to parse a PEM
// key, as long as the signature itself; OpenDKIM parsed it for every message).
//
// Signed header fields, when present (every instance): From, Reply-To, To, Cc,
// Subject, Date, Message-ID, In-Reply-To, References, MIME-Version,
// Content-Type, Content-Transfer-Encoding, List-Unsubscribe,
// List-Unsubscribe-Post.
//
// Thread-safe: a signer is immutable and its key is only read. Never throws
// or aborts: bad input -> kInvalidArgument, an OpenSSL failure -> kInternal.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "util/status.h"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY, without its headers

namespace leadterra::delivery {

struct DkimKey {
  std::string domain;    // d=, e.g. "example.com"
  std::string selector;  // s=, e.g. "lt1" (TXT record at lt1._domainkey.example.com)
  // PEM RSA private key (PKCS#8 or PKCS#1), as normalized by
  // ParseRsaPrivateKey (util/rsa_key.h) when it was stored. DkimSign and
  // DkimSigner::Create check it with CheckRsaPrivateKey (no key-pair
  // consistency check) before OpenSSL parses it.
  std::string private_key_pem;
};

// Signs `message` (a complete RFC 5322 message with CRLF line endings: header
// fields, an empty line, the body; a message without the empty line is all
// headers) with signing time t=`unix_seconds` (must be > 0), and returns the
// complete header field to prepend to the message, "DKIM-Signature: v=1;
// a=rsa-sha256; c=relaxed/relaxed; d=...; s=...; ...", folded with CRLF +
// TAB within 76 columns and WITHOUT a trailing CRLF. Deterministic: the same key,
// message and time always give the same bytes.
//
// kInvalidArgument (param "domain", "selector" or "privateKey") for a bad key;
// kInvalidArgument (no param) for a message with bare LF / CR, a malformed
// header line, no From field, or a non-positive time.
Result<std::string> DkimSign(const DkimKey& key, std::string_view message, int64_t unix_seconds);

// The same signing with the key checked and parsed once: for signing many
// messages with one key. Immutable, cheap to copy and thread-safe.
class DkimSigner {
 public:
  // The key errors of DkimSign.
  static Result<DkimSigner> Create(DkimKey key);
  // DkimSign without the key checks.
  Result<std::string> Sign(std::string_view message, int64_t unix_seconds) const;
  const std::string& domain() const { return key_.domain; }

 private:
  DkimSigner(DkimKey key, std::shared_ptr<::evp_pkey_st> pkey)
      : key_(std::move(key)), pkey_(std::move(pkey)) {}
  DkimKey key_;
  std::shared_ptr<::evp_pkey_st> pkey_;  // OpenSSL's EVP_PKEY, parsed once
};

}  // namespace leadterra::delivery
