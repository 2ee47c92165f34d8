// Leads across campaigns (SPEC §12): search, one lead with every
// enrollment, edits, removal and erasure. Thread-safe; each method is one
// transaction; another workspace's lead answers kNotFound.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/lead.h"
#include "util/status.h"

namespace leadterra::store {

// A page of search results. With a prefix, a lead matches when its address,
// "first last", last name or company (each lower-cased by SQL lower(), which
// folds ASCII letters only on both backends) starts with it; results are ordered by the matched
// text, then id, and each lead appears once (under its smallest matching text). Without a prefix
// every lead is listed by id.
struct LeadSearch {
  std::string prefix;  // lower case (ASCII), trimmed; empty: all leads
  int limit = 50;
  // Continue after this (key, id); key is "" when listing without a prefix.
  std::string after_key, after_id;
};
struct LeadSearchResult {
  domain::Lead lead;
  std::string key;  // the text it matched (the cursor's key)
};
struct LeadSearchPage {
  std::vector<LeadSearchResult> items;
  bool has_more = false;
};

// A lead's place in one campaign, for GET /v1/leads/:id.
struct LeadEnrollment {
  std::string campaign_name;
  std::string campaign_status;
  domain::Enrollment enrollment;
};

// PATCH /v1/leads/:id. Outer nullopt leaves a field; an inner nullopt clears it.
struct LeadPatch {
  std::optional<std::optional<std::string>> first_name, last_name, company, job_title, timezone;
  // A flat JSON object merged into customFields (RFC 7396); "{}" changes nothing.
  std::string custom_fields_patch = "{}";
  std::vector<std::string> custom_keys;  // keys given a value (known keys list)
};

class LeadDirectoryStore {
 public:
  virtual ~LeadDirectoryStore() = default;
  virtual Result<LeadSearchPage> SearchLeads(const std::string& workspace_id,
                                             const LeadSearch& search) = 0;
  // Every enrollment of the lead in a campaign that is not deleted, oldest
  // first. kNotFound when the lead is unknown or deleted.
  virtual Result<std::vector<LeadEnrollment>> ListLeadEnrollments(const std::string& workspace_id,
                                                                  const std::string& lead_id) = 0;
  virtual Result<domain::Lead> PatchLead(const std::string& workspace_id,
                                         const std::string& lead_id, const LeadPatch& patch,
                                         int64_t now) = 0;
  // Removes the lead from every campaign (enrollments `removed`, counted)
  // and from lists and search; importing its address again brings it back.
  virtual Status DeleteLead(const std::string& workspace_id, const std::string& lead_id,
                            int64_t now) = 0;
  // GDPR erasure, in one transaction: the lead row and its enrollments go
  // (counters kept right), messages keep only ids and counts (subjects and
  // SMTP replies cleared), its inbox replies and answers go, webhook events
  // about it (delivered or not) go with their deliveries, stored idempotent
  // responses that mention it go, and a plain suppression of the address
  // becomes an `address_hash` one (domain::AddressHash), so the
  // address is never mailed again without being kept. On SQLite the freed
  // space is zeroed and the WAL is checkpointed and truncated afterwards, so
  // no copy stays in the files. Works on deleted leads too.
  virtual Status EraseLead(const std::string& workspace_id, const std::string& lead_id,
                           int64_t now) = 0;
};

}  // namespace leadterra::store
