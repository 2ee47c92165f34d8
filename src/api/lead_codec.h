// JSON <-> leads. A lead row in a bulk request is checked in two tiers:
// shape errors (a field of the wrong type, unknown fields, customFields that
// is not a flat object) make the whole request malformed (400, with `param`);
// content problems (missing or invalid email, an over-long value) reject only
// that row, reported with its index while the other rows land. Lead text
// may not carry control characters (C0 other than tab, DEL, C1) or line and
// paragraph separators: the row is refused with `invalid_characters`.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <vector>

#include "domain/lead.h"
#include "store/store.h"
#include "util/status.h"

namespace leadterra::api {

struct RowProblem {
  std::string code;  // missing_email, invalid_email, field_too_long, duplicate_email,
                     // invalid_timezone, invalid_characters
  std::string message;
  std::string param = {};  // the offending field's path ("leads[3].firstName"), if one
};

struct ParsedLeadRow {
  store::LeadUpsert upsert;              // new_id left empty
  std::vector<std::string> custom_keys;  // keys with non-null values
  std::optional<RowProblem> problem;
};

// Parses one element of `leads`. A non-OK Status means the request is malformed.
Result<ParsedLeadRow> ParseLeadRow(const boost::json::value& value, const std::string& path);

// PATCH /v1/leads/:id: the lead fields but email (which identifies the lead
// and cannot change), with the bulk row's checks; here a problem fails the
// request (400 with `param`). A field set to null or "" is cleared;
// customFields merge (a null value removes that key).
Result<store::LeadPatch> ParseLeadPatch(const boost::json::value& body);

// The lead fields of the API: id, email, firstName, …, customFields, createdAt, updatedAt.
boost::json::object LeadToJson(const domain::Lead& lead);
boost::json::object EnrollmentToJson(const domain::Enrollment& enrollment);

}  // namespace leadterra::api
