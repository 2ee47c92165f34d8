#include "delivery/imap_client.h"

#include <algorithm>
#include <charconv>

#include "delivery/curl_common.h"

namespace leadterra::delivery {
namespace {

constexpr size_t kMaxMessageBytes = 32u << 20;

struct Sink {
  std::string data;
  bool too_big = false;
};

size_t Collect(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const size_t bytes = size * count;
  if (sink->data.size() + bytes > kMaxMessageBytes) {
    sink->too_big = true;
    return 0;  // aborts the transfer
  }
  sink->data.append(data, bytes);
  return bytes;
}

// The number after `key` in an untagged response ("UIDVALIDITY 123").
int64_t NumberAfter(const std::string& text, const std::string& key) {
  size_t at = text.find(key);
  if (at == std::string::npos) return 0;
  at += key.size();
  while (at < text.size() && text[at] == ' ') ++at;
  int64_t value = 0;
  std::from_chars(text.data() + at, text.data() + text.size(), value);
  return value;
}

}  // namespace

ImapSession::ImapSession(SmtpServer account)
    : account_(std::move(account)), curl_(curl_easy_init()) {}

ImapSession::~ImapSession() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

Result<std::string> ImapSession::Perform(const std::string& url) {
  CURL* curl = static_cast<CURL*>(curl_);
  ReplyLines replies;
  Sink sink;
  char errbuf[CURL_ERROR_SIZE] = {};
  ApplyCommon(curl, account_, &replies);
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
  const CURLcode rc = curl_easy_perform(curl);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  curl_easy_setopt(curl, CURLOPT_DEBUGDATA, nullptr);
  if (rc == CURLE_OK) return std::move(sink.data);
  if (sink.too_big) return Internal("message larger than 32 MiB");
  std::string error = errbuf[0] ? std::string(errbuf) : std::string(curl_easy_strerror(rc));
  // The server's own words (e.g. "A001 NO [AUTHENTICATIONFAILED] …") say more.
  const std::string last = ReplyFor(-1, replies);
  if (!last.empty() && last.find(" NO ") != std::string::npos) error += " (" + last + ")";
  return Internal(error);
}

Result<std::string> ImapSession::Command(const std::string& path, const std::string& command) {
  CURL* curl = static_cast<CURL*>(curl_);
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, command.c_str());
  Result<std::string> out = Perform(ServerUrl("imap", "imaps", account_, path));
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, nullptr);
  return out;
}

Result<ImapInboxStatus> ImapSession::Status() {
  LT_ASSIGN_OR_RETURN(std::string text, Command("", "STATUS INBOX (UIDVALIDITY UIDNEXT)"));
  ImapInboxStatus status;
  status.uidvalidity = NumberAfter(text, "UIDVALIDITY");
  status.uidnext = NumberAfter(text, "UIDNEXT");
  if (status.uidvalidity == 0) return Internal("server did not report UIDVALIDITY");
  return status;
}

Result<std::vector<int64_t>> ImapSession::SearchUids(const std::string& criteria) {
  LT_ASSIGN_OR_RETURN(std::string text, Command("INBOX", "UID SEARCH " + criteria));
  std::vector<int64_t> uids;
  size_t at = text.find("* SEARCH");
  if (at == std::string::npos) return uids;
  const char* p = text.data() + at + 8;
  const char* end = text.data() + text.size();
  while (p < end && *p != '\r' && *p != '\n') {
    if (*p == ' ') {
      ++p;
      continue;
    }
    int64_t uid = 0;
    auto [next, ec] = std::from_chars(p, end, uid);
    if (ec != std::errc()) break;
    uids.push_back(uid);
    p = next;
  }
  std::sort(uids.begin(), uids.end());
  return uids;
}

Result<std::string> ImapSession::Fetch(int64_t uid) {
  return Perform(ServerUrl("imap", "imaps", account_, "INBOX;UID=" + std::to_string(uid)));
}

leadterra::Status ImapSession::MarkUnseen(const std::vector<int64_t>& uids) {
  if (uids.empty()) return leadterra::Status::Ok();
  std::string set;
  for (int64_t uid : uids) set += (set.empty() ? "" : ",") + std::to_string(uid);
  return Command("INBOX", "UID STORE " + set + " -FLAGS.SILENT (\\Seen)").status();
}

}  // namespace leadterra::delivery
