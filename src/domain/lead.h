// Leads and their enrollment in campaigns. Plain data plus pure rules for
// emails and fields; no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace leadterra::domain {

struct Lead {
  std::string id;  // lead_…
  std::string workspace_id;
  std::string email;  // trimmed, as given
  std::optional<std::string> first_name, last_name, company, job_title;
  std::string custom_fields_json = "{}";  // a flat JSON object, opaque to the domain
  std::optional<std::string> timezone;    // IANA zone the sending window applies in
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

enum class EnrollmentStatus {
  kQueued,
  kActive,
  kCompleted,
  kReplied,
  kBounced,
  kUnsubscribed,
  kRemoved,
  kStopped,     // a colleague at the same company replied (stopOnReply "company")
  kSuppressed,  // the address or its domain is on the workspace's suppression list
};
std::string_view ToString(EnrollmentStatus status);
std::optional<EnrollmentStatus> ParseEnrollmentStatus(std::string_view text);

// A lead's place in one campaign.
struct Enrollment {
  Lead lead;
  std::string campaign_id;
  EnrollmentStatus status = EnrollmentStatus::kQueued;
  int current_step = 0;  // steps sent so far
  std::optional<int64_t> next_send_at;
  std::optional<int64_t> last_sent_at;
  int64_t enrolled_at = 0;
  int64_t seq = 0;  // position in enrollment order (pagination key)
};

// Field limits for lead data.
inline constexpr size_t kLeadFieldMaxChars = 500;
inline constexpr size_t kEmailMaxChars = 254;
inline constexpr size_t kCustomFieldKeyMaxChars = 100;
inline constexpr size_t kCustomFieldValueMaxChars = 5000;
inline constexpr size_t kMaxCustomFields = 100;

// Trims ASCII whitespace.
std::string_view TrimAscii(std::string_view text);
// Lowercased, trimmed email used for deduplication.
std::string NormalizeEmail(std::string_view email);
// A pragmatic address check: one '@', a non-empty local part of allowed
// characters, a dotted domain of letters, digits and hyphens (or UTF-8), no
// spaces or control characters, within RFC 5321 length limits.
bool IsValidEmail(std::string_view email);
// The part after '@' of a normalized email.
std::string_view EmailDomain(std::string_view normalized_email);
// How an erased person's address stays on the suppression list (SPEC §12):
// "sha256:" + hex SHA-256 of the normalized address; the address itself is
// not kept.
std::string AddressHash(std::string_view normalized_email);

// Standard personalization fields: firstName, lastName, company, jobTitle, email.
bool IsStandardField(std::string_view name);

}  // namespace leadterra::domain
