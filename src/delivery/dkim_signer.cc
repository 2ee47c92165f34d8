#include "delivery/dkim_signer.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include <strings.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "util/rsa_key.h"
#include "util/secret_box.h"

namespace leadterra::delivery {
namespace {

constexpr std::string_view kSignatureHeaderName = "DKIM-Signature: ";
// NULL-terminated, lowercase; each one present is signed (every instance).
const char* const kSignedHeaders[] = {
    "from",
    "reply-to",
    "to",
    "cc",
    "subject",
    "date",
    "message-id",
    "in-reply-to",
    "references",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
    "list-unsubscribe",
    "list-unsubscribe-post",
    nullptr,
};

// Domain names and selectors: dot-separated labels of [A-Za-z0-9_-]. This also
// keeps header injection (CR, LF, ';') out of the signature field.
bool ValidDnsName(std::string_view name) {
  if (name.empty() || name.size() > 253 || name.front() == '.' || name.back() == '.') return false;
  char previous = '\0';
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.';
    if (!ok || (c == '.' && previous == '.')) return false;
    previous = c;
  }
  return true;
}

// Splits the header section into fields, each with its folded continuation
// lines (interior CRLFs kept, final CRLF dropped), and finds the body.
Status SplitMessage(std::string_view message, std::vector<std::string_view>* fields,
                    std::string_view* body) {
  for (size_t i = 0; i < message.size(); ++i) {
    if (message[i] == '\n' && (i == 0 || message[i - 1] != '\r')) {
      return InvalidArgument("message contains a bare LF; lines must end in CRLF");
    }
    if (message[i] == '\r' && (i + 1 == message.size() || message[i + 1] != '\n')) {
      return InvalidArgument("message contains a bare CR; lines must end in CRLF");
    }
  }
  size_t pos = 0;
  bool has_from = false;
  while (pos < message.size()) {
    size_t eol = message.find("\r\n", pos);
    if (eol == std::string_view::npos) eol = message.size();
    if (eol == pos) {  // the empty line: the body follows
      *body = message.substr(std::min(pos + 2, message.size()));
      break;
    }
    std::string_view line = message.substr(pos, eol - pos);
    if (line.front() == ' ' || line.front() == '\t') {
      if (fields->empty()) return InvalidArgument("message starts with a continuation line");
      std::string_view& field = fields->back();
      field =
          std::string_view(field.data(), eol - static_cast<size_t>(field.data() - message.data()));
    } else {
      size_t colon = line.find(':');
      if (colon == std::string_view::npos || colon == 0) {
        return InvalidArgument("message has a malformed header line (no field name and ':')");
      }
      for (size_t i = 0; i < colon; ++i) {
        unsigned char c = static_cast<unsigned char>(line[i]);
        if (c <= 32 || c >= 127) {
          return InvalidArgument("message has a malformed header field name");
        }
      }
      if (colon == 4 && strncasecmp(line.data(), "from", 4) == 0) has_from = true;
      fields->push_back(line);
    }
    pos = eol + 2;
  }
  if (!has_from) return InvalidArgument("message has no From header field");
  return Status::Ok();
}

bool IsWsp(char c) { return c == ' ' || c == '\t'; }

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// RFC 6376 §3.4.2 "relaxed" header canonicalization of one field (name,
// colon, value, folded lines included), without the final CRLF: lowercase
// name, unfolded, runs of WSP as one SP, no WSP at the ends of the value or
// around the colon.
std::string RelaxedHeader(std::string_view field) {
  const size_t colon = field.find(':');
  std::string name(field.substr(0, colon));
  while (!name.empty() && IsWsp(name.back())) name.pop_back();
  std::string out = Lower(name) + ":";
  std::string_view value = field.substr(colon + 1);
  bool pending_space = false;
  bool started = false;
  for (size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (c == '\r' || c == '\n') continue;  // unfold
    if (IsWsp(c)) {
      pending_space = started;
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    started = true;
    out.push_back(c);
  }
  return out;
}

// RFC 6376 §3.4.4 "relaxed" body canonicalization: per line, runs of WSP as
// one SP and none at the end; empty lines at the end dropped; a non-empty
// body ends in CRLF.
std::string RelaxedBody(std::string_view body) {
  std::string out;
  out.reserve(body.size());
  size_t pending_empty_lines = 0;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t eol = body.find("\r\n", pos);
    const bool last = eol == std::string_view::npos;
    std::string_view line = body.substr(pos, last ? std::string_view::npos : eol - pos);
    std::string canon;
    bool space = false;
    for (char c : line) {
      if (IsWsp(c)) {
        space = true;
        continue;
      }
      if (space) canon.push_back(' ');
      space = false;
      canon.push_back(c);
    }
    if (canon.empty()) {
      ++pending_empty_lines;
    } else {
      for (; pending_empty_lines > 0; --pending_empty_lines) out += "\r\n";
      out += canon;
      out += "\r\n";
    }
    if (last) break;
    pos = eol + 2;
  }
  return out;
}

std::string Sha256(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof digest);
}

bool IsSignedHeader(std::string_view lower_name) {
  for (const char* const* h = kSignedHeaders; *h; ++h) {
    if (lower_name == *h) return true;
  }
  return false;
}

