// RSA key handling (util/rsa_key.h) and DKIM signing (delivery/dkim_signer.h).
// Signatures are checked independently with Debian's python3-dkim through
// tests/unit/dkim_verify.py (needs /usr/bin/python3 with the dkim module).
#include "delivery/dkim_signer.h"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/buffer.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "util/rsa_key.h"

#ifndef LEADTERRA_SOURCE_DIR
#error "LEADTERRA_SOURCE_DIR must name the source tree (for tests/unit/dkim_verify.py)"
#endif

namespace leadterra::delivery {
namespace {

constexpr int64_t kSignTime = 1736931600;  // 2025-01-15 09:00:00 UTC

// One 2048-bit key for the whole file: generation takes a fraction of a second.
const RsaKeyPair& TestKey() {
  static const RsaKeyPair* key = [] {
    Result<RsaKeyPair> generated = GenerateRsaKey(2048);
    if (!generated.ok()) {
      ADD_FAILURE() << generated.status().message();
      return new RsaKeyPair;
    }
    return new RsaKeyPair(std::move(generated).value());
  }();
  return *key;
}

DkimKey Key() { return DkimKey{"example.com", "sel1", TestKey().private_key_pem}; }

const char kSimpleMessage[] =
    "From: Sam Sender <sam@example.com>\r\n"
    "To: lead@example.org\r\n"
    "Subject: Quick question\r\n"
    "Date: Wed, 15 Jan 2025 09:00:00 +0000\r\n"
    "Message-ID: <msg_1@example.com>\r\n"
    "List-Unsubscribe: <https://example.com/u/tok123>\r\n"
    "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "Hi there,\r\n"
    "\r\n"
    "Just checking in.\r\n";

// What mime_builder produces, plus the awkward parts: folded headers, an RFC
// 2047 subject, a header name in unusual case, multipart body, trailing blank
// lines and whitespace runs that relaxed canonicalization rewrites.
const char kRealisticMessage[] =
    "From: =?UTF-8?B?Wm/DqyBTZW5kZXI=?= <zoe@example.com>\r\n"
    "To: Lead Person <lead@example.org>\r\n"
    "Subject: Quick question, =?UTF-8?B?Wm/Dqw==?= and\r\n"
    " =?UTF-8?Q?caf=C3=A9?= plans\r\n"
    "Date: Wed, 15 Jan 2025 09:00:00 +0000\r\n"
    "Message-Id: <msg_2@example.com>\r\n"
    "In-Reply-To: <msg_1@example.com>\r\n"
    "References: <msg_0@example.com>\r\n"
    "\t<msg_1@example.com>\r\n"
    "List-Unsubscribe: <https://example.com/u/aVeryLongUnsubscribeTokenThatForcesFolding0123>,\r\n"
    "  <mailto:unsubscribe+aVeryLongUnsubscribeToken@example.com?subject=unsubscribe>\r\n"
    "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
    "X-Mailer:    Leadterra   \r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/alternative; boundary=\"=-b0undary\"\r\n"
    "\r\n"
    "--=-b0undary\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "Hi Zo=C3=AB,   \r\n"
    "\r\n"
    "Tom & Co\t \r\n"
    "--=-b0undary\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "<p>Hi Zo=C3=AB,</p><p>Tom &amp; Co</p>\r\n"
    "--=-b0undary--\r\n"
    "\r\n"
    "\r\n";

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// The tag list value of `tag` ("h", "d", ...) with folding whitespace removed.
std::string TagValue(const std::string& header, const std::string& tag) {
  std::string compact;
  for (char c : header) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') compact.push_back(c);
  }
  size_t start = compact.find(';' + tag + '=');
  if (start == std::string::npos) return "";
  start += tag.size() + 2;
  size_t end = compact.find(';', start);
  return compact.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

// Runs dkim_verify.py on `signed_message`; its exit status (-1 if not run).
int PythonVerify(const std::string& signed_message, const std::string& public_key_base64) {
  static std::atomic<int> counter{0};
  std::filesystem::path path =
      std::filesystem::temp_directory_path() /
      ("leadterra_dkim_" + std::to_string(getpid()) + "_" + std::to_string(counter++) + ".eml");
  {
    std::ofstream out(path, std::ios::binary);
    out << signed_message;
  }
  std::string command = "/usr/bin/python3 '" + std::string(LEADTERRA_SOURCE_DIR) +
                        "/tests/unit/dkim_verify.py' '" + path.string() + "' '" +
                        public_key_base64 + "'";
  int status = std::system(command.c_str());
  std::filesystem::remove(path);
  if (status == -1 || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

std::string PemOf(EVP_PKEY* pkey, bool traditional) {
  BIO* bio = BIO_new(BIO_s_mem());
  int ok = traditional ? PEM_write_bio_PrivateKey_traditional(bio, pkey, nullptr, nullptr, 0,
                                                              nullptr, nullptr)
                       : PEM_write_bio_PrivateKey(bio, pkey, nullptr, nullptr, 0, nullptr, nullptr);
  BUF_MEM* mem = nullptr;
  BIO_get_mem_ptr(bio, &mem);
  std::string pem = ok == 1 && mem != nullptr ? std::string(mem->data, mem->length) : "";
  BIO_free(bio);
  return pem;
}

// `pem` re-encoded as PKCS#1 ("BEGIN RSA PRIVATE KEY").
std::string ToPkcs1(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* pkey = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (pkey == nullptr) return "";
  std::string pkcs1 = PemOf(pkey, /*traditional=*/true);
  EVP_PKEY_free(pkey);
  return pkcs1;
}

// `pem` encrypted under a passphrase: PKCS#8 ("BEGIN ENCRYPTED PRIVATE KEY")
// or traditional (PKCS#1 with a Proc-Type header).
std::string Encrypted(const std::string& pem, bool traditional) {
  BIO* in = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* pkey = PEM_read_bio_PrivateKey(in, nullptr, nullptr, nullptr);
  BIO_free(in);
  if (pkey == nullptr) return "";
  BIO* out = BIO_new(BIO_s_mem());
  char pass[] = "hunter22";
  int ok =
      traditional
          ? PEM_write_bio_PrivateKey_traditional(out, pkey, EVP_aes_128_cbc(),
                                                 reinterpret_cast<unsigned char*>(pass), 8, nullptr,
                                                 nullptr)
          : PEM_write_bio_PKCS8PrivateKey(out, pkey, EVP_aes_128_cbc(), pass, 8, nullptr, nullptr);
  BUF_MEM* mem = nullptr;
  BIO_get_mem_ptr(out, &mem);
  std::string result = ok == 1 && mem != nullptr ? std::string(mem->data, mem->length) : "";
  BIO_free(out);
  EVP_PKEY_free(pkey);
  return result;
}

void ExpectBadKey(std::string_view pem, const std::string& label) {
  Result<RsaKeyPair> parsed = ParseRsaPrivateKey(pem);
  ASSERT_FALSE(parsed.ok()) << label;
  EXPECT_EQ(parsed.status().code(), ErrorCode::kInvalidArgument) << label;
  EXPECT_EQ(parsed.status().param(), "privateKey") << label;
  EXPECT_FALSE(parsed.status().message().empty()) << label;
  Status checked = CheckRsaPrivateKey(pem);
  if (!checked.ok()) {  // the cheap check may pass a corrupt but parseable key
    EXPECT_EQ(checked.code(), ErrorCode::kInvalidArgument) << label;
    EXPECT_EQ(checked.param(), "privateKey") << label;
  }
}

TEST(RsaKey, GenerateGivesPkcs8PemAndBase64PublicKey) {
  const RsaKeyPair& key = TestKey();
  EXPECT_EQ(key.private_key_pem.rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0u);
  EXPECT_NE(key.private_key_pem.find("-----END PRIVATE KEY-----"), std::string::npos);
  ASSERT_GT(key.public_key_base64.size(), 300u);  // 2048-bit SPKI is 294 bytes
  for (char c : key.public_key_base64) {
    ASSERT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '=')
        << key.public_key_base64;
  }
  EXPECT_EQ(key.public_key_base64.rfind("MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A", 0), 0u);
  EXPECT_EQ(DkimTxtRecord(key.public_key_base64), "v=DKIM1; k=rsa; p=" + key.public_key_base64);

  Result<RsaKeyPair> bad = GenerateRsaKey(512);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kInvalidArgument);
}

TEST(RsaKey, ParseRoundTripsPkcs8AndPkcs1) {
  const RsaKeyPair& key = TestKey();
  Result<RsaKeyPair> parsed = ParseRsaPrivateKey(key.private_key_pem);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->public_key_base64, key.public_key_base64);
  EXPECT_EQ(parsed->private_key_pem, key.private_key_pem);

