#include "delivery/smtp_client.h"

#include <curl/curl.h>

#include <cstring>
#include <string>
#include <vector>

namespace leadterra::delivery {
namespace {

struct Upload {
  std::string_view data;
  size_t offset = 0;
};

size_t ReadBody(char* buffer, size_t size, size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  size_t n = std::min(size * count, upload->data.size() - upload->offset);
  std::memcpy(buffer, upload->data.data() + upload->offset, n);
  upload->offset += n;
  return n;
}

size_t Discard(char*, size_t size, size_t count, void*) { return size * count; }

// The server's reply lines of one transaction, for reporting the reply that
// decided the outcome (not the "221 Bye" that follows a refusal).
using ReplyLines = std::vector<std::string>;
constexpr size_t kMaxReplyLines = 64;

int CaptureReply(CURL*, curl_infotype type, char* data, size_t size, void* user) {
  if (type != CURLINFO_HEADER_IN) return 0;
  std::string line(data, size);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.pop_back();
  auto* lines = static_cast<ReplyLines*>(user);
  if (!line.empty() && lines->size() < kMaxReplyLines) lines->push_back(std::move(line));
  return 0;
}

// The last line carrying `code`, else the last line.
std::string ReplyFor(int code, const ReplyLines& lines) {
  const std::string prefix = std::to_string(code);
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
    if (it->rfind(prefix, 0) == 0) return *it;
  }
  return lines.empty() ? std::string() : lines.back();
}

std::string Url(const char* scheme_plain, const char* scheme_tls, const SmtpServer& s,
                const std::string& path) {
  std::string host = s.host.find(':') != std::string::npos ? "[" + s.host + "]" : s.host;
  return std::string(s.security == domain::Security::kTls ? scheme_tls : scheme_plain) + "://" +
         host + ":" + std::to_string(s.port) + "/" + path;
}

void ApplyCommon(CURL* curl, const SmtpServer& s, ReplyLines* replies) {
  curl_easy_setopt(curl, CURLOPT_USE_SSL,
                   s.security == domain::Security::kNone ? static_cast<long>(CURLUSESSL_NONE)
                                                         : static_cast<long>(CURLUSESSL_ALL));
  if (!s.username.empty()) {
    curl_easy_setopt(curl, CURLOPT_USERNAME, s.username.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, s.password.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 120000L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(curl, CURLOPT_DEBUGFUNCTION, CaptureReply);
  curl_easy_setopt(curl, CURLOPT_DEBUGDATA, replies);
  curl_easy_setopt(curl, CURLOPT_VERBOSE, 1L);  // feeds CaptureReply; nothing is printed
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Discard);
}

SmtpReply Finish(CURL* curl, CURLcode rc, const ReplyLines& replies, const char* errbuf) {
  SmtpReply reply;
  long code = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
  reply.code = static_cast<int>(code);
  const std::string last_reply = ReplyFor(reply.code, replies);
  if (rc == CURLE_OK) {
    if (reply.code == 0) reply.code = 250;
    reply.text = last_reply;
    return reply;
  }
  // A transport failure after a positive reply is still a failure to deliver.
  if (reply.code >= 200 && reply.code < 400) reply.code = 0;
  reply.text = !last_reply.empty() && reply.code != 0
                   ? last_reply
                   : std::string(curl_easy_strerror(rc)) +
                         (errbuf[0] ? std::string(": ") + errbuf : std::string());
  return reply;
}

class CurlSmtpSession final : public SmtpSession {
 public:
  explicit CurlSmtpSession(SmtpServer server)
      : server_(std::move(server)), curl_(curl_easy_init()) {
    ApplyCommon(curl_, server_, &replies_);
    url_ = Url("smtp", "smtps", server_, server_.helo_domain);
    curl_easy_setopt(curl_, CURLOPT_URL, url_.c_str());
    curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, errbuf_);
  }
  ~CurlSmtpSession() override { curl_easy_cleanup(curl_); }

  SmtpReply Send(std::string_view from, std::string_view to, std::string_view data) override {
    Upload upload{data, 0};
    std::string from_addr = "<" + std::string(from) + ">";
    std::string to_addr = "<" + std::string(to) + ">";
    curl_slist* rcpt = curl_slist_append(nullptr, to_addr.c_str());
    curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, nullptr);
    curl_easy_setopt(curl_, CURLOPT_NOBODY, 0L);
    curl_easy_setopt(curl_, CURLOPT_MAIL_FROM, from_addr.c_str());
    curl_easy_setopt(curl_, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(curl_, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl_, CURLOPT_READFUNCTION, ReadBody);
    curl_easy_setopt(curl_, CURLOPT_READDATA, &upload);
    curl_easy_setopt(curl_, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(data.size()));
    replies_.clear();
    errbuf_[0] = 0;
    CURLcode rc = curl_easy_perform(curl_);
    curl_easy_setopt(curl_, CURLOPT_MAIL_RCPT, nullptr);
    curl_slist_free_all(rcpt);
    return Finish(curl_, rc, replies_, errbuf_);
  }

  SmtpReply Verify() override {
    curl_easy_setopt(curl_, CURLOPT_UPLOAD, 0L);
    curl_easy_setopt(curl_, CURLOPT_MAIL_RCPT, nullptr);
    curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, "NOOP");
    curl_easy_setopt(curl_, CURLOPT_NOBODY, 1L);
    replies_.clear();
    errbuf_[0] = 0;
    CURLcode rc = curl_easy_perform(curl_);
    curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, nullptr);
    curl_easy_setopt(curl_, CURLOPT_NOBODY, 0L);
    return Finish(curl_, rc, replies_, errbuf_);
  }

 private:
  SmtpServer server_;
  CURL* curl_;
  std::string url_;
  ReplyLines replies_;
  char errbuf_[CURL_ERROR_SIZE] = {};
};

}  // namespace

std::unique_ptr<SmtpSession> CurlSmtpConnector::Open(const SmtpServer& server) {
  return std::make_unique<CurlSmtpSession>(server);
}

SmtpReply VerifyImap(const SmtpServer& server) {
  CURL* curl = curl_easy_init();
  ReplyLines replies;
  char errbuf[CURL_ERROR_SIZE] = {};
  ApplyCommon(curl, server, &replies);
  std::string url = Url("imap", "imaps", server, "");
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "NOOP");
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
  CURLcode rc = curl_easy_perform(curl);
  SmtpReply reply;
  reply.code = rc == CURLE_OK ? 250 : 0;
  reply.text = rc == CURLE_OK ? "logged in" : std::string(curl_easy_strerror(rc)) + ": " + errbuf;
  curl_easy_cleanup(curl);
  return reply;
}

}  // namespace leadterra::delivery
