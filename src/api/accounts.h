// Workspaces and API keys (SPEC §2): creating workspaces with a first key,
// issuing, listing and revoking keys, and authenticating a bearer token.
// Secrets are generated here, returned once, and only their SHA-256 hash is
// stored. Thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/request.h"
#include "domain/workspace.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/ids.h"

namespace leadterra::api {

struct IssuedKey {
  domain::ApiKey key;
  std::string secret;  // "sk_live_…", shown once
};

struct CreatedWorkspace {
  domain::Workspace workspace;
  IssuedKey first_key;
};

// Who a request is, once authenticated.
struct Principal {
  std::string workspace_id;
  std::string key_id;
};

class Accounts {
 public:
  Accounts(store::Store& store, const Clock& clock, IdGenerator& ids)
      : store_(store), clock_(clock), ids_(ids) {}

  // --- used by the command line ---
  Result<CreatedWorkspace> CreateWorkspace(std::string name);
  // Creates a workspace only if none exists yet (a fresh install; nodes
  // starting together create one between them); nullopt otherwise.
  Result<std::optional<CreatedWorkspace>> CreateFirstWorkspace(std::string name);
  Result<std::vector<domain::Workspace>> ListWorkspaces();
  Status DeleteWorkspace(const std::string& workspace_id);
  Result<IssuedKey> CreateKey(const std::string& workspace_id, std::string name);
  Result<std::vector<domain::ApiKey>> ListKeys(const std::string& workspace_id);
  Result<domain::ApiKey> RevokeKey(const std::string& workspace_id, const std::string& key_id);

  // Checks an Authorization header value. kUnauthenticated when missing,
  // malformed, unknown or revoked; kWorkspaceNotFound when the key's
  // workspace was deleted.
  Result<Principal> Authenticate(std::string_view authorization_header);

  // The workspace, unless it was deleted (kWorkspaceNotFound).
  Result<domain::Workspace> LiveWorkspace(const std::string& workspace_id);

  // --- HTTP use cases: /v1/api-keys ---
  Result<Response> ListKeysEndpoint(const Request& request);
  Result<Response> CreateKeyEndpoint(const Request& request);
  Result<Response> RevokeKeyEndpoint(const Request& request);

 private:
  // A validated workspace with its first key, not stored yet.
  Result<CreatedWorkspace> NewWorkspace(std::string name);
  IssuedKey NewKey(const std::string& workspace_id, std::string name);

  store::Store& store_;
  const Clock& clock_;
  IdGenerator& ids_;
};

}  // namespace leadterra::api
