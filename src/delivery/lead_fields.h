// A lead's field values for rendering: standard fields and custom fields
// (numbers and booleans as their JSON text; null or absent = missing). Owns
// its strings; Lookup() stays valid while the object lives.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/lead.h"
#include "domain/template.h"
#include "store/store.h"

namespace leadterra::delivery {

// Field values for rendering: standard fields and custom fields (numbers and
// booleans as their JSON text; null or absent = missing). Owns its strings.
class LeadFields {
 public:
  explicit LeadFields(const domain::Lead& lead);
  explicit LeadFields(const store::LeadUpsert& row);
  std::optional<std::string_view> Get(std::string_view name) const;
  domain::FieldLookup Lookup() const;

 private:
  void AddCustom(std::string_view custom_fields_json);
  std::optional<std::string> email_, first_name_, last_name_, company_, job_title_;
  std::vector<std::pair<std::string, std::string>> custom_;
};

}  // namespace leadterra::delivery
