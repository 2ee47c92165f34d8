// Dashboard sessions (SPEC §14): an API key exchanged for a cookie. The token
// is random, returned once in the Set-Cookie value and stored only as its
// SHA-256 hash; a session ends when signed out, when its key is revoked, or
// after `idle_timeout_ms` without a request. Cookie-authenticated requests
// that change anything must carry `X-Requested-With: leadterra` (checked by
// the HTTP dispatcher, which calls Authenticate). Thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "api/accounts.h"
#include "api/request.h"
#include "store/store.h"
#include "util/clock.h"

namespace leadterra::api {

struct SessionOptions {
  int64_t idle_timeout_ms = 12LL * 3600 * 1000;
  bool secure_cookie = false;  // Secure attribute (behind https)
};

inline constexpr std::string_view kSessionCookieName = "lt_session";

class Sessions {
 public:
  Sessions(store::Store& store, Accounts& accounts, const Clock& clock, SessionOptions options)
      : store_(store), accounts_(accounts), clock_(clock), options_(options) {}

  // The session a cookie token names, as a Principal; kUnauthenticated when
  // unknown, idle too long, or its key was revoked.
  Result<Principal> Authenticate(std::string_view token);

  // The token of the session cookie in a Cookie header value ("" if none).
  static std::string_view TokenFromCookieHeader(std::string_view cookie_header);

  // --- HTTP use cases: /v1/session ---
  // POST {"apiKey"}: 200 with the workspace and a Set-Cookie header.
  Result<Response> SignIn(const Request& request);
  // GET: who is signed in (cookie or Bearer key).
  Result<Response> Current(const Request& request);
  // DELETE: ends the cookie's session and clears the cookie.
  Result<Response> SignOut(const Request& request);

 private:
  Result<Response> Describe(const std::string& workspace_id, const std::string& key_id,
                            int64_t last_seen_at);
  std::string CookieValue(std::string_view token, bool clear) const;

  store::Store& store_;
  Accounts& accounts_;
  const Clock& clock_;
  SessionOptions options_;
};

}  // namespace leadterra::api
