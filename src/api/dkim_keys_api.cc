#include "api/dkim_keys_api.h"

#include <boost/json/object.hpp>

#include "api/body.h"
#include "api/json_input.h"
#include "api/list_params.h"
#include "util/rsa_key.h"
#include "util/time_format.h"

namespace leadterra::api {
namespace {

boost::json::object DkimKeyToJson(const domain::DkimKeyRecord& key) {
  return boost::json::object{
      {"id", key.id},
      {"domain", key.domain},
      {"selector", key.selector},
      {"publicKey", key.public_key_base64},
      {"active", key.active},
      {"dnsRecord", boost::json::object{{"type", "TXT"},
                                        {"name", domain::DkimDnsName(key)},
                                        {"value", DkimTxtRecord(key.public_key_base64)}}},
      {"createdAt", FormatIso8601(key.created_at)}};
}

Result<std::optional<bool>> ReadActive(const FieldReader& reader) {
  const boost::json::value* active = reader.Find("active");
  if (active == nullptr) return std::optional<bool>();
  if (!active->is_bool()) return InvalidArgument("active must be true or false", "active");
  return std::optional<bool>(active->get_bool());
}

}  // namespace

Result<Response> DkimKeysApi::Create(const Request& request) {
  LT_ASSIGN_OR_RETURN(const boost::json::value* body, RequireBody(request));
  LT_ASSIGN_OR_RETURN(FieldReader reader, FieldReader::Of(*body, ""));
  LT_RETURN_IF_ERROR(reader.RejectUnknown({"domain", "selector", "privateKey", "active"}));
  LT_ASSIGN_OR_RETURN(std::optional<bool> active, ReadActive(reader));
  domain::DkimKeyRecord key;
  LT_ASSIGN_OR_RETURN(std::string domain_name, reader.RequiredString("domain"));
  LT_ASSIGN_OR_RETURN(key.domain, domain::NormalizeDkimDomain(domain_name));
  LT_ASSIGN_OR_RETURN(std::optional<std::string> selector, reader.OptionalString("selector"));
  LT_ASSIGN_OR_RETURN(key.selector,
                      domain::NormalizeDkimSelector(selector.value_or(kDefaultDkimSelector)));
  LT_ASSIGN_OR_RETURN(std::optional<std::string> pem, reader.OptionalString("privateKey"));
  RsaKeyPair pair;
  if (pem) {
    LT_ASSIGN_OR_RETURN(pair, ParseRsaPrivateKey(*pem));
  } else {
    LT_ASSIGN_OR_RETURN(pair, GenerateRsaKey(kGeneratedDkimKeyBits));
  }
  key.id = ids_.Next(id_prefix::kDkimKey);
  key.workspace_id = request.workspace_id;
  key.public_key_base64 = std::move(pair.public_key_base64);
  key.private_key_sealed = secrets_.Seal(pair.private_key_pem, domain::DkimSecretPurpose(key.id));
  key.created_at = clock_.NowMillis();
  key.active = active.value_or(true);
  LT_RETURN_IF_ERROR(store_.CreateDkimKey(key));
  return DataResponse(DkimKeyToJson(key), 201);
}

Result<Response> DkimKeysApi::List(const Request& request) {
  LT_ASSIGN_OR_RETURN(ListParams params, ParseListParams(request.query, id_prefix::kDkimKey, {}));
  LT_ASSIGN_OR_RETURN(auto page, store_.ListDkimKeys(request.workspace_id, params.page));
  return ListResponse(page, DkimKeyToJson, [](const domain::DkimKeyRecord& k) { return k.id; });
}

Result<Response> DkimKeysApi::Get(const Request& request) {
  LT_ASSIGN_OR_RETURN(domain::DkimKeyRecord key,
                      store_.GetDkimKey(request.workspace_id, request.PathParam("id")));
  return DataResponse(DkimKeyToJson(key));
}

Result<Response> DkimKeysApi::Patch(const Request& request) {
  LT_ASSIGN_OR_RETURN(const boost::json::value* body, RequireBody(request));
  LT_ASSIGN_OR_RETURN(FieldReader reader, FieldReader::Of(*body, ""));
  LT_RETURN_IF_ERROR(reader.RejectUnknown({"active"}));
  LT_ASSIGN_OR_RETURN(std::optional<bool> active, ReadActive(reader));
  if (!active) return InvalidArgument("active is required", "active");
  LT_ASSIGN_OR_RETURN(
      domain::DkimKeyRecord key,
      store_.SetDkimKeyActive(request.workspace_id, request.PathParam("id"), *active));
  return DataResponse(DkimKeyToJson(key));
}

Result<Response> DkimKeysApi::Delete(const Request& request) {
  const std::string& id = request.PathParam("id");
  LT_RETURN_IF_ERROR(store_.DeleteDkimKey(request.workspace_id, id));
  return DataResponse(boost::json::object{{"id", id}, {"deleted", true}});
}

}  // namespace leadterra::api
