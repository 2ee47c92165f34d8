// RSA key material for DKIM: generation, validation of user-supplied private
// keys, and the DNS TXT record that publishes the public half.
//
// All functions are thread-safe (OpenSSL 3 EVP APIs only, no shared state) and
// never throw. Invalid input yields kInvalidArgument with param "privateKey";
// an OpenSSL failure that is not the caller's fault yields kInternal. Nothing
// here prompts for a passphrase: encrypted keys are rejected.
#pragma once

#include <string>
#include <string_view>

#include "util/status.h"

namespace leadterra {

struct RsaKeyPair {
  // PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----"), LF line endings.
  std::string private_key_pem;
  // Base64 (no line breaks) of the DER SubjectPublicKeyInfo: the p= value of
  // the DKIM TXT record.
  std::string public_key_base64;
};

inline constexpr int kMinRsaKeyBits = 1024;
inline constexpr int kMaxRsaKeyBits = 4096;

// Generates an RSA key of `bits` bits (2048 in production), with public
// exponent 65537. `bits` outside [kMinRsaKeyBits, kMaxRsaKeyBits] ->
// kInvalidArgument (param "bits").
Result<RsaKeyPair> GenerateRsaKey(int bits);

// Parses a PEM private key (PKCS#1 "BEGIN RSA PRIVATE KEY" or unencrypted
// PKCS#8 "BEGIN PRIVATE KEY"); the key must be RSA with a modulus of
// kMinRsaKeyBits..kMaxRsaKeyBits bits and internally consistent. Returns the
// normalized PKCS#8 PEM and the public key. Empty, oversized, garbage,
// truncated, encrypted or non-RSA input -> kInvalidArgument (param
// "privateKey") with a message saying what is wrong.
Result<RsaKeyPair> ParseRsaPrivateKey(std::string_view pem);

// The cheap part of ParseRsaPrivateKey, for hot paths (about 0.4 ms for a
// 2048-bit key versus ~35 ms): parses `pem` exactly as given (no whitespace
// normalization) and applies the same empty/size/encrypted/RSA/bit-size rules,
// without the key-pair consistency check. OK or the same kInvalidArgument.
Status CheckRsaPrivateKey(std::string_view pem);

// The DKIM TXT record value: "v=DKIM1; k=rsa; p=<public_key_base64>".
std::string DkimTxtRecord(std::string_view public_key_base64);

}  // namespace leadterra
