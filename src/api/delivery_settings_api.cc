#include "api/delivery_settings_api.h"

#include <algorithm>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "api/body.h"
#include "api/json_input.h"
#include "util/time_format.h"

namespace leadterra::api {
namespace {

boost::json::object SettingsToJson(const domain::DeliverySettings& s) {
  boost::json::object out;
  out["dailyLimit"] =
      s.daily_limit ? boost::json::value(*s.daily_limit) : boost::json::value(nullptr);
  out["timezone"] = s.timezone;
  if (s.window) {
    boost::json::array days;
    for (int day : s.window->days) days.push_back(day);
    out["sendingWindow"] =
        boost::json::object{{"days", std::move(days)},
                            {"start", domain::FormatClockTime(s.window->start_minute)},
                            {"end", domain::FormatClockTime(s.window->end_minute)}};
  } else {
    out["sendingWindow"] = nullptr;
  }
  out["minGapSeconds"] = s.min_gap_seconds;
  out["updatedAt"] =
      s.updated_at ? boost::json::value(FormatIso8601(s.updated_at)) : boost::json::value(nullptr);
  return out;
}

Result<int> ReadClockTime(const FieldReader& reader, std::string_view field, bool is_end) {
  LT_ASSIGN_OR_RETURN(std::string text, reader.RequiredString(field));
  std::optional<int> minutes = domain::ParseClockTime(text, is_end);
  if (!minutes) {
    return InvalidArgument(std::string(field) + " must be a local time HH:MM" +
                               (is_end ? " (00:01 to 24:00)" : " (00:00 to 23:59)"),
                           reader.PathOf(field));
  }
  return *minutes;
}

Result<domain::SendingWindow> ReadWindow(const boost::json::value& value) {
  LT_ASSIGN_OR_RETURN(FieldReader reader, FieldReader::Of(value, "sendingWindow"));
  LT_RETURN_IF_ERROR(reader.RejectUnknown({"days", "start", "end"}));
  domain::SendingWindow window;
  const boost::json::value* days = reader.Find("days");
  if (days == nullptr || !days->is_array()) {
    return InvalidArgument("days must be an array of ISO weekdays (1 = Monday … 7 = Sunday)",
                           reader.PathOf("days"));
  }
  for (size_t i = 0; i < days->get_array().size(); ++i) {
    const boost::json::value& day = days->get_array()[i];
    if (!day.is_int64() || day.get_int64() < 1 || day.get_int64() > 7) {
      return InvalidArgument("each day must be an integer from 1 (Monday) to 7 (Sunday)",
                             IndexPath(reader.PathOf("days"), i));
    }
    window.days.push_back(static_cast<int>(day.get_int64()));
  }
  // Order and repeats do not matter to the user; the rule wants a set.
  std::sort(window.days.begin(), window.days.end());
  window.days.erase(std::unique(window.days.begin(), window.days.end()), window.days.end());
  LT_ASSIGN_OR_RETURN(window.start_minute, ReadClockTime(reader, "start", false));
  LT_ASSIGN_OR_RETURN(window.end_minute, ReadClockTime(reader, "end", true));
  return window;
}

}  // namespace

Status ApplyDeliverySettingsPatch(const boost::json::value& body,
                                  domain::DeliverySettings& settings) {
  LT_ASSIGN_OR_RETURN(FieldReader reader, FieldReader::Of(body, ""));
  LT_RETURN_IF_ERROR(
      reader.RejectUnknown({"dailyLimit", "timezone", "sendingWindow", "minGapSeconds"}));
  if (const boost::json::value* limit = reader.Find("dailyLimit")) {
    if (limit->is_null()) {
      settings.daily_limit.reset();
    } else {
      LT_ASSIGN_OR_RETURN(std::optional<int64_t> value, reader.OptionalInteger("dailyLimit"));
      if (*value < 1 || *value > domain::kMaxWorkspaceDailyLimit) {
        return InvalidArgument(
            "dailyLimit must be from 1 to 1000000, or null for no workspace limit", "dailyLimit");
      }
      settings.daily_limit = static_cast<int>(*value);
    }
  }
  LT_ASSIGN_OR_RETURN(std::optional<std::string> zone, reader.OptionalString("timezone"));
  if (zone) settings.timezone = std::move(*zone);
  if (const boost::json::value* window = reader.Find("sendingWindow")) {
    if (window->is_null()) {
      settings.window.reset();
    } else {
      LT_ASSIGN_OR_RETURN(settings.window, ReadWindow(*window));
    }
  }
  LT_ASSIGN_OR_RETURN(std::optional<int64_t> gap, reader.OptionalInteger("minGapSeconds"));
  if (gap) {
    if (*gap < 0 || *gap > domain::kMaxMinGapSeconds) {
      return InvalidArgument("minGapSeconds must be from 0 to 86400", "minGapSeconds");
    }
    settings.min_gap_seconds = static_cast<int>(*gap);
  }
  return domain::ValidateDeliverySettings(settings);
}

Result<Response> DeliverySettingsApi::Get(const Request& request) {
  LT_ASSIGN_OR_RETURN(domain::DeliverySettings settings,
                      store_.GetDeliverySettings(request.workspace_id));
  return DataResponse(SettingsToJson(settings));
}

Result<Response> DeliverySettingsApi::Patch(const Request& request) {
  LT_ASSIGN_OR_RETURN(const boost::json::value* body, RequireBody(request));
  LT_ASSIGN_OR_RETURN(
      domain::DeliverySettings settings,
      store_.UpdateDeliverySettings(
          request.workspace_id,
          [&](domain::DeliverySettings& s) { return ApplyDeliverySettingsPatch(*body, s); },
          clock_.NowMillis()));
  return DataResponse(SettingsToJson(settings));
}

}  // namespace leadterra::api
