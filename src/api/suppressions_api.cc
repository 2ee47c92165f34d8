#include "api/suppressions_api.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "api/body.h"
#include "api/json_input.h"
#include "api/list_params.h"
#include "domain/lead.h"
#include "util/time_format.h"

namespace leadterra::api {
namespace {

constexpr size_t kReasonMaxBytes = 500;

boost::json::object SuppressionToJson(const store::Suppression& s) {
  return boost::json::object{{"value", s.value},
                             {"type", s.domain   ? "domain"
                                      : s.hashed ? "email_hash"
                                                 : "email"},
                             {"reason", s.reason},
                             {"source", s.source},
                             {"createdAt", FormatIso8601(s.created_at)}};
}

// Reads an optional array of strings, each checked and normalized by `take`.
Status ReadList(
    const FieldReader& reader, std::string_view field,
    const std::function<Result<std::string>(std::string_view, const std::string&)>& take,
    std::vector<std::string>& out) {
  const boost::json::value* value = reader.Find(field);
  if (value == nullptr) return Status::Ok();
  if (!value->is_array()) {
    return InvalidArgument(std::string(field) + " must be an array of strings", std::string(field));
  }
  for (size_t i = 0; i < value->get_array().size(); ++i) {
    const boost::json::value& item = value->get_array()[i];
    const std::string path = IndexPath(field, i);
    if (!item.is_string()) return InvalidArgument("must be a string", path);
    LT_ASSIGN_OR_RETURN(std::string normalized, take(item.get_string(), path));
    out.push_back(std::move(normalized));
  }
  return Status::Ok();
}

Result<std::string> TakeEmail(std::string_view text, const std::string& path) {
  if (!domain::IsValidEmail(domain::TrimAscii(text))) {
    return InvalidArgument("not a valid email address", path);
  }
  return domain::NormalizeEmail(text);
}

Result<std::string> TakeDomain(std::string_view text, const std::string& path) {
  std::string domain = domain::NormalizeEmail(text);  // trimmed, lowercased
  if (!domain.empty() && domain.front() == '@') domain.erase(0, 1);
  if (domain.find('@') != std::string::npos || !domain::IsValidEmail("x@" + domain)) {
    return InvalidArgument("not a valid domain (e.g. example.com)", path);
  }
  return domain;
}

}  // namespace

Result<Response> SuppressionsApi::Create(const Request& request) {
  LT_ASSIGN_OR_RETURN(const boost::json::value* body, RequireBody(request));
  LT_ASSIGN_OR_RETURN(FieldReader reader, FieldReader::Of(*body, ""));
  LT_RETURN_IF_ERROR(reader.RejectUnknown({"emails", "domains", "reason"}));
  std::vector<std::string> emails, domains;
  LT_RETURN_IF_ERROR(ReadList(reader, "emails", TakeEmail, emails));
  LT_RETURN_IF_ERROR(ReadList(reader, "domains", TakeDomain, domains));
  if (emails.empty() && domains.empty()) {
    return InvalidArgument("give at least one entry in emails or domains", "emails");
  }
  if (emails.size() + domains.size() > kMaxSuppressionsPerRequest) {
    return InvalidArgument("at most 10000 entries per request", "emails");
  }
  LT_ASSIGN_OR_RETURN(std::optional<std::string> reason, reader.OptionalString("reason"));
  if (reason && reason->size() > kReasonMaxBytes) {
    return InvalidArgument("reason must be at most 500 bytes", "reason");
  }
  const int64_t now = clock_.NowMillis();
  std::vector<store::Suppression> entries;
  for (const std::string& e : emails) {
    entries.push_back({e, false, reason.value_or("manual"), "api", now});
  }
  for (const std::string& d : domains) {
    entries.push_back({d, true, reason.value_or("manual"), "api", now});
  }
  LT_ASSIGN_OR_RETURN(int64_t added, store_.AddSuppressions(request.workspace_id, entries));
  return DataResponse(boost::json::object{
      {"added", added}, {"alreadySuppressed", static_cast<int64_t>(entries.size()) - added}});
}

Result<Response> SuppressionsApi::List(const Request& request) {
  LT_ASSIGN_OR_RETURN(ListParams params, ParseListParams(request.query, kAnyCursor, {"type"}));
  std::optional<bool> domains;
  if (auto it = params.filters.find("type"); it != params.filters.end()) {
    if (it->second != "email" && it->second != "domain") {
      return InvalidArgument("type must be email or domain", "type");
    }
    domains = it->second == "domain";
  }
  LT_ASSIGN_OR_RETURN(auto page,
                      store_.ListSuppressions(request.workspace_id, domains, params.page));
  return ListResponse(page, SuppressionToJson, [](const store::Suppression& s) { return s.value; });
}

Result<Response> SuppressionsApi::Delete(const Request& request) {
  const std::string value = domain::NormalizeEmail(request.PathParam("value"));
  LT_RETURN_IF_ERROR(store_.DeleteSuppression(request.workspace_id, value));
  return DataResponse(boost::json::object{{"value", value}, {"deleted", true}});
}

}  // namespace leadterra::api