  // The same key as PKCS#1 ("BEGIN RSA PRIVATE KEY"), with CRLF and padding
  // around it as pasted from a file, normalizes to the same PKCS#8 PEM.
  std::string pkcs1 = ToPkcs1(key.private_key_pem);
  ASSERT_EQ(pkcs1.rfind("-----BEGIN RSA PRIVATE KEY-----", 0), 0u) << pkcs1;
  std::string pasted = "\r\n  ";
  for (char c : pkcs1) {
    if (c == '\n') pasted += '\r';
    pasted += c;
  }
  pasted += "\r\n\r\n";
  Result<RsaKeyPair> from_pkcs1 = ParseRsaPrivateKey(pasted);
  ASSERT_TRUE(from_pkcs1.ok()) << from_pkcs1.status().message();
  EXPECT_EQ(from_pkcs1->public_key_base64, key.public_key_base64);
  EXPECT_EQ(from_pkcs1->private_key_pem, key.private_key_pem);
}

TEST(RsaKey, ParseRejectsBadInputWithInvalidArgument) {
  const std::string& pem = TestKey().private_key_pem;
  ExpectBadKey("", "empty");
  ExpectBadKey(" \r\n\t", "blank");
  ExpectBadKey("not a key at all", "garbage");
  ExpectBadKey(std::string("\0\x01\xff-----BEGIN PRIVATE KEY-----\n", 32), "binary");
  ExpectBadKey("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "bad body");
  ExpectBadKey("-----BEGIN PRIVATE KEY-----\n", "header only");
  ExpectBadKey(pem.substr(0, pem.size() / 2), "truncated");
  ExpectBadKey(pem.substr(0, pem.size() - 30), "no end line");
  ExpectBadKey(std::string(2 * 1024 * 1024, 'A'), "huge");
  ExpectBadKey(
      "-----BEGIN PUBLIC KEY-----\n" + TestKey().public_key_base64 + "\n-----END PUBLIC KEY-----\n",
      "public key");
  std::string corrupt = pem;
  corrupt[corrupt.size() / 2] = corrupt[corrupt.size() / 2] == 'A' ? 'B' : 'A';
  ExpectBadKey(corrupt, "one character changed");
  // Encrypted keys are refused without prompting for a passphrase.
  std::string encrypted = Encrypted(pem, /*traditional=*/false);
  ASSERT_EQ(encrypted.rfind("-----BEGIN ENCRYPTED PRIVATE KEY-----", 0), 0u) << encrypted;
  ExpectBadKey(encrypted, "encrypted PKCS#8");
  std::string encrypted_pkcs1 = Encrypted(pem, /*traditional=*/true);
  ASSERT_NE(encrypted_pkcs1.find("Proc-Type: 4,ENCRYPTED"), std::string::npos) << encrypted_pkcs1;
  ExpectBadKey(encrypted_pkcs1, "encrypted PKCS#1");

  EVP_PKEY* ec = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  ASSERT_NE(ec, nullptr);
  std::string ec_pem = PemOf(ec, /*traditional=*/false);
  std::string ec_sec1 = PemOf(ec, /*traditional=*/true);
  EVP_PKEY_free(ec);
  ExpectBadKey(ec_pem, "EC key (PKCS#8)");
  ExpectBadKey(ec_sec1, "EC key (SEC1)");

  EVP_PKEY* small = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{512});
  ASSERT_NE(small, nullptr);
  std::string small_pem = PemOf(small, /*traditional=*/false);
  EVP_PKEY_free(small);
  ExpectBadKey(small_pem, "512-bit RSA");

  EXPECT_TRUE(CheckRsaPrivateKey(pem).ok());
  EXPECT_TRUE(CheckRsaPrivateKey(ToPkcs1(pem)).ok());
}

TEST(DkimSigner, SignatureHeaderFields) {
  Result<std::string> header = DkimSign(Key(), kSimpleMessage, kSignTime);
  ASSERT_TRUE(header.ok()) << header.status().message();
  const std::string& h = *header;
  EXPECT_EQ(h.rfind("DKIM-Signature: v=1; ", 0), 0u) << h;
  EXPECT_NE(h.find("d=example.com"), std::string::npos) << h;
  EXPECT_NE(h.find("s=sel1"), std::string::npos) << h;
  EXPECT_NE(h.find("c=relaxed/relaxed"), std::string::npos) << h;
  EXPECT_NE(h.find("a=rsa-sha256"), std::string::npos) << h;
  EXPECT_EQ(TagValue(h, "t"), std::to_string(kSignTime)) << h;
  EXPECT_EQ(TagValue(h, "l"), "") << h;
  EXPECT_EQ(TagValue(h, "x"), "") << h;
  std::string signed_headers = ":" + Lower(TagValue(h, "h")) + ":";
  for (const char* name : {"from", "to", "subject", "date", "message-id", "list-unsubscribe",
                           "list-unsubscribe-post", "mime-version", "content-type"}) {
    EXPECT_NE(signed_headers.find(":" + std::string(name) + ":"), std::string::npos)
        << name << " not in " << signed_headers;
  }
  // Folded with CRLF + whitespace only, no trailing line break.
  EXPECT_NE(h.back(), '\n');
  EXPECT_NE(h.back(), '\r');
  for (size_t i = 0; i < h.size(); ++i) {
    if (h[i] == '\n') {
      ASSERT_GT(i, 0u);
      EXPECT_EQ(h[i - 1], '\r') << h;
      ASSERT_LT(i + 1, h.size());
      EXPECT_TRUE(h[i + 1] == '\t' || h[i + 1] == ' ') << h;
    }
  }
}

TEST(DkimSigner, DeterministicForSameMessageAndTime) {
  Result<std::string> a = DkimSign(Key(), kSimpleMessage, kSignTime);
  Result<std::string> b = DkimSign(Key(), kSimpleMessage, kSignTime);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  Result<std::string> later = DkimSign(Key(), kSimpleMessage, kSignTime + 1);
  ASSERT_TRUE(later.ok());
  EXPECT_NE(*a, *later);
  EXPECT_EQ(TagValue(*later, "t"), std::to_string(kSignTime + 1));
}

TEST(DkimSigner, VerifiesWithPythonDkimAndDetectsTampering) {
  for (const char* message : {kSimpleMessage, kRealisticMessage}) {
    Result<std::string> header = DkimSign(Key(), message, kSignTime);
    ASSERT_TRUE(header.ok()) << header.status().message();
    std::string signed_message = *header + "\r\n" + message;
    EXPECT_EQ(PythonVerify(signed_message, TestKey().public_key_base64), 0) << signed_message;

    std::string tampered_body = signed_message;
    size_t body = tampered_body.find("\r\n\r\n") + 4;
    size_t letter = tampered_body.find_first_of("abcdefghijklmnopqrstuvwxyz", body);
    ASSERT_NE(letter, std::string::npos);
    tampered_body[letter] = tampered_body[letter] == 'x' ? 'y' : 'x';
    EXPECT_NE(PythonVerify(tampered_body, TestKey().public_key_base64), 0);

    std::string tampered_subject = signed_message;
    size_t subject = tampered_subject.find("Subject: ");
    ASSERT_NE(subject, std::string::npos);
    tampered_subject.insert(subject + 9, "Re: ");
    EXPECT_NE(PythonVerify(tampered_subject, TestKey().public_key_base64), 0);
  }
  // In-Reply-To, References and the unusual-case Message-Id are covered too.
  Result<std::string> header = DkimSign(Key(), kRealisticMessage, kSignTime);
  ASSERT_TRUE(header.ok());
  std::string signed_headers = ":" + Lower(TagValue(*header, "h")) + ":";
  for (const char* name : {"message-id", "in-reply-to", "references", "list-unsubscribe"}) {
    EXPECT_NE(signed_headers.find(":" + std::string(name) + ":"), std::string::npos) << name;
  }
  EXPECT_EQ(signed_headers.find(":x-mailer:"), std::string::npos);

  // A different key's public half does not verify.
  Result<RsaKeyPair> other = GenerateRsaKey(1024);
  ASSERT_TRUE(other.ok());
  EXPECT_NE(PythonVerify(*header + "\r\n" + kRealisticMessage, other->public_key_base64), 0);
}

// The canonicalization corners an independent verifier (python3-dkim) must
// agree with: repeated signed fields (h= order, bottom-up instances), folded
// values with tabs, spacing after the colon, whitespace-only and
// trailing empty body lines, runs of spaces and tabs, no final CRLF.
TEST(DkimSigner, CanonicalizationCornersVerify) {
  const std::string messages[] = {
      "From:   Ann   <a@example.com>  \r\n"
      "To: b@example.org\r\n"
      "To:\tc@example.org,\r\n\t  d@example.org\r\n"
      "Subject:  Hello\t\t world \r\n"
      "References: <1@x>\r\n  <2@x>\r\n"
      "X-Other: not signed\r\n"
      "\r\n"
      "  Leading and   inner   spaces\t\r\n"
      "\t \r\n"
      "middle\r\n"
      "\r\n"
      "\r\n",
      "From: a@example.com\r\n"
      "Subject: no final CRLF\r\n"
      "\r\n"
      "last line without CRLF",
      "From: a@example.com\r\n"
      "Subject: " +
          std::string(300, 'x') +
          "\r\n"
          "\r\n"
          "\r\n\r\n",
  };
  for (const std::string& message : messages) {
    Result<std::string> header = DkimSign(Key(), message, kSignTime);
    ASSERT_TRUE(header.ok()) << header.status().message();
    for (size_t i = header->find('\n'); i != std::string::npos; i = header->find('\n', i + 1)) {
      ASSERT_EQ((*header)[i - 1], '\r') << *header;
      ASSERT_EQ((*header)[i + 1], '\t') << *header;
    }
    size_t start = 0;
    while (start < header->size()) {  // folded within 76 columns
      size_t end = std::min(header->find("\r\n", start), header->size());
      EXPECT_LE(end - start, 76u) << *header;
      start = end + 2;
    }
    EXPECT_EQ(PythonVerify(*header + "\r\n" + message, TestKey().public_key_base64), 0)
        << *header << "\r\n"
        << message;
  }
  // Both To fields are signed: swapping their order breaks the signature.
  Result<std::string> header = DkimSign(Key(), messages[0], kSignTime);
  ASSERT_TRUE(header.ok());
  EXPECT_NE(Lower(TagValue(*header, "h")).find("to:to"), std::string::npos) << *header;
  std::string swapped = messages[0];
  const std::string first_to = "To: b@example.org\r\n";
  swapped.erase(swapped.find(first_to), first_to.size());
  swapped.insert(swapped.find("Subject:"), first_to);
  EXPECT_NE(PythonVerify(*header + "\r\n" + swapped, TestKey().public_key_base64), 0);
}

TEST(DkimSigner, AcceptsPkcs1KeyAndEmptyBody) {
  std::string message =
      "From: a@example.com\r\n"
      "To: b@example.org\r\n"
      "Subject: empty\r\n"
      "\r\n";
  DkimKey key = Key();
  key.private_key_pem = ToPkcs1(key.private_key_pem);
  ASSERT_EQ(key.private_key_pem.rfind("-----BEGIN RSA PRIVATE KEY-----", 0), 0u);
  Result<std::string> header = DkimSign(key, message, kSignTime);
  ASSERT_TRUE(header.ok()) << header.status().message();
  EXPECT_EQ(PythonVerify(*header + "\r\n" + message, TestKey().public_key_base64), 0);
  // Headers only, no separator line.
  std::string headers_only = "From: a@example.com\r\nSubject: x\r\n";
  header = DkimSign(Key(), headers_only, kSignTime);
  ASSERT_TRUE(header.ok()) << header.status().message();
}

TEST(DkimSigner, RejectsBadInputWithoutCrashing) {
  auto expect_invalid = [](const DkimKey& key, std::string_view message, int64_t time,
                           const std::string& param, const std::string& label) {
    Result<std::string> r = DkimSign(key, message, time);
    ASSERT_FALSE(r.ok()) << label;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument) << label;
    EXPECT_EQ(r.status().param(), param) << label;
  };
  DkimKey key = Key();
  expect_invalid(key, "From: a@example.com\nSubject: x\n\nbody\n", kSignTime, "", "bare LF");
  expect_invalid(key, "From: a@example.com\r\nSubject: x\r\n\r\nbo\rdy\r\n", kSignTime, "",
                 "bare CR");
  expect_invalid(key, "To: b@example.org\r\n\r\nbody\r\n", kSignTime, "", "no From");
  expect_invalid(key, "From a@example.com\r\n\r\nbody\r\n", kSignTime, "", "no colon");
  expect_invalid(key, " folded: x\r\nFrom: a@example.com\r\n\r\n", kSignTime, "",
                 "leading continuation");
  expect_invalid(key, "", kSignTime, "", "empty message");
  expect_invalid(key, kSimpleMessage, 0, "", "zero time");
  expect_invalid(key, kSimpleMessage, -5, "", "negative time");

