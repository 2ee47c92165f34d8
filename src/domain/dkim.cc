#include "domain/dkim.h"

namespace leadterra::domain {
namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool IsLabelChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }

// One DNS label: 1..63 of [a-z0-9-], no leading or trailing hyphen.
bool IsLabel(std::string_view label) {
  if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
    return false;
  }
  for (char c : label) {
    if (!IsLabelChar(c)) return false;
  }
  return true;
}

std::string Lowered(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = Lower(c);
  return out;
}

}  // namespace

Result<std::string> NormalizeDkimDomain(std::string_view domain) {
  std::string out = Lowered(domain);
  bool ok = !out.empty() && out.size() <= 253 && out.find('.') != std::string::npos;
  for (size_t start = 0; ok && start <= out.size();) {
    size_t dot = out.find('.', start);
    if (dot == std::string::npos) dot = out.size();
    ok = IsLabel(std::string_view(out).substr(start, dot - start));
    start = dot + 1;
  }
  if (!ok) return InvalidArgument("domain must be a domain name such as example.com", "domain");
  return out;
}

Result<std::string> NormalizeDkimSelector(std::string_view selector) {
  std::string out = Lowered(selector);
  if (!IsLabel(out)) {
    return InvalidArgument("selector must be 1 to 63 letters, digits or hyphens", "selector");
  }
  return out;
}

std::string DkimDnsName(const DkimKeyRecord& key) {
  return key.selector + "._domainkey." + key.domain;
}

std::string DkimSecretPurpose(std::string_view key_id) { return "dkim-key:" + std::string(key_id); }

}  // namespace leadterra::domain
