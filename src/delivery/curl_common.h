// libcurl set-up shared by the mail protocols (SMTP, IMAP): server URLs,
// transport security, credentials, timeouts, and capture of the server's
// reply lines for error reporting. Internal to the delivery library.
#pragma once

#include <curl/curl.h>

#include <string>
#include <vector>

#include "delivery/smtp_client.h"

namespace leadterra::delivery {

// The server's reply lines of one transfer (at most 64), for reporting the
// reply that decided the outcome.
using ReplyLines = std::vector<std::string>;

// The last line starting with `code` (e.g. the 550, not the "221 Bye" that
// follows a refusal), else the last line.
std::string ReplyFor(int code, const ReplyLines& lines);

// "<scheme>://host:port/<path>", with the TLS scheme for implicit TLS.
std::string ServerUrl(const char* scheme_plain, const char* scheme_tls, const SmtpServer& server,
                      const std::string& path);

// Security, credentials, timeouts, and reply capture into `replies`. The
// response body is discarded unless the caller sets CURLOPT_WRITEFUNCTION.
void ApplyCommon(CURL* curl, const SmtpServer& server, ReplyLines* replies);

}  // namespace leadterra::delivery
