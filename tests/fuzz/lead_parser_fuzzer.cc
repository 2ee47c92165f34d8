// Fuzzes the lead parsers: a row of a bulk upload and the PATCH
// /v1/leads/:id body (SPEC §4, §12), both straight from clients. Any crash,
// sanitizer report or exception is a bug; what they accept must hold to the
// lead rules (no control characters or line breaks that could reach a header,
// lengths within limits, a known time zone, custom fields as a flat object).
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "api/json_input.h"
#include "api/lead_codec.h"
#include "domain/delivery_settings.h"
#include "domain/lead.h"
#include "util/utf8.h"

namespace {

void CheckText(const std::optional<std::string>& value) {
  if (!value) return;
  if (leadterra::HasControlCharacters(*value, /*allow_newlines=*/false)) __builtin_trap();
  if (leadterra::CountCodePoints(*value) > leadterra::domain::kLeadFieldMaxChars) __builtin_trap();
}

void CheckCustomPatch(const std::string& patch) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(patch, ec);
  if (ec || !v.is_object()) __builtin_trap();
  for (const auto& [key, value] : v.get_object()) {
    if (value.is_object() || value.is_array()) __builtin_trap();
    if (leadterra::HasControlCharacters(key, false)) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view raw(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto body = leadterra::api::ParseJsonBody(raw);
  if (!body.ok()) return 0;
  if (data[0] % 2 == 0) {
    auto row = leadterra::api::ParseLeadRow(*body, "leads[0]");
    if (!row.ok() || row->problem) return 0;
    const auto& u = row->upsert;
    if (!leadterra::domain::IsValidEmail(u.email_normalized)) __builtin_trap();
    for (const auto* field : {&u.first_name, &u.last_name, &u.company, &u.job_title}) {
      CheckText(*field);
    }
    if (u.timezone && !leadterra::domain::IsKnownTimeZone(*u.timezone)) __builtin_trap();
    CheckCustomPatch(u.custom_fields_patch);
    return 0;
  }
  auto patch = leadterra::api::ParseLeadPatch(*body);
  if (!patch.ok()) return 0;
  for (const auto* field :
       {&patch->first_name, &patch->last_name, &patch->company, &patch->job_title}) {
    if (*field && **field) {
      if ((**field)->empty()) __builtin_trap();  // blanks clear the field
      CheckText(**field);
    }
  }
  if (patch->timezone && *patch->timezone &&
      !leadterra::domain::IsKnownTimeZone(**patch->timezone)) {
    __builtin_trap();
  }
  CheckCustomPatch(patch->custom_fields_patch);
  return 0;
}
