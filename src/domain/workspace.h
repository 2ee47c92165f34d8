// Workspaces and API keys: the tenancy and authentication model. Plain data.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace leadterra::domain {

struct Workspace {
  std::string id;  // ws_…
  std::string name;
  int64_t created_at = 0;
  std::optional<int64_t> deleted_at;
};

// An API key as stored: never the secret, only its SHA-256 hash.
struct ApiKey {
  std::string id;  // key_…
  std::string workspace_id;
  std::string name;
  std::string key_hash;  // lowercase hex SHA-256 of the full secret
  std::string prefix;    // first characters of the secret, for recognising a key
  int64_t created_at = 0;
  std::optional<int64_t> revoked_at;
};

// A dashboard session (SPEC §14), made by exchanging an API key: the browser
// holds the token in an HttpOnly cookie, the database only its SHA-256 hash.
// It lives as long as its key and while it is used (idle timeout).
struct Session {
  std::string token_hash;  // lowercase hex SHA-256 of the cookie's token
  std::string workspace_id;
  std::string key_id;
  int64_t created_at = 0;
  int64_t last_seen_at = 0;
};

// Secrets look like "sk_live_" + kApiKeySecretLength base62 characters.
inline constexpr char kApiKeySecretPrefix[] = "sk_live_";
inline constexpr size_t kApiKeySecretLength = 32;
inline constexpr size_t kApiKeyShownPrefixLength = 12;

}  // namespace leadterra::domain
