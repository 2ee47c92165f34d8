#include "api/lead_codec.h"

#include <algorithm>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "api/json_input.h"
#include "domain/delivery_settings.h"
#include "util/time_format.h"
#include "util/utf8.h"

namespace leadterra::api {
namespace {

using domain::kLeadFieldMaxChars;

struct StandardField {
  const char* name;
  std::optional<std::string> store::LeadUpsert::*member;
};
constexpr StandardField kStandardFields[] = {
    {"firstName", &store::LeadUpsert::first_name},
    {"lastName", &store::LeadUpsert::last_name},
    {"company", &store::LeadUpsert::company},
    {"jobTitle", &store::LeadUpsert::job_title},
};

RowProblem TooLong(const std::string& field, size_t limit, std::string param) {
  return {"field_too_long", field + " is longer than " + std::to_string(limit) + " characters",
          std::move(param)};
}

// A row problem when `text` holds a character lead text may not carry.
std::optional<RowProblem> ControlCharacters(std::string_view text, const std::string& field,
                                            std::string param) {
  if (!HasControlCharacters(text, /*allow_newlines=*/false)) return std::nullopt;
  return RowProblem{"invalid_characters",
                    field + " contains a control character or a line separator", std::move(param)};
}

void SetOptional(boost::json::object& out, const char* name, const std::optional<std::string>& v) {
  if (v) {
    out[name] = *v;
  } else {
    out[name] = nullptr;
  }
}

void SetOptionalTime(boost::json::object& out, const char* name, const std::optional<int64_t>& v) {
  if (v) {
    out[name] = FormatIso8601(*v);
  } else {
    out[name] = nullptr;
  }
}

}  // namespace

Result<ParsedLeadRow> ParseLeadRow(const boost::json::value& value, const std::string& path) {
  LT_ASSIGN_OR_RETURN(FieldReader reader, FieldReader::Of(value, path, /*nulls_are_absent=*/true));
  LT_RETURN_IF_ERROR(reader.RejectUnknown(
      {"email", "firstName", "lastName", "company", "jobTitle", "customFields", "timezone"}));
  ParsedLeadRow row;
  LT_ASSIGN_OR_RETURN(std::optional<std::string> email, reader.OptionalString("email"));
  for (const StandardField& field : kStandardFields) {
    LT_ASSIGN_OR_RETURN(std::optional<std::string> text, reader.OptionalString(field.name));
    if (text) {
      std::string trimmed(domain::TrimAscii(*text));
      if (!row.problem && CountCodePoints(trimmed) > kLeadFieldMaxChars) {
        row.problem = TooLong(field.name, kLeadFieldMaxChars, reader.PathOf(field.name));
      }
      if (!row.problem)
        row.problem = ControlCharacters(trimmed, field.name, reader.PathOf(field.name));
      row.upsert.*field.member = std::move(trimmed);
    }
  }
  LT_ASSIGN_OR_RETURN(std::optional<std::string> timezone, reader.OptionalString("timezone"));
  if (timezone) {
    std::string zone(domain::TrimAscii(*timezone));
    if (!row.problem && !domain::IsKnownTimeZone(zone)) {
      row.problem = RowProblem{"invalid_timezone",
                               "timezone is not an IANA time zone such as "
                               "\"America/New_York\"",
                               reader.PathOf("timezone")};
    }
    row.upsert.timezone = std::move(zone);
  }
  if (const boost::json::value* custom = reader.Find("customFields")) {
    const std::string custom_path = reader.PathOf("customFields");
    if (!custom->is_object()) {
      return InvalidArgument(
          "customFields must be an object, not " + std::string(KindName(*custom)), custom_path);
    }
    const boost::json::object& fields = custom->get_object();
    if (fields.size() > domain::kMaxCustomFields) {
      return InvalidArgument("customFields has more than 100 keys", custom_path);
    }
    for (const auto& [key, v] : fields) {
      const std::string key_path = JoinPath(custom_path, key);
      if (v.is_object() || v.is_array()) {
        return InvalidArgument("custom field values must be strings, numbers, booleans or null",
                               key_path);
      }
      if (key.empty() || CountCodePoints(key) > domain::kCustomFieldKeyMaxChars) {
        return InvalidArgument("custom field names must be 1 to 100 characters", key_path);
      }
      const std::string field = "customFields." + std::string(key);
      if (!row.problem) row.problem = ControlCharacters(key, field + " (its name)", key_path);
      if (!v.is_null()) {
        row.custom_keys.emplace_back(key);
        if (!row.problem && v.is_string() &&
            CountCodePoints(v.get_string()) > domain::kCustomFieldValueMaxChars) {
          row.problem = TooLong(field, domain::kCustomFieldValueMaxChars, key_path);
        }
        if (!row.problem && v.is_string()) {
          row.problem = ControlCharacters(v.get_string(), field, key_path);
        }
      }
    }
    if (!fields.empty()) row.upsert.custom_fields_patch = boost::json::serialize(fields);
  }
  if (!email || domain::TrimAscii(*email).empty()) {
    // The first problem found wins; a missing email comes last.
    if (!row.problem) {
      row.problem = RowProblem{"missing_email", "email is required", reader.PathOf("email")};
    }
    return row;
  }
  row.upsert.email = std::string(domain::TrimAscii(*email));
  row.upsert.email_normalized = domain::NormalizeEmail(row.upsert.email);
  if (!row.problem && !domain::IsValidEmail(row.upsert.email_normalized)) {
    row.problem =
        RowProblem{"invalid_email", "'" + row.upsert.email + "' is not a valid email address",
                   reader.PathOf("email")};
  }
  return row;
}

Result<store::LeadPatch> ParseLeadPatch(const boost::json::value& body) {
  LT_ASSIGN_OR_RETURN(FieldReader reader, FieldReader::Of(body, ""));
  if (reader.Find("email") != nullptr) {
    return InvalidArgument(
        "email identifies the lead and cannot be changed; import the new address as a new lead",
        "email");
  }
  // The bulk row's parser checks every field; nulls (clear) are set aside
  // first, and a stand-in address satisfies its email rule.
  boost::json::object row = body.get_object();
  std::vector<std::string> cleared;
  for (auto it = row.begin(); it != row.end();) {
    const boost::json::value& v = it->value();
    const bool blank = v.is_null() || (v.is_string() && domain::TrimAscii(v.get_string()).empty());
    if (blank && it->key() != "customFields") {
      cleared.emplace_back(it->key());
      it = row.erase(it);
    } else {
      ++it;
    }
  }
  row["email"] = "patch@example.com";
  LT_ASSIGN_OR_RETURN(ParsedLeadRow parsed, ParseLeadRow(row, ""));
  if (parsed.problem) return InvalidArgument(parsed.problem->message, parsed.problem->param);
  store::LeadPatch patch;
  auto take = [&](const char* name, const std::optional<std::string>& parsed_value,
                  std::optional<std::optional<std::string>>& out) {
    if (std::find(cleared.begin(), cleared.end(), name) != cleared.end()) {
      out = std::optional<std::string>();
    } else if (reader.Find(name) != nullptr) {
      out = parsed_value && !parsed_value->empty() ? parsed_value : std::optional<std::string>();
    }
  };
  take("firstName", parsed.upsert.first_name, patch.first_name);
  take("lastName", parsed.upsert.last_name, patch.last_name);
  take("company", parsed.upsert.company, patch.company);
  take("jobTitle", parsed.upsert.job_title, patch.job_title);
  take("timezone", parsed.upsert.timezone, patch.timezone);
  patch.custom_fields_patch = parsed.upsert.custom_fields_patch;
  patch.custom_keys = std::move(parsed.custom_keys);
  return patch;
}

boost::json::object LeadToJson(const domain::Lead& lead) {
  boost::json::object out;
  out["id"] = lead.id;
  out["email"] = lead.email;
  SetOptional(out, "firstName", lead.first_name);
  SetOptional(out, "lastName", lead.last_name);
  SetOptional(out, "company", lead.company);
  SetOptional(out, "jobTitle", lead.job_title);
  SetOptional(out, "timezone", lead.timezone);
  boost::system::error_code ec;
  boost::json::value custom = boost::json::parse(lead.custom_fields_json, ec);
  out["customFields"] = ec ? boost::json::value(boost::json::object()) : std::move(custom);
  out["createdAt"] = FormatIso8601(lead.created_at);
  out["updatedAt"] = FormatIso8601(lead.updated_at);
  return out;
}

boost::json::object EnrollmentToJson(const domain::Enrollment& e) {
  boost::json::object out = LeadToJson(e.lead);
  out["status"] = domain::ToString(e.status);
  out["currentStep"] = e.current_step;
  SetOptionalTime(out, "nextSendAt", e.next_send_at);
  SetOptionalTime(out, "lastSentAt", e.last_sent_at);
  out["enrolledAt"] = FormatIso8601(e.enrolled_at);
  return out;
}

}  // namespace leadterra::api
