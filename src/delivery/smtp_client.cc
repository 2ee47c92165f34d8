#include "delivery/smtp_client.h"

#include <curl/curl.h>

#include "delivery/curl_common.h"

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
    url_ = ServerUrl("smtp", "smtps", server_, server_.helo_domain);
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
  std::string url = ServerUrl("imap", "imaps", server, "");
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
