#include "api/leads_api.h"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <unordered_set>

#include "api/body.h"
#include "api/json_input.h"
#include "api/lead_codec.h"
#include "api/list_params.h"
#include "util/time_format.h"

namespace leadterra::api {

Status LeadsApi::RefuseSuppressed(const std::string& workspace_id,
                                  std::vector<store::LeadUpsert>& valid,
                                  std::vector<size_t>& valid_index, boost::json::array& errors) {
  std::vector<std::string> emails;
  emails.reserve(valid.size());
  for (const store::LeadUpsert& row : valid) emails.push_back(row.email_normalized);
  LT_ASSIGN_OR_RETURN(std::vector<std::string> suppressed,
                      store_.FindSuppressed(workspace_id, emails));
  if (suppressed.empty()) return Status::Ok();
  std::sort(suppressed.begin(), suppressed.end());
  size_t kept = 0;
  for (size_t i = 0; i < valid.size(); ++i) {
    if (std::binary_search(suppressed.begin(), suppressed.end(), valid[i].email_normalized)) {
      errors.push_back(boost::json::object{
          {"index", valid_index[i]},
          {"email", valid[i].email},
          {"code", "suppressed"},
          {"message", "this address or its domain is on the workspace's suppression list"}});
      continue;
    }
    if (kept != i) {  // never self-move: it would empty the row
      valid[kept] = std::move(valid[i]);
      valid_index[kept] = valid_index[i];
    }
    ++kept;
  }
  valid.resize(kept);
  valid_index.resize(kept);
  return Status::Ok();
}

Result<Response> LeadsApi::BulkUpsert(const Request& request) {
  LT_ASSIGN_OR_RETURN(const boost::json::value* body, RequireBody(request));
  LT_ASSIGN_OR_RETURN(FieldReader reader, FieldReader::Of(*body, ""));
  LT_RETURN_IF_ERROR(reader.RejectUnknown({"leads"}));
  const boost::json::value* leads = reader.Find("leads");
  if (!leads) return InvalidArgument("leads is required", "leads");
  if (!leads->is_array()) {
    return InvalidArgument("leads must be an array, not " + std::string(KindName(*leads)), "leads");
  }
  const boost::json::array& rows = leads->get_array();
  if (rows.size() > options_.max_leads_per_request) {
    return InvalidArgument("at most " + std::to_string(options_.max_leads_per_request) +
                               " leads per request; split the upload",
                           "leads");
  }

  std::vector<store::LeadUpsert> valid;
  valid.reserve(rows.size());
  std::vector<std::string> custom_keys;
  std::unordered_set<std::string> seen_emails;
  seen_emails.reserve(rows.size());
  boost::json::array errors;
  std::vector<size_t> valid_index;  // request position of each valid row
  for (size_t i = 0; i < rows.size(); ++i) {
    LT_ASSIGN_OR_RETURN(ParsedLeadRow row, ParseLeadRow(rows[i], IndexPath("leads", i)));
    if (!row.problem && !seen_emails.insert(row.upsert.email_normalized).second) {
      row.problem = RowProblem{"duplicate_email",
                               "this email appears earlier in the same request; the first wins"};
    }
    if (row.problem) {
      boost::json::object error{
          {"index", i}, {"code", row.problem->code}, {"message", row.problem->message}};
      if (!row.problem->param.empty()) error["param"] = row.problem->param;
      if (row.upsert.email.empty()) {
        error["email"] = nullptr;
      } else {
        error["email"] = row.upsert.email;
      }
      errors.push_back(std::move(error));
      continue;
    }
    for (auto& key : row.custom_keys) custom_keys.push_back(std::move(key));
    row.upsert.new_id = ids_.Next(id_prefix::kLead);
    valid.push_back(std::move(row.upsert));
    valid_index.push_back(i);
  }
  LT_RETURN_IF_ERROR(RefuseSuppressed(request.workspace_id, valid, valid_index, errors));
  std::sort(custom_keys.begin(), custom_keys.end());
  custom_keys.erase(std::unique(custom_keys.begin(), custom_keys.end()), custom_keys.end());

  store::BulkEnrollCounts counts;
  if (!valid.empty()) {
    LT_ASSIGN_OR_RETURN(counts,
                        store_.UpsertAndEnroll(request.workspace_id, request.PathParam("id"), valid,
                                               custom_keys, clock_.NowMillis()));
  } else {
    // Still answer 404 for an unknown campaign.
    LT_RETURN_IF_ERROR(
        store_.GetCampaignCounters(request.workspace_id, request.PathParam("id")).status());
  }
  return DataResponse(boost::json::object{
      {"received", rows.size()},
      {"created", counts.created},
      {"updated", counts.updated},
      {"enrolled", counts.enrolled},
      {"alreadyEnrolled", counts.already_enrolled},
      {"errors", std::move(errors)},
  });
}

Result<Response> LeadsApi::List(const Request& request) {
  LT_ASSIGN_OR_RETURN(ListParams params,
                      ParseListParams(request.query, id_prefix::kLead, {"status"}));
  std::optional<domain::EnrollmentStatus> status;
  if (auto it = params.filters.find("status"); it != params.filters.end()) {
    status = domain::ParseEnrollmentStatus(it->second);
    if (!status) {
      return InvalidArgument(
          "status must be queued, active, completed, replied, bounced, unsubscribed or removed",
          "status");
    }
  }
  LT_ASSIGN_OR_RETURN(
      auto page,
      store_.ListEnrollments(request.workspace_id, request.PathParam("id"), status, params.page));
  return ListResponse(page, EnrollmentToJson,
                      [](const domain::Enrollment& e) { return e.lead.id; });
}

Result<Response> LeadsApi::Remove(const Request& request) {
  const std::string& lead_id = request.PathParam("leadId");
  LT_RETURN_IF_ERROR(store_.RemoveEnrollment(request.workspace_id, request.PathParam("id"), lead_id,
                                             clock_.NowMillis()));
  return DataResponse(boost::json::object{{"leadId", lead_id}, {"status", "removed"}});
}

namespace {

template <typename T>
boost::json::value OrNull(const std::optional<T>& v) {
  return v ? boost::json::value(*v) : boost::json::value(nullptr);
}

boost::json::object ThreadItemToJson(const store::ThreadItem& item) {
  boost::json::object out;
  out["id"] = item.id;
  out["direction"] = item.inbound ? "inbound" : "outbound";
  out["kind"] = item.kind;
  out["stepIndex"] = OrNull(item.step_index);
  out["stepNumber"] =
      item.step_index ? boost::json::value(*item.step_index + 1) : boost::json::value(nullptr);
  out["subject"] = item.subject;
  out["status"] = OrNull(item.status);
  out["from"] = OrNull(item.from);
  out["messageIdHeader"] = item.message_id_header;
  out["at"] = FormatIso8601(item.at);
  out["snippet"] = OrNull(item.snippet);
  out["smtpCode"] = OrNull(item.smtp_code);
  out["smtpReply"] = OrNull(item.smtp_reply);
  out["dsnStatus"] = OrNull(item.dsn_status);
  out["variantId"] =
      item.variant_id.empty() ? boost::json::value(nullptr) : boost::json::value(item.variant_id);
  return out;
}

}  // namespace

Result<Response> LeadsApi::Thread(const Request& request) {
  LT_RETURN_IF_ERROR(ParseListParams(request.query, "", {}).status());
  LT_ASSIGN_OR_RETURN(auto items, store_.ListThread(request.workspace_id, request.PathParam("id"),
                                                    request.PathParam("leadId")));
  boost::json::array out;
  for (const store::ThreadItem& item : items) out.push_back(ThreadItemToJson(item));
  return Response{200, ListBody(std::move(out), false, ""), {}};
}

}  // namespace leadterra::api
