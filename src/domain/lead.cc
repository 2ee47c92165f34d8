#include "domain/lead.h"

#include "util/crypto.h"

#include <cctype>

namespace leadterra::domain {

std::string_view ToString(EnrollmentStatus status) {
  switch (status) {
    case EnrollmentStatus::kQueued:
      return "queued";
    case EnrollmentStatus::kActive:
      return "active";
    case EnrollmentStatus::kCompleted:
      return "completed";
    case EnrollmentStatus::kReplied:
      return "replied";
    case EnrollmentStatus::kBounced:
      return "bounced";
    case EnrollmentStatus::kUnsubscribed:
      return "unsubscribed";
    case EnrollmentStatus::kRemoved:
      return "removed";
    case EnrollmentStatus::kStopped:
      return "stopped";
    case EnrollmentStatus::kSuppressed:
      return "suppressed";
  }
  return "queued";
}

std::optional<EnrollmentStatus> ParseEnrollmentStatus(std::string_view text) {
  for (auto s :
       {EnrollmentStatus::kQueued, EnrollmentStatus::kActive, EnrollmentStatus::kCompleted,
        EnrollmentStatus::kReplied, EnrollmentStatus::kBounced, EnrollmentStatus::kUnsubscribed,
        EnrollmentStatus::kRemoved, EnrollmentStatus::kStopped, EnrollmentStatus::kSuppressed}) {
    if (ToString(s) == text) return s;
  }
  return std::nullopt;
}

std::string_view TrimAscii(std::string_view text) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
}

std::string NormalizeEmail(std::string_view email) {
  std::string out(TrimAscii(email));
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsValidEmail(std::string_view email) {
  if (email.size() < 3 || email.size() > kEmailMaxChars) return false;
  size_t at = email.find('@');
  if (at == std::string_view::npos || at == 0 || at > 64 || email.find('@', at + 1) != email.npos) {
    return false;
  }
  std::string_view local = email.substr(0, at);
  std::string_view domain = email.substr(at + 1);
  if (local.front() == '.' || local.back() == '.' || local.find("..") != local.npos) return false;
  for (unsigned char c : local) {
    if (c >= 0x80) continue;  // internationalized local parts (SMTPUTF8)
    if (std::isalnum(c)) continue;
    if (std::string_view("!#$%&'*+-/=?^_`{|}~.").find(static_cast<char>(c)) ==
        std::string_view::npos) {
      return false;
    }
  }
  if (domain.empty() || domain.find('.') == domain.npos || domain.front() == '.' ||
      domain.back() == '.' || domain.find("..") != domain.npos) {
    return false;
  }
  size_t label_start = 0;
  for (size_t i = 0; i <= domain.size(); ++i) {
    if (i == domain.size() || domain[i] == '.') {
      std::string_view label = domain.substr(label_start, i - label_start);
      if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
        return false;
      }
      label_start = i + 1;
      continue;
    }
    unsigned char c = static_cast<unsigned char>(domain[i]);
    if (!(std::isalnum(c) || c == '-' || c >= 0x80)) return false;
  }
  return true;
}

std::string_view EmailDomain(std::string_view normalized_email) {
  size_t at = normalized_email.rfind('@');
  return at == std::string_view::npos ? std::string_view() : normalized_email.substr(at + 1);
}

bool IsStandardField(std::string_view name) {
  return name == "firstName" || name == "lastName" || name == "company" || name == "jobTitle" ||
         name == "email";
}

std::string AddressHash(std::string_view normalized_email) {
  return "sha256:" + Sha256Hex(normalized_email);
}

}  // namespace leadterra::domain
