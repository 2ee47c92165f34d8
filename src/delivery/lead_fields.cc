#include "delivery/lead_fields.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace leadterra::delivery {
namespace {

std::string ScalarText(const boost::json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  return boost::json::serialize(v);
}

}  // namespace

LeadFields::LeadFields(const domain::Lead& lead)
    : email_(lead.email),
      first_name_(lead.first_name),
      last_name_(lead.last_name),
      company_(lead.company),
      job_title_(lead.job_title) {
  AddCustom(lead.custom_fields_json);
}

LeadFields::LeadFields(const store::LeadUpsert& row)
    : email_(row.email),
      first_name_(row.first_name),
      last_name_(row.last_name),
      company_(row.company),
      job_title_(row.job_title) {
  AddCustom(row.custom_fields_patch);
}

void LeadFields::AddCustom(std::string_view custom_fields_json) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(custom_fields_json, ec);
  if (ec || !v.is_object()) return;
  for (const auto& [key, value] : v.get_object()) {
    if (!value.is_null()) custom_.emplace_back(std::string(key), ScalarText(value));
  }
}

std::optional<std::string_view> LeadFields::Get(std::string_view name) const {
  auto opt = [](const std::optional<std::string>& v) -> std::optional<std::string_view> {
    if (!v) return std::nullopt;
    return std::string_view(*v);
  };
  if (name == "email") return opt(email_);
  if (name == "firstName") return opt(first_name_);
  if (name == "lastName") return opt(last_name_);
  if (name == "company") return opt(company_);
  if (name == "jobTitle") return opt(job_title_);
  for (const auto& [key, value] : custom_) {
    if (key == name) return std::string_view(value);
  }
  return std::nullopt;
}

domain::FieldLookup LeadFields::Lookup() const {
  return [this](std::string_view name) { return Get(name); };
}

}  // namespace leadterra::delivery
