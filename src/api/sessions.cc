#include "api/sessions.h"

#include <boost/json/object.hpp>

#include "api/body.h"
#include "api/json_input.h"
#include "domain/lead.h"
#include "util/crypto.h"
#include "util/time_format.h"

namespace leadterra::api {
namespace {

// 43 base62 characters: more than 256 bits.
constexpr size_t kTokenLength = 43;
// A session's last use is written at most this often, not on every request.
constexpr int64_t kTouchEveryMs = 60 * 1000;

Status SignedOut(std::string message) {
  return Status(ErrorCode::kUnauthenticated, std::move(message));
}

}  // namespace

std::string_view Sessions::TokenFromCookieHeader(std::string_view header) {
  // RFC 6265 §5.4: "name=value" pairs separated by "; ".
  while (!header.empty()) {
    const size_t end = header.find(';');
    std::string_view pair = domain::TrimAscii(header.substr(0, end));
    const size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == kSessionCookieName) {
      return domain::TrimAscii(pair.substr(eq + 1));
    }
    if (end == std::string_view::npos) break;
    header.remove_prefix(end + 1);
  }
  return {};
}

Result<Principal> Sessions::Authenticate(std::string_view token) {
  if (token.empty()) return SignedOut("no session; sign in again");
  const std::string hash = Sha256Hex(token);
  auto found = store_.FindSession(hash);
  if (!found.ok()) {
    if (found.status().code() == ErrorCode::kNotFound) {
      return SignedOut("this session has ended; sign in again");
    }
    return found.status();
  }
  const int64_t now = clock_.NowMillis();
  if (found->key_revoked || found->session.last_seen_at + options_.idle_timeout_ms <= now) {
    LT_RETURN_IF_ERROR(store_.DeleteSession(hash));
    return SignedOut(found->key_revoked ? "the API key of this session has been revoked"
                                        : "this session expired; sign in again");
  }
  LT_RETURN_IF_ERROR(accounts_.LiveWorkspace(found->session.workspace_id).status());
  if (now - found->session.last_seen_at >= kTouchEveryMs) {
    LT_RETURN_IF_ERROR(store_.TouchSession(hash, now));
  }
  return Principal{found->session.workspace_id, found->session.key_id};
}

Result<Response> Sessions::SignIn(const Request& request) {
  LT_ASSIGN_OR_RETURN(const boost::json::value* body, RequireBody(request));
  LT_ASSIGN_OR_RETURN(FieldReader reader, FieldReader::Of(*body, ""));
  LT_RETURN_IF_ERROR(reader.RejectUnknown({"apiKey"}));
  LT_ASSIGN_OR_RETURN(std::string api_key, reader.RequiredString("apiKey"));
  auto principal = accounts_.Authenticate("Bearer " + api_key);
  if (!principal.ok()) {
    const Status& s = principal.status();
    if (s.code() != ErrorCode::kUnauthenticated) return s;
    return Status(s.code(), s.message(), "apiKey");
  }
  const int64_t now = clock_.NowMillis();
  // Sign-in is rare: a good moment to forget sessions nobody uses any more.
  LT_RETURN_IF_ERROR(store_.DeleteIdleSessions(now - options_.idle_timeout_ms).status());
  const std::string token = RandomBase62(kTokenLength);
  domain::Session session{Sha256Hex(token), principal->workspace_id, principal->key_id, now, now};
  LT_RETURN_IF_ERROR(store_.CreateSession(session));
  LT_ASSIGN_OR_RETURN(Response response, Describe(principal->workspace_id, principal->key_id, now));
  response.headers.emplace_back("Set-Cookie", CookieValue(token, false));
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

Result<Response> Sessions::Current(const Request& request) {
  // Authenticating this request kept the session's last use within a minute
  // of now, the precision expiresAt promises.
  return Describe(request.workspace_id, request.key_id, clock_.NowMillis());
}

Result<Response> Sessions::SignOut(const Request& request) {
  if (!request.session_token.empty()) {
    LT_RETURN_IF_ERROR(store_.DeleteSession(Sha256Hex(request.session_token)));
  }
  Response response = DataResponse(boost::json::object{{"signedOut", true}});
  response.headers.emplace_back("Set-Cookie", CookieValue("", true));
  return response;
}

Result<Response> Sessions::Describe(const std::string& workspace_id, const std::string& key_id,
                                    int64_t last_seen_at) {
  LT_ASSIGN_OR_RETURN(domain::Workspace ws, accounts_.LiveWorkspace(workspace_id));
  boost::json::object data{{"workspaceId", ws.id},
                           {"workspaceName", ws.name},
                           {"keyId", key_id},
                           {"expiresAt", FormatIso8601(last_seen_at + options_.idle_timeout_ms)}};
  return DataResponse(std::move(data));
}

std::string Sessions::CookieValue(std::string_view token, bool clear) const {
  std::string value = std::string(kSessionCookieName) + "=" + std::string(token) +
                      "; Path=/; HttpOnly; SameSite=Strict";
  if (options_.secure_cookie) value += "; Secure";
  if (clear) value += "; Max-Age=0";
  return value;
}

}  // namespace leadterra::api
