#include "api/accounts.h"

#include <algorithm>
#include <cctype>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "api/body.h"
#include "api/json_input.h"
#include "api/list_params.h"
#include "domain/campaign.h"
#include "util/crypto.h"
#include "util/time_format.h"
#include "util/utf8.h"

namespace leadterra::api {
namespace {

constexpr size_t kKeyNameMaxChars = 100;

Status Unauthenticated(std::string message) {
  return Status(ErrorCode::kUnauthenticated, std::move(message));
}

boost::json::object KeyToJson(const domain::ApiKey& key) {
  boost::json::object out{{"id", key.id},
                          {"name", key.name},
                          {"prefix", key.prefix},
                          {"createdAt", FormatIso8601(key.created_at)}};
  if (key.revoked_at) {
    out["revokedAt"] = FormatIso8601(*key.revoked_at);
  } else {
    out["revokedAt"] = nullptr;
  }
  return out;
}

Status ValidateKeyName(std::string_view name) {
  if (CountCodePoints(name) > kKeyNameMaxChars) {
    return InvalidArgument("name must be at most 100 characters", "name");
  }
  if (HasControlCharacters(name, false)) {
    return InvalidArgument("name must not contain control characters", "name");
  }
  return Status::Ok();
}

}  // namespace

IssuedKey Accounts::NewKey(const std::string& workspace_id, std::string name) {
  IssuedKey issued;
  issued.secret =
      std::string(domain::kApiKeySecretPrefix) + RandomBase62(domain::kApiKeySecretLength);
  issued.key.id = ids_.Next(id_prefix::kApiKey);
  issued.key.workspace_id = workspace_id;
  issued.key.name = std::move(name);
  issued.key.key_hash = Sha256Hex(issued.secret);
  issued.key.prefix = issued.secret.substr(0, domain::kApiKeyShownPrefixLength);
  issued.key.created_at = clock_.NowMillis();
  return issued;
}

Result<CreatedWorkspace> Accounts::NewWorkspace(std::string name) {
  LT_RETURN_IF_ERROR(domain::ValidateCampaignName(name, "name"));
  CreatedWorkspace created;
  created.workspace.id = ids_.Next(id_prefix::kWorkspace);
  created.workspace.name = std::move(name);
  created.workspace.created_at = clock_.NowMillis();
  created.first_key = NewKey(created.workspace.id, "Default key");
  return created;
}

Result<CreatedWorkspace> Accounts::CreateWorkspace(std::string name) {
  LT_ASSIGN_OR_RETURN(CreatedWorkspace created, NewWorkspace(std::move(name)));
  LT_RETURN_IF_ERROR(store_.CreateWorkspace(created.workspace, created.first_key.key));
  return created;
}

Result<std::optional<CreatedWorkspace>> Accounts::CreateFirstWorkspace(std::string name) {
  LT_ASSIGN_OR_RETURN(CreatedWorkspace created, NewWorkspace(std::move(name)));
  LT_ASSIGN_OR_RETURN(bool made,
                      store_.CreateFirstWorkspace(created.workspace, created.first_key.key));
  if (!made) return std::optional<CreatedWorkspace>();
  return std::optional<CreatedWorkspace>(std::move(created));
}

Result<std::vector<domain::Workspace>> Accounts::ListWorkspaces() {
  return store_.ListWorkspaces();
}

Status Accounts::DeleteWorkspace(const std::string& workspace_id) {
  return store_.DeleteWorkspace(workspace_id, clock_.NowMillis());
}

Result<domain::Workspace> Accounts::LiveWorkspace(const std::string& workspace_id) {
  auto ws = store_.GetWorkspace(workspace_id);
  if (!ws.ok() && ws.status().code() != ErrorCode::kNotFound) return ws.status();
  if (!ws.ok() || ws->deleted_at) {
    return Status(ErrorCode::kWorkspaceNotFound, "no workspace is associated with this API key");
  }
  return ws;
}

Result<IssuedKey> Accounts::CreateKey(const std::string& workspace_id, std::string name) {
  LT_RETURN_IF_ERROR(ValidateKeyName(name));
  LT_RETURN_IF_ERROR(LiveWorkspace(workspace_id).status());
  IssuedKey issued = NewKey(workspace_id, std::move(name));
  LT_RETURN_IF_ERROR(store_.CreateApiKey(issued.key));
  return issued;
}

Result<std::vector<domain::ApiKey>> Accounts::ListKeys(const std::string& workspace_id) {
  auto ws = store_.GetWorkspace(workspace_id);
  if (!ws.ok()) return ws.status();
  std::vector<domain::ApiKey> all;
  store::PageRequest page{kMaxLimit, ""};
  while (true) {
    LT_ASSIGN_OR_RETURN(auto batch, store_.ListApiKeys(workspace_id, page));
    for (auto& key : batch.items) all.push_back(std::move(key));
    if (!batch.has_more) break;
    page.after_id = all.back().id;
  }
  return all;
}

Result<domain::ApiKey> Accounts::RevokeKey(const std::string& workspace_id,
                                           const std::string& key_id) {
  return store_.RevokeApiKey(workspace_id, key_id, clock_.NowMillis());
}

Result<Principal> Accounts::Authenticate(std::string_view header) {
  if (header.empty()) {
    return Unauthenticated("missing Authorization header; send 'Authorization: Bearer <key>'");
  }
  // RFC 9110 §11.4: the scheme is case-insensitive and one or more spaces
  // separate it from the credentials.
  constexpr std::string_view kBearer = "bearer";
  const size_t space = header.find(' ');
  std::string_view scheme = header.substr(0, space);
  const bool is_bearer =
      scheme.size() == kBearer.size() &&
      std::equal(scheme.begin(), scheme.end(), kBearer.begin(),
                 [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
  std::string_view secret = space == std::string_view::npos ? "" : header.substr(space);
  while (!secret.empty() && secret.front() == ' ') secret.remove_prefix(1);
  while (!secret.empty() && (secret.back() == ' ' || secret.back() == '\t'))
    secret.remove_suffix(1);
  if (!is_bearer || secret.empty()) {
    return Unauthenticated("Authorization header must be 'Bearer <key>'");
  }
  auto key = store_.FindApiKeyByHash(Sha256Hex(secret));
  if (!key.ok()) {
    if (key.status().code() == ErrorCode::kNotFound) return Unauthenticated("invalid API key");
    return key.status();
  }
  if (key->revoked_at) return Unauthenticated("this API key has been revoked");
  LT_RETURN_IF_ERROR(LiveWorkspace(key->workspace_id).status());
  return Principal{key->workspace_id, key->id};
}

Result<Response> Accounts::ListKeysEndpoint(const Request& request) {
  LT_ASSIGN_OR_RETURN(ListParams params, ParseListParams(request.query, id_prefix::kApiKey, {}));
  LT_ASSIGN_OR_RETURN(auto page, store_.ListApiKeys(request.workspace_id, params.page));
  return ListResponse(page, KeyToJson, [](const domain::ApiKey& key) { return key.id; });
}

Result<Response> Accounts::CreateKeyEndpoint(const Request& request) {
  std::string name = "API key";
  if (request.body) {
    LT_ASSIGN_OR_RETURN(FieldReader reader, FieldReader::Of(*request.body, ""));
    LT_RETURN_IF_ERROR(reader.RejectUnknown({"name"}));
    LT_ASSIGN_OR_RETURN(std::optional<std::string> given, reader.OptionalString("name"));
    if (given) name = std::move(*given);
  }
  LT_ASSIGN_OR_RETURN(IssuedKey issued, CreateKey(request.workspace_id, std::move(name)));
  boost::json::object out = KeyToJson(issued.key);
  out["secret"] = issued.secret;
  return DataResponse(std::move(out), 201);
}

Result<Response> Accounts::RevokeKeyEndpoint(const Request& request) {
  LT_ASSIGN_OR_RETURN(domain::ApiKey key, RevokeKey(request.workspace_id, request.PathParam("id")));
  return DataResponse(KeyToJson(key));
}

}  // namespace leadterra::api