  DkimKey bad = key;
  bad.domain = "example.com\r\nBcc: x@evil.test";
  expect_invalid(bad, kSimpleMessage, kSignTime, "domain", "injected domain");
  bad = key;
  bad.domain = "";
  expect_invalid(bad, kSimpleMessage, kSignTime, "domain", "empty domain");
  bad = key;
  bad.selector = "sel1; x=1";
  expect_invalid(bad, kSimpleMessage, kSignTime, "selector", "bad selector");
  bad = key;
  bad.private_key_pem = "";
  expect_invalid(bad, kSimpleMessage, kSignTime, "privateKey", "empty key");
  bad.private_key_pem = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
  expect_invalid(bad, kSimpleMessage, kSignTime, "privateKey", "garbage key");
  bad.private_key_pem = key.private_key_pem.substr(0, key.private_key_pem.size() / 2);
  expect_invalid(bad, kSimpleMessage, kSignTime, "privateKey", "truncated key");
  bad.private_key_pem = Encrypted(key.private_key_pem, /*traditional=*/true);
  expect_invalid(bad, kSimpleMessage, kSignTime, "privateKey", "encrypted key");
  EVP_PKEY* ec = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  ASSERT_NE(ec, nullptr);
  bad.private_key_pem = PemOf(ec, /*traditional=*/false);
  EVP_PKEY_free(ec);
  expect_invalid(bad, kSimpleMessage, kSignTime, "privateKey", "EC key");
}

TEST(DkimSigner, ConcurrentSignaturesKeepTheirOwnTime) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 5;
  std::vector<std::string> failures[kThreads];
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t, &failures] {
      for (int i = 0; i < kPerThread; ++i) {
        int64_t when = kSignTime + t * 100 + i;
        Result<std::string> header = DkimSign(Key(), kRealisticMessage, when);
        if (!header.ok()) {
          failures[t].push_back(header.status().message());
        } else if (TagValue(*header, "t") != std::to_string(when)) {
          failures[t].push_back("wrong t= in " + *header);
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const auto& list : failures) {
    for (const std::string& failure : list) ADD_FAILURE() << failure;
  }
}

}  // namespace
}  // namespace leadterra::delivery
