#include "delivery/dkim_signer.h"

// dkim.h declares functions with C's _Bool and does not map it for C++ (GCC's
// <stdbool.h> would, Clang's does not); bool has the same ABI.
#ifndef _Bool
#define _Bool bool  // NOLINT(bugprone-reserved-identifier)
#define LT_DKIM_UNDEF_BOOL
#endif
#include <opendkim/dkim.h>
#ifdef LT_DKIM_UNDEF_BOOL
#undef _Bool
#undef LT_DKIM_UNDEF_BOOL
#endif

#include <strings.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

#include "util/rsa_key.h"

namespace leadterra::delivery {
namespace {

constexpr std::string_view kSignatureHeaderName = "DKIM-Signature: ";
// Body bytes handed to OpenDKIM per dkim_body() call (it wants a mutable buffer).
constexpr size_t kBodyChunk = 64 * 1024;

// NULL-terminated, lowercase; OpenDKIM signs each one present (all instances).
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

struct DkimLibrary {
  DKIM_LIB* lib = nullptr;
  std::string error;  // why `lib` is null
  // DKIM_OPTS_FIXEDTIME is library-wide and read by dkim_eoh(): setting it and
  // calling dkim_eoh() happen together under this mutex.
  std::mutex time_mutex;
};

DkimLibrary& Library() {
  // Never destroyed: signing may still run on other threads during exit.
  static DkimLibrary* library = [] {
    auto* l = new DkimLibrary;
    l->lib = dkim_init(nullptr, nullptr);
    if (l->lib == nullptr) {
      l->error = "OpenDKIM: dkim_init failed";
      return l;
    }
    DKIM_STAT status = dkim_options(l->lib, DKIM_OP_SETOPT, DKIM_OPTS_SIGNHDRS,
                                    const_cast<char**>(kSignedHeaders), sizeof(kSignedHeaders[0]));
    if (status != DKIM_STAT_OK) {
      l->error = std::string("OpenDKIM: setting the signed header list failed: ") +
                 dkim_getresultstr(status);
      dkim_close(l->lib);
      l->lib = nullptr;
    }
    return l;
  }();
  return *library;
}

struct DkimFree {
  void operator()(DKIM* dkim) const { dkim_free(dkim); }
};
using DkimHandle = std::unique_ptr<DKIM, DkimFree>;

Status DkimFailure(DKIM* dkim, std::string_view step, DKIM_STAT status) {
  std::string message = "DKIM signing failed at " + std::string(step) + ": ";
  const char* detail = dkim != nullptr ? dkim_geterror(dkim) : nullptr;
  if (detail != nullptr && detail[0] != '\0') {
    message += detail;
  } else {
    const char* text = dkim_getresultstr(status);
    message += text != nullptr ? text : "unknown error";
  }
  return Internal(std::move(message));
}

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

}  // namespace

Result<DkimSigner> DkimSigner::Create(DkimKey key) {
  if (!ValidDnsName(key.domain)) {
    return InvalidArgument("DKIM domain must be a domain name", "domain");
  }
  if (!ValidDnsName(key.selector) || key.selector.size() > 63) {
    return InvalidArgument("DKIM selector must be letters, digits, '-', '_' or '.'", "selector");
  }
  // OpenDKIM would prompt on the terminal for an encrypted key and leaks memory
  // on one it cannot load, so it only ever sees keys OpenSSL accepts.
  LT_RETURN_IF_ERROR(CheckRsaPrivateKey(key.private_key_pem));
  return DkimSigner(std::move(key));
}

Result<std::string> DkimSign(const DkimKey& key, std::string_view message, int64_t unix_seconds) {
  LT_ASSIGN_OR_RETURN(DkimSigner signer, DkimSigner::Create(key));
  return signer.Sign(message, unix_seconds);
}

Result<std::string> DkimSigner::Sign(std::string_view message, int64_t unix_seconds) const {
  const DkimKey& key = key_;
  if (unix_seconds <= 0) {
    return InvalidArgument("DKIM signing time must be a positive Unix time");
  }
  std::vector<std::string_view> fields;
  std::string_view body;
  LT_RETURN_IF_ERROR(SplitMessage(message, &fields, &body));

  DkimLibrary& library = Library();
  if (library.lib == nullptr) return Internal(library.error);

  DKIM_STAT status = DKIM_STAT_OK;
  DkimHandle dkim(
      dkim_sign(library.lib, reinterpret_cast<const unsigned char*>("leadterra"), nullptr,
                reinterpret_cast<dkim_sigkey_t>(const_cast<char*>(key.private_key_pem.c_str())),
                reinterpret_cast<const unsigned char*>(key.selector.c_str()),
                reinterpret_cast<const unsigned char*>(key.domain.c_str()), DKIM_CANON_RELAXED,
                DKIM_CANON_RELAXED, DKIM_SIGN_RSASHA256, -1, &status));
  if (!dkim || status != DKIM_STAT_OK) return DkimFailure(dkim.get(), "dkim_sign", status);

  std::string buffer;
  for (std::string_view field : fields) {
    buffer.assign(field);
    status = dkim_header(dkim.get(), reinterpret_cast<u_char*>(buffer.data()), buffer.size());
    if (status != DKIM_STAT_OK) return DkimFailure(dkim.get(), "dkim_header", status);
  }
  {
    std::lock_guard<std::mutex> lock(library.time_mutex);
    uint64_t fixed_time = static_cast<uint64_t>(unix_seconds);
    status = dkim_options(library.lib, DKIM_OP_SETOPT, DKIM_OPTS_FIXEDTIME, &fixed_time,
                          sizeof(fixed_time));
    if (status != DKIM_STAT_OK) return DkimFailure(nullptr, "setting the signing time", status);
    status = dkim_eoh(dkim.get());
  }
  if (status != DKIM_STAT_OK) return DkimFailure(dkim.get(), "dkim_eoh", status);

  for (size_t offset = 0; offset < body.size(); offset += kBodyChunk) {
    buffer.assign(body.substr(offset, kBodyChunk));
    status = dkim_body(dkim.get(), reinterpret_cast<u_char*>(buffer.data()), buffer.size());
    if (status != DKIM_STAT_OK) return DkimFailure(dkim.get(), "dkim_body", status);
  }
  status = dkim_eom(dkim.get(), nullptr);
  if (status != DKIM_STAT_OK) return DkimFailure(dkim.get(), "dkim_eom", status);

  u_char* header = nullptr;
  size_t header_len = 0;
  status = dkim_getsighdr_d(dkim.get(), kSignatureHeaderName.size(), &header, &header_len);
  if (status != DKIM_STAT_OK || header == nullptr) {
    return DkimFailure(dkim.get(), "dkim_getsighdr_d", status);
  }
  std::string_view value(reinterpret_cast<const char*>(header), header_len);
  std::string result(kSignatureHeaderName);
  result.reserve(kSignatureHeaderName.size() + value.size() + 16);
  // OpenDKIM folds with a bare "\n\t"; the message uses CRLF.
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '\n' && (i == 0 || value[i - 1] != '\r')) result.push_back('\r');
    result.push_back(value[i]);
  }
  while (!result.empty() && (result.back() == '\n' || result.back() == '\r')) result.pop_back();
  return result;
}

}  // namespace leadterra::delivery
