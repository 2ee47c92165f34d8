#include "mcp/stdio_bridge.h"

#include <curl/curl.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <istream>
#include <memory>
#include <optional>
#include <ostream>

namespace leadterra::mcp {
namespace {

namespace json = boost::json;

struct Answer {
  bool reached = false;  // an HTTP answer came back
  long status = 0;
  std::string body;
  std::string error;  // why not, when !reached
};

size_t Collect(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

Answer Post(const StdioBridgeOptions& options, const std::string& body) {
  Answer answer;
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) {
    answer.error = "cannot initialise libcurl";
    return answer;
  }
  const std::string url = options.url + "/mcp";
  const std::string auth = "Authorization: Bearer " + options.api_key;
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, auth.c_str());
  headers = curl_slist_append(headers, "Content-Type: application/json");
  headers = curl_slist_append(headers, "Accept: application/json, text/event-stream");
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_list(headers,
                                                                          curl_slist_free_all);
  CURL* h = curl.get();
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &answer.body);
  curl_easy_setopt(h, CURLOPT_TIMEOUT, options.timeout_seconds);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  CURLcode rc = curl_easy_perform(h);
  if (rc != CURLE_OK) {
    answer.error = curl_easy_strerror(rc);
    return answer;
  }
  answer.reached = true;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &answer.status);
  return answer;
}

// The id of a request line, or nullopt for a notification (or junk).
std::optional<json::value> RequestId(const std::string& line) {
  boost::system::error_code ec;
  json::value v = json::parse(line, ec);
  if (ec || !v.is_object()) return json::value(nullptr);  // the server will call it malformed
  const json::value* id = v.as_object().if_contains("id");
  if (!id || !v.as_object().contains("method")) return std::nullopt;
  return *id;
}

std::string ErrorLine(const json::value& id, const std::string& message) {
  return json::serialize(
      json::object{{"jsonrpc", "2.0"},
                   {"id", id},
                   {"error", json::object{{"code", -32603}, {"message", message}}}});
}

}  // namespace

int RunStdioBridge(const StdioBridgeOptions& options, std::istream& in, std::ostream& out,
                   std::ostream& err) {
  if (options.api_key.empty()) {
    err << "leadterra mcp: no API key; pass --api-key or set LEADTERRA_API_KEY\n";
    return 1;
  }
  // Up front: is the server there, and does it take the key?
  Answer probe = Post(options, R"({"jsonrpc":"2.0","id":0,"method":"ping"})");
  if (!probe.reached) {
    err << "leadterra mcp: cannot reach the Leadterra server at " << options.url << ": "
        << probe.error << "\n";
    return 1;
  }
  if (probe.status == 401 || probe.status == 404) {
    err << "leadterra mcp: the server at " << options.url << " refused the API key (HTTP "
        << probe.status << ")\n";
    return 1;
  }
  if (probe.status != 200) {
    err << "leadterra mcp: " << options.url << "/mcp answered HTTP " << probe.status
        << "; is this a Leadterra server?\n";
    return 1;
  }
  err << "leadterra mcp: connected to " << options.url << "\n";

  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    std::optional<json::value> id = RequestId(line);
    Answer answer = Post(options, line);
    if (!answer.reached) {
      err << "leadterra mcp: cannot reach " << options.url << ": " << answer.error << "\n";
      if (id) out << ErrorLine(*id, "Leadterra server unreachable: " + answer.error) << "\n";
    } else if (answer.status == 202) {
      // a notification or a response: nothing to say
    } else if (answer.status == 401) {
      err << "leadterra mcp: the server refused the API key\n";
      if (id) out << ErrorLine(*id, "the Leadterra server refused the API key") << "\n";
    } else if (!answer.body.empty() && answer.body.front() != '{' && answer.body.front() != '[') {
      err << "leadterra mcp: unexpected answer (HTTP " << answer.status << ")\n";
      if (id) out << ErrorLine(*id, "unexpected answer from the server") << "\n";
    } else if (!answer.body.empty()) {
      out << answer.body << "\n";
    }
    out.flush();
  }
  return 0;
}

}  // namespace leadterra::mcp
