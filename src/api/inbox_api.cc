#include "api/inbox_api.h"

#include <array>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <charconv>

#include "api/body.h"
#include "api/json_input.h"
#include "api/list_params.h"
#include "util/time_format.h"
#include "util/utf8.h"

namespace leadterra::api {
namespace {

constexpr std::array<std::string_view, 6> kLabels = {"interested",     "not_interested",
                                                     "meeting_booked", "out_of_office",
                                                     "wrong_person",   "unsubscribe"};
constexpr size_t kAnswerMaxBytes = 256 * 1024;

bool IsLabel(std::string_view label) {
  for (std::string_view known : kLabels) {
    if (label == known) return true;
  }
  return false;
}

template <typename T>
boost::json::value OrNull(const std::optional<T>& v) {
  return v ? boost::json::value(*v) : boost::json::value(nullptr);
}

boost::json::object ItemToJson(const store::InboxItem& item) {
  boost::json::object lead{{"id", item.lead_id},
                           {"email", item.lead_email},
                           {"firstName", OrNull(item.first_name)},
                           {"lastName", OrNull(item.last_name)},
                           {"company", OrNull(item.company)}};
  return boost::json::object{
      {"id", item.id},
      {"kind", item.kind},
      {"leadId", item.lead_id},
      {"lead", std::move(lead)},
      {"campaignId", item.campaign_id},
      {"campaignName", item.campaign_name},
      {"stepNumber",
       item.step_index ? boost::json::value(*item.step_index + 1) : boost::json::value(nullptr)},
      {"mailboxId", item.mailbox_id},
      {"from", item.from},
      {"subject", item.subject},
      {"snippet", item.snippet},
      {"receivedAt", FormatIso8601(item.received_at)},
      {"label", OrNull(item.label)},
      {"read", item.read},
  };
}

// Cursor of the newest-first list: "<receivedAt millis>:<id>".
std::string CursorOf(const store::InboxItem& item) {
  return std::to_string(item.received_at) + ":" + item.id;
}

Result<std::pair<int64_t, std::string>> ParseCursor(const std::string& cursor) {
  const size_t colon = cursor.find(':');
  int64_t at = 0;
  if (colon != std::string::npos) {
    auto [end, ec] = std::from_chars(cursor.data(), cursor.data() + colon, at);
    if (ec == std::errc() && end == cursor.data() + colon &&
        cursor.compare(colon + 1, 4, "inb_") == 0) {
      return std::make_pair(at, cursor.substr(colon + 1));
    }
  }
  return InvalidArgument("cursor is not one this list returned", "cursor");
}

Result<bool> ParseBool(const std::string& text, const char* param) {
  if (text == "true") return true;
  if (text == "false") return false;
  return InvalidArgument(std::string(param) + " must be true or false", param);
}

}  // namespace

Result<Response> InboxApi::List(const Request& request) {
  LT_ASSIGN_OR_RETURN(ListParams params, ParseListParams(request.query, kAnyCursor,
                                                         {"campaignId", "label", "unread"}));
  store::InboxQuery query;
  query.limit = params.page.limit;
  if (auto it = params.filters.find("campaignId"); it != params.filters.end()) {
    query.campaign_id = it->second;
  }
  if (auto it = params.filters.find("label"); it != params.filters.end()) {
    if (it->second != "none" && !IsLabel(it->second)) {
      return InvalidArgument(
          "label must be interested, not_interested, meeting_booked, out_of_office, "
          "wrong_person, unsubscribe or none",
          "label");
    }
    query.label = it->second == "none" ? "" : it->second;
  }
  if (auto it = params.filters.find("unread"); it != params.filters.end()) {
    LT_ASSIGN_OR_RETURN(query.unread, ParseBool(it->second, "unread"));
  }
  if (!params.page.after_id.empty()) {
    LT_ASSIGN_OR_RETURN(query.after, ParseCursor(params.page.after_id));
  }
  LT_ASSIGN_OR_RETURN(auto page, store_.ListInbox(request.workspace_id, query));
  return ListResponse(page, ItemToJson, CursorOf);
}

Result<Response> InboxApi::Summary(const Request& request) {
  LT_RETURN_IF_ERROR(ParseListParams(request.query, "", {}).status());
  LT_ASSIGN_OR_RETURN(store::InboxCounts counts, store_.CountInbox(request.workspace_id));
  boost::json::object labels;
  int64_t total = 0, unread = 0;
  auto add = [&](std::string_view name, const std::string& key) {
    const store::InboxCount c = counts.count(key) ? counts.at(key) : store::InboxCount{};
    labels[name] = boost::json::object{{"total", c.total}, {"unread", c.unread}};
    total += c.total;
    unread += c.unread;
  };
  for (std::string_view label : kLabels) add(label, std::string(label));
  add("none", "");
  return DataResponse(
      boost::json::object{{"total", total}, {"unread", unread}, {"labels", std::move(labels)}});
}

Result<Response> InboxApi::Get(const Request& request) {
  LT_RETURN_IF_ERROR(ParseListParams(request.query, "", {}).status());
  LT_ASSIGN_OR_RETURN(store::InboxItem item,
                      store_.GetInboxItem(request.workspace_id, request.PathParam("id")));
  boost::json::object out = ItemToJson(item);
  out["text"] = item.text;
  return DataResponse(std::move(out));
}

Result<Response> InboxApi::Patch(const Request& request) {
  LT_ASSIGN_OR_RETURN(const boost::json::value* body, RequireBody(request));
  LT_ASSIGN_OR_RETURN(FieldReader reader, FieldReader::Of(*body, ""));
  LT_RETURN_IF_ERROR(reader.RejectUnknown({"label", "read"}));
  store::InboxChange change;
  if (const boost::json::value* label = reader.Find("label")) {
    if (label->is_null()) {
      change.label = std::optional<std::string>();
    } else if (label->is_string() && IsLabel(label->get_string())) {
      change.label = std::optional<std::string>(std::string(label->get_string()));
    } else {
      return InvalidArgument(
          "label must be interested, not_interested, meeting_booked, out_of_office, "
          "wrong_person, unsubscribe or null",
          "label");
    }
  }
  if (const boost::json::value* read = reader.Find("read")) {
    if (!read->is_bool()) return InvalidArgument("read must be true or false", "read");
    change.read = read->get_bool();
  }
  LT_ASSIGN_OR_RETURN(store::InboxItem item,
                      store_.UpdateInboxItem(request.workspace_id, request.PathParam("id"), change,
                                             clock_.NowMillis()));
  return DataResponse(ItemToJson(item));
}

Result<Response> InboxApi::Reply(const Request& request) {
  LT_ASSIGN_OR_RETURN(const boost::json::value* body, RequireBody(request));
  LT_ASSIGN_OR_RETURN(FieldReader reader, FieldReader::Of(*body, ""));
  LT_RETURN_IF_ERROR(reader.RejectUnknown({"bodyHtml"}));
  LT_ASSIGN_OR_RETURN(std::string body_html, reader.RequiredString("bodyHtml"));
  if (body_html.find_first_not_of(" \t\r\n") == std::string::npos) {
    return InvalidArgument("bodyHtml must not be empty", "bodyHtml");
  }
  if (body_html.size() > kAnswerMaxBytes) {
    return InvalidArgument("bodyHtml is larger than 256 KiB", "bodyHtml");
  }
  if (HasControlCharacters(body_html, /*allow_newlines=*/true)) {
    return InvalidArgument("bodyHtml contains a control character", "bodyHtml");
  }
  const std::string answer_id = ids_.Next(id_prefix::kAnswer);
  LT_ASSIGN_OR_RETURN(store::AnswerDraft draft,
                      store_.BeginAnswer(request.workspace_id, request.PathParam("id"), answer_id,
                                         body_html, clock_.NowMillis()));
  const delivery::SmtpReply reply =
      sender_.Send(request.workspace_id, draft, body_html, clock_.NowMillis());
  const std::string status = reply.Accepted()    ? "delivered"
                             : reply.Permanent() ? "bounced"
                                                 : "failed";
  LT_ASSIGN_OR_RETURN(
      store::Answer answer,
      store_.FinishAnswer(request.workspace_id, answer_id, status,
                          reply.code ? std::optional<int64_t>(reply.code) : std::nullopt,
                          reply.text, clock_.NowMillis()));
  return DataResponse(
      boost::json::object{
          {"id", answer.id},
          {"inboxId", answer.inbound_id},
          {"leadId", answer.lead_id},
          {"campaignId", answer.campaign_id},
          {"mailboxId", answer.mailbox_id},
          {"subject", answer.subject},
          {"messageIdHeader", draft.message_id_header},
          {"status", answer.status},
          {"smtpCode", OrNull(answer.smtp_code)},
          {"smtpReply", OrNull(answer.smtp_reply)},
          {"sentAt", answer.sent_at ? boost::json::value(FormatIso8601(*answer.sent_at))
                                    : boost::json::value(nullptr)},
      },
      201);
}

}  // namespace leadterra::api
