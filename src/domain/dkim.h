// DKIM keys of a workspace: one or more per sending domain (several while a
// key is being rotated; the newest active one signs). Plain data and naming
// rules, no crypto or I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/status.h"

namespace leadterra::domain {

struct DkimKeyRecord {
  std::string id;  // dkim_…
  std::string workspace_id;
  std::string domain;              // lowercase, e.g. "northwind.example"
  std::string selector;            // e.g. "lt1"
  std::string private_key_sealed;  // PKCS#8 PEM sealed under DkimSecretPurpose(id)
  std::string public_key_base64;   // the TXT record's p=
  // Only active keys sign. Add a rotation key inactive, publish its record,
  // then activate it, so no mail is signed with a key DNS does not know yet.
  bool active = true;
  int64_t created_at = 0;
};

// Lowercases and checks a sending domain: dotted labels of letters, digits
// and hyphens, at most 253 characters. kInvalidArgument (param "domain").
Result<std::string> NormalizeDkimDomain(std::string_view domain);
// Selectors are 1..63 characters of [a-z0-9-] (lowercased), not starting or
// ending with '-'. kInvalidArgument (param "selector").
Result<std::string> NormalizeDkimSelector(std::string_view selector);
// Where the TXT record lives: "<selector>._domainkey.<domain>".
std::string DkimDnsName(const DkimKeyRecord& key);
// SecretBox purpose binding a sealed private key to its row.
std::string DkimSecretPurpose(std::string_view key_id);

}  // namespace leadterra::domain