// Appends `tag` to a header being built, folding (CRLF TAB) before it when
// the line would pass 76 characters.
void AppendTag(std::string& header, size_t& line_length, std::string_view tag) {
  if (line_length + 1 + tag.size() > 76) {
    header += "\r\n\t";
    line_length = 1;
  } else {
    header += ' ';
    ++line_length;
  }
  header += tag;
  line_length += tag.size();
}

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};

}  // namespace

Result<DkimSigner> DkimSigner::Create(DkimKey key) {
  if (!ValidDnsName(key.domain)) {
    return InvalidArgument("DKIM domain must be a domain name", "domain");
  }
  if (!ValidDnsName(key.selector) || key.selector.size() > 63) {
    return InvalidArgument("DKIM selector must be letters, digits, '-', '_' or '.'", "selector");
  }
  // An encrypted key would make OpenSSL ask for a passphrase: only keys that
  // CheckRsaPrivateKey accepts (unencrypted RSA) are parsed here.
  LT_RETURN_IF_ERROR(CheckRsaPrivateKey(key.private_key_pem));
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(key.private_key_pem.data(), static_cast<int>(key.private_key_pem.size())),
      BIO_free);
  EVP_PKEY* parsed =
      bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, const_cast<char*>("")) : nullptr;
  if (parsed == nullptr)
    return InvalidArgument("the DKIM private key cannot be read", "privateKey");
  std::shared_ptr<EVP_PKEY> pkey(parsed, PkeyFree());
  return DkimSigner(std::move(key), std::move(pkey));
}

Result<std::string> DkimSign(const DkimKey& key, std::string_view message, int64_t unix_seconds) {
  LT_ASSIGN_OR_RETURN(DkimSigner signer, DkimSigner::Create(key));
  return signer.Sign(message, unix_seconds);
}

Result<std::string> DkimSigner::Sign(std::string_view message, int64_t unix_seconds) const {
  if (unix_seconds <= 0) {
    return InvalidArgument("DKIM signing time must be a positive Unix time");
  }
  std::vector<std::string_view> fields;
  std::string_view body;
  LT_RETURN_IF_ERROR(SplitMessage(message, &fields, &body));

  // h= names every signed field top to bottom; a name's instances are then
  // hashed from the bottom up (RFC 6376 §5.4.2), the n-th mention taking the
  // n-th instance from the bottom.
  std::vector<std::string> names;
  std::map<std::string, std::vector<std::string_view>> instances;  // name -> fields, top down
  for (std::string_view field : fields) {
    std::string name = Lower(field.substr(0, field.find(':')));
    while (!name.empty() && IsWsp(name.back())) name.pop_back();
    if (!IsSignedHeader(name)) continue;
    names.push_back(name);
    instances[name].push_back(field);
  }
  std::string hashed;
  for (const std::string& name : names) {
    std::vector<std::string_view>& remaining = instances[name];
    hashed += RelaxedHeader(remaining.back());
    hashed += "\r\n";
    remaining.pop_back();
  }

  // The signature field as it will be sent, folded, with b= still empty: what
  // a verifier hashes after taking out the b= value.
  std::string header(kSignatureHeaderName);
  header.pop_back();  // AppendTag adds the space
  size_t line = header.size();
  AppendTag(header, line, "v=1;");
  AppendTag(header, line, "a=rsa-sha256;");
  AppendTag(header, line, "c=relaxed/relaxed;");
  AppendTag(header, line, "d=" + key_.domain + ";");
  AppendTag(header, line, "s=" + key_.selector + ";");
  AppendTag(header, line, "t=" + std::to_string(unix_seconds) + ";");
  AppendTag(header, line, "bh=" + Base64Encode(Sha256(RelaxedBody(body))) + ";");
  std::string h_tag = "h=";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) h_tag += ':';
    if (line + 1 + h_tag.size() + names[i].size() > 76) {
      AppendTag(header, line, h_tag);
      h_tag.clear();
    }
    h_tag += names[i];
  }
  AppendTag(header, line, h_tag + ";");
  AppendTag(header, line, "b=");
  hashed += RelaxedHeader(header);

  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  size_t signature_size = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, pkey_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &signature_size,
                     reinterpret_cast<const unsigned char*>(hashed.data()), hashed.size()) != 1) {
    return Internal("DKIM signing failed: OpenSSL could not start the RSA signature");
  }
  std::string signature(signature_size, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &signature_size,
                     reinterpret_cast<const unsigned char*>(hashed.data()), hashed.size()) != 1) {
    return Internal("DKIM signing failed: OpenSSL could not sign");
  }
  signature.resize(signature_size);
  // b= folds anywhere: whitespace inside its value is ignored.
  const std::string b = Base64Encode(signature);
  size_t at = 0;
  while (at < b.size()) {
    const size_t room = line < 76 ? 76 - line : 0;
    if (room == 0) {
      header += "\r\n\t";
      line = 1;
      continue;
    }
    const size_t n = std::min(room, b.size() - at);
    header.append(b, at, n);
    line += n;
    at += n;
  }
  return header;
}

}  // namespace leadterra::delivery
