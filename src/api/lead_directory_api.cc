#include "api/lead_directory_api.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "api/body.h"
#include "api/lead_codec.h"
#include "api/list_params.h"
#include "util/ids.h"
#include "util/time_format.h"

namespace leadterra::api {
namespace {

// The cursor of a search: the matched text and the id, apart by a unit
// separator (lead text never carries control characters).
constexpr char kCursorSeparator = '\x1f';

// ASCII lower case, trimmed of spaces: SQL lower() and trim() on both
// backends do the same to the indexed texts.
std::string SearchPrefix(std::string_view query) {
  while (!query.empty() && query.front() == ' ') query.remove_prefix(1);
  while (!query.empty() && query.back() == ' ') query.remove_suffix(1);
  std::string out(query);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

boost::json::value TimeOrNull(const std::optional<int64_t>& at) {
  return at ? boost::json::value(FormatIso8601(*at)) : boost::json::value(nullptr);
}

}  // namespace

Result<Response> LeadDirectoryApi::Search(const Request& request) {
  LT_ASSIGN_OR_RETURN(ListParams params, ParseListParams(request.query, kAnyCursor, {"q"}));
  store::LeadSearch search;
  search.limit = params.page.limit;
  if (auto it = params.filters.find("q"); it != params.filters.end()) {
    if (it->second.size() > 320) return InvalidArgument("q is longer than 320 bytes", "q");
    search.prefix = SearchPrefix(it->second);
  }
  const std::string& cursor = params.page.after_id;
  if (!cursor.empty()) {
    const size_t sep = cursor.find(kCursorSeparator);
    if (sep == std::string::npos) {
      search.after_id = cursor;
    } else {
      search.after_key = cursor.substr(0, sep);
      search.after_id = cursor.substr(sep + 1);
    }
    if (search.after_id.rfind(id_prefix::kLead, 0) != 0) {
      return InvalidArgument("cursor is not one this list returned", "cursor");
    }
  }
  LT_ASSIGN_OR_RETURN(store::LeadSearchPage page, store_.SearchLeads(request.workspace_id, search));
  boost::json::array items;
  for (const store::LeadSearchResult& r : page.items) items.push_back(LeadToJson(r.lead));
  std::string last;
  if (!page.items.empty()) {
    const store::LeadSearchResult& r = page.items.back();
    last = search.prefix.empty() ? r.lead.id : r.key + kCursorSeparator + r.lead.id;
  }
  return Response{200, ListBody(std::move(items), page.has_more, last), {}};
}

Result<Response> LeadDirectoryApi::LeadWithEnrollments(const std::string& workspace_id,
                                                       domain::Lead lead) {
  LT_ASSIGN_OR_RETURN(auto enrollments, store_.ListLeadEnrollments(workspace_id, lead.id));
  boost::json::object out = LeadToJson(lead);
  boost::json::array list;
  for (const store::LeadEnrollment& e : enrollments) {
    list.push_back(boost::json::object{
        {"campaignId", e.enrollment.campaign_id},
        {"campaignName", e.campaign_name},
        {"campaignStatus", e.campaign_status},
        {"status", domain::ToString(e.enrollment.status)},
        {"currentStep", e.enrollment.current_step},
        {"nextSendAt", TimeOrNull(e.enrollment.next_send_at)},
        {"lastSentAt", TimeOrNull(e.enrollment.last_sent_at)},
        {"enrolledAt", FormatIso8601(e.enrollment.enrolled_at)},
    });
  }
  out["enrollments"] = std::move(list);
  return DataResponse(std::move(out));
}

Result<Response> LeadDirectoryApi::Get(const Request& request) {
  LT_RETURN_IF_ERROR(ParseListParams(request.query, "", {}).status());
  LT_ASSIGN_OR_RETURN(domain::Lead lead,
                      store_.GetLead(request.workspace_id, request.PathParam("id")));
  return LeadWithEnrollments(request.workspace_id, std::move(lead));
}

Result<Response> LeadDirectoryApi::Patch(const Request& request) {
  LT_ASSIGN_OR_RETURN(const boost::json::value* body, RequireBody(request));
  LT_ASSIGN_OR_RETURN(store::LeadPatch patch, ParseLeadPatch(*body));
  LT_ASSIGN_OR_RETURN(
      domain::Lead lead,
      store_.PatchLead(request.workspace_id, request.PathParam("id"), patch, clock_.NowMillis()));
  return LeadWithEnrollments(request.workspace_id, std::move(lead));
}

Result<Response> LeadDirectoryApi::Delete(const Request& request) {
  bool erase = false;
  for (const auto& [name, value] : request.query) {
    if (name != "erase") return InvalidArgument("unknown query parameter " + name, name);
    if (value != "true" && value != "false") {
      return InvalidArgument("erase must be true or false", "erase");
    }
    erase = value == "true";
  }
  const std::string& lead_id = request.PathParam("id");
  const int64_t now = clock_.NowMillis();
  LT_RETURN_IF_ERROR(erase ? store_.EraseLead(request.workspace_id, lead_id, now)
                           : store_.DeleteLead(request.workspace_id, lead_id, now));
  return DataResponse(boost::json::object{{"id", lead_id}, {"deleted", true}, {"erased", erase}});
}

}  // namespace leadterra::api
