#include "delivery/curl_common.h"

namespace leadterra::delivery {
namespace {

constexpr size_t kMaxReplyLines = 64;

size_t Discard(char*, size_t size, size_t count, void*) { return size * count; }

int CaptureReply(CURL*, curl_infotype type, char* data, size_t size, void* user) {
  if (type != CURLINFO_HEADER_IN) return 0;
  std::string line(data, size);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.pop_back();
  auto* lines = static_cast<ReplyLines*>(user);
  if (!line.empty() && lines->size() < kMaxReplyLines) lines->push_back(std::move(line));
  return 0;
}

}  // namespace

std::string ReplyFor(int code, const ReplyLines& lines) {
  const std::string prefix = std::to_string(code);
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
    if (it->rfind(prefix, 0) == 0) return *it;
  }
  return lines.empty() ? std::string() : lines.back();
}

std::string ServerUrl(const char* scheme_plain, const char* scheme_tls, const SmtpServer& s,
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

}  // namespace leadterra::delivery
